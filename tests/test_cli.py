"""The `nnviz` command: help, list, train, render, figure, clean (subprocess, tmp project)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import hex_rgb
from test_build import nnviz, pixel, project  # noqa: F401  (fixture)

SUBCOMMANDS = ["list", "train", "render", "figure", "build", "clean"]


def test_help_lists_every_subcommand():
    r = subprocess.run([sys.executable, "-m", "nnviz", "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for c in SUBCOMMANDS:
        assert c in r.stdout


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_subcommand_help(cmd):
    r = subprocess.run([sys.executable, "-m", "nnviz", cmd, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and f"nnviz {cmd}" in r.stdout


def test_console_script_is_installed():
    exe = __import__("shutil").which("nnviz") or str(__import__("pathlib").Path(sys.executable).parent / "nnviz")
    r = subprocess.run([exe, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "build" in r.stdout


def test_list_shows_targets_groups_experiments_and_scenes(project):
    r = nnviz(project, "list")
    for s in ("tiny_exp", "still_blue", "showcase", "scenes/a.py: Still, Moving", "build targets"):
        assert s in r.stdout, s
    r = nnviz(project, "list", "targets")
    assert "experiments (" not in r.stdout and "moving" in r.stdout


def test_train_caches_and_force_recomputes(project):
    r = nnviz(project, "train", "tiny_exp")
    assert "computed" in r.stdout and "numbers" in r.stdout
    assert "cached" in nnviz(project, "train", "tiny_exp").stdout
    assert "computed" in nnviz(project, "train", "tiny_exp", "--force").stdout
    bad = nnviz(project, "train", "nope", check=False)
    assert bad.returncode == 2 and "unknown experiment 'nope'" in bad.stderr and "tiny_exp" in bad.stderr


def test_render_scene_file_with_override_and_formats(project):
    r = nnviz(project, "render", "scenes/a.py", "Still", "--format", "png", "--resolution", "192x108",
              "--set", "fill='#56B4E9'", "--no-progress")
    out = project / "renders" / "Still.png"
    assert str(out) in r.stdout and Image.open(out).size == (192, 108)
    assert np.linalg.norm(pixel(out) - hex_rgb("#56B4E9")) < 20
    r = nnviz(project, "render", "scenes/a.py:Moving", "-ql", "--format", "webm,gif", "--resolution", "192x108",
              "--fps", "4", "-o", str(project / "out" / "mv"), "--no-progress")
    assert (project / "out" / "mv.webm").stat().st_size > 0
    assert Image.open(project / "out" / "mv.gif").info["loop"] == 0
    assert not list((project / "renders" / ".tmp").glob("*"))


@pytest.mark.parametrize("args,msg", [
    (["scenes/a.py", "Nope"], "no scene class 'Nope'"),
    (["scenes/a.py"], "name one"),
    (["scenes/a.py", "Still", "--set", "learning_rate=0.3"], "no class attribute 'learning_rate'"),
    (["scenes/a.py", "Still", "--format", "avi"], "unknown format avi"),
    (["scenes/a.py", "Still", "-t", "--format", "mp4"], "mp4 cannot hold transparency"),
    (["scenes/a.py", "Still", "--resolution", "big"], "resolution"),
    (["nope"], "neither a .py scene file nor a scene target"),
])
def test_render_bad_input_is_one_clear_error(project, args, msg):
    r = nnviz(project, "render", *args, "--no-progress", check=False)
    assert r.returncode == 2 and msg in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_render_target_builds_it_and_variant_marks_it_stale(project):
    r = nnviz(project, "render", "still", "--no-progress")
    assert "built 1" in r.stdout
    assert "0 of 1" in nnviz(project, "build", "-n", "still").stdout
    nnviz(project, "render", "still", "--set", "fill='#F0E442'", "--no-progress")
    assert np.linalg.norm(pixel(project / "renders" / "still.png") - hex_rgb("#F0E442")) < 20
    assert "1 of 1" in nnviz(project, "build", "-n", "still").stdout   # differs from the manifest now


def test_transparent_png_has_alpha(project):
    nnviz(project, "render", "scenes/a.py", "Still", "-t", "--format", "png", "--resolution", "192x108",
          "--no-progress")
    a = np.asarray(Image.open(project / "renders" / "Still.png"))
    assert a.shape[2] == 4 and a[0, 0, 3] == 0 and a[54, 96, 3] == 255


def test_clean_removes_working_files_not_outputs(project):
    nnviz(project, "build", "still", "--no-progress")
    assert (project / "renders" / ".cache" / "build" / "state.json").exists()
    r = nnviz(project, "clean")
    assert "removed" in r.stdout
    assert not (project / "renders" / ".cache" / "build").exists()
    assert (project / "renders" / "still.png").exists()
    nnviz(project, "clean", "--outputs")
    assert not (project / "renders" / "still.png").exists()


def test_figure_command_in_process(tmp_path, monkeypatch):
    from nnviz import cli, figures
    from nnviz.figures import figure

    @figure("_test_cli_fig", size=(3, 2))
    def _fig(fig):
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])

    monkeypatch.setenv("NNVIZ_CACHE", str(tmp_path / "records"))
    try:
        rc = cli.main(["figure", "_test_cli_fig", "--format", "svg", "--format", "png", "--dpi", "50",
                       "-o", str(tmp_path / "f")])
        assert rc == 0
        assert (tmp_path / "f.svg").read_text().lstrip().startswith("<?xml")
        assert Image.open(tmp_path / "f.png").size[0] < 200
        assert cli.main(["figure", "_test_cli_fig", "--format", "bmp", "-o", str(tmp_path / "g")]) == 2
    finally:
        figures.FIGURES.pop("_test_cli_fig", None)


def test_intro_scene_runs_under_plain_manim(tmp_path):
    """Scene files must keep working with the stock `manim` command (no nnviz config involved)."""
    from pathlib import Path

    scene = Path(__file__).resolve().parent.parent / "scenes" / "showcase_intro.py"
    r = subprocess.run([sys.executable, "-m", "manim", "render", "-s", "-ql", "-r", "192,108",
                        "--media_dir", str(tmp_path), str(scene), "ShowcaseIntro"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    (png,) = list(tmp_path.rglob("ShowcaseIntro*.png"))
    a = np.asarray(Image.open(png).convert("RGB"), dtype=float)
    assert a.shape == (108, 192, 3)
    assert np.linalg.norm(a[2, 2] - hex_rgb(__import__("nnviz.theme").theme.BACKGROUND)) < 4   # themed background
