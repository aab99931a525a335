"""Learning-rate regimes: one bowl, one start, five learning rates of plain gradient descent (slow,
smooth, the best fixed rate 2/(λ_min+λ_max), oscillating, diverging). Steps on contour maps and loss
curves on a log axis grow in sync, paced by how far the paths move; each panel states its two
per-direction factors |1 − ηλ| — the larger one sets the pace, which is why the oscillating run
ends below the smooth one. The diverging run leaves its panel with a marker.

    manim -ql scenes/descent_regimes.py DescentRegimes
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.descent import REGIME_ORDER
from nnviz.render.pacing import TimeWarp, combine, path_progress
from nnviz.render.plots import LabelledAxes, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap, until_exit
from nnviz.render.widgets import DescentPath, StepCounter

NAMES = {"slow": "slow", "smooth": "smooth", "optimal": "best", "oscillating": "oscillating",
         "diverging": "diverging"}


def regimes_warp(rec, regimes, run_time: float) -> TimeWarp:
    """Time follows the drawn path length of all panels together (each run's share of its own
    length, until it leaves its panel)."""
    s = rec["surface"]
    b = [s.xs[[0, -1]], s.ys[[0, -1]]]
    prog = combine([path_progress(rec[r].thetas, rec[r].steps, b, [np.ptp(s.xs), np.ptp(s.ys)]) for r in regimes])
    return TimeWarp.from_progress(prog, run_time, last_step=max(rec[r].n_steps for r in regimes))


def slowest(rec, regimes):
    """(regime, its larger factor, which axis) from the records, slowest first: the pace of each run."""
    out = []
    for r in sorted(regimes, key=lambda r: -rec[r].meta["rate"]):
        f = rec[r].meta["factors"]
        axis = "both" if abs(f["flat"] - f["steep"]) < 1e-9 else ("flat" if f["flat"] > f["steep"] else "steep")
        out.append((r, rec[r].meta["rate"], axis))
    return out


def why_lines(rec, converging) -> mn.VGroup:
    rows = [text("The larger factor sets", size=18), text("the pace:", size=18)]
    for r, rate, axis in slowest(rec, converging):
        rows.append(text(f"  {NAMES[r]} ×{rate:.2f} ({axis})", size=18, color=color("regime", r)))
    rows += [text("Oscillating beats smooth:", size=18),
             text("it crawls along the", size=18), text("flat axis. The best", size=18),
             text("fixed η = 2/(λₘᵢₙ+λₘₐₓ)", size=18),
             text(f"= {rec['optimal'].learning_rate:.3g} makes both", size=18), text("factors equal.", size=18)]
    return mn.VGroup(*rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.07)


class DescentRegimes(ThemedScene):
    experiment = "descent_regimes"
    regimes = REGIME_ORDER
    panel_size = 2.0
    run_time = 9.0

    def construct(self):
        rec = experiments.load(self.experiment)
        surf = rec["surface"]
        first = rec[self.regimes[0]]
        lam, lam_min = first.meta["lambda_max"], first.meta["lambda_min"]
        steps = max(rec[r].n_steps for r in self.regimes)
        title = heading("Learning rate: slow, smooth, best, oscillating, diverging", size=30, buff=0.2)
        sub = label(f"one bowl, plain GD: curvature λₘₐₓ = {lam:.3g} (steep axis), λₘᵢₙ = {lam_min:.3g} (flat axis); "
                    "stable iff η·λₘₐₓ < 2", size=19).next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)

        t = mn.ValueTracker(0.0)
        panels = mn.VGroup()
        moving = []  # what changes each frame; everything else is drawn once (manim keeps a static image)
        for name in self.regimes:
            run = rec[name]
            ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], width=self.panel_size, height=self.panel_size,
                              n_ticks=2, font_size=16, frame="box")
            contours = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=7, color=theme.MUTED,
                                  stroke_width=1.4).set_stroke(opacity=0.8)
            pts, st = until_exit(run.thetas, ax.bounds, run.steps)
            path = DescentPath(pts, ax, steps=st, color=color("regime", name), tracker=t,
                               diverged_at=run.diverged_at, stroke_width=3, head_radius=0.07,
                               outline=theme.BACKGROUND)
            star = mn.Star(n=5, outer_radius=0.1, color=color(theme.FOREGROUND), fill_opacity=1,
                           stroke_color=color(theme.BACKGROUND), stroke_width=1.5).move_to(
                ax.c2p(*surf.meta["minima"][0])).set_z_index(5)
            f = run.meta["factors"]
            cap = mn.VGroup(
                text(f"{NAMES[name]}: ηλₘₐₓ = {run.meta['eta_lambda']:.2f}", size=18, color=color("regime", name)),
                text(f"steep ×{f['steep']:.2f}, flat ×{f['flat']:.2f}", size=18, color=color(theme.FOREGROUND)))
            cap.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06).next_to(ax.axes, mn.UP, buff=0.08)
            cap.align_to(ax.axes, mn.LEFT)
            panels.add(mn.VGroup(mn.VGroup(ax, contours, path, star), cap))
            moving.append(path)
        every = np.concatenate([rec[r].loss for r in self.regimes])
        plot = LossPlot({r: rec[r].loss for r in self.regimes}, colors={r: color("regime", r) for r in self.regimes},
                        log_y=True, width=self.panel_size, height=self.panel_size, tracker=t, x_label="step",
                        y_label="loss (log)", legend=False, y_range=(every.min() / 3, every.max() * 3))
        plot_cap = text("loss per step", size=18).next_to(plot.axes, mn.UP, buff=0.1)
        panels.add(mn.VGroup(plot, plot_cap))
        panels.arrange_in_grid(2, 3, buff=(0.3, 0.2)).to_edge(mn.LEFT, buff=0.15).to_edge(mn.DOWN, buff=0.12)
        counter = StepCounter(t, total=steps, size=24).next_to(sub, mn.DOWN, buff=0.3).to_edge(mn.RIGHT, buff=1.2)
        rule = mn.VGroup(*[label(s, size=18) for s in (
            "per step, the distance", "to the minimum along", "each axis × |1 − ηλ|")])
        rule.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06).next_to(panels, mn.RIGHT, buff=0.35)
        rule.align_to(panels, mn.UP)
        counter.next_to(rule, mn.DOWN, buff=0.3, aligned_edge=mn.LEFT)
        moving += list(plot.curves.values())
        static = [m for m in panels.family_members_with_points() if not any(m in mv.get_family() for mv in moving)]
        self.add(*static, rule, *moving, counter)

        warp = regimes_warp(rec, self.regimes, self.run_time)
        t.set_value(warp.first_step)
        self.wait(0.5)
        self.play(warp.animate(t))
        self.pause("regimes-end")
        converging = [r for r in self.regimes if rec[r].meta["rate"] < 1]
        why = why_lines(rec, converging)
        why.next_to(counter, mn.DOWN, buff=0.35, aligned_edge=mn.LEFT)
        self.play(mn.FadeIn(why))
        self.wait(2.0)
