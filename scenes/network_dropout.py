"""Dropout: hidden units switched off at random at every training step (the seeded masks
the real run drew, a few steps, one idea per step), then its effect: the same over-sized net on
40 noisy points, trained with and without dropout — decision boundaries and train vs test loss
side by side, then why the plain net's final test loss is high, one takeaway at a time, in numbers
from the records (networks.dropout_summary, Dropout.mistakes): the training points the plain net
bends round (circled), the new test points each net gets wrong while ≥ 99 % sure (drawn ✕ on the
faint test points), and each run's lowest test loss (early stopping).

Records: experiment "network_dropout" (nnviz/experiments/networks.py).
"""
import numpy as np
from manim import (DOWN, DR, LEFT, ORIGIN, RIGHT, UP, Circle, DashedLine, Dot, Group, Line, ValueTracker,
                   VGroup, Create)

from nnviz import experiments, theme
from nnviz.render.fades import fade_in, fade_out
from nnviz.display import input_names, sizes_text
from nnviz.experiments.networks import dropout_summary, model_from, sure_mistakes
from nnviz.render.network import NetworkDiagram
from nnviz.render.planes import DecisionPlane, flip_progress, frame_index
from nnviz.render.dashed import DashedCurve
from nnviz.render.pacing import TimeWarp, combine, loss_progress
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedScene, heading, label, text
from nnviz.render.widgets import Readout, StepCounter


def cross(at, size=0.08, color=theme.FOREGROUND, width=3.5, opacity=0.85) -> VGroup:
    """A bold ✕ with a dark rim (so it reads on either class colour)."""
    a, b = np.array([size, size, 0]), np.array([size, -size, 0])
    x = VGroup(Line(at - a, at + a), Line(at - b, at + b))
    x.set_stroke(color, width=width, opacity=opacity).set_stroke(theme.BACKGROUND, width=width + 3,
                                                                 opacity=opacity, background=True)
    return x


def best_mark(at=ORIGIN, radius=0.1) -> Dot:
    """Where a run's test loss is lowest: a dot in the test-loss colour, outlined."""
    return Dot(at, radius=radius, color=theme.loss_colors()["test"]).set_stroke(theme.FOREGROUND, width=2.5)


class Dropout(ThemedScene):
    experiment = "network_dropout"
    mask_steps = 3         # how many consecutive training steps of masks to show (one caption line each)
    mask_time = 1.3        # seconds per step
    train_time = 6.0
    sure = 0.99            # a test mistake counts as "sure" when the net gives the wrong class ≥ this

    def construct(self):
        recs = experiments.load(self.experiment)
        masks = recs["masks"]
        run = recs["run_dropout"]
        model = model_from(run.config["problem"]["model"])
        p = masks.config["dropout"]

        title = heading("Dropout", size=34, buff=0.2)
        sub = text(f"each training step, each hidden unit is off with probability p = {p:g}",
                   size=28).next_to(title, DOWN, buff=0.2)
        d = NetworkDiagram.from_model(model, run.thetas[0], width=5.0, height=4.6, radius=0.18, label_size=28,
                                      input_labels=input_names(2), output_labels=["ŷ"], strong_per_neuron=3)
        d.move_to([-3.7, -0.55, 0])
        names = sorted(masks.masks)
        total = sum(masks.masks[nm].shape[1] for nm in names)
        drawn = label(f"{len(d.shown[1])} of {model.sizes[1]} units drawn per layer", size=26)
        drawn.next_to(d, DOWN, buff=0.2)

        def show(t):
            d.set_weights(run.thetas[frame_index(run.steps, t)])
            for grp in d.edges:                     # the wiring in one neutral colour: here only on/off matters
                grp.set_stroke(color=theme.NEURON)
            for j, nm in enumerate(names, start=1):
                d.set_dropped(j, masks.masks[nm][t])

        step = ValueTracker(0)
        counter = Readout(step, lambda s: f"step {int(s)}: {int(sum((1 - masks.masks[nm][int(s)]).sum() for nm in names))}"
                                          f" of {total} hidden units off", size=28)
        grey = Dot(radius=0.16, color=theme.DROPPED).set_stroke(theme.DROPPED, width=2)
        lines = [VGroup(grey, text("grey: off for this step", size=28)).arrange(RIGHT, buff=0.2),
                 text("a new random mask every step", size=28),
                 VGroup(text("so no unit can count on", size=28), text("another being there", size=28))
                 .arrange(DOWN, aligned_edge=LEFT, buff=0.12)]
        right = VGroup(counter, *lines).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        right.move_to([0.3, -0.4, 0], aligned_edge=LEFT)
        self.mask_lines = lines
        show(0)
        self.add(title, sub, d, drawn, counter, lines[0])      # the first frame is already the picture
        self.wait(self.mask_time)
        for t in range(1, self.mask_steps):
            step.set_value(t)
            show(t)
            self.play(fade_in(lines[t]), run_time=0.4)
            self.wait(self.mask_time - 0.4)
        self.wait(0.5)
        self.mask_diagram, self.mask_tracker = d, step
        self.pause("effect")
        self.play(*[fade_out(m) for m in (d, drawn, counter, *lines, sub)], run_time=0.5)
        self.compare(recs, model, p)

    @classmethod
    def warp(cls, recs) -> TimeWarp:
        """Video time ↦ step for the comparison: by the change of both boundaries (cells changing
        class) and of both test losses, so time goes where either picture moves."""
        prog = [flip_progress(recs[f"boundary_{t}"].steps, recs[f"boundary_{t}"].prob) for t in ("plain", "dropout")]
        prog += [loss_progress(recs[f"run_{t}"].test_loss, recs[f"run_{t}"].eval_steps, log=False)
                 for t in ("plain", "dropout")]
        return TimeWarp.from_progress(combine(prog), cls.train_time, floor=0.15, clock="log", tol=1e-2)

    @classmethod
    def mistakes(cls, recs, tag) -> dict:
        """The final net's test mistakes, the sure ones (≥ `sure`) and their share of the test loss."""
        return sure_mistakes(recs, tag, cls.sure)

    @classmethod
    def verdicts(cls, recs, facts) -> dict:
        """The closing words: the question, then one takeaway at a time (numbers from the records)."""
        fp, fd = facts["plain"], facts["dropout"]
        mp, md = cls.mistakes(recs, "plain"), cls.mistakes(recs, "dropout")
        return {"why": f"Why does the net without dropout end at test loss {fp['final_test']:.2f}?",
                "bend": f"pockets round the {len(facts['bent'])} circled points without dropout, none with it",
                "sure": f"test points (dots) wrong yet ≥ {cls.sure:.0%} sure: {mp['sure']}; with dropout {md['sure']}",
                "share": (f"those {mp['sure']} make {mp['share']:.0%} of the {fp['final_test']:.2f} "
                          f"(train loss {recs['run_plain'].train_loss[-1]:.2f}: sure = bright)"),
                "early": (f"lowest test loss: {fp['best_test']:.2f} without, {fd['best_test']:.2f} with "
                          f"(stop at step {fp['best_step']})")}

    def compare(self, recs, model, p):
        title = self.mobjects[0]
        bd0 = recs["boundary_plain"]
        sub = text(f"{sizes_text(model.sizes)} net · {len(bd0.X)} noisy training points · "
                   f"{len(bd0.X_test)} new test points", size=28).next_to(title, DOWN, buff=0.15)
        tracker = ValueTracker(0)
        facts = dropout_summary(recs)
        words = self.verdicts(recs, facts)
        panels, planes, readouts, plots = [], [], [], {}
        self.test_curves = []
        loss_col = theme.loss_colors()
        all_loss = np.concatenate([recs[f"run_{t}"].train_loss for t in ("plain", "dropout")]
                                  + [recs[f"run_{t}"].test_loss for t in ("plain", "dropout")])
        y_range = (0.0, float(np.ceil(all_loss.max() * 2) / 2))
        for tag, name in (("plain", "no dropout"), ("dropout", f"dropout p = {p:g}")):
            run, bd = recs[f"run_{tag}"], recs[f"boundary_{tag}"]
            plane = DecisionPlane(bd.xs, bd.ys, bd.X, bd.labels, size=3.3, dot_radius=0.085, prob=bd.prob[0])
            plot = LossPlot({"train": run.train_loss}, colors={"train": loss_col["train"]},
                            steps={"train": run.eval_steps}, y_range=y_range, x_label="", y_label="",
                            width=2.1, height=3.3, legend=False, tracker=tracker, font_size=28,
                            x_ticks=2, y_ticks=2)
            plot.axes.axes.align_to(plane.frame, DOWN)
            plot.shift(plane.frame.get_right() + RIGHT * 0.7 - plot.axes.axes.get_left())
            test = DashedCurve(plot.axes, run.test_loss, run.eval_steps, color=loss_col["test"], tracker=tracker,
                               stroke_width=5)
            plot.add(test)
            head = text(name, size=30).next_to(plane.frame, UP, buff=0.12)
            final = Readout(tracker, lambda s, run=run: (
                f"train {run.train_loss[frame_index(run.eval_steps, s)]:.2f} · "
                f"test {run.test_loss[frame_index(run.eval_steps, s)]:.2f}"), size=28)
            panels.append(Group(plane, plot, head))
            planes.append((plane, bd))
            readouts.append(final)
            plots[tag] = plot
            self.test_curves.append(test)
        Group(*panels).arrange(RIGHT, buff=0.45).set_x(0)
        Group(*panels).shift(UP * (sub.get_bottom()[1] - 0.14 - Group(*[pn[2] for pn in panels]).get_top()[1]))
        for (plane, _), final in zip(planes, readouts):
            final.next_to(plane.frame, DOWN, buff=0.25)
        for (plane, _), pn in zip(planes, panels):
            pn[2].match_x(plane.frame)
        # the loss key inside the dropout plot's empty top (its curves stay under 0.4)
        ax = plots["dropout"].axes
        legend = VGroup(
            VGroup(Line(ORIGIN, RIGHT * 0.45, color=loss_col["train"], stroke_width=5),
                   text("train loss", size=26)).arrange(RIGHT, buff=0.12),
            text("(all units on)", size=24, color=theme.FOREGROUND),
            VGroup(DashedLine(ORIGIN, RIGHT * 0.45, color=loss_col["test"], stroke_width=5, dash_length=0.1),
                   text("test loss", size=26)).arrange(RIGHT, buff=0.12))
        legend.arrange(DOWN, aligned_edge=LEFT, buff=0.12).next_to(ax.c2p(0, y_range[1]), DR, buff=0.08)
        legend[1].align_to(legend[0][1], LEFT)
        for plot in plots.values():       # "loss" once per plot, above its y axis
            plot.add(label("loss", size=26).next_to(plot.axes.c2p(0, y_range[1]), UP, buff=0.12))
        for plot in plots.values():       # "step" once per axis, between its 0 and 5000 ticks (no extra row)
            xl = label("step", size=26).move_to(plot.axes.c2p(plot.axes.bounds[0].mean() * 0.72, 0))
            plot.add(xl.align_to(plot.axes.tick_labels[0], DOWN))
        counter = StepCounter(tracker, total=int(recs["run_plain"].steps[-1]), size=28)
        counter.next_to(Group(*readouts), DOWN, buff=0.35).set_x(0)

        for plane, _ in planes:
            self.add(plane.image)
        parts = [m for pn in panels for m in (pn[0].frame, pn[0].dots, *pn[1:])]
        self.play(fade_in(sub), *[fade_in(m) for m in parts], *[fade_in(r) for r in readouts], fade_in(legend),
                  fade_in(counter), run_time=0.8)
        self.pause("compare")
        for plane, bd in planes:
            plane.follow(tracker, bd.prob, bd.steps)
        warp = self.warp(recs)
        tracker.set_value(warp.first_step)
        self.play(warp.animate(tracker))
        for plane, _ in planes:
            plane.unfollow()
        self.wait(0.6)
        self.pause("verdict")

        # why: one takeaway at a time, each with its mark on the pictures
        why = text(words["why"], size=30).move_to(sub)      # the question replaces the set-up
        ends = VGroup()                                      # each run's last test loss, at its curve's end
        self.end_labels = {}
        for tag in ("plain", "dropout"):
            run = recs[f"run_{tag}"]
            self.end_labels[tag] = f"{run.test_loss[-1]:.2f}"
            ends.add(text(self.end_labels[tag], size=26, color=loss_col["test"]).next_to(
                plots[tag].axes.c2p(run.eval_steps[-1], run.test_loss[-1]), UP, buff=0.12))
        self.play(fade_out(sub), run_time=0.3)
        self.play(fade_in(why), fade_in(ends), run_time=0.4)
        self.wait(0.8)
        rings = VGroup(*[Circle(radius=0.2, color=theme.ACTIVE, stroke_width=3.5).move_to(plane.to_scene(*bd.X[i]))
                         for plane, bd in planes for i in facts["bent"]])
        lines = VGroup(*[plane.contour(bd.prob[-1], 0.5, width=2.5) for plane, bd in planes])   # the boundary
        faint, crosses = VGroup(), VGroup()
        for tag, (plane, bd) in zip(("plain", "dropout"), planes):
            inside = ((bd.xs[0] <= bd.X_test[:, 0]) & (bd.X_test[:, 0] <= bd.xs[-1])
                      & (bd.ys[0] <= bd.X_test[:, 1]) & (bd.X_test[:, 1] <= bd.ys[-1]))
            for (x, y), lab in zip(bd.X_test[inside], bd.labels_test[inside]):
                faint.add(Dot(plane.to_scene(x, y), radius=0.035, color=theme.CLASS[int(lab)], fill_opacity=0.55))
            for i in self.mistakes(recs, tag)["sure_idx"]:
                crosses.add(cross(plane.to_scene(*bd.X_test[i]), size=0.05, width=2.2, opacity=0.8))  # thin: the pockets stay visible
        best = VGroup(*[best_mark(plots[tag].axes.c2p(facts[tag]["best_step"], facts[tag]["best_test"]))
                        for tag in ("plain", "dropout")])

        def bullet(mark, words_, size=28):
            return VGroup(mark, text(words_, size=size)).arrange(RIGHT, buff=0.2)

        # the main cause first (sure mistakes: most of the 1.29), then the pockets, then early stopping
        take = VGroup(bullet(cross(ORIGIN, opacity=1.0), words["sure"]),
                      text(words["share"], size=28),
                      bullet(Circle(radius=0.13, color=theme.ACTIVE, stroke_width=3), words["bend"]),
                      bullet(best_mark(), words["early"]))
        take.arrange(DOWN, aligned_edge=LEFT, buff=0.16).to_edge(DOWN, buff=0.2).set_x(0)
        take[1].shift(RIGHT * (take[0][1].get_left()[0] - take[1].get_left()[0]))
        self.play(*[fade_out(r) for r in (*readouts, counter)], run_time=0.3)
        self.play(Create(lines), run_time=0.8)
        self.play(fade_in(faint), run_time=0.5)
        self.play(Create(crosses), fade_in(take[0]), run_time=0.8)
        self.wait(1.0)
        self.play(fade_in(take[1]), run_time=0.5)
        self.wait(2.0)
        self.play(Create(rings), fade_in(take[2]), run_time=0.8)
        self.bring_to_front(lines, rings)           # the boundary and the circled points stay over the ✕
        self.wait(2.0)
        self.play(Create(best), fade_in(take[3]), run_time=0.8)
        self.wait(2.5)
        self.facts, self.words, self.rings, self.best_rings = facts, words, rings, best
        self.crosses, self.test_dots, self.takeaways, self.boundary_lines = crosses, faint, take, lines
        self.planes, self.compare_tracker = planes, tracker
