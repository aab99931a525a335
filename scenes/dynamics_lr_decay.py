"""Learning-rate decay: SGD with a fixed rate keeps bouncing in a noise ball around the minimum;
step, exponential, inverse-time and cosine schedules shrink the step, and with it the ball.
The schedules as curves, the paths on the exact line-fit surface (zoomed on the minimum, each
with a short fading tail), and the mean distance to the minimum over the last k steps.

    manim -ql scenes/dynamics_lr_decay.py DynamicsLRDecay
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.dynamics import distances, trailing_mean
from nnviz.render.marks import FadingTail
from nnviz.render.pacing import TimeWarp, combine, loss_progress, path_progress
from nnviz.render.plots import LabelledAxes, Legend, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap
from nnviz.render.widgets import StepCounter

NAMES = {"constant": "fixed η", "step": "step", "exponential": "exponential", "inverse_time": "inverse time",
         "cosine": "cosine"}


class DynamicsLRDecay(ThemedScene):
    experiment = "dynamics_lr_decay"
    run_time = 9.0
    tail_length = 25

    def construct(self):
        rec = experiments.load(self.experiment)
        tails, surf = rec["tails"], rec["surface"]
        m = tails.meta
        order, seed, k = m["order"], m["shown_seed"], m["tail"]
        runs = {s: rec[f"{s}_{seed}"] for s in order}
        cols = {s: color("schedule", s) for s in order}
        steps = m["steps"]
        title = heading("Learning-rate decay shrinks SGD's noise ball", size=30, buff=0.2)
        sub = label(f"SGD, one example per step, on the exact line fit: same start, η₀ = {m['lr']:g}, "
                    f"{steps} steps, same example order", size=18).next_to(title, mn.DOWN, buff=0.1)
        legend = mn.VGroup(*Legend([(NAMES[s], cols[s]) for s in order], font_size=18).rows.values())
        legend.arrange(mn.RIGHT, buff=0.4).next_to(sub, mn.DOWN, buff=0.15)
        self.add(title, sub, legend)

        t = mn.ValueTracker(0.0)
        sched = LossPlot({NAMES[s]: runs[s].lr for s in order}, colors={NAMES[s]: cols[s] for s in order},
                         y_range=(0.0, 0.32), width=5.0, height=1.4, tracker=t, legend=False,
                         x_label="", y_label="rate ηₜ")
        wmin = np.asarray(m["minimum"])
        dist = LossPlot({NAMES[s]: np.log10(trailing_mean(distances(runs[s], wmin), k)) for s in order},
                        colors={NAMES[s]: cols[s] for s in order}, y_range=(-2.0, 0.6), width=5.0, height=1.6,
                        tracker=t, legend=False, x_label="step", y_label="log₁₀ distance")
        left = mn.VGroup(sched, dist).arrange(mn.DOWN, buff=0.45, aligned_edge=mn.RIGHT)
        left.to_edge(mn.LEFT, buff=0.45).next_to(legend, mn.DOWN, buff=0.3, coor_mask=np.array([0, 1, 0]))
        note = label(f"distance to ★: mean over the last {k} steps", size=16).next_to(dist.axes.axes, mn.UP,
                                                                                      buff=0.05)
        note.align_to(dist.axes.axes, mn.RIGHT)
        why = label("why: each step moves θ by η × a noisy one-example gradient,\n"
                    "so the smaller η gets, the smaller the ball", size=18, color=theme.FOREGROUND)
        why.next_to(dist, mn.DOWN, buff=0.2).align_to(dist, mn.LEFT)

        ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], width=2.9, height=2.9, n_ticks=3, font_size=16,
                          frame="box", x_label="slope w", y_label="intercept b")
        contours = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=10, color=theme.MUTED,
                              stroke_width=1.0).set_stroke(opacity=0.5)
        heads = [FadingTail(ax, runs[s].thetas, t, color=cols[s], length=self.tail_length) for s in order]
        star = mn.Star(5, outer_radius=0.1, color=theme.FOREGROUND, fill_opacity=1).move_to(ax.c2p(*wmin))
        right = mn.VGroup(ax, contours, star, *heads[::-1])
        right.to_edge(mn.RIGHT, buff=0.5).next_to(legend, mn.DOWN, buff=0.3, coor_mask=np.array([0, 1, 0]))
        counter = StepCounter(t, total=steps, size=20).next_to(ax, mn.LEFT, buff=0.4).align_to(ax.axes, mn.UP)
        self.add(left, note, why, right, counter)
        self.pause("descent")
        # video time follows what changes: the moving points and the distance curves
        prog = combine([path_progress(r.thetas, r.steps, bounds=ax.bounds) for r in runs.values()]
                       + [loss_progress(trailing_mean(distances(r, wmin), k)) for r in runs.values()])
        warp = TimeWarp.from_progress(prog, self.run_time, clock="linear")
        t.set_value(warp.first_step)
        self.play(warp.animate(t))
        self.pause("verdict")

        base = tails.columns["constant"]
        lines = [text(f"last {k} steps, mean distance to ★", size=18),
                 text(f"seed {seed}  (range over {len(base)} seeds)", size=16, color=theme.MUTED)]
        for s in order:
            v = tails.columns[s]
            lines.append(text(f"{NAMES[s]}: {v[seed]:.3f}  ({v.min():.3f}–{v.max():.3f})", size=18, color=cols[s]))
        closer = all(np.all(tails.columns[s] < base) for s in order if s != "constant")
        lines.append(text("every decay ends closer than fixed η,\non every seed" if closer else
                          "not every decay ends closer on every seed", size=18))
        verdict = mn.VGroup(*lines).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06)
        verdict.next_to(ax, mn.DOWN, buff=0.2).to_edge(mn.RIGHT, buff=0.35)
        self.play(mn.FadeIn(verdict), run_time=0.8)
        self.wait(2.0)
