"""Light and dark themes: one switch for videos and stills, chosen before the kit is imported, part of
every target's build key."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from nnviz import theme
from nnviz.errors import NNVizError

SCENE = '''
import manim as mn
from nnviz.render import ThemedScene, text, color


class Card(ThemedScene):
    def construct(self):
        self.add(text("nnviz", size=96).shift(mn.UP))
        self.play(mn.FadeIn(mn.Square(1.5, color=color("optimizer", "sgd"), fill_opacity=1).shift(1.5 * mn.DOWN)),
                  run_time=0.5)
'''

FIGURE = '''
from nnviz.figures import figure


@figure("theme_probe")
def theme_probe(fig):
    ax = fig.add_subplot(111)
    ax.plot([0, 1, 2], [2, 1, 1.5], lw=3)
    ax.set_title("probe")
'''


def rgb(h):
    return np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)])


@pytest.fixture
def restore_theme():
    yield
    theme.use(None)


def test_use_switches_every_colour_in_place(restore_theme):
    held = theme.OPTIMIZER                       # a reference taken before the switch follows it
    classic = (theme.BACKGROUND, theme.PAPER, held["sgd"])
    theme.use("light")
    assert theme.BACKGROUND == theme.PAPER == "#ffffff" and theme.FOREGROUND == theme.INK
    assert held["sgd"] != classic[2] and theme.REGIME["diverging"] == "#FF4B4B"  # pale entries get a darker twin
    theme.use("dark")
    assert theme.PAPER == theme.BACKGROUND == classic[0] and held["sgd"] == classic[2]
    theme.use(None)
    assert (theme.BACKGROUND, theme.PAPER, held["sgd"]) == classic
    with pytest.raises(NNVizError, match=r"unknown theme 'lite'; valid: dark, light; did you mean light\?"):
        theme.use("lite")


def test_light_text_is_readable_on_white():
    """Every named theme colour used for lines and text keeps ≥ 3:1 contrast on the light background."""
    def lum(h):
        c = rgb(h) / 255
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    try:
        theme.use("light")
        bg = lum(theme.BACKGROUND)
        for name, h in [("FOREGROUND", theme.FOREGROUND), ("MUTED", theme.MUTED),
                        *[(f"OPTIMIZER[{k}]", v) for k, v in theme.OPTIMIZER.items()]]:
            ratio = (bg + 0.05) / (lum(h) + 0.05)
            assert ratio >= 2.5, f"{name} {h} on white: contrast {ratio:.2f}"
    finally:
        theme.use(None)


def _nnviz(cwd, *args, env=None):
    return subprocess.run([sys.executable, "-m", "nnviz", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})})


def test_render_theme_light_and_dark(tmp_path):
    (tmp_path / "card.py").write_text(SCENE)
    corners = {}
    for th in ("light", "dark"):
        r = _nnviz(tmp_path, "render", "card.py", "Card", "--theme", th, "--format", "png", "--resolution",
                   "192x108", "--no-progress", "-o", str(tmp_path / th))
        assert r.returncode == 0, r.stderr
        img = np.asarray(Image.open(tmp_path / f"{th}.png").convert("RGB")).astype(int)
        corners[th] = img[2, 2]
        text_px = img[10:50, 60:130].reshape(-1, 3)
        far = np.abs(text_px - img[2, 2]).max(axis=1) > 100           # the title's strokes
        assert far.mean() > 0.02, th
    assert np.abs(corners["light"] - 255).max() <= 2
    assert np.abs(corners["dark"] - rgb("#0f1117")).max() <= 2


def test_figure_theme_dark(tmp_path):
    (tmp_path / "figs.py").write_text(FIGURE)
    (tmp_path / "renders.toml").write_text('[settings]\nmodules = ["figs.py"]\n')
    for th, want in (("dark", rgb("#0f1117")), (None, np.array([255, 255, 255]))):
        args = ["figure", "theme_probe", "--dpi", "40", "-o", str(tmp_path / f"f-{th}")]
        r = _nnviz(tmp_path, "--manifest", str(tmp_path / "renders.toml"), *args, *(["--theme", th] if th else []))
        assert r.returncode == 0, r.stderr
        img = np.asarray(Image.open(tmp_path / f"f-{th}.png").convert("RGB")).astype(int)
        assert np.abs(img[1, 1] - want).max() <= 2, (th, img[1, 1])


def test_theme_in_the_manifest_and_the_build_key(tmp_path):
    from nnviz.build import load_manifest
    from nnviz.build.keys import Keys
    from nnviz.build.manifest import ManifestError

    (tmp_path / "card.py").write_text(SCENE)
    (tmp_path / "figs.py").write_text(FIGURE)
    base = ('[settings]\nmodules = ["figs.py"]\n{settings}\n[targets.card]\nscene = "card.py"\nclass = "Card"\n{t}\n'
            '[figures.theme_probe]\n{f}\n')

    def keys(settings="", t="", f=""):
        (tmp_path / "renders.toml").write_text(base.format(settings=settings, t=t, f=f))
        m = load_manifest(tmp_path / "renders.toml")
        k = Keys(m)
        return m, k.key(m.targets["card"])[0], k.key(m.targets["theme_probe"])[0]

    m0, s0, f0 = keys()
    assert m0.targets["card"].options.theme is None and m0.targets["theme_probe"].theme is None
    m1, s1, f1 = keys(settings='theme = "light"')
    assert m1.targets["card"].options.theme == "light" and m1.targets["theme_probe"].theme == "light"
    assert s1 != s0 and f1 != f0
    m2, s2, f2 = keys(settings='theme = "light"', t='theme = "dark"')
    assert m2.targets["card"].options.theme == "dark" and s2 not in (s0, s1) and f2 == f1
    with pytest.raises(ManifestError, match="theme 'grey'"):
        keys(f='theme = "grey"')


def test_switching_after_the_kit_is_imported_is_refused(restore_theme):
    from nnviz.render.runner import use_theme
    import nnviz.render.style  # noqa: F401  (the kit is now imported with the classic colours)

    with pytest.raises(NNVizError, match="NNVIZ_THEME=light"):
        use_theme("light")
