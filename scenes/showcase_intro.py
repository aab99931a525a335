"""Title card of the showcase: what nnviz is, in one picture.

A recorded training run (the spirals network, nnviz's own record) drawn as nnviz draws
everything: the decision boundary over the input plane bending into the spirals while the loss
curve falls on a log axis, step counter and accuracy in step with the picture. Time follows the
boundary's change (render/pacing.py), as in the training scenes. The first frame is already the
whole card with the untrained boundary (it is the GIF's poster); the last is the solved spirals.

    manim -ql scenes/showcase_intro.py ShowcaseIntro
    nnviz render scenes/showcase_intro.py -ql --format gif
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.display import sizes_text
from nnviz.experiments.networks import model_from
from nnviz.render.pacing import TimeWarp
from nnviz.render.planes import DecisionPlane, flip_progress, frame_index
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedScene, label, text
from nnviz.render.widgets import Readout, StepCounter


def refine(grid, k: int) -> np.ndarray:
    """A (ny, nx) grid bilinearly interpolated onto a k× finer grid over the same extent."""
    g = np.asarray(grid, float)
    ny, nx = g.shape
    ys, xs = np.linspace(0, ny - 1, k * ny), np.linspace(0, nx - 1, k * nx)
    rows = np.stack([np.interp(xs, np.arange(nx), r) for r in g])            # (ny, k·nx)
    return np.stack([np.interp(ys, np.arange(ny), c) for c in rows.T], axis=1)  # (k·ny, k·nx)


class ShowcaseIntro(ThemedScene):
    title = "nnviz"
    tagline = "train small networks in NumPy · record everything · animate how they learn"
    experiment = "network_training_spirals"
    run_time = 4.0          # seconds while the boundary changes
    tail_time = 1.0         # then the rest of the run, fast-forwarded

    @classmethod
    def warp(cls, bd) -> TimeWarp:
        """Video time ↦ training step while the boundary changes (grid cells changing class)."""
        w = TimeWarp.from_progress(flip_progress(bd.steps, bd.prob), cls.run_time, floor=0.15,
                                   clock="log", tol=1e-2)
        return TimeWarp(w.times, w.steps)

    @classmethod
    def step_at_time(cls, run, bd):
        """The scene's whole step-at-time mapping (paced part, then the fast-forwarded tail)."""
        return cls.warp(bd).with_tail(cls.tail_time, run.steps[-1])

    def construct(self):
        recs = experiments.load(self.experiment)
        run, bd = recs["run"], recs["boundary"]
        opt = run.config["optimizer"]["name"]
        total = int(run.steps[-1])
        model = model_from(run.config["problem"]["model"])
        t = mn.ValueTracker(0)

        title = text(self.title, size=60, weight=mn.BOLD).to_edge(mn.UP, buff=0.3)
        tag = label(self.tagline, size=24, color=theme.FOREGROUND).next_to(title, mn.DOWN, buff=0.25)

        # the hero: the recorded decision boundary over the input plane
        plane = DecisionPlane(bd.xs, bd.ys, bd.X, bd.labels, size=4.5, dot_radius=0.055,
                              prob=refine(bd.prob[0], 3)).move_to([-4.4, -1.05, 0])

        # beside it: what this is, the recorded loss, the counters
        what = text(f"a {sizes_text(model.sizes)} net fits {len(bd.X)} spiral points", size=28)
        what.move_to([0, 1.85, 0]).align_to([-1.6, 0, 0], mn.LEFT)
        # the loss on a log step axis: the early steps, where the boundary moves most, get their room
        steps = np.arange(len(run.loss), dtype=float)
        plot = LossPlot({opt: run.loss[1:]}, steps={opt: steps[1:]}, colors={opt: theme.FOREGROUND}, log_y=True,
                        log_x=True, x_range=(1, total), width=6.2, height=2.4, tracker=t, legend=False, x_ticks=4,
                        y_label="loss")
        plot.next_to(what, mn.DOWN, buff=0.3).align_to(what, mn.LEFT)
        counter = StepCounter(t, total=total, size=26)
        acc = Readout(t, lambda s: f"train accuracy {run.train_acc[frame_index(run.eval_steps, s)]:.0%}",
                      size=26, color=theme.ACTIVE)
        counter.next_to(plot, mn.DOWN, buff=0.25).align_to(what, mn.LEFT)
        acc.align_to(counter, mn.DOWN).align_to(plot, mn.RIGHT)
        src = label("background: the class predicted there · dots: the true class · from the record",
                    size=24, color=theme.FOREGROUND).to_edge(mn.DOWN, buff=0.2)

        # the first frame is the whole card (the GIF's poster): the untrained boundary, captioned
        self.add(plane.image)
        self.add(title, tag, plane.frame, plane.dots, what, plot, counter, acc, src)
        self.wait(0.6)
        warp = self.warp(bd)
        memo = {}

        def fine(_m):      # the recorded grid, bilinearly refined 3× before colouring: no staircase edges
            k = frame_index(bd.steps, t.get_value())
            if memo.get("k") != k:
                memo["k"] = k
                plane.set_prob(refine(bd.prob[k], 3))
        plane.image.add_updater(fine)
        t.set_value(warp.first_step)
        self.play(warp.animate(t))
        if warp.end_step < total:            # the boundary has stopped changing: say so, the rest quickly
            k = frame_index(run.eval_steps, warp.end_step)
            ff = label(f"from step {int(warp.end_step)}: {run.train_acc[k]:.0%} right, the loss keeps falling",
                       size=24, color=theme.FOREGROUND).next_to(counter, mn.DOWN, buff=0.2).align_to(counter, mn.LEFT)
            self.play(mn.FadeIn(ff), run_time=0.2)
            self.play(t.animate(run_time=self.tail_time, rate_func=mn.linear).set_value(total))
        plane.image.clear_updaters()
        self.wait(1.0)
        self.plane, self.plot, self.tracker, self.warp_used = plane, plot, t, warp   # for tests
