"""What a user's own scene can import: every name a scene in this repository takes from the render
kit is importable from `nnviz.render` itself, and the build's import scanner sees where it lives."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def kit_names() -> set[tuple[str, str]]:
    """(module, name) for every `from nnviz.render[.x] import name` in scenes/*.py."""
    out = set()
    for f in sorted((ROOT / "scenes").glob("*.py")):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nnviz.render"):
                out |= {(node.module, a.name) for a in node.names if a.name != "*"}
    return out


def test_the_scan_finds_the_kit_imports():
    names = {n for _, n in kit_names()}
    assert {"ThemedScene", "LossPlot", "NetworkDiagram"} <= names


@pytest.mark.parametrize("module, name", sorted(kit_names()))
def test_every_kit_name_a_scene_uses_is_in_the_facade(module, name):
    import nnviz.render as R

    obj = getattr(R, name)          # listed in the facade, or found in the kit on first use
    if module != "nnviz.render":
        import importlib

        assert obj is getattr(importlib.import_module(module), name)


def test_facade_names_all_resolve_and_are_declared_for_the_scanner():
    import nnviz.render as R

    src = (ROOT / "nnviz" / "render" / "__init__.py").read_text()
    tree = ast.parse(src)
    declared = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for imp in node.body:
                declared |= {a.name for a in imp.names}
    assert set(R.__all__) == declared           # the lazy table and the scanner's list agree
    for n in R.__all__:
        getattr(R, n)


def test_own_data_and_model_modules_stay_in_the_numpy_core():
    code = ("import nnviz.loaders, nnviz.pytorch, nnviz.data, nnviz.boundary\nimport sys\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "numpy" in loaded
    assert not {"manim", "matplotlib", "torch"} & set(loaded)


def test_build_scanner_follows_a_facade_name_to_its_module_only(tmp_path):
    """`from nnviz.render import DecisionPlane` depends on planes.py (an edit there rebuilds the
    scene); importing nnviz.render.style does not pull every module the facade re-exports."""
    from nnviz.build.scan import SourceGraph

    a = tmp_path / "a.py"
    a.write_text("from nnviz.render import DecisionPlane, ThemedScene\n")
    b = tmp_path / "b.py"
    b.write_text("from nnviz.render.style import ThemedScene\n")
    c = tmp_path / "c.py"
    c.write_text("from nnviz.render import *\n")
    g = SourceGraph()
    names = {p: {"/".join(f.parts[-2:]) for f in g.closure(p)} for p in (a, b, c)}
    assert {"render/planes.py", "render/style.py"} <= names[a] and "render/graph.py" not in names[a]
    assert "render/planes.py" not in names[b] and "render/graph.py" not in names[b]
    assert {"render/planes.py", "render/graph.py", "render/network.py"} <= names[c]
