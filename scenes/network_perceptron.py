"""The perceptron trick: a misclassified point pulls the line toward itself (false negative:
add η·(x, 1); false positive: subtract it). AND and OR get solved; on XOR the line never
stops moving, and a 2-2-1 network (two hidden lines) solves it.

Records: experiments "perceptron_{blobs,and,or,xor}" and "perceptron_xor_net".
Variants: PerceptronTrick (a separable cloud), PerceptronAND, PerceptronOR, PerceptronXOR.
"""
import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Circle, FadeIn, FadeOut, ValueTracker, VGroup, linear, \
    smooth

from nnviz import experiments, theme
from nnviz.experiments.networks import grid_axes, model_from
from nnviz.render.network import DecisionPlane, NetworkDiagram, frame_index
from nnviz.render.style import ThemedScene, heading, label, text
from nnviz.render.widgets import Readout, StepCounter


def line_text(w, b) -> str:
    return f"{w[0]:+.2f}·x₁ {w[1]:+.2f}·x₂ {b:+.2f} = 0"


class PerceptronTrick(ThemedScene):
    experiment = "perceptron_blobs"
    title = "The perceptron trick"
    box = None                 # (x0, x1, y0, y1); None: around the data
    dot_radius = 0.08
    step_time = 0.7            # seconds per update shown slowly
    slow_updates = 8           # then the rest at `fast_time` each
    fast_time = 0.25
    plane_size = 5.0

    def make_plane(self, X, y, center):
        if self.box is None:
            xs, ys = grid_axes(X, 2)
        else:
            xs, ys = np.array(self.box[:2]), np.array(self.box[2:])
        plane = DecisionPlane(xs, ys, X, y, size=self.plane_size, dot_radius=self.dot_radius)
        plane.remove(plane.image)
        return plane.move_to(center)

    def construct(self):
        rec = experiments.load(self.experiment)["perceptron"]
        X, y = rec.X, rec.y
        title = heading(self.title, size=34)
        plane = self.make_plane(X, y, [-2.2, -0.35, 0])
        rule = VGroup(text("ŷ = step(w·x + b)", size=24),
                      label("misclassified point → move the line toward it:", size=18),
                      text("false negative:  w ← w + η·x,  b ← b + η", size=20, color=theme.CLASS[1]),
                      text("false positive:  w ← w − η·x,  b ← b − η", size=20, color=theme.CLASS[0]),
                      label(f"learning rate η = {rec.config['lr']:g}", size=18)).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        rule.next_to(plane, RIGHT, buff=0.6).align_to(plane, UP)
        self.play(FadeIn(title), FadeIn(plane.frame), FadeIn(plane.dots), FadeIn(rule), run_time=0.8)

        wb = ValueTracker(0.0)  # interpolates between the line before and after an update
        state = {"from": (rec.w[0], rec.b[0]), "to": (rec.w[0], rec.b[0])}

        def current():
            a = wb.get_value()
            (w0, b0), (w1, b1) = state["from"], state["to"]
            return (1 - a) * w0 + a * w1, (1 - a) * b0 + a * b1

        def draw():
            w, b = current()
            return VGroup(plane.half_plane(w, b), plane.line(w, b, color=theme.FOREGROUND, width=4))

        line = draw()
        line.add_updater(lambda m: m.become(draw()))
        off = self.off_view_note(plane, current)
        eq = text(line_text(rec.w[0], rec.b[0]), size=22).next_to(rule, DOWN, buff=0.45).align_to(rule, LEFT)
        status = label("visit the points one by one", size=20).next_to(eq, DOWN, buff=0.25).align_to(rule, LEFT)
        self.play(FadeIn(line), FadeIn(eq), FadeIn(status), run_time=0.6)
        self.add(off)
        self.bring_to_front(plane.dots)

        ups = rec.updates
        n_slow = min(self.slow_updates, len(ups))
        for k in ups[:n_slow]:
            dot = plane.dots[int(rec.point[k])]
            ring = Circle(radius=self.dot_radius * 2.2, color=theme.ACTIVE, stroke_width=4).move_to(dot)
            new_status = label(self.visit_text(rec, k), size=20).move_to(status, aligned_edge=LEFT)
            state["from"], state["to"] = (rec.w[k - 1], rec.b[k - 1]), (rec.w[k], rec.b[k])
            wb.set_value(0.0)
            new_eq = text(line_text(rec.w[k], rec.b[k]), size=22).move_to(eq, aligned_edge=LEFT)
            t = self.step_time
            self.play(FadeIn(ring), FadeOut(status), FadeIn(new_status), run_time=t * 0.4)
            self.play(wb.animate.set_value(1.0), FadeOut(eq), FadeIn(new_eq), run_time=t * 0.6, rate_func=smooth)
            self.play(FadeOut(ring), run_time=0.15)
            eq, status = new_eq, new_status
        if len(ups) > n_slow:
            # the remaining updates in one animation: position u ∈ [n_slow, N] walks the updates
            pos = ValueTracker(float(n_slow))

            def at(u):
                """Update index, fraction through it, and the interpolated (w, b) at position u."""
                i = min(int(np.floor(u)), len(ups) - 1)
                a = u - i if u < len(ups) else 1.0
                k = ups[i]
                return i, a, (1 - a) * rec.w[k - 1] + a * rec.w[k], (1 - a) * rec.b[k - 1] + a * rec.b[k]

            def follow(m):  # one updater drives line, ring and the shared state, so nothing lags
                i, a, w, b = at(pos.get_value())
                k = ups[i]
                state["from"], state["to"] = (rec.w[k - 1], rec.b[k - 1]), (rec.w[k], rec.b[k])
                wb.set_value(a)
                m.become(draw())
                ring.move_to(plane.dots[int(rec.point[k])])

            ring = Circle(radius=self.dot_radius * 2.2, color=theme.ACTIVE, stroke_width=4)
            eq2 = Readout(pos, lambda u: line_text(*at(u)[2:]), size=22).move_to(eq, aligned_edge=LEFT)
            st2 = Readout(pos, lambda u: self.visit_text(rec, ups[at(u)[0]]), size=20, color=theme.MUTED)
            st2.move_to(status, aligned_edge=LEFT)
            line.clear_updaters()
            line.add_updater(follow)
            follow(line)
            self.remove(eq, status)
            self.add(ring, eq2, st2)
            self.play(pos.animate.set_value(float(len(ups))), run_time=self.fast_time * (len(ups) - n_slow),
                      rate_func=linear)
            self.remove(ring)
            eq, status = eq2, st2
        line.clear_updaters()
        if hasattr(status, "clear_updaters"):
            status.clear_updaters()
            eq.clear_updaters()
        self.line, self.state, self.plane = line, state, plane  # for tests
        self.conclude(rec, status)

    @staticmethod
    def off_view_note(plane, current):
        """Under the plane, shown only while the line w·x + b = 0 misses the view (e.g. w ≈ 0
        with a small η): says so, and which class every point in view is then given."""
        from nnviz.perceptron import line_in_box

        box = (plane.xs[0], plane.xs[-1], plane.ys[0], plane.ys[-1])
        centre = np.array([(box[0] + box[1]) / 2, (box[2] + box[3]) / 2])
        notes = VGroup(*[VGroup(label("the line is outside this view:", size=18, color=theme.CLASS[c]),
                                label(f"every point here is predicted class {c}", size=18, color=theme.CLASS[c])
                                ).arrange(DOWN, aligned_edge=LEFT, buff=0.1) for c in (0, 1)])
        for n in notes:
            n.next_to(plane.frame, DOWN, buff=0.2)

        def show(m):
            w, b = current()
            off = line_in_box(w, b, box) is None
            side = int(float(np.asarray(w, float) @ centre + b) >= 0)
            for c, n in enumerate(m):  # opacity only: never add/remove mid-animation
                n.set_opacity(1.0 if off and c == side else 0.0)

        notes.add_updater(show)
        show(notes)
        return notes

    @staticmethod
    def visit_text(rec, k) -> str:
        kind = "false negative → add" if rec.update[k] > 0 else "false positive → subtract"
        return f"epoch {rec.epoch[k] + 1}: {kind}"

    def conclude(self, rec, status):
        msg = (f"solved after {rec.converged_at + 1} epochs: no mistakes" if rec.converged_at >= 0 else
               f"after {len(rec.errors)} epochs, still\n{rec.errors[-1]} mistake(s) per epoch")
        end = VGroup(*[text(m, size=22, color=theme.ACTIVE) for m in msg.split("\n")])
        end.arrange(DOWN, aligned_edge=LEFT, buff=0.12).align_to(status, UP).align_to(status, LEFT)
        self.play(FadeOut(status), FadeIn(end), run_time=0.5)
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

    @staticmethod
    def visit_text(rec, k) -> str:
        kind = "false negative → add" if rec.update[k] > 0 else "false positive → subtract"
        return f"epoch {rec.epoch[k] + 1}: {kind}"

    def conclude(self, rec, status):
        super().conclude(rec, status)
        recs = experiments.load(self.net_experiment)
        run, bd = recs["run"], recs["boundary"]
        model = model_from(run.config["problem"]["model"])
        X, y = rec.X, rec.y
        self.play(*[FadeOut(m) for m in list(self.mobjects) if m is not self.line], FadeOut(self.line), run_time=0.6)

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

        lines = hidden_lines(0)

        def follow(_m):
            k = frame_index(bd.steps, tracker.get_value())
            d.set_weights(run.thetas[k])
            lines.become(hidden_lines(k))

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
