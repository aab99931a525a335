"""Why gradient descent needs a continuous error: the step's error count is flat almost
everywhere, the sigmoid turns the line into probabilities, cross-entropy charges each point
−log p; and on a confidently wrong point MSE's gradient vanishes while cross-entropy's does not.

    manim -ql scenes/gradients_step_to_sigmoid.py GradientsStepToSigmoid
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.curves import polyline
from nnviz.render.pacing import TimeWarp, loss_progress
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, text

SIZE = 24          # every caption; the rubric's 18 px at 480 px is font size 23


class GradientsStepToSigmoid(ThemedScene):
    experiment = "gradients_step_to_sigmoid"
    run_time = 5.0

    def construct(self):
        rec = experiments.load(self.experiment)
        c = rec["curves"]
        v, m = c.values, c.meta
        run = rec["run"]
        title = heading("From a step to a sigmoid: an error you can differentiate", size=30, buff=0.25)
        sub = text("one line w·x + b = 0; output step(w·x + b) ∈ {0, 1} or σ(w·x + b) ∈ (0, 1)",
                   size=SIZE).next_to(title, mn.DOWN, buff=0.15)
        self.add(title, sub)

        # 1. the step's error count vs cross-entropy as the line shifts
        b = v["sweep_b"]
        ax1 = LabelledAxes((b[0], b[-1]), (0, max(v["sweep_errors"].max(), 1) + 1), width=5.6, height=3.6,
                           n_ticks=4, font_size=SIZE, x_label="shift of the line (bias b)")
        ax2 = LabelledAxes((b[0], b[-1]), (0, float(np.ceil(v["sweep_ce"].max()))), width=5.6, height=3.6,
                           n_ticks=4, font_size=SIZE, x_label="shift of the line (bias b)")
        err = polyline(ax1, b, v["sweep_errors"], theme.LOSS_KIND["step"], width=4, max_points=None)  # exact jumps
        ce = polyline(ax2, b, v["sweep_ce"], theme.LOSS_KIND["ce"], width=4)
        t1 = text("step output: number of errors", size=SIZE, color=color(theme.LOSS_KIND["step"]))
        t2 = text("sigmoid output: cross-entropy", size=SIZE, color=color(theme.LOSS_KIND["ce"]))
        g1 = mn.VGroup(t1, mn.VGroup(ax1, err)).arrange(mn.DOWN, buff=0.12)
        g2 = mn.VGroup(t2, mn.VGroup(ax2, ce)).arrange(mn.DOWN, buff=0.12)
        mn.VGroup(g1, g2).arrange(mn.RIGHT, buff=0.7).next_to(sub, mn.DOWN, buff=0.45)
        flat = int(np.sum(np.diff(v["sweep_errors"]) == 0))
        note1 = text(f"flat on {flat} of {len(b) - 1} steps:\nslope 0, nothing to follow",
                     size=SIZE).next_to(g1, mn.DOWN, buff=0.35)
        note2 = text("a slope everywhere:\ndescent knows which way", size=SIZE).next_to(g2, mn.DOWN, buff=0.35)
        self.add(t1, ax1, err)     # first frame: the step's staircase already drawn
        self.wait(1.0)
        self.play(mn.FadeIn(note1), run_time=0.4)
        self.add(g2[0], ax2)
        self.play(mn.Create(ce), run_time=1.0)
        self.play(mn.FadeIn(note2), run_time=0.4)
        self.wait(1.0)
        self.pause("charges")
        # a cut at the slide break: remove what was added, piece by piece (removing the groups g1/g2
        # would leave their parts, added on their own above, on screen under the next panel)
        self.remove(t1, ax1, err, t2, ax2, ce, note1, note2)

        # 2. each point pays −log p(own label); the total falls as the line learns
        X, y = v["X"], v["y"]
        lo, hi = X.min(0) - 0.6, X.max(0) + 0.6
        ax = LabelledAxes((lo[0], hi[0]), (lo[1], hi[1]), width=4.6 * (hi[0] - lo[0]) / (hi[1] - lo[1]), height=4.6,
                          n_ticks=3, font_size=SIZE, frame="box")
        ax.to_edge(mn.LEFT, buff=0.5).to_edge(mn.DOWN, buff=0.3)
        k = mn.ValueTracker(0)
        th = run.thetas

        def line_at():
            w1, w2, bb = th[int(round(k.get_value()))]
            xs = np.linspace(lo[0], hi[0], 50)
            ys = -(w1 * xs + bb) / w2
            return polyline(ax, xs, ys, theme.FOREGROUND, width=4)

        def level_at(p_level):
            w1, w2, bb = th[int(round(k.get_value()))]
            zl = np.log(p_level / (1 - p_level))
            xs = np.linspace(lo[0], hi[0], 50)
            return polyline(ax, xs, (zl - w1 * xs - bb) / w2, theme.MUTED, width=2, dashed=True, num_dashes=20)

        line = mn.always_redraw(line_at)
        levels = [mn.always_redraw(lambda q=q: level_at(q)) for q in (0.1, 0.9)]
        dots = mn.VGroup(*[mn.Dot(ax.c2p(*p), color=color("class", int(c_))) for p, c_ in zip(X, y)])

        def update_dots(g):
            ch = v["charge"][int(round(k.get_value()))]
            for d, q in zip(g, ch):
                d.scale_to_fit_width(2 * (0.05 + 0.09 * min(q, 4.0)))
        for d in dots:
            d.set_stroke(color(theme.FOREGROUND), 1.5)
        update_dots(dots)
        dots.add_updater(update_dots)
        cap = text("solid: p = 0.5 (where the step flips)\ndashed: p = 0.1 and p = 0.9", size=SIZE)
        form = text("dot size = −log p(its own label):\nwrong or unsure points pay most;\n"
                    "cross-entropy = the mean charge", size=SIZE)
        readout = mn.always_redraw(lambda: text(
            f"step {int(v['steps'][int(round(k.get_value()))])}:  cross-entropy {v['total'][int(round(k.get_value()))]:.3f},"
            f"  errors {int(v['errors'][int(round(k.get_value()))])}", size=SIZE))
        right = mn.VGroup(cap, form).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.25)
        right.next_to(ax, mn.RIGHT, buff=0.6).align_to(ax, mn.UP)
        readout.next_to(right, mn.DOWN, buff=0.4).align_to(right, mn.LEFT)
        ml = text("Logistic regression is maximum likelihood:\nthe line that makes the observed labels most\n"
                  "likely; −log turns that product of\nprobabilities into this sum.", size=SIZE,
                  color=color(theme.FOREGROUND))
        ml.next_to(right, mn.DOWN, buff=0.9).align_to(right, mn.LEFT)
        self.add(ax, dots, right)
        self.wait(0.5)
        self.add(line, *levels, readout)
        readout.add_updater(lambda r: r.next_to(right, mn.DOWN, buff=0.4).align_to(right, mn.LEFT))
        # video time follows the change in cross-entropy (log scale), not raw steps
        warp = TimeWarp.from_progress(loss_progress(v["total"], steps=np.arange(len(th), dtype=float)), self.run_time)
        self.play(warp.animate(k))
        self.play(mn.FadeIn(ml), run_time=0.5)
        self.wait(2.0)
        dots.clear_updaters()
        self.pause("saturation")
        self.remove(ax, dots, line, *levels, right, readout, ml, sub)

        # 3. MSE vs cross-entropy on a saturated sigmoid
        z = v["sat_z"]
        ax3 = LabelledAxes((z[0], z[-1]), (0, 1.1), width=6.0, height=4.0, n_ticks=5, font_size=SIZE,
                           x_label="z  (label 1; left = confidently wrong)", y_label="|∂loss/∂z|")
        sub3 = text("MSE vs cross-entropy on a sigmoid output, one point of label 1",
                    size=SIZE).next_to(title, mn.DOWN, buff=0.15)
        ax3.next_to(sub3, mn.DOWN, buff=0.5).to_edge(mn.LEFT, buff=0.6)
        mse = polyline(ax3, z, np.abs(v["sat_dmse"]), theme.LOSS_KIND["mse"], width=4)
        cee = polyline(ax3, z, np.abs(v["sat_dce"]), theme.LOSS_KIND["ce"], width=4)
        zw = m["wrong_z"]
        mark = mn.DashedLine(ax3.c2p(zw, 0), ax3.c2p(zw, 1.1), color=color(theme.MUTED))
        lg = mn.VGroup(text("MSE (p − 1)²", size=26, color=color(theme.LOSS_KIND["mse"])),
                       text("cross-entropy −log p", size=26, color=color(theme.LOSS_KIND["ce"])))
        lg.arrange(mn.DOWN, aligned_edge=mn.LEFT).next_to(ax3, mn.RIGHT, buff=0.5).align_to(ax3, mn.UP)
        facts = mn.VGroup(
            text(f"at z = {zw:g}  (p = {m['wrong_p']:.4f}):", size=SIZE),
            text(f"|∂MSE/∂z| = {abs(m['wrong_dmse']):.4f}", size=SIZE, color=color(theme.LOSS_KIND["mse"])),
            text(f"|∂CE/∂z|  = {abs(m['wrong_dce']):.4f}", size=SIZE, color=color(theme.LOSS_KIND["ce"])),
            text("MSE's gradient carries a factor\nσ′(z) ≈ 0: the worst mistakes\nbarely move the line.", size=SIZE),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12).next_to(lg, mn.DOWN, buff=0.4).align_to(lg, mn.LEFT)
        self.add(ax3, lg, sub3)
        self.play(mn.Create(mse), mn.Create(cee), run_time=1.5)
        self.play(mn.Create(mark), mn.FadeIn(facts), run_time=0.8)
        self.wait(2.0)
