"""Mobjects driven by a step clock: growing path traces, descent paths, divergence
markers, step counters and readouts.

Convention shared by every time-driven mobject in the kit: a `tracker`
(`ValueTracker`) holds the current *training step* (a float); pass one tracker to
several mobjects to keep them in sync. Mobjects are built fully drawn (tracker at
the last step); `.reset()` rewinds, `.grow(run_time=…)` returns the animation to
the end, `.set_step(s)` jumps. Points are clipped by `paths.clip_path` first, so
manim never sees a NaN/inf or off-frame vertex.
"""
from __future__ import annotations

import manim as mn
import numpy as np

from ..errors import ShapeError
from .paths import Clipped, clip_path
from .style import DIVERGING, FOREGROUND, LABEL_SIZE, SMALL_SIZE, text

_FRAME_MARGIN = 0.25


class DivergenceMarker(mn.VGroup):
    """An arrow pointing where the path left the frame (or a cross where it went NaN), labelled."""

    def __init__(self, point, direction=None, label: str = "diverges", color=DIVERGING,
                 length: float = 0.8, font_size: float = SMALL_SIZE, inward=None, **kwargs):
        super().__init__(**kwargs)
        point = np.asarray(point, dtype=float)
        if direction is not None and np.linalg.norm(direction) > 0:
            d = np.asarray(direction, dtype=float)
            d = d / np.linalg.norm(d)
            self.arrow = mn.Arrow(point - length * d, point, buff=0, color=color, stroke_width=6,
                                  max_tip_length_to_length_ratio=0.4)
            # beside the arrow, not behind it (behind is where the path comes from)
            anchor, side = point - 0.5 * length * d, (mn.UP if abs(d[0]) >= abs(d[1]) else mn.RIGHT)
            if inward is not None and np.linalg.norm(inward[:2]) > 0:
                # `inward` points back into the panel: put the label on that side of the arrow,
                # diagonally off its middle, so it covers neither the arrow nor the panel's edge
                n = np.array([-d[1], d[0], 0.0])
                n = n if n @ np.asarray(inward, float) >= 0 else -n
                side = np.sign(n) * (np.abs(n) > 0.38)
        else:
            s = 0.15
            self.arrow = mn.VGroup(mn.Line(point + s * (mn.UL), point + s * mn.DR, color=color, stroke_width=6),
                                   mn.Line(point + s * mn.UR, point + s * mn.DL, color=color, stroke_width=6))
            anchor, side = point, mn.DOWN
        self.label = text(label, size=font_size, color=color)
        self.label.next_to(anchor, side, buff=0.15)
        _keep_in_frame(self.label)
        self.add(self.arrow, self.label)


def _keep_in_frame(mob: mn.Mobject, margin: float = 0.1) -> mn.Mobject:
    w, h = mn.config.frame_width / 2 - margin, mn.config.frame_height / 2 - margin
    dx = min(0.0, w - mob.get_right()[0]) + max(0.0, -w - mob.get_left()[0])
    dy = min(0.0, h - mob.get_top()[1]) + max(0.0, -h - mob.get_bottom()[1])
    return mob.shift(dx * mn.RIGHT + dy * mn.UP)


class PathTrace(mn.VGroup):
    """A clipped path (`paths.Clipped`) drawn up to the tracker's step, with a head dot and
    a divergence marker that appears when the step reaches the exit."""

    def __init__(self, clipped: Clipped, to_scene, color=FOREGROUND, stroke_width: float = 3.0,
                 tracker: mn.ValueTracker | None = None, head: bool = True, head_radius: float = 0.07,
                 diverged: bool = False, marker_text: str = "diverges", three_d: bool = False,
                 bounds=None, fade: float = 0.0, fade_floor: float = 0.2, n_fade: int = 4,
                 outline=None, **kwargs):
        super().__init__(**kwargs)
        self.clipped = clipped
        self.fade_steps, self.fade_floor = float(fade), float(fade_floor)
        self.to_scene = to_scene
        self.color = mn.ManimColor(color)
        steps = [s for _, s in clipped.segments]
        self.first_step = float(steps[0][0]) if steps else 0.0
        self.last_step = float(steps[-1][-1]) if steps else 0.0
        self.tracker = tracker if tracker is not None else mn.ValueTracker(self.last_step)
        # a fading trail: the old part faint (fade_floor), the last `fade` steps in n_fade pieces
        # growing to full opacity at the head; all pieces exist from the start (see the hazard note)
        self.line = mn.VMobject(stroke_color=self.color, stroke_width=stroke_width,
                                stroke_opacity=self.fade_floor if self.fade_steps > 0 else 1.0)
        self.recent = [mn.VMobject(stroke_color=self.color, stroke_width=stroke_width,
                                   stroke_opacity=self.fade_floor + (1 - self.fade_floor) * (i + 1) / n_fade)
                       for i in range(n_fade if self.fade_steps > 0 else 0)]
        self.add(self.line, *self.recent)
        self.head = None
        if head and not clipped.empty:
            self.head = (mn.Dot3D(radius=head_radius, color=self.color, resolution=(6, 6)) if three_d
                         else mn.Dot(radius=head_radius, color=self.color))
            if outline is not None and not three_d:  # a dark ring so the head reads on any background
                self.head.set_stroke(mn.ManimColor(outline), width=2.5, opacity=1.0)
            self.add(self.head)
        self.marker = None
        self.marker_step = np.inf
        ex = clipped.exit
        if ex is not None:
            p, d, self.marker_step = ex.point, ex.direction, ex.step
            label = marker_text if ex.reason == "left" else f"{marker_text} (NaN)"
        elif diverged and not clipped.empty:
            p, d, self.marker_step, label = clipped.segments[-1][0][-1], None, self.last_step, marker_text
        if ex is not None or (diverged and not clipped.empty):
            sp = to_scene(np.asarray(p)[None])[0]
            sd = None
            if d is not None:
                q = to_scene((np.asarray(p) - 1e-3 * np.asarray(d))[None])[0]
                sd = sp - q if np.linalg.norm(sp - q) > 0 else None
            inward = None
            if bounds is not None and not three_d:
                inward = to_scene(np.asarray(bounds, float).mean(axis=1)[None])[0] - sp
            self.marker = DivergenceMarker(sp, sd, label=label, length=marker_length(bounds, to_scene),
                                           inward=inward)
            self.add(self.marker)
        self._drawn = None
        self._update(self)
        self.add_updater(self._update)

    def _update(self, _mob):
        step = float(self.tracker.get_value())
        if step == self._drawn:
            return
        self._drawn = step
        pieces = self.clipped.upto(step)
        if self.fade_steps > 0:
            cut = step - self.fade_steps
            old = self.clipped.between(self.first_step, cut) if cut > self.first_step else []
            self._draw(self.line, old)
            n = len(self.recent)
            for i, mob in enumerate(self.recent):
                lo = max(self.first_step, step - self.fade_steps * (n - i) / n)
                hi = step - self.fade_steps * (n - i - 1) / n
                self._draw(mob, self.clipped.between(lo, hi) if hi > lo else [])
        else:
            self._draw(self.line, pieces)
        if self.head is not None:
            pos = self.clipped.position(step)
            if pos is None and pieces:
                # past the exit: rest on the marker; past the end of a path that stayed in view
                # (e.g. a tracker driven to the run's last θ step, one past the last loss value):
                # rest on its last point instead of vanishing on the final frame
                ended = self.clipped.exit is None and self.marker is None and step >= self.last_step
                pos = pieces[-1][-1] if step >= self.marker_step or ended else None
            if pos is None:
                self.head.set_opacity(0)
            else:
                self.head.move_to(self.to_scene(np.asarray(pos)[None])[0]).set_opacity(1)
        if self.marker is not None:
            # toggled by opacity, not add/remove, so it moves with the group when shifted
            self.marker.set_opacity(1.0 if step >= self.marker_step else 0.0)

    def _draw(self, line, pieces):
        line.clear_points()
        for piece in pieces:
            if len(piece) < 2:
                continue
            sc = self.to_scene(piece)
            line.start_new_path(sc[0])
            line.add_points_as_corners(sc[1:])

    def set_step(self, step: float):
        self.tracker.set_value(step)
        self._update(self)
        return self

    def reset(self):
        return self.set_step(self.first_step)

    def pin_labels(self, scene):
        """In a ThreeDScene, keep the marker's label facing the camera."""
        if self.marker is not None:
            scene.add_fixed_orientation_mobjects(self.marker.label)
        return self

    def grow(self, run_time: float = 3.0, rate_func=mn.linear, **kw) -> mn.Animation:
        return self.tracker.animate(run_time=run_time, rate_func=rate_func, **kw).set_value(self.last_step)


def marker_length(bounds, to_scene, longest: float = 0.8, share: float = 0.22) -> float:
    """Arrow length for a divergence marker: `longest`, or less in a small panel
    (a fixed 0.8 would cover a third of a 2-unit-wide contour panel)."""
    if bounds is None:
        return longest
    b = np.asarray(bounds, dtype=float)
    lo, hi = to_scene(b[:, 0][None])[0], to_scene(b[:, 1][None])[0]
    ext = np.abs(hi - lo)[:2]
    ext = ext[ext > 0]
    return float(min(longest, share * ext.min())) if ext.size else longest


def frame_of(axes, dim: int, bounds=None):
    """(bounds in axis coordinates, data→axis map, axis→scene map) for `axes`:
    a LabelledAxes, any manim CoordinateSystem (Axes, NumberPlane, ThreeDAxes), or None
    (scene coordinates, bounded by the camera frame minus a margin)."""
    if axes is None:
        if bounds is None:
            w, h = mn.config.frame_width / 2 - _FRAME_MARGIN, mn.config.frame_height / 2 - _FRAME_MARGIN
            bounds = [[-w, w], [-h, h]] + ([[-h, h]] if dim == 3 else [])

        def to_scene(p):
            p = np.asarray(p, dtype=float)
            return np.c_[p, np.zeros((len(p), 3 - p.shape[1]))] if p.shape[1] < 3 else p[:, :3]
        return np.asarray(bounds, float), (lambda p: np.asarray(p, float)), to_scene
    if hasattr(axes, "to_axes") and hasattr(axes, "bounds"):
        if dim != 2:
            raise ShapeError(f"LabelledAxes is 2-D; got {dim}-D points")
        return np.asarray(bounds if bounds is not None else axes.bounds, float), axes.to_axes, axes.to_scene
    if isinstance(axes, mn.CoordinateSystem):
        ranges = [axes.x_range, axes.y_range] + ([axes.z_range] if dim == 3 else [])
        if dim == 3 and not hasattr(axes, "z_range"):
            raise ShapeError("3-D points need a ThreeDAxes")
        b = np.asarray(bounds if bounds is not None else [r[:2] for r in ranges], float)

        def to_scene(p):
            p = np.asarray(p, dtype=float)
            return np.asarray(axes.c2p(*p.T)).reshape(3, -1).T
        return b, (lambda p: np.asarray(p, float)), to_scene
    raise ShapeError(f"axes must be a LabelledAxes, a manim CoordinateSystem or None, not {type(axes).__name__}")


class TraceDriven:
    """Step-clock methods of a mobject that draws through a `PathTrace` in `self.trace`."""

    def set_step(self, step: float):
        self.trace.set_step(step)
        return self

    def reset(self):
        self.trace.reset()
        return self

    def grow(self, **anim_kwargs) -> mn.Animation:
        return self.trace.grow(**anim_kwargs)


class DescentPath(TraceDriven, mn.VGroup):
    """The trail of an optimiser over a landscape: start ring, growing trail, head dot,
    and a "diverges" marker where the run leaves the frame or goes non-finite.

    `points` (N, 2) or (N, 3) in data coordinates of `axes` (e.g. run.thetas, or
    (θ, loss) on a 3-D surface); `steps` (N,) their training steps (e.g. run.steps);
    `diverged_at` from the Run marks a blow-up even if the last stored point is in frame.
    """

    def __init__(self, points, axes=None, steps=None, color=FOREGROUND, stroke_width: float = 3.0,
                 tracker: mn.ValueTracker | None = None, diverged_at: int = -1, bounds=None,
                 head: bool = True, head_radius: float = 0.07, start_marker: bool = True,
                 marker_text: str = "diverges", fade: float = 0.0, fade_floor: float = 0.2, outline=None,
                 **kwargs):
        super().__init__(**kwargs)
        pts = np.asarray(points, dtype=float)
        if pts.ndim != 2 or pts.shape[1] not in (2, 3):
            raise ShapeError(f"points must have shape (N, 2) or (N, 3), got {pts.shape}")
        b, to_axes, to_scene = frame_of(axes, pts.shape[1], bounds)
        self.clipped = clip_path(to_axes(pts), b, steps)
        self.trace = PathTrace(self.clipped, to_scene, color=color, stroke_width=stroke_width, tracker=tracker,
                               head=head, head_radius=head_radius, diverged=diverged_at >= 0,
                               marker_text=marker_text, three_d=pts.shape[1] == 3, bounds=b, fade=fade,
                               fade_floor=fade_floor, outline=outline)
        self.tracker = self.trace.tracker
        self.start = None
        if start_marker and not self.clipped.empty:
            first = self.clipped.segments[0][0][0]
            self.start = mn.Circle(radius=1.6 * head_radius, color=color, stroke_width=2).move_to(
                to_scene(first[None])[0])
            self.add(self.start)
        self.add(self.trace)

    @property
    def diverges(self) -> bool:
        return self.trace.marker is not None

    @property
    def last_step(self) -> float:
        return self.trace.last_step


    def pin_labels(self, scene):
        """In a ThreeDScene, keep the "diverges" label facing the camera."""
        self.trace.pin_labels(scene)
        return self


class Readout(mn.VMobject):
    """Text that follows a tracker: `Readout(tracker, lambda s: f"loss {loss[int(s)]:.3f}")`.

    One VMobject holding all glyph outlines, rewritten in place when the string changes:
    manim 0.22 (Cairo) flattens the mobject family once per `play`, so an updater that
    swaps submobjects mid-animation leaves stale glyphs on screen. Keeps its left edge.
    """

    def __init__(self, tracker: mn.ValueTracker, fmt, size: float = LABEL_SIZE, color=FOREGROUND, **kwargs):
        super().__init__(fill_color=color, fill_opacity=1.0, stroke_width=0, **kwargs)
        self.tracker, self.fmt, self.size, self.text_color = tracker, fmt, size, color
        self._s = None
        self._write(str(fmt(tracker.get_value())), anchor=None)
        self.add_updater(self._update)

    def _write(self, s: str, anchor):
        glyphs = text(s, size=self.size, color=self.text_color)
        pts = [m.points for m in glyphs.family_members_with_points()]
        pts = np.concatenate(pts) if pts else np.zeros((0, 3))
        if anchor is not None and len(pts):
            left = np.array([pts[:, 0].min(), (pts[:, 1].min() + pts[:, 1].max()) / 2, 0.0])
            pts = pts + (anchor - left)
        self.set_points(pts)
        self._s = s

    def _update(self, _mob):
        s = str(self.fmt(self.tracker.get_value()))
        if s != self._s:
            self._write(s, anchor=self.get_left() if self.has_points() else None)

    @property
    def string(self) -> str:
        return self._s


class StepCounter(Readout):
    """"step 37 / 200" following a step tracker. `drawing=True` counts the step being drawn (a
    tracker at 36.4 is drawing the move to θ₃₇: "step 37"), so the number never lags the moving dots."""

    def __init__(self, tracker: mn.ValueTracker, total: int | None = None, label: str = "step",
                 drawing: bool = False, **kwargs):
        def fmt(v):
            n = int(np.ceil(v - 1e-9)) if drawing else int(np.floor(v + 1e-9))
            return f"{label} {n}" + (f" / {total}" if total is not None else "")
        super().__init__(tracker, fmt, **kwargs)
