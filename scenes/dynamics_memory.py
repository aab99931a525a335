"""The blog's [CUDA OOM ERROR], as a measurement: the peak memory of one training step grows
linearly with the batch size — every example in the batch keeps its inputs, every layer's z and a
for backprop, and backprop's δs — so a device's memory budget caps the batch. The slope is
predicted from the layer widths and the dtype and checked against tracemalloc. Beside it, the
other side of the trade-off: time per epoch falls as batches grow.

    manim -ql scenes/dynamics_memory.py DynamicsMemory
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.marks import curve, dots, hline
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, label, text

MIB = 2 ** 20
NAMES = {"digits": "digits net", "mnist": "MNIST-sized net"}


class DynamicsMemory(ThemedScene):
    experiment = "dynamics_memory"

    def construct(self):
        t = experiments.load(self.experiment)["memory"]
        c, m = t.columns, t.meta
        cols = {k: color(theme.MEMORY_NET[k]) for k in NAMES}
        c_budget = color(theme.MEMORY_BUDGET)
        title = heading("Out of memory: what a bigger batch costs", size=30, buff=0.2)
        sub = label(f"peak memory of one training step (gather the batch, forward, backward), measured with "
                    f"tracemalloc, {m['dtype']}", size=18).next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)
        b = c["batch"]
        top = max(c["peak_mnist"].max(), m["budget_bytes"]) / MIB * 1.12
        ax = LabelledAxes((0, b.max() * 1.04), (0, top), x_label="batch size (examples)", y_label="peak memory (MiB)",
                          width=6.2, height=3.8, n_ticks=4, font_size=16)
        ax.to_edge(mn.LEFT, buff=0.55).next_to(sub, mn.DOWN, buff=0.45, coor_mask=np.array([0, 1, 0]))
        key = mn.VGroup(*[text(f"● {NAMES[k]} {'-'.join(map(str, m[k]['sizes']))}", size=18, color=cols[k])
                          for k in ("mnist", "digits")], text("- - predicted from widths × 8 B", size=18)
                        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.05)
        key.next_to(ax.axes.c2p(0, top), mn.DR, buff=0.1)
        self.add(ax, key)
        self.pause("measure")
        for k in ("mnist", "digits"):
            pts = dots(ax, b, c[f"peak_{k}"] / MIB, cols[k], radius=0.07)
            over = c[f"peak_{k}"] > m["budget_bytes"]
            for d, o in zip(pts, over):
                if o:
                    d.set_fill(c_budget)
            self.play(mn.LaggedStart(*[mn.FadeIn(d, scale=0.5) for d in pts], lag_ratio=0.2), run_time=1.5)
        xs = np.array([0.0, b.max() * 1.04])
        pred = mn.VGroup(*[curve(ax, xs, (m[k]["intercept"] + m[k]["predicted_bytes"] * xs) / MIB, dashed=True,
                                 stroke_width=2) for k in ("mnist", "digits")])
        self.play(mn.Create(pred), run_time=1.0)
        self.pause("budget")
        budget = hline(ax, m["budget_bytes"] / MIB, color=c_budget, text="", stroke_width=3)
        blab = text(f"device budget {m['budget_bytes'] / MIB:g} MiB: out of memory above", size=18, color=c_budget)
        blab.next_to(ax.c2p(0, m["budget_bytes"] / MIB), mn.UP, buff=0.06).align_to(ax.axes, mn.LEFT).shift(0.1 * mn.RIGHT)
        self.play(mn.Create(budget), mn.FadeIn(blab), run_time=0.8)

        # the other side of the trade-off: time per epoch
        tb = np.log2(c["time_batch"])
        tmax = max(c["epoch_time_mnist"].max(), c["epoch_time_digits"].max())
        tmin = min(c["epoch_time_mnist"].min(), c["epoch_time_digits"].min())
        lo, hi = 10.0 ** np.floor(np.log10(tmin)), 10.0 ** np.ceil(np.log10(tmax))
        tax = LabelledAxes((tb.min() - 0.3, tb.max() + 0.3), (lo, hi), log_y=True, x_label="log₂ batch size",
                           y_label="seconds per epoch", width=4.2, height=3.8, n_ticks=4, font_size=16)
        tax.to_edge(mn.RIGHT, buff=0.45).align_to(ax.axes, mn.UP)
        thead = text("time per epoch (measured)", size=18).next_to(tax.axes, mn.UP, buff=0.1)
        tl = mn.VGroup()
        for k in ("mnist", "digits"):
            tl.add(curve(tax, tb, c[f"epoch_time_{k}"], color=cols[k], stroke_width=2.5),
                   dots(tax, tb, c[f"epoch_time_{k}"], cols[k], radius=0.06))
        self.play(mn.FadeIn(tax), mn.FadeIn(thead), mn.Create(tl), run_time=1.2)
        self.pause("verdict")
        mn_ = m["mnist"]
        f = mn_["predicted_floats"]
        lines = mn.VGroup(
            text(f"per example, {'-'.join(map(str, mn_['sizes']))}: batch {f['batch']} + forward z, a {f['forward']}"
                 f" + backward δs {f['backward']} = {sum(f.values()):,} floats", size=18),
            text(f"× {mn_['bytes_per_float']} B = {mn_['predicted_bytes']:,} B predicted;  measured slope "
                 f"{mn_['slope']:,.0f} B per extra example", size=18),
            text(f"largest batch within {m['budget_bytes'] / MIB:g} MiB: {m['max_batch_in_budget']:,};  full-batch "
                 f"MNIST ({m['full_batch_mnist']:,} examples) by this slope: {m['full_batch_bytes'] / MIB:,.0f} MiB",
                 size=18, color=c_budget),
            text("small batches fit anywhere but take more, slower steps per epoch; mini-batches trade the two",
                 size=18, color=theme.MUTED),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08).to_edge(mn.DOWN, buff=0.15).to_edge(mn.LEFT, buff=0.4)
        self.play(mn.FadeIn(lines), run_time=0.8)
        self.wait(2.5)
