"""Learning-rate regimes: one bowl, one start, four learning rates chosen from λₘₐₓ
(slow, smooth, oscillating, diverging), steps on contour maps and loss curves on a
log axis growing in sync; the diverging run leaves its panel with a marker.

    manim -ql scenes/descent_regimes.py DescentRegimes
"""
import manim as mn

from nnviz import experiments
from nnviz.render.plots import LabelledAxes, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap, until_exit
from nnviz.render.widgets import DescentPath, StepCounter


class DescentRegimes(ThemedScene):
    experiment = "descent_regimes"
    regimes = ("slow", "smooth", "oscillating", "diverging")
    panel_size = 2.25
    run_time = 9.0

    def construct(self):
        rec = experiments.load(self.experiment)
        surf = rec["surface"]
        first = rec[self.regimes[0]]
        lam, steps = first.meta["lambda_max"], max(rec[r].n_steps for r in self.regimes)
        title = heading("Learning rate: slow, smooth, oscillating, diverging", size=32, buff=0.25)
        sub = label(f"λₘₐₓ = {lam:g} (steepest curvature):  gradient descent is stable only if η·λₘₐₓ < 2",
                    size=22).next_to(title, mn.DOWN, buff=0.12)
        self.add(title, sub)

        t = mn.ValueTracker(0.0)
        panels = mn.VGroup()
        paths = []
        for name in self.regimes:
            run = rec[name]
            ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], width=self.panel_size, height=self.panel_size,
                              n_ticks=2, font_size=14, frame="box")
            contours = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=9)
            pts, st = until_exit(run.thetas, ax.bounds, run.steps)
            path = DescentPath(pts, ax, steps=st, color=color("regime", name), tracker=t,
                               diverged_at=run.diverged_at, stroke_width=3)
            cap = text(f"{name}\nη = {run.meta['lr']:.3g}, η·λ = {run.meta['eta_lambda']:g}", size=17,
                       color=color("regime", name), line_spacing=0.8)
            panel = mn.VGroup(ax, contours, path)
            cap.next_to(ax.axes, mn.UP, buff=0.08)
            panels.add(mn.VGroup(panel, cap))
            paths.append(path)
        panels.arrange_in_grid(2, 2, buff=(0.45, 0.25)).to_edge(mn.LEFT, buff=0.5).to_edge(mn.DOWN, buff=0.2)

        plot = LossPlot({r: rec[r].loss for r in self.regimes}, colors={r: color("regime", r) for r in self.regimes},
                        log_y=True, width=3.8, height=4.2, tracker=t, x_label="step", y_label="loss (log scale)")
        plot.to_edge(mn.RIGHT, buff=0.2).to_edge(mn.DOWN, buff=0.6)
        counter = StepCounter(t, total=steps, size=24).next_to(plot, mn.UP, buff=0.25).align_to(plot, mn.LEFT)
        self.add(panels, plot, counter)
        t.set_value(0.0)
        self.wait(0.5)
        self.play(t.animate.set_value(steps), run_time=self.run_time, rate_func=mn.linear)
        self.wait(1.5)
