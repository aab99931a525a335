"""The text audit finds what the rubric forbids: small words, and words on top of words."""
import manim as mn

from nnviz.render import ThemedScene, audit


class _Small(ThemedScene):
    def construct(self):
        self.add(mn.Text("tiny", font_size=14).shift(2 * mn.UP), mn.Text("fine", font_size=28))
        self.wait(0.25)


class _CrossFade(ThemedScene):
    def construct(self):
        old = mn.Text("old caption", font_size=28)
        self.add(old)
        self.wait(0.25)
        self.play(mn.FadeOut(old), mn.FadeIn(mn.Text("new caption", font_size=28)), run_time=0.25)


class _Sequential(ThemedScene):
    def construct(self):
        old = mn.Text("old caption", font_size=28)
        self.add(old)
        self.wait(0.25)
        self.play(mn.FadeOut(old), run_time=0.25)
        self.play(mn.FadeIn(mn.Text("new caption", font_size=28)), run_time=0.25)
        self.add(mn.Text("left", font_size=28).to_edge(mn.LEFT), mn.Text("right", font_size=28).to_edge(mn.RIGHT))
        self.wait(0.25)


class _Stacked(ThemedScene):
    def construct(self):
        self.add(mn.Text("first", font_size=28), mn.Text("second", font_size=28).shift(0.1 * mn.DOWN))
        self.wait(0.25)


def test_small_text_is_found_with_its_height(render_scene):
    r = render_scene(_Small)
    assert set(r.small_texts) == {"tiny"}
    assert abs(r.small_texts["tiny"] - 14 * 19.03 / 24) < 0.2


def test_cross_fade_at_one_place_is_found(render_scene):
    assert render_scene(_CrossFade).overlapping_texts == {("new caption", "old caption")}


def test_fade_out_then_in_and_side_by_side_texts_pass(render_scene):
    r = render_scene(_Sequential)
    assert r.overlapping_texts == set() and r.small_texts == {}


def test_texts_left_on_top_of_each_other_are_found(render_scene):
    assert render_scene(_Stacked).overlapping_texts == {("first", "second")}


def test_audit_is_off_outside_tests():
    audit.enable(False)
    assert audit.FOUND.small == {} and audit._enabled is False


def test_math_reads_smaller_than_text_at_one_font_size():
    from nnviz.render.mathtex import math

    t, m = mn.Text("Hg", font_size=24), math("H g", size=24)
    assert abs(audit.height_px(t) - t.height * 60) < 0.3
    assert abs(audit.height_px(m) - m.height * 60) < 0.3
