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
from nnviz.experiments.descent import (RACE_NAMES, RACE_ORDER, finish_order, first_below, leaders_text, loss_words,
                                      momentum_gain, ordinal, power_of_ten, wrap_words)
from nnviz.experiments import race_views as RV
from nnviz.experiments import race_views_3d as R3
from nnviz.tuning import ATOL, PEAK
from nnviz.render.plots import LabelledAxes, Legend
from nnviz.render.race_card import (TopView, adagrad_box, arrow_tag, bounce_strip, fit_text, head_halos, leader_tag,
                                    light_runs, limit_chart, neighbour_table, screen_turn, start_pin, zigzag_boxes)
from nnviz.render.race_chart import (ROW, RIGHT_EDGE, EscapeTable, RankStrip, SeriesChart, beat_marks, caption_fit,
                                     cross_mark, edge_inset, excursions, race_warp, spotlight, start_and_minima, thin_trail,
                                     tuning_warp, unspotlight, window, zoom_inset)
from nnviz.render.style import ThemedScene, ThemedThreeDScene, color, heading, text
from nnviz.render.surface import ContourMap, box_axes, height_map
from nnviz.render.surface3d import (EndZoom, SurfaceMesh, decade_ticks, height_axis, level_rings,
                                    marker, outline, zoom_half)
from nnviz.render.widgets import DescentPath, StepCounter

NAMES = RACE_NAMES
SYMBOL = {"lr": "η", "beta": "β", "decay": "ρ", "beta1": "β₁", "beta2": "β₂"}
RULE_OF = {"gd": "sgd"}  # GD's update rule is optim.sgd's, on the whole objective


def race_records(surface: str, optimizers=RACE_ORDER, rec=None):
    """The race on `surface`: its surface record and {optimizer: run}. `rec`: the descent_race records, when
    loaded already (a construct loads them once and passes them to each of these)."""
    rec = experiments.load("descent_race") if rec is None else rec
    return rec[f"{surface}__surface"], {o: rec[f"{surface}__{o}"] for o in optimizers}


def tuning_record(surface: str, rec=None):
    """The tuning grid's record on `surface` (`rec` as for `race_records`)."""
    return (experiments.load("descent_race") if rec is None else rec)[f"{surface}__tuning"]


def probe_record(surface: str, rec=None):
    """The tuning grid's probe curves (loss and λ_max per step of each η tried) on `surface` (`rec` as for
    `race_records`)."""
    return (experiments.load("descent_race") if rec is None else rec)[f"{surface}__probes"]


class DescentRace(ThemedScene):
    surface = "rosenbrock"
    optimizers = RACE_ORDER
    show_rules = False
    explain = ("gd_cap", "momentum_cap", "velocity", "nesterov", "adagrad", "rmsprop", "adam_walk")  # after the ranking
    star_on_top = True  # the hollow ★ above the end dots (a dot on the minimum shows inside it)
    star_z = 7          # its z: above the paths; the saddle puts it above the beats' marks and bright dots too
    star_fill = False   # at the takeaway, ★ filled with the background (several end dots on one spot: none shows)
    legend_beta = False  # the legend gives the momentum methods' β beside η
    keep_marks = False  # the beats' marks on the map stay to the end
    label_clear = False  # the overshoot's step labels beside their dots (True: out in the open, on leaders)
    end_bright = ("momentum",)  # the runs the takeaway is about: brighter than the rest in the last frame
    view = None  # ((x0, x1), (y0, y1)): show this window of the record's grid (None: all of it)
    zoom_steps = 20  # the crawl beat zooms into RMSprop's last steps
    run_time = 10.0
    fade = 0.15  # share of the steps a trail stays bright
    ticks = 3    # tick labels per axis (about)
    why_size = 24     # the beats' captions
    strip_size = 24   # the ranking strip's text
    strip_row = ROW   # its row spacing
    ring_labels = False  # the winner's neighbours named under their rings (else a key under the axis)
    strip_width = 2.1    # its log axis
    tick_every = None    # decades between its ticks (None: every decade with room)
    beat_fade = 1.0      # seconds a beat's words take to come in
    fit_strip = False    # the strip's axis as wide as the side column allows
    zoom_beats = ("rmsprop",)  # beats that zoom into RMSprop's last steps
    zoom_star = False          # ★ drawn in the zoom box when it falls inside
    end_chart = False    # the takeaway under the last beat's chart (else under the ranking strip)
    end_hold = 0.0       # seconds the finished race holds, legend still up, before the result comes in
    # Rosenbrock's values (the variants set their own)
    why_size = 28
    beat_fade = 0.6
    end_hold = 0.8
    map_size = 6.2       # the contour map's side (scene units)
    zoom_at = (0.1, 2.3)  # where RMSprop's zoom box goes (data units; None: the plot's lower right)
    ring_behind = True    # a dot hidden under another's end dot drawn larger behind it (a ring round it)
    contour_floors = {"rosenbrock": 1.0}  # no contour level below this loss (a crowded floor's levels read as a trail)
    state_rule = True     # the stability rule under the protocol (Rosenbrock: its verdicts lean on it)
    state_tie = False     # the tie-break under the protocol (the saddle: several η and optimizers tie at ★)
    hold_more = {}        # beat → extra seconds it is held (a beat that carries the surprising result)

    def construct(self):
        rec = experiments.load("descent_race")  # once: every record below is read from it
        surf, runs = race_records(self.surface, self.optimizers, rec)
        if self.view is not None:
            surf = window(surf, *self.view)
        tuning = tuning_record(self.surface, rec)
        steps = surf.meta["steps"]
        title = heading(f"Optimizer race on {self.surface.capitalize()}, each at its tuned η", size=30, buff=0.15)
        ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], "x", "y", width=self.map_size, height=self.map_size,
                          n_ticks=self.ticks,
                          font_size=24, frame="box")
        # "x" beside the last x tick, not under the ticks: the plot keeps that row's height
        below = [m for m in ax.tick_labels if m.get_top()[1] < ax.axes.get_bottom()[1]]
        ax.x_label.next_to(max(below, key=lambda m: m.get_x()), mn.RIGHT, buff=0.15)
        ax.y_label.rotate(-np.pi / 2)  # one upright letter reads better (and measures true) than a turned one
        floor = self.contour_floors.get(self.surface)
        Z = surf.loss
        if floor is not None:  # flat below the floor (no levels there); the minimum cell kept, so the levels above
            Z = np.maximum(surf.loss, floor)  # are spaced as before (the log field is measured from the minimum)
            Z.flat[np.argmin(surf.loss)] = surf.loss.min()
        maps = ContourMap(ax.axes, surf.xs, surf.ys, Z, levels=16, log=bool(surf.meta.get("log_scale")))
        maps.set_stroke(color(theme.MUTED), width=1.3, opacity=0.45)  # the valleys readable under the paths
        panel = mn.VGroup(ax, maps).to_edge(mn.LEFT, buff=0.3).to_edge(mn.DOWN, buff=0.1)
        t = mn.ValueTracker(0.0)
        trails = {o: DescentPath(runs[o].thetas, ax, steps=runs[o].steps, color=color("optimizer", o), tracker=t,
                                 diverged_at=runs[o].diverged_at, stroke_width=3.5, start_marker=False,
                                 fade=self.fade * steps, fade_floor=0.3, head_radius=0.1,
                                 outline=theme.BACKGROUND,
                                 marker_text="diverges" if runs[o].diverged else "leaves the view")
                  for o in self.optimizers}
        for tr in trails.values():
            if tr.trace.head is not None:
                tr.trace.head.set_z_index(6)  # end dots above the ★: the winner is seen at the finish
        marks = start_and_minima(ax, surf, size=0.15 if self.star_on_top else 0.12)
        if self.star_on_top:  # every run ends at the ★: the hollow ★ on top, the dots inside it
            marks.set_z_index(self.star_z)
        self.star_marks = marks
        saddle = marks.saddle_marks
        saddle.set_z_index(5)  # the saddle's ×, outlined, over the paths that cross it, under the end dots
        away = excursions(ax, surf, runs)
        # the side column: formula, step counter, legend, the protocol (the fairness claim) under it
        left = panel.get_right()[0] + 0.35
        self.side_left = left
        formula = text(RV.formula_text(surf.meta.get("formula", "")), size=24, line_spacing=1.0)
        counter = StepCounter(t, total=steps, size=28, drawing=True)
        legend = Legend([(f"{NAMES[o]}  η = {runs[o].meta['hyper']['lr']:.2g}"
                          + (f", β = {runs[o].meta['hyper']['beta']:g}" if self.legend_beta and "beta" in runs[o].meta["hyper"]
                             else ""), color("optimizer", o))
                         for o in self.optimizers], font_size=26, buff=0.14)
        self.map_axes = ax
        proto_lines = RV.protocol_lines(surf, tuning, tie=self.state_tie)
        if self.state_rule:  # the stability rule the verdicts lean on (a loss spike past PEAK × the start), its own sentence
            c = tuning.config
            proto_lines = wrap_words(f"Same start ○, same {surf.meta['steps']} steps. Each η: the grid value "
                                     f"{power_of_ten(tuning.lrs[0])} … {power_of_ten(tuning.lrs[-1])} "
                                     f"({c['per_decade']} per decade) with the lowest stable final loss. "
                                     f"Stable: loss never > {c.get('peak', PEAK):g}× "
                                     f"start, nor > start after step {int(np.ceil(c['warmup'] * c['steps']))}.",
                                     33).split("\n")
        proto = mn.VGroup(*[text(s, size=26 if self.state_rule else 24) for s in proto_lines]).arrange(
            mn.DOWN, aligned_edge=mn.LEFT, buff=0.1)
        side = mn.VGroup(formula, counter, legend, proto).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        side.next_to(title, mn.DOWN, buff=0.3).set_x(left, direction=mn.LEFT)
        # static first: manim draws everything before the first moving mobject once, as a still image
        self.add(title, panel, saddle, formula, legend, proto, *trails.values(), marks, counter)
        for k, m in away:
            m.add_updater(lambda m, k=k: m.set_opacity(1.0 if t.get_value() >= k else 0.0))
            m.update()
            self.add(m)
        warp = race_warp(surf, runs, self.run_time)
        t.set_value(warp.first_step)
        self.wait(0.5)
        self.play(warp.animate(t))
        for _, m in away:
            m.clear_updaters()
        if self.ring_behind:  # two runs ending on one spot (not at ★): the later-ranked one's dot larger, behind
            place = {n: i for i, p in enumerate(tuning.meta["ranking"]) for n in p}
            ends = {o: ax.c2p(*runs[o].thetas[-1][:2]) for o in self.optimizers}
            for a in self.optimizers:
                for b in self.optimizers:
                    if place[a] < place[b] and np.linalg.norm(ends[a] - ends[b]) < 0.2 and \
                            trails[b].trace.head is not None:
                        trails[b].trace.head.scale(1.8).set_z_index(5.9)
                        trails[b].trace.head.z_behind = 5.9  # kept by spotlight / unspotlight
        self.pause("race-end")
        if self.end_hold:
            self.wait(self.end_hold)
        strip = self.result(surf, runs, tuning)
        strip.next_to(title, mn.DOWN, buff=0.25).set_x(left, direction=mn.LEFT)
        said = self.verdict_words(tuning)
        verdict = caption_fit(said, strip.get_left()[0], size=self.why_size)
        verdict.next_to(strip, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        # one text leaves before the next arrives: no frame with two texts on top of each other
        self.play(mn.FadeOut(mn.VGroup(formula, legend, counter, proto)), run_time=0.4)
        self.play(mn.FadeIn(strip), mn.FadeIn(verdict), run_time=self.beat_fade)
        self.wait(3.0)
        probes = probe_record(self.surface, rec)
        texts = {"leaders": lambda: leaders_text(runs, width=10 ** 6),
                 "velocity": lambda: RV.velocity_own_text(surf, runs, width=10 ** 6),
                 "momentum_cap": lambda: RV.momentum_cap_text(runs, tuning, probes, width=10 ** 6),
                 "gd_cap": lambda: RV.gd_cap_text(surf, runs, tuning, probes, width=10 ** 6),
                 "nesterov": lambda: RV.nesterov_text(surf, runs, tuning, probes, width=10 ** 6),
                 "adagrad": lambda: RV.adagrad_text(runs), "rmsprop": lambda: RV.rmsprop_zigzag_text(runs),
                 "gd_ridge": lambda: RV.gd_ridge_text(surf, runs, width=10 ** 6),
                 "adaptive": lambda: RV.adaptive_ridge_text(surf, runs, width=10 ** 6),
                 "momentum_lag": lambda: RV.momentum_lag_text(surf, runs, tuning, width=10 ** 6),
                 "adam_loop": lambda: RV.beale_loop_text(runs, width=10 ** 6),
                 "adam_steps": lambda: RV.beale_steps_text(runs, width=10 ** 6),
                 "adagrad_steps": lambda: RV.beale_adagrad_steps_text(runs, width=10 ** 6),
                 "rms_forgets": lambda: RV.beale_rmsprop_text(runs, width=10 ** 6),
                 "fixed": lambda: RV.beale_fixed_text(runs, tuning, probes, width=10 ** 6),
                 "adam_walk": lambda: RV.rosen_adam_text(surf, runs, width=10 ** 6, span=True),
                 "nesterov_ridge": lambda: RV.nesterov_ridge_text(surf, runs, tuning, width=10 ** 6),
                 "overshoot": lambda: RV.overshoot_text(surf, runs, width=10 ** 6)}
        bright = {"adagrad": ("adagrad",), "rmsprop": ("rmsprop",), "adam_loop": ("adam",), "adam_steps": ("adam",), "adagrad_steps": ("adagrad",),
                  "rms_forgets": ("rmsprop",), "fixed": ("momentum",), "adam_walk": ("adam",),
                  "velocity": ("momentum",), "gd_cap": ("gd",),
                  "momentum_cap": ("momentum",),
                  "nesterov": ("nesterov", "momentum"), "nesterov_ridge": ("nesterov",),
                  "overshoot": ("adam",),
                  "gd_ridge": ("gd",), "adaptive": ("adagrad", "rmsprop", "adam"),
                  "momentum_lag": ("momentum",)}
        extra = mn.VGroup()
        charts = self.charts(surf, runs, tuning)  # beat → (chart, lines it shows): the side column's picture
        side = strip
        for beat in self.explain or ():
            self.pause(f"why-{beat}")
            chart, lines, *featured = charts.get(beat, (strip, ()))  # (…, lines at full strength: the rest dimmed)
            if chart is not strip:
                chart.next_to(title, mn.DOWN, buff=0.25).set_x(left, direction=mn.LEFT)
            why = caption_fit(texts[beat](), strip.get_left()[0], size=self.why_size)
            why.next_to(chart, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3).set_x(left, direction=mn.LEFT)
            gone = [mn.FadeOut(verdict)] + ([mn.FadeOut(extra)] if not self.keep_marks else [])
            if chart is not side:
                gone.append(mn.FadeOut(side))
            self.play(*gone, run_time=0.4)
            anims = [mn.FadeIn(why)] + ([mn.FadeIn(chart)] if chart is not side else [])
            if chart is not strip:
                anims += chart.show(lines) + (chart.feature(featured[0]) if featured else [])
            side = chart
            marks_now = beat_marks(beat, ax, surf, runs, trails, clear=self.label_clear)
            if len(marks_now):
                anims.append(mn.FadeIn(marks_now))
            extra = mn.VGroup(extra, marks_now) if self.keep_marks else marks_now
            if beat in bright:  # the runs the words are about bright and on top, the others dimmed
                anims += spotlight(trails, bright[beat])
            if beat in self.zoom_beats:  # RMSprop's last steps zoomed
                inset = zoom_inset(ax, runs["rmsprop"], self.zoom_steps, at=self.zoom_at,
                                   star=surf.meta["minima"][0] if self.zoom_star else None)
                if beat == "rmsprop":  # its dense path thin and see-through (the start shows)
                    thin_trail(trails["rmsprop"])
                anims.append(mn.FadeIn(inset))
            self.play(*anims, run_time=self.beat_fade)
            self.wait(3.5 + 1.0 - self.beat_fade + self.hold_more.get(beat, 0.0))
            verdict = why
        zooms = [m for m in self.mobjects if getattr(m, "zoom", None)]
        if self.show_rules:
            self.pause("rules")
            if zooms:
                self.play(*[mn.FadeOut(m) for m in zooms], run_time=0.3)
                zooms = []
            self.rank = surf.meta["ranking"]
            self.rules(title, panel, saddle, marks, trails, runs, side, verdict, tuning, probes, strip=strip)
            side = strip
            verdict = self.rules_left
        self.pause("takeaway")
        # the takeaway: every path back but faint (the ones it names brighter), end dots on top, one sentence
        keep = self.end_chart and side is not strip  # the last chart stays (the takeaway is about it)
        names = {NAMES[n]: color("optimizer", n) for n in self.optimizers} if keep else None  # as on the chart
        last = caption_fit(self.takeaway(surf, runs, tuning), strip.get_left()[0], size=28, start=34, t2c=names)
        last.next_to(side if keep else strip, mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        self.play(mn.FadeOut(verdict), *([] if self.keep_marks else [mn.FadeOut(extra)]),
                  *[mn.FadeOut(m) for m in zooms], *([mn.FadeOut(side)] if side is not strip and not keep else []),
                  run_time=0.4)
        unspotlight(trails, bright=self.end_bright)  # (at once) before end_marks, which may lift a trail again
        ends = self.end_marks(ax, surf, runs, trails, tuning)
        self.play(mn.FadeIn(last), *([mn.FadeIn(strip)] if side is not strip and not keep else []),
                  *([mn.FadeIn(ends)] if len(ends) else []))
        self.wait(3.0)

    def result(self, surf, runs, tuning):
        """The side column's result once the race is over: the ranking strip (with the winner's η one grid
        step either way, unless the top places tie)."""
        return RankStrip(surf, runs, tuning.meta["min_value"], size=self.strip_size, row=self.strip_row,
                         width=self.strip_width, tick_every=self.tick_every, room=self.room() if self.fit_strip else None,
                         ring_labels=self.ring_labels, tuning=tuning if tuning.meta["verdict"] != "tie" else None)

    def verdict_words(self, tuning) -> str:
        """The robustness verdict under the result (short when the strip shows the ○ values)."""
        said = RV.short_verdict(tuning.meta) or RV.verdict_text(tuning)
        return said.replace("(○)", "(◇)")  # the strip's neighbour mark (○ is the start)

    def room(self) -> float:
        """The side column's width (scene units): from its left edge to the captions' right margin."""
        return RIGHT_EDGE - self.side_left

    def charts(self, surf, runs, tuning) -> dict:
        """beat → (chart, the lines it shows at that beat): pictures that replace the result in the side
        column while the beat's words are on screen. Rosenbrock: each run's step length per step (log):
        GD crawls, velocity makes the steps longer, AdaGrad's only shrink, RMSprop's zigzag."""
        beats = {"gd_cap": ("gd",), "momentum_cap": ("momentum",), "velocity": ("momentum",), "nesterov": ("nesterov",),
                 "adam_walk": ("adam",), "adagrad": ("adagrad",), "rmsprop": ("rmsprop",)}
        featured = {"gd_cap": ("gd",), "momentum_cap": ("momentum", "gd"), "velocity": ("momentum",),
                    "nesterov": ("nesterov", "momentum"),
                    "adam_walk": ("adam", "rmsprop"), "adagrad": ("adagrad",), "rmsprop": ("rmsprop",)}
        if not set(beats) & set(self.explain or ()):
            return {}
        names = [n for n in self.optimizers if any(n in v for v in beats.values())]
        st = RV.step_series(runs, names)
        w = surf.meta["ranking"][0][0]  # the winner's steps against its own η·|g| (dashed), the gain marked
        a, z = RV.gain_span(runs[w])
        hi = float(np.median(st[w][1][a:z]))
        gaps = {w: (0.5 * (a + z), hi / momentum_gain(runs[w]), hi, f"{momentum_gain(runs[w]):.0f}×")}
        chart = SeriesChart("step length |Δθ| per step (log)", {n: st[n][:2] for n in names}, (0, surf.meta["steps"]),
                            (2e-4, 0.5), room=self.room(), height=2.2, size=26, guides={w: RV.own_rule(runs[w])},
                            gaps=gaps, x_ticks=3, guide_from=a, key_size=24)
        if "rmsprop" in chart.lines:  # its zigzag trace thin and behind the others
            chart.lines["rmsprop"][0].set_stroke(width=2)
            chart.lines["rmsprop"].set_z_index(-1)
        return {b: (chart, v, featured[b]) for b, v in beats.items() if b in (self.explain or ())}

    def end_marks(self, ax, surf, runs, trails, tuning) -> mn.VGroup:
        """Marks added for the takeaway (none by default)."""
        return mn.VGroup()

    def takeaway(self, surf, runs, tuning) -> str:
        return RV.takeaway(self.surface, surf, runs, tuning)

    def rules(self, title, panel, saddle, marks, trails, runs, side, verdict, tuning=None, probes=None, strip=None):
        """Each optimizer's update rule beside its own path (the others dimmed), its settings (η tuned,
        the rest fixed), its place in the race and what the rule did in this race (measured from its run):
        why each finished where it did. `side` (what the column shows now) leaves; the ranking `strip`
        comes back at the end."""
        strip = side if strip is None else strip
        did = RV.rule_effects(runs, tuning, probes)
        surf_rank = {n: i for i, p in enumerate(self.rank, start=1) for n in p}
        self.play(mn.FadeOut(side), mn.FadeOut(verdict), run_time=0.4)
        shown = None
        for o in self.optimizers:
            c = color("optimizer", o)
            rule = optim.make(RULE_OF.get(o, o)).rule.replace("(∇J)²", "g²").replace("∇J", "g")
            if o == "adam":  # its second moment is RMSprop's s, not the velocity v of the momentum rules
                rule = rule.replace("v ←", "s ←").replace("β₂v", "β₂s").replace("√v̂", "√ŝ")
            rule = rule.replace(",  ", ",\n")  # one update a line
            extra = None
            h = runs[o].meta["hyper"]
            fixed = ", ".join(f"{SYMBOL[k]} = {v:g}" for k, v in h.items() if k != "lr" and k in SYMBOL)
            lines = [text(f"{NAMES[o]}  η = {h['lr']:.2g}", size=28, color=c),
                     text(f"{ordinal(surf_rank[o])} of {len(self.optimizers)}: f − f* = {loss_words(runs[o].meta['final_loss'])}",
                          size=28),
                     text(rule, size=28, color=c, line_spacing=0.8)]
            if extra:
                lines.append(text(extra, size=24, color=c))
            if fixed:
                lines.append(text(f"fixed: {fixed}", size=28))
            lines.append(caption_fit(did[o], self.side_left, size=28, start=30))
            g = mn.VGroup(*lines).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.18)
            g.next_to(title, mn.DOWN, buff=0.35).set_x(self.side_left, direction=mn.LEFT)
            if shown is not None:
                self.play(mn.FadeOut(shown), run_time=0.3)
            anims = [mn.FadeIn(g), *spotlight(trails, (o,))]
            if o == "rmsprop":  # its zigzag: the dense path thin, its last steps zoomed
                thin_trail(trails["rmsprop"])
                zoom = zoom_inset(self.map_axes, runs["rmsprop"], self.zoom_steps, at=self.zoom_at)
                anims.append(mn.FadeIn(zoom))
                g = mn.VGroup(g, zoom)
            self.play(*anims, run_time=0.6)
            self.wait(3.0)
            shown = g
        self.play(mn.FadeOut(shown), run_time=0.4)
        self.play(mn.FadeIn(strip), run_time=0.5)
        self.rules_left = mn.VGroup()


class DescentRaceBeale(DescentRace):
    surface = "beale"
    ring_behind = False
    state_rule = False
    zoom_at = None
    explain = ("adam_loop", "fixed", "adam_steps", "adagrad_steps", "rms_forgets")
    zoom_beats = ("rms_forgets",)
    end_chart = True  # the takeaway is about the steps: the step chart stays for it
    zoom_steps = 30
    zoom_star = True
    end_bright = ("adam",)
    ticks = 4
    view = ((-2.5, 4.5), (-3.0, 2.5))  # where the paths run: the valley to the ★ fills the plot
    why_size = strip_size = 28
    strip_row = 0.42
    ring_labels = True
    tick_every = 12  # 10⁻¹² and 10⁰ labelled (more labels would touch at this size), short ticks between
    beat_fade = 0.6
    fit_strip = True
    end_hold = 0.8

    def charts(self, surf, runs, tuning) -> dict:
        """Each method's step length |Δθ| against step (log), from the records: Adam's shrink as |g| does,
        AdaGrad's shrink from step 1, RMSprop's stay on √2·η (dashed): what decides this race."""
        names = ("adam", "adagrad", "rmsprop")
        st = RV.step_series(runs, names)
        eta = float(runs["rmsprop"].meta["hyper"]["lr"])
        a, b = RV.BEALE_EARLY  # AdaGrad's steps against Adam's while both are far from ★: the ratio marked
        lo, hi = (float(np.median(RV.steps_of(runs[n])[a:b])) for n in ("adagrad", "adam"))
        chart = SeriesChart("step length |Δθ| per step (log)", {n: st[n][:2] for n in names},
                            (0, surf.meta["steps"]), (1e-10, 10), room=self.room(), size=28, height=2.1, y_ticks=4,
                            ends=True, x_ticks=3, guides={"rmsprop": np.sqrt(2) * eta}, key_inside=True,
                            subtitle="x, y each move ≈ η·g / √(g² so far)", guide_words={"rmsprop": "√2·η"},
                            gaps={"adagrad": (0.5 * (a + b), lo, hi, f"{RV.early_ratio(runs):.0f}×", mn.UP)})
        return {"adam_steps": (chart, ("adam",)), "adagrad_steps": (chart, ("adagrad",)),
                "rms_forgets": (chart, ("rmsprop",))}


class DescentRaceSaddle(DescentRace):
    surface = "saddle"
    ring_behind = False
    state_rule = False
    state_tie = True
    zoom_at = None
    explain = ("gd_ridge", "adaptive", "momentum_lag", "nesterov_ridge", "overshoot")
    hold_more = {"momentum_lag": 1.5}  # the surprise (velocity leaves last) held longest
    star_z = 10  # ★ over every dot and mark: several runs end on it
    star_fill = True
    legend_beta = True  # the growth factors on the |y| chart follow from η and β
    label_clear = True  # the overshoot's step labels off the crowded ★, on leader lines
    keep_marks = False
    end_bright = ()  # the takeaway frame: every trail faint, the end dots and ★ on top
    why_size = 28
    beat_fade = 0.6
    end_hold = 0.8
    map_size = 5.6  # the result table needs the room

    def result(self, surf, runs, tuning):
        return EscapeTable(surf, runs, tuning.meta["min_value"], room=self.room())

    def verdict_words(self, tuning) -> str:
        """Two ★ are drawn: the tie is at the upper one (every tied run ends at y > 0, tested); the table
        lists the tied runs in the order the tie-break ranks them (first at ★ first)."""
        tied = tuning.meta["ranking"][0]
        if tuning.meta["verdict"] == "tie" and max(tuning.meta["chosen_final"][n] for n in tied) <= ATOL:
            names = [NAMES[n] for n in tied]
            return (f"{', '.join(names[:-1])} and {names[-1]} all end at the upper ★ (f − f* < {power_of_ten(ATOL)}): "
                    f"a tie, ranked by who got there first.")
        return super().verdict_words(tuning).replace("end at the minimum", "end at the upper minimum ★")

    def end_marks(self, ax, surf, runs, trails, tuning) -> mn.VGroup:
        """The runs that did not reach ★ (f − f* above the floor): their end dots over the filled ★, each named
        with its final loss on a leader to the right of ★ (the tied runs are under ★: the table names them)."""
        g = mn.VGroup()
        if self.star_fill:  # ★ filled: no tied run's colour shows through; "N tied" beside it
            for m in self.star_marks:
                if isinstance(m, mn.Star) and m.get_stroke_color() == mn.ManimColor(color(theme.BACKGROUND)):
                    m.set_fill(color(theme.BACKGROUND), opacity=1)
        late = [n for n in self.optimizers if runs[n].meta["final_loss"] > ATOL]
        top = RV.upper_minimum(surf)
        tied = len(self.optimizers) - len(late)
        if tied > 1:
            tag = text(f"{tied} tied", size=24).move_to(ax.c2p(top[0] + 0.35, top[1]), aligned_edge=mn.LEFT)
            g.add(mn.BackgroundRectangle(tag, color=color(theme.BACKGROUND), fill_opacity=0.85, buff=0.04), tag)
        for r, n in enumerate(sorted(late, key=lambda n: runs[n].meta["final_loss"])):
            c = color("optimizer", n)
            head = trails[n].trace.head
            if head is not None:
                head.set_z_index(11)
            end = ax.c2p(*runs[n].thetas[-1][:2])
            words = text(f"{NAMES[n]}\nf − f* = {loss_words(runs[n].meta['final_loss'])}", size=24, color=c,
                         line_spacing=0.8)
            # left of ★ and below it, one above the other (the right holds the tag; past it the table)
            at = ax.c2p(top[0] - 0.3, top[1] - 0.4 - 0.6 * r)
            words.move_to(at, aligned_edge=mn.RIGHT)
            words = mn.VGroup(mn.BackgroundRectangle(words, color=color(theme.BACKGROUND), fill_opacity=0.85, buff=0.04),
                              words)
            edge = words.get_right() + 0.05 * mn.RIGHT
            g.add(mn.Line(end, edge, stroke_width=2, color=c), words)
        g.set_z_index(11)
        return g

    def charts(self, surf, runs, tuning) -> dict:
        """How far off the ridge each run is, |y| on a log axis, over the whole race: GD's straight line
        (×(1 + 2η) a step) against the adaptive methods' jump at step 1, Momentum's shallower line and
        Nesterov's steeper one, each labelled with its measured growth a step."""
        names = ("gd", "adagrad", "momentum", "rmsprop", "nesterov", "adam")  # key: GD, Momentum, Nesterov left
        steps = surf.meta["steps"]
        series = {n: (np.asarray(runs[n].steps, float), np.abs(np.asarray(runs[n].thetas, float)[:, 1]))
                  for n in names}
        labels = {n: f"{NAMES[n]} ×{RV.growth(runs[n]):.{1 if n == 'gd' else 2}f}" for n in ("gd", "momentum", "nesterov")}
        chart = SeriesChart("|y| per step; dashed: |y| = 0.5", series, (0, steps), (1e-3, 3), dots=("gd",),
                            room=self.room(), hline=(0.5, ""), size=28, height=1.5, key_above=True, labels=labels,
                            x_ticks=3, key_gap=0.35)
        # (chart, lines it brings in, lines at full strength: the others dimmed)
        return {"gd_ridge": (chart, ("gd",), ("gd",)),
                "adaptive": (chart, ("adagrad", "rmsprop", "adam"), ("adagrad", "rmsprop", "adam")),
                "momentum_lag": (chart, ("momentum",), ("gd", "momentum")),
                "nesterov_ridge": (chart, ("nesterov",), ("gd", "momentum", "nesterov"))}


class DescentRaceRules(DescentRace):
    show_rules = True
    explain = ()  # the rules carry the why (each rule's effect line, measured on its run)

    def takeaway(self, surf, runs, tuning) -> str:
        return RV.rules_takeaway(surf, runs)


FLOOR = 1e-16  # final losses below this (round-off at the minimum) are drawn on the floor


class DescentRaceTuning(ThemedScene):
    """Final loss against η (log-log), one curve per optimizer over its stable rates, the chosen η as a
    dot, every unstable rate that did not diverge as a hollow ○ at its final loss, and a × (on one row
    above the plot) where every larger rate diverged: why one optimizer is "easy to tune". GD's curve is
    read first, with why its stable rates stop where they do (the steep start caps η at 2/λ_max: a dashed
    line) and why the rule drops its erratic ends past the cap; then the others sweep in, the table ranks
    the ●, a dashed line marks good final losses, and the verdict names the dropped runs that end lower."""

    surface = "rosenbrock"
    optimizers = RACE_ORDER
    run_time = 6.0
    first = "gd"  # the curve read first, whole, with a caption on how to read it
    good = RV.GOOD  # final losses below this are good (a dashed line; the takeaway counts them)
    under = {"momentum": 9}  # curves drawn wider, under the others: Momentum's runs under Nesterov's at small η

    def construct(self):
        rec = experiments.load("descent_race")  # once: both records below are read from it
        tun, probes = tuning_record(self.surface, rec), probe_record(self.surface, rec)
        lrs, F, S = tun.lrs, tun.final_loss, tun.stable.astype(bool)
        names = tun.meta["names"]
        fg, bg = color(theme.FOREGROUND), color(theme.BACKGROUND)
        title = heading(f"Tuning η fairly on {self.surface.capitalize()}: final loss vs η", size=30, buff=0.15)
        sub = text(f"final loss after {tun.config['steps']} steps, one dot per η tried ({tun.config['per_decade']} "
                   f"per decade)", size=26)
        sub.next_to(title, mn.DOWN, buff=0.12)
        ends = {o: [(j, f) for j, f in RV.unstable_ends(tun, o) if np.isfinite(f)] for o in self.optimizers}
        drawn = np.concatenate([F[S & np.isfinite(F)], [f for e in ends.values() for _, f in e]])
        top = 10 ** np.ceil(np.log10(max(drawn.max(), 10.0)) + 0.3)
        floor = max(FLOOR, 10 ** np.floor(np.log10(max(drawn.min(), FLOOR)) - 0.3))
        ax = LabelledAxes((lrs[0], lrs[-1]), (floor, top), "learning rate η", "final loss f − f*",
                          log_x=True, log_y=True, width=5.3, height=4.3, font_size=30, frame="box", ink=fg, x_ticks=3)
        ax.to_edge(mn.LEFT, buff=0.3).to_edge(mn.DOWN, buff=0.15)
        left = ax.get_right()[0] + 0.3  # the side column
        # the × row: where each optimizer diverges at every larger η, on one row above the plot; two at one η stack
        y_row = ax.axes.get_top()[1] + 0.3
        k = mn.ValueTracker(0.0)
        curves, marks, chosen, used, grid_dots, rings, stable = {}, {}, {}, {}, {}, {}, {}
        for o in self.optimizers:
            i = names.index(o)
            c = color("optimizer", o)
            ys = np.maximum(np.where(S[i], F[i], np.nan), floor)
            last = int(np.flatnonzero(S[i]).max()) + 1 if S[i].any() else 1
            pts = stable[o] = np.column_stack([lrs, ys])[:last]  # (its stable rates: the curve)
            curves[o] = DescentPath(pts, ax, steps=np.arange(last, dtype=float), color=c, tracker=k,
                                    stroke_width=self.under.get(o, 4), head=False, start_marker=False)
            for j in np.flatnonzero(S[i]):
                if j == int(tun.chosen[i]):
                    continue  # the chosen rate is its ●
                # on top of every chosen ● (z 3), outlined: a rate under another's ● still shows
                dot = mn.Dot(ax.c2p(lrs[j], ys[j]), radius=0.055, color=c).set_stroke(bg, width=1.5, opacity=1)
                grid_dots.setdefault(o, []).append((int(j), dot.set_z_index(6)))  # above ● and ○
            for j, f in ends[o]:  # each dropped run's end: a hollow ring in its colour
                ring = mn.Circle(radius=0.1, color=c, stroke_width=3).move_to(ax.c2p(lrs[j], f))
                rings.setdefault(o, []).append((j, ring.set_z_index(4)))
            j = RV.diverged_from(tun, o)
            if j is not None:  # a × above the plot at its η, a tick down to the top spine; close ones stagger
                xj = ax.c2p(lrs[j], top)[0]
                n = 0
                while any(abs(xj - u) < 0.3 and r == n for u, r in used.items()):
                    n += 1
                used[xj] = n
                x = np.array([xj, y_row + 0.3 * n, 0.0])
                cross = mn.VGroup(mn.Line(x + 0.1 * mn.UL, x + 0.1 * mn.DR), mn.Line(x + 0.1 * mn.UR, x + 0.1 * mn.DL),
                                  mn.Line([xj, ax.axes.get_top()[1], 0], x + 0.12 * mn.DOWN, stroke_width=2))
                marks.setdefault(o, []).append((j, cross.set_stroke(c, width=5).set_z_index(5)))
            ci = int(tun.chosen[i])
            if ci >= 0:
                chosen[o] = mn.Dot(ax.c2p(lrs[ci], max(F[i, ci], floor)), radius=0.13, color=c,
                                   stroke_color=bg, stroke_width=4).set_z_index(5)  # above every ○
        row_key = text("diverges:", size=28)  # in the left margin, over the y ticks: the × are positions
        row_key.move_to([ax.axes.get_left()[0] - 0.4, y_row + 0.05, 0], aligned_edge=mn.LEFT)
        # GD's cap: η·λ_max < 2 at the start, from the probes' λ_max there
        story = RV.edge_story(tun, probes, self.first)
        cap = mn.VGroup()
        if story is not None:
            xc = ax.c2p(2 / story["lam0"], top)[0]
            cap.add(mn.DashedLine([xc, ax.axes.get_bottom()[1], 0], [xc, ax.axes.get_top()[1], 0], dash_length=0.08,
                                  stroke_width=2.5, color=color("optimizer", self.first)))
            cap.add(text(f"{NAMES[self.first]}: 2/λₘₐₓ\nat start", size=28, color=color("optimizer", self.first)).move_to(
                [xc + 0.1, ax.axes.get_top()[1] - 0.08, 0], aligned_edge=mn.UL))  # right of its line, not on it
        # the side table: the recorded ranking, each optimizer's chosen η and final loss, best first
        rows = [[text("", size=28), text("η", size=28), text("f − f*", size=28)]]
        for place, group in enumerate(tun.meta["ranking"], start=1):
            for o in (o for o in group if o in self.optimizers):
                c = color("optimizer", o)
                rows.append([text(f"{place}. {NAMES[o]}", size=28, color=c),
                             text(f"{tun.meta['chosen_lr'][o]:.2g}", size=28, color=c),
                             text(loss_words(float(tun.meta["chosen_final"][o])), size=28, color=c)])
        table = mn.VGroup(*[m for r in rows for m in r]).arrange_in_grid(
            rows=len(rows), cols=3, col_alignments="lll", buff=(0.2, 0.1))
        table.next_to(sub, mn.DOWN, buff=0.3).set_x(left, direction=mn.LEFT)
        lead = self.first if self.first in curves else self.optimizers[0]
        lead_curve = DescentPath(stable[lead], ax, color=color("optimizer", lead), stroke_width=4, head=False,
                                 start_marker=False)
        curves.pop(lead)
        reading = caption_fit(RV.gd_reading(tun, lead, width=10 ** 6), left, size=28, start=34)
        reading.next_to(sub, mn.DOWN, buff=0.4).set_x(left, direction=mn.LEFT)
        # GD first, whole: its curve, its ●, ○ and ×, and how to read them, before the others sweep in
        mine = [m for _, m in marks.get(lead, [])] + [r for _, r in rings.get(lead, [])]
        self.add(title, sub, ax, row_key, lead_curve, *[d for _, d in grid_dots.get(lead, [])], chosen[lead],
                 *mine, reading)
        warp = tuning_warp(tun, self.run_time)
        k.set_value(warp.first_step)
        rest = [(j, m) for o, ms in marks.items() if o != lead for j, m in ms]
        rest += [(j, d) for o, ds in grid_dots.items() if o != lead for j, d in ds]
        rest += [(j, r) for o, rs in rings.items() if o != lead for j, r in rs]
        hollow = {id(r) for _, rs in rings.items() for _, r in rs}
        for j, cross in rest:
            if id(cross) in hollow:  # a ring stays hollow: only its stroke shows
                cross.add_updater(lambda m, j=j: m.set_stroke(opacity=1.0 if k.get_value() >= j else 0.0))
            else:
                cross.add_updater(lambda m, j=j: m.set_opacity(1.0 if k.get_value() >= j else 0.0))
            cross.update()  # hidden on the first frame too (a static wait does not run updaters)
        self.wait(4.0)
        self.pause("one-curve")
        shown = reading
        if story is not None:  # why GD's stable rates stop where they do: the steep start caps η
            inset = edge_inset(story)
            inset.next_to(sub, mn.DOWN, buff=0.25)
            inset.shift((left - 0.25 - inset.get_left()[0]) * mn.RIGHT)
            for n, (row, words) in enumerate(RV.edge_beats(tun, probes, lead, width=10 ** 6, story=story)):
                why = caption_fit(words, left, size=28, start=34).next_to(inset, mn.DOWN, buff=0.3)
                why.set_x(left, direction=mn.LEFT)
                for i, (line, peak) in enumerate(zip(inset.curves, inset.peaks)):  # the run it is about lit
                    lit = row is None or i == row
                    line.set_stroke(opacity=1.0 if lit else 0.3)
                    peak.set_opacity(1.0 if lit and row is not None else 0.0)
                self.play(mn.FadeOut(shown), run_time=0.3)
                self.play(mn.FadeIn(why), *([mn.FadeIn(inset), mn.Create(cap)] if n == 0 else []), run_time=0.5)
                if row is None:  # the erratic ends: GD's rings, lit
                    self.play(*[mn.Indicate(r, scale_factor=1.5, color=fg) for _, r in rings.get(lead, [])],
                              run_time=0.8)
                self.wait(3.5)
                shown = why
            self.pause("edge")
            shown = mn.VGroup(shown, inset)
        now = caption_fit("Now the other five, on the same grid.", left, size=28, start=34)
        now.next_to(table, mn.DOWN, aligned_edge=mn.LEFT, buff=0.4)
        self.play(mn.FadeOut(shown), run_time=0.3)
        self.play(mn.FadeIn(now), run_time=0.4)
        # the other curves, their grid dots, ○ and × only now: nothing of theirs on screen before the sweep
        self.add(*curves.values(), *[c for _, c in rest])
        self.play(warp.animate(k))
        for _, cross in rest:
            cross.clear_updaters()
        # good final losses: a dashed line, and who gets below it at how many rates
        y = ax.c2p(lrs[0], self.good)[1]
        line = mn.DashedLine([ax.axes.get_left()[0], y, 0], [ax.axes.get_right()[0], y, 0], dash_length=0.1,
                             stroke_width=2.5, color=fg)
        tag = text("good", size=28).next_to(line, mn.DOWN, buff=0.08).align_to(line, mn.LEFT).shift(0.08 * mn.RIGHT)
        good = {o: RV.good_rates(tun, o, self.good).size for o in self.optimizers}
        some = sorted([o for o in self.optimizers if good[o]], key=lambda o: -good[o])
        none = [NAMES[o] for o in self.optimizers if not good[o]]
        start = probes.meta["start_loss"]
        words = (f"Below the dashed f − f* = {self.good:g} ({start / self.good:.0f}× under the start, {start:g}): " +
                 ", ".join(f"{NAMES[o]} at {good[o]} stable rate{'s' if good[o] > 1 else ''}" for o in some) +
                 ("; the rest at none." if none else "."))
        verdict = caption_fit(words, left, size=28, start=34).next_to(table, mn.DOWN, buff=0.3)
        verdict.set_x(left, direction=mn.LEFT)
        others = [d for o, d in chosen.items() if o != lead]
        # each curve faint away from its ●, solid from its grid neighbour below to the one above: the ●
        # stand out of the tangle at f − f* ≈ 10 (GD's among them)
        near = mn.VGroup()
        for o in self.optimizers:
            i = names.index(o)
            kk = int(tun.chosen[i])
            js = [j for j in (kk - 1, kk, kk + 1) if 0 <= j < len(lrs) and S[i, j]]
            if len(js) > 1:
                pts = [ax.c2p(lrs[j], max(F[i, j], floor)) for j in js]
                near.add(mn.VMobject(stroke_color=color("optimizer", o), stroke_width=self.under.get(o, 5))
                         .set_points_as_corners(pts).set_z_index(2))
        far = [*curves.values(), lead_curve]
        dots = [d for o, ds in grid_dots.items() for j, d in ds
                if abs(j - RV.chosen_index(tun, o)) > 1]
        # the ranking table only once every ● has landed; GD's cap line steps back
        self.play(*[mn.FadeIn(d, scale=1.5) for d in others], mn.FadeOut(now), mn.FadeIn(near), mn.FadeIn(table),
                  *([cap[0].animate.set_stroke(opacity=0.35)] if len(cap) else []),
                  *[c.animate.set_stroke(opacity=0.3) for c in far], *[d.animate.set_opacity(0.4) for d in dots],
                  run_time=0.6)
        self.play(mn.Create(line), mn.FadeIn(tag), mn.FadeIn(verdict), run_time=0.5)
        # the counted points (stable rates below the line), each pulsed where it is drawn
        counted = []
        for o in self.optimizers:
            ci, dots_o = RV.chosen_index(tun, o), dict(grid_dots.get(o, []))
            counted += [chosen[o] if j == ci else dots_o[j] for j in RV.good_rates(tun, o, self.good)]
        self.play(*[mn.Indicate(m, scale_factor=1.8, color=fg) for m in counted], run_time=1.0)
        self.wait(3.0)
        self.pause("tuning-end")
        last = caption_fit(RV.tuning_takeaway(tun, self.good), left, size=28, start=34).next_to(table, mn.DOWN, buff=0.3)
        last.set_x(left, direction=mn.LEFT)
        self.play(mn.FadeOut(verdict), run_time=0.3)
        self.play(mn.FadeIn(last), run_time=0.5)
        self.wait(3.5)
        rule = RV.rule_takeaway(tun, probes)
        if rule:  # the closing verdict: the dropped runs (○) that end below the winner, lit
            self.pause("rule")
            end = caption_fit(rule, left, size=28, start=34).next_to(table, mn.DOWN, buff=0.3)
            end.set_x(left, direction=mn.LEFT)
            below = RV.dropped_below(tun)
            lower = [r for n, j, _ in below for jj, r in rings.get(n, []) if jj == j]
            # the final table: the ranking, then the dropped runs that end lower (○, in their colours)
            full = [*rows, [text("dropped:", size=28), text("", size=28), text("", size=28)]]
            for n, j, f in below:
                c = color("optimizer", n)
                full.append([text(f"○ {NAMES[n]}", size=28, color=c), text(f"{lrs[j]:.2g}", size=28, color=c),
                             text(loss_words(f), size=28, color=c)])
            table2 = mn.VGroup(*[m.copy() for r in full for m in r]).arrange_in_grid(
                rows=len(full), cols=3, col_alignments="lll", buff=(0.2, 0.06))
            table2.next_to(title, mn.DOWN, buff=0.2).set_x(left, direction=mn.LEFT)  # the subtitle steps aside
            end = caption_fit(rule, left, size=28, start=34).next_to(table2, mn.DOWN, buff=0.25)
            end.set_x(left, direction=mn.LEFT)
            self.play(mn.FadeOut(last), mn.FadeOut(table), mn.FadeOut(sub), run_time=0.3)
            self.play(mn.FadeIn(table2), mn.FadeIn(end), *[mn.Indicate(r, scale_factor=1.6, color=fg) for r in lower],
                      run_time=0.8)
            self.wait(4.0)


class DescentRace3D(ThemedThreeDScene):
    """The same race on the surface itself; path heights are the true loss f(θₜ). The surface is
    a neutral grey `SurfaceMesh` (so every optimizer colour stands out; outlined paths, hills hide
    what lies behind them) with iso-loss rings at whole decades and a loss axis, so a height reads
    as a loss; steps longer than `jump` are drawn dashed (a jump, not a route), the minimum is
    starred, and the camera comes to rest looking into the valley."""

    surface = "rosenbrock"
    optimizers = RACE_ORDER
    resolution = 96   # faces per side, resampled from the record's grid
    log_floor = 4e-5  # of the loss range (δ = 0.1 on Rosenbrock, the grid's sampling error across its
                      # narrow valley): the floor falls toward ★ without spiking between mesh nodes
    run_time = 8.0
    zoom = 0.74
    phi, theta = 42, -118          # camera start (degrees)
    end_phi, end_theta = 35, -100  # camera at rest: the valley, the paths and the minimum in view
    orbit_rate = 0.0               # the camera holds still while the race runs (it moves once, after)
    offset = (-2.7, -0.3)          # the surface left of the legend, the ranking and the close-up of ★
    jump = 1.0                     # scene units: longer steps are drawn dashed
    axis_at = (-0.08, 0.45)        # where the loss axis stands, as a share of the box (0..1 = inside)
    fade = 20                      # steps of trail at full strength behind each head (older trail: faint)
    fade_floor = 0.45              # the older trail's strength: the floor path stays readable
    beat_time = 2.5                # seconds each closing line is held
    beat_size = 28
    mid_time = 4.5                 # seconds the race stops for its one mid-race caption (if any)
    mid_step = 4                   # the step it stops at
    z_length = 2.6                 # scene units of height: low walls keep the valley floor in view
    axis_ticks = 2                 # labelled decades on the loss axis (and 0 where the grid reaches f* = 0)
    intro_time = 2.0               # seconds the start (both subtitle lines) is read before the race runs
    zoom_near = 1.2                # the close-up of ★ holds the top three runs ending this near it
    mid_width = 4.6                # scene units: the mid-race caption's column, in the legend's place
    halo = True                    # a head under a better-placed one (on screen) shows as a ring round it
    halo_near = 0.1                # scene units on screen: a head this close to a better one is covered by it,
    halo_cover = None              # and, if set, this close in the scene (its spot: a tie), else it keeps its own dot
    tag_side = {}                  # a mid-stop name's side of its head (default below)
    mid_tag_at = {"momentum": (-1.15, -3.35), "adam": (-4.55, -3.35)}  # `mid_legend`: these names in the dark
                                   # under the surface (screen units), each on a leader to its head
    zoom_name = "top view"         # the end card's close-up of ★ (to scale; a run under another's dot a ring)
    zoom_side = 2.9                # the close-up of ★ on the end card (scene units)
    end_zoom_factor = 0.64         # the camera's zoom at rest (the surface clear of the end card's column)
    end_offset = (-3.7, -0.45)     # the picture's centre on screen at rest (None: `offset` kept)
    sub_size = 26                  # the subtitle's text size
    key_size = 24                  # the dashed-step key's text size
    mid_legend = True              # the mid-race stop keeps the legend, its caption under it, a ringed head named
    start_filled_after = -1.0      # the start ○ a filled disc from this step on (from the first frame: no head
                                   # inside a white ring at step 0, which would read as "a run under it")
    ring_words = "ring round a dot:\na run under it,\nin its colour"  # the ring key's words
    ring_size = 24                 # and their size

    @staticmethod
    def surface_value(surf, p) -> float:
        """The recorded grid's loss at the cell nearest to point p (a saddle's height on the surface)."""
        i = int(np.argmin(np.abs(np.asarray(surf.xs) - p[0])))
        j = int(np.argmin(np.abs(np.asarray(surf.ys) - p[1])))
        return float(surf.loss[j, i])

    def construct(self):
        rec = experiments.load("descent_race")  # once: every record below is read from it
        surf, runs = race_records(self.surface, self.optimizers, rec)
        log = bool(surf.meta.get("log_scale"))
        hmap = height_map(surf.loss, log, self.log_floor)
        H = hmap(surf.loss)
        # the box reaches down to the lowest point any path reaches (the grid can miss the exact minimum,
        # and a path ending there must not read as "leaving the box")
        low = min(float(H.min()), *(float(np.nanmin(hmap(runs[o].train_loss))) for o in self.optimizers))
        axes = box_axes(surf.xs[[0, -1]], surf.ys[[0, -1]], (low, H.max()), 6.8, 6.8, self.z_length)
        self.set_camera_orientation(phi=self.phi * mn.DEGREES, theta=self.theta * mn.DEGREES, zoom=self.zoom)
        self.camera.offset = self.offset
        mesh = SurfaceMesh(axes, surf.xs, surf.ys, H, resolution=self.resolution, colors=theme.SURFACE_RAMP_MUTED,
                           mesh_every=0, floor_levels=0, light=0.45)
        # iso-loss rings at every decade on the surface, every other one labelled on the loss axis
        rings = level_rings(axes, surf.xs, surf.ys, surf.loss, hmap,
                            [v for v, _ in decade_ticks(hmap, (low, H.max()), most=8) if v > 0], width=1.5, opacity=0.5)
        ticks = decade_ticks(hmap, (low, H.max()), most=self.axis_ticks) if self.axis_ticks else []
        corner = [a[0] + f * (a[-1] - a[0]) for a, f in zip((surf.xs, surf.ys), self.axis_at)]
        ax_line, ax_marks, ax_labels = height_axis(axes, corner, ticks, text, size=26, name=None)
        self.axis_parts = [ax_line, ax_marks, *ax_labels]
        t = mn.ValueTracker(0.0)
        trails, drawn = [], []
        for o in self.optimizers:
            run = runs[o]
            z = hmap(run.train_loss)  # f(θₜ) at every step (an objective is evaluated each step)
            pts = np.column_stack([run.thetas[:, :2], z[:len(run.thetas)]])
            drawn.append(pts[np.all(np.isfinite(pts), axis=1)])
            trail = DescentPath(pts, axes, steps=run.steps, color=color("optimizer", o), tracker=t,
                                diverged_at=run.diverged_at, stroke_width=4.5, start_marker=False,
                                head_radius=0.13, marker_text="leaves the box", fade=self.fade, fade_floor=self.fade_floor)
            outline(trail, 3.0)
            trail.pin_labels(self)
            trails.append(trail)
        mesh.occlude(*rings, ax_line, ax_marks, lift=0.5)
        guides, guide_labels = self.guides(axes, surf, hmap)
        if guides:
            mesh.occlude(*guides, lift=1.0)
        # lifted 3 cells toward the viewer: near ★ the valley is narrower than a mesh cell, so the drawn
        # floor there lies up to 0.1 above the paths' true loss and would otherwise swallow their ends
        mesh.occlude(*trails, jump=self.jump, lift=3.0)
        # every head on top, like ○ and ★: the leaders end in the narrow pit at ★, behind its walls
        rank = {n_: i for i, n_ in enumerate(n_ for names in surf.meta["ranking"] for n_ in names)}  # ties: arrival
        for o_, tr in zip(self.optimizers, trails):  # better places drawn on top (the end card says whose
            if tr.trace.head is not None:            # dot covers whose)
                mesh.occlude(tr.trace.head, lift=1e4 * (1 + 0.1 * (len(self.optimizers) - rank[o_])))
        # a head covered by a better-placed head (within `halo_near` on screen) is drawn as a ring of its colour
        # round the covering dot (behind it, in front of worse places): every run stays visible on the surface
        self.halos = {}
        start_at = axes.c2p(*surf.meta["start"], float(hmap(np.array([runs[self.optimizers[0]].train_loss[0]]))[0]))
        if self.halo:
            heads = {o_: tr.trace.head for o_, tr in zip(self.optimizers, trails) if tr.trace.head is not None}
            self.halos = head_halos(self.camera, heads, [n_ for names in surf.meta["ranking"] for n_ in names],
                                    start_at, self.halo_near, self.halo_cover)
            for o_, halo in self.halos.items():
                mesh.occlude(halo, lift=0.9e4 - rank[o_])  # under every head: a ring never hides a dot
        stars = [marker(axes.c2p(x, y, float(hmap(np.array([surf.loss.min()]))[0])), radius=0.24,
                        hollow=True)
                 for x, y in surf.meta["minima"]]
        # the shared start, ringed like the 2-D race's, at its true loss
        first = runs[self.optimizers[0]]
        st = axes.c2p(*surf.meta["start"], float(hmap(np.array([first.train_loss[0]]))[0]))
        ring = mn.VGroup(*[mn.Circle(radius=0.16, stroke_color=color(c), stroke_width=w).move_to(st)
                           for c, w in ((theme.BACKGROUND, 7), (theme.FOREGROUND, 3.5))])
        # once the race is under way the ○ is a filled disc over the trails' piled-up first steps (at step 0
        # it is hollow: every head sits inside it)
        ring[0].add_updater(lambda m: m.set_fill(color(theme.BACKGROUND),
                                                 opacity=1.0 if t.get_value() > self.start_filled_after else 0.0))
        stars.append(ring)
        for p in surf.meta.get("saddles", []):  # the saddle point the runs start next to, as in the 2-D race
            c = axes.c2p(*p, float(hmap(np.array([self.surface_value(surf, p)]))[0]))
            stars.append(cross_mark(c, 0.12, color(theme.FOREGROUND), 4, rim=8))
        # the start and the minimum stay on top (★ sits at the bottom of a pit one mesh cell wide)
        self.add_fixed_orientation_mobjects(*stars, *ax_labels, *guide_labels, *self.halos.values())
        tuning = tuning_record(self.surface, rec)
        title = heading(f"The same race on the {self.surface.capitalize()} surface", size=30, buff=0.2)
        what = text(self.subtitle_words(surf, tuning), size=self.sub_size)
        scale = text("height = loss" + ((", log scale" + (f" ({hmap.delta:.1g} added, so 0 fits)" if not hmap.positive else ""))
                                        if hmap.log else "") + self.start_words(surf), size=24)
        what = mn.VGroup(what, scale).arrange(mn.DOWN, buff=0.08)
        what.next_to(title, mn.DOWN, buff=0.12)
        legend = Legend([(f"{NAMES[o]}  η = {runs[o].meta['hyper']['lr']:.2g}", color("optimizer", o))
                         for o in self.optimizers], font_size=26, buff=0.14)
        # the dashed-chord key only where some step is drawn as one (longer than `jump` on the box)
        chords = any(np.any(np.linalg.norm(np.diff(np.array([axes.c2p(*p_) for p_ in q]), axis=0), axis=1) > self.jump)
                     for q in drawn)
        jump_key = mn.VGroup()
        if chords:
            jump_key.add(mn.VGroup(mn.DashedLine(mn.ORIGIN, 0.4 * mn.RIGHT, dash_length=0.07,
                                                 color=color(theme.FOREGROUND), stroke_width=2.5),
                                   text("one step, drawn straight\n(not on the surface)", size=self.key_size,
                                        line_spacing=0.8)).arrange(mn.RIGHT, buff=0.15))
        if self.halos:  # what a ring round a dot means (also on the mid-race stop and the end card)
            jump_key.add(self.ring_key())
        jump_key.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.15)
        counter = StepCounter(t, total=surf.meta["steps"], size=28, drawing=True)
        side = mn.VGroup(counter, legend, jump_key).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.25)
        side.to_edge(mn.RIGHT, buff=0.3).shift(0.3 * mn.DOWN)
        self.add_fixed_in_frame_mobjects(title, what, side)
        self.add(mesh, *rings, ax_line, ax_marks, *guides, *trails, *ax_labels, *guide_labels, *stars)
        warp = race_warp(surf, runs, self.run_time)
        t.set_value(warp.first_step)
        if self.start_filled_after < warp.first_step:  # every head is at ○: under its disc until the race runs
            self.update_mobjects(0)                      # (a head redraws itself once its step changes)
            for tr in trails:
                if tr.trace.head is not None:
                    tr.trace.head.set_opacity(0)
        self.wait(self.intro_time)  # the start and the subtitle's two lines read, then one line is enough
        self.pause("race-start")
        what.remove(scale)
        self.begin_ambient_camera_rotation(rate=self.orbit_rate)
        stops = self.mid_beats(surf, runs)
        grid_ = sorted({float(warp.step_at(x)): x for x in np.linspace(0, warp.run_time, 801)}.items())
        t0 = 0.0
        for n_stop, (k, words, who) in enumerate(stops):  # the race stops at step k for one caption, then runs on
            who = [who] if isinstance(who, str) else list(who or [])
            tk = float(np.interp(k, *zip(*grid_)))
            self.play(warp.segment(t, t0, tk))
            t.set_value(float(k))  # held on step k itself (the counter and the caption name the same step)
            self.update_mobjects(0)  # a wait without time-based updaters would freeze the frame before it
            self.stop_ambient_camera_rotation()
            ring = mn.VGroup()
            # the runs the caption is about, and GD when named (the legend is away while the caption is read):
            # each head named, with a short arrow to it (a ring round a dot means a run hidden under it)
            named = list(dict.fromkeys(who + (["gd"] if "GD" in words else [])))
            covers = {}  # `mid_legend`: a ringed head named too, with the run under it ("Adam (Nesterov under it)")
            if self.mid_legend:
                for o_, h in self.halos.items():
                    h.update()
                    if h.covered_by is not None and h.get_stroke_opacity() > 0:
                        covers[h.covered_by] = o_
                        named.append(h.covered_by)
            for o_ in dict.fromkeys(named):
                run = runs[o_]
                j = min(int(np.searchsorted(run.steps, t.get_value() - 1e-9)), len(run.thetas) - 1)
                lo_, hi_ = np.asarray(surf.xs)[[0, -1]], np.asarray(surf.ys)[[0, -1]]
                if not (lo_[0] <= run.thetas[j][0] <= lo_[1] and hi_[0] <= run.thetas[j][1] <= hi_[1]):
                    continue  # off the drawn surface: no head to point at
                head = axes.c2p(*run.thetas[j][:2], float(hmap(np.array([run.train_loss[j]]))[0]))
                spot = np.asarray(self.camera.project_points(np.array([head], float))[0][:2], float)
                c_ = color("optimizer", o_)
                tag = text(NAMES[o_], size=28, color=c_)
                side_ = mn.LEFT if o_ == "gd" and o_ not in who else self.tag_side.get(o_, mn.DOWN)
                if o_ in covers and o_ not in who:  # the ringed dot: whose it is, and whose ring
                    tag = mn.VGroup(tag, text(f"({NAMES[covers[o_]]} under it)", size=28,
                                              color=color("optimizer", covers[o_]))).arrange(mn.DOWN, buff=0.06)
                    side_ = mn.DOWN
                if self.mid_legend and o_ in self.mid_tag_at:  # in the dark off the surface, on a leader to its dot
                    ring.add(*leader_tag(tag, spot, self.mid_tag_at[o_], c_))
                else:
                    ring.add(*arrow_tag(tag, spot, side_, c_))
            # in the legend's place, under the counter, on plain background (cut in and out: never on the
            # surface, never two texts at once)
            if self.mid_legend:  # under the legend (every dot stays named), in the ring key's place
                cap = fit_text(words, max(legend.width, self.mid_width), size=28)
                cap.next_to(legend, mn.DOWN, buff=0.35, aligned_edge=mn.LEFT)
                side.remove(jump_key)
            else:
                cap = fit_text(words, self.mid_width, size=28)
                cap.next_to(counter, mn.DOWN, buff=0.35, aligned_edge=mn.LEFT)
                side.remove(legend, jump_key)
            cap.shift(min(0.0, mn.config.frame_x_radius - 0.3 - cap.get_right()[0]) * mn.RIGHT)
            if self.halos and not self.mid_legend:  # the ring key stays on screen under the caption
                key = self.ring_key()  # under the caption when it fits, else in the frame's lower left corner
                key.next_to(cap, mn.DOWN, buff=0.3, aligned_edge=mn.LEFT)
                if key.get_bottom()[1] < -mn.config.frame_y_radius + 0.15:
                    key.to_corner(mn.DL, buff=0.3)
                ring.add(key)
            self.add_fixed_in_frame_mobjects(ring, cap)
            self.pause("race-mid" if n_stop == 0 else f"race-mid-{n_stop}")
            self.wait(self.mid_time)
            self.remove(ring, cap)
            side.remove(legend)
            side.add(legend, jump_key)
            self.begin_ambient_camera_rotation(rate=self.orbit_rate)
            t0 = tk
        self.play(warp.segment(t, t0, warp.run_time))
        self.stop_ambient_camera_rotation()
        self.race_over(trails)
        self.pause("race-run")
        glide = []  # the picture's place on screen moves with the camera (`end_offset`)
        if self.end_offset is not None:
            self.remove(*self.axis_parts)  # the loss axis goes first (it would slide off the frame's edge)
            o0, o1 = np.asarray(self.camera.offset, float), np.asarray(self.end_offset, float)
            glide.append(mn.UpdateFromAlphaFunc(mn.Mobject(), lambda m, a: setattr(
                self.camera, "offset", tuple((o0 + (o1 - o0) * mn.smooth(a)).tolist()))))
        self.move_camera(phi=self.end_phi * mn.DEGREES, theta=self.end_theta * mn.DEGREES, run_time=2.0,
                         added_anims=glide, **({"zoom": self.end_zoom_factor} if self.end_zoom_factor else {}))
        self.end_card(surf, runs, tuning, probe_record(self.surface, rec), trails, what, side, axes=axes, hmap=hmap)

    def end_card(self, surf, runs, tuning, probes, trails, what, side, axes=None, hmap=None):
        """At rest, in place of the legend column `side` (a subclass may draw its own; `probes`: the tuning
        grid's probe curves; `axes` and `hmap` place points on the surface), the end card: the recorded ranking, beside it a visual slot (the top view of ★; per closing line
        its own picture: the stability-limit chart, close-ups of a stretch of trail), under them one closing
        line at a time. Each line lights the run(s) it is about (the others' trails dimmed) and shows where
        its number is measured; the loss axis goes (the card's column is the picture's right half)."""
        by_name = dict(zip(self.optimizers, trails))
        self.remove(*self.axis_parts)  # the loss axis: read during the race, not needed at rest
        rows = self.ranking_rows(surf, runs, tuning)
        ranking = mn.VGroup(text("final f − f*", size=28), rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
        zoom = self.end_zoom(surf, runs)
        top = mn.VGroup(ranking, zoom).arrange(mn.RIGHT, buff=0.4, aligned_edge=mn.UP)
        top.to_edge(mn.RIGHT, buff=0.25)
        top.shift((what.get_bottom()[1] - 0.25 - top.get_top()[1]) * mn.UP)
        width = mn.config.frame_x_radius - 0.25 - top.get_left()[0]
        lim = R3.limit_rows(runs, tuning, probes)
        # each closing line's picture in the ranking's and the top view's place (its words name the places)
        views = {"top": top, "zigzag": zigzag_boxes(runs, 2.5), "adagrad": adagrad_box(runs, 2.6),
                 "bounce": bounce_strip(lim, probes, top.width - 0.1),
                 "neighbours": neighbour_table(tuning, surf.meta["ranking"][0][0], lim)}
        for n in (1, 2, 3):
            views[f"chart{n}"] = limit_chart(lim, n, top.width - 0.1)
        for v in views.values():
            v.move_to(top.get_corner(mn.UL), aligned_edge=mn.UL)
        beats = self.lit_beats(surf, runs, tuning, probes, lim, zoom)
        floor = min(top.get_bottom()[1], *(v.get_bottom()[1] for v in views.values()))  # the captions start under
        # the tallest picture, all at one place
        first = runs[self.optimizers[0]]
        start = axes.c2p(*surf.meta["start"], float(hmap(np.array([first.train_loss[0]]))[0]))
        pin = start_pin(np.asarray(self.camera.project_points(np.array([start], float))[0][:2], float))
        self.remove(side)  # cut from the legend to the end card (no half-faded frame of either)
        left = top.get_left()[0] - 0.2
        panel = mn.Rectangle(width=mn.config.frame_x_radius - left + 0.1, height=top.get_top()[1] + 0.1 + 4.1,
                             stroke_width=1.5, stroke_color=color(theme.MUTED), fill_color=color(theme.GRID),
                             fill_opacity=1.0)
        panel.move_to([left, top.get_top()[1] + 0.1, 0], aligned_edge=mn.UL)
        self.add_fixed_in_frame_mobjects(panel, top)
        self.wait(0.5)
        shown, view, pinned = None, top, False
        for i, b in enumerate(beats):
            w = fit_text(b["words"], width, size=self.beat_size)
            w.move_to([top.get_left()[0], floor - 0.3, 0], aligned_edge=mn.UL)
            new = views[b.get("view", "top")]
            if shown is not None:  # a cut, not a fade: a line is either there or not
                self.remove(shown)
            if new is not view:
                self.remove(view)
                self.add_fixed_in_frame_mobjects(new)
                view = new
            if b.get("start") and not pinned:
                self.add_fixed_in_frame_mobjects(pin)
            elif pinned and not b.get("start"):
                self.remove(pin)
            pinned = bool(b.get("start"))
            light_runs(by_name, b.get("lit"))
            self.add_fixed_in_frame_mobjects(w)
            self.pause(f"race-beat-{i}")
            self.wait(self.beat_time * b.get("hold", 1.0))
            shown = w

    def lit_beats(self, surf, runs, tuning, probes, lim, zoom) -> list[dict]:
        """The closing lines of the lit end card, in order: {"words", "lit": runs lit (None: all as in the
        race), "view": the slot's picture, "start": the start ○ pointed at, "hold": × beat_time}."""
        out = []  # (the ring round Adam's dot: the legend's and the mid-race stop's key, the top view's tag)
        w = surf.meta["ranking"][0][0]
        out.append({"words": R3.velocity_end_text(surf, runs), "lit": [w]})
        for n, key in (("gd", "chart1"), ("momentum", "chart2"), ("nesterov", "chart3")):
            out.append({"words": R3.limit_text(n, lim, RV.place_of(surf, n)), "lit": [n], "view": key,
                        "start": True, "hold": 1.2})
        g_ = lim["gd"]["next"]  # where GD one grid η up would have placed (among the others' chosen runs)
        g_["place"] = RV.place_among(tuning.meta, "gd", g_["final"])
        out.append({"words": R3.bounce_text(surf, lim), "lit": ["gd", "nesterov"], "view": "bounce", "hold": 1.4})
        out.append({"words": R3.zigzag_text(surf, runs), "lit": ["rmsprop", "adam"], "view": "zigzag", "hold": 1.2})
        out.append({"words": R3.adagrad_steps_text(surf, runs), "lit": ["adagrad"], "view": "adagrad", "hold": 1.2})
        out.append({"words": R3.fragile_verdict(tuning), "lit": [w], "view": "neighbours"})
        out.append({"words": R3.race_takeaway(surf, runs, tuning), "lit": None, "hold": 1.4})
        return out

    def race_over(self, trails):
        """Called once the last step is drawn, before the camera moves to rest (a subclass may clear marks)."""

    def subtitle_words(self, surf, tuning) -> str:
        """The subtitle under the title (kept through the race; `tuning`: the tuning grid's record)."""
        return (f"each η: the best of one shared grid · {surf.meta['steps']} steps · ○ start · ★ minimum"
                + ("  × saddle" if surf.meta.get("saddles") else ""))

    def guides(self, axes, surf, hmap):
        """Lines drawn on the surface (occluded like the paths) and their labels (facing the camera)."""
        return [], []

    def mid_beats(self, surf, runs) -> list:
        """The race's stops, in step order: [(step, caption, optimizer(s) named on the surface)]."""
        m = self.mid_beat(surf, runs)
        return [] if m is None else [m]

    def mid_beat(self, surf, runs):
        """(step, caption, optimizer or None) where the race stops once for a caption (ringing that run's
        head), or None. On Rosenbrock: the step the winner's loss first drops below 1, when a velocity
        method wins and GD ends last (`velocity_mid_text`)."""
        w = surf.meta["ranking"][0]
        if len(w) == 1 and w[0] in ("momentum", "nesterov") and surf.meta["ranking"][-1] == ["gd"]:
            k = R3.below_step(runs[w[0]])
            if k is not None:
                return k, R3.velocity_mid_text(surf, runs, w[0], k), w[0]
        return None

    def start_words(self, surf) -> str:
        """Words on the start, after the height line ('' for none)."""
        return ""

    @staticmethod
    def end_centre(surf, runs) -> np.ndarray:
        """The minimum nearest to where the winner (the first in the recorded ranking: on the saddle, the first
        arrival) ends (the saddle has two ★)."""
        minima = np.asarray(surf.meta["minima"], float)
        win = runs[finish_order(surf)[0]].thetas[-1][:2]
        return minima[int(np.argmin(np.linalg.norm(minima - win, axis=1)))]

    def end_zoom(self, surf, runs) -> EndZoom:
        """The close-up of ★ beside the ranking: the runs in the first three places of the recorded
        ranking that end near the minimum, tagged with their place (tied runs fan out round one point)."""
        places = {n: i for i, names in enumerate(surf.meta["ranking"], start=1) for n in names}
        top = [n for n in self.optimizers if places[n] <= 3]
        centre = self.end_centre(surf, runs)
        near = [n for n in top if np.linalg.norm(runs[n].thetas[-1] - centre) < self.zoom_near]
        half = zoom_half(centre, [runs[n].thetas[-1] for n in near])
        tags = {n: f"{places[n]}" for n in near}
        zoom = EndZoom(centre, half, {n: runs[n].thetas for n in near}, {n: color("optimizer", n) for n in near},
                       tags, text, side=self.zoom_side, size=28, key=False, rings=self.halo,
                       order=[n_ for names in surf.meta["ranking"] for n_ in names],
                       header=f"{self.zoom_name}: ★ ± {half:g}")
        return zoom

    def ring_key(self) -> mn.VGroup:
        """What a ring round a head means (said wherever a ring can be on screen): `ring_words` beside a ring."""
        return mn.VGroup(mn.VGroup(mn.Circle(radius=0.15, stroke_color=color(theme.MUTED), stroke_width=4),
                                   mn.Dot(radius=0.08, color=color(theme.FOREGROUND))).move_to(0.2 * mn.RIGHT),
                         text(self.ring_words, size=self.ring_size, line_spacing=0.8)).arrange(mn.RIGHT, buff=0.15)

    def ranking_rows(self, surf, runs, tuning) -> mn.VGroup:
        """The recorded ranking, best first, one row per optimizer in its colour; a place shared at
        round-off (every final below 10⁻¹²) is one row 'N. tied < 10⁻¹², reached at step:' with its
        members under it, in the order they first got within 10⁻¹² of the minimum, each with that step."""
        rows = []
        for place, names in enumerate(surf.meta["ranking"], start=1):
            finals = [runs[n].meta["final_loss"] for n in names]
            if len(names) > 1 and max(finals) <= ATOL:  # a round-off tie: when each got to ★
                first = {n: first_below(runs[n], tuning.meta["min_value"], ATOL) for n in names}
                rows.append(text(f"{ordinal(place)}, tied at ★\n(f − f* < 10⁻¹²) by step", size=26, line_spacing=0.8))
                for n in sorted(names, key=lambda n: first[n]):
                    rows.append(text(f"{NAMES[n]} {first[n]}", size=26, color=color("optimizer", n)))
                    rows[-1].indent = True
                rows.append(text(f"f − f* after {surf.meta['steps']} steps:", size=26))
                continue
            for n in names:
                rows.append(text(f"{place}. {NAMES[n]} {loss_words(runs[n].meta['final_loss'])}", size=28,
                                 color=color("optimizer", n)))
        body = mn.VGroup(*rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1)
        for r in rows:
            if getattr(r, "indent", False):
                r.shift(0.35 * mn.RIGHT)
        return body


class DescentRace3DSaddle(DescentRace3D):
    """The saddle race in 3-D. At rest the surface keeps only ★ and the trails (at this zoom six runs end on
    one ★): a top view of ★'s neighbourhood beside it, to scale and turned like the surface, carries who
    ends where, and the ranking is by the step each run reached ★ (the saddle delays GD: the point)."""
    surface = "saddle"
    tag_side = {"adagrad": mn.LEFT, "rmsprop": mn.UP, "adam": mn.DOWN}
    end_zoom_factor = 0.56    # at rest the surface leaves the right half to the top view and the ranking
    end_offset = (-3.9, -0.5)  # and glides left, clear of the top view's box
    sub_size, key_size = 26, 26
    ring_words, ring_size = "ring round a dot:\na run under it", 28
    axis_ticks = 0            # no loss axis: at the front corner it read as a pin through the start
    halo_cover = 0.02         # ringed only on the covering dot's spot: the 4 tied first round RMSprop's dot
    mid_legend = False        # its stops as before DescentRace3D's t8 changes (the end card is its own)
    start_filled_after = 0.5  # its ○ hollow at step 0 (every head inside it)
    top_half = 0.14           # the end's top view: ★ ± this along its sides (Momentum's end, 0.13 off ★, inside)
    top_side = 3.4            # its box (scene units: 204 px at 854 × 480)
    top_bar = 0.05            # its scale bar
    path_half, path_bar = 0.5, 0.2  # the closing lines' top view of one run's last steps (its swing fits)
    path_steps = 12           # Adam's and Momentum's last steps shown there
    end_size = 28             # the end card's text
    end_hold = 3.5            # seconds each closing line is held (the takeaway: 1.4×)

    def subtitle_words(self, surf, tuning) -> str:
        """What 'best η' means here (the tuning's rule on this surface: the lowest f at the last step, a tie
        of several η at ★ going to the first there), the marks."""
        return (f"η: first on ★, else lowest f at step {surf.meta['steps']} · grid {power_of_ten(tuning.lrs[0])}…"
                f"{tuning.lrs[-1]:g}, {tuning.config['per_decade']} per decade")

    def ring_key(self) -> mn.VGroup:
        """What a ring round a dot means, and under it the marks' key (○ ★ ×: the subtitle says the η rule)."""
        return mn.VGroup(super().ring_key(), self.marks_key()).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.15)

    @staticmethod
    def marks_key() -> mn.Mobject:
        return text("○ start · ★ minimum · × saddle", size=26)

    def ranking_rows(self, surf, runs, tuning, arrived=None) -> mn.VGroup:
        """By arrival: the runs that reach ★ (f − f* < 10⁻¹²), with the step, earliest first; then the
        others with their f − f* at the last step. One numbering through both. `arrived`: `R3.arrivals`,
        when computed already."""
        there, rest = R3.arrivals(surf, runs, tuning.meta["min_value"]) if arrived is None else arrived
        rows = [text("reached ★ at step\n(f − f* < 10⁻¹²):", size=self.end_size, line_spacing=0.8)]
        for i, (n, k) in enumerate(there, start=1):
            rows.append(text(f"{i}. {NAMES[n]} {k}", size=self.end_size, color=color("optimizer", n)))
        rows.append(text(f"at step {surf.meta['steps']}, f − f*:", size=self.end_size))
        for i, (n, f) in enumerate(rest, start=len(there) + 1):
            rows.append(text(f"{i}. {NAMES[n]} {loss_words(f)}", size=self.end_size, color=color("optimizer", n)))
        body = mn.VGroup(*rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.05)
        for r in (rows[len(there) + 1],):  # a little air before the second group
            body[body.submobjects.index(r):].shift(0.12 * mn.DOWN)
        body.row_of = {n: rows[i] for i, n in enumerate([n for n, _ in there], start=1)}
        body.row_of.update({n: rows[i] for i, n in enumerate([n for n, _ in rest], start=len(there) + 2)})
        return body

    def top_view(self, surf, runs, tuning, turn: float, arrived=None) -> TopView:
        """The end's top view: the runs on ★ one pie dot ('1–4 on ★'), the others at their recorded ends
        tagged with their place and name (their f − f* in the ranking beside it; `arrived` as for
        `ranking_rows`)."""
        there, rest = R3.arrivals(surf, runs, tuning.meta["min_value"]) if arrived is None else arrived
        centre = self.end_centre(surf, runs)
        on = [n for n, _ in there if np.linalg.norm(runs[n].thetas[-1][:2] - centre) < self.halo_cover]
        place = {n: i for i, n in enumerate([n for n, _ in there] + [n for n, _ in rest], start=1)}
        tags = {n: f"{place[n]}. {NAMES[n]}" for n, _ in rest}  # (its f − f* in the ranking beside)
        nums = sorted(place[n] for n in on)
        return TopView(centre, self.top_half, self.top_side, turn,
                       {n: runs[n].thetas[-1:] for n in reversed(finish_order(surf)) if n in tags},
                       {n: color("optimizer", n) for n in self.optimizers}, on,
                       (f"{nums[0]}–{nums[-1]}" if len(nums) > 1 else f"{nums[0]}") + " on ★", tags,
                       size=self.end_size, header=f"top view: ★ ± {self.top_half:g}", lines=False,
                       bar=self.top_bar)

    def path_view(self, surf, runs, name: str, first: int, last: int, turn: float, mark=None) -> TopView:
        """One run's steps `first`…`last` in the top view, zoomed out to ★ ± `path_half` so its swing fits:
        a line with a dot at each iterate, older steps fainter, its dot at step `last` tagged. `mark`: a step
        whose distance from ★ is measured (a ruler from ★ to its white-ringed iterate, its length beside it)."""
        centre = self.end_centre(surf, runs)
        th = np.asarray(runs[name].thetas, float)[:, :2]
        v = TopView(centre, self.path_half, self.top_side, turn, {name: th[first:last + 1]},
                    {name: color("optimizer", name)}, [], "", {name: f"step {last}"},
                    size=self.end_size, header=f"top view: ★ ± {self.path_half:g}", fade=True, bar=self.path_bar,
                    hollow=True, dot=0.3)
        v.ruler = None if mark is None else v.star_ruler(th[mark], color("optimizer", name), size=self.end_size)
        return v

    def end_beats(self, surf, runs, tuning, arrived=None) -> list[tuple]:
        """The closing lines, each with the run it is about and the steps the top view then shows of it
        (None: the ends): why Adam and Momentum never reach ★, why Nesterov gets there after GD, the
        takeaway (on the ends). `arrived` as for `ranking_rows`."""
        n = len(runs["adam"].thetas) - 1
        k = self.path_steps
        kn = RV.ridge_step(runs["nesterov"])
        arrived = R3.arrivals(surf, runs, tuning.meta["min_value"]) if arrived is None else arrived
        there = dict(arrived[0])
        return [(R3.adam_swing_text(surf, runs, self.end_centre(surf, runs), k), "adam", (n - k, n)),
                (R3.momentum_late_text(surf, runs, tuning), "momentum", (n - k, n)),
                (R3.nesterov_overshoot_text(surf, runs, tuning, arrived), "nesterov",
                 (kn, there["nesterov"], R3.overshoot_step(runs["nesterov"], surf))),
                (R3.saddle_takeaway(surf, runs, tuning.meta["min_value"], arrived), "gd", None)]

    def end_card(self, surf, runs, tuning, probes, trails, what, side, axes=None, hmap=None):
        """At rest: on the surface only ★ and the trails (the heads and rings went when the race ended: at
        this zoom six ends share one ★); beside it the top view of ★ (framed on the surface, to scale,
        turned like it) and the ranking by arrival; then one closing line at a time, each lighting its run
        (its trail on the surface, its row in the ranking, its last steps in the top view), the takeaway
        last, on the ends again."""
        centre = self.end_centre(surf, runs)
        z = float(hmap(np.array([surf.loss.min()]))[0])
        turn = screen_turn(self.camera, axes, centre, z)
        arrived = R3.arrivals(surf, runs, tuning.meta["min_value"])  # once: the view, the rows and the lines read it
        view = self.top_view(surf, runs, tuning, turn, arrived)
        rows = self.ranking_rows(surf, runs, tuning, arrived)
        top = mn.VGroup(view, rows).arrange(mn.RIGHT, buff=0.35, aligned_edge=mn.UP)
        top.to_edge(mn.RIGHT, buff=0.25)
        top.shift((what.get_bottom()[1] - 0.2 - top.get_top()[1]) * mn.UP)
        width = mn.config.frame_x_radius - 0.25 - top.get_left()[0]
        beats, plan = [], self.end_beats(surf, runs, tuning, arrived)
        key = self.marks_key().to_corner(mn.DL, buff=0.3)  # under the surface (the legend's key goes with it)
        floor = -mn.config.frame_y_radius + 0.25  # ≥ 15 px above the frame's bottom, and clear of the key's line
        if key.get_right()[0] > top.get_left()[0] - 0.5:  # (a line ending beside the key would read as one line)
            floor = max(floor, key.get_top()[1] + 0.15)
        room = top.get_bottom()[1] - 0.3 - floor
        for words, who, steps in plan:
            w = fit_text(words, width, size=self.end_size)
            if w.height > room:  # shrunk to fit, never below size 24 (today's four lines: to 0.95–0.97 of their size)
                w.scale(max(room / w.height, 24 / self.end_size))
            w.next_to(top, mn.DOWN, buff=0.3).align_to(top, mn.LEFT)
            extra = mn.VGroup()
            if who is not None and steps is not None:  # (the takeaway, steps None: GD lit, on the ends)
                pv = self.path_view(surf, runs, who, steps[0], steps[1], turn, mark=(steps[2:] or [None])[0])
                pv.shift(view.box.get_center() - pv.box.get_center())  # in the ends' box, at its own scale
                extra.add(pv)
            beats.append((w, who, extra))
        wide = None
        def source(half):
            """Where a top view is taken from: its window (turned like it), at ★'s height, projected on the
            surface, outlined like the box."""
            R = np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])  # box → plane
            q = [centre + R @ (half * np.array(c_)) for c_ in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
            P = np.asarray(self.camera.project_points(np.array([axes.c2p(*p_, z) for p_ in q], float)), float)
            P[:, 2] = 0.0
            return mn.Polygon(*P, stroke_color=color(theme.FOREGROUND), stroke_width=2.5)
        frame = source(self.top_half)
        by_name = dict(zip(self.optimizers, trails))
        self.remove(side)  # cut from the legend to the end card (no half-faded frame of either)
        self.add_fixed_in_frame_mobjects(frame, top, key)
        self.pause("race-ends")
        self.wait(self.end_hold * 0.6)  # the ends and the ranking read before the first line
        shown = []
        steps_of = [b[2] for b in plan]
        for i, (w, who, extra) in enumerate(beats):
            self.remove(*shown)  # a cut, not a fade: a line is either there or not
            light_runs(by_name, [who] if who else None)
            for n_, r_ in rows.row_of.items():  # its row in the ranking bright, the other runs' rows dimmed
                r_.set_opacity(1.0 if who in (None, n_) else 0.7)  # (dimmed rows stay readable: ≥ 4.5:1)
            if steps_of[i] is not None:
                self.remove(view, frame)
                top.remove(view)
                wide = wide or source(self.path_half)  # the zoomed-out view's window on the surface
                extra.add(wide)
            elif view not in top:
                top.add(view)
                self.add_fixed_in_frame_mobjects(view, frame)
            self.add_fixed_in_frame_mobjects(w, extra)
            self.update_mobjects(0)
            self.pause(f"race-beat-{i}")
            self.wait(self.end_hold * (1.4 if i == len(beats) - 1 else 1.0))
            shown = [w, extra]

    def race_over(self, trails):
        """The heads' dots off the surface once the race is over (and with them every ring round one): at
        rest six runs end on one ★ at this zoom; the top view says who ends where."""
        for tr in trails:
            if tr.trace.head is not None:
                tr.trace.head.set_opacity(0)
        self.update_mobjects(0)  # the rings follow their heads (a wait with nothing moving runs no updater)

    def mid_beats(self, surf, runs) -> list:
        """Two stops: the adaptive methods off the ridge at once (each coordinate divided by its own |gᵢ|),
        then GD's slow escape (×(1 + 2η) a step)."""
        k = max(RV.ridge_step(runs[o]) for o in ("adagrad", "rmsprop", "adam"))
        return [(k, R3.escape_text(surf, runs), ["adagrad", "rmsprop", "adam"]),
                (RV.ridge_step(runs["gd"]), R3.gd_escape_text(surf, runs), "gd")]

    def start_words(self, surf) -> str:
        sy = surf.meta["saddles"][0][1]
        return f" · ○ starts {abs(float(surf.meta['start'][1]) - sy):g} off the ridge (white line)"

    def guides(self, axes, surf, hmap):
        """The ridge through × (the grid row at the saddle's y: along it the loss rises both ways from ×,
        across it the loss falls to either ★), dashed, labelled at the end away from the start ○."""
        sy = surf.meta["saddles"][0][1]
        j = int(np.argmin(np.abs(np.asarray(surf.ys) - sy)))
        xs = np.asarray(surf.xs, float)
        h = hmap(np.asarray(surf.loss, float)[j])
        line = mn.VMobject(stroke_color=color(theme.FOREGROUND), stroke_width=3)
        line.set_points_as_corners([axes.c2p(x, surf.ys[j], z) for x, z in zip(xs, h)])
        line = outline(line.set_stroke(width=2.5, opacity=0.9), 2.0)  # solid: dashes mean a jump
        # the label on the far half of the ridge (from the start ○), a quarter in from its end
        far = int(round(0.78 * (len(xs) - 1))) if abs(xs[-1] - surf.meta["start"][0]) > abs(xs[0] - surf.meta["start"][0]) \
            else int(round(0.22 * (len(xs) - 1)))
        tag = text("ridge", size=24)
        tag.move_to(axes.c2p(xs[far], surf.ys[j], float(h[far]))).shift(0.4 * mn.OUT)
        tag.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.7, buff=0.05)
        return [line], [tag]
    phi, theta = 48, -150
    end_phi, end_theta = 45, -125
    zoom = 0.76               # low walls (z_length) keep its four high corners out of the title
    z_length = 1.8
    offset = (-3.3, -0.35)     # room left of the surface for the step-1 names
