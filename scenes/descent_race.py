"""Optimizer race: GD, momentum, Nesterov, AdaGrad, RMSprop and Adam from the same start for the
same number of steps, on Rosenbrock, Beale and a saddle, each at the learning rate the fair protocol
chose for it (`nnviz.tuning`: one shared η grid, best stable final loss). Contour view with fading
trails, start and minimum on top, exit markers, a paced step counter and, at the end, the recorded
ranking with its robustness verdict; variants show the update rules, the tuning curves, or a 3-D view.

    manim -ql scenes/descent_race.py DescentRace            # Rosenbrock
    manim -ql scenes/descent_race.py DescentRaceBeale
    manim -ql scenes/descent_race.py DescentRaceSaddle
    manim -ql scenes/descent_race.py DescentRaceRules       # + update rules
    manim -ql scenes/descent_race.py DescentRaceTuning      # final loss vs η per optimizer (log-log)
    manim -ql scenes/descent_race.py DescentRace3D          # surface view with a camera move
"""
import manim as mn
import numpy as np

from nnviz import experiments, optim, theme
from nnviz.experiments.descent import RACE_ORDER, race_verdict
from nnviz.render.pacing import TimeWarp, combine, path_progress
from nnviz.render.plots import LabelledAxes, Legend
from nnviz.render.style import ThemedScene, ThemedThreeDScene, color, heading, label, text
from nnviz.render.surface import ContourMap, box_axes, height_map
from nnviz.render.surface3d import SurfaceMesh, marker, outline
from nnviz.render.widgets import DescentPath, StepCounter

NAMES = {"gd": "GD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
         "rmsprop": "RMSprop", "adam": "Adam"}
SYMBOL = {"lr": "η", "beta": "β", "decay": "ρ", "beta1": "β₁", "beta2": "β₂"}
RULE_OF = {"gd": "sgd"}  # GD's update rule is optim.sgd's, on the whole objective


def hyper_text(h: dict) -> str:
    # η to two digits (a grid value); the fixed ones exactly (β₂ = 0.999 must not read "1")
    return ", ".join(f"{SYMBOL[k]}={v:.2g}" if k == "lr" else f"{SYMBOL[k]}={v:g}" for k, v in h.items() if k in SYMBOL)


def race_records(surface: str, optimizers=RACE_ORDER):
    rec = experiments.load("descent_race")
    return rec[f"{surface}__surface"], {o: rec[f"{surface}__{o}"] for o in optimizers}


def tuning_record(surface: str):
    return experiments.load("descent_race")[f"{surface}__tuning"]


def protocol(surf, runs, tuning=None) -> str:
    start = ", ".join(f"{v:g}" for v in surf.meta["start"])
    if tuning is None:
        return f"same start ({start}), same {surf.meta['steps']} steps for all"
    c = tuning.config
    return (f"same start ({start}), same {surf.meta['steps']} steps; each η tuned on one shared grid "
            f"{sci(tuning.lrs[0])}…{sci(tuning.lrs[-1])} ({c['per_decade']}/decade): best stable final loss")


def sci(x: float) -> str:
    """1e-05 → 1e-5, 1 → 1."""
    return f"{x:g}" if 1e-3 <= x <= 1e3 else f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e")


def ranking_text(surf, runs, size=20) -> mn.VGroup:
    """The stated ranking: the experiment's ranking of recorded final losses (f − f*), best first;
    tied optimizers share a place."""
    rows = [text("final loss f − f*, best first:", size=size)]
    for place, names in enumerate(surf.meta["ranking"], start=1):
        for n in names:
            rows.append(text(f"{place}. {NAMES[n]}  {runs[n].meta['final_loss']:.2g}", size=size,
                             color=color("optimizer", n)))
    return mn.VGroup(*rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1)


def wrap_rule(rule: str, width: int = 34) -> str:
    """One clause per line once a rule is too long for the side panel."""
    return rule if len(rule) <= width else rule.replace(",  ", "\n      ")


def wrap_words(s: str, width: int) -> str:
    lines, cur = [], ""
    for w in s.split():
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return "\n".join(lines + [cur])


def race_warp(surf, runs, run_time: float) -> TimeWarp:
    """The race's step-at-time mapping: time follows the drawn path length of all runs together
    (each run's share of its own length, until it leaves the view)."""
    bounds = [surf.xs[[0, -1]], surf.ys[[0, -1]]]
    scale = [np.ptp(surf.xs), np.ptp(surf.ys)]
    prog = combine([path_progress(r.thetas, r.steps, bounds, scale) for r in runs.values()])
    return TimeWarp.from_progress(prog, run_time, last_step=surf.meta["steps"])


def start_and_minima(ax, surf, size=0.12):
    """Start ring and minimum stars, outlined, above every path."""
    g = mn.VGroup()
    for m in surf.meta["minima"]:
        g.add(mn.Star(n=5, outer_radius=size * 1.2, color=color(theme.FOREGROUND), fill_opacity=1,
                      stroke_color=color(theme.BACKGROUND), stroke_width=2).move_to(ax.c2p(*m)))
    st = ax.c2p(*surf.meta["start"])
    g.add(mn.Circle(radius=size * 1.1, stroke_color=color(theme.BACKGROUND), stroke_width=6).move_to(st),
          mn.Circle(radius=size * 1.1, stroke_color=color(theme.FOREGROUND), stroke_width=3).move_to(st))
    g.set_z_index(5)
    return g


class DescentRace(ThemedScene):
    surface = "rosenbrock"
    optimizers = RACE_ORDER
    show_rules = False
    run_time = 10.0
    fade = 0.15  # share of the steps a trail stays bright

    def construct(self):
        surf, runs = race_records(self.surface, self.optimizers)
        tuning = tuning_record(self.surface)
        steps = surf.meta["steps"]
        title = heading(f"Optimizer race on {self.surface.capitalize()}, each at its tuned η", size=30, buff=0.25)
        formula = label(surf.meta.get("formula", ""), size=20).next_to(title, mn.DOWN, buff=0.1)
        ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], "x", "y", width=6.0, height=5.0, n_ticks=4,
                          font_size=18, frame="box")
        maps = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=16, log=bool(surf.meta.get("log_scale")))
        panel = mn.VGroup(ax, maps).to_edge(mn.LEFT, buff=0.5).shift(0.15 * mn.DOWN)
        t = mn.ValueTracker(0.0)
        trails = [DescentPath(runs[o].thetas, ax, steps=runs[o].steps, color=color("optimizer", o), tracker=t,
                              diverged_at=runs[o].diverged_at, stroke_width=3.5, start_marker=False,
                              fade=self.fade * steps, fade_floor=0.3, head_radius=0.08,
                              outline=theme.BACKGROUND,
                              marker_text="diverges" if runs[o].diverged else "leaves the view")
                  for o in self.optimizers]
        for tr in trails:
            if tr.trace.head is not None:
                tr.trace.head.set_z_index(4)
        marks = start_and_minima(ax, surf)
        legend = Legend([(f"{NAMES[o]}  ({hyper_text(runs[o].meta['hyper'])})", color("optimizer", o))
                         for o in self.optimizers], font_size=20)
        counter = StepCounter(t, total=steps, size=24)
        side = mn.VGroup(counter, legend).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        side.next_to(panel, mn.RIGHT, buff=0.6).align_to(panel, mn.UP)
        cap = label(wrap_words(protocol(surf, runs, tuning), 90), size=18).to_edge(mn.DOWN, buff=0.12)
        # static first: manim draws everything before the first moving mobject once, as a still image
        self.add(title, formula, panel, legend, cap, *trails, marks, counter)
        warp = race_warp(surf, runs, self.run_time)
        t.set_value(warp.first_step)
        self.wait(0.5)
        self.play(warp.animate(t))
        self.pause("race-end")
        ranking = ranking_text(surf, runs, size=19)
        verdict = text(wrap_words(race_verdict(tuning.meta, NAMES.get), 36), size=19,
                       color=color(theme.FOREGROUND), line_spacing=0.8)
        end = mn.VGroup(ranking, verdict).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.2)
        end.next_to(counter, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        self.play(mn.FadeOut(legend), mn.FadeIn(end))
        self.wait(1.5)
        if self.show_rules:
            rules = mn.VGroup(text("update rules (g = ∇J):", size=20), *[
                text(f"{NAMES[o]}:  " + wrap_rule(optim.make(RULE_OF.get(o, o)).rule.replace("∇J", "g")), size=17,
                     color=color("optimizer", o), line_spacing=0.8)
                for o in self.optimizers]).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.14)
            rules.next_to(panel, mn.RIGHT, buff=0.5).align_to(panel, mn.UP)
            self.play(mn.FadeOut(mn.VGroup(end, counter)), mn.FadeIn(rules))
            self.wait(2.0)


class DescentRaceBeale(DescentRace):
    surface = "beale"


class DescentRaceSaddle(DescentRace):
    surface = "saddle"


class DescentRaceRules(DescentRace):
    show_rules = True


FLOOR = 1e-16  # final losses below this (round-off at the minimum) are drawn on the floor


def tuning_warp(tuning, run_time: float) -> TimeWarp:
    """The tuning scene sweeps η left to right: one grid point per equal slice of time."""
    n = len(tuning.lrs)
    return TimeWarp(np.linspace(0.0, run_time, n), np.arange(n, dtype=float))


class DescentRaceTuning(ThemedScene):
    """Final loss against η (log-log), one curve per optimizer over its stable rates, the chosen η
    ringed, the divergence edge crossed: why one optimizer is "easy to tune"."""

    surface = "rosenbrock"
    optimizers = RACE_ORDER
    run_time = 6.0

    def construct(self):
        tun = tuning_record(self.surface)
        lrs, F, S = tun.lrs, tun.final_loss, tun.stable.astype(bool)
        names = tun.meta["names"]
        title = heading(f"Tuning η fairly on {self.surface.capitalize()}: final loss vs learning rate",
                        size=28, buff=0.25)
        sub = label(f"every optimizer: same start, same {tun.config['steps']} steps, the same {len(lrs)} rates "
                    f"({tun.config['per_decade']} per decade)", size=20).next_to(title, mn.DOWN, buff=0.1)
        shown = F[S & np.isfinite(F)]
        top = 10 ** np.ceil(np.log10(max(shown.max(), 10.0)) + 0.5)
        floor = max(FLOOR, 10 ** np.floor(np.log10(max(shown.min(), FLOOR)) - 0.5))
        ax = LabelledAxes((lrs[0], lrs[-1]), (floor, top), "learning rate η", "final loss f − f*",
                          log_x=True, log_y=True, width=6.6, height=4.6, font_size=18, frame="box")
        ax.to_edge(mn.LEFT, buff=0.6).shift(0.35 * mn.DOWN)
        k = mn.ValueTracker(0.0)
        curves, edges, chosen = [], [], []
        for o in self.optimizers:
            i = names.index(o)
            c = color("optimizer", o)
            ys = np.maximum(np.where(S[i], F[i], np.nan), floor)
            last = int(np.flatnonzero(S[i]).max()) + 1 if S[i].any() else 1
            pts = np.column_stack([lrs, ys])[:last]
            # a curve over the stable rates only (an unstable rate inside the range is a gap)
            curves.append(DescentPath(pts, ax, steps=np.arange(last, dtype=float), color=c, tracker=k,
                                      stroke_width=3, head=False, start_marker=False))
            bad = np.flatnonzero(~S[i] & (np.arange(len(lrs)) > (np.flatnonzero(S[i]).max()
                                                                  if S[i].any() else -1)))
            if bad.size:  # the divergence edge: the first unstable rate above the stable ones
                j = int(bad[0])
                x = ax.c2p(lrs[j], top)
                cross = mn.VGroup(mn.Line(x + 0.1 * mn.UL, x + 0.1 * mn.DR), mn.Line(x + 0.1 * mn.UR, x + 0.1 * mn.DL))
                cross.set_stroke(c, width=4).shift(0.12 * (len(edges) % 3) * mn.DOWN)
                edges.append((j, cross))
            ci = int(tun.chosen[i])
            if ci >= 0:
                dot = mn.Dot(ax.c2p(lrs[ci], max(F[i, ci], floor)), radius=0.1, color=c,
                             stroke_color=color(theme.FOREGROUND), stroke_width=2.5).set_z_index(3)
                chosen.append(dot)
        head = text("chosen η*   ·   stable range of η", size=18, color=color(theme.MUTED))
        legend = Legend([(f"{NAMES[o]}  {tun.meta['chosen_lr'][o]:.2g}  ·  "
                          f"{S[names.index(o)].sum() / tun.config['per_decade']:.1f} decades", color("optimizer", o))
                         for o in self.optimizers], font_size=19)
        key = mn.VGroup(label("ringed dot: the chosen η", size=18),
                        label("(lowest final loss among stable runs)", size=18),
                        label("× at the top: first unstable η", size=18))
        key.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08)
        side = mn.VGroup(head, legend, key).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.25)
        side.next_to(ax, mn.RIGHT, buff=0.45).align_to(ax, mn.UP)
        self.add(title, sub, ax, *curves, side)
        warp = tuning_warp(tun, self.run_time)
        k.set_value(warp.first_step)
        for j, cross in edges:
            cross.add_updater(lambda m, j=j: m.set_opacity(1.0 if k.get_value() >= j else 0.0))
        self.add(*[c for _, c in edges])
        self.play(warp.animate(k))
        for _, cross in edges:
            cross.clear_updaters()
        width = {o: S[names.index(o)].sum() / tun.config["per_decade"] for o in self.optimizers}
        wide, narrow = max(width, key=width.get), min(width, key=width.get)
        verdict = text(wrap_words(f"Widest stable range: {NAMES[wide]} ({width[wide]:.1f} decades), narrowest: "
                                  f"{NAMES[narrow]} ({width[narrow]:.1f}). " + race_verdict(tun.meta, NAMES.get) + ".",
                                  34), size=20, line_spacing=0.8)
        verdict.next_to(side, mn.DOWN, aligned_edge=mn.LEFT, buff=0.35)
        self.play(*[mn.FadeIn(d, scale=1.5) for d in chosen], mn.FadeIn(verdict))
        self.pause("tuning-end")
        self.wait(1.5)


class DescentRace3D(ThemedThreeDScene):
    """The same race on the surface itself; path heights are the true loss f(θₜ). The surface is
    a muted `SurfaceMesh` (so every optimizer colour stands out; outlined paths, hills hide what
    lies behind them), steps longer than `jump` are drawn dashed (a jump, not a route), the minimum
    is starred, and the camera comes to rest looking into the valley."""

    surface = "rosenbrock"
    optimizers = RACE_ORDER
    resolution = 96   # faces per side, resampled from the record's grid
    log_floor = 1e-2  # of the loss range: keeps Rosenbrock's narrow valley from spiking between mesh nodes
    run_time = 8.0
    zoom = 0.95
    phi, theta = 42, -118          # camera start (degrees)
    end_phi, end_theta = 36, -80   # camera at rest: the valley, the paths and the minimum in view
    orbit_rate = 0.06
    offset = (-0.9, -0.35)         # the surface left of the legend
    jump = 1.0                     # scene units: longer steps are drawn dashed

    def construct(self):
        surf, runs = race_records(self.surface, self.optimizers)
        log = bool(surf.meta.get("log_scale"))
        hmap = height_map(surf.loss, log, self.log_floor)
        H = hmap(surf.loss)
        axes = box_axes(surf.xs[[0, -1]], surf.ys[[0, -1]], (H.min(), H.max()), 6.8, 6.8, 3.0)
        self.set_camera_orientation(phi=self.phi * mn.DEGREES, theta=self.theta * mn.DEGREES, zoom=self.zoom)
        self.camera.offset = self.offset
        mesh = SurfaceMesh(axes, surf.xs, surf.ys, H, resolution=self.resolution, colors=theme.SURFACE_RAMP_MUTED,
                           mesh_every=8, mesh_color=theme.MUTED, mesh_width=0.5, floor_levels=12, light=0.8)
        t = mn.ValueTracker(0.0)
        trails = []
        for o in self.optimizers:
            run = runs[o]
            z = hmap(run.train_loss)  # f(θₜ) at every step (an objective is evaluated each step)
            pts = np.column_stack([run.thetas[:, :2], z[:len(run.thetas)]])
            trail = DescentPath(pts, axes, steps=run.steps, color=color("optimizer", o), tracker=t,
                                diverged_at=run.diverged_at, stroke_width=4.5, start_marker=False,
                                head_radius=0.09, marker_text="leaves the box")
            outline(trail, 3.0)
            trail.pin_labels(self)
            trails.append(trail)
        mesh.occlude(*trails, jump=self.jump)
        stars = [marker(axes.c2p(x, y, float(hmap(np.array([surf.loss.min()]))[0])), radius=0.2)
                 for x, y in surf.meta["minima"]]
        mesh.occlude(*stars, lift=3.0)
        self.add_fixed_orientation_mobjects(*stars)
        start = ", ".join(f"{v:g}" for v in surf.meta["start"])
        title = heading(f"The same race on the {self.surface} surface", size=30, buff=0.25)
        what = mn.VGroup(label(hmap.words, size=20),
                         label(f"paths at the true loss f(θₜ) from ({start}); ★ minimum; dashed: one long jump",
                               size=20))
        what.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08).next_to(title, mn.DOWN, buff=0.12)
        legend = Legend([(NAMES[o], color("optimizer", o)) for o in self.optimizers], font_size=20)
        legend.to_edge(mn.RIGHT, buff=0.5).shift(0.3 * mn.UP)
        counter = StepCounter(t, total=surf.meta["steps"], size=24).next_to(legend, mn.UP, aligned_edge=mn.LEFT,
                                                                             buff=0.3)
        cap = label(wrap_words(protocol(surf, runs, tuning_record(self.surface)), 100), size=18)
        cap.to_edge(mn.DOWN, buff=0.15)
        self.add_fixed_in_frame_mobjects(title, what, legend, counter, cap)
        self.add(mesh, *trails, *stars)
        warp = race_warp(surf, runs, self.run_time)
        t.set_value(warp.first_step)
        self.begin_ambient_camera_rotation(rate=self.orbit_rate)
        self.play(warp.animate(t))
        self.stop_ambient_camera_rotation()
        self.pause("race-run")
        self.move_camera(phi=self.end_phi * mn.DEGREES, theta=self.end_theta * mn.DEGREES, run_time=2.5)
        self.wait(1.0)


class DescentRace3DSaddle(DescentRace3D):
    surface = "saddle"
    phi, theta = 48, -150
    end_phi, end_theta = 45, -125
    zoom = 0.8                # its four high corners otherwise reach into the title
    offset = (-0.9, -0.6)
