"""Softmax turns a trained digits network's ten scores into probabilities: bars that move as
the logits change in training, a temperature sweep, the one-hot target, cross-entropy, and the
gradient softmax − y on each logit (signed).

    manim -ql scenes/gradients_softmax.py GradientsSoftmax
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.curves import Bars
from nnviz.render.mathtex import math
from nnviz.render.pacing import Progress, TimeWarp
from nnviz.render.style import ThemedScene, color, heading, text

SIZE = 24          # every caption; the rubric's 18 px at 480 px is font size 23


SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def pixel_image(img, size=2.4):
    """8×8 grey levels as squares (0 = background, 1 = foreground)."""
    n = img.shape[0]
    s = size / n
    g = mn.VGroup()
    for r in range(n):
        for c in range(n):
            sq = mn.Square(s, stroke_width=0, fill_color=color(theme.FOREGROUND), fill_opacity=float(img[r, c]))
            sq.move_to([c * s, -r * s, 0])
            g.add(sq)
    frame = mn.SurroundingRectangle(g, buff=0.02, color=color(theme.MUTED), stroke_width=2)
    return mn.VGroup(frame, g)


class GradientsSoftmax(ThemedScene):
    experiment = "gradients_softmax"
    run_time = 6.0
    bar_width = 7.6

    def construct(self):
        rec = experiments.load(self.experiment)
        c = rec["curves"]
        v, m = c.values, c.meta
        lab = m["label"]
        K = len(v["steps"])
        title = heading("Softmax: ten scores → ten probabilities", size=30, buff=0.2)
        img = pixel_image(v["image"], size=2.2)
        cap = text(f"a test image, label {lab}\n64-32-10 network,\n{m['test_acc']:.0%} test accuracy",
                   size=SIZE, line_spacing=0.9)
        formula = math("p_k = e^(z_k) / (sum_j e^(z_j))", size=40)
        left = mn.VGroup(img, cap, formula).arrange(mn.DOWN, buff=0.35).to_edge(mn.LEFT, buff=0.5).to_edge(mn.DOWN, buff=0.35)
        digits = [str(i) for i in range(10)]
        cols = [theme.ACTIVE if i == lab else theme.MUTED for i in range(10)]
        zmax = float(np.abs(v["logits"]).max())
        zt_ = float(np.floor(zmax / 2) * 2)          # a round tick inside the scale
        zb = Bars(v["logits"][0], width=self.bar_width, height=1.8, colors=cols, labels=digits, vmax=zmax, signed=True,
                  ticks=(-zt_, 0, zt_))
        pb = Bars(v["probs"][0], width=self.bar_width, height=1.7, colors=cols, labels=digits, vmax=1.0,
                  ticks=(0, 0.5, 1))
        zt = text("logits z: the network's ten scores", size=SIZE)
        pt = text("probabilities p = softmax(z)", size=SIZE)
        zg = mn.VGroup(zt, zb).arrange(mn.DOWN, buff=0.15)
        pg = mn.VGroup(pt, pb).arrange(mn.DOWN, buff=0.2)
        right = mn.VGroup(zg, pg).arrange(mn.DOWN, buff=0.35).to_edge(mn.RIGHT, buff=0.4).to_edge(mn.DOWN, buff=0.25)

        k = mn.ValueTracker(0)

        def row():
            return int(round(k.get_value()))
        zb.add_updater(lambda b: b.set_values(v["logits"][row()]))
        pb.add_updater(lambda b: b.set_values(v["probs"][row()]))
        read = mn.always_redraw(lambda: text(
            f"training step {int(v['steps'][row()])}:  p({lab}) = {v['probs'][row()][lab]:.2f},  "
            f"cross-entropy −log p({lab}) = {v['ce'][row()]:.2f}", size=SIZE).next_to(title, mn.DOWN, buff=0.15))
        self.add(title, left, right, read)
        self.wait(1.0)
        # time follows how much the probability bars move, not raw steps
        moved = np.r_[0.0, np.cumsum(np.abs(np.diff(v["probs"], axis=0)).sum(axis=1))]
        warp = TimeWarp.from_progress(Progress(np.arange(K, dtype=float), moved), self.run_time, clock="linear")
        self.play(warp.animate(k))
        zb.clear_updaters()
        pb.clear_updaters()
        k.set_value(K - 1)
        zb.set_values(v["logits"][-1])
        pb.set_values(v["probs"][-1])
        frozen = text(f"trained ({int(v['steps'][-1])} steps):  p({lab}) = {v['probs'][-1][lab]:.2f},  "
                      f"cross-entropy −log p({lab}) = {v['ce'][-1]:.2f}", size=SIZE).move_to(read)
        self.remove(read)
        self.add(frozen)
        self.wait(1.5)
        self.pause("temperature")

        # temperature: softmax(z / T) of the trained logits
        ts, pts = v["temperatures"], v["probs_t"]
        ti = mn.ValueTracker(-1)
        hot = math("p_k = e^(z_k \\/ T) / (sum_j e^(z_j \\/ T))", size=40).move_to(formula)
        pt_t = text("probabilities p = softmax(z / T)", size=SIZE).move_to(pt)
        self.play(mn.FadeOut(formula), mn.FadeOut(pt), mn.FadeOut(frozen), run_time=0.3)
        zf = v["logits"][-1]
        rv = int(np.argmax(np.where(np.arange(10) == lab, -np.inf, zf)))
        gap = float(zf[lab] - zf[rv])

        def t_words(i):
            T = ts[i]
            return (f"T = {T:g}:  gap z of {lab} − z of {rv} = {gap:.1f},  divided by T: {gap / T:.1f}"
                    f"  →  top p = {pts[i].max():.2f}")
        t_read = mn.always_redraw(lambda: text(
            f"temperature T = 1 (as trained): gap z of {lab} − z of {rv} = {gap:.1f}" if ti.get_value() < 0
            else t_words(int(ti.get_value())), size=SIZE).next_to(title, mn.DOWN, buff=0.15))
        self.play(mn.FadeIn(hot), mn.FadeIn(pt_t), mn.FadeIn(t_read), run_time=0.3)
        for i, p in enumerate(pts):
            ti.set_value(i)
            self.play(pb.tween(p), run_time=0.7)
            self.wait(0.4)
        last = text(t_words(len(ts) - 1), size=SIZE).next_to(title, mn.DOWN, buff=0.15)
        self.remove(t_read)
        self.add(last)
        hint = text("small T widens the gaps: the top takes all.  Large T: all even out.",
                    size=SIZE).next_to(last, mn.DOWN, buff=0.1)
        self.play(mn.FadeIn(hint), run_time=0.4)
        self.wait(2.5)
        self.pause("gradient")

        # cross-entropy's gradient on each logit: softmax − one-hot
        p, g = v["probs"][-1], v["grad"]
        ce = text(f"CE = −log p({lab}) = {v['ce'][-1]:.2f}", size=SIZE).move_to(hot)
        pt_y = text(f"p at T = 1;  dashed: the target y (1 at {lab})", size=SIZE).move_to(pt)
        self.play(mn.FadeOut(hot), mn.FadeOut(pt_t), mn.FadeOut(hint), mn.FadeOut(last), run_time=0.3)
        self.play(pb.tween(p), mn.FadeIn(ce), mn.FadeIn(pt_y), run_time=0.6)
        slot = pb.rects[lab]
        box = mn.Rectangle(width=slot.width * 1.3, height=pb.frame.height, color=color(theme.FOREGROUND),
                           stroke_width=3)
        target = mn.DashedVMobject(box, num_dashes=24)
        target.move_to([slot.get_center()[0], pb.baseline.get_center()[1] + pb.frame.height / 2, 0])
        self.play(mn.Create(target), run_time=0.5)
        gcols = [theme.GRADIENT_NEGATIVE if x < 0 else theme.GRADIENT for x in g]
        gm = float(np.abs(g).max())
        gb = Bars(g, width=self.bar_width, height=1.8, colors=gcols, labels=digits, vmax=gm, signed=True,
                  ticks=(-round(gm, 1), 0, round(gm, 1)))
        gt = mn.VGroup(text("gradient on each logit:", size=SIZE),
                       math("partial \"CE\" \\/ partial z_k = p_k - y_k", size=36)).arrange(mn.RIGHT, buff=0.25)
        gg = mn.VGroup(gt, gb).arrange(mn.DOWN, buff=0.15)
        gg.shift(zb.baseline.get_center() - gb.baseline.get_center())
        self.play(mn.FadeOut(zg), run_time=0.3)
        self.play(mn.FadeIn(gg), run_time=0.5)
        rival = int(np.argmax(np.where(np.arange(10) == lab, -np.inf, g)))
        # direct labels on the two largest bars: descent moves each logit against its gradient
        up = text(f"{g[lab]:+.2f}: descent raises z of {lab}", size=SIZE, color=color(theme.GRADIENT_NEGATIVE))
        up.next_to(gb.rects[lab], mn.LEFT, buff=0.15).match_y(gb.rects[lab])
        down = text(f"{g[rival]:+.2f}: lowers z of {rival}", size=SIZE, color=color(theme.GRADIENT))
        down.next_to(gb.rects[rival], mn.RIGHT, buff=0.15).match_y(gb.rects[rival])
        sign = text(f"p − y: each bar's gap to its target. The label's is negative, every rival's\n"
                    f"positive, the largest on the likeliest wrong class ({rival}).",
                    size=SIZE).next_to(title, mn.DOWN, buff=0.15)
        self.play(mn.FadeIn(up), mn.FadeIn(down), run_time=0.5)
        self.play(mn.FadeIn(sign), run_time=0.4)
        self.wait(3.0)
