"""Everyday polish: closest-name suggestions, colours by name in any case, a LossPlot legend that
stays inside the plot's width."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz import theme
from nnviz.errors import NNVizError, UnknownNameError, did_you_mean


def test_did_you_mean_suggests_the_closest_names():
    assert did_you_mean("descnt_race", ["descent_race", "intro"]) == "; did you mean descent_race?"
    assert did_you_mean("descent_rac", ["descent_race", "descent_regimes"]).startswith("; did you mean descent_race")
    assert did_you_mean("ADAM", ["adam", "sgd"]) == "; did you mean adam?"
    assert did_you_mean("zzz", ["adam", "sgd"]) == ""
    assert did_you_mean("mnist", ["moons", "digits"]) == ""            # no far-fetched guesses


def test_unknown_registry_names_get_a_suggestion():
    from nnviz import optim

    with pytest.raises(UnknownNameError, match=r"unknown optimizer 'adma'; valid: .*; did you mean adam\?$"):
        optim.make("adma")


def test_unknown_target_gets_a_suggestion(tmp_path):
    from nnviz.build import load_manifest

    (tmp_path / "scenes").mkdir()
    (tmp_path / "scenes" / "s.py").write_text("class S:\n    pass\n")
    (tmp_path / "renders.toml").write_text('[targets.descent_race]\nscene = "scenes/s.py"\nclass = "S"\n')
    m = load_manifest(tmp_path / "renders.toml")
    with pytest.raises(NNVizError, match=r"'descent_rac'; valid: .*; did you mean descent_race\?"):
        m.select(["descent_rac"])


@pytest.mark.parametrize("name, kind, key", [("SGD", "optimizer", "sgd"), ("Adam", "optimizer", "adam"),
                                             ("Mini-Batch", "variant", "minibatch"), ("DIVERGING", "regime", "diverging")])
def test_colours_by_name_ignore_case_and_separators(name, kind, key):
    from nnviz.figures.common import color_of

    table = {"optimizer": theme.OPTIMIZER, "variant": theme.VARIANT, "regime": theme.REGIME}[kind]
    assert theme.color_for(kind, name) == table[key]
    assert color_of(name) == table[key]
    assert color_of("SGD") != color_of("Adam")


@pytest.mark.parametrize("width, names, place", [
    (6.0, ["sgd", "adam"], "right"),
    (6.0, ["plain gradient descent", "Adam with warm restarts"], "below"),
    (2.6, ["slow", "smooth", "oscillating", "diverging"], "below"),
    (4.6, [f"b = {b}" for b in (16, 32, 64, 128, 256, 512)], "below")])
def test_loss_plot_legend_stays_within_its_width(width, names, place):
    from nnviz.render import LossPlot

    p = LossPlot({n: np.linspace(1, 0.1, 40) * (i + 1) for i, n in enumerate(names)}, width=width, height=4)
    left = p.get_left()[0]
    assert p.legend.get_right()[0] <= left + width + 1e-6
    assert p.width <= width + 0.1                 # (a curve's head dot may poke out by its radius)
    if place == "right":
        assert p.legend.get_left()[0] >= p.axes.axes.get_right()[0]     # beside the axes, not over them
    else:
        assert p.legend.get_top()[1] <= p.axes.get_bottom()[1]         # below the axes and their labels
        assert p.axes.width >= 0.9 * width                               # the axes keep their width
    rows = list(p.legend.rows.values())
    assert len(rows) == len(names)
    for i, a in enumerate(rows):                  # no two legend entries overlap
        for b in rows[i + 1:]:
            apart_x = a.get_right()[0] <= b.get_left()[0] + 1e-6 or b.get_right()[0] <= a.get_left()[0] + 1e-6
            apart_y = a.get_top()[1] <= b.get_bottom()[1] + 1e-6 or b.get_top()[1] <= a.get_bottom()[1] + 1e-6
            assert apart_x or apart_y
    old = LossPlot({n: np.linspace(1, 0.1, 40) for n in names}, width=width, height=4, legend="outside")
    assert old.legend.get_left()[0] >= old.axes.axes.get_right()[0]    # the old layout, on request


def test_opengl_renderer_is_refused_in_one_line(tmp_path):
    import subprocess
    import sys

    f = tmp_path / "s.py"
    f.write_text("import manim as mn\nfrom nnviz.render import ThemedScene, text\n\n"
                 "class S(ThemedScene):\n    def construct(self):\n        self.add(text('hi'))\n")
    r = subprocess.run([sys.executable, "-m", "manim", "--renderer=opengl", "-ql", "--media_dir",
                        str(tmp_path / "m"), str(f), "S"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert lines == ["nnviz: error: the nnviz render kit needs manim's Cairo renderer; "
                     "run without --renderer=opengl (its mobject types differ)"], r.stderr
    assert "Traceback" not in r.stdout + r.stderr


def test_train_shows_progress_per_experiment_and_epoch(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "my_exp.py").write_text(
        "import numpy as np\nfrom nnviz import data, nn, optim, problems, train\n"
        "from nnviz.experiments import experiment\n\n"
        "@experiment('tiny_progress', epochs=4, seed=0)\ndef tiny(cfg):\n"
        "    d = data.xor()\n    m = nn.MLP((2, 3, 1), loss='bce')\n"
        "    run = train.train(problems.NetworkProblem(m, d), optim.sgd(0.1), m.init(np.random.default_rng(0)),\n"
        "                      epochs=cfg['epochs'], name='sgd')\n    return {'run': run}\n")
    (tmp_path / "renders.toml").write_text('[settings]\nmodules = ["my_exp.py"]\n')
    env = {**os.environ, "NNVIZ_PROGRESS": "1"}
    r = subprocess.run([sys.executable, "-m", "nnviz", "--manifest", str(tmp_path / "renders.toml"), "train",
                        "tiny_progress"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert "[1/1] tiny_progress" in r.stderr and "epoch 4/4" in r.stderr and "epoch 1/4" in r.stderr
    assert "tiny_progress: 1 records (run) computed" in r.stdout
    quiet = subprocess.run([sys.executable, "-m", "nnviz", "--manifest", str(tmp_path / "renders.toml"), "train",
                            "tiny_progress", "--force", "--no-progress"], capture_output=True, text=True,
                           cwd=tmp_path, env=env)
    assert quiet.returncode == 0 and "epoch" not in quiet.stderr
