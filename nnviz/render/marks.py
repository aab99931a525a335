"""Marks on `LabelledAxes` for measured-vs-theory plots: outlined dots, dashed theory curves,
reference lines with labels. Data in data units; points outside the axes are left out."""
from __future__ import annotations

import manim as mn
import numpy as np

from .. import theme
from .paths import clip_path
from .style import BACKGROUND, label as label_text


def dots(axes, xs, ys, color, radius: float = 0.07, hollow: bool = False) -> mn.VGroup:
    """One outlined dot per finite (x, y) inside the axes (drawn on top of lines)."""
    group = mn.VGroup()
    (x0, x1), (y0, y1) = axes.bounds
    for x, y in axes.to_axes(np.c_[np.ravel(xs), np.ravel(ys)]):
        if np.isfinite(x) and np.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1:
            d = mn.Dot(axes.to_scene([[x, y]])[0], radius=radius, color=color,
                       fill_opacity=0.0 if hollow else 1.0, stroke_width=2.5 if hollow else 1.5,
                       stroke_color=color if hollow else BACKGROUND)
            group.add(d)
    return group


def curve(axes, xs, ys, color=theme.THEORY, dashed: bool = False, stroke_width: float = 3.0) -> mn.VGroup:
    """A polyline through (xs, ys), cut where it leaves the axes; dashed for a theory curve."""
    pts = axes.to_axes(np.c_[np.ravel(xs), np.ravel(ys)])
    group = mn.VGroup()
    for seg, _ in clip_path(pts, axes.bounds).segments:
        if len(seg) < 2:
            continue
        line = mn.VMobject(stroke_color=color, stroke_width=stroke_width)
        line.set_points_as_corners(axes.to_scene(seg))
        group.add(mn.DashedVMobject(line, num_dashes=max(6, int(line.get_arc_length() / 0.16))) if dashed else line)
    return group


def vline(axes, x, color=theme.FOREGROUND, text: str = "", size: float = 18, dashed: bool = True,
          stroke_width: float = 2.5) -> mn.VGroup:
    """A vertical reference line at data x across the axes, with an optional label at its top."""
    (_, _), (y0, y1) = axes.bounds
    xa = axes.to_axes([[x, 1.0]])[0, 0]
    a, b = axes.to_scene([[xa, y0]])[0], axes.to_scene([[xa, y1]])[0]
    line = mn.Line(a, b, color=color, stroke_width=stroke_width)
    g = mn.VGroup(mn.DashedLine(a, b, color=color, stroke_width=stroke_width) if dashed else line)
    if text:
        g.add(label_text(text, size=size, color=color).next_to(b, mn.UP, buff=0.06))
    return g


def hline(axes, y, color=theme.FOREGROUND, text: str = "", size: float = 18, dashed: bool = True,
          stroke_width: float = 2.5, side=mn.RIGHT) -> mn.VGroup:
    """A horizontal reference line at data y across the axes, label inside at one end."""
    (x0, x1), _ = axes.bounds
    ya = axes.to_axes([[1.0, y]])[0, 1]
    a, b = axes.to_scene([[x0, ya]])[0], axes.to_scene([[x1, ya]])[0]
    g = mn.VGroup(mn.DashedLine(a, b, color=color, stroke_width=stroke_width) if dashed
                  else mn.Line(a, b, color=color, stroke_width=stroke_width))
    if text:
        end = b if side is mn.RIGHT else a
        t = label_text(text, size=size, color=color).next_to(end, mn.UP, buff=0.06)
        t.align_to(end, side)
        g.add(t)
    return g


class FadingTail(mn.VGroup):
    """A moving dot with its last `length` positions as a fading polyline, following a step
    tracker: no long trail to bury the picture. Points outside the axes are dropped."""

    def __init__(self, axes, points, tracker, color=theme.FOREGROUND, length: int = 25, radius: float = 0.06,
                 stroke_width: float = 2.0):
        super().__init__()
        self.axes, self.tracker, self.length = axes, tracker, int(length)
        self.pts = axes.to_axes(np.asarray(points, float))
        self.col, self.radius, self.sw = mn.ManimColor(color), radius, stroke_width
        self.add_updater(lambda mob: mob._redraw())
        self._redraw()

    def _redraw(self):
        k = int(np.clip(np.floor(self.tracker.get_value() + 1e-9), 0, len(self.pts) - 1))
        (x0, x1), (y0, y1) = self.axes.bounds
        seg = self.pts[max(0, k - self.length):k + 1]
        ok = (seg[:, 0] >= x0) & (seg[:, 0] <= x1) & (seg[:, 1] >= y0) & (seg[:, 1] <= y1)
        parts = []
        sc = self.axes.to_scene(seg) if len(seg) else np.zeros((0, 3))
        n = len(seg)
        for i in range(n - 1):
            if ok[i] and ok[i + 1]:
                a = (i + 1) / max(n - 1, 1)
                parts.append(mn.Line(sc[i], sc[i + 1], color=self.col, stroke_width=self.sw,
                                     stroke_opacity=0.15 + 0.85 * a))
        if n and ok[-1]:
            parts.append(mn.Dot(sc[-1], radius=self.radius, color=self.col, stroke_width=1.5,
                                stroke_color=BACKGROUND))
        self.submobjects = parts
        return self
