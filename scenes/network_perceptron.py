"""The perceptron trick: a misclassified point pulls the line toward itself (false negative:
add η·(x, 1); false positive: subtract it). AND and OR get solved; on XOR the line never
stops moving, and a 2-2-1 network (two hidden lines) solves it.

Records: experiments "perceptron_{blobs,and,or,xor}" and "perceptron_xor_net".
Variants: PerceptronTrick (a separable cloud), PerceptronAND, PerceptronOR, PerceptronXOR.
"""
import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, ValueTracker, VGroup, always_redraw, linear, smooth

from nnviz import experiments, theme
from nnviz.display import signed
from nnviz.experiments.networks import model_from
from nnviz.render.network import NetworkDiagram
from nnviz.render.perceptron import PerceptronPlayback, WeightPanel
from nnviz.render.planes import DecisionPlane, frame_index
from nnviz.render.style import ThemedScene, heading, label, text
from nnviz.render.widgets import Readout, StepCounter


def line_text(w, b) -> str:
    return f"{signed(w[0])}·x₁ {signed(w[1])}·x₂ {signed(b)} = 0"


class PerceptronTrick(ThemedScene):
    experiment = "perceptron_blobs"
    title = "The perceptron trick"
    box = None                 # (x0, x1, y0, y1); None: around the data
    dot_radius = 0.08
    step_time = 1.6            # seconds per update shown slowly
    slow_updates = 4           # then the rest at `fast_time` each
    fast_time = 0.25
    plane_size = 5.0

    def make_plane(self, X, y, center):
        if self.box is None:
            lo, hi = X.min(0), X.max(0)
            pad = 0.25 * (hi - lo)
            xs, ys = np.array([lo[0] - pad[0], hi[0] + pad[0]]), np.array([lo[1] - pad[1], hi[1] + pad[1]])
        else:
            xs, ys = np.array(self.box[:2]), np.array(self.box[2:])
        plane = DecisionPlane(xs, ys, X, y, size=self.plane_size, dot_radius=self.dot_radius)
        plane.remove(plane.image)
        return plane.move_to(center)

    def construct(self):
        rec = experiments.load(self.experiment)["perceptron"]
        X, y = rec.X, rec.y
        title = heading(self.title, size=34)
        plane = self.make_plane(X, y, [-3.4, -0.4, 0])
        lr = float(rec.config["lr"])
        rule = VGroup(text("ŷ = step(w·x + b): class 1 where w·x + b ≥ 0", size=20),
                      text(f"a mistake moves w by η·x  (η = {lr:g}):", size=20),
                      text("class-1 point called 0:  w ← w + η·x,  b ← b + η", size=20, color=theme.CLASS[1]),
                      text("class-0 point called 1:  w ← w − η·x,  b ← b − η", size=20, color=theme.CLASS[0]),
                      ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        rule.next_to(plane, RIGHT, buff=0.45).align_to(plane, UP)
        pb = PerceptronPlayback(rec, plane)
        panel = WeightPanel(pb, size=2.5).next_to(rule, DOWN, buff=0.35).align_to(rule, LEFT).shift(RIGHT * 0.3)
        panel_cap = VGroup(label("weight space:", size=18), label("w is the arrow;", size=18),
                           label("a mistake adds ±η·x", size=18), label("to its tip", size=18))
        panel_cap.arrange(DOWN, aligned_edge=LEFT, buff=0.06).next_to(panel, RIGHT, buff=0.4)
        eq = Readout(pb.pos, lambda u: line_text(*pb.at(u)[2:]), size=20).next_to(plane, DOWN, buff=0.18)
        status = Readout(pb.pos, lambda u: pb.visit_text(u), size=20, color=theme.ACTIVE)
        status.next_to(panel, DOWN, buff=0.3).align_to(rule, LEFT)
        step = Readout(pb.pos, lambda u: pb.step_text(u), size=18, color=theme.MUTED)
        step.next_to(status, DOWN, buff=0.12).align_to(rule, LEFT)

        line = pb.line()
        self.add(title, plane.frame, line, plane.dots)   # the first frame is already a picture
        self.play(FadeIn(rule), run_time=0.8)
        arrows = panel.arrows()
        self.play(FadeIn(eq), FadeIn(panel), FadeIn(panel_cap), FadeIn(arrows), run_time=0.6)
        self.bring_to_front(plane.dots)
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
        self.line, self.playback, self.plane = line, pb, plane  # for tests
        self.conclude(rec, status)

    def conclude(self, rec, status):
        msg = (f"solved after {rec.converged_at + 1} epochs: no mistakes" if rec.converged_at >= 0 else
               f"after {len(rec.errors)} epochs, still\n{rec.errors[-1]} mistake(s) per epoch")
        end = VGroup(*[text(m, size=22, color=theme.ACTIVE) for m in msg.split("\n")])
        end.arrange(DOWN, aligned_edge=LEFT, buff=0.12).align_to(status, UP).align_to(status, LEFT)
        self.play(FadeOut(status), run_time=0.25)   # one text out, then the next in: never on top of each other
        self.play(FadeIn(end), run_time=0.4)
        self.wait(1.0)


class PerceptronAND(PerceptronTrick):
    experiment = "perceptron_and"
    title = "Perceptron learns AND"
    box = (-0.5, 1.5, -0.5, 1.5)
    dot_radius = 0.14
    slow_updates = 6


class PerceptronOR(PerceptronAND):
    experiment = "perceptron_or"
    title = "Perceptron learns OR"


class PerceptronXOR(PerceptronAND):
    """XOR: the line keeps moving — then a 2-2-1 network's two hidden lines solve it."""

    experiment = "perceptron_xor"
    title = "XOR: one line is not enough"
    slow_updates = 4
    fast_time = 0.15
    net_experiment = "perceptron_xor_net"
    net_time = 4.0

    def conclude(self, rec, status):
        super().conclude(rec, status)
        self.pause("hidden-layer")
        recs = experiments.load(self.net_experiment)
        run, bd = recs["run"], recs["boundary"]
        model = model_from(run.config["problem"]["model"])
        X, y = bd.X, bd.labels
        self.play(*[FadeOut(m) for m in list(self.mobjects)], run_time=0.6)

        title = heading("A hidden layer solves XOR: two lines, combined", size=32)
        plane = DecisionPlane(bd.xs, bd.ys, X, y, size=4.6, dot_radius=self.dot_radius,
                              prob=bd.prob[0]).move_to([2.3, -0.4, 0])
        d = NetworkDiagram.from_model(model, run.thetas[0], width=4.2, height=2.6, radius=0.2,
                                      input_labels=["x₁", "x₂"], output_labels=["ŷ"]).move_to([-4.0, 0.2, 0])
        tracker = ValueTracker(0)
        counter = StepCounter(tracker, total=int(run.steps[-1]), size=22).next_to(d, DOWN, buff=0.7)
        note = VGroup(label("yellow: each hidden unit's line w·x + b = 0", size=18),
                      label("heatmap: the network's P(class 1)", size=18))
        note.arrange(DOWN, aligned_edge=LEFT, buff=0.1).next_to(counter, DOWN, buff=0.25)

        def hidden_lines(k):
            W, b = model.weights(run.thetas[k], 1)
            return VGroup(*[plane.line(W[:, u], b[u], color=theme.ACTIVE, width=3) for u in range(W.shape[1])])

        lines = always_redraw(lambda: hidden_lines(frame_index(bd.steps, tracker.get_value())))

        def follow(_m):
            d.set_weights(run.thetas[frame_index(bd.steps, tracker.get_value())])

        self.add(plane.image)
        self.play(FadeIn(title), FadeIn(plane.frame), FadeIn(d), FadeIn(lines), FadeIn(plane.dots),
                  FadeIn(counter), FadeIn(note), run_time=0.8)
        d.add_updater(follow)
        plane.follow(tracker, bd.prob, bd.steps)
        self.play(tracker.animate.set_value(int(run.steps[-1])), run_time=self.net_time, rate_func=linear)
        d.remove_updater(follow)
        plane.unfollow()
        acc = text(f"train accuracy {run.train_acc[-1]:.0%}", size=24, color=theme.ACTIVE).next_to(note, DOWN, buff=0.3)
        self.play(FadeIn(acc), run_time=0.4)
        self.wait(1.0)
        self.net_plane, self.net_diagram = plane, d
