"""Why momentum really works (after Goh, Distill 2017), in our own frames: on a bowl 100 times
steeper one way than the other, plain gradient descent (at its own best η) crawls along the
valley; heavy-ball momentum at (η*, β*) arrives in a fraction of the steps, and too much β rings.
Then the sweep: the measured convergence rate per β against the theory curve, β* marked.

    manim -ql scenes/dynamics_momentum.py DynamicsMomentum
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.dynamics import distances
from nnviz.render.marks import curve, dots, hline, vline
from nnviz.render.pacing import TimeWarp, combine, loss_progress, path_progress
from nnviz.render.plots import LabelledAxes, Legend, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap
from nnviz.render.widgets import DescentPath, StepCounter


class DynamicsMomentum(ThemedScene):
    experiment = "dynamics_momentum"
    run_time = 8.0
    fade = 20

    def construct(self):
        rec = experiments.load(self.experiment)
        sw, surf = rec["sweep"], rec["surface"]
        m = sw.meta
        shown = int(np.argmin(np.abs(sw.columns["beta"] - m["shown"][0])))
        high = rec[f"star_{shown}"]
        runs = {"gd": rec["gd_tuned"], "star": rec["optimum"], "high": high}
        names = {"gd": f"plain GD, its best η = {m['eta_gd']:.2f}",
                 "star": f"momentum η* = {m['eta_star']:.2f}, β* = {m['beta_star']:.2f}",
                 "high": f"momentum η*, β = {high.meta['beta']:g} (too much)"}
        cols = {"gd": color(theme.GD), "star": color("optimizer", "momentum"),
                "high": color("regime", "oscillating")}
        title = heading("Momentum: how much β?", size=32, buff=0.2)
        sub = label(f"a bowl with curvatures λ = {m['lambda_min']:g} and {m['lambda_max']:g}: "
                    f"condition number κ = {m['kappa']:g}", size=20).next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)

        t = mn.ValueTracker(0.0)
        ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], width=5.7, height=3.8, n_ticks=4, font_size=16,
                          frame="box")
        contours = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=10, log=True, color=theme.MUTED,
                              stroke_width=1.0).set_stroke(opacity=0.45)
        star = mn.Star(5, outer_radius=0.12, color=theme.FOREGROUND, fill_opacity=1).move_to(ax.c2p(0, 0))
        widths = {"gd": 2.5, "star": 2.0, "high": 2.0}
        # trails fade behind the heads (old steps stay faint), so the zigzags do not bury the valley
        paths = {k: DescentPath(runs[k].thetas, ax, steps=runs[k].steps, color=cols[k], tracker=t,
                                stroke_width=widths[k], fade=self.fade, fade_floor=0.3, outline=theme.BACKGROUND)
                 for k in ("high", "star", "gd")}  # GD on top
        left = mn.VGroup(ax, contours, *paths.values(), star)
        left.to_edge(mn.LEFT, buff=0.5).to_edge(mn.UP, buff=1.05)
        legend = Legend([(names[k], cols[k]) for k in ("gd", "star", "high")], font_size=18, buff=0.08)
        legend.next_to(ax, mn.DOWN, buff=0.15).align_to(ax.axes, mn.LEFT)

        steps = runs["gd"].n_steps
        logd = {k: np.log10(distances(r, (0, 0))) for k, r in runs.items()}
        dist = LossPlot(logd, colors=cols, y_range=(-12.0, 1.0), width=5.2, height=1.5, tracker=t, legend=False,
                        x_label="", y_label="log₁₀ distance")
        dist.to_edge(mn.RIGHT, buff=0.35).to_edge(mn.UP, buff=1.1)
        counter = StepCounter(t, total=steps, size=18).next_to(dist.axes.tick_labels, mn.DOWN, buff=0.08)
        counter.match_x(dist.axes.axes)
        self.add(left, legend, dist, counter)
        self.pause("paths")
        # video time follows what changes: the drawn paths and the log-distance curves
        prog = combine([path_progress(r.thetas, r.steps, bounds=ax.bounds) for r in runs.values()]
                       + [loss_progress(10.0 ** v) for v in logd.values()])
        warp = TimeWarp.from_progress(prog, self.run_time, clock="linear")
        t.set_value(warp.first_step)
        self.play(warp.animate(t))
        self.pause("sweep")

        # --- the β sweep: measured rate per β vs theory, at η* and at plain GD's η ---------------
        top = 1.05
        rax = LabelledAxes((0.0, 1.0), (0.75, top), x_label="momentum β", y_label="rate ρ",
                           width=5.2, height=1.7, n_ticks=5, font_size=16, frame="corner")
        rax.next_to(counter, mn.DOWN, buff=0.75).align_to(dist.axes.axes, mn.RIGHT)
        th = sw.columns["theory_beta"]
        c_star, c_gd, c_div = cols["star"], color(theme.MUTED), color("regime", "diverging")
        theory = mn.VGroup(curve(rax, th, sw.columns["theory_star"], color=c_star, dashed=True),
                           curve(rax, th, sw.columns["theory_gd"], color=c_gd, dashed=True))
        beta, r_star = sw.columns["beta"], sw.columns["rate_star"]
        off = r_star > top
        meas = mn.VGroup(dots(rax, beta, sw.columns["rate_gd"], c_gd, hollow=True),
                         dots(rax, beta[~off], r_star[~off], c_star),
                         dots(rax, beta[off], np.full(off.sum(), top - 0.012), c_div))
        one = hline(rax, 1.0, color=c_div, dashed=True)
        div_note = label("ρ > 1: diverges", size=16, color=c_div).next_to(rax.c2p(1.0, 1.0), mn.UP, buff=0.04)
        div_note.align_to(rax.axes, mn.RIGHT)
        bstar = vline(rax, m["beta_star"], color=c_star, text="β*", size=18)
        key = mn.VGroup(text(f"● measured at η* = {m['eta_star']:.2f}", size=16, color=c_star),
                        text(f"○ at η = {m['eta_gd']:.2f}", size=16, color=c_gd),
                        text("- - theory", size=16, color=theme.FOREGROUND)).arrange(mn.RIGHT, buff=0.3)
        key.next_to(rax.axes, mn.UP, buff=0.38).align_to(rax.axes, mn.RIGHT)
        self.play(mn.FadeIn(rax), mn.FadeIn(one), mn.FadeIn(div_note), mn.FadeIn(key), run_time=0.6)
        self.play(mn.Create(theory), run_time=1.2)
        self.play(mn.LaggedStart(*[mn.FadeIn(d, scale=0.5) for d in [*meas[2], *meas[1]]], lag_ratio=0.15),
                  mn.LaggedStart(*[mn.FadeIn(d, scale=0.5) for d in meas[0]], lag_ratio=0.15), run_time=2.0)
        self.play(mn.FadeIn(bstar), run_time=0.5)
        self.pause("verdict")
        best = rec["optimum"].meta["rate"]
        verdict = mn.VGroup(
            text(f"at (η*, β*): measured ρ = {best:.3f}, theory (√κ−1)/(√κ+1) = {m['rho_star']:.3f}", size=18,
                 color=c_star),
            text(f"plain GD at its best η: ρ = {rec['gd_tuned'].meta['rate']:.3f}, theory (κ−1)/(κ+1) = "
                 f"{m['gd_theory_rate']:.3f}", size=18, color=cols["gd"]),
            text(f"why: at η*, below β ≈ {m['stable_beta_min']:.2f} the steep direction overshoots and grows;"
                 " above β* every direction rings", size=18, color=theme.FOREGROUND),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08).to_edge(mn.DOWN, buff=0.12).to_edge(mn.LEFT, buff=0.5)
        self.play(mn.FadeIn(verdict), run_time=0.8)
        self.wait(2.0)
