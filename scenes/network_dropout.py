"""Dropout: hidden units switched off at random at every training step (the seeded masks
the real run drew), then its effect: the same over-sized net on 40 noisy points, trained
with and without dropout — decision boundaries and train vs test loss side by side, and at the
end what differs, in numbers from the records (networks.dropout_summary): the training points
the plain net bends round (circled), how much shorter the dropout boundary is, how sure each
net is of its test mistakes, and the plain run's lowest test loss (early stopping).

Records: experiment "network_dropout" (nnviz/experiments/networks.py).
"""
import numpy as np
from manim import (DL, DOWN, LEFT, ORIGIN, RIGHT, UP, Circle, DashedLine, Group, Line, ValueTracker,
                   VGroup, Create)

from nnviz import experiments, theme
from nnviz.render.fades import fade_in, fade_out
from nnviz.display import input_names, sizes_text
from nnviz.experiments.networks import dropout_summary, model_from
from nnviz.render.network import NetworkDiagram
from nnviz.render.planes import DecisionPlane, flip_progress, frame_index
from nnviz.render.dashed import DashedCurve
from nnviz.render.pacing import TimeWarp, combine, loss_progress
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedScene, heading, label, text
from nnviz.render.widgets import Readout, StepCounter


class Dropout(ThemedScene):
    experiment = "network_dropout"
    mask_steps = 12        # how many consecutive training steps of masks to show
    mask_time = 0.45       # seconds per step
    train_time = 6.0

    def construct(self):
        recs = experiments.load(self.experiment)
        masks = recs["masks"]
        run = recs["run_dropout"]
        model = model_from(run.config["problem"]["model"])
        p = masks.config["dropout"]

        title = heading("Dropout", size=34, buff=0.3)
        sub = label(f"each training step, each hidden unit is off with probability p = {p:g}",
                    size=24).next_to(title, DOWN, buff=0.15)
        d = NetworkDiagram.from_model(model, run.thetas[0], width=5.4, height=4.4, radius=0.17, label_size=26,
                                      input_labels=input_names(2), output_labels=["ŷ"], strong_per_neuron=3)
        d.move_to([-3.1, -0.45, 0])
        step = ValueTracker(0)
        names = sorted(masks.masks)

        def show(_m):
            t = int(np.floor(step.get_value() + 1e-9))
            d.set_weights(run.thetas[frame_index(run.steps, t)])
            for j, nm in enumerate(names, start=1):
                d.set_dropped(j, masks.masks[nm][t])

        show(d)
        counter = StepCounter(step, size=28).move_to([1.2, 1.4, 0], aligned_edge=LEFT)
        off = VGroup(*[Readout(step, lambda s, nm=nm, j=j: f"hidden layer {j}: {int((1 - masks.masks[nm][int(s)]).sum())}"
                                                           f" of {masks.masks[nm].shape[1]} off", size=26)
                       for j, nm in enumerate(names, start=1)])
        off.arrange(DOWN, aligned_edge=LEFT, buff=0.2).next_to(counter, DOWN, buff=0.35).align_to(counter, LEFT)
        drawn = len(d.shown[1])
        note = VGroup(text("grey: off for this step", size=24),
                      text(f"drawn: {drawn} of {model.sizes[1]} units per layer", size=24),
                      text(f"kept units count ×{1 / (1 - p):g} (= 1/(1−p))", size=24),
                      text("at test time all units are on", size=24))
        why = VGroup(text("so no unit can count on", size=24),
                     text("another being there", size=24))
        why.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        note.arrange(DOWN, aligned_edge=LEFT, buff=0.1).next_to(off, DOWN, buff=0.45).align_to(counter, LEFT)
        why.next_to(note, DOWN, buff=0.4).align_to(counter, LEFT)
        self.add(title, sub, d, counter, off, note, why)      # the first frame is already the picture
        self.wait(0.6)
        d.add_updater(show)
        self.play(step.animate.set_value(self.mask_steps - 1), run_time=self.mask_time * self.mask_steps,
                  rate_func=lambda t: t)
        d.remove_updater(show)
        self.wait(0.3)
        self.mask_diagram, self.mask_tracker = d, step
        self.pause("effect")
        self.play(*[fade_out(m) for m in (d, counter, off, note, why, sub)], run_time=0.5)
        self.compare(recs, model, p)

    @classmethod
    def warp(cls, recs) -> TimeWarp:
        """Video time ↦ step for the comparison: by the change of both boundaries (cells changing
        class) and of both test losses, so time goes where either picture moves."""
        prog = [flip_progress(recs[f"boundary_{t}"].steps, recs[f"boundary_{t}"].prob) for t in ("plain", "dropout")]
        prog += [loss_progress(recs[f"run_{t}"].test_loss, recs[f"run_{t}"].eval_steps, log=False)
                 for t in ("plain", "dropout")]
        return TimeWarp.from_progress(combine(prog), cls.train_time, floor=0.15, clock="log", tol=1e-2)

    sure = 0.99             # a test mistake counts as "sure" when the net gives the wrong class ≥ this

    @classmethod
    def mistakes(cls, recs, tag) -> dict:
        """The final net's test mistakes (run `tag`): how many, how many of them sure (P(wrong class)
        ≥ `sure`), and the share of the final test loss (mean cross-entropy) the sure ones make up."""
        run, bd = recs[f"run_{tag}"], recs[f"boundary_{tag}"]
        pt = model_from(run.config["problem"]["model"]).predict(run.thetas[-1], bd.X_test)[:, 0]
        y = np.asarray(bd.labels_test, bool)
        p_true = np.where(y, pt, 1 - pt)
        wrong = p_true < 0.5
        ce = -np.log(np.clip(p_true, 1e-300, 1.0))
        sure = wrong & (p_true <= 1 - cls.sure)
        return {"wrong": int(wrong.sum()), "sure": int(sure.sum()), "share": float(ce[sure].sum() / ce.sum())}

    @classmethod
    def verdicts(cls, recs, facts) -> dict:
        """The closing words under each panel and along the bottom (numbers from the records)."""
        fp, fd = facts["plain"], facts["dropout"]
        shorter = 1 - fd["cells"] / fp["cells"]
        both = max(fp["best_test"], fd["best_test"])
        mp, md = cls.mistakes(recs, "plain"), cls.mistakes(recs, "dropout")
        return {"plain": ("bends round the circled points;",
                          f"test loss {fp['best_test']:.2f} at step {fp['best_step']}, then {fp['final_test']:.2f}:",
                          f"{mp['sure']} of its {mp['wrong']} test mistakes ≥ {cls.sure:.0%} sure"),
                "dropout": (f"smoother: boundary {shorter:.0%} shorter;",
                            f"test loss {fd['best_test']:.2f} at step {fd['best_step']}, end {fd['final_test']:.2f}:",
                            f"{md['sure']} of its {md['wrong']} test mistakes ≥ {cls.sure:.0%} sure"),
                "why": (f"Why {fp['final_test']:.2f}: the plain net is over-confident; sure mistakes make "
                        f"{mp['share']:.0%} of it"),
                "early": f"Both reach about {both:.2f} (white rings); without dropout, stop in time"}

    def compare(self, recs, model, p):
        bd0 = recs["boundary_plain"]
        sub = label(f"{sizes_text(model.sizes)} net · {len(bd0.X)} noisy training points · "
                    f"{len(bd0.X_test)} new test points · one seed", size=24).next_to(self.mobjects[0], DOWN, buff=0.15)
        tracker = ValueTracker(0)
        total = int(recs["run_plain"].steps[-1])
        facts = dropout_summary(recs)
        words = self.verdicts(recs, facts)
        panels, planes, readouts, plots = [], [], [], {}
        self.test_curves = []
        all_loss = np.concatenate([recs[f"run_{t}"].train_loss for t in ("plain", "dropout")]
                                  + [recs[f"run_{t}"].test_loss for t in ("plain", "dropout")])
        y_range = (0.0, float(np.ceil(all_loss.max() * 5) / 5))
        for tag, name in (("plain", "no dropout"), ("dropout", f"dropout p = {p:g}")):
            run, bd = recs[f"run_{tag}"], recs[f"boundary_{tag}"]
            plane = DecisionPlane(bd.xs, bd.ys, bd.X, bd.labels, size=2.9, dot_radius=0.085, prob=bd.prob[0])
            plot = LossPlot({"train": run.train_loss}, colors={"train": theme.SPLIT["train"]},
                            steps={"train": run.eval_steps}, y_range=y_range,
                            width=2.2, height=2.45, legend=False, tracker=tracker,
                            x_ticks=2).next_to(plane, RIGHT, buff=0.25)
            test = DashedCurve(plot.axes, run.test_loss, run.eval_steps, color=theme.SPLIT["test"], tracker=tracker,
                               stroke_width=5)
            plot.add(test)
            head = text(name, size=28).next_to(VGroup(plane.frame, plot), UP, buff=0.25)
            final = Readout(tracker, lambda s, run=run: (
                f"train {run.train_loss[frame_index(run.eval_steps, s)]:.2f} · "
                f"test {run.test_loss[frame_index(run.eval_steps, s)]:.2f}"), size=24)
            panels.append(Group(plane, plot, head))
            planes.append((plane, bd))
            readouts.append(final)
            plots[tag] = plot
            self.test_curves.append(test)
        Group(*panels).arrange(RIGHT, buff=0.5).move_to([0, 0.55, 0])
        for pn, final in zip(panels, readouts):
            final.next_to(pn[0].frame, DOWN, buff=0.3).match_x(Group(pn[0].frame, pn[1]))
        legend = VGroup(
            VGroup(Line(ORIGIN, RIGHT * 0.5, color=theme.SPLIT["train"], stroke_width=4),
                   label("train loss (all units on)", size=24)).arrange(RIGHT, buff=0.12),
            VGroup(DashedLine(ORIGIN, RIGHT * 0.5, color=theme.SPLIT["test"], stroke_width=4, dash_length=0.1),
                   label("test loss (new points)", size=24)).arrange(RIGHT, buff=0.12))
        legend.arrange(RIGHT, buff=0.5).to_edge(DOWN, buff=0.3).to_edge(RIGHT, buff=0.5)
        counter = StepCounter(tracker, total=total, size=26).to_corner(DL, buff=0.3)

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
        self.wait(0.4)
        self.pause("verdict")

        # what differs: the points the plain net bends round, the plain run's best test loss, in words
        rings = VGroup(*[Circle(radius=0.19, color=theme.ACTIVE, stroke_width=4).move_to(plane.to_scene(*bd.X[i]))
                         for plane, bd in planes for i in facts["bent"]])
        best = VGroup(*[Circle(radius=0.15, color=theme.FOREGROUND, stroke_width=4).move_to(
            plots[tag].axes.c2p(facts[tag]["best_step"], facts[tag]["best_test"])) for tag in ("plain", "dropout")])
        verdict = []
        for pn, tag in zip(panels, ("plain", "dropout")):
            v = VGroup(*[text(w, size=24) for w in words[tag]])
            v.arrange(DOWN, buff=0.1).next_to(pn[0].frame, DOWN, buff=0.2).match_x(Group(pn[0].frame, pn[1]))
            verdict.append(v)
        early = text(words["early"], size=24).next_to(legend, UP, buff=0.15).set_x(0)
        why = text(words["why"], size=24, color=theme.ACTIVE).move_to(sub)   # the reason replaces the set-up line
        self.play(*[fade_out(m) for m in (*readouts, counter)], run_time=0.4)
        self.play(Create(rings), Create(best), *[fade_in(v) for v in verdict], run_time=0.8)
        self.play(fade_out(sub), run_time=0.3)
        self.play(fade_in(why), run_time=0.4)
        self.play(fade_in(early), run_time=0.4)
        self.wait(2.0)
        self.facts, self.words, self.rings, self.best_rings = facts, words, rings, best
        self.planes, self.compare_tracker = planes, tracker
