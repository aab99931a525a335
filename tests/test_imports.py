"""The NumPy core is for notebooks and tests: importing it must not pull in manim or matplotlib."""
import subprocess
import sys

from nnviz.folders import core_modules

CORE = core_modules()     # the one list of what counts as core (nnviz.folders.NOT_CORE)


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True).stdout.split()
    return {m.split(".")[0] for m in out}


def test_core_imports_neither_manim_nor_matplotlib():
    code = "import importlib\n" + "\n".join(f"importlib.import_module({m!r})" for m in CORE)
    # every registered experiment module too: they are what `nnviz train` runs
    code += "\nimport nnviz.experiments as E\nassert len(E.discover()) > 10"
    loaded = _loaded_after(code)
    assert "nnviz" in loaded and "numpy" in loaded  # the probe itself works
    assert "manim" not in loaded
    assert "matplotlib" not in loaded


def test_probe_detects_a_drawing_import():
    """The check above can fail: importing the render kit's manim side does load manim."""
    assert "manim" in _loaded_after("import nnviz.render.style")
