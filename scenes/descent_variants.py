"""Batch vs mini-batch vs stochastic gradient descent.

DescentVariants: on the exact (w, b) loss of a line fit, the three variants side by side at
matched epochs (same data seen) and at matched steps, with fading trails, outlined heads and the
minimum on top, the full-data loss per epoch / per step beside them, and the lesson in words.
DescentDigits: the blog's MNIST experiment on the 8×8 digits: train / test loss per epoch, a
batch-size sweep with η tuned per batch size, and loss against the measured wall-clock time.

    manim -ql scenes/descent_variants.py DescentVariants
    manim -ql scenes/descent_variants.py DescentDigits
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.descent import budgets, median_clock, trade_off_lines
from nnviz.render.pacing import TimeWarp, combine, path_progress
from nnviz.render.plots import LabelledAxes, Legend, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap
from nnviz.render.dashed import DashedCurve
from nnviz.render.marks import curve, dots, vline
from nnviz.render.widgets import DescentPath, Readout

NAMES = {"batch": "batch GD", "minibatch": "mini-batch", "stochastic": "SGD (b = 1)"}
MATCHES = ("epochs", "steps")


def clock_of(run, match: str) -> np.ndarray:
    """The panel's clock at each recorded θ: epochs (steps / steps per epoch) or raw steps."""
    return run.steps / (run.config["steps_per_epoch"] if match == "epochs" else 1)


def variants_warps(rec, variants, run_time: float) -> dict:
    """One step-at-time mapping per panel, both the same length: time follows the drawn path length
    of the panel's three runs (each run's share of its own length)."""
    s = rec["surface"]
    b, scale = [s.xs[[0, -1]], s.ys[[0, -1]]], [np.ptp(s.xs), np.ptp(s.ys)]
    out = {}
    for match in MATCHES:
        runs = [rec[f"{v}_{match}"] for v in variants]
        prog = combine([path_progress(r.thetas, clock_of(r, match), b, scale) for r in runs])
        out[match] = TimeWarp.from_progress(prog, run_time, last_step=max(clock_of(r, match)[-1] for r in runs))
    return out


def excess(run, floor: float) -> np.ndarray:
    """The full-data loss above the exact minimum's, L − L* (what the log plots show)."""
    return np.maximum(run.train_loss - floor, 1e-12)


def small(v: float) -> str:
    """A loss gap in few characters: 0.14, 0.019, or 10⁻⁶ for tiny ones (its decade)."""
    if v >= 1e-3:
        return f"{v:.2g}"
    return "10" + str(int(np.round(np.log10(v)))).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def lesson(rec, variants) -> list[str]:
    """The lesson in words, every number from the records (full-data loss above its minimum)."""
    floor = rec["surface"].meta["min_loss"]
    e = {v: excess(rec[f"{v}_epochs"], floor) for v in variants}
    st = {v: excess(rec[f"{v}_steps"], floor) for v in variants}
    n = rec["surface"].config["problem"]["n"]
    sgd, gd, mb = "stochastic", "batch", "minibatch"
    return ["Per epoch (same data):",
            "SGD is near after 1 epoch",
            f"({e[sgd][1]:.2g} vs batch GD {e[gd][1]:.2g}),",
            f"then jitters: ends {e[sgd][-1]:.2g}",
            f"(mini-batch {e[mb][-1]:.2g}): one",
            "example's gradient is not 0",
            "at ★, each step kicks it off.",
            "Per step:",
            "batch GD ends lowest",
            f"({small(st[gd][-1])} vs SGD {st[sgd][-1]:.2g}):",
            f"each step sees all {n}."]


class DescentVariants(ThemedScene):
    experiment = "descent_variants"
    variants = ("batch", "minibatch", "stochastic")
    panel = 3.3
    run_time = 10.0
    fade_steps = 30  # a trail stays bright for its last 30 updates

    def construct(self):
        rec = experiments.load(self.experiment)
        s = rec["surface"]
        first = rec[f"{self.variants[0]}_epochs"]
        title = heading("Batch, mini-batch and stochastic gradient descent", size=30, buff=0.15)
        sub = label(f"exact loss of the line fit ŷ = w·x + b, {s.config['problem']['n']} points · same start · "
                    f"same η = {first.lr[0]:g}", size=24).next_to(title, mn.DOWN, buff=0.1)
        bsz = {v: first.meta["batch_size"] if v == "batch" else rec[f"{v}_epochs"].meta["batch_size"]
               for v in self.variants}
        names = {"batch": f"batch GD (b = {bsz['batch']})", "minibatch": f"mini-batch (b = {bsz['minibatch']})",
                 "stochastic": "SGD (b = 1)"}
        legend = Legend([(names[v], color("variant", v)) for v in self.variants], font_size=24)
        self.add(title, sub)
        floor = s.meta["min_loss"]
        clocks = {m: mn.ValueTracker(0.0) for m in MATCHES}
        panels = mn.VGroup()
        order = ("stochastic", "minibatch", "batch")  # batch GD drawn last: on top of the others
        for match in MATCHES:
            runs = {v: rec[f"{v}_{match}"] for v in self.variants}
            total = max(clock_of(r, match)[-1] for r in runs.values())
            ax = LabelledAxes(s.xs[[0, -1]], s.ys[[0, -1]], "w", "b", width=self.panel, height=self.panel * 0.56,
                              n_ticks=3, font_size=24, frame="box")
            grp = mn.VGroup(ax, ContourMap(ax.axes, s.xs, s.ys, s.loss, levels=10, log=True, color=theme.MUTED,
                                           stroke_width=1.4).set_stroke(opacity=0.8))
            for v in [v for v in order if v in self.variants]:
                path = DescentPath(runs[v].thetas, ax, steps=clock_of(runs[v], match), color=color("variant", v),
                                   tracker=clocks[match], stroke_width=4 if v == "batch" else 3,
                                   head_radius=0.1 if v == "batch" else 0.08,
                                   fade=self.fade_steps / (runs[v].config["steps_per_epoch"] if match == "epochs" else 1),
                                   fade_floor=0.15 if v == "stochastic" else 0.4, outline=theme.BACKGROUND,
                                   start_marker=False)
                path.set_z_index({"stochastic": 1, "minibatch": 2, "batch": 3}[v])
                path.trace.head.set_z_index(4)
                grp.add(path)
            star = mn.Star(n=5, outer_radius=0.17, color=color(theme.FOREGROUND), fill_opacity=1,
                           stroke_color=color(theme.BACKGROUND), stroke_width=2).move_to(ax.c2p(*s.meta["minimum"]))
            start = mn.Circle(radius=0.12, stroke_color=color(theme.FOREGROUND), stroke_width=3).move_to(
                ax.c2p(*first.thetas[0]))
            grp.add(mn.VGroup(star, start).set_z_index(5))
            unit = "epoch" if match == "epochs" else "step"
            # what this column holds equal, then its clock, then what differs, in the methods' colours
            head = text("same data seen" if match == "epochs" else "same step count", size=24)
            if match == "epochs":
                parts = [(f"{runs[v].n_steps}", v) for v in self.variants]
                unit_word = "updates"
            else:
                parts = [(f"{runs[v].n_steps * bsz[v] / bsz['batch']:.2g}", v) for v in self.variants]
                unit_word = "epochs"
            chips = mn.VGroup()
            for k, (num, v) in enumerate(parts):
                if k:
                    chips.add(label("·", size=24))
                chips.add(text(num, size=24, color=color("variant", v)))
            chips.add(label(unit_word, size=24))
            chips.arrange(mn.RIGHT, buff=0.12)
            sub2 = chips
            clock = Readout(clocks[match], lambda x, unit=unit, total=total: f"{unit} {x:.1f} of {total:g}"
                            if unit == "epoch" else f"{unit} {int(x)} of {total:g}", size=24,
                            color=color(theme.FOREGROUND))
            sub2.next_to(ax.axes, mn.UP, buff=0.12).align_to(ax.axes, mn.LEFT)
            clock.next_to(sub2, mn.UP, buff=0.1).align_to(ax.axes, mn.LEFT)
            head.next_to(clock, mn.UP, buff=0.1).align_to(ax.axes, mn.LEFT)
            # the full-data loss under the paths: per epoch, or per step
            xs = {v: runs[v].eval_steps / (runs[v].config["steps_per_epoch"] if match == "epochs" else 1)
                  for v in self.variants}
            solid = [v for v in order if v != "minibatch"]
            lp = LossPlot({v: excess(runs[v], floor) for v in solid}, colors={v: color("variant", v) for v in solid},
                          steps={v: xs[v] for v in solid}, log_y=True, width=self.panel, height=1.55,
                          tracker=clocks[match], x_label=unit, y_label="", legend=False,
                          x_ticks=3, font_size=24, y_range=(1e-7, 1e4), y_ticks=4)
            if "minibatch" in self.variants:  # dashed: it ends close to batch GD per step, both must show
                lp.curves["minibatch"] = DashedCurve(lp.axes, excess(runs["minibatch"], floor), xs["minibatch"],
                                                     color=color("variant", "minibatch"), tracker=clocks[match],
                                                     stroke_width=3.5, num_dashes=40)
                lp.add(lp.curves["minibatch"])
            lp.next_to(ax, mn.DOWN, buff=0.25).align_to(ax.axes, mn.RIGHT)
            # what the log axis shows, inside its empty top-right corner
            lp.add(text("loss − minimum", size=24, color=color(theme.MUTED)).move_to(
                lp.axes.axes.get_corner(mn.UR) + 0.05 * mn.LEFT + 0.05 * mn.DOWN, aligned_edge=mn.UR))
            if match == "epochs":  # the moment of the per-epoch claim: after one epoch
                lp.add(vline(lp.axes, 1.0, color=color(theme.MUTED), dashed=True, stroke_width=2))
            panels.add(mn.VGroup(head, sub2, grp, clock, lp))
        top = sub.get_bottom()[1] - 0.25
        for k, pnl in enumerate(panels):  # placed by their maps: the maps' left edges a fixed distance apart
            ax_left = pnl[2][0].axes.get_left()[0]
            pnl.shift((-5.9 + k * (self.panel + 1.3) - ax_left) * mn.RIGHT + (top - pnl.get_top()[1]) * mn.UP)
        # static first: manim draws everything before the first moving mobject once, as a still image
        moving = [m for m in panels.get_family() if m.updaters]
        static = [m for m in panels.family_members_with_points() if not any(m in mv.get_family() for mv in moving)]
        legend.next_to(panels[-1][2][0].axes, mn.RIGHT, buff=0.35).align_to(panels, mn.UP)
        self.add(*static, legend, *moving)
        warps = variants_warps(rec, self.variants, self.run_time)
        for m, c in clocks.items():
            c.set_value(warps[m].first_step)
        self.wait(0.5)
        self.play(*[warps[m].animate(c) for m, c in clocks.items()])
        self.pause("variants-end")
        words = mn.VGroup(*[text(line, size=24, color=color(theme.FOREGROUND if k not in (0, 7) else theme.MUTED))
                            for k, line in enumerate(lesson(rec, self.variants))])
        words.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.07)
        words[7:].shift(0.15 * mn.DOWN)
        words.next_to(legend, mn.DOWN, buff=0.4, aligned_edge=mn.LEFT)
        self.play(mn.FadeIn(words))
        self.wait(3.0)


def sweep_names(rec) -> list[str]:
    """The batch-size sweep's records, smallest batch first (read from the records, not the registry)."""
    return sorted((k for k in rec if k.startswith("b") and k[1:].isdigit()), key=lambda k: rec[k].meta["batch_size"])


def digits_warps(rec, variants, run_time: float) -> dict:
    """Per phase, time follows the change of the drawn curves (log loss): epochs for the loss panels,
    seconds of measured training for the wall-clock panel."""
    from nnviz.render.pacing import loss_progress

    out = {}
    ep = combine([loss_progress(rec[v].test_loss, rec[v].eval_steps / rec[v].config["steps_per_epoch"])
                  for v in variants])
    out["epochs"] = TimeWarp.from_progress(ep, run_time, clock="linear")
    # wall clock (seconds of measured training): progress by change in log loss along each curve
    tl = combine([loss_progress(rec[v].test_loss[1:], median_clock(rec[v])[1:]) for v in variants])
    out["clock"] = TimeWarp.from_progress(tl, run_time, clock="log")
    return out


class DescentDigits(ThemedScene):
    experiment = "descent_digits"
    variants = ("batch", "minibatch", "stochastic")
    run_time = 6.0
    plot, tall = 3.0, 3.5  # width and height of each plot

    def construct(self):
        rec = experiments.load(self.experiment)
        first = rec[self.variants[0]]
        n, epochs = first.meta["batch_size"], first.config["epochs"]
        sizes = "–".join(str(x) for x in first.config["problem"]["model"]["sizes"])
        title = heading("Real data: 8×8 handwritten digits (a small MNIST)", size=32, buff=0.2)
        grid = ", ".join(f"{x:g}" for x in first.meta["tuning"]["lrs"])
        sub = mn.VGroup(label(f"network {sizes} · {n} images · {epochs} epochs · same start", size=24),
                        label(f"η per batch size from {grid}: lowest train loss, no 5× jumps", size=24))
        sub.arrange(mn.DOWN, buff=0.06).next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)
        warps = digits_warps(rec, self.variants, self.run_time)
        t = mn.ValueTracker(0.0)
        per = {v: rec[v].config["steps_per_epoch"] for v in self.variants}
        cols = {v: color("variant", v) for v in self.variants}
        rows = {"batch": f"batch GD, b = {n}", "minibatch": f"mini-batch, b = {rec['minibatch'].meta['batch_size']}",
                "stochastic": "SGD, b = 1"}
        legend = mn.VGroup()
        for v in self.variants:
            sw = mn.Line(mn.ORIGIN, 0.45 * mn.RIGHT, color=cols[v], stroke_width=6)
            # what one epoch costs: its updates and its median measured time (the per-second view's reason)
            steps = f"{per[v]} step{'s' if per[v] > 1 else ''}"
            ms = 1e3 * float(np.median(rec[v].epoch_time))
            words = mn.VGroup(text(rows[v], size=24, color=cols[v]),
                              label(f"η = {rec[v].meta['lr']:g}, {steps}", size=24),
                              label(f"{ms:.0f} ms per epoch" if ms >= 10 else f"{ms:.2g} ms per epoch", size=24))
            words.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06)
            legend.add(mn.VGroup(sw, words).arrange(mn.RIGHT, buff=0.15, aligned_edge=mn.UP))
        legend.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.25)
        plots = mn.VGroup()
        for which in ("train_loss", "test_loss"):
            p = LossPlot({v: getattr(rec[v], which) for v in self.variants}, colors=cols, log_y=True,
                         width=self.plot, height=self.tall, tracker=t, x_label="epoch",
                         y_label=which.replace("_", " "), legend=False, y_range=(1e-3, 10.0), x_ticks=3,
                         font_size=24)
            plots.add(p)
        plots.arrange(mn.RIGHT, buff=0.45)
        top = mn.VGroup(plots, legend).arrange(mn.RIGHT, buff=0.4, aligned_edge=mn.UP)
        top.next_to(sub, mn.DOWN, buff=0.45).set_x(0)
        why = text("per epoch every run sees the same data; the number of updates differs", size=24)
        why.to_edge(mn.DOWN, buff=0.3)
        self.add(plots, legend, why)
        self.wait(0.5)
        self.play(warps["epochs"].animate(t))
        self.pause("digits-epochs")
        self.wait(1.5)

        # per second of measured training, and the whole batch-size sweep at two budgets
        t3 = mn.ValueTracker(warps["clock"].first_step)
        cp = LossPlot({v: rec[v].test_loss[1:] for v in self.variants}, colors=cols,
                      steps={v: median_clock(rec[v])[1:] for v in self.variants},
                      log_y=True, log_x=True,
                      width=self.plot, height=self.tall, tracker=t3, x_label="training time (s)",
                      y_label="test loss", y_range=(1e-2, 10.0), legend=False, font_size=24, x_ticks=3,
                      x_range=(1e-3, 10.0))
        b = budgets(rec)
        bs = np.array(list(b["epochs"]), float)
        chart = LabelledAxes((0.5, 3000.0), (1e-2, 10.0), "batch size b", "test loss", log_x=True, log_y=True,
                             width=self.plot, height=self.tall, font_size=24)
        mn.VGroup(cp, chart).arrange(mn.RIGHT, buff=0.45).move_to(plots, aligned_edge=mn.DL)
        cp_head = text("per second (median epoch)", size=24).next_to(cp.axes.axes, mn.UP, buff=0.12)
        budget_line = vline(cp.axes, b["budget"], color=color(theme.FOREGROUND), text="")
        budget_word = text("budget", size=24)
        budget_word.next_to(cp.axes.axes.c2p(cp.axes.to_axes([[b["budget"], 1.0]])[0, 0], cp.axes.bounds[1, 0]),
                            mn.UP, buff=0.08).shift(0.05 * mn.RIGHT)
        budget_word.set_x(budget_line.get_x() + budget_word.width / 2 + 0.08)
        budget_word.set_y(cp.axes.axes.get_top()[1] - 0.2)
        ch_head = text("every batch size", size=24).next_to(chart.axes, mn.UP, buff=0.12)
        fg = color(theme.FOREGROUND)
        ep_y = list(b["epochs"].values())
        # at the budget only runs that finished an epoch have a measured loss; the others are left out
        s_y = [v if b["epochs_done"][int(x)] > 0 else np.nan for x, v in zip(bs, b["seconds"].values())]
        ep_line, s_line = curve(chart, bs, ep_y, color=fg), curve(chart, bs, s_y, color=fg, dashed=True)
        ep_dots = dots(chart, bs, ep_y, fg, radius=0.08)
        s_dots = dots(chart, bs, s_y, fg, radius=0.09, hollow=True)
        # the three runs of the other plots keep their colours here
        followed = {rec[v].meta["batch_size"]: cols[v] for v in self.variants}
        shown = [x for x, y in zip(bs, s_y) if np.isfinite(y)]
        for group, xs_ in ((ep_dots, bs), (s_dots, shown)):
            for d, x in zip(group, xs_):
                if int(x) in followed:
                    d.set_stroke(followed[int(x)]) if d.get_fill_opacity() == 0 else d.set_fill(followed[int(x)])
        ep_tag = text(f"after {b['n_epochs']} epochs", size=24).next_to(chart.c2p(bs[0], ep_y[0]), mn.DOWN, buff=0.15)
        k0 = int(np.flatnonzero(np.isfinite(s_y))[0])  # the first batch size with a measured loss at the budget
        s_tag = text(f"after {b['budget']:.2g} s", size=24).next_to(chart.c2p(bs[k0], s_y[k0]), mn.UP, buff=0.25)
        for tag in (ep_tag, s_tag):
            tag.set_x(max(tag.get_x(), chart.axes.get_left()[0] + 0.1 + tag.width / 2))
        lines = trade_off_lines(rec)
        note = mn.VGroup(*[text(line, size=24) for line in lines]).arrange(
            mn.DOWN, aligned_edge=mn.LEFT, buff=0.1).to_edge(mn.DOWN, buff=0.15)
        self.play(mn.FadeOut(plots), mn.FadeOut(why), run_time=0.6)
        self.play(mn.FadeIn(cp.axes), mn.FadeIn(cp_head), *[mn.FadeIn(c) for c in cp.curves.values()], run_time=0.6)
        self.play(warps["clock"].animate(t3))
        self.play(mn.Create(budget_line), mn.FadeIn(budget_word), run_time=0.6)
        self.pause("digits-clock")
        self.play(mn.FadeIn(chart), mn.FadeIn(ch_head), run_time=0.6)
        self.play(mn.Create(ep_line), mn.LaggedStart(*[mn.FadeIn(d) for d in ep_dots], lag_ratio=0.3),
                  mn.FadeIn(ep_tag), run_time=1.5)
        self.play(mn.Create(s_line), mn.LaggedStart(*[mn.FadeIn(d) for d in s_dots], lag_ratio=0.3),
                  mn.FadeIn(s_tag), run_time=1.5)
        self.play(mn.FadeIn(note))
        self.pause("digits-end")
        self.wait(2.5)
