"""Momentum and local minima: plain GD settles in the shallow well, momentum rolls on
into the deeper one; a variant adds seeded random restarts of plain GD.

    manim -ql scenes/descent_wells.py DescentWells
    manim -ql scenes/descent_wells.py DescentWellsRestarts
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.plots import LabelledAxes, Legend
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.widgets import StepCounter


class DescentWells(ThemedScene):
    experiment = "descent_wells"
    runs = {"gd": "gd", "momentum": "momentum"}  # record → optimizer colour
    names = {"gd": "plain GD", "momentum": "momentum"}
    show_restarts = False
    run_time = 8.0

    def construct(self):
        rec = experiments.load(self.experiment)
        cfg = experiments.get(self.experiment).config
        curve = rec["curve"]
        xs, fs = curve.xs, curve.loss[0]
        ax = LabelledAxes((xs[0], xs[-1]), (fs.min() - 0.7, fs.max() + 0.1), "θ", "loss J(θ)",
                          width=8.0, height=4.8).to_edge(mn.LEFT, buff=0.6).shift(0.1 * mn.DOWN)
        line = mn.VMobject(stroke_color=color(theme.FOREGROUND), stroke_width=4)
        line.set_points_as_corners(ax.to_scene(np.c_[xs, fs]))
        title = heading("Momentum can roll out of a local minimum", size=34)
        self.add(title, ax, line)
        deep, shallow = (m[0] for m in curve.meta["minima"])
        for x, word in ((deep, "global minimum"), (shallow, "local minimum")):
            y = float(np.interp(x, xs, fs))
            self.add(label(word).next_to(ax.c2p(x, y), mn.DOWN, buff=0.35))

        height = lambda x: float(np.interp(x, xs, fs))  # the ball rides the drawn curve
        t = mn.ValueTracker(0.0)
        balls, legend = [], {}
        for k, (name, opt) in enumerate(self.runs.items()):
            run = rec[name]
            c = color("optimizer", opt)
            pos = lambda run=run: float(np.interp(t.get_value(), run.steps, run.thetas[:, 0]))
            ball = mn.Dot(radius=0.13, color=c).add_updater(
                lambda m, pos=pos, k=k: m.move_to(ax.c2p(pos(), height(pos())) + (0.13 + 0.02 * k) * mn.UP))
            balls.append(ball)
            hyper = f"η={cfg['lr']}" + (f", β={cfg['beta']}" if name == "momentum" else "")
            legend[f"{self.names[name]} ({hyper})"] = c
        leg = Legend(legend, kind="dot").to_corner(mn.UR, buff=0.5).shift(0.8 * mn.DOWN)
        counter = StepCounter(t, total=cfg["steps"], size=24).next_to(leg, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        note = label(f"same start θ₀ = {cfg['start']}, same η, same {cfg['steps']} steps", size=20) \
            .to_edge(mn.DOWN, buff=0.15)
        self.note, self.balls, self.legend = note, balls, leg
        self.add(*balls, leg, counter, note)
        self.play(t.animate.set_value(cfg["steps"]), run_time=self.run_time, rate_func=self.step_rate)
        for m in balls:
            m.clear_updaters()
        finals = []
        for name, ball in zip(self.runs, balls):
            x = float(rec[name].final_theta[0])
            where = "deep well" if abs(x - deep) < abs(x - shallow) else "shallow well"
            finals.append(text(f"{self.names[name]}: θ = {x:.2f}\n  J = {height(x):.2f}, {where}", size=22,
                               color=ball.get_color(), line_spacing=0.6))
        mn.VGroup(*finals).arrange(mn.DOWN, aligned_edge=mn.LEFT).next_to(counter, mn.DOWN, aligned_edge=mn.LEFT,
                                                                           buff=0.4)
        self.play(*[mn.FadeIn(f) for f in finals])
        if self.show_restarts:
            self.restarts(rec, ax, height, deep, shallow, finals)
        self.wait(1.5)

    @staticmethod
    def step_rate(a):
        """Slow at first so the early, large steps are visible; linear in steps otherwise."""
        return a ** 1.6

    def restarts(self, rec, ax, height, deep, shallow, previous):
        keys = sorted((k for k in rec if k.startswith("restart")), key=lambda k: int(k[7:]))
        t = mn.ValueTracker(0.0)
        dots = []
        found = color("outcome", "found")
        stuck = color("outcome", "stuck")
        rings, stacked = [], {True: 0, False: 0}
        for k in keys:
            run = rec[k]
            pos = lambda run=run: float(np.interp(t.get_value(), run.steps, run.thetas[:, 0]))
            end = float(run.final_theta[0])
            in_deep = abs(end - deep) < abs(end - shallow)
            c = found if in_deep else stuck
            lift = 0.1 + 0.2 * stacked[in_deep]  # balls that end in one well stack up, so they can be counted
            stacked[in_deep] += 1
            d = mn.Dot(radius=0.09, color=c).add_updater(
                lambda m, pos=pos, lift=lift: m.move_to(ax.c2p(pos(), height(pos())) + lift * mn.UP))
            dots.append(d)
            x0 = float(run.thetas[0, 0])
            rings.append(mn.Circle(radius=0.1, color=c, stroke_width=3).move_to(ax.c2p(x0, height(x0))))
        n_deep = sum(abs(float(rec[k].final_theta[0]) - deep) < abs(float(rec[k].final_theta[0]) - shallow)
                     for k in keys)
        caption = text(f"random restarts of plain GD: {n_deep} of {len(keys)} reach the deep well;"
                       " keep the best", size=24).to_edge(mn.DOWN, buff=0.25)
        key = mn.VGroup(label("rings: the random starts", size=18),  # the rings were unexplained
                        label("dots: where each run ends", size=18))
        key.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1).move_to(previous[0], aligned_edge=mn.UL)
        self.play(mn.FadeOut(mn.VGroup(*previous, *self.balls, self.note)), *[mn.FadeIn(d) for d in dots],
                  *[mn.FadeIn(r) for r in rings], mn.FadeIn(caption), mn.FadeIn(key),
                  mn.Transform(self.legend, Legend({"ends in the deep well": found, "stuck in the shallow well": stuck},
                                                   kind="dot").move_to(self.legend, aligned_edge=mn.LEFT)))
        steps = int(max(rec[k].steps[-1] for k in keys))
        self.play(t.animate.set_value(steps), run_time=self.run_time * 0.6, rate_func=self.step_rate)
        for d in dots:
            d.clear_updaters()


class DescentWellsRestarts(DescentWells):
    show_restarts = True
