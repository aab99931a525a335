"""Playback of a recorded perceptron run (nnviz.perceptron.PerceptronRun) on a DecisionPlane.

One ValueTracker `pos` walks the updates: u = i + a means "a of the way through update i"
(update i is row `ups[i]` of the record: the line moves from (w, b)[ups[i] − 1] to
(w, b)[ups[i]]). Every drawn piece — the line and its half-plane, the ring on the visited
point, the weight-space arrows, the equation — is an `always_redraw` of that one position,
so slow (one update per play) and fast (all the rest in one play) playback share one state
and nothing can lag behind anything else.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Axes, Circle, DashedLine, Dot, Line, Rectangle, ValueTracker, VGroup, always_redraw

from .. import theme
from ..display import fixed
from .style import label, text


class PerceptronPlayback:
    def __init__(self, rec, plane):
        self.rec, self.plane = rec, plane
        self.ups = np.asarray(rec.updates)
        self.pos = ValueTracker(0.0)

    @property
    def n(self) -> int:
        """How many updates the run made."""
        return len(self.ups)

    def at(self, u: float | None = None):
        """(i, a, w, b): update index, fraction through it, and the interpolated line at position u."""
        rec = self.rec
        if self.n == 0:
            return 0, 1.0, np.asarray(rec.w[-1], float), float(rec.b[-1])
        u = float(np.clip(self.pos.get_value() if u is None else u, 0.0, self.n))
        i = min(int(np.floor(u)), self.n - 1)
        a = u - i
        k = int(self.ups[i])
        w = (1 - a) * rec.w[k - 1] + a * rec.w[k]
        b = (1 - a) * rec.b[k - 1] + a * rec.b[k]
        return i, a, w, float(b)

    def row(self, u: float | None = None) -> int:
        """The record row of the update being shown at u (its visited point is rec.point[row])."""
        return int(self.ups[self.at(u)[0]]) if self.n else 0

    def current(self):
        """(w, b) now."""
        return self.at()[2:]

    def redraw(self, draw, state=lambda: None):
        """`always_redraw(draw)`, rebuilding only when the position (or `state()`) changed: waits cost nothing."""
        memo = {}

        def f():
            u = (self.pos.get_value(), state())
            if memo.get("u") != u:
                memo["u"], memo["m"] = u, draw()
            return memo["m"]
        return always_redraw(f)

    def line(self, color=theme.FOREGROUND, width=4.0, opacity=0.16, labels=True, label_size=24) -> VGroup:
        """[side ŷ = 0 shaded, side ŷ = 1 shaded, the line w·x + b = 0, side labels], redrawn from
        the position every frame. Both sides are tinted by the class they predict, so a line that
        leaves the view leaves a plane tinted all one class, never an empty one."""
        plane = self.plane

        def draw():
            w, b = self.current()
            w = np.asarray(w, float)
            g = VGroup(plane.half_plane(-w, -b, color=theme.CLASS[0], opacity=opacity),
                       plane.half_plane(w, b, color=theme.CLASS[1], opacity=opacity),
                       plane.line(w, b, color=color, width=width))
            if labels:
                g.add(self.side_labels(w, b, label_size))
            return g
        return self.redraw(draw)

    def side_labels(self, w, b, size=24) -> VGroup:
        """"ŷ = 1" / "ŷ = 0" inside each side of the line that has room for it."""
        from ..perceptron import halfplane_polygon

        plane, out = self.plane, VGroup()
        box = (plane.xs[0], plane.xs[-1], plane.ys[0], plane.ys[-1])
        area = (box[1] - box[0]) * (box[3] - box[2])
        for cls, (ww, bb) in ((0, (-w, -b)), (1, (w, b))):
            poly = halfplane_polygon(ww, bb, box)
            if len(poly) < 3:
                continue
            x, y = poly[:, 0], poly[:, 1]
            a = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
            if a < 0.12 * area:
                continue
            # in the side's corner farthest from the line, tucked inside the frame
            far = poly[np.argmax(poly @ ww + bb)]
            lab = text(f"ŷ = {cls}", size=size, color=theme.CLASS[cls])
            corner = plane.to_scene(*far)
            inward = np.sign(plane.frame.get_center() - corner)
            out.add(lab.move_to(corner + inward * (np.array([lab.width, lab.height, 0]) / 2 + 0.12)))
        return out

    def ring(self, radius: float, color=theme.ACTIVE, width=4.0):
        """A circle around the point that the current update visited."""
        return self.redraw(lambda: Circle(radius=radius, color=color, stroke_width=width).move_to(
            self.plane.dots[int(self.rec.point[self.row()])]))

    def step_text(self, u: float | None = None) -> str:
        """The update at u as vector addition with the record's numbers: w ← w ± η·x (two lines)."""
        rec = self.rec
        if not self.n:
            return ""
        k = self.row(u)
        x = rec.X[int(rec.point[k])]
        op = "+" if rec.update[k] > 0 else "−"
        lr = float(rec.config["lr"])
        v = lambda p: f"({fixed(p[0])}, {fixed(p[1])})"   # noqa: E731
        return (f"w ← {v(rec.w[k - 1])} {op} {lr:g}·{v(x)}\n   = {v(rec.w[k])},  "
                f"b: {fixed(rec.b[k - 1])} → {fixed(rec.b[k])}")

    def visit_text(self, u: float | None = None) -> str:
        rec = self.rec
        if not self.n:
            return ""
        k = self.row(u)
        kind = "class 1 called 0 → w + η·x" if rec.update[k] > 0 else "class 0 called 1 → w − η·x"
        return f"epoch {rec.epoch[k] + 1}: {kind}"

    def mistakes(self, u: float | None = None, final: bool = False) -> np.ndarray:
        """Mistakes per epoch counted so far at position u: each finished update is one mistake of its
        epoch; epochs after the current one are not there yet (`final`: the whole record, including
        the last epoch without mistakes). Equals rec.errors when `final`."""
        rec = self.rec
        if final or not self.n:
            return np.asarray(rec.errors, int)
        u = float(np.clip(self.pos.get_value() if u is None else u, 0.0, self.n))
        done = self.ups[: int(np.floor(u + 1e-9))]
        current = int(rec.epoch[self.row(u)])
        return np.bincount(np.asarray(rec.epoch)[done].astype(int), minlength=current + 1)[: current + 1]

    def normal(self, scale: float, color=theme.FOREGROUND, label_size=24, clear: bool = False,
               margin: float = 0.12) -> VGroup:
        """w drawn on the data plane as the normal of its line: an arrow from a point of the line,
        pointing into the ŷ = 1 side, `scale` scene units per unit of |w| (fixed, so its length is
        comparable across updates). Needs a plane with equal x and y scales.

        Without `clear` the arrow starts at the line's point nearest the plane's centre. With `clear`
        (few points, e.g. the four of AND) it starts at the point of the visible line nearest the
        centre from which the arrow and its "w" label stay at least `margin` clear of every data point
        and point tag (`plane.dots`), shortened (to no less than 45 %) only if no full-length start is
        clear, and the label goes beyond the tip or to whichever side of it is clear."""
        plane = self.plane

        def boxes():
            return [(m.get_corner(DOWN + LEFT)[:2] - margin, m.get_corner(UP + RIGHT)[:2] + margin)
                    for m in plane.dots]

        def hits(pts, bx):
            pts = np.atleast_2d(pts)
            return any(np.any(np.all((pts >= lo) & (pts <= hi), axis=1)) for lo, hi in bx)

        def draw():
            w, b = self.current()
            w = np.asarray(w, float)
            n2 = float(w @ w)
            g = VGroup()
            if n2 < 1e-12:
                return g.add(plane._nothing())
            c = np.array([(plane.xs[0] + plane.xs[-1]) / 2, (plane.ys[0] + plane.ys[-1]) / 2])
            foot = c - (w @ c + b) / n2 * w
            lo, hi = np.array([plane.xs[0], plane.ys[0]]), np.array([plane.xs[-1], plane.ys[-1]])
            if np.any(foot < lo) or np.any(foot > hi):
                return g.add(plane._nothing())
            u = np.array([w[0], w[1], 0.0]) / np.sqrt(n2)
            lab = text("w", size=label_size, color=color)
            start = plane.to_scene(*foot)
            end = start + scale * np.array([w[0], w[1], 0.0])
            spot = end + u * (0.12 + max(lab.width, lab.height) / 2)
            if clear:
                bx = boxes()
                f0, f1 = plane.frame.get_corner(DOWN + LEFT)[:2] + 0.05, plane.frame.get_corner(UP + RIGHT)[:2] - 0.05
                along = np.array([-w[1], w[0]]) / np.sqrt(n2)
                span = float(np.hypot(*(hi - lo)))
                ts = np.linspace(-span, span, 161)
                ts = ts[np.argsort(np.abs(ts), kind="stable")]           # nearest the centre first
                half = np.array([lab.width, lab.height]) / 2
                found = None
                for k in (1.0, 0.8, 0.6, 0.45):
                    for t in ts:
                        p0 = foot + t * along
                        if np.any(p0 < lo) or np.any(p0 > hi):
                            continue
                        s0 = plane.to_scene(*p0)
                        s1 = s0 + k * scale * np.array([w[0], w[1], 0.0])
                        seg = s0[:2] + np.linspace(0.0, 1.0, 25)[:, None] * (s1 - s0)[:2]
                        if np.any(s1[:2] < f0) or np.any(s1[:2] > f1) or hits(seg, bx):
                            continue
                        gap = 0.12 + float(np.max(half))
                        side = np.array([-u[1], u[0], 0.0])
                        for spot_ in (s1 + u * gap, s1 + side * gap, s1 - side * gap):
                            corners = spot_[:2] + np.array([[-1, -1], [-1, 1], [1, -1], [1, 1], [0, 0]]) * half
                            if np.any(corners < f0) or np.any(corners > f1) or hits(corners, bx):
                                continue
                            found = (s0, s1, spot_)
                            break
                        if found:
                            break
                    if found:
                        break
                if found:
                    start, end, spot = found
            g.add(Arrow(start, end, buff=0, color=color, stroke_width=6, max_tip_length_to_length_ratio=0.3,
                        max_stroke_width_to_length_ratio=12))
            if clear:
                g.add(lab.move_to(spot))
            else:
                g.add(lab.next_to(end, RIGHT if w[0] >= 0 else -RIGHT, buff=0.08))
            return g
        return self.redraw(draw)


class WeightPanel(VGroup):
    """Weight space (w₁, w₂) beside the plane: the vector w as an arrow from the origin, and
    during an update the step ±η·x as an arrow from the old tip to the new one — the trick is
    vector addition. Limits hold every recorded w, so the picture never rescales."""

    def __init__(self, playback: PerceptronPlayback, size=2.6, font=24):
        super().__init__()
        self.pb, self.font = playback, font
        self.settled = False   # True once training is over: only the final w stays (no step is happening)
        W = np.vstack([playback.rec.w, np.zeros((1, 2))])
        lo, hi = W.min(0), W.max(0)
        span = float(max(hi - lo)) * 1.4 + 1e-9
        mid = (lo + hi) / 2
        rng = [(mid[i] - span / 2, mid[i] + span / 2) for i in (0, 1)]
        self.axes = Axes(x_range=[rng[0][0], rng[0][1], span], y_range=[rng[1][0], rng[1][1], span],
                         x_length=size, y_length=size, tips=False,
                         axis_config={"stroke_color": theme.MUTED, "stroke_width": 1.5, "include_ticks": False})
        o = self.axes.c2p(0, 0)
        self.names = VGroup(text("w₁", size=font, color=theme.MUTED).next_to(self.axes.x_axis.get_right(), DOWN, buff=0.1),
                            text("w₂", size=font, color=theme.MUTED).next_to(self.axes.y_axis.get_top(), LEFT, buff=0.1),
                            text("0", size=font, color=theme.MUTED).next_to(o, DOWN + LEFT, buff=0.06))
        self.add(self.axes, self.names)

    def arrows(self) -> VGroup:
        """[old w (faint), the step ±η·x, current w]: redrawn every frame from the playback."""
        pb, ax = self.pb, self.axes

        def draw():
            i, a, w, _ = pb.at()
            o = ax.c2p(0, 0)
            g = VGroup()
            if pb.n and not self.settled:
                k = pb.row()
                rec = pb.rec
                w0, w1 = rec.w[k - 1], rec.w[k]
                col = theme.CLASS[1] if rec.update[k] > 0 else theme.CLASS[0]
                g.add(DashedLine(o, ax.c2p(*w0), color=theme.MUTED, stroke_width=3, dash_length=0.08)
                      .set_stroke(opacity=0.8))                      # the old w, dashed
                p0, p1 = ax.c2p(*w0), ax.c2p(*w1)
                sign = "+" if rec.update[k] > 0 else "−"
                lab = text(f"{sign}η·x", size=self.font, color=col)
                moves = np.linalg.norm(p1 - p0) > 1e-6        # x = 0: w does not move (only b does)
                d = (p1 - p0) / np.linalg.norm(p1 - p0) if moves else np.array([1.0, 0.0, 0.0])
                tip = p1 if moves else p0 + 0.05 * d
                g.add(Arrow(p0, tip, buff=0, color=col, stroke_width=7, max_tip_length_to_length_ratio=0.5,
                            max_stroke_width_to_length_ratio=20).set_opacity(1.0 if moves else 0.0))
                perp = np.array([-d[1], d[0], 0.0])
                if perp @ ((p0 + tip) / 2 - o) < 0:                      # the side away from the origin
                    perp = -perp
                g.add(lab.next_to((p0 + tip) / 2, perp, buff=0.15).set_opacity(1.0 if moves else 0.0))
            g.add(Arrow(o, ax.c2p(*w), buff=0, color=theme.FOREGROUND, stroke_width=5,
                        max_tip_length_to_length_ratio=0.2))
            g.add(Dot(o, radius=0.04, color=theme.MUTED))
            return g

        def note():
            """x = 0 moves only b: say so where the step arrow would be (same texts every frame, shown or not)."""
            k = pb.row() if pb.n else 0
            rec = pb.rec
            show = bool(pb.n) and not self.settled and rec.update[k] != 0 and not np.any(rec.w[k] != rec.w[k - 1])
            col = theme.CLASS[1] if rec.update[k] > 0 else theme.CLASS[0]
            g = VGroup(text("x = 0:", size=self.font, color=col), text("only b moves", size=self.font, color=col))
            g.arrange(DOWN, aligned_edge=RIGHT, buff=0.08).next_to(ax.x_axis, UP, buff=0.15).align_to(ax.x_axis, RIGHT)
            return g.set_opacity(1.0 if show else 0.0)
        return VGroup(pb.redraw(draw, state=lambda: self.settled), pb.redraw(note, state=lambda: self.settled))


class MistakeBars(VGroup):
    """Mistakes per epoch as bars, growing with the playback (one bar per epoch, from
    `PerceptronPlayback.mistakes`), over a base line labelled "0 = solved". Each finished epoch gets
    its count over its bar when the bars are wide enough (else a scale at the left). `finish()` shows
    the whole record, including a final epoch without mistakes ("0", highlighted). Every bar and
    number exists from the start and is restyled in place (the family never changes shape)."""

    def __init__(self, playback: PerceptronPlayback, width=3.2, height=1.8, font=24):
        super().__init__()
        from manim import ValueTracker

        self.pb, self.font = playback, font
        self.done = ValueTracker(0.0)
        rec = playback.rec
        self.errors = np.asarray(rec.errors, int)
        self.n_epochs = len(self.errors)
        self.most = max(int(self.errors.max()), 1) if self.n_epochs else 1
        self.w, self.h = width, height
        self.slot = width / max(self.n_epochs, 1)
        self.unit = (height - 0.35) / self.most
        self.numbers = self.slot >= 0.4
        self.base = Line([0, 0, 0], [width, 0, 0], color=theme.MUTED, stroke_width=2)
        self.zero = text("0 = solved", size=font, color=theme.ACTIVE)
        self.rects = VGroup(*[Rectangle(width=self.slot * 0.7, height=1.0, stroke_width=0)
                              .set_fill(theme.FOREGROUND, opacity=0.0) for _ in range(self.n_epochs)])
        self.labels = VGroup(*[text(str(int(c)), size=font, color=theme.ACTIVE if c == 0 else theme.FOREGROUND)
                               .set_opacity(0.0) for c in self.errors])
        self.scale_marks = VGroup()
        if not self.numbers:
            self.scale_marks.add(text(str(self.most), size=font, color=theme.MUTED),
                           DashedLine(LEFT, RIGHT, color=theme.GRID, stroke_width=1.5))
        self.epochs = VGroup(text("epoch 1", size=font, color=theme.MUTED),
                             text(str(self.n_epochs), size=font, color=theme.MUTED))   # under the first and last slot
        self.stubs = VGroup(*[Rectangle(width=self.slot * 0.7, height=0.06, stroke_width=0)
                              .set_fill(theme.ACTIVE, opacity=0.0) for _ in range(self.n_epochs)])
        self.add(self.base, self.zero, self.scale_marks, self.rects, self.stubs, self.labels, self.epochs)
        self.add_updater(lambda m: m.restyle())
        self.restyle()

    def shown(self) -> np.ndarray:
        """The counts drawn now (one per epoch started so far)."""
        return self.pb.mistakes(final=self.done.get_value() > 0.5)

    def restyle(self) -> "MistakeBars":
        o = self.base.get_start()
        if len(self.scale_marks):
            top = o[1] + self.most * self.unit
            self.scale_marks[0].move_to([o[0] - 0.2, top, 0])
            self.scale_marks[1].put_start_and_end_on([o[0], top, 0], [o[0] + self.w, top, 0])
        self.zero.next_to(self.base, DOWN, buff=0.5).align_to(self.base, LEFT)
        if self.n_epochs:
            self.epochs[0].move_to([o[0] + 0.5 * self.slot, o[1] - 0.25, 0], aligned_edge=LEFT).shift(
                LEFT * 0.35 * self.slot)
            self.epochs[1].move_to([o[0] + (self.n_epochs - 0.5) * self.slot, o[1] - 0.25, 0])
            if self.n_epochs == 1 or self.epochs[1].get_left()[0] < self.epochs[0].get_right()[0] + 0.1:
                self.epochs[1].set_opacity(0.0)
        counts = self.shown()
        final = self.done.get_value() > 0.5
        for e, (r, lab) in enumerate(zip(self.rects, self.labels)):
            c = int(counts[e]) if e < len(counts) else 0
            x = o[0] + (e + 0.5) * self.slot
            r.stretch_to_fit_height(max(c * self.unit, 1e-3)).move_to([x, o[1], 0], aligned_edge=DOWN)
            r.set_fill(opacity=0.85 if c > 0 else 0.0)
            finished = final or e < len(counts) - 1
            show = finished and e < len(counts) and (self.numbers or c == 0)
            lab.move_to([x, o[1] + c * self.unit + 0.2, 0]).set_opacity(1.0 if show else 0.0)
            self.stubs[e].move_to([x, o[1], 0], aligned_edge=DOWN).set_fill(opacity=1.0 if (show and c == 0) else 0.0)
        return self

    def finish(self):
        """An animation to the whole record (the last epoch's bar, even at 0)."""
        return self.done.animate.set_value(1.0)
