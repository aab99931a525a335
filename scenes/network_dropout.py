"""Dropout: hidden units switched off at random at every training step (the seeded masks
the real run drew), then its effect: the same over-sized net on 40 noisy points, trained
with and without dropout — decision boundaries and train vs test loss side by side.

Records: experiment "network_dropout" (nnviz/experiments/networks.py).
"""
import numpy as np
from manim import (DL, DOWN, LEFT, ORIGIN, RIGHT, UP, DashedLine, Group, Line, ValueTracker,
                   VGroup, linear)

from nnviz import experiments, theme
from nnviz.render.fades import fade_in, fade_out
from nnviz.display import input_names, sizes_text
from nnviz.experiments.networks import model_from
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

        title = heading("Dropout", size=34)
        sub = label(f"each training step, every hidden unit is switched off with probability p = {p:g}",
                    size=20).next_to(title, DOWN, buff=0.15)
        d = NetworkDiagram.from_model(model, run.thetas[0], width=5.8, height=3.8, radius=0.16,
                                      input_labels=input_names(2), output_labels=["ŷ"], strong_per_neuron=3).shift(DOWN * 0.3 + LEFT * 2.4)
        step = ValueTracker(0)
        names = sorted(masks.masks)

        def show(_m):
            t = int(np.floor(step.get_value() + 1e-9))
            d.set_weights(run.thetas[frame_index(run.steps, t)])
            for j, nm in enumerate(names, start=1):
                d.set_dropped(j, masks.masks[nm][t])

        show(d)
        counter = StepCounter(step, size=24).next_to(d, RIGHT, buff=0.7).shift(UP * 0.6)
        dropped = Readout(step, lambda s: "units off: " + " · ".join(
            f"{nm} {int((1 - masks.masks[nm][int(s)]).sum())}/{masks.masks[nm].shape[1]}" for nm in names),
            size=22).next_to(counter, DOWN, buff=0.25).align_to(counter, LEFT)
        note = label("grey = dropped this step\n(mask of one training example;\nat test time all units are on)",
                     size=18, line_spacing=0.6).next_to(dropped, DOWN, buff=0.35).align_to(counter, LEFT)
        self.add(title, sub, d, counter, dropped, note)      # the first frame is already the picture
        self.wait(0.8)
        d.add_updater(show)
        self.play(step.animate.set_value(self.mask_steps - 1), run_time=self.mask_time * self.mask_steps,
                  rate_func=linear)
        d.remove_updater(show)
        self.wait(0.3)
        self.mask_diagram, self.mask_tracker = d, step
        self.pause("effect")
        self.play(*[fade_out(m) for m in (d, counter, dropped, note, sub)], run_time=0.5)
        self.compare(recs, model, p)

    @classmethod
    def warp(cls, recs) -> TimeWarp:
        """Video time ↦ step for the comparison: by the change of both boundaries (cells changing
        class) and of both test losses, so time goes where either picture moves."""
        prog = [flip_progress(recs[f"boundary_{t}"].steps, recs[f"boundary_{t}"].prob) for t in ("plain", "dropout")]
        prog += [loss_progress(recs[f"run_{t}"].test_loss, recs[f"run_{t}"].eval_steps, log=False)
                 for t in ("plain", "dropout")]
        return TimeWarp.from_progress(combine(prog), cls.train_time, floor=0.15, clock="log", tol=1e-2)

    def compare(self, recs, model, p):
        bd0 = recs["boundary_plain"]
        sub = label(f"{sizes_text(model.sizes)} net on {len(bd0.X)} noisy points "
                    f"({len(bd0.X_test)} held-out test points)", size=20).next_to(self.mobjects[0], DOWN, buff=0.15)
        tracker = ValueTracker(0)
        total = int(recs["run_plain"].steps[-1])
        panels, planes = [], []
        self.test_curves = []
        all_loss = np.concatenate([recs[f"run_{t}"].train_loss for t in ("plain", "dropout")]
                                  + [recs[f"run_{t}"].test_loss for t in ("plain", "dropout")])
        y_range = (0.0, float(np.ceil(all_loss.max() * 5) / 5))
        for tag, name in (("plain", "no dropout"), ("dropout", f"dropout p = {p:g}")):
            run, bd = recs[f"run_{tag}"], recs[f"boundary_{tag}"]
            plane = DecisionPlane(bd.xs, bd.ys, bd.X, bd.labels, size=2.95, dot_radius=0.08, prob=bd.prob[0])
            plot = LossPlot({"train": run.train_loss}, colors={"train": theme.SPLIT["train"]},
                            steps={"train": run.eval_steps}, y_range=y_range,
                            width=2.1, height=2.2, legend=False, tracker=tracker,
                            x_ticks=2).next_to(plane, RIGHT, buff=0.3)
            test = DashedCurve(plot.axes, run.test_loss, run.eval_steps, color=theme.SPLIT["test"], tracker=tracker)
            plot.add(test)
            head = text(name, size=26).next_to(VGroup(plane.frame, plot), UP, buff=0.3)
            final = Readout(tracker, lambda s, run=run: (
                f"train {run.train_loss[frame_index(run.eval_steps, s)]:.2f} · "
                f"test {run.test_loss[frame_index(run.eval_steps, s)]:.2f}"), size=22)
            final.next_to(VGroup(plane.frame, plot), DOWN, buff=0.3)
            panels.append(Group(plane, plot, head, final))
            planes.append((plane, bd))
            self.test_curves.append(test)
        Group(*panels).arrange(RIGHT, buff=0.55).move_to([0, -0.4, 0])
        legend = VGroup(
            VGroup(Line(ORIGIN, RIGHT * 0.5, color=theme.SPLIT["train"], stroke_width=4),
                   label("train loss", size=20)).arrange(RIGHT, buff=0.12),
            VGroup(DashedLine(ORIGIN, RIGHT * 0.5, color=theme.SPLIT["test"], stroke_width=4, dash_length=0.1),
                   label(f"test loss ({len(bd0.X_test)} held-out points)", size=20)).arrange(RIGHT, buff=0.12))
        legend.arrange(RIGHT, buff=0.5).to_edge(DOWN, buff=0.25).shift(RIGHT * 1.5)
        counter = StepCounter(tracker, total=total, size=22).to_corner(DL, buff=0.3)

        for plane, _ in planes:
            self.add(plane.image)
        parts = [m for pn in panels for m in (pn[0].frame, pn[0].dots, *pn[1:])]
        self.play(fade_in(sub), *[fade_in(m) for m in parts], fade_in(legend), fade_in(counter), run_time=0.8)
        self.pause("compare")
        for plane, bd in planes:
            plane.follow(tracker, bd.prob, bd.steps)
        warp = self.warp(recs)
        tracker.set_value(warp.first_step)
        self.play(warp.animate(tracker))
        for plane, _ in planes:
            plane.unfollow()
        rp, rd = recs["run_plain"], recs["run_dropout"]
        best = int(np.argmin(rp.test_loss))
        verdict = VGroup(
            text(f"no dropout: train loss → {rp.train_loss[-1]:.2f}, test loss → {rp.test_loss[-1]:.2f}"
                 f" (lowest {rp.test_loss[best]:.2f} at step {int(rp.eval_steps[best])}): it memorises the 40 points",
                 size=20),
            text(f"dropout: test loss ends at {rd.test_loss[-1]:.2f}: a smoother boundary that holds on new points",
                 size=20, color=theme.ACTIVE))
        verdict.arrange(DOWN, aligned_edge=LEFT, buff=0.1).to_edge(DOWN, buff=0.2)
        self.play(fade_out(legend), fade_out(counter), fade_in(verdict), run_time=0.6)
        self.wait(1.5)
        self.verdict_numbers = (rp.train_loss[-1], rp.test_loss[-1], rp.test_loss[best], rd.test_loss[-1])
        self.planes, self.compare_tracker = planes, tracker
