"""Shared pieces of the tests that run the real `python -m nnviz …` in a temporary project
(tests/test_build.py, tests/test_faults.py): the scene drawn from a record, writing project
files, running the command, and reading its summary and outputs."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from PIL import Image

SCENE_FROM_RECORDS = '''
import manim as mn
from nnviz import experiments
from nnviz.render.style import ThemedScene


class FromRecords(ThemedScene):
    experiment = "tiny_exp"

    def construct(self):
        v = float(experiments.load(self.experiment)["numbers"].values[0])
        col = mn.ManimColor.from_rgb((v, 0.0, 1.0 - v))
        self.add(mn.Square(3, fill_color=col, fill_opacity=1, stroke_width=0))
'''

# the figure drawn from tiny_exp's record (appended to a project's experiments module)
TINY_FIGURE = '''

@figure("tiny_fig", experiments=("tiny_exp",), size=(2, 2))
def tiny_fig(fig):
    from matplotlib.patches import Rectangle
    from nnviz import experiments

    v = float(experiments.load("tiny_exp")["numbers"].values[0])
    ax = fig.add_axes([0, 0, 1, 1])
    ax.add_patch(Rectangle((0, 0), 1, 1, color=(v, 0.0, 1.0 - v)))
'''

# a test project's manifest [settings]: tiny stills, the project's own experiments module
SETTINGS = '''
[settings]
quality = "low"
formats = ["png"]
resolution = "192x108"
fps = 4
modules = ["scenes/exps.py"]
'''


def write(p: Path, s: str) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(s))
    return p


def run(root: Path, args, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    """`python -m nnviz --manifest ROOT/renders.toml ARGS…` in ROOT; with `check`, it must succeed."""
    r = subprocess.run([sys.executable, "-m", "nnviz", "--manifest", str(root / "renders.toml"), *args],
                       cwd=root, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def counts(out: str) -> tuple[int, int, int]:
    """(built, skipped, failed) from a build's summary line."""
    m = re.search(r"built (\d+), skipped (\d+) \(up to date\), failed (\d+)", out)
    assert m, out
    return tuple(int(x) for x in m.groups())


def built_names(out: str) -> set[str]:
    return set(re.findall(r"^\s+built\s+(\S+)", out, re.M))


def pixel(path: Path) -> np.ndarray:
    """The RGB value at the centre of an image file."""
    a = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    return a[a.shape[0] // 2, a.shape[1] // 2]
