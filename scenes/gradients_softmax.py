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
    bar_width = 6.4

    def construct(self):
        rec = experiments.load(self.experiment)
        c = rec["curves"]
        v, m = c.values, c.meta
        lab = m["label"]
        K = len(v["steps"])
        title = heading("Softmax: ten scores → ten probabilities", size=32, buff=0.25)
        img = pixel_image(v["image"]).to_edge(mn.LEFT, buff=0.7).shift(0.5 * mn.UP)
        cap = text(f"a test image, label {lab}\n64-32-10 network\ntest accuracy {m['test_acc']:.1%}",
                   size=20, line_spacing=0.9).next_to(img, mn.DOWN, buff=0.25)
        digits = [str(i) for i in range(10)]
        cols = [theme.ACTIVE if i == lab else theme.MUTED for i in range(10)]
        zmax = float(np.abs(v["logits"]).max())
        zb = Bars(v["logits"][0], width=self.bar_width, height=2.2, colors=cols, labels=digits, vmax=zmax, signed=True)
        pb = Bars(v["probs"][0], width=self.bar_width, height=1.6, colors=cols, labels=digits, vmax=1.0)
        zt = text("logits z: the network's ten scores", size=22)
        pt = mn.VGroup(text("softmax:", size=22), math("p_k = e^(z_k) / (sum_j e^(z_j))", size=26)).arrange(mn.RIGHT)
        zg = mn.VGroup(zt, zb).arrange(mn.DOWN, buff=0.15)
        pg = mn.VGroup(pt, pb).arrange(mn.DOWN, buff=0.15)
        right = mn.VGroup(zg, pg).arrange(mn.DOWN, buff=0.55).to_edge(mn.RIGHT, buff=0.9).to_edge(mn.DOWN, buff=0.3)
        self.add(title, img, cap, right)

        k = mn.ValueTracker(0)

        def row():
            return int(round(k.get_value()))
        zb.add_updater(lambda b: b.set_values(v["logits"][row()]))
        pb.add_updater(lambda b: b.set_values(v["probs"][row()]))
        read = mn.always_redraw(lambda: text(
            f"training step {int(v['steps'][row()])}:  z{str(lab).translate(SUB)} = {v['logits'][row()][lab]:.1f},  "
            f"p({lab}) = {v['probs'][row()][lab]:.2f},  "
            f"cross-entropy −log p({lab}) = {v['ce'][row()]:.2f}", size=22).next_to(title, mn.DOWN, buff=0.2))
        self.add(read)
        self.wait(0.8)
        # time follows how much the probability bars move, not raw steps
        moved = np.r_[0.0, np.cumsum(np.abs(np.diff(v["probs"], axis=0)).sum(axis=1))]
        warp = TimeWarp.from_progress(Progress(np.arange(K, dtype=float), moved), self.run_time, clock="linear")
        self.play(warp.animate(k))
        zb.clear_updaters()
        pb.clear_updaters()
        k.set_value(K - 1)
        zb.set_values(v["logits"][-1])
        pb.set_values(v["probs"][-1])
        self.wait(1.0)
        self.pause("temperature")

        # temperature: softmax(z / T)
        self.remove(read)
        for T, p in zip(v["temperatures"], v["probs_t"]):
            new = text(f"temperature T = {T:g}:  softmax(z / T),  top p = {p.max():.2f}", size=21).move_to(pt)
            self.play(pb.tween(p), mn.Transform(pt, new), run_time=0.7)
            self.wait(0.3)
        hint = text("low T: the top score takes all;  high T: every class evens out", size=22)
        hint.next_to(title, mn.DOWN, buff=0.2)
        self.play(mn.FadeIn(hint), run_time=0.4)
        self.wait(1.0)
        self.pause("gradient")

        # cross-entropy's gradient on each logit: softmax − one-hot
        p, g = v["probs"][-1], v["grad"]
        self.play(pb.tween(p), mn.Transform(pt, text(
            f"p at T = 1;  dashed: the one-hot target y (1 at {lab})", size=21).move_to(pt)),
            mn.FadeOut(hint), run_time=0.6)
        slot = pb.rects[lab]
        box = mn.Rectangle(width=slot.width * 1.25, height=pb.frame.height, color=color(theme.FOREGROUND),
                           stroke_width=3)
        target = mn.DashedVMobject(box, num_dashes=24)
        target.move_to([slot.get_center()[0], pb.baseline.get_center()[1] + pb.frame.height / 2, 0])
        self.play(mn.Create(target), run_time=0.5)
        gcols = [theme.NEGATIVE if x < 0 else theme.POSITIVE for x in g]
        gb = Bars(g, width=self.bar_width, height=2.2, colors=gcols, labels=digits, vmax=float(np.abs(g).max()),
                  signed=True)
        gt = mn.VGroup(math("(partial \"CE\") / (partial z_k) = p_k - y_k", size=26),
                       text(f"(CE = −log p({lab}) = {v['ce'][-1]:.2f})", size=21)).arrange(mn.RIGHT, buff=0.3)
        gg = mn.VGroup(gt, gb).arrange(mn.DOWN, buff=0.15).move_to(zg)
        self.remove(zg)
        self.add(gg)
        self.wait(0.6)
        sign = text(f"red, negative: descent raises z{str(lab).translate(SUB)}.  blue, positive: it lowers the rivals,\n"
                    f"most the likeliest wrong one ({int(np.argmax(np.where(np.arange(10) == lab, -1, g)))}).",
                    size=20).next_to(title, mn.DOWN, buff=0.2)
        self.play(mn.FadeIn(sign), run_time=0.4)
        self.wait(2.0)
