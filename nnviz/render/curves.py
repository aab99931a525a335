"""Static data drawings on `LabelledAxes` for the lecture scenes: polylines, shaded x-spans,
bar charts with signed colours. Data in data units; nothing here computes a fact — the
values come from records.
"""
from __future__ import annotations

import manim as mn
import numpy as np

from .style import FOREGROUND, GRID, MUTED, color, text


def polyline(ax, x, y, col=FOREGROUND, width: float = 3.0, dashed: bool = False, opacity: float = 1.0,
             num_dashes: int = 24, max_points: int | None = 240):
    """A curve through (x, y) in ax's data units (log y handled by the axes). Points outside the
    y range or non-finite cut the curve (never clamped: a clamp would draw a different function).
    Smooth curves are thinned to about `max_points` (ends kept; animations copy every point);
    pass None for curves whose exact corners matter (a staircase)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if max_points is not None and len(x) > max_points:
        keep = np.unique(np.r_[np.linspace(0, len(x) - 1, max_points).round().astype(int), len(x) - 1])
        x, y = x[keep], y[keep]
    ok = np.isfinite(x) & np.isfinite(y) & ((y > 0) if ax.log_y else True)
    ya = np.full_like(y, np.nan)
    ya[ok] = np.log10(y[ok]) if ax.log_y else y[ok]
    lo, hi = ax.bounds[1]
    ok &= (ya >= lo - 1e-9) & (ya <= hi + 1e-9)
    col = color(col) if isinstance(col, str) else col
    group = mn.VGroup()
    i, n = 0, len(x)
    while i < n:
        if not ok[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and ok[j + 1]:
            j += 1
        if j > i:
            pts = np.array([ax.axes.c2p(a, b) for a, b in zip(x[i:j + 1], ya[i:j + 1])])
            line = mn.VMobject(stroke_color=col, stroke_width=width, stroke_opacity=opacity)
            line.set_points_as_corners(pts)
            group.add(mn.DashedVMobject(line, num_dashes=num_dashes, dashed_ratio=0.55) if dashed else line)
        i = j + 1
    return group


def shade_spans(ax, x, mask, col, opacity: float = 0.35):
    """Rectangles over the runs of x where mask is true, full axes height."""
    x, mask = np.asarray(x, float), np.asarray(mask, bool)
    out = mn.VGroup()
    y0, y1 = ax.bounds[1]
    i, n = 0, len(x)
    while i < n:
        if mask[i]:
            j = i
            while j + 1 < n and mask[j + 1]:
                j += 1
            a, b = ax.axes.c2p(x[i], y0), ax.axes.c2p(x[j], y1)  # bounds are axis coordinates
            r = mn.Rectangle(width=max(b[0] - a[0], 0.01), height=b[1] - a[1], stroke_width=0,
                             fill_color=color(col), fill_opacity=opacity)
            r.move_to((a + b) / 2)
            out.add(r)
            i = j + 1
        else:
            i += 1
    return out


class Bars(mn.VGroup):
    """A fixed-size bar chart: bars up for positive values, down for negative ones (when `signed`),
    a baseline, category labels underneath. Its size never depends on the values, so layouts
    stay put while `set_values` rewrites the bars in place (safe inside an updater). `ticks`: values
    labelled on a scale at the left with faint grid lines (e.g. (0, 0.5, 1) for probabilities)."""

    def __init__(self, values, width: float = 4.0, height: float = 2.0, colors=None, labels=None,
                 vmax: float | None = None, signed: bool | None = None, font_size: float = 24, ticks=None,
                 tick_format: str = "{:g}"):
        super().__init__()
        v = np.asarray(values, float)
        self.n = len(v)
        self.signed = bool((v < 0).any()) if signed is None else signed
        self.vmax = float(vmax if vmax is not None else max(np.abs(v).max(), 1e-12))
        # not self.width/height: those are manim properties (the group's drawn size, which grows with
        # tall bars and labels) — reading them back made every redraw taller than the last
        self.box_width, self.box_height = width, height
        step = width / self.n
        self.frame = mn.Rectangle(width=width, height=height, stroke_opacity=0, fill_opacity=0)
        self.add(self.frame)
        self.base_y = 0.0 if self.signed else -height / 2
        self.xs = np.array([i * step - width / 2 + step / 2 for i in range(self.n)])
        self.rects = mn.VGroup()
        for i in range(self.n):
            c = colors[i] if colors is not None else FOREGROUND
            self.rects.add(mn.Rectangle(width=step * 0.7, height=0.01, stroke_width=0,
                                        fill_color=color(c) if isinstance(c, str) else c, fill_opacity=0.95))
        self.add(self.rects)
        self.baseline = mn.Line([-width / 2, self.base_y, 0], [width / 2, self.base_y, 0], color=MUTED, stroke_width=2)
        self.add(self.baseline)
        self.scale = mn.VGroup()
        if ticks is not None:
            full = height / 2 if self.signed else height
            for t in ticks:
                y = self.base_y + float(t) / self.vmax * full
                self.scale.add(mn.Line([-width / 2, y, 0], [width / 2, y, 0], color=GRID, stroke_width=1.5),
                               text(tick_format.format(t), size=font_size, color=MUTED)
                               .next_to([-width / 2, y, 0], mn.LEFT, buff=0.12))
            self.add_to_back(self.scale)
        self.labels = mn.VGroup()
        if labels is not None:
            for x, s in zip(self.xs, labels):
                self.labels.add(text(str(s), size=font_size, color=MUTED).move_to([x, -height / 2 - 0.26, 0]))
            self.add(self.labels)
        self.set_values(v)

    def heights(self, values) -> tuple[np.ndarray, np.ndarray]:
        v = np.asarray(values, float)
        full = self.box_height / 2 if self.signed else self.box_height
        h = np.maximum(np.minimum(np.abs(v) / self.vmax, 1.0) * full, 0.004)
        return h, np.where(v >= 0, h / 2, -h / 2)

    def tween(self, values, **kw) -> mn.Animation:
        """An animation from the drawn values to `values` that rewrites the bars in place (no copy of
        the chart, unlike `.animate`: its labels are Text, costly to copy)."""
        old, new = self.values.copy(), np.asarray(values, float)
        return mn.UpdateFromAlphaFunc(self, lambda m, a: m.set_values(old + (new - old) * a), **kw)

    def set_values(self, values):
        self.values = np.asarray(values, float)
        h, off = self.heights(values)
        base = self.baseline.get_center()[1]
        for r, x, hh, oo in zip(self.rects, self.xs, h, off):
            r.stretch_to_fit_height(hh)
            r.move_to([self.frame.get_center()[0] + x, base + oo, 0])
        return self
