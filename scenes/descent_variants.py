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
from nnviz.experiments.descent_views import (FAINT_MOST, budgets, digits_runs, epoch_medians,  # noqa: F401
                                             epoch_times, excess, lead_step, lesson, log_pick, median_clock,
                                             ms, per_epoch, small, smooth_log, time_range, trade_off_words, zoom_window)
from nnviz.render.fades import swap_caption
from nnviz.render.pacing import TimeWarp, combine, path_progress
from nnviz.render.plots import LabelledAxes, Legend, LossCurve, LossPlot
from nnviz.render.style import ThemedScene, color, heading, text
from nnviz.render.surface import ContourMap
from nnviz.render.marks import vline
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


def zoom_head(run, match: str, zoom, clock, col, radius: float) -> mn.Circle:
    """A run's current position in the zoom: a ring in its colour (★ under it stays seen), shown only while
    it is inside the zoom."""
    when, th = clock_of(run, match), run.thetas
    (x0, x1), (y0, y1) = zoom.bounds
    dot = mn.Circle(radius=radius, stroke_color=col, stroke_width=5)

    def follow(m):
        s_ = clock.get_value()
        p = (float(np.interp(s_, when, th[:, 0])), float(np.interp(s_, when, th[:, 1])))
        inside = x0 <= p[0] <= x1 and y0 <= p[1] <= y1
        m.move_to(zoom.c2p(*p) if inside else zoom.axes.get_center())
        m.set_stroke(opacity=1.0 if inside else 0.0)

    follow(dot)
    return dot.add_updater(follow)


class DescentVariants(ThemedScene):
    """Two beats, each on the full frame: the three variants at matched epochs (same data seen), then
    at matched steps; each beat a (w, b) map, a zoom on ★ and the full-data loss after every update,
    its captions at the moments they describe, and one takeaway sentence at the end."""
    experiment = "descent_variants"
    variants = ("batch", "minibatch", "stochastic")
    panel = (3.4, 3.1)  # the map's width and every panel's height (the zoom is square)
    plot_width = 2.9  # the loss plot's axes (its end values are written right of it)
    rings = {"batch": 1.0, "minibatch": 0.78, "stochastic": 0.56}  # heads as rings, nested where they meet
    run_time = 8.0  # each beat's animation
    fade_steps = 30  # a trail stays bright for its last 30 updates
    hold = 1.0  # seconds per unit of every held caption (render tests set it low)

    def caption(self, lines, old=None, *anims):
        """Replace the caption under the panels: the old one leaves, then the new one comes (with `anims`)."""
        new = mn.VGroup(*[text(line, size=28) for line in lines]).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
        return swap_caption(self, old, new.to_edge(mn.DOWN, buff=0.3).set_x(0), 0.35, 0.4, with_in=anims)

    @staticmethod
    def value_label(words: str, v: str, at, side) -> mn.VGroup:
        """A value beside its point, in its run's colour, on a dark patch (readable over the thin lines)."""
        t_ = text(words, size=26, color=color("variant", v)).next_to(at, side, buff=0.08)
        return mn.VGroup(mn.BackgroundRectangle(t_, color=color(theme.BACKGROUND), fill_opacity=0.85, buff=0.04), t_)

    def end_labels(self, match: str, fmt) -> mn.VGroup:
        """Each run's last value right of its loss plot, at its end's height, nudged apart so none overlap."""
        lp, ends, _ = self.plots[match]
        x_right = lp.axes.axes.get_right()[0] + 0.12
        rows = sorted(((lp.axes.c2p(x, y)[1], v, y) for v, (x, y) in ends.items()), reverse=True)
        out, last = mn.VGroup(), np.inf
        for y_s, v, y in rows:
            y_s = min(y_s, last - 0.34)
            t_ = text(fmt(y), size=26, color=color("variant", v))
            out.add(t_.move_to([x_right + t_.width / 2, y_s, 0]))
            last = y_s
        return out

    def beat(self, rec, match: str, clock: mn.ValueTracker, bsz: dict) -> mn.VGroup:
        """One beat's panels: header row, (w, b) map, zoom on ★, loss after every update."""
        s = rec["surface"]
        fg = color(theme.FOREGROUND)
        star_at = np.asarray(s.meta["minimum"], float)
        h = zoom_window(rec)
        zx, zy = (star_at[0] - h, star_at[0] + h), (star_at[1] - h, star_at[1] + h)
        ix = (s.xs >= zx[0] - 0.1) & (s.xs <= zx[1] + 0.1)
        iy = (s.ys >= zy[0] - 0.1) & (s.ys <= zy[1] + 0.1)
        runs = {v: rec[f"{v}_{match}"] for v in self.variants}
        per = {v: (runs[v].config["steps_per_epoch"] if match == "epochs" else 1) for v in self.variants}
        total = max(clock_of(r, match)[-1] for r in runs.values())
        order = [v for v in ("stochastic", "minibatch", "batch") if v in self.variants]  # batch GD on top
        w_, h_ = self.panel
        unit = "epoch" if match == "epochs" else "step"
        ax = LabelledAxes(s.xs[[0, -1]], s.ys[[0, -1]], "w", "b", width=w_, height=h_, n_ticks=3, font_size=28,
                          frame="box", ink=fg)
        ax.y_label.rotate(-np.pi / 2).next_to(ax.tick_labels, mn.LEFT, buff=0.15).match_y(ax.axes)  # "b" upright
        zoom = LabelledAxes(zx, zy, "", "", width=h_, height=h_, frame="box", color=fg, x_ticks=2, y_ticks=2)
        zoom.remove(zoom.ticks, zoom.tick_labels)
        grp = mn.VGroup(ax, ContourMap(ax.axes, s.xs, s.ys, s.loss, levels=10, log=True, color=theme.MUTED,
                                       stroke_width=1.4).set_stroke(opacity=0.8))
        zgrp = mn.VGroup(zoom, ContourMap(zoom.axes, s.xs[ix], s.ys[iy], s.loss[np.ix_(iy, ix)], levels=8, log=True,
                                          color=theme.MUTED, stroke_width=1.4).set_stroke(opacity=0.8))
        c0, c1 = ax.c2p(zx[0], zy[0]), ax.c2p(zx[1], zy[1])  # where the zoom looks, on the map
        grp.add(mn.DashedVMobject(mn.Rectangle(width=c1[0] - c0[0], height=c1[1] - c0[1]).move_to((c0 + c1) / 2),
                                  num_dashes=24).set_stroke(fg, width=2))
        for z, v in enumerate(order):
            kw = dict(steps=clock_of(runs[v], match), color=color("variant", v), tracker=clock,
                      stroke_width=4 if v == "batch" else 3,
                      fade=(10 if v == "stochastic" else self.fade_steps) / per[v],  # SGD: its last 10 kicks
                      fade_floor=0.15 if v == "stochastic" else 0.4, outline=theme.BACKGROUND, start_marker=False)
            path = DescentPath(runs[v].thetas, ax, head_radius=0.15 * self.rings[v], **kw)
            path.set_z_index(1 + z)
            head = path.trace.head.set_stroke(color("variant", v), width=4, opacity=1).set_fill(opacity=0)
            head.set_z_index(6 + z)
            head.add_updater(lambda m: m.set_fill(opacity=0))  # a ring: the trace shows its head with set_opacity
            grp.add(path)
            zgrp.add(DescentPath(runs[v].thetas, zoom, head=False, **kw).set_z_index(1 + z),
                     zoom_head(runs[v], match, zoom, clock, color("variant", v), 0.21 * self.rings[v]).set_z_index(6 + z))
        for axes_, g_, r_ in ((ax, grp, 0.08), (zoom, zgrp, 0.1)):  # ★ over the trails, inside the heads' rings
            g_.add(mn.Star(n=5, outer_radius=r_, color=fg, fill_opacity=1, stroke_color=color(theme.BACKGROUND),
                           stroke_width=2).move_to(axes_.c2p(*star_at)).set_z_index(5))
        grp.add(mn.Circle(radius=0.14, stroke_color=fg, stroke_width=3).move_to(
            ax.c2p(*runs["batch" if "batch" in runs else order[0]].thetas[0])).set_z_index(5))
        # the full-data loss above its minimum: per epoch the median over its updates (thick) over the loss
        # after every update (thin: SGD's noise floor shows); per step the loss after every step
        floor = s.meta["min_loss"]
        if match == "epochs":
            thick = {v: epoch_medians(runs[v], floor) for v in order}
            series, xs = {v: thick[v][1] for v in order}, {v: thick[v][0] for v in order}
        else:
            series, xs = {v: excess(runs[v], floor) for v in order}, {v: runs[v].eval_steps for v in order}
        lp = LossPlot(series, colors={v: color("variant", v) for v in order}, steps=xs, log_y=True,
                      width=self.plot_width, height=h_, tracker=clock, x_label=unit, y_label="", legend=False,
                      x_ticks=3, font_size=28, y_ticks=4, y_range=(1e-4, 1e2) if match == "epochs" else (1e-7, 1e2),
                      ink=fg)
        for v, c_ in lp.curves.items():
            c_.trace.set_stroke(width=4.5 if v == "batch" else 4)
            c_.trace.head.set_stroke(color(theme.BACKGROUND), width=2.5).scale(1.5).set_z_index(4)
        if match == "epochs":  # every update, thin, under the thick medians
            thin = [LossCurve(lp.axes, excess(runs[v], floor), runs[v].eval_steps / per[v], color=color("variant", v),
                              stroke_width=1.5, tracker=clock, head=False).set_stroke(opacity=0.45)
                    for v in order if per[v] > 1]
            lp.remove(*lp.curves.values())
            lp.add(*thin, *lp.curves.values())
        room = mn.Rectangle(width=1.0, height=0.1).set_opacity(0)  # the end values' column, right of the plot
        row = mn.VGroup(grp, zgrp, lp, room).arrange(mn.RIGHT, buff=0.4, aligned_edge=mn.UP)
        zgrp.shift((ax.axes.get_top()[1] - zoom.axes.get_top()[1]) * mn.UP)
        lp.shift((ax.axes.get_top()[1] - lp.axes.axes.get_top()[1]) * mn.UP)
        heads = mn.VGroup(text(f"zoom on ★ (± {h:g})", size=26).next_to(zoom.axes, mn.UP, buff=0.1),
                          text("loss − minimum", size=26).next_to(lp.axes.axes, mn.UP, buff=0.1))
        # the header row: what is held equal, the update counts in the methods' colours, the clock
        if match == "epochs":
            parts, unit_word = [(f"{runs[v].n_steps}", v) for v in self.variants], "updates"
            lead = "updates:"
            what = text(f"Same data: {total:g} epochs", size=28, weight=mn.BOLD)
        else:
            parts = [(f"{runs[v].n_steps * bsz[v] / bsz['batch']:.2g}", v) for v in self.variants]
            unit_word, lead = "epochs", "data seen:"
            what = text(f"Same steps: {total:g}", size=28, weight=mn.BOLD)
        chips = mn.VGroup(text(lead, size=28))
        for k, (num, v) in enumerate(parts):
            if k:
                chips.add(text("·", size=28))
            chips.add(text(num, size=28, color=color("variant", v)))
        if match == "steps":
            chips.add(text(unit_word, size=28))
        chips.arrange(mn.RIGHT, buff=0.12)
        chips[1:].shift(0.1 * mn.RIGHT)  # a space after the lead word …
        if match == "steps":
            chips[-1].shift(0.1 * mn.RIGHT)  # … and before the unit
        ticker = Readout(clock, lambda x: f"{unit} {x:.1f}" if unit == "epoch" else f"{unit} {int(x)}", size=28)
        top = mn.VGroup(what, chips, ticker).arrange(mn.RIGHT, buff=0.4)
        body = mn.VGroup(row, heads)
        top.next_to(body, mn.UP, buff=0.2)
        self.plots[match] = (lp, {v: (xs[v][-1], series[v][-1]) for v in order}, {v: (xs[v], series[v]) for v in order})
        return mn.VGroup(top, body)

    def construct(self):
        rec = experiments.load(self.experiment)
        first = rec[f"{self.variants[0]}_epochs"]
        title = heading("Batch, mini-batch and stochastic gradient descent", size=32, buff=0.15)
        bsz = {v: rec[f"{v}_epochs"].meta["batch_size"] for v in self.variants}
        names = {"batch": f"batch GD (b = {bsz['batch']})", "minibatch": f"mini-batch (b = {bsz['minibatch']})",
                 "stochastic": "SGD (b = 1)"}
        legend = Legend([(names[v], color("variant", v)) for v in self.variants], font_size=28, direction=mn.RIGHT)
        legend.arrange(mn.RIGHT, buff=0.6).next_to(title, mn.DOWN, buff=0.15)
        words = lesson(rec, self.variants)
        self.plots = {}
        warps = variants_warps(rec, self.variants, self.run_time)
        clocks = {m: mn.ValueTracker(warps[m].first_step) for m in MATCHES}
        beats = {m: self.beat(rec, m, clocks[m], bsz) for m in MATCHES}
        for b_ in beats.values():
            b_.next_to(legend, mn.DOWN, buff=0.25).set_x(0)
        self.beats = beats
        self.add(title, legend, beats["epochs"])
        cap = mn.VGroup(*[text(line, size=28) for line in words["open"]]).arrange(mn.DOWN, aligned_edge=mn.LEFT,
                                                                                 buff=0.12)
        self.add(cap.to_edge(mn.DOWN, buff=0.3).set_x(0))  # the set-up, before anything moves
        self.wait(2.5 * self.hold)
        # beat 1, same data seen: stop at epoch 1 (its values marked), then at the end (SGD stalls; who is lowest)
        w = warps["epochs"]
        t1 = max(w.time_at(1.0), 0.1)  # epoch 1 (never the first frame)
        self.play(w.segment(clocks["epochs"], 0.0, t1))
        lp, _, full = self.plots["epochs"]
        fg = color(theme.FOREGROUND)
        mark1 = mn.VGroup(vline(lp.axes, 1.0, color=fg, dashed=True, stroke_width=2))
        for v, side in (("batch", mn.UR), ("stochastic", mn.DR)):
            y1 = float(np.interp(1.0, *full[v]))
            mark1.add(self.value_label(f"{y1:.2g}", v, lp.axes.c2p(1.0, y1), side))
        beats["epochs"].add(mark1)  # leaves with its beat
        cap = self.caption(words["one_epoch"], cap, mn.FadeIn(mark1))
        self.wait(2.0 * self.hold)
        self.play(w.segment(clocks["epochs"], t1, w.run_time))
        self.play(mn.FadeOut(mark1[1:]), run_time=0.3)
        cap = self.caption(words["stall"], cap)
        self.wait(3.0 * self.hold)
        ends = self.end_labels("epochs", lambda y: f"{y:.2g}")
        beats["epochs"].add(ends)
        cap = self.caption(words["epochs_end"], cap, mn.FadeIn(ends))
        purple = lp.curves["minibatch"].trace.head
        self.play(mn.Indicate(purple, scale_factor=1.8, color=color("variant", "minibatch")), run_time=1.0)
        self.wait(4.0 * self.hold)
        self.pause("variants-epochs")
        # beat 2, same step count
        # a curtain in the background colour over the panels (fading the panels themselves would copy every
        # path piece twice per frame): down, swap the beats, up
        area = mn.VGroup(beats["epochs"], beats["steps"], cap)
        curtain = mn.Rectangle(width=area.width + 0.4, height=area.height + 0.4, stroke_width=0,
                               fill_color=color(theme.BACKGROUND), fill_opacity=1).move_to(area).set_z_index(20)
        self.play(mn.FadeIn(curtain), run_time=0.5)
        # every family member: an earlier FadeOut of part of the beat left its pieces as separate top-level mobjects
        self.remove(*beats["epochs"].get_family(), *cap.get_family())
        self.add(beats["steps"])
        self.play(mn.FadeOut(curtain), run_time=0.5)
        self.remove(curtain)
        cap = self.caption(words["steps_open"])
        self.play(warps["steps"].animate(clocks["steps"]))
        cap = self.caption(words["steps_end"], cap, mn.FadeIn(self.end_labels("steps", small)))
        self.wait(3.0 * self.hold)
        self.pause("variants-steps")
        cap = self.caption(words["takeaway"], cap)
        self.pause("variants-end")
        self.wait(3.0 * self.hold)


def digits_warps(rec, variants, run_time: float) -> dict:
    """Per phase, time follows the change of the drawn curves (log loss): epochs for the per-epoch
    panel, seconds of measured training for the wall-clock panel."""
    from nnviz.render.pacing import loss_progress

    out = {}
    ep = combine([loss_progress(per_epoch(rec[v])["test_loss"], per_epoch(rec[v])["epoch"]) for v in variants])
    out["epochs"] = TimeWarp.from_progress(ep, run_time, clock="linear")
    # wall clock (seconds of measured training): progress by change in log loss along each curve
    tl = combine([loss_progress(rec[v].test_loss[1:], median_clock(rec[v])[1:]) for v in variants])
    out["clock"] = TimeWarp.from_progress(tl, run_time, clock="log")
    return out


class DescentDigits(ThemedScene):
    experiment = "descent_digits"
    variants = ("batch", "minibatch", "stochastic")
    run_time = 6.0
    plot, wide, tall = 4.0, 6.5, 2.65  # per-epoch (then per-second) panel width, batch-size chart width, height
    y_range = (0.05, 5.0)
    end_time = 3.0  # the closing sentence is held this long
    hold = 1.0  # scales every hold and fade (a render test sets it small)

    def caption(self, lines, old=None, size: float = 28):
        """Replace the caption under the plots: the old one leaves, then the new one comes."""
        new = mn.VGroup(*[text(line, size=size) for line in lines]).arrange(mn.DOWN, aligned_edge=mn.LEFT,
                                                                            buff=0.12)
        new.to_edge(mn.DOWN, buff=0.16).set_x(0)
        if self.hold < 0.5:  # fades of a frame or two (a fast render test): a cut, without copying the texts
            if old is not None:
                self.remove(old)
            self.add(new)
            return new
        if old is not None:
            self.play(mn.FadeOut(old), run_time=0.2 * self.hold)
        self.play(mn.FadeIn(new), run_time=0.3 * self.hold)
        return new

    def construct(self):
        rec = experiments.load(self.experiment)
        runs = digits_runs(rec)  # b = 1, the batch size best at the budget, the full batch
        first = runs[self.variants[0]]
        n = first.meta["batch_size"]
        lrs = first.meta["tuning"]["lrs"]
        b = budgets(rec)
        words = trade_off_words(rec)
        times = {v: epoch_times(runs[v]) for v in self.variants}
        fg, bg = color(theme.FOREGROUND), color(theme.BACKGROUND)
        cols = {v: color("variant", v) for v in self.variants}
        title = heading("Which batch size learns fastest: per epoch, or per second?", size=30, buff=0.14)
        # the three runs drawn as curves, smallest b first (as on the chart's axis), each with its epoch time
        names = {"batch": f"b = {n} (batch GD)", "minibatch": f"b = {runs['minibatch'].meta['batch_size']}",
                 "stochastic": "b = 1 (SGD)"}
        key = mn.VGroup()
        for v in self.variants[::-1]:
            head = mn.VGroup(mn.Line(mn.ORIGIN, 0.42 * mn.RIGHT, color=cols[v], stroke_width=6),
                             text(names[v], size=28, color=cols[v])).arrange(mn.RIGHT, buff=0.12)
            key.add(head)
        names_row = key.arrange(mn.RIGHT, buff=0.6).next_to(title, mn.DOWN, buff=0.14).set_x(0)
        # under the names, from the budget beat on: the updates each made by the budget, in its colour
        counts = mn.VGroup(text(f"updates by {b['budget']:.2g} s:", size=26),
                           *[text(f"{b['updates'][runs[v].meta['batch_size']]}", size=26, color=cols[v])
                             for v in self.variants[::-1]])
        counts.arrange(mn.RIGHT, buff=0.25).next_to(names_row, mn.DOWN, buff=0.1).set_x(0)
        key = mn.VGroup(names_row, counts)

        common = dict(log_y=True, height=self.tall, legend=False, y_range=self.y_range, font_size=28, y_ticks=4,
                      ink=fg, width=self.plot, y_label="test loss")
        # left: per epoch first; once its result is on the chart, per second takes its place (same box, same y)
        t = mn.ValueTracker(0.0)
        pe = {v: per_epoch(runs[v]) for v in self.variants}
        ep_plot = LossPlot({v: pe[v]["test_loss"] for v in self.variants}, colors=cols, tracker=t,
                           steps={v: pe[v]["epoch"] for v in self.variants}, x_label="epoch", x_ticks=3, **common)
        # per second: each run's recorded evaluations on its median-epoch clock, drawn as their running median
        # (bold, the curve the budget is read from) over the raw evaluations (faint, ≤ FAINT_MOST, log-spaced)
        t3 = mn.ValueTracker(0.0)
        clock = {v: median_clock(runs[v]) for v in self.variants}
        shown, raw = {}, {}
        for v in self.variants:
            pick = log_pick(runs[v].test_loss.size, FAINT_MOST)
            raw[v] = (clock[v][pick], np.minimum(runs[v].test_loss[pick], self.y_range[1]))  # a spike above the
            sx, sy = smooth_log(clock[v][1:], runs[v].test_loss[1:])  # view runs along its top
            shown[v] = (sx, np.minimum(sy, self.y_range[1]))
        # the time axis ends at the decade past the slowest run's end (a busy machine stretches b = 1's 25 epochs)
        t_end = 10.0 ** max(1, int(np.ceil(np.log10(max(float(c[-1]) for c in clock.values())))))
        # drawn shortest-in-time last, on top: batch GD's 25 quick epochs would hide under b = 1's curve
        on_top = sorted(self.variants, key=lambda v: -float(shown[v][0][-1]))
        cp = LossPlot({v: shown[v][1] for v in on_top}, colors=cols, tracker=t3,
                      steps={v: shown[v][0] for v in on_top}, log_x=True, x_label="",
                      x_range=(1e-3, t_end), x_ticks=3, **common)
        faint = mn.VGroup(*[LossCurve(cp.axes, raw[v][1], raw[v][0], color=mn.interpolate_color(cols[v], bg, 0.72),
                                      stroke_width=1.5, tracker=t3, head=False) for v in raw])
        # every batch size: one slot each (b and its tuned η under it)
        bs = list(b["epochs"])
        chart = LabelledAxes((-0.45, len(bs) - 0.35), self.y_range, "", "", log_y=True, width=self.wide,
                             height=self.tall, font_size=28, y_ticks=4, x_ticks=1, ink=fg)
        slot_axes(chart, bs, {x: f"{b['lr'][x]:g}" for x in bs}, fg)
        panels = mn.VGroup(ep_plot, chart).arrange(mn.RIGHT, buff=0.6, aligned_edge=mn.UP)
        panels.next_to(key, mn.DOWN, buff=0.95).set_x(0)
        cp.shift(ep_plot.axes.spines.get_corner(mn.DL) - cp.axes.spines.get_corner(mn.DL))
        # the time axis says what its seconds are: epochs on each run's median measured epoch time
        cp_label = mn.VGroup(text("time (s) = epochs ×", size=26), text("median epoch time", size=26)).arrange(
            mn.DOWN, buff=0.06).next_to(cp.axes.tick_labels, mn.DOWN, buff=0.1).match_x(cp.axes.spines)
        cp.axes.add(cp_label)
        heads = [text(h, size=28).next_to(ax.spines, mn.UP, buff=0.14).match_x(ax.spines)
                 for h, ax in (("per epoch", ep_plot.axes), ("per second", cp.axes))]
        heads[1].align_to(heads[0], mn.DOWN)
        # the chart's key, above it: each mark with the line joining its kind (solid: after all epochs,
        # dashed: at the budget) and the bar through the budget mark
        hollow = mn.Dot(radius=0.08, color=bg, fill_opacity=1, stroke_color=fg, stroke_width=3.5).set_z_index(1)
        solid = mn.VGroup(mn.Line(0.25 * mn.LEFT, 0.25 * mn.RIGHT, color=fg, stroke_width=3),
                          mn.Dot(radius=0.08, color=fg))
        dashed = mn.VGroup(mn.DashedLine(0.25 * mn.LEFT, 0.25 * mn.RIGHT, color=fg, stroke_width=3,
                                         dash_length=0.07), hollow)
        items = [(solid, f"after {b['n_epochs']} epochs"), (dashed, f"after {b['budget']:.2g} s"),
                 (error_bar(-0.13, 0.13, fg, bg, thin=True), "bar: its loss noise and timing range")]
        cells = [mn.VGroup(m_, text(w, size=26)).arrange(mn.RIGHT, buff=0.1) for m_, w in items]
        chart_key = mn.VGroup(mn.VGroup(cells[0], cells[1]).arrange(mn.RIGHT, buff=0.35), cells[2])
        chart_key.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1).next_to(chart.axes, mn.UP, buff=0.12)
        chart_key.align_to(chart.axes, mn.RIGHT)

        # the chart's marks: every batch size after all epochs (filled, left in its slot, solid line) and at
        # the budget (hollow, right, dashed line) with its bar (a whisker through it, the mark on top)
        followed = {runs[v].meta["batch_size"]: cols[v] for v in self.variants}
        ink = {x: followed.get(x, fg) for x in bs}
        xs = slot_x(bs)
        ep_pts = [chart.c2p(i - 0.16, b["epochs"][x]) for i, x in zip(xs, bs)]
        s_pts = [chart.c2p(i + 0.16, b["seconds"][x]) for i, x in zip(xs, bs)]
        ep_line = mn.VMobject(stroke_color=fg, stroke_width=3.0).set_points_as_corners(ep_pts)
        s_line = mn.DashedVMobject(mn.VMobject(stroke_color=fg, stroke_width=3.0).set_points_as_corners(s_pts),
                                   num_dashes=60)
        ep_dots = mn.VGroup(*[mn.Dot(p_, radius=0.085, color=ink[x], stroke_color=bg, stroke_width=1.5).set_z_index(2)
                              for p_, x in zip(ep_pts, bs)])
        s_dots = mn.VGroup(*[mn.Dot(p_, radius=0.085, color=bg, fill_opacity=1, stroke_color=ink[x],
                                    stroke_width=3.5).set_z_index(4) for p_, x in zip(s_pts, bs)])
        # caps wider than the mark: a bar shorter than the mark still shows its two ends either side of it
        bars = mn.VGroup(*[error_bar(*[chart.c2p(i + 0.16, v)[1] for v in b["spread"][x]], ink[x], bg,
                                     x=chart.c2p(i + 0.16, 1.0)[0], thin=True, cap=0.34).set_z_index(3)
                           for i, x in zip(xs, bs)])
        # the per-second verdict: the lowest's column lit (and any column whose bar overlaps its bar: a tie)
        (_, _), (cy0, cy1) = chart.bounds
        lit = mn.VGroup()
        for x in b["best_seconds"]:
            i = xs[bs.index(x)]
            lo, hi = chart.to_scene([[i - 0.5, cy0], [i + 0.5, cy1]])
            lit.add(mn.Rectangle(width=hi[0] - lo[0], height=hi[1] - lo[1], stroke_width=0, fill_color=fg,
                                 fill_opacity=0.16).move_to([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, 0]))
        tie = len(b["best_seconds"]) > 1
        verdict = text(f"{'tie' if tie else 'best'} at {b['budget']:.2g} s", size=28)
        verdict.align_to(chart.axes, mn.UP).shift(0.08 * mn.DOWN).match_x(lit)

        # the opening: the question, the per-epoch panel and the empty chart, and what each shows
        # a faint preview of the finished per-epoch race under it: the first frame already asks the question
        (ex0, _), _ = ep_plot.axes.bounds
        preview = mn.VGroup(*[mn.VMobject(stroke_color=mn.interpolate_color(cols[v], bg, 0.7), stroke_width=3)
                              .set_points_as_corners([ep_plot.axes.c2p(x_, y_) for x_, y_ in
                                                      zip(pe[v]["epoch"], pe[v]["test_loss"])])
                              for v in self.variants])
        self.add(title, names_row, ep_plot.axes, preview, heads[0], *ep_plot.curves.values(), chart, chart_key)
        cap = mn.VGroup(*[text(w, size=28) for w in words["open"]]).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
        cap.to_edge(mn.DOWN, buff=0.16).set_x(0)
        self.add(cap)
        self.wait(1.5 * self.hold)
        warps = digits_warps(runs, self.variants, self.run_time)
        cap = self.caption(words["epoch"], cap)
        self.play(warps["epochs"].animate(t))
        self.pause("digits-epochs")
        self.wait(0.8 * self.hold)
        # every batch size after all epochs, on the chart
        cap = self.caption(words["after_epochs"], cap)
        self.play(mn.Create(ep_line), mn.LaggedStart(*[mn.FadeIn(d) for d in ep_dots], lag_ratio=0.3), run_time=1.5 * self.hold)
        self.wait(1.5 * self.hold)

        # phase 2: per second of measured training (median epoch time) takes the left panel's place
        t3.set_value(warps["clock"].first_step)
        cap = self.caption(words["clock"], cap)
        self.play(mn.FadeOut(mn.VGroup(ep_plot.axes, preview, *ep_plot.curves.values())), mn.FadeOut(heads[0]),
                  run_time=0.4 * self.hold)
        self.play(mn.FadeIn(cp.axes), mn.FadeIn(heads[1]), mn.FadeIn(faint),
                  *[mn.FadeIn(c) for c in cp.curves.values()], run_time=0.5 * self.hold)
        self.wait(1.2 * self.hold)
        cap = self.caption(words["second"], cap)  # what one update costs: the clock the curves now run on
        self.play(warps["clock"].animate(t3))
        (_, _), (y0, y1) = cp.axes.bounds
        xb = np.log10(b["budget"])
        budget_line = mn.DashedLine(*cp.axes.to_scene([[xb, y0], [xb, y1]]), color=fg, stroke_width=2.5,
                                    dash_length=0.05, dashed_ratio=0.45)
        budget_word = mn.VGroup(text(f"{b['budget']:.2g} s =", size=26),
                                text(f"batch GD's {b['n_epochs']} epochs", size=26)).arrange(
            mn.DOWN, aligned_edge=mn.LEFT, buff=0.06).next_to(budget_line, mn.RIGHT, buff=0.08)
        budget_word.align_to(cp.axes.axes, mn.UP).shift(0.04 * mn.DOWN)
        budget_word.add_to_back(mn.BackgroundRectangle(budget_word, color=bg, fill_opacity=0.85, buff=0.05))
        at_budget = mn.VGroup(*[mn.Dot(cp.axes.c2p(b["budget"], b["seconds"][runs[v].meta["batch_size"]]),
                                       radius=0.085, color=bg, fill_opacity=1, stroke_color=cols[v],
                                       stroke_width=4).set_z_index(5) for v in self.variants])
        self.play(mn.Create(budget_line), mn.FadeIn(budget_word), run_time=0.6 * self.hold)
        cap = self.caption(words["budget"], cap)  # the updates each run made by then, also under its name
        self.play(mn.FadeIn(at_budget), mn.FadeIn(counts), run_time=0.5 * self.hold)
        self.wait(3.0 * self.hold)
        cap = self.caption(words["why"], cap)  # as many updates, better ones
        self.pause("digits-clock")
        self.wait(2.5 * self.hold)

        # phase 3: every batch size at the budget, and the verdict
        cap = self.caption(words["after_time"], cap)
        # the 25-epoch marks step back: the per-second verdict is the point now
        self.play(ep_line.animate.set_stroke(opacity=0.3), ep_dots.animate.set_opacity(0.5), run_time=0.4 * self.hold)
        self.play(mn.Create(s_line), mn.LaggedStart(*[mn.FadeIn(mn.VGroup(d, r)) for d, r in zip(s_dots, bars)],
                                                    lag_ratio=0.3), run_time=1.5 * self.hold)
        self.play(mn.FadeIn(lit), mn.FadeIn(verdict), run_time=0.5 * self.hold)
        self.pause("digits-verdict")
        self.wait(2.0 * self.hold)
        cap = self.caption(words["takeaway"], cap)
        self.pause("digits-end")
        self.wait(self.end_time * self.hold)


def slot_axes(chart, bs, etas: dict, ink) -> None:
    """The batch-size chart's x axis: one slot per batch size (its tick, b under it and its tuned η under
    that, each row named on the left) instead of the axes' own numeric ticks."""
    (x0, _), (y0, _) = chart.bounds
    base = chart.to_scene([[x0, y0]])[0][1]
    for m in list(chart.ticks):  # the axes' own x ticks (vertical strokes) and their labels go
        if abs(m.get_start()[0] - m.get_end()[0]) < 1e-6:
            chart.ticks.remove(m)
    for m in list(chart.tick_labels):
        if m.get_top()[1] < base - 0.02:
            chart.tick_labels.remove(m)
    row_b, row_e = mn.VGroup(), mn.VGroup()
    xs = slot_x(bs)
    for i, x in zip(xs, bs):
        p = chart.to_scene([[i, y0]])[0]
        chart.ticks.add(mn.Line(p, p + 0.08 * mn.DOWN, color=chart.spines[0].get_color(), stroke_width=2))
        row_b.add(text(str(x), size=28, color=ink).move_to(p + 0.34 * mn.DOWN))
    # η once per run of neighbouring slots sharing it, under a thin span over those slots
    k = 0
    while k < len(bs):
        j = k
        while j + 1 < len(bs) and etas[bs[j + 1]] == etas[bs[k]]:
            j += 1
        a_, z_ = (chart.to_scene([[xs[q], y0]])[0][0] for q in (k, j))
        y_ = base - 0.6
        span = mn.Line([a_ - 0.22, y_, 0], [z_ + 0.22, y_, 0], color=ink, stroke_width=2, stroke_opacity=0.7)
        row_e.add(mn.VGroup(span, text(etas[bs[k]], size=28, color=ink).move_to([(a_ + z_) / 2, y_ - 0.2, 0])))
        k = j + 1
    names = mn.VGroup(text("b", size=28, color=ink).match_y(row_b),
                      text("η", size=28, color=ink).match_y(row_e[0][1]))
    for nm in names:
        nm.set_x(chart.to_scene([[x0, y0]])[0][0] - 0.3)
    chart.add(row_b, row_e, names)


def slot_x(bs) -> np.ndarray:
    """Where each batch size sits on the chart: one slot each, the full batch a little apart (it is not
    the next power of two)."""
    return np.arange(len(bs)) + 0.2 * (np.arange(len(bs)) == len(bs) - 1)


def error_bar(lo: float, hi: float, col, outline, x: float = 0.0, cap: float = 0.16, thin: bool = False) -> mn.VGroup:
    """A vertical range from scene y `lo` to `hi` at scene x `x` with end caps, drawn over a darker
    outline so that a short one still reads on top of a marker (`thin`: a whisker through a mark)."""
    pts = [[x, lo, 0], [x, hi, 0]]
    caps = [[[x - cap / 2, y, 0], [x + cap / 2, y, 0]] for y in (lo, hi)]
    w_bar, w_cap = (3.5, 3.5) if thin else (7, 4)
    under = mn.VGroup(*[mn.Line(*q, color=outline, stroke_width=w) for q, w in ((pts, w_bar + 5), *((c, w_cap + 5) for c in caps))])
    over = mn.VGroup(*[mn.Line(*q, color=col, stroke_width=w) for q, w in ((pts, w_bar), *((c, w_cap) for c in caps))])
    return mn.VGroup(under, over)
