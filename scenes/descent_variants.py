"""Batch vs mini-batch vs stochastic gradient descent.

DescentVariants: on the exact (w, b) loss of a line fit, the three variants side by side at
matched epochs (same data seen) and at matched steps; path roughness on screen.
DescentDigits: the blog's MNIST experiment on the 8×8 digits: train / test loss per epoch,
a batch-size sweep, and the wall time per epoch the trainer measured.

    manim -ql scenes/descent_variants.py DescentVariants
    manim -ql scenes/descent_variants.py DescentDigits
"""
import manim as mn

from nnviz import experiments, theme
from nnviz.render.plots import LabelledAxes, Legend, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap, ramp_color
from nnviz.render.widgets import DescentPath, Readout

NAMES = {"batch": "batch", "minibatch": "mini-batch", "stochastic": "SGD (b = 1)"}


class DescentVariants(ThemedScene):
    experiment = "descent_variants"
    variants = ("batch", "minibatch", "stochastic")
    panel = 4.2
    run_time = 10.0

    def construct(self):
        rec = experiments.load(self.experiment)
        cfg = experiments.get(self.experiment).config
        s = rec["surface"]
        title = heading("Batch, mini-batch and stochastic gradient descent", size=32, buff=0.25)
        sub = label(f"exact loss of ŷ = w·x + b on {s.config['problem']['n']} points; same start, same η = {cfg['lr']}",
                    size=22).next_to(title, mn.DOWN, buff=0.12)
        self.add(title, sub)
        clocks = {"epochs": mn.ValueTracker(0.0), "steps": mn.ValueTracker(0.0)}
        panels = mn.VGroup()
        for match in ("epochs", "steps"):
            ax = LabelledAxes(s.xs[[0, -1]], s.ys[[0, -1]], "w", "b", width=self.panel, height=self.panel * 0.8,
                              n_ticks=4, font_size=16, frame="box")
            grp = mn.VGroup(ax, ContourMap(ax.axes, s.xs, s.ys, s.loss, levels=10, log=True))
            rows = []
            for v in self.variants:
                run = rec[f"{v}_{match}"]
                # one clock per panel: epochs (steps / steps-per-epoch) or raw steps
                scale = run.config["steps_per_epoch"] if match == "epochs" else 1
                grp.add(DescentPath(run.thetas, ax, steps=run.steps / scale, color=color("variant", v),
                                    tracker=clocks[match], stroke_width=2.5 if v == "stochastic" else 3.5,
                                    head_radius=0.06))
                rows.append((f"{NAMES[v]}: {run.n_steps} steps, roughness {run.meta['roughness']:.2f} rad",
                             color("variant", v)))
            star = mn.Star(n=5, outer_radius=0.1, color=color(theme.FOREGROUND), fill_opacity=1).move_to(
                ax.c2p(*s.meta["minimum"]))
            total = cfg[match]
            unit = "epoch" if match == "epochs" else "step"
            head = text(f"matched {match}: {total} {match} each", size=22)
            clock = Readout(clocks[match], lambda v, unit=unit, total=total: f"{unit} {v:.1f} / {total}"
                            if unit == "epoch" else f"{unit} {int(v)} / {total}", size=20, color=color(theme.MUTED))
            leg = Legend(rows, font_size=16, buff=0.1)
            col = mn.VGroup(head, star, grp, leg, clock)
            head.next_to(ax.axes, mn.UP, buff=0.15)
            leg.next_to(ax.x_label, mn.DOWN, buff=0.15).align_to(ax.axes, mn.LEFT)
            clock.next_to(ax.axes.get_corner(mn.UR), mn.DL, buff=0.12)
            # the readout keeps its left edge as it grows: leave room for its widest string
            widest = text(clock.fmt(float(total)), size=20).width
            clock.shift(mn.LEFT * max(0.0, widest - clock.width))
            panels.add(col)
        panels.arrange(mn.RIGHT, buff=0.8).next_to(sub, mn.DOWN, buff=0.3)
        self.add(panels)
        self.wait(0.5)
        self.play(*[c.animate.set_value(cfg[m]) for m, c in clocks.items()], run_time=self.run_time,
                  rate_func=mn.linear)
        verdict = text("noisier steps ⇒ rougher path: SGD > mini-batch > batch  (mean turning angle per step)",
                       size=22).to_edge(mn.DOWN, buff=0.2)
        self.play(mn.FadeIn(verdict))
        self.wait(1.5)


class DescentDigits(ThemedScene):
    experiment = "descent_digits"
    variants = ("batch", "minibatch", "stochastic")
    run_time = 6.0

    def construct(self):
        rec = experiments.load(self.experiment)
        cfg = experiments.get(self.experiment).config
        n = rec["batch"].meta["batch_size"]
        title = heading("Real data: 8×8 handwritten digits (a small MNIST)", size=32, buff=0.25)
        sub = label(f"MLP {tuple(cfg['model']['sizes'])}, {n} training images, same init, η = {cfg['lr']}, "
                    f"{cfg['epochs']} epochs", size=22).next_to(title, mn.DOWN, buff=0.12)
        self.add(title, sub)
        t = mn.ValueTracker(0.0)
        names = {v: NAMES[v] + (f" (b={cfg['minibatch']})" if v == "minibatch" else "") for v in self.variants}
        plots = mn.VGroup()
        for which in ("train_loss", "test_loss"):
            series = {names[v]: getattr(rec[v], which) for v in self.variants}
            p = LossPlot(series, colors={names[v]: color("variant", v) for v in self.variants}, log_y=True,
                         width=3.6, height=4.2, tracker=t, x_label="epoch", y_label=which.replace("_", " "),
                         legend=which == "test_loss", y_range=(1e-3, 10.0))
            plots.add(p)
        plots.arrange(mn.RIGHT, buff=0.6).next_to(sub, mn.DOWN, buff=0.4)
        per = {v: rec[v].config["steps_per_epoch"] for v in self.variants}
        # two lines: as one it ran off both edges of the frame
        why = mn.VGroup(label("updates per epoch:  " + ",  ".join(f"{NAMES[v]} {per[v]}" for v in self.variants),
                              size=20),
                        label("same data seen, very different numbers of steps", size=20))
        why.arrange(mn.DOWN, buff=0.12).to_edge(mn.DOWN, buff=0.35)
        self.add(plots, why)
        self.play(t.animate.set_value(cfg["epochs"]), run_time=self.run_time, rate_func=mn.linear)
        self.wait(1.0)
        self.remove(why)

        # the batch-size sweep and the measured time per epoch
        t2 = mn.ValueTracker(0.0)
        sweep = {f"b = {b}": rec[f"b{b}"].test_loss for b in cfg["sweep"]}
        k = len(cfg["sweep"])
        cols = {f"b = {b}": ramp_color(0.2 + 0.8 * i / max(k - 1, 1)) for i, b in enumerate(cfg["sweep"])}
        sp = LossPlot(sweep, colors=cols, log_y=True, width=4.6, height=4.2, tracker=t2, x_label="epoch",
                      y_label="test loss", y_range=(1e-2, 10.0))
        bars = self.time_bars(rec)
        right = mn.VGroup(sp, bars).arrange(mn.RIGHT, buff=0.8).next_to(sub, mn.DOWN, buff=0.4)
        self.play(mn.FadeOut(plots), mn.FadeIn(sp.axes), *[mn.FadeIn(c) for c in sp.curves.values()],
                  *([mn.FadeIn(sp.legend)] if sp.legend else []))
        self.play(t2.animate.set_value(cfg["epochs"]), run_time=self.run_time, rate_func=mn.linear)
        self.play(*[mn.GrowFromEdge(b, mn.DOWN) for b in bars.bars], mn.FadeIn(bars.labels))
        note = label("wall time per epoch measured by the trainer (NumPy on a shared CPU; one run, not a benchmark)",
                     size=18).to_edge(mn.DOWN, buff=0.2)
        self.play(mn.FadeIn(note))
        self.wait(1.5)

    def time_bars(self, rec):
        """Bars of the mean epoch time, in ms, as recorded by the trainer."""
        ms = {v: rec[v].mean_epoch_time * 1e3 for v in self.variants}
        top = max(ms.values())
        g = mn.VGroup()
        g.bars, g.labels = mn.VGroup(), mn.VGroup()
        for i, v in enumerate(self.variants):
            h = 3.0 * ms[v] / top
            bar = mn.Rectangle(width=0.8, height=max(h, 0.02), fill_color=color("variant", v), fill_opacity=1,
                               stroke_width=0).move_to([1.2 * i, h / 2, 0])
            g.bars.add(bar)
            g.labels.add(text(f"{ms[v]:.1f} ms", size=18).next_to(bar, mn.UP, buff=0.08),
                         text(NAMES[v].replace(" (b = 1)", ""), size=16, color=color(theme.MUTED))
                         .next_to([1.2 * i, 0, 0], mn.DOWN, buff=0.12))
        g.labels.add(text("time per epoch", size=20).next_to(g.bars, mn.UP, buff=0.6))
        g.add(g.bars, g.labels)
        return g
