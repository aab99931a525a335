"""Momentum and local minima: plain GD settles in the shallow well, momentum rolls on into the
deeper one, its recorded velocity drawn as an arrow; a variant adds seeded random restarts of plain
GD. Time follows how far the balls move (paced), and every verdict on screen is the run's record.

    manim -ql scenes/descent_wells.py DescentWells
    manim -ql scenes/descent_wells.py DescentWellsRestarts
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.descent_views import (barrier, basin_share, crossing_step, keep_words,  # noqa: F401
                                             restart_keys, settled_step, straddle, turn_back, velocity_of)
from nnviz.render.fades import swap_caption
from nnviz.render.marks import hline
from nnviz.render.pacing import TimeWarp, combine, path_progress
from nnviz.render.plots import LabelledAxes, Legend, LossPlot
from nnviz.render.style import ThemedScene, color, heading, text
from nnviz.render.widgets import DescentPath, Readout


def hump_numbers(rec, step: int, xb: float) -> tuple[float, float]:
    """∇J at the hump and momentum's velocity v as it passes there: between the recorded steps
    `step` − 1 and `step` (the first one past the hump), where the path crosses θ = xb (the slope from
    the recorded curve, v interpolated between the two recorded velocities)."""
    mo, c = rec["momentum"], rec["curve"]
    th, v = mo.thetas[:, 0], mo.state["velocity"][:, 0]
    k = int(np.searchsorted(mo.steps, step))
    u = (th[k - 1] - xb) / (th[k - 1] - th[k])  # share of the step taken when the path is at the hump
    slope = float(np.interp(xb, c.xs, np.gradient(c.loss[0], c.xs)))
    return slope, float(v[k - 1] + u * (v[k] - v[k - 1]))


def wells_warp(rec, names, run_time: float) -> TimeWarp:
    """Time follows the distance the balls travel along θ (each run's share of its own travel), and
    stops once nothing visible moves (`settled_step`)."""
    end = settled_step(rec, names)
    prog = combine([path_progress(rec[n].thetas[rec[n].steps <= end, :1], rec[n].steps[rec[n].steps <= end])
                    for n in names])  # up to the step the captions name: after it nothing visible moves
    return TimeWarp.from_progress(prog, run_time, last_step=end)


class DescentWells(ThemedScene):
    experiment = "descent_wells"
    runs = {"gd": "gd", "momentum": "momentum"}  # record → optimizer colour
    names = {"gd": "plain GD", "momentum": "momentum"}
    show_restarts = False
    run_time = 8.0
    hold = 1.0  # seconds per unit of every held caption in DescentWells (render tests set it low)
    plot = (6.0, 4.7)

    def axes_and_curve(self, rec):
        curve = rec["curve"]
        xs, fs = curve.xs, curve.loss[0]
        pad = 0.3  # a start ring at the range's end stays clear of the y-axis ticks
        ax = LabelledAxes((xs[0] - pad, xs[-1] + pad), (fs.min() - 0.7, fs.max() + 0.1), "θ", "loss J(θ)",
                          width=self.plot[0], height=self.plot[1], font_size=28, n_ticks=4,
                          ink=color(theme.FOREGROUND)).to_edge(mn.LEFT, buff=0.45).shift(0.35 * mn.DOWN)
        line = mn.VMobject(stroke_color=color(theme.FOREGROUND), stroke_width=4)
        line.set_points_as_corners(ax.to_scene(np.c_[xs, fs]))
        self.add(ax, line)
        deep, shallow = (m[0] for m in curve.meta["minima"])
        hump_x = ax.c2p(barrier(curve), 0.0)[0]
        for x, word in ((deep, "global minimum"), (shallow, "local minimum")):
            y = float(np.interp(x, xs, fs))
            w = text(word, size=26).next_to(ax.c2p(x, y), mn.DOWN, buff=0.3)
            tick = mn.Line(ax.c2p(x, y) + 0.08 * mn.DOWN, ax.c2p(x, y) + 0.24 * mn.DOWN, color=color(theme.FOREGROUND),
                           stroke_width=2)
            w.set_x(max(w.get_x(), ax.axes.get_left()[0] + 0.15 + w.width / 2))
            if word == "local minimum":  # right of the hump's line
                w.set_x(max(w.get_x(), hump_x + 0.12 + w.width / 2))
            self.add(tick, w)
        xb = barrier(curve)
        (_, _), (y0, y1) = ax.bounds
        self.add(mn.DashedLine(ax.c2p(xb, y0), ax.c2p(xb, y1), color=color(theme.FOREGROUND), stroke_width=3),
                 text(f"hump θ = {xb:.2f}", size=26).next_to(ax.c2p(xb, y1), mn.DL, buff=0.1))
        height = lambda x: float(np.interp(x, xs, fs))  # a ball rides the drawn curve
        return ax, height, xb

    def column(self, *parts, top=None, buff=0.3):
        """The right-hand text column: parts stacked from `top` (a mobject) down."""
        g = mn.VGroup(*parts).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=buff)
        left = self.ax.axes.get_right()[0] + 0.75
        g.next_to(top, mn.DOWN, buff=0.35) if top is not None else g.to_edge(mn.UP, buff=1.0)
        g.shift((left - g.get_left()[0]) * mn.RIGHT)
        return g

    def construct(self):
        rec = experiments.load(self.experiment)
        self.ax, height, xb = self.axes_and_curve(rec)
        title = heading("Plain GD stops in the near well; momentum rolls on", size=32, buff=0.2)
        self.add(title)
        self.title = title
        if self.show_restarts:
            self.recap(rec, height, title)
            self.restarts(rec, height, xb)
            self.wait(1.5)
            return
        ax = self.ax
        t = mn.ValueTracker(0.0)
        balls, legend, trails = [], {}, []
        x0 = float(rec[next(iter(self.runs))].thetas[0, 0])
        start = mn.Circle(radius=0.2, color=color(theme.FOREGROUND), stroke_width=3).move_to(ax.c2p(x0, height(x0)))
        start_word = text("start", size=26).next_to(start, mn.LEFT, buff=0.12)
        self.add(start, start_word)
        for name, opt in self.runs.items():
            run = rec[name]
            c = color("optimizer", opt)
            pos = lambda run=run: float(np.interp(t.get_value(), run.steps, run.thetas[:, 0]))
            r = 0.14 if name == "momentum" else 0.11  # plain GD smaller and on top: both seen at the start
            ball = mn.Dot(radius=r, color=c, stroke_color=color(theme.BACKGROUND), stroke_width=2).add_updater(
                lambda m, pos=pos: m.move_to(ax.c2p(pos(), height(pos()))))
            ball.set_z_index(4 if name == "gd" else 3)
            balls.append(ball)
            th = run.thetas[:, 0]
            dense = np.linspace(0, run.n_steps, 8 * run.n_steps + 1)  # the trail follows the curve between steps
            xd = np.interp(dense, run.steps, th)
            # on the curve; plain GD's narrower blue on top of momentum's wide yellow: where both went, both show
            trail = DescentPath(np.c_[xd, np.interp(xd, rec["curve"].xs, rec["curve"].loss[0])], ax, steps=dense,
                                color=c, tracker=t, stroke_width=4 if name == "gd" else 13, head=False,
                                start_marker=False)
            if name == "gd":  # a dark edge under plain GD's line: it reads blue on momentum's yellow band
                edge = DescentPath(np.c_[xd, np.interp(xd, rec["curve"].xs, rec["curve"].loss[0])], ax, steps=dense,
                                   color=color(theme.BACKGROUND), tracker=t, stroke_width=9, head=False,
                                   start_marker=False)
                trails.append(edge.set_z_index(1.5))
            trails.append(trail.set_z_index(2 if name == "gd" else 1))
            opt_cfg = run.config["optimizer"]
            legend[self.names[name] + f" (η = {run.lr[0]:g}" + (f", β = {opt_cfg['beta']:g})" if "beta" in opt_cfg
                                                                else ")")] = c
        leg = Legend(legend, kind="dot", font_size=26)
        self.leg = leg
        mo = rec["momentum"]
        rule = text("v ← βv − η∇J,  θ ← θ + v", size=26)
        arrow_key = text("arrow: velocity v", size=26, color=color("optimizer", "momentum"))
        head = self.column(leg, mn.VGroup(rule, arrow_key).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1),
                           top=title, buff=0.2)
        steps = max(rec[n].n_steps for n in self.runs)
        counter = Readout(t, lambda x: f"step {int(round(x))}", size=28)

        # θ against the step: the overshoot past the deep minimum and the swing back, which the trail on the
        # curve cannot show
        warp = wells_warp(rec, list(self.runs), self.run_time)
        settled = int(warp.last_step)
        upto = {n: rec[n].steps <= settled for n in self.runs}  # the inset's axis ends where the motion does
        inset = LossPlot({n: rec[n].thetas[upto[n], 0] for n in self.runs},
                         colors={n: color("optimizer", o) for n, o in self.runs.items()},
                         steps={n: rec[n].steps[upto[n]] for n in self.runs}, x_label="step", y_label="", legend=False,
                         width=5.0, height=1.3, tracker=t, x_range=(0, settled), y_range=(-2.4, 2.2),
                         x_ticks=2, y_ticks=3, font_size=28, ink=color(theme.FOREGROUND))
        inset.add(hline(inset.axes, xb, color=color(theme.FOREGROUND), stroke_width=2))
        inset.add(text("hump", size=26).next_to(inset.axes.c2p(0.8 * settled, xb), mn.DOWN, buff=0.06))
        inset.to_edge(mn.DOWN, buff=0.1).shift((head.get_left()[0] - inset.get_left()[0] + 0.25) * mn.RIGHT)
        inset_head = text("θ at each step", size=28).next_to(inset.axes.axes, mn.UP, buff=0.1).align_to(
            inset.axes.axes, mn.LEFT)
        counter.next_to(inset_head, mn.RIGHT, buff=0.4)  # the step being drawn, beside the θ-per-step inset
        # momentum's recorded velocity, redrawn every frame: the push that carries it over the barrier
        vel = mo.state["velocity"][:, 0]
        ux = ax.c2p(1.0, 0.0)[0] - ax.c2p(0.0, 0.0)[0]  # scene units per unit of θ
        magnify = 2.0  # the arrow is 2× the step it will take: v is θ moved per step

        def velocity_arrow():
            s_ = t.get_value()
            x = float(np.interp(s_, mo.steps, mo.thetas[:, 0]))
            v = float(np.interp(s_, mo.steps, vel))
            p = ax.c2p(x, height(x))  # from the ball
            if abs(v) * ux * magnify < 0.06:
                return mn.VMobject()
            return mn.Arrow(p, p + magnify * v * ux * mn.RIGHT, buff=0, color=color("optimizer", "momentum"),
                            stroke_width=6, max_tip_length_to_length_ratio=0.35)

        arrow = mn.always_redraw(velocity_arrow)
        self.add(*trails[::-1], *balls, arrow, head, counter, inset, inset_head)  # plain GD drawn last: on top
        self.trails = trails
        self.act1 = mn.VGroup(*trails, *balls, start, start_word, inset, inset_head, counter)  # leaves in act 2
        t.set_value(warp.first_step)
        for m in balls:  # the first frame shows step 0: both balls at the start
            m.update()
        cap_at = head.get_bottom() + 0.25 * mn.DOWN
        self.cap_at, self.inset = cap_at, inset
        place = lambda g: g.move_to(cap_at, aligned_edge=mn.UP).align_to(head, mn.LEFT)  # noqa: E731

        def caption(*lines, colour=theme.FOREGROUND):
            return place(mn.VGroup(*[text(line, size=28, color=color(colour)) for line in lines]).arrange(
                mn.DOWN, aligned_edge=mn.LEFT, buff=0.1))

        cap = swap_caption(self, None, caption(f"same start θ₀ = {x0:g},", f"same η = {mo.learning_rate:g}"), 0.45, 0.45)
        # the moments the captions name: momentum over the hump, then plain GD at rest
        cross = crossing_step(mo, xb)
        t_cross = float(np.clip(warp.time_at(cross), 0.05 * warp.run_time, 0.75 * warp.run_time))
        self.wait(0.3 * self.hold)
        self.play(warp.segment(t, 0.0, t_cross))
        # at the hump: the ball stops there for the caption, and leaves a mark with its numbers on the curve
        g_c, v_c = hump_numbers(rec, cross, xb)
        ph = ax.c2p(xb, height(xb))
        ghost = mn.VGroup(
            mn.Circle(radius=0.14, color=color("optimizer", "momentum"), stroke_width=3).move_to(ph),
            mn.Arrow(ph, ph + magnify * v_c * ux * mn.RIGHT, buff=0, color=color("optimizer", "momentum"),
                     stroke_width=5, max_tip_length_to_length_ratio=0.35).set_opacity(0.6))
        mark = mn.VGroup(text(f"∇J = {abs(g_c):.2f}", size=26), text(f"v = {v_c:.2f}".replace("-", "−"), size=26,
                                                                     color=color("optimizer", "momentum")))
        mark.arrange(mn.DOWN, aligned_edge=mn.RIGHT, buff=0.08).next_to(ph, mn.UP, buff=0.3)
        mark.shift((ph[0] - 0.12 - mark.get_right()[0]) * mn.RIGHT)  # left of the hump's line
        ghost.add(mark)
        self.ghost = ghost
        cap = swap_caption(self, cap, caption(f"At the hump ∇J = {abs(g_c):.2f}:", "plain GD would stop here.",
                                              f"Momentum still has v = {v_c:.2f},".replace("-", "−"),
                                              "so it rolls on over."), 0.45, 0.45, with_out=[mn.FadeIn(ghost)])
        self.wait(1.5 * self.hold)
        self.play(warp.segment(t, t_cross, warp.run_time))
        for m in balls:
            m.clear_updaters()
        self.remove(arrow)
        wells = {n: rec[n].meta["well"] for n in self.runs}
        cap = swap_caption(self, cap, caption("GD: ∇J = 0 in the", f"{wells['gd']} well: it stops",
                                              f"(still after step {settled_step(rec, list(self.runs))})"), 0.45, 0.45)
        self.pause("wells-end")
        # is momentum just a bigger η? plain GD at η/(1−β) (momentum's step on a steady slope) from the same
        # start, then from the range's other end: each first step drawn as a dashed leap to a hollow landing dot
        def leap(run):
            xa, xl = float(run.thetas[0, 0]), float(run.thetas[1, 0])
            pa, pl = ax.c2p(xa, height(xa)), ax.c2p(xl, height(xl))
            arc = mn.DashedVMobject(mn.ArcBetweenPoints(pa, pl, angle=-0.9 if xl > xa else 0.9), num_dashes=24)
            land = mn.Dot(pl, radius=0.12, color=color(theme.BACKGROUND), fill_opacity=1,
                          stroke_color=color("optimizer", "gd"), stroke_width=3.5).set_z_index(5)
            return mn.VGroup(arc.set_stroke(color=color("optimizer", "gd"), width=3.5, opacity=0.9), land)

        big, left, mo_left = rec["gd_big"], rec["gd_big_left"], rec["momentum_left"]
        beta = mo.config["optimizer"]["beta"]
        why = caption("Just a bigger η? On a", "steady slope momentum's", "step grows to η/(1−β) × slope:",
                      f"give plain GD η = {big.learning_rate:g}.")
        self.play(mn.FadeOut(cap), mn.FadeOut(ghost), run_time=0.45)
        self.play(mn.FadeIn(why), run_time=0.45)
        self.wait(2.0 * self.hold)
        first = leap(big)
        lucky = caption(f"From {big.thetas[0, 0]:g} one step leaps", f"to {big.thetas[1, 0]:.2f}: it lands",
                        f"{big.meta['well']}, by luck.")
        lucky = mn.VGroup(*[m.set_color(color(theme.FOREGROUND)) for m in lucky])
        self.play(mn.FadeOut(why), run_time=0.4)
        self.play(mn.Create(first[0]), mn.FadeIn(first[1]), mn.FadeIn(lucky), run_time=1.0)
        self.pause("wells-big-eta")
        self.wait(3.0 * self.hold)
        self.act2(rec, height, xb, leap, big, left, mo_left, lucky, first, beta)

    def act2(self, rec, height, xb, leap, big, left, mo_left, old, first, beta):
        """From the range's other end: the same fixed big step leaps out of the deep well; momentum from there
        climbs, slows on the slope and turns back short of the hump (ball, velocity arrow, θ per step)."""
        ax = self.ax
        x_l = float(left.thetas[0, 0])
        ring = mn.Circle(radius=0.2, color=color(theme.FOREGROUND), stroke_width=3).move_to(ax.c2p(x_l, height(x_l)))
        second = leap(left)
        act2 = heading("A bigger η? A fixed big step is blind", size=32, buff=0.2)
        mo_cfg = mo_left.config["optimizer"]
        leg2 = Legend({f"plain GD (η = {left.learning_rate:g}, fixed)": color("optimizer", "gd"),
                       f"momentum (η = {mo_left.learning_rate:g}, β = {mo_cfg['beta']:g})": color("optimizer", "momentum")},
                      kind="dot", font_size=26).move_to(self.leg, aligned_edge=mn.UL)
        cap_at = self.cap_at
        place = lambda g: g.move_to(cap_at, aligned_edge=mn.UP).align_to(self.leg, mn.LEFT)  # noqa: E731
        cap = lambda *lines: place(mn.VGroup(*[text(x, size=28) for x in lines]).arrange(  # noqa: E731
            mn.DOWN, aligned_edge=mn.LEFT, buff=0.1))
        new2 = cap(f"From θ₀ = {x_l:g} the same".replace("-", "−"), f"step leaps to {left.thetas[1, 0]:.2f}, then",
                   f"settles in the {left.meta['well']} well", f"(θ = {left.final_theta[0]:.2f}). It is blind.")
        self.play(mn.FadeOut(old), mn.FadeOut(first), mn.FadeOut(self.title), mn.FadeOut(self.leg),
                  mn.FadeOut(self.act1), run_time=0.6)
        self.play(mn.FadeIn(act2), mn.FadeIn(leg2), mn.Create(ring), run_time=0.6)
        self.play(mn.Create(second[0]), mn.FadeIn(second[1]), mn.FadeIn(new2), run_time=1.0)
        self.pause("wells-blind-step")
        self.wait(1.5 * self.hold)
        # momentum from there, rolled from its record: ball, velocity arrow, trail, and θ per step beside it
        t = mn.ValueTracker(0.0)
        mo_c = color("optimizer", "momentum")
        th, vel = mo_left.thetas[:, 0], velocity_of(mo_left)
        pos = lambda: float(np.interp(t.get_value(), mo_left.steps, th))  # noqa: E731
        ball = mn.Dot(radius=0.14, color=mo_c, stroke_color=color(theme.BACKGROUND), stroke_width=2).add_updater(
            lambda m: m.move_to(ax.c2p(pos(), height(pos())))).set_z_index(4)
        dense = np.linspace(0, mo_left.n_steps, 4 * mo_left.n_steps + 1)
        xd = np.interp(dense, mo_left.steps, th)
        trail = DescentPath(np.c_[xd, np.interp(xd, rec["curve"].xs, rec["curve"].loss[0])], ax, steps=dense,
                            color=mo_c, tracker=t, stroke_width=6, head=False, start_marker=False).set_z_index(1)
        ux = ax.c2p(1.0, 0.0)[0] - ax.c2p(0.0, 0.0)[0]

        def velocity_arrow():
            x, v = pos(), float(np.interp(t.get_value(), mo_left.steps, vel))
            p = ax.c2p(x, height(x))
            if abs(v) * ux * 2.0 < 0.06:
                return mn.VMobject()
            return mn.Arrow(p, p + 2.0 * v * ux * mn.RIGHT, buff=0, color=mo_c, stroke_width=6,
                            max_tip_length_to_length_ratio=0.35)

        arrow = mn.always_redraw(velocity_arrow)
        gd_c = color("optimizer", "gd")
        # plain GD's ball starts at its landing dot (its first step is the drawn leap, not a roll along the
        # curve), then takes its small steps on to the shallow minimum
        gpos = lambda: float(np.interp(max(t.get_value(), 1.0), left.steps, left.thetas[:, 0]))  # noqa: E731
        gball = mn.Dot(radius=0.11, color=gd_c, stroke_color=color(theme.BACKGROUND), stroke_width=2).add_updater(
            lambda m: m.move_to(ax.c2p(gpos(), height(gpos())))).set_z_index(6)
        warp = wells_warp(rec, ["momentum_left", "gd_big_left"], 0.6 * self.run_time)
        end = int(warp.last_step)
        keep = mo_left.steps <= end
        gkeep = left.steps <= end
        inset = LossPlot({"g": left.thetas[gkeep, 0], "m": th[keep]}, colors={"g": gd_c, "m": mo_c},
                         steps={"g": left.steps[gkeep], "m": mo_left.steps[keep]}, x_label="step",
                         y_label="", legend=False, width=5.0, height=1.3, tracker=t, x_range=(0, end),
                         y_range=(-2.4, 2.2), x_ticks=2, y_ticks=3, font_size=28, ink=color(theme.FOREGROUND))
        inset.add(hline(inset.axes, xb, color=color(theme.FOREGROUND), stroke_width=2))
        inset.add(text("hump", size=26).next_to(inset.axes.c2p(0.8 * end, xb), mn.DOWN, buff=0.06))
        inset.move_to(self.inset, aligned_edge=mn.DL)
        inset_head = text("θ at each step", size=28).next_to(inset.axes.axes, mn.UP, buff=0.1).align_to(
            inset.axes.axes, mn.LEFT)
        k_top, th_top, short = turn_back(mo_left, xb)
        top_dot = mn.Dot(inset.axes.c2p(k_top, th_top), radius=0.08, color=mo_c, stroke_color=color(theme.BACKGROUND),
                         stroke_width=2)
        t.set_value(warp.first_step)
        self.play(mn.FadeIn(inset), mn.FadeIn(inset_head), run_time=0.5)
        self.add(trail, ball, arrow, gball)
        j0, j1 = height(x_l), height(float(rec["momentum"].thetas[0, 0]))
        slows = cap("Momentum starts lower", f"(J = {j0:.2f}, not {j1:.2f}), and",
                    f"β = {beta:g} keeps only {beta:.0%} of v", f"a step: it stops {short:.2f} short.")
        t_top = warp.time_at(k_top)
        self.play(warp.segment(t, 0.0, t_top))
        self.play(mn.FadeOut(new2), run_time=0.35)
        self.play(mn.FadeIn(slows), mn.FadeIn(top_dot), run_time=0.45)
        self.play(warp.segment(t, t_top, warp.run_time))
        ball.clear_updaters()
        gball.clear_updaters()
        self.remove(arrow)
        self.pause("wells-momentum-left")
        self.wait(1.5 * self.hold)
        takeaway = cap("Momentum gets over a hump", "only with speed to spare",
                       f"(from {rec['momentum'].thetas[0, 0]:g}: yes; from {x_l:g}: no).".replace("-", "−"),
                       "A fixed big step just jumps.")
        self.play(mn.FadeOut(slows), run_time=0.4)
        self.play(mn.FadeIn(takeaway), run_time=0.5)
        self.pause("wells-takeaway")
        self.wait(3.0 * self.hold)

    def recap(self, rec, height, title):
        """The previous scene's outcome in one still: where plain GD and momentum ended."""
        ax = self.ax
        marks = mn.VGroup()
        for name, opt in self.runs.items():
            x = float(rec[name].final_theta[0])
            marks.add(mn.Dot(ax.c2p(x, height(x)), radius=0.13, color=color("optimizer", opt),
                             stroke_color=color(theme.BACKGROUND), stroke_width=2))
        words = self.column(*[text(f"{self.names[n]}: {rec[n].meta['well']} well", size=28,
                                   color=color("optimizer", o)) for n, o in self.runs.items()],
                            text("Can plain GD get there", size=28), text("by restarting?", size=28), top=title,
                            buff=0.12)
        self.add(marks, words)
        self.wait(1.0)
        self.pause("restarts-recap")
        new_title = heading("Random restarts of plain GD: the start picks the well", size=32, buff=0.2)
        self.play(mn.FadeOut(mn.VGroup(marks, words, title)), run_time=0.5)
        self.play(mn.FadeIn(new_title), run_time=0.5)
        self.title = new_title

    def restarts(self, rec, height, xb):
        ax = self.ax
        keys = restart_keys(rec)
        t = mn.ValueTracker(0.0)
        gd = color("optimizer", "gd")  # every restart is plain GD: its colour
        found, stuck = color(theme.OUTCOME["found"]), color(theme.OUTCOME["stuck"])
        dots, rings, trails = [], [], []
        for k in keys:
            run = rec[k]
            pos = lambda run=run: float(np.interp(t.get_value(), run.steps, run.thetas[:, 0]))
            d = mn.Dot(radius=0.1, color=gd, stroke_color=color(theme.BACKGROUND), stroke_width=2).add_updater(
                lambda m, pos=pos: m.move_to(ax.c2p(pos(), height(pos()))))
            d.set_z_index(4)
            dots.append(d)
            x0 = float(run.thetas[0, 0])
            rings.append(mn.Circle(radius=0.16, color=color(theme.FOREGROUND), stroke_width=3)
                         .move_to(ax.c2p(x0, height(x0))).set_z_index(3))
            dense = np.linspace(0, run.n_steps, 4 * run.n_steps + 1)
            xd = np.interp(dense, run.steps, run.thetas[:, 0])
            trails.append(DescentPath(np.c_[xd, np.interp(xd, rec["curve"].xs, rec["curve"].loss[0])], ax,
                                      steps=dense, color=gd, tracker=t, stroke_width=5, head=False,
                                      start_marker=False).set_stroke(opacity=0.55))
        wells = {w: [k for k in keys if rec[k].meta["well"] == w] for w in ("deep", "shallow")}
        lo, hi = rec[keys[0]].meta["start_range"]
        share = basin_share(lo, hi, xb)
        key = mn.VGroup(
            mn.VGroup(mn.Circle(radius=0.14, color=color(theme.FOREGROUND), stroke_width=3),
                      text("start, θ₀ ~ uniform", size=26)).arrange(mn.RIGHT, buff=0.15),
            text(f"on [{lo:g}, {hi:g}]", size=26),
            mn.VGroup(mn.Circle(radius=0.14, color=found, fill_opacity=1, stroke_width=3),
                      text("start that ends deep", size=26)).arrange(mn.RIGHT, buff=0.15),
            mn.VGroup(mn.Circle(radius=0.14, color=stuck, fill_opacity=0, stroke_width=3),
                      text("start that ends shallow", size=26)).arrange(mn.RIGHT, buff=0.15))
        key.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
        key[1].shift(0.43 * mn.RIGHT)
        key = self.column(key, top=self.title)
        self.play(*[mn.FadeIn(r) for r in rings], *[mn.FadeIn(d) for d in dots], mn.FadeIn(key), run_time=0.8)
        self.add(*trails)
        warp = wells_warp(rec, keys, self.run_time * 0.6)
        t.set_value(warp.first_step)
        self.play(warp.animate(t))
        for d in dots:
            d.clear_updaters()
        # each start ring takes its outcome: filled where the run reached the deep well
        self.play(*[r.animate.set_fill(found, opacity=1).set_stroke(found) if rec[k].meta["well"] == "deep"
                    else r.animate.set_stroke(stuck, width=4.5) for r, k in zip(rings, keys)], run_time=0.6)
        # the two starts either side of the hump: close, yet different wells
        pair = straddle(rec, keys, xb)
        cap_at = key.get_bottom() + 0.4 * mn.DOWN
        texts = []
        if pair is not None:
            a_, b_ = (float(rec[k].thetas[0, 0]) for k in pair)
            hi_ring = mn.VGroup(*[mn.Circle(radius=0.26, color=color(theme.FOREGROUND), stroke_width=3).move_to(
                rings[keys.index(k)]) for k in pair])
            words = mn.VGroup(text(f"θ₀ = {a_:.2f} and {b_:.2f}:".replace("-", "−"), size=28),
                              text(f"{b_ - a_:.2f} apart, either side", size=28),
                              text("of the hump: different wells", size=28)).arrange(mn.DOWN, aligned_edge=mn.LEFT,
                                                                                      buff=0.1)
            words.move_to(cap_at, aligned_edge=mn.UP).align_to(key, mn.LEFT)
            self.play(mn.Create(hi_ring), mn.FadeIn(words), run_time=0.8)
            self.wait(1.5)
            self.play(mn.FadeOut(hi_ring), mn.FadeOut(words), run_time=0.4)
        # the outcome: how many ended in each well (their dots coincide there), and the run we keep
        badges = mn.VGroup()
        for w in ("deep", "shallow"):
            if wells[w]:
                x = float(np.mean([rec[k].final_theta[0] for k in wells[w]]))
                badges.add(text(f"×{len(wells[w])}", size=28, color=gd).next_to(ax.c2p(x, height(x)), mn.UP,
                                                                                  buff=0.55))
        keep = keep_words(rec).replace("-", "−")
        cut = keep.index(" J = ") if " J = " in keep else len(keep)
        verdict = mn.VGroup(text(f"{len(wells['deep'])} of {len(keys)} end deep: the hump", size=28),
                            text(f"splits the starts ({share:.0%} of", size=28),
                            text("the range is left of it);", size=28),
                            text(keep[:cut], size=28), text(keep[cut + 1:], size=28))
        verdict.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1)
        verdict.move_to(cap_at, aligned_edge=mn.UP).align_to(key, mn.LEFT)
        texts.append(verdict)
        self.play(mn.FadeIn(badges), mn.FadeIn(verdict))
        self.pause("restarts-end")


class DescentWellsRestarts(DescentWells):
    show_restarts = True
