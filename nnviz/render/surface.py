"""Loss surfaces as manim mobjects: 2-D contour maps and coloured 3-D surfaces.

Why here: every descent scene draws a loss over two coordinates, either as contour
lines in an `Axes` or as a shaded `Surface` in `ThreeDAxes`. Both take gridded
values (a `Surface` record's xs, ys, loss) and sanitise them *before* manim sees
them: non-finite cells are replaced by the top of the clip range (a NaN vertex
crashes Cairo's shading), heights are clipped to `z_range`, and a 3-D surface is
resampled at `resolution` faces per side because Cairo's cost follows face count
(≈0.4–0.7 s a frame at 40×40), not the record's grid size.
"""
from __future__ import annotations

import contourpy
import manim as mn
import numpy as np

from .. import theme


# ---------------------------------------------------------------- numeric helpers
def height_map(Z, log: bool = False, floor: float = 1e-4):
    """The map values → drawn heights fixed by a grid Z, so a surface and the paths on it
    share one scale: identity, or log10(v − min + δ) (δ = `floor` × the range) for losses
    spanning decades; a larger floor flattens valleys narrower than a coarse mesh's cells.
    Non-finite values map to the grid's finite top."""
    Z = np.asarray(Z, float)
    finite = Z[np.isfinite(Z)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    delta = max((hi - lo) * floor, 1e-12)
    positive = lo > 0  # all-positive losses: plain log10, so the axis reads "log₁₀ loss"

    def f(v):
        v = np.asarray(v, float)
        v = np.where(np.isfinite(v), v, hi)
        if not log:
            return v
        if positive:
            return np.log10(np.maximum(v, lo * 1e-3))
        return np.log10(np.maximum(v - lo, 0.0) + delta)
    f.label = ("loss" if not log else "log₁₀ loss" if positive
               else f"log₁₀(loss{'' if lo == 0 else f' − {lo:.3g}'} + {delta:.2g})")
    f.log, f.positive, f.lo, f.delta = bool(log), bool(positive), lo, delta
    f.words = height_words(f)
    return f


def height_words(hmap) -> str:
    """What the height of a surface drawn with `height_map` means, in plain words (no formula)."""
    if not hmap.log:
        return "height = loss"
    if hmap.positive:
        return "height = loss on a log scale: one step up = 10× the loss"
    above = "loss" if hmap.lo == 0 else f"loss above its lowest value here ({hmap.lo:.3g})"
    return f"height = {above} on a log scale (one step up = 10×), flattened below {hmap.delta:.2g}"


def heights(Z, log: bool = False) -> np.ndarray:
    """A grid as drawn (see `height_map`): finite everywhere, log-scaled on request."""
    return height_map(Z, log)(Z)


def bilinear(xs, ys, Z):
    """f(x, y) interpolating Z[j, i] = value at (xs[i], ys[j]); clamps outside the grid."""
    xs, ys, Z = np.asarray(xs, float), np.asarray(ys, float), np.asarray(Z, float)

    def f(x, y):
        i = np.clip(np.searchsorted(xs, x) - 1, 0, len(xs) - 2)
        j = np.clip(np.searchsorted(ys, y) - 1, 0, len(ys) - 2)
        u = np.clip((x - xs[i]) / (xs[i + 1] - xs[i]), 0, 1)
        v = np.clip((y - ys[j]) / (ys[j + 1] - ys[j]), 0, 1)
        return ((1 - u) * (1 - v) * Z[j, i] + u * (1 - v) * Z[j, i + 1]
                + (1 - u) * v * Z[j + 1, i] + u * v * Z[j + 1, i + 1])
    return f


def contour_field(Z, log: bool = False) -> np.ndarray:
    """A field whose equally spaced levels give evenly spread contours: √(Z − min) (evenly
    spaced ellipses for a quadratic bowl) or log10(Z − min + δ) for values spanning decades."""
    Z = heights(Z)  # sanitised, linear
    d = Z - Z.min()
    if log:
        return np.log10(d + max(d.max() * 1e-5, 1e-12))
    return np.sqrt(d)


def contour_paths(xs, ys, Z, levels: int = 12, log: bool = False) -> list[np.ndarray]:
    """Contour polylines (each (m, 2) in data coordinates) of Z at `levels` even steps of
    `contour_field`, lowest level excluded (it is the minimum point)."""
    T = contour_field(Z, log)
    gen = contourpy.contour_generator(x=np.asarray(xs, float), y=np.asarray(ys, float), z=T)
    out = []
    for lv in np.linspace(T.min(), T.max(), levels + 2)[1:-1]:
        out += [ln for ln in gen.lines(lv) if len(ln) >= 2]
    return out


def affine(axes: mn.Axes):
    """Data → scene point map of linear axes, vectorised over (..., 2|3) arrays."""
    o = np.asarray(axes.c2p(*([0] * axes.dimension)), float)
    cols = []
    for k in range(axes.dimension):
        e = [0] * axes.dimension
        e[k] = 1
        cols.append(np.asarray(axes.c2p(*e), float) - o)
    M = np.array(cols)  # (dim, 3)

    def to_points(data):
        data = np.asarray(data, float)
        return o + data[..., :axes.dimension] @ M
    return to_points


# ---------------------------------------------------------------- mobjects
class ContourMap(mn.VGroup):
    """Contour lines of a gridded loss, drawn in an `Axes`' data coordinates."""

    def __init__(self, axes: mn.Axes, xs, ys, Z, levels: int = 12, log: bool = False,
                 color=theme.GRID, stroke_width: float = 1.5, **kw):
        super().__init__(**kw)
        to_pts = affine(axes)
        for ln in contour_paths(xs, ys, Z, levels, log):
            pts = to_pts(ln)
            line = mn.VMobject(stroke_color=color, stroke_width=stroke_width)
            line.set_points_as_corners(pts)
            self.add(line)


def ramp_color(t: float) -> mn.ManimColor:
    """theme.SURFACE_RAMP at t ∈ [0, 1] (low → high)."""
    ramp = [mn.ManimColor(c) for c in theme.SURFACE_RAMP]
    t = float(np.clip(t, 0, 1)) * (len(ramp) - 1)
    k = min(int(t), len(ramp) - 2)
    return mn.interpolate_color(ramp[k], ramp[k + 1], t - k)


class LossSurface(mn.VGroup):
    """A shaded 3-D loss surface over `ThreeDAxes`, coloured low→high by theme.SURFACE_RAMP.

    `H` are heights as drawn (see `heights`), clipped to the axes' z range so nothing
    leaves the box; `resolution` faces per side sets the render cost.
    """

    def __init__(self, axes: mn.ThreeDAxes, xs, ys, H, resolution: int = 24, opacity: float = 0.85,
                 stroke_width: float = 0.3, **kw):
        super().__init__(**kw)
        z0, z1 = axes.z_range[0], axes.z_range[1]
        H = np.clip(np.nan_to_num(np.asarray(H, float), nan=z1, posinf=z1, neginf=z0), z0, z1)
        self.height_at = bilinear(xs, ys, H)
        to_pts = affine(axes)
        surf = mn.Surface(lambda u, v: to_pts(np.array([u, v, self.height_at(u, v)])),
                          u_range=(float(xs[0]), float(xs[-1])), v_range=(float(ys[0]), float(ys[-1])),
                          resolution=(resolution, resolution), fill_opacity=opacity,
                          stroke_width=stroke_width, stroke_color=mn.ManimColor(theme.GRID),
                          checkerboard_colors=False)
        lo, hi = H.min(), H.max()
        zc0, zc1 = to_pts(np.array([0, 0, lo]))[2], to_pts(np.array([0, 0, hi]))[2]
        for face in surf:
            t = (face.get_center()[2] - zc0) / max(zc1 - zc0, 1e-12)
            face.set_fill(ramp_color(t), opacity=opacity)
        self.surface = surf
        self.add(surf)


def until_exit(points, bounds, steps=None):
    """The path up to and including the first point outside `bounds` ((d, 2) low/high), with its
    steps: a diverging run that bounces ever wider across a valley then leaves the frame once,
    with one marker, instead of re-crossing it as a bundle of lines."""
    p = np.asarray(points, float)
    s = np.arange(len(p), dtype=float) if steps is None else np.asarray(steps, float)
    b = np.asarray(bounds, float)
    with np.errstate(invalid="ignore"):
        out = ~(np.isfinite(p).all(axis=1) & (p >= b[:, 0]).all(axis=1) & (p <= b[:, 1]).all(axis=1))
    k = int(np.argmax(out)) if out.any() else len(p) - 1
    return p[:k + 1], s[:k + 1]


def box_axes(x_range, y_range, z_range, x_length: float = 6.5, y_length: float = 6.5,
             z_length: float = 3.2, show: bool = False) -> mn.ThreeDAxes:
    """ThreeDAxes used as a coordinate box: centred on the scene origin (so the camera looks at
    the middle of the surface, not at data (0, 0, 0)), lines hidden unless `show`."""
    (x0, x1), (y0, y1), (z0, z1) = ([float(a), float(b)] for a, b, *_ in (x_range, y_range, z_range))
    z1 = z1 if z1 > z0 else z0 + 1e-9
    axes = mn.ThreeDAxes(x_range=[x0, x1, x1 - x0], y_range=[y0, y1, y1 - y0], z_range=[z0, z1, z1 - z0],
                         x_length=x_length, y_length=y_length, z_length=z_length, tips=False,
                         axis_config={"color": mn.ManimColor(theme.MUTED), "include_ticks": False})
    axes.shift(-np.asarray(axes.c2p((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2)))
    if not show:
        axes.set_stroke(opacity=0)
    return axes
