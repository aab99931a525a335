"""The slide-break helper: labels become manim sections, in order; bad labels are refused."""
from __future__ import annotations

import manim as mn
import pytest

from nnviz.errors import NNVizError
from nnviz.render import ThemedScene, check_label


class TwoParts(ThemedScene):
    def construct(self):
        self.play(mn.FadeIn(mn.Dot()), run_time=0.25)
        self.pause("second-part")
        self.play(mn.FadeIn(mn.Square()), run_time=0.25)


def test_pause_starts_named_sections_and_next_slide(tmp_path):
    calls = []

    class UnderSlides(TwoParts):
        def next_slide(self):  # what manim-slides' Slide provides
            calls.append(len(self.renderer.file_writer.sections))

    with mn.tempconfig({"dry_run": True, "media_dir": str(tmp_path), "quality": "low_quality"}):
        scene = UnderSlides()
        scene.render()
    names = [s.name for s in scene.renderer.file_writer.sections]
    assert "second-part" in names
    assert names.index("second-part") == len(names) - 1
    assert scene.slide_labels == ("second-part",)
    assert calls == [len(names)]


@pytest.mark.parametrize("bad", ["Has Space", "", "UPPER", "-lead", "a/b", 3])
def test_bad_labels_refused(bad):
    with pytest.raises(NNVizError, match="slide label"):
        check_label(bad)


def test_label_used_twice_refused(tmp_path):
    class Twice(ThemedScene):
        def construct(self):
            self.pause("same")
            self.pause("same")

    with mn.tempconfig({"dry_run": True, "media_dir": str(tmp_path)}):
        with pytest.raises(NNVizError, match="used twice"):
            Twice().render()
