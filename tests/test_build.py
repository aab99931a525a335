"""`nnviz build` end to end in a temporary project: incremental, atomic, validated.

Every build here runs the real command (`python -m nnviz build`) in a subprocess,
rendering 192x108 stills/videos at 4 fps, with its own record cache.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cliproject import SCENE_FROM_RECORDS, SETTINGS, TINY_FIGURE, built_names, counts, pixel, run, write
from conftest import hex_rgb

SCENE_A = '''
import manim as mn
from nnviz.render.style import ThemedScene


class Still(ThemedScene):
    fill = "#D55E00"

    def construct(self):
        self.add(mn.Square(3, fill_color=self.fill, fill_opacity=1, stroke_width=0))


class Moving(ThemedScene):
    def construct(self):
        d = mn.Dot(color="#56B4E9").shift(3 * mn.LEFT)
        self.add(d)
        self.play(d.animate.shift(6 * mn.RIGHT), run_time=1)
'''

SCENE_B = SCENE_FROM_RECORDS

SCENE_SLOW = '''
import os, time
import manim as mn
from nnviz.render.style import ThemedScene


class Slow(ThemedScene):
    fill = "#009E73"

    def construct(self):
        mark = os.environ.get("NNVIZ_TEST_MARK")
        if mark:                      # let the test kill us mid-render
            with open(mark, "w") as f:
                f.write(str(os.getpid()))
            time.sleep(60)
        self.add(mn.Square(3, fill_color=self.fill, fill_opacity=1, stroke_width=0))
'''

EXPS = '''
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from nnviz.experiments import experiment
from nnviz.figures import figure
from nnviz.records import Record


@dataclass(frozen=True)
class Numbers(Record):
    kind: ClassVar[str] = "test_numbers"
    values: np.ndarray


@experiment("tiny_exp", value=0.2)
def tiny(config):
    return {"numbers": Numbers(np.array([config["value"]]))}
''' + TINY_FIGURE

MANIFEST = SETTINGS + '''
[groups]
showcase = ["still", "records"]

[targets.still]
scene = "scenes/a.py"
class = "Still"

[targets.still_blue]
scene = "scenes/a.py"
class = "Still"
set = { fill = "#56B4E9" }

[targets.moving]
scene = "scenes/a.py"
class = "Moving"
formats = ["mp4", "gif", "png"]
gif = { fps = 4, width = 96 }

[targets.records]
scene = "scenes/b.py"
class = "FromRecords"

[targets.slow]
scene = "scenes/slow.py"
class = "Slow"

[figures.tiny]
figure = "tiny_fig"
formats = ["png", "svg"]
dpi = 40
'''



@pytest.fixture
def project(tmp_path):
    write(tmp_path / "scenes" / "a.py", SCENE_A)
    write(tmp_path / "scenes" / "b.py", SCENE_B)
    write(tmp_path / "scenes" / "slow.py", SCENE_SLOW)
    write(tmp_path / "scenes" / "exps.py", EXPS)
    write(tmp_path / "renders.toml", MANIFEST)
    return tmp_path


def env_for(root: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NNVIZ_CACHE", "NNVIZ_TEST_MARK")}
    env["NNVIZ_CACHE"] = str(root / "records")
    env.update(extra)
    return env


def nnviz(root: Path, *args, check: bool = True, **extra) -> subprocess.CompletedProcess:
    return run(root, args, env_for(root, **extra), check)





def test_build_twice_second_is_noop_and_outputs_are_right(project):
    r = nnviz(project, "build", "still", "still_blue", "moving", "records", "-j", "2", "--no-progress")
    assert counts(r.stdout) == (4, 0, 0)
    rd = project / "renders"
    for f in ("still.png", "still_blue.png", "moving.mp4", "moving.gif", "moving.png", "records.png"):
        assert (rd / f).is_file(), f
    assert np.linalg.norm(pixel(rd / "still.png") - hex_rgb("#D55E00")) < 20
    assert np.linalg.norm(pixel(rd / "still_blue.png") - hex_rgb("#56B4E9")) < 20      # the override
    assert np.linalg.norm(pixel(rd / "records.png") - np.array([0.2, 0, 0.8]) * 255) < 20  # from the records
    gif = Image.open(rd / "moving.gif")
    assert gif.info["loop"] == 0 and gif.size == (96, 54) and gif.n_frames >= 3
    assert Image.open(rd / "still.png").size == (192, 108)
    assert not list((rd / ".tmp").glob("*")), "temp folders left behind"

    stamps = {p.name: p.stat().st_mtime_ns for p in rd.glob("*.*")}
    r2 = nnviz(project, "build", "still", "still_blue", "moving", "records", "--no-progress")
    assert counts(r2.stdout) == (0, 4, 0)           # no timing check here: that goal lives in bench/
    assert stamps == {p.name: p.stat().st_mtime_ns for p in rd.glob("*.*")}
    dry = nnviz(project, "build", "-n", "still", "moving")
    assert "0 of 2 targets would be built" in dry.stdout


def test_editing_a_scene_rebuilds_only_its_targets(project):
    nnviz(project, "build", "still", "still_blue", "moving", "records", "--no-progress")
    a = project / "scenes" / "a.py"
    a.write_text(a.read_text().replace('fill = "#D55E00"', 'fill = "#CC79A7"'))
    dry = nnviz(project, "build", "-n", "still", "records")
    assert re.search(r"would build\s+still\s+source: scenes/a.py", dry.stdout), dry.stdout
    assert re.search(r"up to date\s+records", dry.stdout), dry.stdout
    r = nnviz(project, "build", "still", "still_blue", "moving", "records", "--no-progress")
    assert built_names(r.stdout) == {"still", "still_blue", "moving"}     # every target of a.py, not b.py
    assert np.linalg.norm(pixel(project / "renders" / "still.png") - hex_rgb("#CC79A7")) < 20
    # a manifest option change rebuilds just that target
    m = project / "renders.toml"
    m.write_text(m.read_text().replace('set = { fill = "#56B4E9" }', 'set = { fill = "#F0E442" }'))
    r = nnviz(project, "build", "still", "still_blue", "moving", "records", "--no-progress")
    assert built_names(r.stdout) == {"still_blue"}
    # a deleted output is rebuilt
    (project / "renders" / "records.png").unlink()
    r = nnviz(project, "build", "still", "still_blue", "moving", "records", "--no-progress")
    assert built_names(r.stdout) == {"records"}


def test_editing_an_experiment_rebuilds_its_dependents(project):
    r = nnviz(project, "build", "still", "records", "tiny", "-j", "2", "--no-progress")
    assert r.stdout.count("computing records: tiny_exp") == 1     # once, in the parent, before rendering
    fig = project / "renders" / "figures" / "tiny.png"
    assert np.linalg.norm(pixel(fig) - np.array([0.2, 0, 0.8]) * 255) < 20
    assert (project / "renders" / "figures" / "tiny.svg").read_text().lstrip().startswith("<?xml")
    exps = project / "scenes" / "exps.py"
    exps.write_text(exps.read_text().replace("value=0.2", "value=0.9"))
    dry = nnviz(project, "build", "-n", "still", "records", "tiny")
    assert re.search(r"would build\s+records\s+experiment: tiny_exp", dry.stdout), dry.stdout
    r = nnviz(project, "build", "still", "records", "tiny", "--no-progress")
    assert built_names(r.stdout) == {"records", "tiny"}
    assert "computing records: tiny_exp" in r.stdout
    assert np.linalg.norm(pixel(project / "renders" / "records.png") - np.array([0.9, 0, 0.1]) * 255) < 20
    assert np.linalg.norm(pixel(fig) - np.array([0.9, 0, 0.1]) * 255) < 20


def test_group_selection_and_force(project):
    r = nnviz(project, "build", "showcase", "--no-progress")
    assert built_names(r.stdout) == {"still", "records"}
    r = nnviz(project, "build", "showcase", "--force", "--no-progress")
    assert built_names(r.stdout) == {"still", "records"}


def _kill_midway(project, sig):
    """Build `slow` once, make it stale, start a rebuild that blocks mid-render, kill it with `sig`."""
    nnviz(project, "build", "slow", "--no-progress")
    out = project / "renders" / "slow.png"
    before = out.read_bytes()
    s = project / "scenes" / "slow.py"
    s.write_text(s.read_text().replace('fill = "#009E73"', 'fill = "#E69F00"'))
    mark = project / "mark"
    proc = subprocess.Popen([sys.executable, "-m", "nnviz", "--manifest", str(project / "renders.toml"),
                             "build", "slow", "--no-progress"], cwd=project,
                            env=env_for(project, NNVIZ_TEST_MARK=str(mark)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    worker = None
    try:
        deadline = time.time() + 120
        while not (mark.exists() and mark.read_text().strip()):
            assert proc.poll() is None, proc.communicate()
            assert time.time() < deadline, "render never started"
            time.sleep(0.1)
        worker = int(mark.read_text())
        os.killpg(proc.pid, sig)          # the build and its worker (same process group)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if worker is not None:
            try:
                os.kill(worker, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return before, out, proc.returncode


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killed_render_keeps_previous_output_and_rebuilds(project, sig):
    before, out, rc = _kill_midway(project, sig)
    assert rc != 0
    assert out.read_bytes() == before                                     # previous output intact
    assert sorted(p.name for p in out.parent.glob("slow*")) == ["slow.png"]  # nothing half-written
    dry = nnviz(project, "build", "-n", "slow")
    assert "would build" in dry.stdout and "1 of 1" in dry.stdout          # still stale
    r = nnviz(project, "build", "slow", "--no-progress")
    assert built_names(r.stdout) == {"slow"}
    assert np.linalg.norm(pixel(out) - hex_rgb("#E69F00")) < 20            # the new content
    assert not [p for p in (project / "renders" / ".tmp").glob("*")]       # dead temp folders cleaned


def test_failing_render_keeps_previous_output_and_reports(project):
    nnviz(project, "build", "still", "--no-progress")
    before = (project / "renders" / "still.png").read_bytes()
    a = project / "scenes" / "a.py"
    a.write_text(a.read_text().replace("self.add(mn.Square", "raise RuntimeError('boom')\n        self.add(mn.Square"))
    r = nnviz(project, "build", "still", "--no-progress", check=False)
    assert r.returncode == 1 and counts(r.stdout) == (0, 0, 1)
    assert "boom" in r.stdout
    assert (project / "renders" / "still.png").read_bytes() == before


BAD = {
    "unknown scene file": ('scene = "scenes/a.py"', 'scene = "scenes/nope.py"', "scene file not found"),
    "unknown class": ('class = "Still"\n\n[targets.still_blue]', 'class = "Stil"\n\n[targets.still_blue]',
                      "no class 'Stil'"),
    "bad quality": ('[settings]\nquality = "low"', '[settings]\nquality = "ultra"', "unknown quality 'ultra'"),
    "bad format": ('formats = ["mp4", "gif", "png"]', 'formats = ["mp4", "avi"]', "unknown format avi"),
    "duplicate output": ('set = { fill = "#56B4E9" }', 'set = { fill = "#56B4E9" }\noutput = "still"',
                         "duplicate output renders/still.png"),
    "unknown key": ('class = "Moving"', 'class = "Moving"\nqualty = "high"', "unknown key 'qualty'"),
    "bad group": ('showcase = ["still", "records"]', 'showcase = ["still", "recordz"]', "unknown target 'recordz'"),
    "unknown figure": ('figure = "tiny_fig"', 'figure = "tiny_fgi"', "unknown figure 'tiny_fgi'"),
    "bad figure format": ('formats = ["png", "svg"]', 'formats = ["png", "jpg"]', "bad format jpg"),
    "bad gif option": ('gif = { fps = 4, width = 96 }', 'gif = { fps = 4, colors = 1000 }', "gif colors"),
    "not toml": ('[settings]', '[settings', "not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_manifest_is_rejected_before_rendering(project, case):
    old, new, msg = BAD[case]
    m = project / "renders.toml"
    assert old in m.read_text()
    m.write_text(m.read_text().replace(old, new, 1))
    r = nnviz(project, "build", "--no-progress", check=False)
    assert r.returncode == 2
    assert msg in r.stderr and r.stderr.count("nnviz: error") == 1
    assert not (project / "renders").exists() or not list((project / "renders").rglob("*.png"))


def test_two_problems_are_reported_together(project):
    m = project / "renders.toml"
    m.write_text(m.read_text().replace('class = "Moving"', 'class = "Movin"').replace('quality = "low"', 'quality = "x"'))
    r = nnviz(project, "build", check=False)
    assert r.returncode == 2 and "Movin" in r.stderr and "unknown quality 'x'" in r.stderr


def test_unknown_target_lists_valid_ones(project):
    r = nnviz(project, "build", "nope", check=False)
    assert r.returncode == 2 and "unknown target or group 'nope'" in r.stderr and "showcase (group)" in r.stderr


def test_dependency_scan_follows_local_and_nnviz_imports(project):
    from nnviz.build import Keys, load_manifest

    m = load_manifest(project / "renders.toml")
    keys = Keys(m)
    closure = keys.graph.closure(m.targets["records"].scene)
    files = {p.name for p in closure}
    tails = {"/".join(Path(p).parts[-2:]) for p in closure}   # "__init__.py" alone would match any package
    assert {"b.py", "style.py", "theme.py"} <= files and "experiments/__init__.py" in tails
    assert "network.py" not in files          # importing nnviz.render.style does not pull every render module
    assert keys.experiments_of(m.targets["records"]) == ("tiny_exp",)
    assert keys.experiments_of(m.targets["still"]) == ()
    assert "tiny_exp" not in json.dumps(keys.key(m.targets["still"]))
    # the scan cache gives the same answers without parsing or importing anything
    keys.scan.save()
    again = Keys(load_manifest(project / "renders.toml"))
    assert again.key(m.targets["records"]) == keys.key(m.targets["records"])
    assert not again.scan.dirty


def test_quality_override_is_an_input_of_scene_targets_only(project):
    nnviz(project, "build", "still", "tiny", "--no-progress")
    dry = nnviz(project, "build", "-n", "-qm", "still", "tiny")
    assert re.search(r"would build\s+still\s+settings: options", dry.stdout), dry.stdout
    assert re.search(r"up to date\s+tiny", dry.stdout), dry.stdout     # a figure has no quality
    assert "0 of 2 targets would be built" in nnviz(project, "build", "-n", "still", "tiny").stdout
