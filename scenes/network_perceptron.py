"""The perceptron trick: a misclassified point pulls the line toward itself (false negative:
add η·(x, 1); false positive: subtract it). AND and OR get solved; on XOR the line never
stops moving, and a 2-2-1 network (two hidden lines) solves it.

Records: experiments "perceptron_{blobs,and,or,xor}" and "perceptron_xor_net".
Variants: PerceptronTrick (a separable cloud), PerceptronAND, PerceptronOR, PerceptronXOR.
"""
import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, DashedLine, FadeIn, FadeOut, Line, Transform, ValueTracker, VGroup, always_redraw, linear, smooth

from nnviz import experiments, theme
from nnviz.display import signed, subscript
from nnviz.experiments.networks import model_from
from nnviz.render.network import NetworkDiagram
from nnviz.render.perceptron import MistakeBars, PerceptronPlayback, WeightPanel
from nnviz.render.pacing import TimeWarp
from nnviz.render.planes import DecisionPlane, flip_progress, frame_index
from nnviz.render.style import ThemedScene, heading, label, text
from nnviz.render.widgets import Readout, StepCounter


def line_text(w, b) -> str:
    return f"{signed(w[0])}·x₁ {signed(w[1])}·x₂ {signed(b)} = 0"


def off_plot_text(plane, w, b) -> str:
    """What the plot shows when the line w·x + b = 0 misses it: every point on one side."""
    from nnviz.perceptron import line_in_box

    if line_in_box(w, b, (plane.xs[0], plane.xs[-1], plane.ys[0], plane.ys[-1])) is not None:
        return ""
    c = np.array([(plane.xs[0] + plane.xs[-1]) / 2, (plane.ys[0] + plane.ys[-1]) / 2])
    side = int(np.asarray(w, float) @ c + b >= 0)
    return f"the line is off the plot: every point → ŷ = {side}"


def unused_rule_text(rec) -> str:
    """Say so when one of the two rules on screen never fired in this run (the student waits for it)."""
    ups = np.asarray(rec.update)
    if ups.size == 0:
        return ""
    if not np.any(ups < 0):
        return "the − rule never fired:\nno class-0 point was called 1"
    if not np.any(ups > 0):
        return "the + rule never fired:\nno class-1 point was called 0"
    return ""


def on_line_text(rec) -> str:
    """Points exactly on the final line (w·x + b = 0 within round-off) are called 1 by the ≥: say so."""
    X = np.asarray(rec.X, float)
    on = rec.on_line(rec.w[-1], rec.b[-1], X)
    if on.size == 0:
        return ""
    pts = ", ".join(f"({X[i, 0]:g}, {X[i, 1]:g})" for i in on)
    return f"{pts} on the line: w·x + b = 0 ≥ 0 → ŷ = 1"


class PerceptronTrick(ThemedScene):
    experiment = "perceptron_blobs"
    title = "The perceptron trick"
    box = None                 # (x0, x1, y0, y1); None: a square around the data
    dot_radius = 0.08
    step_time = 1.6            # seconds per update shown slowly
    slow_updates = 4           # then the rest at `fast_time` each
    fast_time = 0.25
    plane_size = 5.0
    arrow_length = 1.5         # the largest recorded |w| drawn this long on the data plane
    clear_normal = False       # True: w's arrow and label placed clear of the points (few points only)

    def make_plane(self, X, y, center):
        if self.box is None:   # square in data units, so w is drawn at right angles to its line
            lo, hi = X.min(0), X.max(0)
            mid, half = (lo + hi) / 2, 0.5 * float(max(hi - lo)) * 1.5
            xs, ys = np.array([mid[0] - half, mid[0] + half]), np.array([mid[1] - half, mid[1] + half])
        else:
            xs, ys = np.array(self.box[:2]), np.array(self.box[2:])
        plane = DecisionPlane(xs, ys, X, y, size=self.plane_size, dot_radius=self.dot_radius)
        plane.remove(plane.image)
        return plane.move_to(center)

    def construct(self):
        rec = experiments.load(self.experiment)["perceptron"]
        X, y = rec.X, rec.y
        title = heading(self.title, size=34)
        plane = self.make_plane(X, y, [-3.75, -0.3, 0])
        lr = float(rec.config["lr"])
        rule = VGroup(text(f"ŷ = 1 where w·x + b ≥ 0,   η = {lr:g}", size=24),
                      text("class 1 called 0:  w ← w + η·x,  b ← b + η", size=24, color=theme.CLASS[1]),
                      text("class 0 called 1:  w ← w − η·x,  b ← b − η", size=24, color=theme.CLASS[0]),
                      ).arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        rule.move_to([0, 0, 0]).align_to([-0.75, 0, 0], LEFT).align_to([0, 2.75, 0], UP)
        pb = PerceptronPlayback(rec, plane)
        panel = WeightPanel(pb, size=2.9).align_to([-0.6, 0, 0], LEFT).align_to([0, 0.95, 0], UP)
        panel_cap = label("w in weight space", size=24).next_to(panel, UP, buff=0.1).align_to(rule, LEFT)
        bars = MistakeBars(pb, width=3.1, height=1.8)
        bars.base.move_to([5.1, -1.1, 0])
        bars.zero.next_to(bars.base, DOWN, buff=0.12).align_to(bars.base, LEFT)
        bars_cap = label("mistakes per epoch", size=24).move_to([5.1, panel_cap.get_y(), 0])
        eq = Readout(pb.pos, lambda u: line_text(*pb.at(u)[2:]), size=24).next_to(plane, DOWN, buff=0.15)
        eq.align_to(plane, LEFT)
        def off_note():
            msg = off_plot_text(plane, *pb.current())
            t = text(msg or ".", size=24, color=theme.ACTIVE).next_to(eq, DOWN, buff=0.1).align_to(plane, LEFT)
            return t if msg else t.set_opacity(0.0)
        off = pb.redraw(off_note)
        status = Readout(pb.pos, lambda u: pb.visit_text(u), size=24, color=theme.ACTIVE)
        status.move_to([0, -2.3, 0]).align_to(rule, LEFT)
        step = Readout(pb.pos, lambda u: pb.step_text(u), size=24, color=theme.FOREGROUND)
        step.next_to(status, DOWN, buff=0.15).align_to(rule, LEFT)
        w_scale = self.arrow_length / max(float(np.max(np.linalg.norm(np.asarray(rec.w, float), axis=1))), 1e-9)
        normal = pb.normal(w_scale, clear=self.clear_normal)

        line = pb.line()
        # the first frame is already the picture: the data, the line, w as its normal, the rule
        self.add(title, plane.frame, line, plane.dots, normal, eq, off, rule)
        self.title_mob = title
        self.wait(0.8)
        self.play(FadeIn(panel), FadeIn(panel_cap), FadeIn(panel.arrows()), FadeIn(bars.base), FadeIn(bars.zero),
                  FadeIn(bars_cap), run_time=0.6)
        self.add(bars)        # its bars redraw themselves: added, not faded (a fade needs a fixed shape)
        self.bring_to_front(plane.dots, normal)
        self.pause("updates")

        n_slow = min(self.slow_updates, pb.n)
        ring = pb.ring(self.dot_radius * 2.2)
        if pb.n:
            self.play(FadeIn(ring), FadeIn(status), FadeIn(step), run_time=0.4)
        for i in range(n_slow):  # one update at a time: ring on the point, then the vectors add
            self.wait(self.step_time * 0.35)
            self.play(pb.pos.animate.set_value(i + 1.0), run_time=self.step_time * 0.65, rate_func=smooth)
        if pb.n > n_slow:
            self.pause("rest")
            self.play(pb.pos.animate.set_value(float(pb.n)), run_time=self.fast_time * (pb.n - n_slow),
                      rate_func=linear)
        if pb.n:
            self.play(FadeOut(ring), FadeOut(step), run_time=0.3)
        self.line, self.playback, self.plane, self.bars, self.normal = line, pb, plane, bars, normal  # for tests
        self.panel, self.eq = panel, eq
        self.conclude(rec, status, bars)

    def conclude(self, rec, status, bars):
        msg = (f"epoch {rec.converged_at + 1}: no mistakes, solved" if rec.converged_at >= 0 else
               f"{len(rec.errors)} epochs, never 0 mistakes:\nno single line separates the classes")
        lines = [text(m, size=24, color=theme.ACTIVE) for m in msg.split("\n")]
        unused = unused_rule_text(rec)
        lines += [text(m, size=24, color=theme.FOREGROUND) for m in unused.split("\n") if m]
        end = VGroup(*lines)
        end.arrange(DOWN, aligned_edge=LEFT, buff=0.12).align_to(status, UP).align_to(status, LEFT)
        self.play(FadeOut(status), bars.finish(), run_time=0.4)   # one text out, then the next in
        if rec.converged_at >= 0:
            self.panel.settled = True          # training is over: no step arrow stays on w
        shown = [FadeIn(end)]
        touching = on_line_text(rec)
        if touching and rec.converged_at >= 0:  # "solved" rests on the ≥: say it where the line's equation is
            self.on_line = text(touching, size=24, color=theme.ACTIVE).next_to(self.eq, DOWN, buff=0.1)
            shown.append(FadeIn(self.on_line.align_to(self.eq, LEFT)))
        self.play(*shown, run_time=0.4)
        self.wait(1.0)
        self.end_text = end


class PerceptronAND(PerceptronTrick):
    experiment = "perceptron_and"
    title = "Perceptron learns AND"
    box = (-0.5, 1.5, -0.5, 1.5)
    dot_radius = 0.14
    slow_updates = 6
    clear_normal = True

    def make_plane(self, X, y, center):
        """The four inputs, each tagged with its coordinates (x₁, x₂)."""
        plane = super().make_plane(X, y, center)
        mid = plane.frame.get_center()
        tags = VGroup(*[text(f"({p[0]:g}, {p[1]:g})", size=24, color=theme.FOREGROUND)
                        .next_to(dot, np.sign(mid - dot.get_center()) * [0, 1, 0], buff=0.12)
                        for p, dot in zip(np.asarray(X), plane.dots)])   # toward the middle, off the corners
        plane.dots.add(*tags)          # drawn with (and above) the points
        return plane


class PerceptronOR(PerceptronAND):
    experiment = "perceptron_or"
    title = "Perceptron learns OR"


class PerceptronXOR(PerceptronAND):
    """XOR: the line keeps moving — then a 2-2-1 network's two hidden lines solve it."""

    experiment = "perceptron_xor"
    title = "XOR: one line is not enough"
    box = (-0.25, 1.25, -0.25, 1.25)      # the network part's plane: the points stay where they are
    slow_updates = 4
    fast_time = 0.15
    arrow_length = 1.2
    net_experiment = "perceptron_xor_net"
    net_time = 4.0

    net_tail = 0.6        # after the boundary stops changing: the rest of the run, fast-forwarded

    @classmethod
    def net_warp(cls, bd) -> TimeWarp:
        """Video time ↦ the network's training step while its boundary changes (cells changing class)."""
        w = TimeWarp.from_progress(flip_progress(bd.steps, bd.prob), cls.net_time, floor=0.15, clock="log", tol=1e-2)
        return TimeWarp(w.times, w.steps)

    @classmethod
    def step_at_time(cls, run, bd):
        """The network part's step-at-time mapping (paced part, then the fast-forwarded tail)."""
        return cls.net_warp(bd).with_tail(cls.net_tail, run.steps[-1])

    def conclude(self, rec, status, bars):
        super().conclude(rec, status, bars)
        # why no line can work: the two classes sit on crossing diagonals
        X, y = np.asarray(rec.X), np.asarray(rec.y).reshape(-1)
        pts = {c: [self.plane.dots[i].get_center() for i in np.flatnonzero(y == c)] for c in (0, 1)}
        diags = VGroup(*[DashedLine(*pts[c], color=theme.CLASS[c], stroke_width=4) for c in (0, 1)])
        why = VGroup(*[text(m, size=24, color=theme.ACTIVE) for m in
                       ("why: the two diagonals cross,", "so no line has both blue on one side",
                        "and both red on the other")])
        why.arrange(DOWN, aligned_edge=LEFT, buff=0.12).align_to(self.end_text, UP).align_to(self.end_text, LEFT)
        self.play(FadeOut(self.end_text), run_time=0.3)
        self.play(Create(diags), FadeIn(why), run_time=0.8)
        self.wait(2.0)
        self.pause("hidden-layer")
        recs = experiments.load(self.net_experiment)
        run, bd = recs["run"], recs["boundary"]
        model = model_from(run.config["problem"]["model"])
        X, y = bd.X, bd.labels
        # the perceptron's line and panels go; the four points, the frame and the title stay
        old = self.plane
        keep = {self.title_mob, old.frame, old.dots}
        for m in self.mobjects:       # freeze what redraws itself, then fade it
            for sub in m.get_family():
                sub.clear_updaters()
        self.play(*[FadeOut(m) for m in list(self.mobjects) if m not in keep], run_time=0.6)
        title = heading("A hidden layer solves XOR: two lines, combined", size=32)
        plane = DecisionPlane(bd.xs, bd.ys, X, y, size=self.plane_size, dot_radius=self.dot_radius,
                              prob=bd.prob[0]).move_to(old.frame)
        d = NetworkDiagram.from_model(model, run.thetas[0], width=4.0, height=2.3, radius=0.2,
                                      input_labels=["x₁", "x₂"], output_labels=["ŷ"], label_size=24)
        d.move_to([3.6, 1.0, 0])
        tracker = ValueTracker(0)
        counter = StepCounter(tracker, total=int(run.steps[-1]), size=24)
        note = VGroup(label("yellow: each hidden unit's line", size=24),
                      label("colour: the network's answer", size=24),
                      label("trained by backprop + gradient descent", size=24))
        note.arrange(DOWN, aligned_edge=LEFT, buff=0.12).next_to(d, DOWN, buff=0.45).align_to([0.2, 0, 0], LEFT)
        counter.next_to(note, DOWN, buff=0.35).align_to(note, LEFT)

        def hidden_lines(k):
            W, b = model.weights(run.thetas[k], 1)
            g = VGroup()
            for u in range(W.shape[1]):
                ln = plane.line(W[:, u], b[u], color=theme.ACTIVE, width=4)
                g.add(ln)
                if isinstance(ln, Line):       # name each unit's line where it is
                    g.add(text(f"h{subscript(u + 1)}", size=24, color=theme.ACTIVE)
                          .next_to(ln.point_from_proportion(0.5), RIGHT, buff=0.15))
            return g

        lines = always_redraw(lambda: hidden_lines(frame_index(bd.steps, tracker.get_value())))

        def follow(_m):
            d.set_weights(run.thetas[frame_index(bd.steps, tracker.get_value())])

        self.play(FadeIn(plane.image), FadeIn(lines), FadeIn(plane.dots), Transform(self.title_mob, title),
                  FadeIn(d), FadeIn(counter), FadeIn(note), run_time=0.8)
        self.remove(old.frame, old.dots)
        self.add(plane.frame)
        self.bring_to_front(plane.dots)
        d.add_updater(follow)
        plane.follow(tracker, bd.prob, bd.steps)
        warp = self.net_warp(bd)           # time follows the boundary's change, as in the training scenes
        tracker.set_value(warp.first_step)
        self.play(warp.animate(tracker))
        if warp.end_step < run.steps[-1]:
            self.play(tracker.animate(run_time=self.net_tail, rate_func=linear).set_value(int(run.steps[-1])))
        d.remove_updater(follow)
        plane.unfollow()
        acc = text(f"train accuracy {run.train_acc[-1]:.0%}", size=28, color=theme.ACTIVE)
        acc.next_to(counter, DOWN, buff=0.3).align_to(note, LEFT)
        V, c = model.weights(run.thetas[-1], 2)      # the output unit combines the two hidden units
        out = text(f"ŷ = σ({signed(V[0, 0], 1)}·h₁ {signed(V[1, 0], 1)}·h₂ {signed(c[0], 1)})", size=24)
        out.next_to(acc, DOWN, buff=0.25).align_to(note, LEFT)
        self.play(FadeIn(acc), FadeIn(out), run_time=0.4)
        self.out_weights = (V[:, 0].copy(), float(c[0]))
        self.wait(1.0)
        self.net_plane, self.net_diagram = plane, d
