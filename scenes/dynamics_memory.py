"""The blog's [CUDA OOM ERROR], as a measurement: the peak memory of one training step grows
linearly with the batch size — every example in the batch keeps its inputs, every layer's z and a
for backprop, and backprop's δs — so a device's memory budget caps the batch. The slope is
predicted from the layer widths and the dtype and checked against tracemalloc. Beside it, the
other side of the trade-off: time per epoch (one pass over the stated number of examples) falls
as batches grow.

    manim -ql scenes/dynamics_memory.py DynamicsMemory
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.dynamics import level_off
from nnviz.render.marks import curve, dots, hline
from nnviz.render.plots import LabelledAxes, nice_ticks
from nnviz.render.style import ThemedScene, color, heading, label, text

MIB = 2 ** 20
NAMES = {"digits": "digits", "mnist": "MNIST-size"}
SIZE = 24          # every text on screen (readable at 854×480)


def batch_axes(span, ticks, y_range, **kw) -> LabelledAxes:
    """Axes over log₂(batch size) from span[0] to span[1] whose x ticks read as the batch sizes
    themselves (16, 64, 256, …): both panels share this axis, so a batch sits at one x in both."""
    x_range = (np.log2(span[0]) - 0.3, np.log2(span[1]) + 0.3)
    ax = LabelledAxes(x_range, y_range, **kw)
    # LabelledAxes puts the x ticks first: swap them for the batch sizes
    n_x = len(nice_ticks(*x_range, kw.get("n_ticks", 5)))
    for group in (ax.ticks, ax.tick_labels):
        group.remove(*group[:n_x])
    size = kw.get("font_size", SIZE)
    for b in ticks:
        p = ax.axes.c2p(np.log2(b), ax.bounds[1, 0])
        ax.add(mn.Line(p, p + 0.08 * mn.DOWN, color=theme.MUTED, stroke_width=2),
               text(f"{int(b):,}", size=size, color=theme.MUTED).next_to(p, mn.DOWN, buff=0.14))
    return ax


class DynamicsMemory(ThemedScene):
    experiment = "dynamics_memory"

    def construct(self):
        t = experiments.load(self.experiment)["memory"]
        c, m = t.columns, t.meta
        cols = {k: color(theme.MEMORY_NET[k]) for k in NAMES}
        c_budget = color(theme.MEMORY_BUDGET)
        title = heading("Out of memory: what a bigger batch costs", size=32, buff=0.2)
        sub = label(f"one training step's peak memory, measured with tracemalloc ({m['dtype']})", size=SIZE)
        sub.next_to(title, mn.DOWN, buff=0.1)
        b = c["batch"]
        span, ticks = (b.min(), b.max()), [t_ for t_ in (16, 64, 256, 1024, 4096) if b.min() <= t_ <= b.max()]
        top = max(c["peak_mnist"].max(), m["budget_bytes"]) / MIB * 1.12
        ax = batch_axes(span, ticks, (0, top), x_label="batch size (log scale)", y_label="MiB",
                        width=5.0, height=2.3, n_ticks=4, font_size=SIZE)
        ax.to_edge(mn.LEFT, buff=0.4).next_to(sub, mn.DOWN, buff=0.65, coor_mask=np.array([0, 1, 0]))
        mhead = text("memory: dots measured, - - predicted", size=SIZE).next_to(ax.axes, mn.UP, buff=0.15)
        mhead.align_to(ax.axes, mn.LEFT)
        # the device's budget is a given: it is on screen before any measurement is judged against it
        budget = hline(ax, m["budget_bytes"] / MIB, color=c_budget, text="", stroke_width=3)
        cap = m["max_batch_in_budget"]
        blab = mn.VGroup(text(f"{m['budget_bytes'] / MIB:g} MiB (toy) budget;", size=SIZE, color=c_budget),
                         text(f"MNIST-size cap: {cap:,}", size=SIZE, color=c_budget)
                         ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06)
        blab.next_to(ax.c2p(np.log2(span[0]), m["budget_bytes"] / MIB), mn.UP, buff=0.1).align_to(ax.axes, mn.LEFT)
        blab.shift(0.15 * mn.RIGHT)

        # the other side of the trade-off: time per epoch at the same batch sizes, on the same axis
        tb = c["time_batch"]
        times = np.concatenate([c["epoch_time_mnist"], c["epoch_time_digits"]])
        times = times[np.isfinite(times)]
        lo, hi = 10.0 ** np.floor(np.log10(times.min())), 10.0 ** np.ceil(np.log10(times.max()))
        tax = batch_axes(span, ticks, (lo, hi), log_y=True, x_label="batch size (log scale)", y_label="s per epoch",
                         width=5.0, height=2.3, n_ticks=4, font_size=SIZE)
        tax.to_edge(mn.RIGHT, buff=0.4).align_to(ax.axes, mn.UP)
        thead = text("time per epoch (log)", size=SIZE).next_to(tax.axes, mn.UP, buff=0.15)
        thead.align_to(tax.axes, mn.LEFT)
        caps = mn.VGroup(*[mn.DashedLine(a_.c2p(np.log2(cap), y0), a_.c2p(np.log2(cap), y1), color=c_budget,
                                         stroke_width=3)
                           for a_, (y0, y1) in ((ax, (0, top)), (tax, (lo, hi)))])
        key = mn.VGroup(text(f"● {NAMES['mnist']} net {'-'.join(map(str, m['mnist']['sizes']))}, epoch = "
                             f"{m['mnist']['n_train']:,} examples", size=SIZE, color=cols["mnist"]),
                        text(f"● {NAMES['digits']} net {'-'.join(map(str, m['digits']['sizes']))}, epoch = "
                             f"{m['digits']['n_train']:,} (bigger batches repeat examples)", size=SIZE,
                             color=cols["digits"])).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06)
        key.next_to(ax, mn.DOWN, buff=0.2).to_edge(mn.LEFT, buff=0.4)
        self.add(title, sub, ax, tax, mhead, thead, budget, caps, blab, key)   # the poster frame: both axes, budget
        self.pause("measure")
        lb = np.log2(b)
        for k in ("mnist", "digits"):
            pts = dots(ax, lb, c[f"peak_{k}"] / MIB, cols[k], radius=0.08)
            for d, o in zip(pts, c[f"peak_{k}"] > m["budget_bytes"]):
                if o:
                    d.set_fill(c_budget)
            self.play(mn.LaggedStart(*[mn.FadeIn(d, scale=0.5) for d in pts], lag_ratio=0.2), run_time=1.5)
        xs = np.geomspace(span[0], span[1], 60)
        pred = mn.VGroup(*[curve(ax, np.log2(xs), (m[k]["intercept"] + m[k]["predicted_bytes"] * xs) / MIB,
                                 dashed=True, stroke_width=2) for k in ("mnist", "digits")])
        self.play(mn.Create(pred), run_time=1.0)
        self.pause("time")
        ltb = np.log2(tb)
        tl = mn.VGroup()
        for k in ("mnist", "digits"):
            ok = np.isfinite(c[f"epoch_time_{k}"])
            tl.add(curve(tax, ltb[ok], c[f"epoch_time_{k}"][ok], color=cols[k], stroke_width=2.5),
                   dots(tax, ltb[ok], c[f"epoch_time_{k}"][ok], cols[k], radius=0.08))
        self.play(mn.Create(tl), run_time=1.2)
        self.pause("verdict")
        mn_ = m["mnist"]
        f, (n0, *hid, nl) = mn_["predicted_floats"], mn_["sizes"]
        forward = f"z, a 2 × {sum(hid) + nl}" if len(hid) == 1 else "z, a"
        backward = f"δs {nl} + 3 × {hid[0]}" if len(hid) == 1 else "δs"
        lines = mn.VGroup(
            text(f"per MNIST-size example a step keeps: input, target {n0} + {nl} = {f['batch']};", size=SIZE),
            text(f"{forward} = {f['forward']};  {backward} = {f['backward']}:  {sum(f.values()):,} floats "
                 f"× {mn_['bytes_per_float']} B", size=SIZE),
            text(f"= {mn_['predicted_bytes']:,} B predicted per example, {mn_['slope']:,.0f} B measured",
                 size=SIZE),
            text(f"{m['budget_bytes'] / MIB:g} MiB fits batches up to {cap:,}; full-batch MNIST "
                 f"({m['full_batch_mnist']:,}) needs {m['full_batch_bytes'] / MIB:,.0f} MiB", size=SIZE, color=c_budget),
            text(f"epoch time levels off by {level_off(tb, c['epoch_time_mnist']):,}; memory keeps growing until it "
                 "won't fit", size=SIZE),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.07).next_to(key, mn.DOWN, buff=0.18).to_edge(mn.LEFT, buff=0.4)
        self.play(mn.FadeIn(lines), run_time=0.8)
        self.wait(2.0)
