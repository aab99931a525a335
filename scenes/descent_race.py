"""Optimizer race: SGD, momentum, Nesterov, AdaGrad, RMSprop and Adam from the same start
for the same number of steps, on Rosenbrock, Beale and a saddle. Contour view with coloured
trails, a legend with each optimizer's hyperparameters, a step counter and, at the end, the
ranking by recorded final loss; variants show the update rules or a 3-D view.

    manim -ql scenes/descent_race.py DescentRace            # Rosenbrock
    manim -ql scenes/descent_race.py DescentRaceBeale
    manim -ql scenes/descent_race.py DescentRaceSaddle
    manim -ql scenes/descent_race.py DescentRaceRules       # + update rules
    manim -ql scenes/descent_race.py DescentRace3D          # surface view with a camera move
"""
import manim as mn
import numpy as np

from nnviz import experiments, optim, theme
from nnviz.experiments.descent import RACE_ORDER
from nnviz.render.plots import LabelledAxes, Legend
from nnviz.render.style import ThemedScene, ThemedThreeDScene, color, heading, label, text
from nnviz.render.surface import ContourMap, LossSurface, box_axes, height_map
from nnviz.render.widgets import DescentPath, StepCounter

NAMES = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
         "rmsprop": "RMSprop", "adam": "Adam"}
SYMBOL = {"lr": "η", "beta": "β", "decay": "ρ", "beta1": "β₁", "beta2": "β₂"}


def hyper_text(h: dict) -> str:
    return ", ".join(f"{SYMBOL[k]}={v:g}" for k, v in h.items() if k in SYMBOL)


def race_records(surface: str, optimizers=RACE_ORDER):
    rec = experiments.load("descent_race")
    return rec[f"{surface}__surface"], {o: rec[f"{surface}__{o}"] for o in optimizers}


def protocol(surf, runs) -> str:
    start = ", ".join(f"{v:g}" for v in surf.meta["start"])
    return (f"protocol: same start ({start}), same {surf.meta['steps']} steps for all; "
            "learning rates per optimizer as listed")


def ranking_text(surf, runs, size=20) -> mn.VGroup:
    """The stated ranking: the experiment's ranking of recorded final losses, best first."""
    rows = [text("final loss, best first:", size=size)]
    for place, names in enumerate(surf.meta["ranking"], start=1):
        for n in names:
            rows.append(text(f"{place}. {NAMES[n]}  {runs[n].meta['final_loss']:.3g}", size=size,
                             color=color("optimizer", n)))
    return mn.VGroup(*rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)


def wrap_rule(rule: str, width: int = 34) -> str:
    """One clause per line once a rule is too long for the side panel."""
    return rule if len(rule) <= width else rule.replace(",  ", "\n      ")


class DescentRace(ThemedScene):
    surface = "rosenbrock"
    optimizers = RACE_ORDER
    show_rules = False
    run_time = 10.0

    def construct(self):
        surf, runs = race_records(self.surface, self.optimizers)
        steps = surf.meta["steps"]
        title = heading(f"Optimizer race on {self.surface.capitalize()}", size=32, buff=0.25)
        formula = label(surf.meta.get("formula", ""), size=22).next_to(title, mn.DOWN, buff=0.1)
        ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], "x", "y", width=6.2, height=5.4, n_ticks=4,
                          font_size=16, frame="box")
        maps = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=16, log=bool(surf.meta.get("log_scale")))
        panel = mn.VGroup(ax, maps).to_edge(mn.LEFT, buff=0.6).shift(0.1 * mn.DOWN)
        for m in surf.meta["minima"]:
            panel.add(mn.Star(n=5, outer_radius=0.12, color=color(theme.FOREGROUND), fill_opacity=1)
                      .move_to(ax.c2p(*m)))
        t = mn.ValueTracker(0.0)
        trails = [DescentPath(runs[o].thetas, ax, steps=runs[o].steps, color=color("optimizer", o), tracker=t,
                              diverged_at=runs[o].diverged_at, stroke_width=3) for o in self.optimizers]
        legend = Legend([(f"{NAMES[o]}  ({hyper_text(runs[o].meta['hyper'])})", color("optimizer", o))
                         for o in self.optimizers], font_size=20)
        counter = StepCounter(t, total=steps, size=26)
        side = mn.VGroup(counter, legend).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.35)
        side.next_to(panel, mn.RIGHT, buff=0.7).align_to(panel, mn.UP)
        cap = label(protocol(surf, runs), size=20).to_edge(mn.DOWN, buff=0.2)
        self.add(title, formula, panel, *trails, side, cap)
        self.wait(0.5)
        self.play(t.animate.set_value(steps), run_time=self.run_time, rate_func=mn.linear)
        ranking = ranking_text(surf, runs).next_to(legend, mn.DOWN, aligned_edge=mn.LEFT, buff=0.4)
        self.play(mn.FadeIn(ranking))
        self.wait(1.0)
        if self.show_rules:
            rules = mn.VGroup(text("update rules (g = ∇J):", size=20), *[
                text(f"{NAMES[o]}:  " + wrap_rule(optim.make(o).rule.replace("∇J", "g")), size=17,
                     color=color("optimizer", o), line_spacing=0.8)
                for o in self.optimizers]).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.14)
            rules.next_to(panel, mn.RIGHT, buff=0.5).align_to(panel, mn.UP)
            self.play(mn.FadeOut(mn.VGroup(legend, ranking, counter)), mn.FadeIn(rules))
            self.wait(2.0)


class DescentRaceBeale(DescentRace):
    surface = "beale"


class DescentRaceSaddle(DescentRace):
    surface = "saddle"


class DescentRaceRules(DescentRace):
    show_rules = True


class DescentRace3D(ThemedThreeDScene):
    """The same race on the surface itself; path heights are the true loss f(θₜ)."""

    surface = "rosenbrock"
    optimizers = RACE_ORDER
    resolution = 30
    log_floor = 1e-2  # of the loss range: keeps Rosenbrock's narrow valley from spiking between mesh nodes
    run_time = 8.0
    zoom = 0.72       # at 0.9 the final view's mesh ran into the subtitle and the protocol line

    def construct(self):
        surf, runs = race_records(self.surface, self.optimizers)
        log = bool(surf.meta.get("log_scale"))
        hmap = height_map(surf.loss, log, self.log_floor)
        H = hmap(surf.loss)
        axes = box_axes(surf.xs[[0, -1]], surf.ys[[0, -1]], (H.min(), H.max()), 6.0, 6.0, 3.0)
        self.set_camera_orientation(phi=58 * mn.DEGREES, theta=-60 * mn.DEGREES, zoom=self.zoom)
        mesh = LossSurface(axes, surf.xs, surf.ys, H, resolution=self.resolution, opacity=0.7)
        t = mn.ValueTracker(0.0)
        trails = []
        for o in self.optimizers:
            run = runs[o]
            z = hmap(run.train_loss)  # f(θₜ) at every step (an objective is evaluated each step)
            pts = np.column_stack([run.thetas[:, :2], z[:len(run.thetas)]])
            trails.append(DescentPath(pts, axes, steps=run.steps, color=color("optimizer", o), tracker=t,
                                      diverged_at=run.diverged_at, stroke_width=4, start_marker=False))
        title = heading(f"The same race on the {self.surface} surface", size=30, buff=0.25)
        what = label(f"height: {hmap.label}; paths drawn at the true loss f(θₜ)", size=20).next_to(title, mn.DOWN, buff=0.1)
        legend = Legend([(NAMES[o], color("optimizer", o)) for o in self.optimizers], font_size=20)
        legend.to_corner(mn.UR, buff=0.4).shift(0.9 * mn.DOWN)
        counter = StepCounter(t, total=surf.meta["steps"], size=24).next_to(legend, mn.DOWN, aligned_edge=mn.LEFT)
        cap = label(protocol(surf, runs), size=18).to_edge(mn.DOWN, buff=0.2)
        self.add_fixed_in_frame_mobjects(title, what, legend, counter, cap)
        self.add(mesh, *trails)
        self.play(t.animate.set_value(surf.meta["steps"]), run_time=self.run_time, rate_func=mn.linear)
        self.move_camera(phi=40 * mn.DEGREES, theta=30 * mn.DEGREES, run_time=3)
        self.wait(0.5)


class DescentRace3DSaddle(DescentRace3D):
    surface = "saddle"
