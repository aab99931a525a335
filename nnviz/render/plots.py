"""Axes with readable tick labels (no TeX), legends, and loss curves that grow with time.

manim's own number labels use MathTex (needs LaTeX); these use theme Text, so a
plot renders on a machine without TeX. A log y axis is a linear manim axis over
log10(y) with 10ⁿ labels: curves are mapped with `to_axes`, clipped to `bounds`
and only then handed to manim (see paths.py).
"""
from __future__ import annotations

import math as _math

import manim as mn
import numpy as np

from .. import theme
from ..errors import ShapeError
from .paths import clip_path
from .style import FOREGROUND, MUTED, SMALL_SIZE, color as theme_color, label as label_text, text
from .widgets import PathTrace, TraceDriven

_SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def nice_ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    """About n round tick values (1, 2, 5 × 10^k spacing) inside [lo, hi]."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return np.array([lo])
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** _math.floor(_math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = _math.ceil(lo / step - 1e-9) * step
    ticks = np.arange(start, hi + step * 1e-6, step)
    return np.round(ticks, 10)


def fmt_tick(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")
    return f"{v:g}"


def _decade(n: float, words=None) -> str:
    """The tick label of a log axis at 10ⁿ: 10ⁿ with a superscript, or `words(10ⁿ)`."""
    return "10" + str(int(n)).translate(_SUPER) if words is None else words(10.0 ** int(n))


def _decades(lo: float, hi: float, most: int = 8) -> np.ndarray:
    """Integer log10 ticks in [lo, hi], every k-th decade so that at most `most` are labelled."""
    d = np.arange(_math.ceil(lo - 1e-9), _math.floor(hi + 1e-9) + 1)
    k = max(1, _math.ceil(len(d) / most))
    return d[(d - d[-1]) % k == 0] if len(d) else d


class LabelledAxes(mn.VGroup):
    """2-D axes with text tick labels, axis names and an optional log10 y axis.

    Data go in data units: `c2p(x, y)` for one point, `to_scene(points)` for many
    (after `to_axes` + clipping, which the plot mobjects do for you).
    """

    def __init__(self, x_range=(0.0, 1.0), y_range=(0.0, 1.0), x_label: str = "", y_label: str = "",
                 log_y: bool = False, width: float = 6.0, height: float = 4.0, n_ticks: int = 5,
                 font_size: float = SMALL_SIZE, color=MUTED, grid: bool = False, frame: str = "corner",
                 x_ticks: int | None = None, log_x: bool = False, y_ticks: int | None = None, ink=None,
                 decades=None, **kwargs):
        """`decades`: how a log axis's tick at 10ⁿ is written, a function of its value (e.g. `lambda v: f"{v:g}"`:
        0.001, 10 — at 854×480 a superscript reads too small); None: 10ⁿ."""
        super().__init__(**kwargs)
        ink = color if ink is None else ink  # tick and axis labels (default: the axis colour)
        words = {} if ink is color else {"color": ink}  # axis names: muted labels unless an ink is given
        x0, x1 = map(float, x_range[:2])
        y0, y1 = map(float, y_range[:2])
        if log_x:
            if x0 <= 0 or x1 <= 0:
                raise ShapeError(f"a log x axis needs a positive x_range, got {(x0, x1)}")
            x0, x1 = _math.log10(x0), _math.log10(x1)
        if log_y:
            if y0 <= 0 or y1 <= 0:
                raise ShapeError(f"a log y axis needs a positive y_range, got {(y0, y1)}")
            y0, y1 = _math.log10(y0), _math.log10(y1)
        if not (x1 > x0 and y1 > y0):
            raise ShapeError(f"axis ranges must increase, got x={x_range}, y={y_range}")
        if frame not in ("corner", "box", "origin"):
            raise ShapeError(f"frame must be 'corner', 'box' or 'origin', got {frame!r}")
        self.log_y, self.log_x = log_y, log_x
        self.bounds = np.array([[x0, x1], [y0, y1]])
        # manim Axes does the mapping; its own lines cross at (0, 0), so unless frame="origin"
        # they are hidden and spines are drawn along the bottom/left (or all four) edges.
        self.axes = mn.Axes(x_range=[x0, x1, (x1 - x0)], y_range=[y0, y1, (y1 - y0)],
                            x_length=width, y_length=height, tips=False,
                            axis_config={"color": color, "stroke_width": 2, "include_ticks": False})
        if frame != "origin":
            self.axes.set_stroke(opacity=0)
        self.add(self.axes)
        c = self.axes.c2p
        self.spines = mn.VGroup()
        if frame in ("corner", "box"):
            corners = [c(x0, y0), c(x1, y0), c(x1, y1), c(x0, y1)]
            if frame == "box":
                self.spines.add(mn.Polygon(*corners, color=color, stroke_width=2))
            else:
                self.spines.add(mn.Line(corners[0], corners[1], color=color, stroke_width=2),
                                mn.Line(corners[0], corners[3], color=color, stroke_width=2))
        self.add(self.spines)
        self.ticks = mn.VGroup()
        self.tick_labels = mn.VGroup()
        self.grid = mn.VGroup()
        xt = (_decades(x0, x1, x_ticks or 8) if log_x
              else nice_ticks(x0, x1, n_ticks if x_ticks is None else x_ticks))  # fewer on narrow plots
        yt = (_decades(y0, y1, y_ticks or 8) if log_y else nice_ticks(y0, y1, y_ticks or n_ticks))
        grid_color = theme_color(theme.GRID)
        for v in xt:
            p = c(v, y0)
            self.ticks.add(mn.Line(p, p + 0.08 * mn.DOWN, color=color, stroke_width=2))
            xs = _decade(v, decades) if log_x else fmt_tick(v)
            self.tick_labels.add(text(xs, size=font_size, color=ink).next_to(p, mn.DOWN, buff=0.14))
            if grid:
                self.grid.add(mn.Line(p, c(v, y1), color=grid_color, stroke_width=1))
        for v in yt:
            p = c(x0, v)
            s = _decade(v, decades) if log_y else fmt_tick(v)
            self.ticks.add(mn.Line(p, p + 0.08 * mn.LEFT, color=color, stroke_width=2))
            self.tick_labels.add(text(s, size=font_size, color=ink).next_to(p, mn.LEFT, buff=0.14))
            if grid:
                self.grid.add(mn.Line(p, c(x1, v), color=grid_color, stroke_width=1))
        self.add_to_back(self.grid)
        self.add(self.ticks, self.tick_labels)
        self.x_label = self.y_label = None
        if x_label:
            self.x_label = label_text(x_label, size=font_size, **words).next_to(self.tick_labels, mn.DOWN, buff=0.12)
            self.x_label.match_x(self.spines if len(self.spines) else self.axes)
            self.add(self.x_label)
        if y_label:
            self.y_label = label_text(y_label, size=font_size, **words).rotate(_math.pi / 2)
            self.y_label.next_to(self.tick_labels, mn.LEFT, buff=0.12).match_y(self.axes)
            self.add(self.y_label)

    # --- coordinates -------------------------------------------------------
    def to_axes(self, points) -> np.ndarray:
        """Data (x, y) → axis coordinates (log10 on a log axis; ≤ 0 → -inf, NaN stays NaN)."""
        p = np.array(points, dtype=float, ndmin=2)
        for col, on in ((0, getattr(self, "log_x", False)), (1, self.log_y)):
            if on:
                y = p[:, col]
                with np.errstate(divide="ignore", invalid="ignore"):
                    p[:, col] = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)),
                                         np.where(np.isnan(y), np.nan, -np.inf))
        return p

    def to_scene(self, axes_points) -> np.ndarray:
        """Axis coordinates (M, 2) → scene points (M, 3). Only pass finite, clipped points."""
        p = np.asarray(axes_points, dtype=float)
        return np.asarray(self.axes.c2p(*p.T)).reshape(3, -1).T

    def c2p(self, x: float, y: float) -> np.ndarray:
        """One data point → scene point (raises on non-finite input instead of passing it to manim)."""
        q = self.to_axes([[x, y]])[0]
        if not np.all(np.isfinite(q)):
            raise ShapeError(f"cannot place non-finite point ({x}, {y}) on the axes")
        return self.to_scene(q[None])[0]


class Legend(mn.VGroup):
    """Swatches with names, one row each: `Legend({"sgd": c1, "adam": c2})` or a list of (name, colour)."""

    def __init__(self, entries, kind: str = "line", font_size: float = SMALL_SIZE, text_color=FOREGROUND,
                 direction=mn.DOWN, buff: float = 0.18, **kwargs):
        super().__init__(**kwargs)
        items = list(entries.items()) if isinstance(entries, dict) else list(entries)
        self.rows: dict[str, mn.VGroup] = {}
        for name, col in items:
            col = theme_color(col) if isinstance(col, str) else col
            if kind == "line":
                sw = mn.Line(mn.ORIGIN, 0.4 * mn.RIGHT, color=col, stroke_width=5)
            elif kind == "dot":
                sw = mn.Dot(radius=0.08, color=col)
            elif kind == "box":
                sw = mn.Square(0.22, color=col, fill_color=col, fill_opacity=1.0, stroke_width=0)
            else:
                raise ShapeError(f"unknown legend kind {kind!r}; valid: line, dot, box")
            row = mn.VGroup(sw, text(str(name), size=font_size, color=text_color)).arrange(mn.RIGHT, buff=0.15)
            self.rows[str(name)] = row
            self.add(row)
        if items:
            self.arrange(direction, aligned_edge=mn.LEFT, buff=buff)


class LossCurve(TraceDriven, mn.VGroup):
    """One loss curve on `axes`, drawn up to the step held by `tracker` (a ValueTracker of steps).

    Values below the axis floor are clamped to it (convergence is not divergence);
    NaN/inf or values above the top cut the curve and show a "diverges" marker.
    """

    def __init__(self, axes: LabelledAxes, values, steps=None, color=FOREGROUND, stroke_width: float = 3.0,
                 tracker: mn.ValueTracker | None = None, head: bool = True, diverged_at: int = -1,
                 max_points: int = 800, marker_text: str = "diverges", **kwargs):

        super().__init__(**kwargs)
        v = np.asarray(values, dtype=float).ravel()
        s = np.arange(len(v), dtype=float) if steps is None else np.asarray(steps, dtype=float).ravel()
        if s.shape != v.shape or v.size == 0:
            raise ShapeError(f"values and steps must be equal-length, non-empty 1-D arrays ({v.shape} vs {s.shape})")
        if v.size > max_points:
            keep = np.unique(np.r_[np.linspace(0, v.size - 1, max_points).astype(int), _first_bad(v)])
            v, s = v[keep], s[keep]
        pts = axes.to_axes(np.c_[s, v])
        lo = axes.bounds[1, 0]
        with np.errstate(invalid="ignore"):
            pts[:, 1] = np.where(np.isneginf(pts[:, 1]) | (pts[:, 1] < lo), lo, pts[:, 1])
        self.axes = axes
        self.trace = PathTrace(clip_path(pts, axes.bounds, steps=s), axes.to_scene, color=color,
                               stroke_width=stroke_width, tracker=tracker, head=head,
                               diverged=diverged_at >= 0, marker_text=marker_text, bounds=axes.bounds)
        self.tracker = self.trace.tracker
        self.add(self.trace)


    @property
    def last_step(self) -> float:
        return self.trace.last_step


def _sane(v: np.ndarray) -> np.ndarray:
    """Values worth fitting the y range to: a blow-up past 10x the starting loss is left
    off-axis (its curve then leaves the plot with a "diverges" marker)."""
    f = v[np.isfinite(v)]
    if f.size == 0:
        return f
    cap = 10 * abs(f[0]) if f[0] != 0 else np.inf
    return f[np.abs(f) <= cap]


def _first_bad(v: np.ndarray) -> np.ndarray:
    bad = np.flatnonzero(~np.isfinite(v))
    return bad[:1]


class LossPlot(mn.VGroup):
    """Axes + several loss curves + legend, sharing one step tracker.

    `LossPlot({"sgd": run.loss, ...}, colors={"sgd": ...}, log_y=True)`; animate with
    `plot.reset()` then `self.play(plot.grow(run_time=3))`.
    """

    def __init__(self, series: dict, colors: dict | None = None, steps: dict | None = None,
                 log_y: bool = False, x_label: str = "step", y_label: str = "loss",
                 y_range=None, width: float = 6.0, height: float = 4.0, legend: bool | str = True,
                 tracker: mn.ValueTracker | None = None, diverged_at: dict | None = None,
                 x_ticks: int | None = None, x_range=None, log_x: bool = False, font_size: float = SMALL_SIZE,
                 y_ticks: int | None = None, ink=None, decades=None, **kwargs):
        """`decades`: how a log axis writes its ticks (`LabelledAxes`)."""
        super().__init__(**kwargs)
        if not series:
            raise ShapeError("LossPlot needs at least one series")
        colors = colors or {}
        steps = steps or {}
        arrays = {k: np.asarray(v, dtype=float).ravel() for k, v in series.items()}
        st = {k: (np.arange(len(v), dtype=float) if k not in steps else np.asarray(steps[k], float)) for k, v in arrays.items()}
        last = max(float(s[-1]) for s in st.values() if s.size)
        y_range = y_range or auto_y_range(np.concatenate([_sane(v) for v in arrays.values()]), log_y)
        cols = {k: colors.get(k) or theme_color("class", i) for i, k in enumerate(arrays)}
        self.legend = None
        place = None
        axes_w, axes_h = width, height
        if legend and (len(arrays) > 1 or colors):
            # the legend stays inside `width`: right of the axes when they keep ≥ 65 % of the width,
            # else in rows below them; legend="outside" keeps the axes at `width` with the legend beyond
            self.legend = Legend(cols, font_size=font_size)
            place = "outside" if legend == "outside" else "right"
            if place == "right" and width - self.legend.width - 0.3 < 0.65 * width:
                place = "below"
                self.legend = _row_legend(cols, font_size)
                if self.legend.width > width:
                    self.legend = _wrap_legend(cols, width, font_size)
                axes_h = max(height - self.legend.height - 0.25, 0.5 * height)
            elif place == "right":
                axes_w = width - self.legend.width - 0.3

        if x_range is None and log_x:  # from the smallest positive x (x ≤ 0 has no place on a log axis)
            pos = np.concatenate([s[s > 0] for s in st.values()])
            x_range = (10 ** _math.floor(np.log10(pos.min())), 10 ** _math.ceil(np.log10(last)))

        def make_axes(w, h):
            return LabelledAxes(x_range or (0, max(last, 1.0)), y_range, x_label, y_label, log_y=log_y,
                                width=w, height=h, x_ticks=x_ticks, log_x=log_x, font_size=font_size, y_ticks=y_ticks,
                                ink=ink, decades=decades)

        self.axes = make_axes(axes_w, axes_h)
        target = axes_w
        for _ in range(3):                    # tick and axis labels hang over the axes' own width
            over = self.axes.width - target
            if place not in ("right", "below") or over <= 1e-3:
                break
            axes_w = max(axes_w - over, 0.3 * width)
            self.axes = make_axes(axes_w, axes_h)
        self.tracker = tracker if tracker is not None else mn.ValueTracker(last)  # a Mobject with no children is falsy
        self.curves = {}
        for k, v in arrays.items():
            self.curves[k] = LossCurve(self.axes, v, st[k], color=cols[k], tracker=self.tracker,
                                       diverged_at=(diverged_at or {}).get(k, -1))
        self.add(self.axes, *self.curves.values())
        if place in ("right", "outside"):
            self.legend.next_to(self.axes.axes, mn.RIGHT, buff=0.3).align_to(self.axes.axes, mn.UP)
        elif place == "below":
            self.legend.next_to(self.axes, mn.DOWN, buff=0.25).align_to(self.axes, mn.LEFT)
        if self.legend is not None:
            self.add(self.legend)
        self.last_step = last

    def reset(self):
        self.tracker.set_value(0.0)
        return self

    def grow(self, run_time: float = 3.0, rate_func=mn.linear, **kw) -> mn.Animation:
        return self.tracker.animate(run_time=run_time, rate_func=rate_func, **kw).set_value(self.last_step)


def _row_legend(cols: dict, font_size: float = SMALL_SIZE) -> "Legend":
    """Legend entries side by side (one line)."""
    lg = Legend(cols, font_size=font_size)
    if lg.submobjects:
        lg.arrange(mn.RIGHT, buff=0.35)
    return lg


def _wrap_legend(cols: dict, width: float, font_size: float = SMALL_SIZE) -> "Legend":
    """Legend entries in as many rows as it takes to stay within `width`."""
    rows, row = [], []
    for k, c in cols.items():
        trial = _row_legend(dict(row + [(k, c)]), font_size)
        if row and trial.width > width:
            rows.append(row)
            row = []
        row.append((k, c))
    rows.append(row)
    group = Legend({})
    for r in rows:
        group.add(_row_legend(dict(r), font_size))
    group.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
    group.rows = {k: row for part in group.submobjects for k, row in part.rows.items()}
    if group.width > width:
        group.scale_to_fit_width(width)
    return group


def auto_y_range(values, log_y: bool = False, margin: float = 0.05) -> tuple[float, float]:
    """A y range covering the finite values (positive ones for log axes), with a small margin."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if log_y:
        v = v[v > 0]
        if v.size == 0:
            return (1e-3, 1.0)
        lo, hi = _math.floor(np.log10(v.min())), _math.ceil(np.log10(v.max()))
        return (10.0 ** lo, 10.0 ** max(hi, lo + 1))
    if v.size == 0:
        return (0.0, 1.0)
    lo, hi = float(v.min()), float(v.max())
    lo = min(lo, 0.0) if lo >= 0 else lo
    pad = (hi - lo) * margin or 1.0
    return (lo, hi + pad)
