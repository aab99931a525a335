"""Under- and overfitting, and early stopping: one noisy data set (samples of sin x), three networks
of growing capacity trained the same way. The linear one cannot bend (train loss stays high); the
1-4-1 one follows the sine; the 1-64-64-1 one threads every training point, and its validation loss
turns up while its train loss keeps falling. Early stopping keeps the θ with the lowest validation
loss; the test part, never used to choose, reports how good that was.

    manim -ql scenes/dynamics_fitting.py DynamicsFitting
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.marks import curve, dots, vline
from nnviz.render.pacing import TimeWarp, combine, loss_progress
from nnviz.render.plots import LabelledAxes, Legend, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.widgets import Readout, StepCounter

ORDER = ("under", "right", "over")
TITLES = {"under": "too simple", "right": "about right", "over": "too flexible"}


class DynamicsFitting(ThemedScene):
    experiment = "dynamics_fitting"
    run_time = 9.0

    def construct(self):
        rec = experiments.load(self.experiment)
        data = rec["data"].columns
        curves = {k: rec[f"curves_{k}"] for k in ORDER}
        steps = curves["over"].columns["step"]
        split_col = {p: color("split", p) for p in ("train", "validation", "test")}
        n = {p: len(data[f"x_{p}"]) for p in ("train", "validation", "test")}
        title = heading("Underfitting, overfitting and early stopping", size=30, buff=0.2)
        sub = label(f"noisy samples of {rec['data'].meta['truth']}: {n['train']} to train on, {n['validation']} to "
                    f"validate (it chooses), {n['test']} to test (it only reports)", size=18)
        sub.next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)

        k = mn.ValueTracker(0.0)   # the recorded snapshot shown (its step is steps[k])
        xs = data["grid"]
        ylo = min(data[f"y_{p}"].min() for p in ("train", "validation")) - 0.3
        yhi = max(data[f"y_{p}"].max() for p in ("train", "validation")) + 0.3
        panels = mn.VGroup()
        for name in ORDER:
            c = curves[name]
            ax = LabelledAxes(xs[[0, -1]], (ylo, yhi), width=3.7, height=1.75, n_ticks=3, font_size=16,
                              frame="box")
            truth = curve(ax, xs, data["truth"], color=theme.MUTED, dashed=True, stroke_width=2)
            pts = mn.VGroup(dots(ax, data["x_train"], data["y_train"], split_col["train"], radius=0.05),
                            dots(ax, data["x_validation"], data["y_validation"], split_col["validation"],
                                 radius=0.05, hollow=True))
            fit = mn.always_redraw(lambda ax=ax, c=c: curve(ax, xs, c.columns["fit"][int(round(k.get_value()))],
                                                            color=theme.FOREGROUND, stroke_width=3))
            sizes = "-".join(map(str, c.meta["sizes"]))
            head = mn.VGroup(text(TITLES[name], size=20),
                             label(f"{sizes} network, {c.meta['n_params']:,} parameters", size=16)
                             ).arrange(mn.DOWN, buff=0.05).next_to(ax.axes, mn.UP, buff=0.08)

            def fmt(v, c=c):
                i = int(round(v))
                return f"train {c.columns['train'][i]:.3f}   validation {c.columns['validation'][i]:.3f}"
            read = Readout(k, fmt, size=16, color=theme.FOREGROUND)
            panels.add(mn.VGroup(mn.VGroup(ax, truth, pts, fit, head), read))
        panels.arrange(mn.RIGHT, buff=0.5).next_to(sub, mn.DOWN, buff=0.25)
        for p in panels:
            p[1].next_to(p[0][0], mn.DOWN, buff=0.1).align_to(p[0][0].axes, mn.LEFT)

        over = curves["over"].columns
        plot = LossPlot({p: over[p] for p in ("train", "validation", "test")}, colors=split_col,
                        steps={p: steps for p in ("train", "validation", "test")}, log_y=True,
                        y_range=(0.01, 1.0), width=6.4, height=1.6, tracker=mn.ValueTracker(0.0), legend=False,
                        x_label="step", y_label="loss (log)")
        plot.next_to(panels, mn.DOWN, buff=0.5).to_edge(mn.RIGHT, buff=0.6)
        plot.tracker.add_updater(lambda tr: tr.set_value(steps[int(round(k.get_value()))]))
        plot_head = text("the too-flexible network's loss on each part", size=18).next_to(plot.axes.axes, mn.UP,
                                                                                          buff=0.1)
        legend = Legend([(f"{p} ({n[p]} points)", split_col[p]) for p in ("train", "validation", "test")],
                        font_size=18, buff=0.1).next_to(plot, mn.LEFT, buff=0.5).align_to(plot.axes.axes, mn.UP)
        key = mn.VGroup(mn.VGroup(mn.DashedLine(mn.ORIGIN, 0.4 * mn.RIGHT, color=theme.MUTED), label("sin x", size=18))
                        .arrange(mn.RIGHT, buff=0.15),
                        mn.VGroup(mn.Line(mn.ORIGIN, 0.4 * mn.RIGHT, color=theme.FOREGROUND, stroke_width=3),
                                  text("network's fit", size=18)).arrange(mn.RIGHT, buff=0.15)
                        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1).next_to(legend, mn.DOWN, buff=0.15)
        key.align_to(legend, mn.LEFT)
        counter = StepCounter(mn.ValueTracker(0.0), total=int(steps[-1]), size=18)
        counter.tracker.add_updater(lambda tr: tr.set_value(steps[int(round(k.get_value()))]))
        counter.next_to(key, mn.DOWN, buff=0.2).align_to(legend, mn.LEFT)
        self.add(panels, plot, plot_head, legend, key, counter, plot.tracker, counter.tracker)
        self.pause("training")
        idx = np.arange(len(steps), dtype=float)
        warp = TimeWarp.from_progress(combine([loss_progress(curves[m].columns[p], idx) for m in ORDER
                                               for p in ("train", "validation")]), self.run_time, clock="linear")
        k.set_value(warp.first_step)
        self.play(warp.animate(k))
        self.pause("early-stop")

        meta = curves["over"].meta
        i = meta["stop_index"]
        mark = vline(plot.axes, steps[i], color=split_col["validation"], text="", dashed=True)
        stop_dot = dots(plot.axes, [steps[i]], [over["validation"][i]], split_col["validation"], radius=0.08)
        j = meta["test_min_index"]
        stop_dot.add(*dots(plot.axes, [steps[j]], [over["test"][j]], split_col["test"], radius=0.08, hollow=True))
        note = mn.VGroup(
            text(f"early stop at step {meta['stop_step']:,}: lowest validation loss {over['validation'][i]:.3f}",
                 size=18, color=split_col["validation"]),
            text(f"after it, train loss keeps falling ({over['train'][i]:.3f} → {over['train'][-1]:.3f}) "
                 f"while validation rises (→ {over['validation'][-1]:.3f})", size=18),
            text(f"test loss, only reported: {over['test'][i]:.3f} at the stop, {over['test'][-1]:.3f} at the end; "
                 f"its minimum ○ {over['test'][j]:.3f} at step {int(steps[j]):,}", size=18,
                 color=split_col["test"]),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06).to_edge(mn.DOWN, buff=0.1).to_edge(mn.LEFT, buff=0.4)
        big = panels[2][0][0]
        stopped = curve(big, xs, over["fit"][i], color=split_col["validation"], dashed=True, stroke_width=3)
        tag = label("dashed: at the early stop", size=16, color=split_col["validation"])
        tag.next_to(panels[2][1], mn.DOWN, buff=0.06).align_to(panels[2][1], mn.LEFT)
        self.play(mn.Create(mark), mn.FadeIn(stop_dot), mn.Create(stopped), run_time=1.0)
        self.play(mn.FadeIn(note), mn.FadeIn(tag), mn.FadeOut(counter), run_time=0.8)
        self.wait(2.5)
