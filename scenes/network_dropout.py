"""Dropout: hidden units switched off at random at every training step (the seeded masks
the real run drew), then its effect: the same over-sized net on 40 noisy points, trained
with and without dropout — decision boundaries and train vs test loss side by side.

Records: experiment "network_dropout" (nnviz/experiments/networks.py).
"""
import numpy as np
from manim import DL, DOWN, DR, LEFT, RIGHT, UP, FadeIn, Group, FadeOut, ValueTracker, VGroup, linear

from nnviz import experiments, theme
from nnviz.display import sizes_text
from nnviz.experiments.networks import model_from
from nnviz.render.network import NetworkDiagram
from nnviz.render.planes import DecisionPlane, frame_index
from nnviz.render.plots import Legend, LossPlot
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
                                      input_labels=["x₁", "x₂"], output_labels=["ŷ"]).shift(DOWN * 0.3 + LEFT * 2.4)
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
        self.play(FadeIn(title), FadeIn(sub), FadeIn(d), FadeIn(counter), FadeIn(dropped), FadeIn(note), run_time=0.8)
        d.add_updater(show)
        self.play(step.animate.set_value(self.mask_steps - 1), run_time=self.mask_time * self.mask_steps,
                  rate_func=linear)
        d.remove_updater(show)
        self.wait(0.3)
        self.mask_diagram, self.mask_tracker = d, step
        self.play(*[FadeOut(m) for m in (d, counter, dropped, note, sub)], run_time=0.5)
        self.compare(recs, model, p)

    def compare(self, recs, model, p):
        bd0 = recs["boundary_plain"]
        sub = label(f"{sizes_text(model.sizes)} net on {len(bd0.X)} noisy points "
                    f"({len(bd0.X_test)} held-out test points)", size=20).next_to(self.mobjects[0], DOWN, buff=0.15)
        tracker = ValueTracker(0)
        total = int(recs["run_plain"].steps[-1])
        panels, planes = [], []
        all_loss = np.concatenate([recs[f"run_{t}"].train_loss for t in ("plain", "dropout")]
                                  + [recs[f"run_{t}"].test_loss for t in ("plain", "dropout")])
        y_range = (0.0, float(np.ceil(all_loss.max() * 5) / 5))
        for tag, name in (("plain", "no dropout"), ("dropout", f"dropout p = {p:g}")):
            run, bd = recs[f"run_{tag}"], recs[f"boundary_{tag}"]
            plane = DecisionPlane(bd.xs, bd.ys, bd.X, bd.labels, size=2.7, dot_radius=0.05, prob=bd.prob[0])
            plot = LossPlot({"train": run.train_loss, "test": run.test_loss},
                            colors={"train": theme.ACTIVE, "test": theme.GRADIENT},
                            steps={"train": run.eval_steps, "test": run.eval_steps}, y_range=y_range,
                            width=2.3, height=2.1, legend=False, tracker=tracker,
                            x_ticks=2).next_to(plane, RIGHT, buff=0.4)
            head = text(name, size=26).next_to(VGroup(plane.frame, plot), UP, buff=0.3)
            final = Readout(tracker, lambda s, run=run: (
                f"train {run.train_loss[frame_index(run.eval_steps, s)]:.2f} · "
                f"test {run.test_loss[frame_index(run.eval_steps, s)]:.2f}"), size=20)
            final.next_to(VGroup(plane.frame, plot), DOWN, buff=0.3)
            panels.append(Group(plane, plot, head, final))
            planes.append((plane, bd))
        Group(*panels).arrange(RIGHT, buff=0.8).move_to([0, -0.35, 0])
        legend = Legend({"train loss": theme.ACTIVE, "test loss": theme.GRADIENT})
        legend.to_corner(DR, buff=0.3)
        counter = StepCounter(tracker, total=total, size=22).to_corner(DL, buff=0.3)

        for plane, _ in planes:
            self.add(plane.image)
        parts = [m for pn in panels for m in (pn[0].frame, pn[0].dots, *pn[1:])]
        self.play(FadeIn(sub), *[FadeIn(m) for m in parts], FadeIn(legend), FadeIn(counter), run_time=0.8)
        for plane, bd in planes:
            plane.follow(tracker, bd.prob, bd.steps)
        self.play(tracker.animate.set_value(total), run_time=self.train_time, rate_func=linear)
        for plane, _ in planes:
            plane.unfollow()
        self.wait(1.0)
        self.planes, self.compare_tracker = planes, tracker
