"""`nnviz slides`: a deck folder from a scene's slide breaks — one clip and poster per section, a PDF
handout — stepped through in a real headless Chromium where one is installed."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from browser import Browser

SCENE = '''
import manim as mn
from nnviz.render import ThemedScene


class Three(ThemedScene):
    def construct(self):
        sq = mn.Square(side_length=4, color="#D55E00", fill_opacity=1)
        self.play(mn.FadeIn(sq), run_time=0.5)
        self.pause("blue")
        self.play(sq.animate.set_fill("#56B4E9").set_stroke("#56B4E9"), run_time=0.5)
        self.pause("small")
        self.play(sq.animate.scale(0.25), run_time=0.5)
'''

MANIFEST = '''
[settings]
quality = "low"
resolution = "192x108"
fps = 8

[targets.three]
scene = "scenes/three.py"
class = "Three"
description = "a square changes colour, then shrinks"
groups = ["lecture"]

[targets.three_again]
scene = "scenes/three.py"
class = "Three"
groups = ["lecture"]
'''

ORANGE, BLUE = np.array([0xD5, 0x5E, 0x00]), np.array([0x56, 0xB4, 0xE9])


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    root = tmp_path_factory.mktemp("lecture")
    (root / "scenes").mkdir()
    (root / "scenes" / "three.py").write_text(SCENE)
    (root / "renders.toml").write_text(MANIFEST)
    r = subprocess.run([sys.executable, "-m", "nnviz", "--manifest", str(root / "renders.toml"), "slides", "three",
                        "--no-progress"], capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stderr
    index = root / "renders" / "slides" / "three" / "index.html"
    assert str(index) in r.stdout
    return index


def slides_of(index: Path) -> list:
    m = re.search(r"const SLIDES = (\[.*?\]);\n", index.read_text())
    return json.loads(m.group(1))


def centre(img: Image.Image) -> np.ndarray:
    a = np.asarray(img.convert("RGB")).astype(int)
    h, w = a.shape[:2]
    return a[h // 2 - 3:h // 2 + 3, w // 2 - 3:w // 2 + 3].reshape(-1, 3).mean(axis=0)


def test_deck_has_one_clip_and_poster_per_section(deck):
    slides = slides_of(deck)
    assert [s["label"] for s in slides] == ["autocreated", "blue", "small"]
    assert [s["anchor"] for s in slides][1] == "three/blue"
    html = deck.read_text()
    assert "http://" not in html and "https://" not in html          # nothing from the network
    from nnviz.render.gif import probe

    for s in slides:
        clip, poster = deck.parent / s["clip"], deck.parent / s["poster"]
        assert probe(clip)["frames"] == 4                            # 0.5 s at 8 fps, decodable
        assert Image.open(poster).size == (192, 108)
    # each poster is its section's last frame: orange, blue, then a small blue square
    cols = [centre(Image.open(deck.parent / s["poster"])) for s in slides]
    assert np.abs(cols[0] - ORANGE).max() < 12 and np.abs(cols[1] - BLUE).max() < 12
    edge = np.asarray(Image.open(deck.parent / slides[2]["poster"]).convert("RGB"))[54, 60].astype(int)
    assert np.abs(edge - BLUE).max() > 60                            # shrunk: no longer under x=60


def test_handout_has_a_page_per_slide(deck):
    pdf = (deck.parent / "handout.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 3


def test_group_deck_and_embed(tmp_path, deck):
    root = deck.parents[3]
    r = subprocess.run([sys.executable, "-m", "nnviz", "--manifest", str(root / "renders.toml"), "slides", "lecture",
                        "--embed", "--no-progress", "-o", str(tmp_path / "one")],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    index = tmp_path / "one" / "index.html"
    slides = slides_of(index)
    assert [s["target"] for s in slides] == ["three"] * 3 + ["three_again"] * 3
    assert all(s["clip"].startswith("data:video/") and s["poster"].startswith("data:image/png") for s in slides)
    assert sorted(p.name for p in index.parent.iterdir()) == ["handout.pdf", "index.html"]


def test_slides_of_a_figure_or_unknown_name_is_one_line(deck):
    root = deck.parents[3]
    r = subprocess.run([sys.executable, "-m", "nnviz", "--manifest", str(root / "renders.toml"), "slides", "nope"],
                       capture_output=True, text=True, cwd=root)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "nope" in r.stderr


@pytest.mark.skipif(Browser.find() is None, reason="Chromium is not installed (scripts/dev.sh test installs "
                    "Debian's chromium; without root or apt the browser test cannot run)")
def test_browser_steps_through_the_deck(deck):
    with Browser(width=640, height=400) as b:
        b.goto(deck.as_uri() + "?autoplay=0")
        b.wait_for("document.body.dataset.slide === '0'")
        first = Image.open(io.BytesIO(b.screenshot()))
        b.key("ArrowRight", keycode=39)
        b.wait_for("document.body.dataset.slide === '1'")
        b.wait_for("location.hash === '#three/blue'")
        time_ok = b.eval("new Promise(r => setTimeout(() => r(true), 300))")
        assert time_ok
        second = Image.open(io.BytesIO(b.screenshot()))
        assert np.abs(centre(first) - ORANGE).max() < 20, centre(first)
        assert np.abs(centre(second) - BLUE).max() < 20, centre(second)   # the new clip's poster
        # the poster shown is that slide's last frame, scaled: compare with the PNG
        poster = Image.open(deck.parent / slides_of(deck)[1]["poster"]).convert("RGB")
        assert np.abs(centre(second) - centre(poster)).max() < 12
        # played for real: the clip of the next slide decodes and reaches its end in Chromium
        b.goto(deck.as_uri() + "#three/blue")
        b.wait_for("document.body.dataset.slide === '1'")
        b.key(" ", code="Space", keycode=32)
        b.wait_for("document.body.dataset.slide === '2'")
        b.wait_for("document.getElementById('clip').ended", timeout=20)
        assert b.eval("document.getElementById('clip').videoWidth") == 192
        b.key("ArrowLeft", keycode=37)
        b.wait_for("document.body.dataset.slide === '1'")
