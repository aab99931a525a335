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
from nnviz.render.widgets import DescentPath, Readout

RESTART = "restart"


def restart_keys(rec) -> list[str]:
    return sorted((k for k in rec if k.startswith(RESTART)), key=lambda k: int(k[len(RESTART):]))


def settled_step(rec, names, tol: float = 0.01) -> int:
    """The last step at which any of the runs is still more than `tol` (in θ) from where it ends:
    after it nothing visible changes, so the animation stops there."""
    last = 1
    for n in names:
        th = rec[n].thetas[:, 0]
        moving = np.flatnonzero(np.abs(th - th[-1]) > tol)
        if moving.size:
            last = max(last, int(rec[n].steps[min(moving[-1] + 1, len(th) - 1)]))
    return last


def wells_warp(rec, names, run_time: float) -> TimeWarp:
    """Time follows the distance the balls travel along θ (each run's share of its own travel), and
    stops once nothing visible moves (`settled_step`)."""
    prog = combine([path_progress(rec[n].thetas[:, :1], rec[n].steps) for n in names])
    return TimeWarp.from_progress(prog, run_time, last_step=settled_step(rec, names))


def barrier(curve) -> float:
    """θ of the hump between the two minima (from the recorded curve): plain GD with a small step
    started left of it ends in the left well, right of it in the right well."""
    xs, fs = curve.xs, curve.loss[0]
    lo, hi = sorted(m[0] for m in curve.meta["minima"])
    inside = (xs > lo) & (xs < hi)
    return float(xs[inside][np.argmax(fs[inside])])


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
                          width=6.4, height=4.6, font_size=24, n_ticks=4).to_edge(mn.LEFT, buff=0.6).shift(0.2 * mn.DOWN)
        line = mn.VMobject(stroke_color=color(theme.FOREGROUND), stroke_width=4)
        line.set_points_as_corners(ax.to_scene(np.c_[xs, fs]))
        title = heading("Plain GD stops in the near well; momentum rolls on", size=30, buff=0.25)
        self.add(title, ax, line)
        self.title = title
        deep, shallow = (m[0] for m in curve.meta["minima"])
        self.words = {}
        for x, word in ((deep, "global minimum"), (shallow, "local minimum")):
            y = float(np.interp(x, xs, fs))
            w = label(word, size=24).next_to(ax.c2p(x, y), mn.DOWN, buff=0.3)
            tick = mn.Line(ax.c2p(x, y) + 0.08 * mn.DOWN, ax.c2p(x, y) + 0.24 * mn.DOWN, color=color(theme.MUTED),
                           stroke_width=2)
            # keep the word right of the y axis and right of the hump (its left edge at the minimum's left)
            w.set_x(max(w.get_x(), ax.axes.get_left()[0] + 0.15 + w.width / 2,
                        (ax.c2p(x, y)[0] - 0.35 + w.width / 2) if word == "local minimum" else -np.inf))
            self.words[word] = w
            self.add(tick)
            self.add(self.words[word])
        # the hump between the wells, and the shared start
        xb = barrier(curve)
        (_, _), (y0, y1) = ax.bounds
        self.hump = mn.DashedLine(ax.c2p(xb, y0), ax.c2p(xb, y1), color=color(theme.FOREGROUND), stroke_width=2.5)
        self.hump_word = label(f"hump θ = {xb:.2f}", size=24, color=color(theme.FOREGROUND)).next_to(
            ax.c2p(xb, y1), mn.DR, buff=0.1)
        self.add(self.hump, self.hump_word)

        height = lambda x: float(np.interp(x, xs, fs))  # the ball rides the drawn curve
        t = mn.ValueTracker(0.0)
        balls, legend, trails = [], {}, []
        x0 = float(rec[next(iter(self.runs))].thetas[0, 0])
        start = mn.Circle(radius=0.2, color=color(theme.FOREGROUND), stroke_width=3).move_to(ax.c2p(x0, height(x0)))
        start_word = label("start", size=24, color=color(theme.FOREGROUND)).next_to(start, mn.LEFT, buff=0.12)
        self.add(start, start_word)
        self.start_marks = mn.VGroup(start, start_word)
        width = {"momentum": 5, "gd": 6}  # trails on the curve itself: plain GD on top (where both went)
        for k, (name, opt) in enumerate(self.runs.items()):
            run = rec[name]
            c = color("optimizer", opt)
            pos = lambda run=run: float(np.interp(t.get_value(), run.steps, run.thetas[:, 0]))
            r = 0.13 if name == "momentum" else 0.1  # plain GD smaller and on top: both seen at the start
            ball = mn.Dot(radius=r, color=c, stroke_color=color(theme.BACKGROUND), stroke_width=2).add_updater(
                lambda m, pos=pos: m.move_to(ax.c2p(pos(), height(pos()))))
            ball.set_z_index(4 if name == "gd" else 3)
            balls.append(ball)
            th = run.thetas[:, 0]
            dense = np.linspace(0, run.n_steps, 8 * run.n_steps + 1)  # the trail follows the curve between steps
            xd = np.interp(dense, run.steps, th)
            yd = np.interp(xd, xs, fs)
            trail = DescentPath(np.c_[xd, yd], ax, steps=dense, color=c, tracker=t, stroke_width=width.get(name, 4),
                                head=False, start_marker=False)
            trails.append(trail.set_z_index(2 if name == "gd" else 1))
            opt_cfg = run.config["optimizer"]
            hyper = f"η={run.lr[0]:g}" + (f", β={opt_cfg['beta']:g}" if "beta" in opt_cfg else "")
            legend[f"{self.names[name]} ({hyper})"] = c
        leg = Legend(legend, kind="dot", font_size=24).next_to(title, mn.DOWN, buff=0.35).to_edge(mn.RIGHT, buff=0.4)
        steps = max(rec[n].n_steps for n in self.runs)
        # the step nearest to where the balls are drawn (they glide between recorded steps)
        counter = Readout(t, lambda x: f"step {int(round(x))} / {steps}", size=24).next_to(
            leg, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        mo_cfg = rec["momentum"].config["optimizer"]
        eff = rec["momentum"].learning_rate / (1 - mo_cfg["beta"])
        note = mn.VGroup(text(f"same start θ₀ = {x0:g}, same η", size=24),
                         text("arrow: momentum's velocity", size=24),
                         text("v ← βv − η∇J,  θ ← θ + v", size=24),
                         text("GD stops where ∇J = 0: the", size=24),
                         text("bottom of the near well.", size=24),
                         text("Momentum gets there fast", size=24),
                         text("and coasts up over the hump", size=24),
                         text("(on a slope v builds up to", size=24),
                         text(f"η/(1−β) = {eff:.2g} × the slope)", size=24))
        note.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08).next_to(counter, mn.DOWN, buff=0.3, aligned_edge=mn.LEFT)
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
        self.note, self.balls, self.legend, self.arrow, self.counter = note, balls, leg, arrow, counter
        self.add(*trails, *balls, arrow, leg, counter, note)
        self.trails = trails
        warp = wells_warp(rec, list(self.runs), self.run_time)
        t.set_value(warp.first_step)
        for m in balls:  # the first frame shows step 0: both balls at the start
            m.update()
        self.wait(0.5)
        self.play(warp.animate(t))
        for m in balls:
            m.clear_updaters()
        self.remove(arrow)
        settled = int(warp.last_step)
        finals = [text(f"nothing moves after step {settled}", size=24)]
        for name, ball in zip(self.runs, balls):
            run = rec[name]
            x = float(run.final_theta[0])
            finals.append(text(f"{self.names[name]}: {run.meta['well']} well", size=24, color=ball.get_color()))
        mn.VGroup(*finals).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12).next_to(note, mn.DOWN,
                                                                                     aligned_edge=mn.LEFT, buff=0.3)
        self.play(*[mn.FadeIn(f) for f in finals])
        self.pause("wells-end")
        if self.show_restarts:
            self.restarts(rec, ax, height, finals)
        self.wait(1.5)

    def restarts(self, rec, ax, height, previous):
        keys = restart_keys(rec)
        t = mn.ValueTracker(0.0)
        gd = color("optimizer", "gd")  # every restart is plain GD: its colour
        dots, rings, trails = [], [], []
        for k in keys:
            run = rec[k]
            pos = lambda run=run: float(np.interp(t.get_value(), run.steps, run.thetas[:, 0]))
            # on the curve itself: the dot's height is the loss it has
            d = mn.Dot(radius=0.1, color=gd, stroke_color=color(theme.BACKGROUND), stroke_width=1.5).add_updater(
                lambda m, pos=pos: m.move_to(ax.c2p(pos(), height(pos()))))
            d.set_z_index(3)
            dots.append(d)
            x0 = float(run.thetas[0, 0])
            rings.append(mn.Circle(radius=0.14, color=color(theme.FOREGROUND), stroke_width=2.5)
                         .move_to(ax.c2p(x0, height(x0))))
            dense = np.linspace(0, run.n_steps, 4 * run.n_steps + 1)
            xd = np.interp(dense, run.steps, run.thetas[:, 0])
            trails.append(DescentPath(np.c_[xd, np.interp(xd, rec["curve"].xs, rec["curve"].loss[0])], ax,
                                      steps=dense, color=gd, tracker=t, stroke_width=5, head=False,
                                      start_marker=False).set_stroke(opacity=0.55))
        wells = {w: [k for k in keys if rec[k].meta["well"] == w] for w in ("deep", "shallow")}
        n_deep = len(wells["deep"])
        new_title = heading("Random restarts of plain GD: the start picks the well", size=30, buff=0.25)
        caption = mn.VGroup(
            text(f"{len(keys)} random starts (rings),", size=24),
            text("all plain GD. GD only goes", size=24),
            text("downhill, so each ends in the", size=24),
            text("well on its side of the hump.", size=24))
        caption.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08)
        caption.move_to(self.legend, aligned_edge=mn.UL)
        # the old texts leave first, then the new ones come (never two texts fading at one place)
        self.play(mn.FadeOut(mn.VGroup(*previous, *self.balls, *self.trails, self.note, self.legend, self.counter,
                                       self.title, self.start_marks)), run_time=0.6)
        self.play(mn.FadeIn(new_title), mn.FadeIn(caption),
                  *[mn.FadeIn(r) for r in rings], *[mn.FadeIn(d) for d in dots], run_time=0.8)
        self.add(*trails)
        self.wait(0.5)
        warp = wells_warp(rec, keys, self.run_time * 0.6)
        t.set_value(warp.first_step)
        self.play(warp.animate(t))
        for d in dots:
            d.clear_updaters()
        # the outcome: how many ended in each well (their dots coincide there), and the run we keep
        finals = {k: float(np.interp(rec[k].final_theta[0], rec["curve"].xs, rec["curve"].loss[0])) for k in keys}
        badges = mn.VGroup()
        for w in ("deep", "shallow"):
            if wells[w]:
                x = float(np.mean([rec[k].final_theta[0] for k in wells[w]]))
                badges.add(text(f"×{len(wells[w])}", size=24, color=gd).next_to(ax.c2p(x, height(x)), mn.UP, buff=0.4))
        best = min(keys, key=finals.get)
        xb_ = float(rec[best].final_theta[0])
        verdict = mn.VGroup(text(f"{n_deep} of {len(keys)} reach the deep well;", size=24),
                            text(f"keep the best: J = {finals[best]:.2f}", size=24))
        verdict.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08).next_to(caption, mn.DOWN, buff=0.35,
                                                                            aligned_edge=mn.LEFT)
        self.play(mn.FadeIn(badges), mn.FadeIn(verdict))
        self.pause("restarts-end")


class DescentWellsRestarts(DescentWells):
    show_restarts = True
