"""Dropout: hidden units switched off at random at every training step (the seeded masks
the real run drew, a few steps, one idea per step), then its effect: the same over-sized net on
40 noisy points, trained with and without dropout — decision boundaries and train vs test loss
side by side, then why the plain net's final test loss is high, one takeaway at a time, in numbers
from the records (networks.dropout_summary, networks.sure_mistakes): its train loss at 0 pushes its
outputs to 0 or 1 (colour key), so a sure mistake costs ≥ −ln 0.01; the new test points each net
gets wrong while ≥ 99 % sure (dots in their true class colour, ringed; the count for other seeds
from the record "seeds"); the training points the plain net bends pockets round (circled); early
stopping at the lowest loss on held-out validation points (record "validation"); one takeaway line.

Records: experiment "network_dropout" (nnviz/experiments/networks.py).
"""
import numpy as np
from manim import (DL, DOWN, DR, LEFT, ORIGIN, RIGHT, UL, UP, UR, Circle, DashedLine, Dot, Group, Line, Square,
                   ValueTracker, VGroup, VMobject, BackgroundRectangle, Create)

from nnviz import experiments, theme
from nnviz.render.fades import fade_in, fade_out
from nnviz.display import input_names, sizes_text
from nnviz.experiments.networks import dropout_summary, model_from, sure_level, sure_mistakes
from nnviz.render.network import NetworkDiagram
from nnviz.render.planes import DecisionPlane, boundary_rgba, flip_progress, frame_index
from nnviz.render.dashed import DashedCurve
from nnviz.render.pacing import TimeWarp, combine, loss_progress
from nnviz.render.paths import clip_path
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedScene, heading, text
from nnviz.render.widgets import Readout, StepCounter


def sure_mark(at=ORIGIN, label=0, radius=0.06) -> VGroup:
    """A test point the net gets wrong while ≥ 99 % sure: a hollow ring in its TRUE class colour on a
    dark rim (it always lies on the other class's colour; unlike the filled training points)."""
    return VGroup(Circle(radius=radius, color=theme.BACKGROUND, stroke_width=6.5).move_to(at),
                  Circle(radius=radius, color=theme.CLASS[int(label)], stroke_width=3).move_to(at))


def stop_mark(at=ORIGIN, radius=0.11) -> Dot:
    """Where early stopping stops (lowest validation loss): a dot in the test-loss colour, outlined."""
    return Dot(at, radius=radius, color=theme.loss_colors()["test"]).set_stroke(theme.FOREGROUND, width=3)


def swatch(prob: float, side=0.26) -> Square:
    """One colour of the boundary maps (P(class 1) = prob), for the colour key."""
    rgb = boundary_rgba(np.array([[prob]]))[0, 0, :3]
    return Square(side, stroke_color=theme.MUTED, stroke_width=1.5).set_fill(
        "#%02x%02x%02x" % tuple(int(v) for v in rgb), opacity=1.0)


class Dropout(ThemedScene):
    experiment = "network_dropout"
    mask_steps = 3         # how many consecutive training steps of masks to show (one caption line each)
    mask_time = 1.3        # seconds per step
    train_time = 6.0
    map_size = 3.8         # each boundary map's side (the captions take the band below)

    def construct(self):
        recs = experiments.load(self.experiment)
        masks = recs["masks"]
        run = recs["run_dropout"]
        model = model_from(run.config["problem"]["model"])
        p = masks.config["dropout"]

        title = heading("Dropout", size=34, buff=0.2)
        sub = text(f"each training step, each hidden unit is off with probability p = {p:g}",
                   size=28).next_to(title, DOWN, buff=0.2)
        d = NetworkDiagram.from_model(model, run.thetas[0], width=5.0, height=4.6, radius=0.18, label_size=28,
                                      input_labels=input_names(2), output_labels=["ŷ"], strong_per_neuron=3)
        d.move_to([-3.7, -0.55, 0])
        names = sorted(masks.masks)
        total = sum(masks.masks[nm].shape[1] for nm in names)
        d.glyphs.set_color(theme.FOREGROUND)            # "tanh", "σ": readable, not muted
        drawn = text(f"{len(d.shown[1])} of {model.sizes[1]} units drawn per layer", size=26)
        drawn.next_to(d, DOWN, buff=0.2)

        def show(t):
            d.set_weights(run.thetas[frame_index(run.steps, t)])
            for grp in d.edges:                     # the wiring in one neutral colour: here only on/off matters
                grp.set_stroke(color=theme.NEURON)
            for j, nm in enumerate(names, start=1):
                d.set_dropped(j, masks.masks[nm][t])

        step = ValueTracker(0)
        counter = Readout(step, lambda s: f"step {int(s)}: {int(sum((1 - masks.masks[nm][int(s)]).sum() for nm in names))}"
                                          f" of {total} hidden units off", size=28)
        grey = Dot(radius=0.16, color=theme.DROPPED).set_stroke(theme.DROPPED, width=2)
        lines = [VGroup(grey, text("grey: off for this step", size=28)).arrange(RIGHT, buff=0.2),
                 text("a new random mask every step", size=28),
                 VGroup(text("so no unit can count on", size=28), text("another being there", size=28))
                 .arrange(DOWN, aligned_edge=LEFT, buff=0.12)]
        right = VGroup(counter, *lines).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        right.move_to([0.3, -0.4, 0], aligned_edge=LEFT)
        self.mask_lines = lines
        show(0)
        self.add(title, sub, d, drawn, counter, lines[0])      # the first frame is already the picture
        self.wait(self.mask_time)
        for t in range(1, self.mask_steps):
            step.set_value(t)
            show(t)
            self.play(fade_in(lines[t]), run_time=0.4)
            self.wait(self.mask_time - 0.4)
        self.wait(0.5)
        self.mask_diagram, self.mask_tracker = d, step
        self.pause("effect")
        self.play(*[fade_out(m) for m in (d, drawn, counter, *lines, sub)], run_time=0.5)
        self.compare(recs, model, p)

    @classmethod
    def warp(cls, recs) -> TimeWarp:
        """Video time ↦ step for the comparison: by the change of both boundaries (cells changing
        class) and of both test losses, so time goes where either picture moves."""
        prog = [flip_progress(recs[f"boundary_{t}"].steps, recs[f"boundary_{t}"].prob) for t in ("plain", "dropout")]
        prog += [loss_progress(recs[f"run_{t}"].test_loss, recs[f"run_{t}"].eval_steps, log=False)
                 for t in ("plain", "dropout")]
        return TimeWarp.from_progress(combine(prog), cls.train_time, floor=0.15, clock="log", tol=1e-2)

    @classmethod
    def verdicts(cls, recs, facts) -> dict:
        """The closing words: the question, then one takeaway at a time (numbers from the records)."""
        fp, fd = facts["plain"], facts["dropout"]
        mp, md = sure_mistakes(recs, "plain"), sure_mistakes(recs, "dropout")
        sure = sure_level(recs)          # a test mistake is "sure" when the net gives the wrong class ≥ this
        seeds = recs["seeds"].columns
        sp, sd = seeds["plain_sure"], seeds["dropout_sure"]
        n_val = recs["validation"].meta["n"]
        return {"why": f"Why does the net without dropout end at test loss {fp['final_test']:.2f}?",
                "fit": f"train loss {recs['run_plain'].train_loss[-1]:.2f} → outputs near 0 or 1:",
                "cost": f"so a mistake made ≥ {sure:.0%} sure costs ≥ −ln {1 - sure:.2f} ≈ {-np.log(1 - sure):.1f}",
                "sure": f"wrong yet ≥ {sure:.0%} sure (ring colour: the true class):",
                "count": (f"{mp['sure']} without dropout, {md['sure']} with ({len(sp)} other seeds: "
                          f"{sp.min()}–{sp.max()} vs {sd.min()}–{sd.max()})"),
                "sum": (f"each costs ≥ {-np.log(1 - sure):.1f}, on average {mp['mean_cost']:.1f}: "
                        f"{mp['sure']} × {mp['mean_cost']:.1f} / {mp['n']} = "
                        f"{mp['sure'] * round(mp['mean_cost'], 1) / mp['n']:.2f}"),
                "share": f"= {mp['share']:.0%} of the plain net's {fp['final_test']:.2f}",
                "bend": f"pockets round {len(facts['bent'])} noisy training points: only without dropout.",
                "units": ("A pocket needs many units working together;", "dropout switches half of them off each step."),
                "early": (f"early stopping: stop where the validation loss (orange,",
                          f"{n_val} other held-out points) is lowest; maps at those steps"),
                "head": "Early stopping or dropout?",
                "stop": (f"test loss there: {fp['stop_test']:.2f} without (step {fp['stop_step']}), "
                         f"{fd['stop_test']:.2f} with (step {fd['stop_step']})"),
                "take": (f"With dropout the test loss stayed low to step {int(recs['run_plain'].steps[-1])};",
                         "without it, you must stop at the right step,", f"found with {n_val} extra held-out points.")}

    def compare(self, recs, model, p):
        title = self.mobjects[0]
        bd0 = recs["boundary_plain"]
        sub = text(f"{sizes_text(model.sizes)} net · {len(bd0.X)} noisy training points · "
                   f"{len(bd0.X_test)} new test points", size=28).next_to(title, DOWN, buff=0.15)
        tracker = ValueTracker(0)
        facts = dropout_summary(recs)
        words = self.verdicts(recs, facts)
        last = int(recs["run_plain"].steps[-1])
        panels, planes, readouts, plots = [], [], [], {}
        self.test_curves = []
        loss_col = theme.loss_colors()
        all_loss = np.concatenate([recs[f"run_{t}"].train_loss for t in ("plain", "dropout")]
                                  + [recs[f"run_{t}"].test_loss for t in ("plain", "dropout")])
        y_range = (0.0, float(np.ceil(all_loss.max() * 2) / 2))
        for tag, name in (("plain", "no dropout"), ("dropout", f"dropout p = {p:g}")):
            run, bd = recs[f"run_{tag}"], recs[f"boundary_{tag}"]
            plane = DecisionPlane(bd.xs, bd.ys, bd.X, bd.labels, size=self.map_size, dot_radius=0.085,
                                  prob=bd.prob[0])
            plot = LossPlot({"train": run.train_loss}, colors={"train": loss_col["train"]},
                            steps={"train": run.eval_steps}, y_range=y_range, x_label="step", y_label="",
                            width=1.85, height=self.map_size - 0.9, legend=False, tracker=tracker, font_size=28,
                            x_ticks=2, y_ticks=2, ink=theme.FOREGROUND)
            end_tick(plot.axes, last)
            plot.shift(plane.frame.get_corner(UR) + RIGHT * 0.47 - plot.axes.axes.get_corner(UL))  # ticks and
            # "step" below the axes, still beside the map
            test = DashedCurve(plot.axes, run.test_loss, run.eval_steps, color=loss_col["test"], tracker=tracker,
                               stroke_width=5)
            plot.add(test)
            head = text(name, size=30).next_to(plane.frame, UP, buff=0.12)
            final = Readout(tracker, lambda s, run=run: (
                f"train {run.train_loss[frame_index(run.eval_steps, s)]:.2f} · "
                f"test {run.test_loss[frame_index(run.eval_steps, s)]:.2f}"), size=28)
            panels.append(Group(plane, plot, head))
            planes.append((plane, bd))
            readouts.append(final)
            plots[tag] = plot
            self.test_curves.append(test)
        Group(*panels).arrange(RIGHT, buff=0.5).set_x(0)
        Group(*panels).shift(UP * (sub.get_bottom()[1] - 0.14 - Group(*[pn[2] for pn in panels]).get_top()[1]))
        for (plane, _), pn in zip(planes, panels):
            pn[2].match_x(plane.frame)
        # the loss key inside the dropout plot's empty top (its curves stay under 0.4)
        ax = plots["dropout"].axes
        legend = VGroup(
            VGroup(Line(ORIGIN, RIGHT * 0.4, color=loss_col["train"], stroke_width=5),
                   text("train loss", size=26)).arrange(RIGHT, buff=0.1),
            text("(all units on)", size=24),
            VGroup(DashedLine(ORIGIN, RIGHT * 0.4, color=loss_col["test"], stroke_width=5, dash_length=0.1),
                   text("test loss", size=26)).arrange(RIGHT, buff=0.1))
        legend.arrange(DOWN, aligned_edge=LEFT, buff=0.1).next_to(ax.c2p(0, y_range[1]), DR, buff=0.08)
        legend[1].align_to(legend[0][0], LEFT)
        whole = Group(*panels, legend)                 # centre what is drawn, the key included
        whole.shift(LEFT * whole.get_center()[0])
        for (plane, _), final in zip(planes, readouts):
            final.next_to(plane.frame, DOWN, buff=0.22)
        for plot in plots.values():       # "loss" once per plot, above its y axis
            plot.add(text("loss", size=28).next_to(plot.axes.c2p(0, y_range[1]), UP, buff=0.12))
        counter = StepCounter(tracker, total=last, size=28)
        counter.next_to(Group(*readouts), DOWN, buff=0.3).set_x(0)

        for plane, _ in planes:
            self.add(plane.image)
        parts = [m for pn in panels for m in (pn[0].frame, pn[0].dots, *pn[1:])]
        self.play(fade_in(sub), *[fade_in(m) for m in parts], *[fade_in(r) for r in readouts], fade_in(legend),
                  fade_in(counter), run_time=0.8)
        self.pause("compare")
        for plane, bd in planes:
            plane.follow(tracker, bd.prob, bd.steps)
        warp = self.warp(recs)
        tracker.set_value(warp.first_step)
        self.play(warp.animate(tracker))
        for plane, _ in planes:
            plane.unfollow()
        self.wait(0.6)
        self.pause("verdict")

        # why: the question, then one takeaway at a time, each with its mark on the pictures
        why = text(words["why"], size=30).move_to(sub)      # the question replaces the set-up
        ends = VGroup()                                      # each run's last test loss, above its curve's end
        self.end_labels = {}
        for tag in ("plain", "dropout"):
            run = recs[f"run_{tag}"]
            self.end_labels[tag] = f"{run.test_loss[-1]:.2f}"
            v = recs["validation"].columns[tag]          # above the validation curve's end too (drawn later)
            top = max(run.test_loss[-1], v[-1]) if v[-1] <= y_range[1] else run.test_loss[-1]   # (or it left the plot)
            end = plots[tag].axes.c2p(run.eval_steps[-1], top)
            ends.add(text(self.end_labels[tag], size=26, color=loss_col["test"]).next_to(end, UP, buff=0.14)
                     .align_to(end, RIGHT))
        lines = VGroup(*[plane.contour(bd.prob[-1], 0.5, width=2.5) for plane, bd in planes])   # the boundary
        marks = VGroup()
        for tag, (plane, bd) in zip(("plain", "dropout"), planes):
            for i in sure_mistakes(recs, tag)["sure_idx"]:
                marks.add(sure_mark(plane.to_scene(*bd.X_test[i]), bd.labels_test[i]))
        rings = VGroup(*[Circle(radius=0.24, color=theme.ACTIVE, stroke_width=4).move_to(plane.to_scene(*bd.X[i]))
                         for plane, bd in planes for i in facts["bent"]])
        stops, stop_words = VGroup(), VGroup()
        for tag, end in zip(("plain", "dropout"), ends):
            f, axs, run = facts[tag], plots[tag].axes, recs[f"run_{tag}"]
            at = axs.c2p(f["stop_step"], f["stop_test"])
            stops.add(stop_mark(at))
            stop_words.add(stop_label(axs, run, f["stop_step"], at, avoid=[end]))

        def bullet(mark, words_, size=28):
            return VGroup(mark, text(words_, size=size)).arrange(RIGHT, buff=0.18)

        def caption(*rows):
            g = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
            g.next_to(Group(*[pl for pl, _ in planes], *plots.values()), DOWN, buff=0.25).set_x(0)
            for row in g[1:]:                      # continuation rows start under the first row's words
                if isinstance(g[0][0], (Circle, Dot, VGroup)) and len(g[0]) == 2:
                    row.shift(RIGHT * (g[0][1].get_left()[0] - row.get_left()[0]))
            return g

        key = VGroup(*[VGroup(swatch(q), text(w, size=26)).arrange(RIGHT, buff=0.1)
                       for q, w in ((0.0, "sure"), (0.5, "unsure"), (1.0, "sure"))]).arrange(RIGHT, buff=0.3)
        fit = VGroup(text(words["fit"], size=28), key).arrange(RIGHT, buff=0.4)
        mech = caption(fit, text(words["cost"], size=28))
        two = VGroup(sure_mark(radius=0.1, label=0), sure_mark(radius=0.1, label=1)).arrange(RIGHT, buff=0.08)
        sure = caption(bullet(two, words["sure"]), *[text(words[k], size=28) for k in ("count", "sum", "share")])
        pockets = caption(bullet(Circle(radius=0.14, color=theme.ACTIVE, stroke_width=4), words["bend"]),
                          *[text(t, size=28) for t in words["units"]])
        early = caption(bullet(stop_mark(), words["early"][0]), text(words["early"][1], size=28),
                        text(words["stop"], size=28))
        take = caption(*[text(t, size=32) for t in words["take"]])
        for row in take:
            row.set_x(0)
        head2 = text(words["head"], size=30).move_to(sub)
        stop_k = {tag: int(np.flatnonzero(bd.steps == facts[tag]["stop_step"])[0])
                  for tag, (_, bd) in zip(("plain", "dropout"), planes)}
        vals = VGroup()                        # the validation loss that picks the stop (truncated at the top)
        for tag in ("plain", "dropout"):
            axs, v = plots[tag].axes, recs["validation"]
            vals.add(curve_below(axs, v.columns["steps"], v.columns[tag], theme.SPLIT["validation"]))
            k = int(np.argmin(v.columns[tag]))
            vals.add(Dot(axs.c2p(v.columns["steps"][k], v.columns[tag][k]), radius=0.06,
                         color=theme.SPLIT["validation"]))
        lines2 = VGroup(*[plane.contour(bd.prob[stop_k[tag]], 0.5, width=2.5)
                          for tag, (plane, bd) in zip(("plain", "dropout"), planes)])

        self.play(fade_out(sub), *[fade_out(m) for m in (*readouts, counter)], run_time=0.3)
        self.play(fade_in(why), fade_in(ends), Create(lines), run_time=0.8)
        self.wait(1.2)
        self.play(fade_in(mech[0]), run_time=0.5)               # the mechanism: sure outputs …
        self.wait(1.6)
        self.play(fade_in(mech[1]), run_time=0.5)               # … make each mistake expensive
        self.wait(2.0)
        self.pause("sure")
        self.play(fade_out(mech), run_time=0.3)
        self.play(Create(marks), fade_in(sure[0]), fade_in(sure[1]), run_time=0.8)   # the sure mistakes, both maps
        self.wait(1.2)
        self.play(fade_in(sure[2]), fade_in(sure[3]), run_time=0.5)                  # … and what they cost
        self.wait(5.2)
        self.pause("pockets")
        self.play(fade_out(sure), fade_out(marks), run_time=0.4)
        self.play(Create(rings), fade_in(pockets), run_time=0.8)
        self.wait(3.0)
        self.pause("early")
        self.play(*[fade_out(m) for m in (pockets, rings, why, lines)], run_time=0.4)
        for tag, (plane, bd) in zip(("plain", "dropout"), planes):
            plane.set_prob(bd.prob[stop_k[tag]])               # each net as early stopping leaves it
        self.play(fade_in(head2), Create(lines2), Create(vals), Create(stops), fade_in(stop_words),
                  fade_in(early), run_time=0.8)
        self.wait(3.4)
        self.pause("takeaway")
        self.play(fade_out(early), run_time=0.3)
        self.play(fade_in(take), run_time=0.6)
        self.wait(3.0)
        self.facts, self.words, self.rings, self.stops, self.stop_words = facts, words, rings, stops, stop_words
        self.val_curves = vals
        self.marks, self.captions, self.boundary_lines = marks, (mech, sure, pockets, early, take), lines
        self.planes, self.compare_tracker, self.plots, self.stop_k = planes, tracker, plots, stop_k


def curve_below(axes, x, y, color, width=2.5) -> VMobject:
    """A thin solid curve through (x, y), ending where it first leaves the axes (cut by the kit's clip_path)."""
    first = clip_path(axes.to_axes(np.c_[x, y]), axes.bounds).segments[0]
    return VMobject(stroke_color=color, stroke_width=width).set_points_as_corners(axes.to_scene(first[0]))


def end_tick(axes, last: float) -> None:
    """Tick the x axis at 0 and at its end only ("6000", right-aligned at the axis end, so it stays
    inside the plot's width and off the next panel)."""
    origin = axes.c2p(axes.bounds[0][0], axes.bounds[1][0])
    for grp in (axes.ticks, axes.tick_labels):
        for m in [m for m in grp if m.get_y() < origin[1] - 0.02 and m.get_x() > origin[0] + 0.05]:
            grp.remove(m)                                  # the x ticks past 0 (y ticks sit left of the axis)
    end = axes.c2p(last, axes.bounds[1][0])
    axes.ticks.add(Line(end, end + 0.08 * DOWN, color=theme.MUTED, stroke_width=2))
    zero = [m for m in axes.tick_labels if m.get_y() < origin[1] - 0.02][0]
    axes.tick_labels.add(text(f"{last:g}", size=28, color=theme.FOREGROUND)
                         .next_to(end, DOWN, buff=0.14).align_to(end, RIGHT).align_to(zero, DOWN))


def stop_label(axes, run, step: int, at, avoid, also=()) -> VGroup:
    """"stop / 390" right of a dashed leader rising from a stop dot (left of it when the end label
    would be beside it), clear of both loss curves, inside the axes; in the ink colour, so it does not
    read as a legend entry."""
    lab = VGroup(*[text(t, size=24) for t in ("stop", f"{step}")]).arrange(DOWN, buff=0.06)
    right = axes.axes.get_right()[0]
    x = float(min(at[0] + 0.1, right - lab.width))
    pts = np.concatenate([axes.to_scene(np.c_[run.eval_steps, v]) for v in (run.test_loss, run.train_loss, *also)])
    under = pts[(pts[:, 0] >= min(x, at[0]) - 0.05) & (pts[:, 0] <= x + lab.width + 0.05)]
    low = max(under[:, 1].max(), at[1] + 0.2) + 0.15
    if any(m.get_left()[0] < x + lab.width + 0.15 and m.get_right()[0] > x - 0.15 for m in avoid):
        x = at[0] - 0.1 - lab.width                              # beside the end label: left of the leader
        under = pts[(pts[:, 0] >= x - 0.05) & (pts[:, 0] <= at[0] + 0.05)]
        low = max(under[:, 1].max(), at[1] + 0.2) + 0.15
    lab.move_to([x, low, 0], aligned_edge=DL)
    lab.add_to_back(BackgroundRectangle(lab, color=theme.BACKGROUND, fill_opacity=0.85, buff=0.04))  # over the
    # validation curve, drawn later, which may pass behind it
    lead = DashedLine(at + UP * 0.12, [at[0], low + lab.height, 0], color=theme.FOREGROUND, stroke_width=2,
                      dash_length=0.06)
    return VGroup(lab, lead)
