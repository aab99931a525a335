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
from nnviz.render.pacing import TimeWarp, combine, path_progress
from nnviz.render.plots import LabelledAxes, Legend, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap
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


def lesson(rec, variants) -> list[str]:
    """The lesson in words, every number from the records (full-data loss)."""
    e = {v: rec[f"{v}_epochs"] for v in variants}
    st = {v: rec[f"{v}_steps"] for v in variants}
    sgd, gd, mb = "stochastic", "batch", "minibatch"
    return [f"Per epoch: SGD is close after one epoch (loss {e[sgd].train_loss[1]:.2g} vs batch "
            f"{e[gd].train_loss[1]:.2g}),",
            f"but at a fixed η it jitters instead of settling (ends {e[sgd].train_loss[-1]:.3g}, "
            f"mini-batch {e[mb].train_loss[-1]:.3g}).",
            f"Per step the picture reverses: batch GD ends lowest ({st[gd].train_loss[-1]:.3g}; "
            f"SGD {st[sgd].train_loss[-1]:.3g}): each batch step sees all the data."]


class DescentVariants(ThemedScene):
    experiment = "descent_variants"
    variants = ("batch", "minibatch", "stochastic")
    panel = 3.3
    run_time = 10.0
    fade = 0.06  # share of a panel's clock a trail stays bright

    def construct(self):
        rec = experiments.load(self.experiment)
        s = rec["surface"]
        first = rec[f"{self.variants[0]}_epochs"]
        title = heading("Batch, mini-batch and stochastic gradient descent", size=30, buff=0.2)
        sub = label(f"exact loss of ŷ = w·x + b on {s.config['problem']['n']} points; same start, same "
                    f"η = {first.lr[0]:g}", size=20).next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)
        clocks = {m: mn.ValueTracker(0.0) for m in MATCHES}
        panels, plots = mn.VGroup(), mn.VGroup()
        for match in MATCHES:
            runs = {v: rec[f"{v}_{match}"] for v in self.variants}
            total = max(clock_of(r, match)[-1] for r in runs.values())
            ax = LabelledAxes(s.xs[[0, -1]], s.ys[[0, -1]], "w", "b", width=self.panel, height=self.panel * 0.8,
                              n_ticks=4, font_size=18, frame="box")
            grp = mn.VGroup(ax, ContourMap(ax.axes, s.xs, s.ys, s.loss, levels=10, log=True, color=theme.MUTED,
                                           stroke_width=1.2).set_stroke(opacity=0.6))
            for v in self.variants:
                path = DescentPath(runs[v].thetas, ax, steps=clock_of(runs[v], match), color=color("variant", v),
                                   tracker=clocks[match], stroke_width=3, head_radius=0.08, fade=self.fade * total,
                                   fade_floor=0.15 if v == "stochastic" else 0.35, outline=theme.BACKGROUND,
                                   start_marker=False)
                path.trace.head.set_z_index(4)
                grp.add(path)
            star = mn.Star(n=5, outer_radius=0.13, color=color(theme.FOREGROUND), fill_opacity=1,
                           stroke_color=color(theme.BACKGROUND), stroke_width=2).move_to(ax.c2p(*s.meta["minimum"]))
            start = mn.Circle(radius=0.12, stroke_color=color(theme.FOREGROUND), stroke_width=3).move_to(
                ax.c2p(*first.thetas[0]))
            grp.add(mn.VGroup(star, start).set_z_index(5))
            unit = "epoch" if match == "epochs" else "step"
            steps_txt = ", ".join(f"{runs[v].n_steps}" for v in self.variants)
            head = text(f"same {match}: {total:g} each", size=22)
            sub2 = label(f"updates: {steps_txt}", size=18)
            clock = Readout(clocks[match], lambda x, unit=unit, total=total: f"{unit} {x:.1f} / {total:g}"
                            if unit == "epoch" else f"{unit} {int(x)} / {total:g}", size=20, color=color(theme.MUTED))
            head.next_to(ax.axes, mn.UP, buff=0.4).align_to(ax.axes, mn.LEFT)
            sub2.next_to(head, mn.DOWN, buff=0.06, aligned_edge=mn.LEFT)
            # right-aligned on the "updates" line, room left for its widest string (it keeps its left edge)
            widest = text(clock.fmt(float(total)), size=20).width
            clock.next_to(ax.x_label, mn.DOWN, buff=0.1).set_x(ax.axes.get_center()[0] - widest / 2, direction=mn.LEFT)
            panels.add(mn.VGroup(head, sub2, grp, clock))
            # the full-data loss beside the paths: per epoch, or per step
            curves = {v: runs[v].train_loss for v in self.variants}
            xs = {v: runs[v].eval_steps / (runs[v].config["steps_per_epoch"] if match == "epochs" else 1)
                  for v in self.variants}
            lp = LossPlot({NAMES[v]: curves[v] for v in self.variants},
                          colors={NAMES[v]: color("variant", v) for v in self.variants},
                          steps={NAMES[v]: xs[v] for v in self.variants}, log_y=True, width=2.8, height=1.3,
                          tracker=clocks[match], x_label=unit, y_label="", legend=False)
            cap = text(f"loss on all data, per {unit}", size=18)
            plots.add(mn.VGroup(cap, lp).arrange(mn.DOWN, buff=0.08))
        panels.arrange(mn.RIGHT, buff=0.55).to_edge(mn.LEFT, buff=0.3).shift(0.05 * mn.UP)
        plots.arrange(mn.DOWN, buff=0.25).next_to(panels, mn.RIGHT, buff=0.3).align_to(panels, mn.UP)
        legend = Legend([(NAMES[v], color("variant", v)) for v in self.variants], font_size=20)
        legend.arrange(mn.RIGHT, buff=0.5).next_to(panels, mn.DOWN, buff=0.2).align_to(panels, mn.LEFT)
        # static first: manim draws everything before the first moving mobject once, as a still image
        moving = [m for m in panels.get_family() + plots.get_family() if m.updaters]
        static = [m for m in (panels.family_members_with_points() + plots.family_members_with_points())
                  if not any(m in mv.get_family() for mv in moving)]
        self.add(*static, legend, *moving)
        warps = variants_warps(rec, self.variants, self.run_time)
        for m, c in clocks.items():
            c.set_value(warps[m].first_step)
        self.wait(0.5)
        self.play(*[warps[m].animate(c) for m, c in clocks.items()])
        self.pause("variants-end")
        words = mn.VGroup(*[text(line, size=18, color=color(theme.FOREGROUND)) for line in lesson(rec, self.variants)])
        words.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06).to_edge(mn.DOWN, buff=0.1).to_edge(mn.LEFT, buff=0.35)
        self.play(mn.FadeOut(legend), mn.FadeIn(words))
        self.wait(2.0)


def sweep_names(rec) -> list[str]:
    """The batch-size sweep's records, smallest batch first (read from the records, not the registry)."""
    return sorted((k for k in rec if k.startswith("b") and k[1:].isdigit()), key=lambda k: rec[k].meta["batch_size"])


def wall_clock(run) -> np.ndarray:
    """Seconds of training work at each evaluation (end of epoch e), from the run's declared timing
    field `epoch_time` (evaluation excluded); epoch 0 is at 0 s."""
    return np.r_[0.0, np.cumsum(run.epoch_time)]


def digits_warps(rec, variants, run_time: float) -> dict:
    """Per phase, time follows the change of the drawn curves (log loss): epochs for the loss panels
    and the sweep, seconds of measured training for the wall-clock panel."""
    from nnviz.render.pacing import loss_progress

    out = {}
    ep = combine([loss_progress(rec[v].test_loss, rec[v].eval_steps / rec[v].config["steps_per_epoch"])
                  for v in variants])
    out["epochs"] = TimeWarp.from_progress(ep, run_time, clock="linear")
    names = sweep_names(rec)
    sw = combine([loss_progress(rec[k].test_loss, np.arange(len(rec[k].test_loss), dtype=float)) for k in names])
    out["sweep"] = TimeWarp.from_progress(sw, run_time, clock="linear")
    # wall clock (seconds of measured training): progress by change in log loss along each curve
    tl = combine([loss_progress(rec[v].test_loss[1:], wall_clock(rec[v])[1:]) for v in variants])
    out["clock"] = TimeWarp.from_progress(tl, run_time, clock="log")
    return out


def time_to_reach(rec, variants) -> str:
    """Measured training time until the test loss first reaches the worst variant's final test loss."""
    goal = max(float(rec[v].test_loss[-1]) for v in variants)
    parts = []
    for v in variants:
        hit = np.flatnonzero(rec[v].test_loss <= goal)
        parts.append(f"{NAMES[v]} {wall_clock(rec[v])[hit[0]]:.2g} s" if hit.size else f"{NAMES[v]} never")
    return f"time to test loss {goal:.2g}: " + ",  ".join(parts)


class DescentDigits(ThemedScene):
    experiment = "descent_digits"
    variants = ("batch", "minibatch", "stochastic")
    run_time = 6.0

    def construct(self):
        rec = experiments.load(self.experiment)
        first = rec[self.variants[0]]
        n, epochs = first.meta["batch_size"], first.config["epochs"]
        sizes = tuple(first.config["problem"]["model"]["sizes"])
        grid = first.meta["tuning"]["lrs"]
        title = heading("Real data: 8×8 handwritten digits (a small MNIST)", size=30, buff=0.2)
        sub = mn.VGroup(label(f"MLP {sizes}, {n} training images, same init, {epochs} epochs", size=19),
                        label(f"η tuned per batch size on {', '.join(f'{x:g}' for x in grid)}: lowest final "
                              "training loss among stable runs", size=19)).arrange(mn.DOWN, buff=0.06)
        sub.next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)
        warps = digits_warps(rec, self.variants, self.run_time)
        t = mn.ValueTracker(0.0)
        names = {v: NAMES[v] + (f" (b={rec[v].meta['batch_size']})" if v == "minibatch" else "")
                 + f", η={rec[v].meta['lr']:g}" for v in self.variants}
        plots = mn.VGroup()
        for which in ("train_loss", "test_loss"):
            series = {names[v]: getattr(rec[v], which) for v in self.variants}
            p = LossPlot(series, colors={names[v]: color("variant", v) for v in self.variants}, log_y=True,
                         width=3.3, height=3.5, tracker=t, x_label="epoch", y_label=which.replace("_", " "),
                         legend=which == "test_loss", y_range=(1e-3, 10.0))
            plots.add(p)
        plots.arrange(mn.RIGHT, buff=0.6).next_to(sub, mn.DOWN, buff=0.35)
        per = {v: rec[v].config["steps_per_epoch"] for v in self.variants}
        why = mn.VGroup(label("updates per epoch:  " + ",  ".join(f"{NAMES[v]} {per[v]}" for v in self.variants),
                              size=20),
                        label("same data seen, very different numbers of steps", size=20))
        why.arrange(mn.DOWN, buff=0.12).to_edge(mn.DOWN, buff=0.3)
        self.add(plots, why)
        self.play(warps["epochs"].animate(t))
        self.pause("digits-epochs")
        self.wait(1.0)

        # the batch-size sweep (each b at its own tuned η) and loss against measured training time
        t2, t3 = mn.ValueTracker(0.0), mn.ValueTracker(warps["clock"].first_step)
        sw = sweep_names(rec)
        k = len(sw)
        lab = {s: f"b={rec[s].meta['batch_size']}, η={rec[s].meta['lr']:g}" for s in sw}
        bs = [rec[s].meta["batch_size"] for s in sw]
        cols = {lab[s]: color(theme.batch_size_color(b, min(bs), max(bs))) for s, b in zip(sw, bs)}
        sp = LossPlot({lab[s]: rec[s].test_loss for s in sw}, colors=cols, log_y=True, width=2.9, height=3.1,
                      tracker=t2, x_label="epoch", y_label="test loss", y_range=(1e-2, 10.0), legend=False)
        sleg = Legend([(lab[s], cols[lab[s]]) for s in sw], font_size=18)
        sleg = mn.VGroup(mn.VGroup(*sleg[: (k + 1) // 2]).copy(), mn.VGroup(*sleg[(k + 1) // 2:]).copy()) \
            if len(sleg) == k else sleg
        clock_series = {names[v]: rec[v].test_loss[1:] for v in self.variants}
        cp = LossPlot(clock_series, colors={names[v]: color("variant", v) for v in self.variants},
                      steps={names[v]: wall_clock(rec[v])[1:] for v in self.variants}, log_y=True, log_x=True,
                      width=2.9, height=3.1, tracker=t3, x_label="measured training time (s)", y_label="test loss",
                      y_range=(1e-2, 10.0), legend=False)
        cleg = Legend([(names[v], color("variant", v)) for v in self.variants], font_size=18)
        if len(sleg) == 2:
            sleg.arrange(mn.RIGHT, buff=0.4, aligned_edge=mn.UP)
        right = mn.VGroup(mn.VGroup(sp, sleg.next_to(sp, mn.DOWN, buff=0.15)),
                          mn.VGroup(cp, cleg.next_to(cp, mn.DOWN, buff=0.15))).arrange(mn.RIGHT, buff=1.0,
                                                                                      aligned_edge=mn.UP)
        right.next_to(sub, mn.DOWN, buff=0.55)
        head_l = text("batch-size sweep, η tuned per b", size=20).next_to(sp.axes.axes, mn.UP, buff=0.12)
        head_r = text("loss vs wall-clock time", size=20).next_to(cp.axes.axes, mn.UP, buff=0.12)
        self.play(mn.FadeOut(plots), mn.FadeOut(why), mn.FadeIn(sp.axes), mn.FadeIn(sleg), mn.FadeIn(head_l),
                  *[mn.FadeIn(c) for c in sp.curves.values()])
        self.play(warps["sweep"].animate(t2))
        self.play(mn.FadeIn(cp.axes), mn.FadeIn(head_r), mn.FadeIn(cleg), *[mn.FadeIn(c) for c in cp.curves.values()])
        self.play(warps["clock"].animate(t3))
        ms = {v: 1e3 * rec[v].mean_epoch_time for v in self.variants}
        note = mn.VGroup(label("per epoch (one run, shared CPU): "
                               + ",  ".join(f"{NAMES[v]} {ms[v]:.0f} ms" for v in self.variants), size=19),
                         text(time_to_reach(rec, self.variants), size=19)).arrange(mn.DOWN, buff=0.08)
        note.to_edge(mn.DOWN, buff=0.15)
        self.play(mn.FadeIn(note))
        self.pause("digits-end")
        self.wait(1.5)

