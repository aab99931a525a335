"""Under- and overfitting, and early stopping: one noisy data set (samples of sin x), three networks
of growing capacity trained the same way. The linear one cannot bend (train loss stays high); the
small 1-4-1 one follows the sine; the 1-64-64-1 one threads every training point, and its validation
loss turns up while its train loss keeps falling. Then the big network alone, its losses growing
beside its fit: early stopping keeps the θ with the lowest validation loss — stopped there, the big
network does better on validation than the small one (stopping early limits how far it bends); the
test part, never used to choose and drawn only after the choice, reports how good that was.

    manim -ql scenes/dynamics_fitting.py DynamicsFitting
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.marks import curve, dots
from nnviz.render.pacing import TimeWarp, combine, loss_progress
from nnviz.render.plots import LabelledAxes, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.widgets import Readout, StepCounter

ORDER = ("under", "right", "over")
TITLES = {"under": "too simple", "right": "small", "over": "very flexible"}
SIZE = 24          # every text on screen (readable at 854×480)


class DynamicsFitting(ThemedScene):
    experiment = "dynamics_fitting"
    run_time = 7.0
    replay_time = 5.0

    def construct(self):
        rec = experiments.load(self.experiment)
        data = rec["data"].columns
        curves = {k: rec[f"curves_{k}"] for k in ORDER}
        steps = curves["over"].columns["step"]
        split_col = {p: color("split", p) for p in ("train", "validation", "test")}
        n = {p: len(data[f"x_{p}"]) for p in ("train", "validation", "test")}
        title = heading("Underfitting, overfitting and early stopping", size=32, buff=0.2)
        sub = mn.VGroup(label(f"{rec['data'].meta['truth']} + noise:", size=SIZE),
                        text(f"● {n['train']} train", size=SIZE, color=split_col["train"]),
                        text(f"○ {n['validation']} validation", size=SIZE, color=split_col["validation"]),
                        text(f"{n['test']} test (kept aside)", size=SIZE, color=split_col["test"])
                        ).arrange(mn.RIGHT, buff=0.3).next_to(title, mn.DOWN, buff=0.12)

        k = mn.ValueTracker(0.0)   # the recorded snapshot shown (its step is steps[k])
        xs = data["grid"]
        ylo = min(data[f"y_{p}"].min() for p in ("train", "validation")) - 0.3
        yhi = max(data[f"y_{p}"].max() for p in ("train", "validation")) + 0.3
        panels = mn.VGroup()
        for name in ORDER:
            c = curves[name]
            ax = LabelledAxes(xs[[0, -1]], (ylo, yhi), width=3.6, height=2.6, n_ticks=4, font_size=SIZE,
                              frame="box", x_ticks=3)
            truth = curve(ax, xs, data["truth"], color=theme.MUTED, dashed=True, stroke_width=2)
            pts = mn.VGroup(dots(ax, data["x_train"], data["y_train"], split_col["train"], radius=0.065),
                            dots(ax, data["x_validation"], data["y_validation"], split_col["validation"],
                                 radius=0.06, hollow=True))
            fit = mn.always_redraw(lambda ax=ax, c=c: curve(ax, xs, c.columns["fit"][int(round(k.get_value()))],
                                                            color=theme.FOREGROUND, stroke_width=3))
            sizes = "-".join(map(str, c.meta["sizes"]))
            head = mn.VGroup(text(f"{TITLES[name]}: {sizes}", size=SIZE),
                             label(f"{c.meta['n_params']:,} parameters", size=SIZE)
                             ).arrange(mn.DOWN, buff=0.06).next_to(ax.axes, mn.UP, buff=0.1)
            reads = mn.VGroup(
                Readout(k, lambda v, c=c: f"train {c.columns['train'][int(round(v))]:.3f}", size=SIZE,
                        color=split_col["train"]),
                Readout(k, lambda v, c=c: f"validation {c.columns['validation'][int(round(v))]:.3f}", size=SIZE,
                        color=split_col["validation"]))
            panels.add(mn.VGroup(mn.VGroup(ax, truth, pts, fit, head), reads))
        panels.arrange(mn.RIGHT, buff=0.6).next_to(sub, mn.DOWN, buff=0.2).set_x(0.1)
        for p in panels:
            p[1][0].next_to(p[0][0], mn.DOWN, buff=0.1).align_to(p[0][0].axes, mn.LEFT)
            p[1][1].next_to(p[1][0], mn.DOWN, buff=0.08).align_to(p[0][0].axes, mn.LEFT)
        key = mn.VGroup(mn.DashedLine(mn.ORIGIN, 0.5 * mn.RIGHT, color=theme.MUTED), label("sin x", size=SIZE),
                        mn.Line(mn.ORIGIN, 0.5 * mn.RIGHT, color=theme.FOREGROUND, stroke_width=3),
                        text("network's fit", size=SIZE)).arrange(mn.RIGHT, buff=0.15)
        key[2].shift(0.3 * mn.RIGHT)
        key[3].shift(0.3 * mn.RIGHT)
        counter = StepCounter(mn.ValueTracker(0.0), total=int(steps[-1]), size=SIZE)
        counter.tracker.add_updater(lambda tr: tr.set_value(steps[int(round(k.get_value()))]))
        bottom = mn.VGroup(key, counter).arrange(mn.RIGHT, buff=1.0).next_to(panels, mn.DOWN, buff=0.3)
        self.add(title, sub, panels, bottom, counter.tracker)          # the poster frame: data, untrained fits
        self.pause("training")
        idx = np.arange(len(steps), dtype=float)
        warp = TimeWarp.from_progress(combine([loss_progress(curves[m].columns[p], idx) for m in ORDER
                                               for p in ("train", "validation")]), self.run_time, clock="linear")
        k.set_value(warp.first_step)
        self.play(warp.animate(k))
        lesson = mn.VGroup(text("more capacity, lower train loss;", size=SIZE),
                           text("validation loss rises again for the very flexible one", size=SIZE,
                                color=split_col["validation"])).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08)
        lesson.next_to(bottom, mn.DOWN, buff=0.3)
        self.play(mn.FadeIn(lesson), run_time=0.6)
        self.wait(1.5)
        self.pause("early-stop")

        # --- the very flexible network alone: its fit beside its losses, replayed ---------------
        over, meta = curves["over"].columns, curves["over"].meta
        big = panels[2]
        self.play(mn.FadeOut(mn.VGroup(panels[0], panels[1], bottom, lesson)), run_time=0.6)
        self.play(big.animate.to_edge(mn.LEFT, buff=0.5), run_time=0.8)
        t = mn.ValueTracker(0.0)   # the step the loss curves have reached
        plot = LossPlot({p: over[p] for p in ("train", "validation")}, colors=split_col,
                        steps={p: steps for p in ("train", "validation")}, log_y=True,
                        y_range=(0.01, 1.0), width=6.6, height=2.8, tracker=t, legend=False,
                        x_label="step", y_label="loss (log)")
        plot.to_edge(mn.RIGHT, buff=0.4).next_to(sub, mn.DOWN, buff=0.75, coor_mask=np.array([0, 1, 0]))
        # the key sits above the plot, off the data; test joins it only once the choice is made
        swatch = {p: (mn.DashedLine(mn.ORIGIN, 0.5 * mn.RIGHT, color=split_col[p], stroke_width=4) if p == "test"
                      else mn.Line(mn.ORIGIN, 0.5 * mn.RIGHT, color=split_col[p], stroke_width=4))
                  for p in ("train", "validation", "test")}
        keys = {p: mn.VGroup(swatch[p], text(p, size=SIZE, color=split_col[p])).arrange(mn.RIGHT, buff=0.12)
                for p in ("train", "validation", "test")}
        key_row = mn.VGroup(*keys.values()).arrange(mn.RIGHT, buff=0.4)
        key_row.next_to(plot.axes.axes, mn.UP, buff=0.2).align_to(plot.axes.axes, mn.LEFT)
        t.add_updater(lambda tr: tr.set_value(steps[int(round(k.get_value()))]))
        k.set_value(0)
        self.add(t)
        self.play(mn.FadeIn(plot), mn.FadeIn(keys["train"]), mn.FadeIn(keys["validation"]), run_time=0.5)
        self.play(k.animate.set_value(len(steps) - 1), run_time=self.replay_time, rate_func=mn.linear)

        i, j = meta["stop_index"], meta["test_min_index"]
        a, b = plot.axes.c2p(steps[i], 0.01), plot.axes.c2p(steps[i], 1.0)
        mark = mn.DashedLine(a, b, color=split_col["validation"], stroke_width=3)
        stop_dot = dots(plot.axes, [steps[i]], [over["validation"][i]], split_col["validation"], radius=0.09)
        small = curves["right"].columns
        ks = int(np.argmin(small["validation"]))       # the small network's own early stop
        notes = mn.VGroup(
            text(f"stop at the lowest validation loss: step {meta['stop_step']:,}; train keeps falling after it",
                 size=SIZE, color=split_col["validation"]),
            text("left: the fit at the stop, before it bent into the noise", size=SIZE),
            text(f"there its validation loss is below the small net's best: {over['validation'][i]:.3f} vs "
                 f"{small['validation'][ks]:.3f}", size=SIZE),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06).next_to(mn.VGroup(big, plot), mn.DOWN, buff=0.15)
        notes.to_edge(mn.LEFT, buff=0.4)
        t.clear_updaters()                              # the loss curves stay whole while the fit rewinds
        self.play(mn.Create(mark), mn.FadeIn(stop_dot), k.animate.set_value(i), run_time=1.2)
        self.play(mn.FadeIn(notes), run_time=0.6)
        self.pause("test")
        test_curve = curve(plot.axes, steps, over["test"], color=split_col["test"], dashed=True, stroke_width=3)
        test_min = dots(plot.axes, [steps[j]], [over["test"][j]], split_col["test"], radius=0.09, hollow=True)
        test_note = mn.VGroup(
            text(f"test only reports: {over['test'][i]:.3f} at the stop, {over['test'][-1]:.3f} at the end; "
                 f"small net {small['test'][ks]:.3f}", size=SIZE, color=split_col["test"]),
            text(f"one split, {n['test']} points each: picking a minimum flatters it (○ test's own)", size=SIZE,
                 color=split_col["test"]))
        test_note.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08)
        test_note.next_to(notes, mn.DOWN, buff=0.08).align_to(notes, mn.LEFT)
        self.play(mn.Create(test_curve), mn.FadeIn(test_min), mn.FadeIn(keys["test"]), mn.FadeIn(test_note),
                  run_time=1.0)
        self.wait(2.5)
