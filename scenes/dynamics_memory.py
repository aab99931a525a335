"""The blog's [CUDA OOM ERROR], as a measurement: the peak memory of one training step grows
linearly with the batch size — every example in the batch keeps its inputs, every layer's z and a
for backprop, and backprop's δs — so a device's memory budget caps the batch.

The scene opens on the question (at which batch is a 64 MiB budget full?), derives the bytes per
example from the layer widths (a table, summed on screen), draws that prediction as a dashed line,
and only then drops the tracemalloc measurements onto it. The fixed cost (the gradient, one float
per weight) makes the budget arithmetic add up. Beside it, the other side of the trade-off: the
MNIST-size net's time per epoch (median of repeated timings, min–max bars), which levels off by a
stated rule, and why (each step has a fixed cost; bigger batches take fewer steps).

    manim -ql scenes/dynamics_memory.py DynamicsMemory
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.dynamics import memory_story
from nnviz.render.marks import curve, dots, hline
from nnviz.render.plots import LabelledAxes, nice_ticks
from nnviz.render.style import MUTED, ThemedScene, color, heading, text

MIB = 2 ** 20
BIG = 28           # captions that carry the idea
SMALL = 24         # secondary labels, ticks (19 px at 854×480)
INK = theme.FOREGROUND


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
    size = kw.get("font_size", SMALL)
    ax.batch_labels = {}
    for b in ticks:
        p = ax.axes.c2p(f(b), ax.bounds[1, 0])
        lab = text(f"{int(b):,}", size=size, color=INK).next_to(p, mn.DOWN, buff=0.14)
        ax.batch_labels[int(b)] = lab
        ax.add(mn.Line(p, p + 0.08 * mn.DOWN, color=INK, stroke_width=2), lab)
    if ax.x_label is not None:
        ax.x_label.next_to(mn.VGroup(*ax.batch_labels.values()), mn.DOWN, buff=0.12)
    return ax


def lines(*rows, size=BIG, col=INK, buff=0.14) -> mn.VGroup:
    return mn.VGroup(*[text(r, size=size, color=col) for r in rows]).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=buff)


class DynamicsMemory(ThemedScene):
    experiment = "dynamics_memory"
    pace = 1.0          # scales every animation and wait (the render test draws fewer frames with less)

    def play(self, *anims, run_time=1.0, **kw):
        super().play(*anims, run_time=run_time * self.pace, **kw)

    def wait(self, duration=1.0, **kw):
        super().wait(duration * self.pace, **kw)

    def construct(self):
        t = experiments.load(self.experiment)["memory"]
        c, m = t.columns, t.meta
        s = memory_story(t)
        cols = {k: color(theme.MEMORY_NET[k]) for k in ("mnist",)}     # the digits net: in the still
        c_budget = color(theme.MEMORY_BUDGET)
        mn_ = m["mnist"]
        title = heading("Out of memory: what a bigger batch costs", size=32, buff=0.2)

        # ---- the memory plot: a LINEAR batch axis, so a fixed cost per example is a straight line
        b = c["batch"]
        top = max(c["peak_mnist"].max(), m["budget_bytes"]) / MIB * 1.35
        ax = batch_axes((0, b.max()), [0, 2048, 4096, 6144, 8192], (0, top), x_label="batch size",
                        y_label="peak MiB of one step", width=6.0, height=4.3, n_ticks=3, font_size=SMALL)
        ax.to_edge(mn.LEFT, buff=0.3).next_to(title, mn.DOWN, buff=0.45, coor_mask=np.array([0, 1, 0]))
        budget = hline(ax, m["budget_bytes"] / MIB, color=c_budget, text="", stroke_width=3)
        blab = text(f"{m['budget_bytes'] / MIB:g} MiB budget", size=SMALL, color=c_budget)
        blab.next_to(ax.c2p(0, m["budget_bytes"] / MIB), mn.UP, buff=0.1).align_to(ax.axes, mn.LEFT).shift(0.15 * mn.RIGHT)
        rx = ax.axes.get_right()[0] + 0.55             # the right column's left edge
        col_top = ax.axes.get_top()[1]

        def right(group, y=col_top):
            return group.move_to([rx, y, 0], aligned_edge=mn.UL)

        question = mn.VGroup(lines("At which batch size", "is 64 MiB full?".replace("64", f"{m['budget_bytes'] / MIB:g}"),
                                   size=32),
                             lines(f"MNIST-size net {'-'.join(map(str, mn_['sizes']))}, {m['dtype']}",
                                   size=SMALL, col=MUTED, buff=0.1)).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.4)
        right(question, col_top - 0.3)
        self.add(title, ax, budget, blab, question)    # the first frame: the question and the budget
        self.pause("question")

        # ---- the prediction, term by term, before any measurement
        head = text("floats per example (y one-hot)", size=SMALL, color=INK)
        rows = lines(*s["rows"])
        dnames = lines(*s["delta_notes"], size=SMALL, buff=0.08)
        rule = mn.Line(mn.ORIGIN, 4.6 * mn.RIGHT, color=MUTED, stroke_width=2)
        total = lines(s["sum"], s["bytes"])
        table = mn.VGroup(head, rows, dnames, rule, total).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.16)
        right(table)
        self.play(mn.FadeOut(question), run_time=0.4)
        self.play(mn.FadeIn(head), run_time=0.4)
        for row in rows:
            self.play(mn.FadeIn(row, shift=0.1 * mn.RIGHT), run_time=0.4)
            self.wait(0.5)
        self.play(mn.FadeIn(dnames), run_time=0.4)
        self.wait(0.8)
        self.play(mn.Create(rule), mn.FadeIn(total[0]), run_time=0.6)
        self.wait(0.6)
        self.play(mn.FadeIn(total[1]), run_time=0.5)
        self.wait(0.8)
        self.pause("predict")

        # the prediction as a dashed line (fixed cost + bytes per example × batch), then the measurements
        xs = np.array([0.0, b.max()])
        pred = {k: curve(ax, xs, (m[k]["predicted_fixed_bytes"] + m[k]["predicted_bytes"] * xs) / MIB,
                         color=cols[k], dashed=True, stroke_width=3) for k in cols}
        key = mn.VGroup(text("- - predicted", size=SMALL),
                        text("● over budget", size=SMALL, color=c_budget)).arrange(mn.RIGHT, buff=0.4)
        key.next_to(ax, mn.DOWN, buff=0.12).align_to(ax.axes, mn.LEFT)
        self.play(mn.Create(pred["mnist"]), mn.FadeIn(key[0]), run_time=1.2)
        self.wait(0.6)
        pts = {}
        for k in cols:
            pts[k] = dots(ax, b, c[f"peak_{k}"] / MIB, cols[k], radius=0.085)
            for d, o in zip(pts[k], c[f"peak_{k}"] > m["budget_bytes"]):
                if o:
                    d.set_fill(c_budget)
        self.play(mn.LaggedStart(*[mn.FadeIn(d, shift=0.6 * mn.DOWN) for d in pts["mnist"]], lag_ratio=0.15),
                  mn.FadeIn(key[1:]), run_time=1.8)
        # each line's measured slope (the fitted straight line), keyed by colour in the empty upper left
        labs = lines("● measured:", f"{mn_['slope']:,.0f} B per example", size=SMALL, col=cols["mnist"], buff=0.08)
        labs.next_to(ax.c2p(0, top), mn.DR, buff=0.12).shift(0.1 * mn.RIGHT)
        self.play(mn.FadeIn(labs), run_time=0.6)
        self.wait(1.2)
        self.pause("budget")

        # ---- the budget: the fixed cost makes the arithmetic add up
        cap = m["max_batch_in_budget"]
        mcap = mn.DashedLine(ax.c2p(cap, 0), ax.c2p(cap, m["budget_bytes"] / MIB), color=c_budget, stroke_width=3)
        caplab = lines("largest batch", "that fits:", f"{cap:,}", size=SMALL, col=c_budget, buff=0.08)
        caplab.next_to(ax.c2p(cap, 0.55 * m["budget_bytes"] / MIB), mn.RIGHT, buff=0.12)
        fixed = lines(s["fixed"], s["fixed_why"])
        fixed[1].set_color(MUTED)
        capl = lines(s["cap"], s["cap_value"], col=c_budget)
        full = text(s["full"], size=BIG, color=c_budget)
        budget_text = mn.VGroup(fixed, capl, full).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.35)
        right(budget_text)
        self.play(mn.FadeOut(table), run_time=0.4)
        self.play(mn.FadeIn(fixed), run_time=0.5)
        self.wait(1.2)
        self.play(mn.FadeIn(capl), mn.Create(mcap), mn.FadeIn(caplab), run_time=0.8)
        self.wait(1.2)
        self.play(mn.FadeIn(full), run_time=0.5)
        self.wait(3.5)                                  # the answer, settled, before the time half
        self.pause("time")

        # ---- the other side of the trade-off: time per epoch (the memory plot makes room for it)
        memory = mn.VGroup(ax, budget, blab, pred["mnist"], pts["mnist"], key, labs, mcap, caplab)
        self.play(mn.FadeOut(budget_text), mn.FadeOut(memory), run_time=0.6)
        tb = c["time_batch"]
        med, lo, hi = s["median"], s["lo"], s["hi"]
        ttop = hi.max() * 1.2
        tax = batch_axes((tb.min(), tb.max()), [16, 64, 256, 1024, 8192], (0, ttop), log=True,
                         x_label="batch size (log scale)", y_label=f"CPU s / epoch of {mn_['n_train']:,}", width=6.2, height=4.5,
                         n_ticks=4, font_size=SMALL)
        steps = mn.VGroup(*[text(s["steps"][i], size=SMALL, color=INK)
                            .next_to(tax.batch_labels[int(tb[i])], mn.DOWN, buff=0.08) for i in (0, len(tb) - 1)])
        tax.x_label.next_to(steps, mn.DOWN, buff=0.1)
        tax.add(steps)
        thead = text(s["spread"], size=SMALL, color=INK)
        tgroup = mn.VGroup(thead, tax).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.15)
        tgroup.to_edge(mn.LEFT, buff=0.3).next_to(title, mn.DOWN, buff=0.3, coor_mask=np.array([0, 1, 0]))
        rx = tax.axes.get_right()[0] + 0.45
        q = lines(*s["question"], size=32)
        q.move_to([rx, tax.axes.get_top()[1], 0], aligned_edge=mn.UL)
        self.play(mn.FadeIn(tgroup), mn.FadeIn(q), run_time=0.6)
        lx = np.log2(tb)
        w = 0.12
        bars = mn.VGroup(*[mn.VGroup(mn.Line(tax.c2p(x, a), tax.c2p(x, z), color=cols["mnist"], stroke_width=3),
                                     mn.Line(tax.c2p(x, a) + w * mn.LEFT, tax.c2p(x, a) + w * mn.RIGHT,
                                             color=cols["mnist"], stroke_width=3),
                                     mn.Line(tax.c2p(x, z) + w * mn.LEFT, tax.c2p(x, z) + w * mn.RIGHT,
                                             color=cols["mnist"], stroke_width=3))
                           for x, a, z in zip(lx, lo, hi)])
        tl = mn.VGroup(bars, dots(tax, lx, med, cols["mnist"], radius=0.08))
        self.play(mn.Create(tl), run_time=1.5)
        self.wait(1.0)
        self.pause("verdict")
        # why: a fixed cost per step (fitted to the medians), times the number of steps; the knee is where
        # that cost falls under the stated share of the epoch
        fb = np.geomspace(tb.min(), tb.max(), 60)
        fit = curve(tax, np.log2(fb), s["work"] + s["step_cost"] * mn_["n_train"] / fb, color=INK, dashed=True,
                    stroke_width=2.5)
        fkey = text(s["fit_key"], size=SMALL)
        fkey.next_to(tax.c2p(np.log2(tb[-1]), ttop), mn.DL, buff=0.1).shift(0.1 * mn.RIGHT)
        B = s["knee"]
        ring = mn.Circle(radius=0.17, color=INK, stroke_width=3).move_to(tax.c2p(np.log2(B), med[list(tb).index(B)]))
        why = lines(*s["why"])
        verdict = lines(s["knee_from"], s["knee_line"])
        take = lines(*s["takeaway"])
        words = mn.VGroup(why, verdict, take).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.4)
        words.move_to([rx, tax.axes.get_top()[1], 0], aligned_edge=mn.UL)
        self.play(mn.FadeOut(q), run_time=0.4)
        self.play(mn.Create(fit), mn.FadeIn(fkey), mn.FadeIn(why), run_time=1.0)
        self.bring_to_front(tl)
        self.wait(1.5)
        self.play(mn.FadeIn(verdict), mn.Create(ring), run_time=0.6)
        self.wait(1.5)
        self.pause("tradeoff")
        # the two halves together: past the knee, the batches that still fit buy little time for much memory
        tcap = mn.DashedLine(tax.c2p(np.log2(cap), 0), tax.c2p(np.log2(cap), 0.62 * ttop), color=c_budget,
                             stroke_width=3)
        tcl = text(s["cap_label"], size=SMALL, color=c_budget)
        tcl.next_to(tcap.get_end(), mn.UP, buff=0.08).align_to(tcap, mn.RIGHT).shift(0.1 * mn.RIGHT)
        self.play(mn.Create(tcap), mn.FadeIn(tcl), run_time=0.6)
        self.play(mn.FadeIn(take), run_time=0.6)
        self.wait(3.0)
