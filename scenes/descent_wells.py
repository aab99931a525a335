"""Momentum and local minima: plain GD settles in the shallow well, momentum rolls on into the
deeper one, its recorded velocity drawn as an arrow; a variant adds seeded random restarts of plain
GD. Time follows how far the balls move (paced), and every verdict on screen is the run's record.

    manim -ql scenes/descent_wells.py DescentWells
    manim -ql scenes/descent_wells.py DescentWellsRestarts
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.pacing import TimeWarp, combine, path_progress
from nnviz.render.plots import LabelledAxes, Legend
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.widgets import StepCounter

RESTART = "restart"


def restart_keys(rec) -> list[str]:
    return sorted((k for k in rec if k.startswith(RESTART)), key=lambda k: int(k[len(RESTART):]))


def wells_warp(rec, names, run_time: float) -> TimeWarp:
    """Time follows the distance the balls travel along θ (each run's share of its own travel)."""
    prog = combine([path_progress(rec[n].thetas[:, :1], rec[n].steps) for n in names])
    return TimeWarp.from_progress(prog, run_time, last_step=max(rec[n].n_steps for n in names))


class DescentWells(ThemedScene):
    experiment = "descent_wells"
    runs = {"gd": "gd", "momentum": "momentum"}  # record → optimizer colour
    names = {"gd": "plain GD", "momentum": "momentum"}
    show_restarts = False
    run_time = 8.0

    def construct(self):
        rec = experiments.load(self.experiment)
        curve = rec["curve"]
        xs, fs = curve.xs, curve.loss[0]
        ax = LabelledAxes((xs[0], xs[-1]), (fs.min() - 0.7, fs.max() + 0.1), "θ", "loss J(θ)",
                          width=7.2, height=4.8, font_size=18).to_edge(mn.LEFT, buff=0.6).shift(0.1 * mn.DOWN)
        line = mn.VMobject(stroke_color=color(theme.FOREGROUND), stroke_width=4)
        line.set_points_as_corners(ax.to_scene(np.c_[xs, fs]))
        title = heading("Momentum can roll out of a local minimum", size=34)
        self.add(title, ax, line)
        self.title = title
        deep, shallow = (m[0] for m in curve.meta["minima"])
        self.words = {}
        for x, word in ((deep, "global minimum"), (shallow, "local minimum")):
            y = float(np.interp(x, xs, fs))
            self.words[word] = label(word, size=20).next_to(ax.c2p(x, y), mn.DOWN, buff=0.35)
            self.add(self.words[word])

        height = lambda x: float(np.interp(x, xs, fs))  # the ball rides the drawn curve
        t = mn.ValueTracker(0.0)
        balls, legend = [], {}
        for k, (name, opt) in enumerate(self.runs.items()):
            run = rec[name]
            c = color("optimizer", opt)
            pos = lambda run=run: float(np.interp(t.get_value(), run.steps, run.thetas[:, 0]))
            ball = mn.Dot(radius=0.13, color=c, stroke_color=color(theme.BACKGROUND), stroke_width=2).add_updater(
                lambda m, pos=pos, k=k: m.move_to(ax.c2p(pos(), height(pos())) + (0.13 + 0.02 * k) * mn.UP))
            ball.set_z_index(3)
            balls.append(ball)
            opt_cfg = run.config["optimizer"]
            hyper = f"η={run.lr[0]:g}" + (f", β={opt_cfg['beta']:g}" if "beta" in opt_cfg else "")
            legend[f"{self.names[name]} ({hyper})"] = c
        leg = Legend(legend, kind="dot", font_size=22).to_corner(mn.UR, buff=0.5).shift(0.8 * mn.DOWN)
        steps = max(rec[n].n_steps for n in self.runs)
        counter = StepCounter(t, total=steps, size=24).next_to(leg, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        x0 = float(rec[next(iter(self.runs))].thetas[0, 0])
        note = label(f"same start θ₀ = {x0:g}, same η, same {steps} steps; arrow: momentum's velocity v", size=20) \
            .to_edge(mn.DOWN, buff=0.15)
        # momentum's recorded velocity, redrawn every frame: the push that carries it over the barrier
        mo = rec["momentum"]
        vel = mo.state["velocity"][:, 0]
        ux = ax.c2p(1.0, 0.0)[0] - ax.c2p(0.0, 0.0)[0]  # scene units per unit of θ
        magnify = 2.0  # the arrow is 2× the step it will take: v is θ moved per step

        def velocity_arrow():
            s = t.get_value()
            x = float(np.interp(s, mo.steps, mo.thetas[:, 0]))
            v = float(np.interp(s, mo.steps, vel))
            p = ax.c2p(x, height(x)) + 0.55 * mn.UP
            if abs(v) * ux * magnify < 0.06:
                return mn.VMobject()
            return mn.Arrow(p, p + magnify * v * ux * mn.RIGHT, buff=0, color=color("optimizer", "momentum"),
                            stroke_width=5, max_tip_length_to_length_ratio=0.35)

        arrow = mn.always_redraw(velocity_arrow) if "momentum" in self.runs else mn.VMobject()
        self.note, self.balls, self.legend, self.arrow = note, balls, leg, arrow
        self.add(*balls, arrow, leg, counter, note)
        warp = wells_warp(rec, list(self.runs), self.run_time)
        t.set_value(warp.first_step)
        self.play(warp.animate(t))
        for m in balls:
            m.clear_updaters()
        self.remove(arrow)
        finals = []
        for name, ball in zip(self.runs, balls):
            run = rec[name]
            x = float(run.final_theta[0])
            finals.append(text(f"{self.names[name]}: θ = {x:.2f}\n  J = {height(x):.2f}, {run.meta['well']} well",
                               size=22, color=ball.get_color(), line_spacing=0.6))
        mn.VGroup(*finals).arrange(mn.DOWN, aligned_edge=mn.LEFT).next_to(counter, mn.DOWN, aligned_edge=mn.LEFT,
                                                                           buff=0.4)
        self.play(*[mn.FadeIn(f) for f in finals])
        self.pause("wells-end")
        if self.show_restarts:
            self.restarts(rec, ax, height, finals)
        self.wait(1.5)

    def restarts(self, rec, ax, height, previous):
        keys = restart_keys(rec)
        t = mn.ValueTracker(0.0)
        found, stuck = color("outcome", "found"), color("outcome", "stuck")
        dots, rings = [], []
        for k in keys:
            run = rec[k]
            pos = lambda run=run: float(np.interp(t.get_value(), run.steps, run.thetas[:, 0]))
            c = found if run.meta["well"] == "deep" else stuck
            # on the curve itself: the dot's height is the loss it has
            d = mn.Dot(radius=0.09, color=c, stroke_color=color(theme.BACKGROUND), stroke_width=1.5).add_updater(
                lambda m, pos=pos: m.move_to(ax.c2p(pos(), height(pos()))))
            d.set_z_index(3)
            dots.append(d)
            x0 = float(run.thetas[0, 0])
            rings.append(mn.Circle(radius=0.11, color=c, stroke_width=3).move_to(ax.c2p(x0, height(x0))))
        wells = {w: [k for k in keys if rec[k].meta["well"] == w] for w in ("deep", "shallow")}
        n_deep = len(wells["deep"])
        caption = text(f"{len(keys)} random restarts of plain GD: {n_deep} of {len(keys)} end in the deep well;"
                       " keep the best", size=24).to_edge(mn.DOWN, buff=0.25)
        key = mn.VGroup(label("rings: the random starts", size=20), label("dots: each run, riding the curve", size=20))
        key.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1).move_to(previous[0], aligned_edge=mn.UL)
        new_title = heading("Random restarts: another way out of a local minimum", size=30)
        self.play(mn.FadeOut(mn.VGroup(*previous, *self.balls, self.note)), *[mn.FadeIn(d) for d in dots],
                  mn.Transform(self.title, new_title),
                  *[mn.FadeIn(r) for r in rings], mn.FadeIn(caption), mn.FadeIn(key),
                  mn.Transform(self.legend, Legend({"ends in the deep well": found, "stuck in the shallow well": stuck},
                                                   kind="dot", font_size=22).move_to(self.legend, aligned_edge=mn.LEFT)))
        warp = wells_warp(rec, keys, self.run_time * 0.6)
        t.set_value(warp.first_step)
        self.play(warp.animate(t))
        for d in dots:
            d.clear_updaters()
        # how many runs ended in each well, written under it (the dots overlap there)
        counts = []
        for w, word in (("deep", "global minimum"), ("shallow", "local minimum")):
            counts.append(text(f"{len(wells[w])} runs ended here", size=20, color=found if w == "deep" else stuck)
                          .next_to(self.words[word], mn.RIGHT if w == "deep" else mn.DOWN, buff=0.12))
        self.play(*[mn.FadeIn(c) for c in counts])
        self.pause("restarts-end")


class DescentWellsRestarts(DescentWells):
    show_restarts = True
