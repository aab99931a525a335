"""Learning-rate decay: SGD with a fixed rate keeps bouncing in a noise ball around the minimum;
step, exponential, inverse-time and cosine schedules shrink the step, and with it the ball.
Left: the schedules as curves and the distance to the minimum over steps. Right: a zoom on the
minimum of the exact line-fit surface, where each run's noise ball is drawn as a circle around ★
whose radius is its mean distance to ★ over the last k steps — the fixed rate's circle stays,
the decayed ones shrink to a point. Each run's current θ moves with a short fading tail.

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
SIZE = 24          # every text on screen (readable at 854×480)


class DynamicsLRDecay(ThemedScene):
    experiment = "dynamics_lr_decay"
    run_time = 9.0
    tail_length = 6
    inset = 0.1          # the magnifier's half-width around ★ (data units)

    def construct(self):
        rec = experiments.load(self.experiment)
        tails, surf = rec["tails"], rec["surface"]
        m = tails.meta
        order, seed, k = m["order"], m["shown_seed"], m["tail"]
        runs = {s: rec[f"{s}_{seed}"] for s in order}
        cols = {s: color("schedule", s) for s in order}
        steps = m["steps"]
        title = heading("Learning-rate decay shrinks SGD's noise ball", size=32, buff=0.2)
        sub = label(f"SGD, one example per step, on a line fit: same start and examples, η₀ = {m['lr']:g}",
                    size=SIZE, color=theme.FOREGROUND).next_to(title, mn.DOWN, buff=0.1)
        legend = mn.VGroup(*Legend([(NAMES[s], cols[s]) for s in order], font_size=SIZE).rows.values())
        legend.arrange(mn.RIGHT, buff=0.35).next_to(sub, mn.DOWN, buff=0.15).to_edge(mn.LEFT, buff=0.4)

        t = mn.ValueTracker(0.0)
        sched = LossPlot({NAMES[s]: runs[s].lr for s in order}, colors={NAMES[s]: cols[s] for s in order},
                         y_range=(0.0, 0.32), width=6.6, height=1.5, tracker=t, legend=False,
                         x_label="", y_label="rate η")
        wmin = np.asarray(m["minimum"])
        ball = {s: trailing_mean(distances(runs[s], wmin), k) for s in order}
        dist = LossPlot({NAMES[s]: np.log10(ball[s]) for s in order},
                        colors={NAMES[s]: cols[s] for s in order}, y_range=(-2.0, 0.6), width=6.6, height=1.75,
                        tracker=t, legend=False, x_label="step", y_label="log₁₀ radius")
        head = text(f"noise-ball radius: mean distance to ★, last {k} steps", size=SIZE)
        left = mn.VGroup(sched, head, dist).arrange(mn.DOWN, buff=0.15, aligned_edge=mn.RIGHT)
        left.to_edge(mn.LEFT, buff=0.4).next_to(legend, mn.DOWN, buff=0.3, coor_mask=np.array([0, 1, 0]))
        why = text("each step moves θ by η × a noisy gradient:\n"
                   "big η early to get close, small η late to settle", size=SIZE, color=theme.FOREGROUND)
        why.next_to(left, mn.DOWN, buff=0.2).to_edge(mn.LEFT, buff=0.4)

        # the zoom on ★: equal w and b ranges, so a circle in data units is a circle on screen
        ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], width=3.3, height=3.3, n_ticks=4, font_size=SIZE,
                          frame="box", x_label="slope w", y_label="intercept b")
        contours = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=10, color=theme.MUTED,
                              stroke_width=1.5).set_stroke(opacity=0.6)
        mn.VGroup(ax, contours).to_edge(mn.RIGHT, buff=0.35).align_to(left, mn.UP)   # placed before the marks
        # ★ drawn as an outline, so the smallest circles stay visible through it
        star = mn.Star(5, outer_radius=0.1, color=theme.FOREGROUND, fill_opacity=0, stroke_width=2).move_to(ax.c2p(*wmin))
        unit = (ax.c2p(wmin[0] + 1.0, wmin[1]) - ax.c2p(*wmin))[0]
        fits = float(min(np.ptp(surf.xs), np.ptp(surf.ys))) / 2 * 0.97

        def circle(s):
            def draw():
                i = int(np.clip(np.floor(t.get_value() + 1e-9), 0, len(ball[s]) - 1))
                r = float(ball[s][i])
                c = mn.Circle(radius=min(r, fits) * unit, color=cols[s], stroke_width=3.5).move_to(star)
                return c.set_stroke(opacity=1.0 if r <= fits else 0.0)   # a ball larger than the zoom is not drawn
            return mn.always_redraw(draw)

        balls = [circle(s) for s in order]
        heads = [FadingTail(ax, runs[s].thetas, t, color=cols[s], length=self.tail_length, radius=0.07)
                 for s in order]
        # a magnifier in the zoom's corner: ±`inset` around ★, where the decayed balls end
        side, half = 1.25, float(self.inset)
        box = mn.Square(side, stroke_color=theme.FOREGROUND, stroke_width=2, fill_color=theme.BACKGROUND,
                        fill_opacity=1).move_to(ax.axes.get_corner(mn.UR) + 0.5 * side * mn.DL + 0.06 * mn.DL)
        mark = mn.Square(2 * half * unit, stroke_color=theme.FOREGROUND, stroke_width=1.5).move_to(star)
        enlarged = 0.5 * side / half / unit

        def small(s):
            def draw():
                i = int(np.clip(np.floor(t.get_value() + 1e-9), 0, len(ball[s]) - 1))
                r = float(ball[s][i])
                c = mn.Circle(radius=min(r, half) / half * 0.5 * side, color=cols[s], stroke_width=3).move_to(box)
                return c.set_stroke(opacity=1.0 if r <= 0.95 * half else 0.0)
            return mn.always_redraw(draw)

        inset = mn.VGroup(box, *[small(s) for s in order[::-1]],
                          mn.Star(5, outer_radius=0.08, color=theme.FOREGROUND, fill_opacity=0, stroke_width=2
                                  ).move_to(box))
        right = mn.VGroup(ax, contours, *balls[::-1], *heads[::-1], star, mark, inset)
        counter = StepCounter(t, total=steps, size=SIZE)
        counter.next_to(ax, mn.DOWN, buff=0.15).align_to(ax, mn.LEFT)
        zoom_note = text(f"circles: each run's radius;\ncorner: □ enlarged ×{enlarged:.1f}", size=SIZE)
        zoom_note.next_to(counter, mn.DOWN, buff=0.12).align_to(ax, mn.LEFT)
        self.add(title, sub, legend, left, why, right, zoom_note, counter)     # the poster frame: every panel
        self.pause("descent")
        # video time follows what changes: the moving points and the distance curves
        prog = combine([path_progress(r.thetas, r.steps, bounds=ax.bounds) for r in runs.values()]
                       + [loss_progress(ball[s]) for s in order])
        warp = TimeWarp.from_progress(prog, self.run_time, clock="linear")
        t.set_value(warp.first_step)
        self.play(warp.animate(t))
        self.pause("verdict")

        base = tails.columns["constant"]
        decays = [s for s in order if s != "constant"]
        lo = min(tails.columns[s][seed] for s in decays)
        hi = max(tails.columns[s][seed] for s in decays)
        closer = all(np.all(tails.columns[s] < base) for s in decays)
        verdict = mn.VGroup(
            text(f"radius at step {steps}:", size=SIZE),
            text(f"fixed η: {base[seed]:.3f}", size=SIZE, color=cols["constant"]),
            text(f"decays: {lo:.3f}–{hi:.3f}", size=SIZE),
            text(f"closer on all {len(base)} seeds" if closer else "not closer on every seed", size=SIZE),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08)
        verdict.next_to(ax, mn.DOWN, buff=0.15).align_to(ax, mn.LEFT)
        self.play(mn.FadeOut(zoom_note), mn.FadeOut(counter), run_time=0.4)   # old texts leave before new ones come
        self.play(mn.FadeIn(verdict), run_time=0.8)
        self.wait(2.0)
