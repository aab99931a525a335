"""Fades without copies, for text-heavy scenes.

manim's FadeIn/FadeOut deep-copy the whole mobject to build a faded twin (for a Text that is
every glyph's outline and attributes). In a profile of the forward-pass scene, deep copies were
36 % of the render's time, the fades' faded twins alone 12 %. `fade_in(*mobs)` / `fade_out(*mobs)`
instead scale each part's opacity in place every frame — no copy, and nothing added or removed
mid-animation. Works for text, labels and shapes with
any mix of opacities (each part's own opacity is the 100 % level).

`swap_caption(scene, old, new)`: one caption for another in two steps (out, then in).
"""
from __future__ import annotations

import manim as mn
import numpy as np


class Fade(mn.Animation):
    """Every given mobject's opacities scaled by a factor going from `start` to `end`, in place.
    Each part keeps its own fill/stroke opacity (recorded when the fade begins) as the 100 % level,
    so shapes without fill stay unfilled and faint edges stay faint."""

    def __init__(self, *mobs, start: float = 0.0, end: float = 1.0, **kw):
        self.mobs, self.start, self.end = list(mobs), float(start), float(end)
        super().__init__(mn.Group(*mobs), introducer=start == 0.0, remover=end == 0.0, **kw)

    def begin(self):
        self.parts = []
        for m in self.mobs:
            for p in m.family_members_with_points():
                if isinstance(p, mn.VMobject):
                    self.parts.append((p, np.array(p.get_fill_opacities(), float).copy(),
                                       np.array(p.get_stroke_opacities(), float).copy()))
        self._apply(self.start)
        super().begin()

    def _apply(self, k: float) -> None:
        for p, f, s in self.parts:
            p.set_fill(opacity=f * k, family=False)
            p.set_stroke(opacity=s * k, family=False)

    def create_starting_mobject(self):          # no copy: nothing interpolates from it
        return self.mobject

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        if self.end == 0.0:                      # faded out: gone, however they were added
            scene.remove(self.mobject, *self.mobs)
            self._apply(1.0)                     # and whole again, should it be added back

    def interpolate_mobject(self, alpha: float) -> None:
        self._apply(self.start + (self.end - self.start) * self.rate_func(alpha))


def fade_in(*mobs, **kw) -> Fade:
    return Fade(*mobs, start=0.0, end=1.0, **kw)


def fade_out(*mobs, **kw) -> Fade:
    return Fade(*mobs, start=1.0, end=0.0, **kw)


def swap_caption(scene, old, new, out_time: float = 0.3, in_time: float = 0.4, with_out=(), with_in=()):
    """One caption for another at the same place, never both half-visible there: `old` (None: no
    old one) fades out with the animations `with_out`, then `new` fades in with `with_in`.
    manim's FadeOut / FadeIn (a caption is a few glyphs: the copy is cheap). Returns `new`."""
    if old is not None:
        scene.play(mn.FadeOut(old), *with_out, run_time=out_time)
    scene.play(mn.FadeIn(new), *with_in, run_time=in_time)
    return new
