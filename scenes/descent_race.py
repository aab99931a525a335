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
from nnviz.experiments.descent import RACE_ORDER, power_of_ten, race_verdict, step_lengths, zigzag
from nnviz.tuning import ATOL
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
    grown = f" (grown from {sci(c['hi'])})" if tuning.meta.get("extended", {}).get("high") else ""
    return (f"same start ○ ({start}), same {surf.meta['steps']} steps; each η: best stable final loss on one "
            f"shared grid, {sci(tuning.lrs[0])}…{sci(tuning.lrs[-1])}{grown}, {c['per_decade']} per decade")


def verdict_text(tuning) -> str:
    """The robustness verdict in words, naming the winner's neighbouring rates."""
    m = tuning.meta
    w = m["winner"][0]
    return race_verdict(m, NAMES.get, tuning.lrs, int(tuning.chosen[m["names"].index(w)]))


def sci(x: float) -> str:
    """1e-05 → 1e-5, 1 → 1."""
    return f"{x:g}" if 1e-3 <= x <= 1e3 else f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e")


def loss_text(f: float) -> str:
    """A final loss as shown: values at round-off (below the tie rule's floor) read "< 10⁻¹²"."""
    return f"< {power_of_ten(ATOL)}" if f <= ATOL else f"{f:.2g}"


def ranking_text(surf, runs, size=24, cols=1) -> mn.VGroup:
    """The stated ranking: the experiment's ranking of recorded final losses (f − f*), best first;
    tied optimizers share a place. `cols=2`: two columns (best first down the left one)."""
    rows = []
    for place, names in enumerate(surf.meta["ranking"], start=1):
        for n in names:
            rows.append(text(f"{place}. {NAMES[n]} {loss_text(runs[n].meta['final_loss'])}", size=size,
                             color=color("optimizer", n)))
    body = mn.VGroup(*rows)
    if cols > 1:
        body.arrange_in_grid(rows=-(-len(rows) // cols), cols=cols, flow_order="dr", col_alignments="l" * cols,
                             buff=(0.35, 0.1))
    else:
        body.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1)
    return mn.VGroup(text("final loss f − f*, best first", size=size), body).arrange(
        mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)


def first_below(run, min_value: float, threshold: float):
    """The first step whose recorded loss is within `threshold` of the minimum (None if never)."""
    hit = np.flatnonzero(np.asarray(run.train_loss, float) - min_value < threshold)
    return int(run.steps[hit[0]]) if hit.size else None


def saddle_text(surf, runs, tuning, threshold=1e-6, width=36) -> str:
    """Why the tied runs got there at different speeds: how far the start is off the ridge, GD's
    measured growth factor off it, and each tied optimizer's first step within `threshold`."""
    y0 = float(surf.meta["start"][1])
    gd = runs["gd"].thetas[:, 1]
    grow = float(gd[1] / gd[0])
    tied = surf.meta["ranking"][0]
    first = {n: first_below(runs[n], tuning.meta["min_value"], threshold) for n in tied}
    order = sorted((n for n in tied if first[n] is not None), key=first.get)
    when = ", ".join(f"{NAMES[n]} {first[n]}" for n in order)
    return wrap_words(f"Who leaves the saddle first: the start is almost on the ridge (y = {y0:g}). "
                      f"AdaGrad, RMSprop and Adam divide by the gradient's size, so they step off at once; "
                      f"GD's y grows only ×{grow:.1f} per step. Within {power_of_ten(threshold)} of the "
                      f"minimum at step: {when}. Adam's momentum keeps it circling the minimum.", width)


def crawl_text(runs, names=("adagrad", "rmsprop"), width=36) -> str:
    """Why the adaptive methods end far behind on a narrow curved valley, in numbers from their
    runs: AdaGrad's steps shrink (its sum of g² only grows), RMSprop's zigzag across the valley."""
    ada, rms = runs[names[0]], runs[names[1]]
    a = step_lengths(ada.thetas)
    r = step_lengths(rms.thetas)
    half = len(r) // 2
    return wrap_words(f"Why AdaGrad and RMSprop crawl: each divides its step by the size of past gradients. "
                      f"AdaGrad sums all past g²: its steps shrink {a[0] / a[-1]:.0f}× ({a[0]:.2f} → {a[-1]:.3f}). "
                      f"RMSprop's stay near {r[half:].mean():.2f} but zigzag across the valley: "
                      f"{zigzag(rms.thetas):.0f}× more path than progress.", width)


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
    """Start ring, minimum stars and saddle crosses (labelled), outlined, above every path."""
    g = mn.VGroup()
    fg, bg = color(theme.FOREGROUND), color(theme.BACKGROUND)
    for m in surf.meta["minima"]:
        # a hollow star above the paths: an end dot on the minimum shows inside it, not under it
        for w, col in ((7, bg), (3, fg)):
            g.add(mn.Star(n=5, outer_radius=size * 1.6, fill_opacity=0, stroke_color=col,
                          stroke_width=w).move_to(ax.c2p(*m)))
    saddles = mn.VGroup()
    for p in surf.meta.get("saddles", []):
        c = ax.c2p(*p)
        for w, col in ((8, bg), (4, fg)):
            saddles.add(mn.VGroup(mn.Line(c + size * (mn.UL), c + size * mn.DR),
                                  mn.Line(c + size * mn.UR, c + size * mn.DL)).set_stroke(col, width=w))
        saddles.add(label("saddle", size=24, color=fg).next_to(c, mn.DR, buff=0.08))
    st = ax.c2p(*surf.meta["start"])
    g.add(mn.Circle(radius=size * 1.1, stroke_color=bg, stroke_width=6).move_to(st),
          mn.Circle(radius=size * 1.1, stroke_color=fg, stroke_width=3).move_to(st))
    g.set_z_index(5)
    g.saddle_marks = saddles  # drawn separately, under the paths
    return g


class DescentRace(ThemedScene):
    surface = "rosenbrock"
    optimizers = RACE_ORDER
    show_rules = False
    explain = "crawl"  # after the ranking: "crawl" (why AdaGrad and RMSprop end far behind), "saddle", None
    run_time = 10.0
    fade = 0.15  # share of the steps a trail stays bright
    ticks = 3    # tick labels per axis (about)

    def construct(self):
        surf, runs = race_records(self.surface, self.optimizers)
        tuning = tuning_record(self.surface)
        steps = surf.meta["steps"]
        title = heading(f"Optimizer race on {self.surface.capitalize()}, each at its tuned η", size=30, buff=0.2)
        formula = label(surf.meta.get("formula", ""), size=24).next_to(title, mn.DOWN, buff=0.08)
        ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], "x", "y", width=5.1, height=5.4, n_ticks=self.ticks,
                          font_size=24, frame="box")
        # "x" beside the last x tick, not under the ticks: the plot keeps that row's height
        below = [m for m in ax.tick_labels if m.get_top()[1] < ax.axes.get_bottom()[1]]
        ax.x_label.next_to(max(below, key=lambda m: m.get_x()), mn.RIGHT, buff=0.15)
        ax.y_label.rotate(-np.pi / 2)  # one upright letter reads better (and measures true) than a turned one
        maps = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=16, log=bool(surf.meta.get("log_scale")))
        panel = mn.VGroup(ax, maps).to_edge(mn.LEFT, buff=0.45).shift(0.05 * mn.UP)
        t = mn.ValueTracker(0.0)
        trails = [DescentPath(runs[o].thetas, ax, steps=runs[o].steps, color=color("optimizer", o), tracker=t,
                              diverged_at=runs[o].diverged_at, stroke_width=3.5, start_marker=False,
                              fade=self.fade * steps, fade_floor=0.3, head_radius=0.1,
                              outline=theme.BACKGROUND,
                              marker_text="diverges" if runs[o].diverged else "leaves the view")
                  for o in self.optimizers]
        for tr in trails:
            if tr.trace.head is not None:
                tr.trace.head.set_z_index(6)  # end dots above the ★: the winner is seen at the finish
        marks = start_and_minima(ax, surf)
        saddle = marks.saddle_marks
        saddle.set_z_index(-1)  # the saddle's × lies under the paths that cross it
        legend = Legend([(f"{NAMES[o]}  η = {runs[o].meta['hyper']['lr']:.2g}", color("optimizer", o))
                         for o in self.optimizers], font_size=24, buff=0.14)
        counter = StepCounter(t, total=steps, size=28, drawing=True)
        side = mn.VGroup(counter, legend).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        side.next_to(panel, mn.RIGHT, buff=0.4).align_to(panel, mn.UP)
        cap = label(wrap_words(protocol(surf, runs, tuning), 78), size=23).to_edge(mn.DOWN, buff=0.1)
        # static first: manim draws everything before the first moving mobject once, as a still image
        self.add(title, formula, panel, saddle, legend, cap, *trails, marks, counter)
        warp = race_warp(surf, runs, self.run_time)
        t.set_value(warp.first_step)
        self.wait(0.5)
        self.play(warp.animate(t))
        self.pause("race-end")
        ranking = ranking_text(surf, runs, size=24, cols=2)
        ranking.align_to(side, mn.UP).align_to(side, mn.LEFT)
        verdict = text(wrap_words(verdict_text(tuning), 35), size=24, color=color(theme.FOREGROUND),
                       line_spacing=0.8)
        verdict.next_to(ranking, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        # one text leaves before the next arrives: no frame with two texts on top of each other
        self.play(mn.FadeOut(legend), mn.FadeOut(counter), run_time=0.4)
        self.play(mn.FadeIn(ranking), mn.FadeIn(verdict))
        self.wait(3.0)
        if self.explain:
            self.pause("ranking")
            words = (crawl_text(runs, width=35) if self.explain == "crawl"
                     else saddle_text(surf, runs, tuning, width=35))
            why = text(words, size=24, color=color(theme.FOREGROUND), line_spacing=0.8)
            why.next_to(ranking, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
            self.play(mn.FadeOut(verdict), mn.FadeOut(cap), run_time=0.4)
            self.play(mn.FadeIn(why))
            self.wait(3.5)
            verdict = why
        if self.show_rules:
            self.pause("rules")
            fixed = {}
            for o in self.optimizers:  # the settings every run kept fixed (only η was tuned)
                fixed.update({k: v for k, v in runs[o].meta["hyper"].items() if k != "lr"})
            rules = mn.VGroup(text("update rules (g = ∇f)", size=26), *[
                text(f"{NAMES[o]}:  " + optim.make(RULE_OF.get(o, o)).rule.replace("∇J", "g"), size=24,
                     color=color("optimizer", o))
                for o in self.optimizers], label("kept fixed: " + ",  ".join(f"{SYMBOL[k]} = {v:g}" for k, v in fixed.items())
                                                 + ";  only η was tuned", size=24))
            rules.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.24)
            rules.move_to(0.2 * mn.DOWN)
            gone = [m for m in (panel, saddle, marks, *trails, ranking, verdict, cap) if m in self.mobjects]
            self.play(mn.FadeOut(mn.VGroup(*gone)), run_time=0.5)
            self.play(mn.FadeIn(rules))
            self.wait(3.0)


class DescentRaceBeale(DescentRace):
    surface = "beale"
    explain = None
    ticks = 5


class DescentRaceSaddle(DescentRace):
    surface = "saddle"
    explain = "saddle"


class DescentRaceRules(DescentRace):
    show_rules = True


FLOOR = 1e-16  # final losses below this (round-off at the minimum) are drawn on the floor


def at_edge(tuning, name: str) -> bool:
    """Is this optimizer's chosen η its last stable one (the next grid rate is unstable)?"""
    i = tuning.meta["names"].index(name)
    k = int(tuning.chosen[i])
    return 0 <= k < len(tuning.lrs) - 1 and not bool(tuning.stable[i, k + 1])


def edge_steps(tuning, name: str):
    """Grid steps from the chosen η up to the first unstable one (1: the next rate is unstable;
    None: no unstable rate above it on the grid)."""
    i = tuning.meta["names"].index(name)
    k = int(tuning.chosen[i])
    bad = np.flatnonzero(~tuning.stable[i].astype(bool) & (np.arange(len(tuning.lrs)) > k))
    return int(bad[0] - k) if bad.size else None


def edge_text(tuning, name: str) -> str:
    n = edge_steps(tuning, name)
    return "no × on the grid" if n is None else f"{n} step" + ("s" if n > 1 else "")


def stuck_above(tuning, names, factor: float = 100.0, flat: float = 3.0):
    """The optimizers no η rescues: every stable final loss over `factor` × the best chosen one and a
    flat curve (its stable final losses within a factor `flat` of each other); with a whole number
    they all stay above (None if there are none)."""
    S = tuning.stable.astype(bool)
    best = min(tuning.meta["chosen_final"].values())
    low, high = {}, {}
    for n in names:
        i = tuning.meta["names"].index(n)
        f = tuning.final_loss[i][S[i]]
        low[n], high[n] = (float(f.min()), float(f.max())) if f.size else (np.inf, np.inf)
    stuck = [n for n in names if np.isfinite(low[n]) and low[n] > factor * best and high[n] < flat * low[n]]
    if not stuck:
        return None
    return stuck, float(np.floor(min(low[n] for n in stuck)))


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
        title = heading(f"Tuning η fairly on {self.surface.capitalize()}: final loss vs η", size=30, buff=0.2)
        sub = label(f"each curve: final loss after {tun.config['steps']} steps at every η that stays stable",
                    size=24)
        sub.next_to(title, mn.DOWN, buff=0.08)
        shown = F[S & np.isfinite(F)]
        top = 10 ** np.ceil(np.log10(max(shown.max(), 10.0)) + 0.5)
        floor = max(FLOOR, 10 ** np.floor(np.log10(max(shown.min(), FLOOR)) - 0.5))
        ax = LabelledAxes((lrs[0], lrs[-1]), (floor, top), "learning rate η", "final loss f − f*",
                          log_x=True, log_y=True, width=5.8, height=4.5, font_size=24, frame="box")
        ax.to_edge(mn.LEFT, buff=0.4).shift(0.3 * mn.DOWN)
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
                                      stroke_width=3.5, head=False, start_marker=False))
            bad = np.flatnonzero(~S[i] & (np.arange(len(lrs)) > (np.flatnonzero(S[i]).max()
                                                                  if S[i].any() else -1)))
            if bad.size:  # the divergence edge: the first unstable rate above the stable ones; an unstable
                j = int(bad[0])  # run has no final loss, so its × sits in a strip above the plot, joined to
                x = ax.c2p(lrs[j], top) + 0.22 * mn.UP  # the curve's last stable point by a dashed line
                cross = mn.VGroup(mn.Line(x + 0.1 * mn.UL, x + 0.1 * mn.DR), mn.Line(x + 0.1 * mn.UR, x + 0.1 * mn.DL))
                cross.set_stroke(c, width=4)
                if j > 0 and np.isfinite(ys[j - 1]):
                    cross.add(mn.DashedLine(ax.c2p(lrs[j - 1], ys[j - 1]), x + 0.12 * mn.DOWN, dash_length=0.06,
                                            stroke_width=2, color=c))
                edges.append((j, cross))
            ci = int(tun.chosen[i])
            if ci >= 0:
                dot = mn.Dot(ax.c2p(lrs[ci], max(F[i, ci], floor)), radius=0.1, color=c,
                             stroke_color=color(theme.FOREGROUND), stroke_width=2.5).set_z_index(3)
                chosen.append(dot)
        head = text("chosen η ●  ·  steps up to ×", size=24, color=color(theme.MUTED))
        legend = Legend([(f"{NAMES[o]} {tun.meta['chosen_lr'][o]:.2g} · {edge_text(tun, o)}", color("optimizer", o))
                         for o in self.optimizers], font_size=24, buff=0.12)
        side = mn.VGroup(head, legend).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.22)
        side.next_to(ax, mn.RIGHT, buff=0.35).align_to(ax, mn.UP)
        self.add(title, sub, ax, *curves, side)
        warp = tuning_warp(tun, self.run_time)
        k.set_value(warp.first_step)
        for j, cross in edges:
            cross.add_updater(lambda m, j=j: m.set_opacity(1.0 if k.get_value() >= j else 0.0))
            cross.update()  # hidden on the first frame too (a static wait does not run updaters)
        self.add(*[c for _, c in edges])
        self.wait(0.5)
        self.play(warp.animate(k))
        for _, cross in edges:
            cross.clear_updaters()
        width = {o: S[names.index(o)].sum() / tun.config["per_decade"] for o in self.optimizers}
        wide, narrow = max(width, key=width.get), min(width, key=width.get)
        edge = [NAMES[o] for o in self.optimizers if at_edge(tun, o)]
        who = f"{', '.join(edge[:-1])} and {edge[-1]}" if len(edge) > 1 else "".join(edge)
        words = (f"{who}: the best η is the last stable one, so their race order is fragile." if edge else
                 f"Widest stable range: {NAMES[wide]} ({width[wide]:.1f} decades); narrowest: {NAMES[narrow]} "
                 f"({width[narrow]:.1f}).")
        stuck = stuck_above(tun, self.optimizers)
        if stuck:
            names_, bound = stuck
            words += (f" {' and '.join(NAMES[n] for n in names_)} stay above {bound:g} at every η: "
                      f"the method limits them.")
        verdict = text(wrap_words(words, 31), size=24, line_spacing=0.8)
        verdict.next_to(side, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        self.play(*[mn.FadeIn(d, scale=1.5) for d in chosen], mn.FadeIn(verdict))
        self.pause("tuning-end")
        self.wait(2.0)


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
    zoom = 0.8
    phi, theta = 42, -118          # camera start (degrees)
    end_phi, end_theta = 36, -80   # camera at rest: the valley, the paths and the minimum in view
    orbit_rate = 0.06
    offset = (-2.0, -0.15)         # the surface left of the legend, above the verdict
    jump = 1.0                     # scene units: longer steps are drawn dashed

    def construct(self):
        surf, runs = race_records(self.surface, self.optimizers)
        log = bool(surf.meta.get("log_scale"))
        hmap = height_map(surf.loss, log, self.log_floor)
        H = hmap(surf.loss)
        # the box reaches down to the lowest point any path reaches (the grid can miss the exact minimum,
        # and a path ending there must not read as "leaving the box")
        low = min(float(H.min()), *(float(np.nanmin(hmap(runs[o].train_loss))) for o in self.optimizers))
        axes = box_axes(surf.xs[[0, -1]], surf.ys[[0, -1]], (low, H.max()), 6.8, 6.8, 3.0)
        self.set_camera_orientation(phi=self.phi * mn.DEGREES, theta=self.theta * mn.DEGREES, zoom=self.zoom)
        self.camera.offset = self.offset
        mesh = SurfaceMesh(axes, surf.xs, surf.ys, H, resolution=self.resolution, colors=theme.SURFACE_RAMP_MUTED,
                           mesh_every=8, mesh_color=theme.MUTED, mesh_width=0.5, floor_levels=0, light=0.8)
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
        # the shared start, ringed like the 2-D race's, at its true loss
        first = runs[self.optimizers[0]]
        st = axes.c2p(*surf.meta["start"], float(hmap(np.array([first.train_loss[0]]))[0]))
        ring = mn.VGroup(*[mn.Circle(radius=0.14, stroke_color=color(c), stroke_width=w).move_to(st)
                           for c, w in ((theme.BACKGROUND, 6), (theme.FOREGROUND, 3))])
        stars.append(ring)
        mesh.occlude(*stars, lift=3.0)
        self.add_fixed_orientation_mobjects(*stars)
        tuning = tuning_record(self.surface)
        title = heading(f"The same race on the {self.surface.capitalize()} surface", size=30, buff=0.2)
        what = mn.VGroup(label(hmap.words, size=24),
                         label("paths at their own loss f(θₜ);  ○ start;  ★ minimum;  dashed: a jump", size=24))
        what.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06).next_to(title, mn.DOWN, buff=0.1)
        legend = Legend([(f"{NAMES[o]}  η = {runs[o].meta['hyper']['lr']:.2g}", color("optimizer", o))
                         for o in self.optimizers], font_size=24, buff=0.14)
        counter = StepCounter(t, total=surf.meta["steps"], size=28, drawing=True)
        side = mn.VGroup(counter, legend).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        side.to_edge(mn.RIGHT, buff=0.25).shift(0.2 * mn.DOWN)
        self.add_fixed_in_frame_mobjects(title, what, side)
        self.add(mesh, *trails, *stars)
        warp = race_warp(surf, runs, self.run_time)
        t.set_value(warp.first_step)
        self.begin_ambient_camera_rotation(rate=self.orbit_rate)
        self.play(warp.animate(t))
        self.stop_ambient_camera_rotation()
        self.pause("race-run")
        self.move_camera(phi=self.end_phi * mn.DEGREES, theta=self.end_theta * mn.DEGREES, run_time=2.0)
        # the takeaway: the recorded ranking (in the legend's place) and the verdict in words
        ranking = ranking_text(surf, runs, size=24)
        ranking.align_to(side, mn.UP).to_edge(mn.RIGHT, buff=0.25)
        verdict = text(wrap_words(verdict_text(tuning), 74), size=24, line_spacing=0.8)
        verdict.to_edge(mn.DOWN, buff=0.15)
        back = mn.BackgroundRectangle(verdict, color=color(theme.BACKGROUND), fill_opacity=0.85, buff=0.08)
        self.play(mn.FadeOut(side), run_time=0.4)
        self.add_fixed_in_frame_mobjects(ranking, back, verdict)
        self.play(mn.FadeIn(ranking), mn.FadeIn(back), mn.FadeIn(verdict))
        self.wait(3.0)


class DescentRace3DSaddle(DescentRace3D):
    surface = "saddle"
    phi, theta = 48, -150
    end_phi, end_theta = 45, -125
    zoom = 0.72               # its four high corners otherwise reach into the title and the ranking
    offset = (-2.2, -0.5)
