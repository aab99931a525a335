"""A dashed loss curve that grows with a step tracker — for a second series that must read apart
from the first even without colour (e.g. test loss dashed, train loss solid).

The dashes are built once from the whole curve; the tracker only switches each dash's opacity
(in place, no submobjects added or removed mid-animation — see widgets.py's hazard note), so a
dashed curve costs no more per frame than a solid one.
"""
from __future__ import annotations

import numpy as np
import manim as mn

from .. import theme


class DashedCurve(mn.VGroup):
    def __init__(self, axes, values, steps, color=theme.FOREGROUND, stroke_width=3.0, tracker=None,
                 num_dashes=48, dashed_ratio=0.55):
        super().__init__()
        v = np.asarray(values, float).ravel()
        s = np.asarray(steps, float).ravel()
        ok = np.isfinite(v)
        v, s = v[ok], s[ok]
        pts = axes.to_axes(np.c_[s, v])
        lo, hi = axes.bounds[1]
        pts[:, 1] = np.clip(pts[:, 1], lo, hi)
        scene = axes.to_scene(pts)
        full = mn.VMobject().set_points_as_corners(scene)
        dashes = mn.DashedVMobject(full, num_dashes=num_dashes, dashed_ratio=dashed_ratio)
        dashes.set_stroke(color, width=stroke_width, opacity=1.0)
        self.dashes = dashes
        self.steps_scene = (scene[:, 0], s)           # scene x ↦ step along the curve
        self.dash_steps = np.array([np.interp(d.get_start()[0], scene[:, 0], s) for d in dashes])
        self.tracker = tracker
        self.add(dashes)
        if tracker is not None:
            self.add_updater(lambda m: m.show_until(tracker.get_value()))
            self.show_until(tracker.get_value())

    def show_until(self, step: float) -> "DashedCurve":
        """Dashes starting at or before `step` are drawn, the rest hidden."""
        for d, st in zip(self.dashes, self.dash_steps):
            d.set_stroke(opacity=1.0 if st <= step + 1e-9 else 0.0)
        return self

    def shown(self) -> int:
        return int(sum(d.get_stroke_opacity() > 0 for d in self.dashes))
