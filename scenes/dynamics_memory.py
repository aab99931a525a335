"""The blog's [CUDA OOM ERROR], as a measurement: the peak memory of one training step grows
linearly with the batch size — every example in the batch keeps its inputs, every layer's z and a
for backprop, and backprop's δs — so a device's memory budget caps the batch. The memory panel has
a linear batch axis (a straight line is a fixed number of bytes per example, its slope labelled);
the slope is predicted from the layer widths and the dtype, term by term in words, and checked
against tracemalloc. Beside it, the other side of the trade-off: the MNIST-size net's time per
epoch (one pass over its examples) falls as batches grow, then levels off.

    manim -ql scenes/dynamics_memory.py DynamicsMemory
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.dynamics import level_off
from nnviz.render.marks import curve, dots, hline
from nnviz.render.plots import LabelledAxes, nice_ticks
from nnviz.render.style import ThemedScene, color, heading, text

MIB = 2 ** 20
NAMES = {"digits": "digits", "mnist": "MNIST-size"}
SIZE = 24          # every text on screen (readable at 854×480)
INK = theme.FOREGROUND   # axis labels and ticks in the caption colour, not dim grey


def batch_axes(span, ticks, y_range, log=False, **kw) -> LabelledAxes:
    """Axes over the batch size (or log₂ of it, `log=True`) from span[0] to span[1] whose x ticks
    read as the batch sizes themselves (0, 2,048, … or 16, 128, …)."""
    f = np.log2 if log else (lambda v: v)
    pad = 0.3 if log else 0.03 * span[1]
    x_range = (f(span[0]) - pad, f(span[1]) + pad)
    ax = LabelledAxes(x_range, y_range, color=INK, **kw)
    ax.fx = f
    # LabelledAxes puts the x ticks first: swap them for the batch sizes
    n_x = len(nice_ticks(*x_range, kw.get("n_ticks", 5)))
    for group in (ax.ticks, ax.tick_labels):
        group.remove(*group[:n_x])
    for lab in (ax.x_label, ax.y_label):
        if lab is not None:
            lab.set_color(INK)
    size = kw.get("font_size", SIZE)
    for b in ticks:
        p = ax.axes.c2p(f(b), ax.bounds[1, 0])
        ax.add(mn.Line(p, p + 0.08 * mn.DOWN, color=INK, stroke_width=2),
               text(f"{int(b):,}", size=size, color=INK).next_to(p, mn.DOWN, buff=0.14))
    return ax


class DynamicsMemory(ThemedScene):
    experiment = "dynamics_memory"

    def construct(self):
        t = experiments.load(self.experiment)["memory"]
        c, m = t.columns, t.meta
        cols = {k: color(theme.MEMORY_NET[k]) for k in NAMES}
        c_budget = color(theme.MEMORY_BUDGET)
        title = heading("Out of memory: what a bigger batch costs", size=32, buff=0.2)
        b = c["batch"]
        top = max(c["peak_mnist"].max(), m["budget_bytes"]) / MIB * 1.12
        # memory: a LINEAR batch axis, so a fixed cost per example is a straight line
        ax = batch_axes((0, b.max()), [0, 4096, 8192], (0, top), x_label="batch size",
                        y_label="MiB", width=4.6, height=2.0, n_ticks=3, font_size=SIZE)
        ax.to_edge(mn.LEFT, buff=0.35).next_to(title, mn.DOWN, buff=0.75, coor_mask=np.array([0, 1, 0]))
        mhead = text(f"peak memory of a step ({m['dtype']})", size=SIZE)
        mhead.next_to(ax.axes, mn.UP, buff=0.15).align_to(ax, mn.LEFT)
        budget = hline(ax, m["budget_bytes"] / MIB, color=c_budget, text="", stroke_width=3)
        cap = m["max_batch_in_budget"]
        blab = text(f"{m['budget_bytes'] / MIB:g} MiB budget", size=SIZE, color=c_budget)
        blab.next_to(ax.c2p(0, m["budget_bytes"] / MIB), mn.UP, buff=0.1).align_to(ax.axes, mn.LEFT).shift(0.15 * mn.RIGHT)
        key = mn.VGroup(*[text(f"● {NAMES[k]} net: {m[k]['slope']:,.0f} B per example", size=SIZE, color=cols[k])
                          for k in ("mnist", "digits")]).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08)
        key.next_to(ax, mn.DOWN, buff=0.15).align_to(ax, mn.LEFT)
        mcap = mn.DashedLine(ax.c2p(cap, 0), ax.c2p(cap, top), color=c_budget, stroke_width=3)
        self.add(title, ax, mhead, budget, blab, mcap, key)   # the poster frame: the axes, the budget
        self.pause("measure")
        for k in ("mnist", "digits"):
            pts = dots(ax, b, c[f"peak_{k}"] / MIB, cols[k], radius=0.08)
            for d, o in zip(pts, c[f"peak_{k}"] > m["budget_bytes"]):
                if o:
                    d.set_fill(c_budget)
            self.play(mn.LaggedStart(*[mn.FadeIn(d, scale=0.5) for d in pts], lag_ratio=0.2), run_time=1.5)
        xs = np.array([0.0, b.max()])
        pred = mn.VGroup(*[curve(ax, xs, (m[k]["intercept"] + m[k]["predicted_bytes"] * xs) / MIB,
                                 dashed=True, stroke_width=2) for k in ("mnist", "digits")])
        self.play(mn.Create(pred), run_time=1.0)
        self.pause("tally")
        # where the MNIST-size slope comes from: one term at a time, in words
        mn_ = m["mnist"]
        f, (n0, hid, nl) = mn_["predicted_floats"], mn_["sizes"]
        tally = [text(f"one {NAMES['mnist']} example keeps (floats):", size=SIZE),
                 text(f"input + target: {n0} + {nl} = {f['batch']}", size=SIZE),
                 text(f"z and a per layer: 2 × ({hid} + {nl}) = {f['forward']}", size=SIZE),
                 text(f"backprop: the output's δ ({nl}), and at the hidden layer", size=SIZE),
                 text(f"    δ·Wᵀ, f′(z) and its own δ (3 × {hid}): {nl} + {3 * hid} = {f['backward']}", size=SIZE),
                 text(f"{sum(f.values()):,} × {mn_['bytes_per_float']} B = {mn_['predicted_bytes']:,} B "
                      f"(measured {mn_['slope']:,.0f})", size=SIZE)]
        tally = mn.VGroup(*tally).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08)
        tally.next_to(key, mn.DOWN, buff=0.25).align_to(key, mn.LEFT)
        for line in tally:
            self.play(mn.FadeIn(line, shift=0.1 * mn.RIGHT), run_time=0.4)
            self.wait(0.6)
        self.pause("time")
        # the other side of the trade-off: the MNIST-size net's time per epoch, on a log batch axis
        tb, tm = c["time_batch"], c["epoch_time_mnist"]
        ttop = tm.max() * 1.2
        tax = batch_axes((tb.min(), tb.max()), [16, 128, 1024, 8192], (0, ttop), log=True,
                         x_label="batch size (log scale)", y_label="s per epoch", width=4.6, height=2.0,
                         n_ticks=3, font_size=SIZE)
        tax.to_edge(mn.RIGHT, buff=0.35).align_to(ax.axes, mn.UP)
        thead = text(f"{NAMES['mnist']} epoch ({mn_['n_train']:,} examples)", size=SIZE)
        thead.next_to(tax.axes, mn.UP, buff=0.15).align_to(tax, mn.LEFT)
        tcap = mn.DashedLine(tax.c2p(np.log2(cap), 0), tax.c2p(np.log2(cap), ttop), color=c_budget, stroke_width=3)
        self.play(mn.FadeIn(tax), mn.FadeIn(thead), mn.FadeIn(tcap), run_time=0.6)
        tl = mn.VGroup(curve(tax, np.log2(tb), tm, color=cols["mnist"], stroke_width=3),
                       dots(tax, np.log2(tb), tm, cols["mnist"], radius=0.08))
        self.play(mn.Create(tl), run_time=1.2)
        self.pause("verdict")
        B = level_off(tb, tm)
        verdict = mn.VGroup(
            text(f"{tm[0]:.2f} s at batch {int(tb[0])} → {tm[-1]:.2f} s at {int(tb[-1]):,}", size=SIZE),
            text(f"time levels off by batch {B:,};", size=SIZE),
            text("memory keeps growing", size=SIZE),
            text(f"toy {m['budget_bytes'] / MIB:g} MiB budget: batches ≤ {cap:,}", size=SIZE, color=c_budget),
            text(f"full-batch MNIST ({m['full_batch_mnist']:,}): {m['full_batch_bytes'] / MIB:,.0f} MiB",
                 size=SIZE, color=c_budget),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08)
        verdict.next_to(tax, mn.DOWN, buff=0.15).align_to(tax, mn.LEFT)
        for part in (verdict[:3], verdict[3:]):
            self.play(mn.FadeIn(part), run_time=0.6)
            self.wait(0.8)
        self.wait(1.5)
