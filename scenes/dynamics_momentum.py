"""Why momentum really works (after Goh, Distill 2017), in our own frames: on a bowl 100 times
steeper one way than the other, plain gradient descent (at its own best η) crawls along the
valley; heavy-ball momentum at (η*, β*) arrives in a fraction of the steps, and too much β rings.
Then the sweep, on its own full-width plot: the measured convergence rate per β against the
theory curve, β* marked, and why both ends are slower.

    manim -ql scenes/dynamics_momentum.py DynamicsMomentum
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.dynamics import distances
from nnviz.render.marks import curve, dots, hline
from nnviz.render.pacing import TimeWarp, combine, loss_progress, path_progress
from nnviz.render.plots import LabelledAxes, Legend, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap
from nnviz.render.widgets import DescentPath, StepCounter

SIZE = 24          # every text on screen (readable at 854×480)


class DynamicsMomentum(ThemedScene):
    experiment = "dynamics_momentum"
    run_time = 8.0
    fade = 25

    def construct(self):
        rec = experiments.load(self.experiment)
        sw, surf = rec["sweep"], rec["surface"]
        m = sw.meta
        shown = int(np.argmin(np.abs(sw.columns["beta"] - m["shown"][0])))
        high = rec[f"star_{shown}"]
        runs = {"gd": rec["gd_tuned"], "star": rec["optimum"], "high": high}
        names = {"gd": f"plain GD, its best η = {m['eta_gd']:.2f}",
                 "star": f"momentum η* = {m['eta_star']:.2f}, β* = {m['beta_star']:.2f}",
                 "high": f"momentum η*, β = {high.meta['beta']:g}: too much"}
        cols = {"gd": color(theme.GD), "star": color(theme.MOMENTUM_BETA["best"]),
                "high": color(theme.MOMENTUM_BETA["too_much"])}
        title = heading("Momentum: how much β?", size=34, buff=0.2)
        sub = label(f"a bowl with curvatures {m['lambda_min']:g} and {m['lambda_max']:g}: "
                    f"condition number κ = {m['kappa']:g}", size=SIZE, color=theme.FOREGROUND)
        sub.next_to(title, mn.DOWN, buff=0.1)

        t = mn.ValueTracker(0.0)
        ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], width=6.0, height=4.0, n_ticks=4, font_size=SIZE,
                          frame="box")
        contours = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=10, log=True, color=theme.MUTED,
                              stroke_width=2.0).set_stroke(opacity=0.75)      # the long valley must show
        star = mn.Star(5, outer_radius=0.13, color=theme.FOREGROUND, fill_opacity=1).move_to(ax.c2p(0, 0))
        widths = {"gd": 3.0, "star": 2.5, "high": 2.5}
        # trails fade behind the heads (old steps stay faint), so the zigzags do not bury the valley
        paths = {k: DescentPath(runs[k].thetas, ax, steps=runs[k].steps, color=cols[k], tracker=t,
                                stroke_width=widths[k], fade=self.fade, fade_floor=0.25, outline=theme.BACKGROUND,
                                head_radius=0.1)
                 for k in ("high", "star", "gd")}  # GD on top
        left = mn.VGroup(ax, contours, *paths.values(), star)
        left.to_edge(mn.LEFT, buff=0.4).next_to(sub, mn.DOWN, buff=0.3, coor_mask=np.array([0, 1, 0]))
        legend = Legend([(names[k], cols[k]) for k in ("gd", "star", "high")], font_size=SIZE, buff=0.1)
        legend.next_to(ax, mn.DOWN, buff=0.2).align_to(ax.axes, mn.LEFT)

        steps = runs["gd"].n_steps
        logd = {k: np.log10(distances(r, (0, 0))) for k, r in runs.items()}
        dist = LossPlot(logd, colors=cols, y_range=(-12.0, 1.0), width=5.6, height=3.0, tracker=t, legend=False,
                        x_label="step", y_label="log₁₀ distance to ★")
        dist.to_edge(mn.RIGHT, buff=0.4).align_to(ax.axes, mn.UP)
        counter = StepCounter(t, total=steps, size=SIZE).next_to(dist, mn.DOWN, buff=0.3).match_x(dist.axes.axes)
        self.add(title, sub, left, legend, dist, counter)      # the poster frame: start, bowl, axes
        self.pause("paths")
        # video time follows what changes: the drawn paths and the log-distance curves
        prog = combine([path_progress(r.thetas, r.steps, bounds=ax.bounds) for r in runs.values()]
                       + [loss_progress(10.0 ** v) for v in logd.values()])
        warp = TimeWarp.from_progress(prog, self.run_time, clock="linear")
        t.set_value(warp.first_step)
        self.play(warp.animate(t))
        end = {k: float(distances(r, (0, 0))[-1]) for k, r in runs.items()}
        after = mn.VGroup(
            text(f"distance to ★ after {steps} steps:", size=SIZE),
            mn.VGroup(*[text(f"{'GD' if k == 'gd' else 'β*' if k == 'star' else 'β = ' + format(high.meta['beta'], 'g')}"
                             f" {end[k]:.0e}", size=SIZE, color=cols[k]) for k in ("gd", "star", "high")]
                      ).arrange(mn.RIGHT, buff=0.4),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1).next_to(counter, mn.DOWN, buff=0.25)
        after.align_to(dist.axes.axes, mn.LEFT)
        self.play(mn.FadeIn(after), run_time=0.6)
        self.wait(2.5)
        self.pause("sweep")

        # --- the β sweep on its own plot: measured rate per β vs theory -------------------------
        self.play(mn.FadeOut(mn.VGroup(left, legend, dist, counter, after)), run_time=0.6)
        top, bottom = 1.06, 0.76
        rax = LabelledAxes((0.0, 1.0), (bottom, top), x_label="momentum β", y_label="rate ρ per step",
                           width=7.6, height=3.0, n_ticks=6, font_size=SIZE, frame="corner")
        rax.next_to(sub, mn.DOWN, buff=0.75).to_edge(mn.LEFT, buff=0.4)
        th = sw.columns["theory_beta"]
        # η = plain GD's best η: its series in GD's colour (β = 0 there is the plain GD run above)
        c_star, c_gd, c_div = cols["star"], cols["gd"], color("regime", "diverging")
        theory = mn.VGroup(curve(rax, th, sw.columns["theory_star"], color=c_star, dashed=True),
                           curve(rax, th, sw.columns["theory_gd"], color=c_gd, dashed=True))
        beta, r_star = sw.columns["beta"], sw.columns["rate_star"]
        off = r_star > top
        meas = mn.VGroup(dots(rax, beta, sw.columns["rate_gd"], c_gd, hollow=True, radius=0.08),
                         dots(rax, beta[~off], r_star[~off], c_star, radius=0.09),
                         dots(rax, beta[off], np.full(off.sum(), top - 0.012), c_div, radius=0.09))
        one = hline(rax, 1.0, color=c_div, dashed=True)
        # labels live beside or above the axes, never on a curve or a tick
        xb = rax.c2p(m["beta_star"], bottom)
        b_line = mn.DashedLine(xb, rax.c2p(m["beta_star"], top), color=c_star, stroke_width=3)
        b_tag = text(f"β* = {m['beta_star']:.2f}", size=SIZE, color=c_star)
        b_tag.next_to(rax.axes, mn.UP, buff=0.2).set_x(xb[0])
        best = rec["optimum"].meta["rate"]
        opt = mn.Dot(rax.c2p(m["beta_star"], best), radius=0.13, color=c_star, stroke_width=2.5,
                     stroke_color=theme.FOREGROUND)      # the run at (η*, β*) itself: the fastest
        # the three runs of the race, ringed on the sweep in their own colours
        ih = int(np.argmin(np.abs(beta - high.meta["beta"])))
        rings = mn.VGroup(
            mn.Circle(radius=0.2, color=cols["gd"], stroke_width=3).move_to(rax.c2p(0.0, rec["gd_tuned"].meta["rate"])),
            mn.Circle(radius=0.2, color=cols["high"], stroke_width=3).move_to(rax.c2p(beta[ih], r_star[ih])),
            mn.Circle(radius=0.22, color=c_star, stroke_width=3).move_to(opt))
        key = mn.VGroup(text(f"● measured, η* = {m['eta_star']:.2f}", size=SIZE, color=c_star),
                        text(f"○ measured, GD's η = {m['eta_gd']:.2f}", size=SIZE, color=c_gd),
                        text("◯ the three runs above", size=SIZE, color=theme.FOREGROUND),
                        text("- - theory at η*", size=SIZE, color=c_star),
                        text("- - theory at η = " f"{m['eta_gd']:.2f}", size=SIZE, color=c_gd),
                        text("● at the top: ρ > 1,", size=SIZE, color=c_div),
                        text("    diverges", size=SIZE, color=c_div)).arrange(mn.DOWN, aligned_edge=mn.LEFT,
                                                                                      buff=0.1)
        key.next_to(rax.axes, mn.RIGHT, buff=0.4).align_to(rax.axes, mn.UP).shift(0.2 * mn.UP)
        self.play(mn.FadeIn(rax), mn.FadeIn(one), mn.FadeIn(key), run_time=0.6)
        self.play(mn.Create(theory), run_time=1.2)
        self.play(mn.LaggedStart(*[mn.FadeIn(d, scale=0.5) for d in [*meas[2], *meas[1]]], lag_ratio=0.15),
                  mn.LaggedStart(*[mn.FadeIn(d, scale=0.5) for d in meas[0]], lag_ratio=0.15),
                  run_time=2.0)
        self.play(mn.Create(b_line), mn.FadeIn(b_tag), mn.FadeIn(opt, scale=0.5), run_time=0.6)
        self.play(mn.Create(rings), run_time=0.6)
        self.pause("verdict")
        verdict = mn.VGroup(
            text(f"at (η*, β*): measured ρ = {best:.3f}, theory (√κ−1)/(√κ+1) = {m['rho_star']:.3f}", size=SIZE,
                 color=c_star),
            text(f"plain GD at its best η: ρ = {rec['gd_tuned'].meta['rate']:.3f}, theory (κ−1)/(κ+1) = "
                 f"{m['gd_theory_rate']:.3f}", size=SIZE, color=cols["gd"]),
            text(f"why: η* > 2/λmax = {2 / m['lambda_max']:g}, so below β ≈ {m['stable_beta_min']:.2f} the steep "
                 "direction grows;", size=SIZE, color=theme.FOREGROUND),
            text("above β* every direction rings, ρ = √β; β* balances the two", size=SIZE, color=theme.FOREGROUND),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1)
        verdict.next_to(rax, mn.DOWN, buff=0.2).set_x(0)
        self.play(mn.FadeIn(verdict), run_time=0.8)
        self.wait(2.0)
