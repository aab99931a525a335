"""The 2-D input plane as images: a network's decision boundary (P(class 1) as a heatmap
with the data on top) and its hidden units' feature maps, one tile per unit.

Cairo's cost is per ImageMobject, not per pixel (bench/bench_network.py), so every plane is
one image whose pixels are swapped in place per frame; RGBA helpers turn recorded grids
into those pixels (`boundary_rgba`, `signed_rgba`); `frame_index` maps a training step to
the recorded frame showing it.
"""
from __future__ import annotations

import numpy as np
from manim import Dot, Group, ImageMobject, Line, Polygon, RESAMPLING_ALGORITHMS, Rectangle, VGroup, VMobject

from .. import theme

def _rgb(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def boundary_rgba(prob: np.ndarray, low=theme.CLASS[0], high=theme.CLASS[1],
                  background=theme.BACKGROUND, floor=0.18, gain=0.62) -> np.ndarray:
    """P(class 1) grid (ny, nx) → RGBA image rows top-down: the class colour of the side
    the network chooses, brighter the surer it is; the boundary (p = 0.5) stays dark."""
    p = np.asarray(prob, dtype=float)
    conf = np.abs(p - 0.5) * 2.0
    bg, lo, hi = _rgb(background), _rgb(low), _rgb(high)
    col = np.where(p[..., None] >= 0.5, hi, lo)
    rgb = bg + (col - bg) * (floor + gain * conf[..., None])
    rgba = np.concatenate([rgb, np.full(p.shape + (1,), 255.0)], axis=-1)
    return np.ascontiguousarray(rgba[::-1].round().astype(np.uint8))


def signed_rgba(values: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """A hidden unit's activation map: POSITIVE where > 0, NEGATIVE where < 0."""
    v = np.clip(np.asarray(values, dtype=float) / scale, -1, 1)
    bg = _rgb(theme.BACKGROUND)
    col = np.where(v[..., None] >= 0, _rgb(theme.POSITIVE), _rgb(theme.NEGATIVE))
    rgb = bg + (col - bg) * np.abs(v)[..., None]
    rgba = np.concatenate([rgb, np.full(v.shape + (1,), 255.0)], axis=-1)
    return np.ascontiguousarray(rgba[::-1].round().astype(np.uint8))


class DecisionPlane(Group):
    """The 2-D input plane: a heatmap image (an ImageMobject, ≈25× faster under Cairo than
    one square per cell), a frame and the data points coloured by class.

    `to_scene(x, y)` maps data coordinates to the frame; `set_prob(grid)` swaps the pixels
    in place, so a training animation only changes an array per frame.
    """

    def __init__(self, xs, ys, X=None, labels=None, size=3.6, dot_radius=0.045, prob=None, **kw):
        super().__init__(**kw)
        self.xs, self.ys = np.asarray(xs, float), np.asarray(ys, float)
        self.size = size
        self.frame = Rectangle(width=size, height=size, color=theme.MUTED, stroke_width=1.5)
        init = np.full((len(self.ys), len(self.xs)), 0.5) if prob is None else prob
        self.image = ImageMobject(boundary_rgba(init))
        self.image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
        self.image.stretch_to_fit_width(size).stretch_to_fit_height(size)
        self.prob = np.asarray(init)
        self.add(self.image, self.frame)
        self.dots = VGroup()
        if X is not None:
            self.add_points(X, labels, dot_radius)
        self.add(self.dots)

    def to_scene(self, x, y) -> np.ndarray:
        c = self.frame.get_center()
        u = (np.asarray(x, float) - self.xs[0]) / (self.xs[-1] - self.xs[0]) - 0.5
        v = (np.asarray(y, float) - self.ys[0]) / (self.ys[-1] - self.ys[0]) - 0.5
        return np.stack([c[0] + u * self.size, c[1] + v * self.size, np.zeros_like(u)], axis=-1)

    def add_points(self, X, labels, radius=0.045, stroke=theme.FOREGROUND, stroke_width=1.6) -> "DecisionPlane":
        """Data points in their class colour with a light outline, so a point still reads on the
        heatmap of its own class (the outline is what separates it from the background)."""
        X = np.asarray(X, float)
        for (x, y), lab in zip(X, np.asarray(labels).reshape(-1)):
            d = Dot(self.to_scene(x, y), radius=radius, color=theme.CLASS[int(lab)])
            d.set_stroke(stroke, width=stroke_width, opacity=1.0)
            d.label = int(lab)
            self.dots.add(d)
        return self

    def set_prob(self, prob) -> "DecisionPlane":
        self.prob = np.asarray(prob)
        self.image.pixel_array = boundary_rgba(self.prob)
        return self

    def follow(self, tracker, probs, steps) -> "DecisionPlane":
        """Show probs[k] for the recorded frame k at the tracker's training step. The updater
        sits on the image itself: a mobject without one is drawn once into manim's static
        background at the start of a play and would never change."""
        self.image.add_updater(lambda m: self.set_prob(probs[frame_index(steps, tracker.get_value())]))
        return self

    def unfollow(self) -> "DecisionPlane":
        self.image.clear_updaters()
        return self

    def contour(self, prob, level: float = 0.5, color=theme.FOREGROUND, width: float = 3.0) -> VGroup:
        """The line prob = `level` (the decision boundary at 0.5) over the plane, as polylines through
        the grid (linear interpolation between cells)."""
        import contourpy

        gen = contourpy.contour_generator(self.xs, self.ys, np.asarray(prob, float), line_type="Separate")
        out = VGroup()
        for seg in gen.lines(level):
            if len(seg) >= 2:
                out.add(VMobject(stroke_color=color, stroke_width=width).set_points_as_corners(
                    self.to_scene(seg[:, 0], seg[:, 1])))
        return out

    def _nothing(self) -> VMobject:
        """An invisible stand-in with points, so `become` clears what was drawn before."""
        c = self.frame.get_center()
        return Line(c, c + [1e-4, 0, 0], stroke_opacity=0.0, stroke_width=0).set_fill(opacity=0.0)

    def line(self, w, b, color=theme.FOREGROUND, width=3.0) -> Line | VMobject:
        """The line w·x + b = 0 clipped to the plane (an empty VMobject when it misses it)."""
        from ..perceptron import line_in_box

        seg = line_in_box(w, b, (self.xs[0], self.xs[-1], self.ys[0], self.ys[-1]))
        if seg is None:
            return self._nothing()
        a, e = self.to_scene(*seg[0]), self.to_scene(*seg[1])
        return Line(a, e, color=color, stroke_width=width)

    def half_plane(self, w, b, color=theme.CLASS[1], opacity=0.18) -> VMobject:
        """The side w·x + b ≥ 0 (predicted class 1), shaded."""
        from ..perceptron import halfplane_polygon

        poly = halfplane_polygon(w, b, (self.xs[0], self.xs[-1], self.ys[0], self.ys[-1]))
        if len(poly) < 3:
            return self._nothing()
        pts = self.to_scene(poly[:, 0], poly[:, 1])
        return Polygon(*pts, stroke_width=0).set_fill(color, opacity=opacity)


def flip_progress(steps, prob) -> "Progress":
    """Cumulative count of grid cells whose predicted class changed between consecutive frames."""
    from .pacing import Progress

    cls = np.asarray(prob, float) >= 0.5
    return Progress(np.asarray(steps, float),
                    np.concatenate([[0.0], np.cumsum((cls[1:] != cls[:-1]).sum(axis=(1, 2)))]))


def colour_progress(steps, prob) -> "Progress":
    """Cumulative change of the drawn heatmap (mean |ΔRGB| of `boundary_rgba` between consecutive
    frames): what the eye sees move, including a boundary sharpening as the net grows sure, which
    class flips alone do not count."""
    from .pacing import Progress

    img = [boundary_rgba(p)[..., :3].astype(float) for p in prob]
    d = [np.abs(b - a).mean() for a, b in zip(img[:-1], img[1:])]
    return Progress(np.asarray(steps, float), np.concatenate([[0.0], np.cumsum(d)]))


def learning_progress(run, end: float | None = None) -> "Progress":
    """What a student reads as learning, up to step `end`: the mean of the normalised rise of the
    training accuracy (the readout; its running best) and the normalised fall of the log-loss
    (the log-axis loss curve). Unlike cell flips, a straight boundary sweeping across the plane
    while accuracy stays near chance adds almost nothing here."""
    from .pacing import Progress, combine, loss_progress

    st = np.asarray(run.steps, float)
    end = float(st[-1]) if end is None else float(end)
    loss = np.asarray(run.loss, float)
    lsteps = st[len(st) - len(loss):]                       # the loss of step k is recorded at step k
    lo = loss_progress(loss, lsteps)
    acc = Progress(np.asarray(run.eval_steps, float), np.maximum.accumulate(np.asarray(run.train_acc, float)))
    cut = [Progress(p.steps[p.steps <= end], p.value[p.steps <= end]) for p in (lo, acc)]
    return combine(cut)


class FeatureTiles(Group):
    """One small activation map per shown unit of a hidden layer (blue > 0, red < 0): what
    each hidden unit responds to over the input plane. All tiles live in ONE image (an atlas
    with background-coloured gaps), because Cairo's cost is per ImageMobject (≈7 ms each at
    854×480, bench/bench_network.py), not per pixel."""

    @classmethod
    def on_layer(cls, maps: np.ndarray, diagram, layer: int = 1, side: float | None = None) -> "FeatureTiles":
        """The tiles drawn *as* the neurons of `diagram`'s layer `layer` (TensorFlow-Playground style):
        one vertical atlas whose tiles sit exactly on the units' circles, transparent between them,
        so each unit's map is where the unit is. `side` defaults to the circles' diameter."""
        circles = list(diagram.layers[layer])
        side = side or 2 * diagram.radius
        self = cls.__new__(cls)
        Group.__init__(self)
        self.units = [c.unit for c in circles]
        self.side = side
        ys = np.array([c.get_y() for c in circles])
        self.top = float(ys.max() + side / 2)
        self.px = maps.shape[-1] / side                       # atlas pixels per scene unit
        self.rows = [int(round((self.top - (y + side / 2)) * self.px)) for y in ys]
        self.height_px = int(round((ys.max() - ys.min() + side) * self.px))
        self.image = ImageMobject(self.column(maps))
        self.image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
        self.image.stretch_to_fit_width(side).stretch_to_fit_height(self.height_px / self.px)
        self.image.move_to([circles[0].get_x(), self.top - self.height_px / self.px / 2, 0])
        self.frames = VGroup(*[Rectangle(width=side, height=side, color=theme.NEURON, stroke_width=2)
                               .move_to(c.get_center()) for c in circles])
        self.add(self.image, self.frames)
        self._column = True
        return self

    def column(self, maps: np.ndarray) -> np.ndarray:
        res = maps.shape[-1]
        out = np.zeros((max(self.height_px, res), res, 4), np.uint8)     # alpha 0 between tiles
        for u, r in zip(self.units, self.rows):
            r = min(max(r, 0), out.shape[0] - res)
            out[r:r + res] = signed_rgba(maps[u])
        return out

    def __init__(self, maps: np.ndarray, units, side=0.42, buff=0.06):
        super().__init__()
        self._column = False
        self.units = list(units)
        res = maps.shape[-1]
        self.gap = max(1, int(round(buff / side * res)))
        n = len(self.units)
        self.image = ImageMobject(self.atlas(maps))
        self.image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
        self.image.stretch_to_fit_width(n * side + (n - 1) * buff).stretch_to_fit_height(side)
        left = self.image.get_left()[0]
        self.frames = VGroup(*[Rectangle(width=side, height=side, color=theme.MUTED, stroke_width=1)
                               .move_to([left + side / 2 + k * (side + buff), self.image.get_y(), 0])
                               for k in range(n)])
        self.add(self.image, self.frames)

    def atlas(self, maps: np.ndarray) -> np.ndarray:
        tiles = [signed_rgba(maps[u]) for u in self.units]
        h = tiles[0].shape[0]
        gap = np.zeros((h, self.gap, 4), np.uint8)
        gap[..., :3], gap[..., 3] = _rgb(theme.BACKGROUND).astype(np.uint8), 255
        parts = []
        for k, t in enumerate(tiles):
            parts += [gap, t] if k else [t]
        return np.ascontiguousarray(np.concatenate(parts, axis=1))

    def set_maps(self, maps: np.ndarray) -> "FeatureTiles":
        self.image.pixel_array = self.column(maps) if self._column else self.atlas(maps)
        return self

    def follow(self, tracker, maps, steps) -> "FeatureTiles":
        """An updater on the atlas image showing maps[k] at the tracker's step (see DecisionPlane.follow)."""
        self.image.add_updater(lambda m: self.set_maps(maps[frame_index(steps, tracker.get_value())]))
        return self

    def unfollow(self) -> "FeatureTiles":
        self.image.clear_updaters()
        return self


def frame_index(steps: np.ndarray, step: float) -> int:
    """The recorded frame showing training step `step` (the last one at or before it)."""
    return int(np.clip(np.searchsorted(steps, step + 1e-9, side="right") - 1, 0, len(steps) - 1))
