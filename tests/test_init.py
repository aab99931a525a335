"""`nnviz init DIR`: a project outside the repository that builds as it is, with its records cached
next to its own manifest — run from the folder, and from elsewhere with --manifest."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def nnviz(cwd, *args):
    env = {k: v for k, v in os.environ.items() if k != "NNVIZ_CACHE"}
    return subprocess.run([sys.executable, "-m", "nnviz", *args], capture_output=True, text=True, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    base = tmp_path_factory.mktemp("lecturer")
    assert REPO not in base.parents
    r = nnviz(base, "init", "course")
    assert r.returncode == 0, r.stderr
    proj = base / "course"
    # the smallest render: this test is about the folder working, not about quality
    m = proj / "renders.toml"
    m.write_text(m.read_text().replace('quality = "low"', 'quality = "low"\nresolution = "192x108"\nfps = 5'))
    return proj


def test_init_writes_the_scaffold_and_refuses_to_overwrite(project):
    names = sorted(p.name for p in project.iterdir())
    assert names == ["README.md", "my_experiments.py", "my_figures.py", "my_scene.py", "renders.toml"]
    r = nnviz(project.parent, "init", "course")
    assert r.returncode == 2 and "already has" in r.stderr and r.stderr.count("\n") == 1


def test_scaffold_builds_as_it_is_with_records_beside_the_manifest(project):
    r = nnviz(project, "list")
    assert r.returncode == 0, r.stderr
    assert "my_race" in r.stdout and "my_scene.py:MyRace" not in r.stderr
    r = nnviz(project, "build", "--no-progress")
    assert r.returncode == 0, r.stdout + r.stderr
    for out in ("my_race.mp4", "my_race.webm", "my_race.png", "figures/my_race_still.png", "figures/my_race_still.svg"):
        assert (project / "renders" / out).stat().st_size > 0, out
    assert list((project / "renders" / ".cache" / "records" / "my_race").iterdir())      # cached here
    assert not (REPO / "renders" / ".cache" / "records" / "my_race").exists()           # not in nnviz's folder
    again = nnviz(project.parent, "--manifest", "course/renders.toml", "build", "--no-progress")
    assert again.returncode == 0 and "skipped 2" in again.stdout, again.stdout
    after = nnviz(project.parent, "build", "--manifest", "course/renders.toml", "--dry-run")   # option after the command
    assert after.returncode == 0 and "up to date" in after.stdout, after.stdout + after.stderr


def test_broken_targets_do_not_stop_list_and_train_but_stop_their_build(project, tmp_path):
    m = tmp_path / "elsewhere.toml"          # a manifest living apart from the project, naming it by path
    m.write_text(f'''[settings]
modules = ["{project / 'my_experiments.py'}", "{project / 'my_figures.py'}"]
quality = "low"

[targets.good]
scene = "{project / 'my_scene.py'}"
class = "MyRace"

[targets.moved]
scene = "scenes/gone.py"
class = "Gone"

[figures.bad_fig]
figure = "no_such_figure"
''')
    r = nnviz(tmp_path, "--manifest", str(m), "list", "targets")
    assert r.returncode == 0, r.stderr
    warn = [ln for ln in r.stderr.splitlines() if ln.startswith("nnviz: warning:")]
    assert len(warn) == 2 and "[targets.moved]" in warn[0] and "[figures.bad_fig]" in warn[1]
    assert "good" in r.stdout and "moved" not in r.stdout
    r = nnviz(tmp_path, "train", "my_race", "--manifest", str(m))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "renders" / ".cache" / "records" / "my_race").is_dir()   # beside this manifest
    ok = nnviz(tmp_path, "--manifest", str(m), "build", "good", "-n")
    assert ok.returncode == 0 and "would build" in ok.stdout, ok.stdout + ok.stderr
    for args in (("build", "moved", "-n"), ("build", "-n")):
        bad = nnviz(tmp_path, "--manifest", str(m), *args)
        assert bad.returncode == 2 and "scene file not found: scenes/gone.py" in bad.stderr, bad.stderr
        assert "would build" not in bad.stdout
