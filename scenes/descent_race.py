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
from functools import lru_cache

import re

import manim as mn
import numpy as np

from nnviz import experiments, optim, theme
from nnviz.experiments.descent import (RACE_NAMES, RACE_ORDER,
                                      finish_order, first_below, leaders_text, ordinal, loss_words, power_of_ten,
                                      momentum_gain, race_verdict, step_lengths, zigzag,
                                      wrap_words)
from nnviz.experiments import race_views as RV
from nnviz.tuning import ATOL, PEAK
from nnviz.render.pacing import TimeWarp, combine, path_progress
from nnviz.render.plots import LabelledAxes, Legend
from nnviz.render.style import ThemedScene, ThemedThreeDScene, color, heading, label, text
from nnviz.render.surface import ContourMap, box_axes, height_map
from nnviz.render.surface3d import EndZoom, PlaneInset, SurfaceMesh, covering_head, decade_ticks, height_axis, level_rings, marker, outline, zoom_half
from nnviz.render.widgets import DescentPath, StepCounter

NAMES = RACE_NAMES
SYMBOL = {"lr": "η", "beta": "β", "decay": "ρ", "beta1": "β₁", "beta2": "β₂"}
RULE_OF = {"gd": "sgd"}  # GD's update rule is optim.sgd's, on the whole objective


def race_records(surface: str, optimizers=RACE_ORDER):
    rec = experiments.load("descent_race")
    return rec[f"{surface}__surface"], {o: rec[f"{surface}__{o}"] for o in optimizers}


def tuning_record(surface: str):
    return experiments.load("descent_race")[f"{surface}__tuning"]


def verdict_text(tuning) -> str:
    """The robustness verdict in words, naming the winner's neighbouring rates."""
    m = tuning.meta
    w = m["winner"][0]
    return race_verdict(m, NAMES.get, tuning.lrs, int(tuning.chosen[m["names"].index(w)]))


def loss_text(f: float) -> str:
    """A final loss as shown: round-off (below the tie rule's floor) reads "< 10⁻¹²", no code notation."""
    return loss_words(f)


SUPER = {1: "", 2: "²", 3: "³", 4: "⁴"}


def formula_text(formula: str) -> str:
    """The record's formula as shown: a sum over constants written out term by term
    ("f = Σᵢ(cᵢ − x + xyⁱ)², c = 1.5, 2.25" → "f = (1.5 − x + xy)²\n  + (2.25 − x + xy²)²"), one term a line."""
    if "Σᵢ(cᵢ" not in formula or ", c = " not in formula:
        return formula.replace(", c = ", "\nc = ")
    body, cs = formula.split(", c = ")
    inner = body[body.index("Σᵢ(cᵢ") + len("Σᵢ("):body.rindex(")")]
    terms = [f"({inner.replace('cᵢ', c.strip()).replace('yⁱ', 'y' + SUPER[i])})²"
             for i, c in enumerate(cs.split(","), start=1)]
    return "f = " + "\n   + ".join(terms)


def protocol_lines(surf, tuning, width: int = 32, tie: bool = False) -> list[str]:
    """The fairness claim, wrapped for the side column; `tie`: with the tie-break (tied final losses go to
    the run that first reaches the tied level)."""
    start = ", ".join(f"{v:g}" for v in surf.meta["start"])
    c = tuning.config
    grid = f"{power_of_ten(tuning.lrs[0])} … {power_of_ten(tuning.lrs[-1])}"
    words = (f"same start ○ ({start}), same {surf.meta['steps']} steps; η per optimizer: the best stable "
             f"final loss on one grid, {grid}, {c['per_decade']} per decade")
    if tie:
        words += "; a tie goes to the η first to get there"
    return wrap_words(words, width).split("\n")


ROW = 0.34  # the strip's row spacing


class RankStrip(mn.VGroup):
    """The recorded ranking drawn: one row per optimizer, best first, a bar and an outlined dot on a
    shared log axis of final loss f − f* (finishers stacked at the ★ are told apart here), the value
    at the end of the row. Runs tied at round-off are drawn at the floor, ordered by arrival (the first
    step with f − f* < 10⁻¹², printed in the row). With `tuning`, the winner at its η one grid step
    either way gets its own row under the winner's: hollow rings at those final losses, "unstable" in
    the value column for a rate that is, and a key naming the winner, the rates and the values."""

    def __init__(self, surf, runs, min_value: float, width: float = 2.1, size: float = 24, tuning=None,
                 ring_labels: bool = False, row: float = ROW, tick_every: int | None = None, room=None):
        """`ring_labels`: each neighbour's η written under its ring (and under "× unstable") instead of a
        key of lines under the axis; `row`: the row spacing (larger text needs more); `tick_every`: a tick
        every that many decades from the floor, the axis grown to the last one (else every decade with room);
        `room`: the whole strip's width, the axis taking what the names and values leave (else `width`)."""
        super().__init__()
        ROW = row  # noqa: N806
        order = finish_order(surf)
        self.order = order
        tied = [n for p in surf.meta["ranking"] if len(p) > 1 for n in p if runs[n].meta["final_loss"] <= ATOL]
        self.tied = tied
        f = {n: max(float(runs[n].meta["final_loss"]), ATOL) for n in order}
        lo = np.floor(np.log10(min(f.values())))
        hi = max(np.ceil(np.log10(max(f.values()))), lo + 2)
        if tick_every:
            hi = lo + tick_every * np.ceil((hi - lo) / tick_every)
        names = [text(NAMES[n], size=size, color=color("optimizer", n)) for n in order]
        name_w = max(m.width for m in names)
        if ring_labels and tuning is not None and tuning.meta.get("neighbours"):  # "Adam η=2.5", indented
            w0 = tuning.meta["winner"][0]
            j0 = int(tuning.chosen[tuning.meta["names"].index(w0)])
            name_w = max([name_w] + [0.3 + text(f"η={tuning.lrs[j0 + d]:.2g}", size=size).width for d in (-1, 1)])
        bg, muted, fg = color(theme.BACKGROUND), color(theme.MUTED), color(theme.FOREGROUND)
        self.head = text("final loss f − f*" + (f" (ties: step to {power_of_ten(ATOL)})" if tied else
                                                ", shortest bar best" if ring_labels else ", best first"), size=size)
        self.add(self.head)
        rows = mn.VGroup()
        x0 = name_w + 0.2
        if room is not None:  # the axis gets what the names and the widest value leave
            said = [f"step {first_below(runs[n], min_value, ATOL)}" if n in tied else loss_text(runs[n].meta["final_loss"])
                    for n in order]
            near = tuning.meta.get("neighbours") if tuning is not None else None
            if near and not (np.isfinite(near["lower"]) and np.isfinite(near["higher"])):
                said.append("× diverged")
            width = room - x0 - 0.15 - max(text(w, size=size).width for w in said) - 0.05
        pos = lambda v: x0 + width * (np.log10(v) - lo) / (hi - lo)  # noqa: E731
        nb = tuning.meta.get("neighbours") if tuning is not None else None
        w = tuning.meta["winner"][0] if nb else None
        y = 0.0
        keys = []
        for n, nm in zip(order, names):
            c = color("optimizer", n)
            nm.move_to([0, y, 0], aligned_edge=mn.LEFT)
            track = mn.Line([x0, y, 0], [x0 + width, y, 0], stroke_width=1.5, color=muted)
            x = pos(f[n])
            bar = mn.Line([x0, y, 0], [max(x, x0 + 1e-3), y, 0], stroke_width=6, color=c)
            dot = mn.Dot([x, y, 0], radius=0.09, color=c).set_stroke(bg, width=2.5, opacity=1)
            words = (f"step {first_below(runs[n], min_value, ATOL)}" if n in tied
                     else loss_text(runs[n].meta["final_loss"]))
            val = text(words, size=size, color=c).next_to([x0 + width, y, 0], mn.RIGHT, buff=0.15)
            rows.add(mn.VGroup(nm, track, bar, dot, val))
            y -= ROW
            if n == w and ring_labels:  # the winner one grid step either way, a row each: ◇ and its value
                j = int(tuning.chosen[tuning.meta["names"].index(w)])
                for side, dj in (("lower", -1), ("higher", 1)):
                    v = nb[side]
                    r = mn.VGroup(text(f"η={tuning.lrs[j + dj]:.2g}", size=size, color=c).move_to(
                        [0.3, y, 0], aligned_edge=mn.LEFT),
                        mn.Line([x0, y, 0], [x0 + width, y, 0], stroke_width=1.5, color=muted))
                    if np.isfinite(v):
                        r.add(mn.Square(0.17, stroke_color=c, stroke_width=3).rotate(np.pi / 4).move_to(
                            [pos(min(max(v, 10.0 ** lo), 10.0 ** hi)), y, 0]))
                        r.add(text(loss_text(v), size=size, color=c).next_to([x0 + width, y, 0], mn.RIGHT, buff=0.15))
                    else:
                        r.add(text("× diverged", size=size, color=c).next_to([x0 + width, y, 0], mn.RIGHT, buff=0.15))
                    rows.add(r)
                    y -= ROW
                # a bracket from the winner's name down its two rows: they are the winner at other rates
                top, bot = y + 2.5 * ROW - 0.12, y + 0.5 * ROW + 0.05
                rows.add(mn.VMobject(stroke_color=c, stroke_width=2.5).set_points_as_corners(
                    [[0.2, top, 0], [0.1, top, 0], [0.1, bot, 0], [0.2, bot, 0]]))
            elif n == w:  # the winner one grid step either way, on a row of its own
                j = int(tuning.chosen[tuning.meta["names"].index(w)])
                others = [v for m, v in tuning.meta["chosen_final"].items() if m != w]
                sub = mn.VGroup(text("η ± 1 step", size=size, color=c).move_to([0.15, y, 0], aligned_edge=mn.LEFT),
                                mn.Line([x0, y, 0], [x0 + width, y, 0], stroke_width=1.5, color=muted))
                unstable = False
                under = []
                for side, dj in (("lower", -1), ("higher", 1)):
                    v = nb[side]
                    eta = f"η={tuning.lrs[j + dj]:.2g}"
                    who = ""  # the row is the winner's (its colour, "η ± 1 step")
                    if np.isfinite(v):
                        ring = mn.Square(0.15, stroke_color=c, stroke_width=3).rotate(np.pi / 4).move_to(
                            [pos(min(max(v, 10.0 ** lo), 10.0 ** hi)), y, 0])  # ◇: ○ is the start
                        sub.add(ring)
                        if ring_labels:
                            under.append(text(eta, size=size, color=c).next_to(ring, mn.DOWN, buff=0.06))
                        place = 1 + sum(u < v for u in others)
                        keys.append(f"◇ {who}{eta}: {loss_text(v)}" + (f" ({ordinal(place)})" if place > 1 else ""))
                    else:
                        unstable = True
                        keys.append(f"× {who}{eta}: unstable")
                        gone = eta
                if unstable:  # no final loss: "× unstable" in the value column, not a point on the axis
                    sub.add(text("× unstable", size=size, color=c).next_to([x0 + width, y, 0], mn.RIGHT, buff=0.15))
                    if ring_labels:
                        under.append(text(gone, size=size, color=c).next_to(sub[-1], mn.DOWN, buff=0.06))
                under.sort(key=lambda m: m.get_x())
                for a, b in zip(under[:-1], under[1:]):  # side by side labels never touch: the left one moves
                    if a.get_right()[0] + 0.15 > b.get_left()[0]:
                        a.shift((a.get_right()[0] + 0.15 - b.get_left()[0]) * mn.LEFT)
                sub.add(*under)
                rows.add(sub)
                y -= ROW + (0.3 if under else 0)
        ticks = mn.VGroup()
        last_x = None
        bottom = y + ROW / 2
        for d in np.arange(lo, hi + 1e-9, 1):  # from the floor up, every decade that leaves room for its label
            x = pos(10.0 ** d)
            if tick_every and (d - lo) % tick_every:  # between labelled ticks: a short unlabelled one
                if (d - lo) % 3 == 0:
                    ticks.add(mn.Line([x, bottom, 0], [x, bottom - 0.05, 0], stroke_width=1.5, color=fg))
                continue
            if not tick_every and last_x is not None and x - last_x < 1.3:
                continue
            last_x = x
            ticks.add(mn.Line([x, bottom, 0], [x, bottom - 0.08, 0], stroke_width=2, color=fg))
            ticks.add(text(power_of_ten(10.0 ** d), size=size, color=fg).next_to(ticks[-1], mn.DOWN, buff=0.06))
        rows.add(ticks)
        if keys and not ring_labels:
            key = text("\n".join(keys), size=size, line_spacing=0.8, color=color("optimizer", w))
            rows.add(key.next_to(ticks, mn.DOWN, buff=0.12).align_to(names[0], mn.LEFT))
        rows.next_to(self.head, mn.DOWN, aligned_edge=mn.LEFT, buff=0.25)
        self.add(rows)
        self.rows = rows


class EscapeTable(mn.VGroup):
    """The saddle race's result as a table, one row per run in finishing order: the step it left the
    ridge (|y| > 0.5) and the step it reached ★ (f − f* below the tie rule's floor, as the verdict under
    it says), or "no" and its
    final loss for a run still moving at the last step. No axis: two numbers per row say it."""

    def __init__(self, surf, runs, min_value: float, size: float = 28, room: float = 6.0):
        super().__init__()
        order = finish_order(surf)
        done = [n for n in order if runs[n].meta["final_loss"] <= ATOL]
        fg = color(theme.FOREGROUND)
        names = {n: text(NAMES[n], size=size, color=color("optimizer", n)) for n in order}
        heads = [text("off ridge", size=size, color=fg), text("at ★", size=size, color=fg)]
        c1 = max(m.width for m in names.values()) + 0.3
        c2 = c1 + heads[0].width + 0.25
        rows = mn.VGroup(heads[0].move_to([c1, 0, 0], aligned_edge=mn.LEFT),
                         heads[1].move_to([c2, 0, 0], aligned_edge=mn.LEFT))
        y = -0.45
        for n in order:
            c = color("optimizer", n)
            right = (f"step {first_below(runs[n], min_value, ATOL)}" if n in done
                     else f"no ({loss_text(runs[n].meta['final_loss'])})")
            rows.add(names[n].move_to([0, y, 0], aligned_edge=mn.LEFT),
                     text(f"step {RV.ridge_step(runs[n])}", size=size, color=c).move_to([c1, y, 0], aligned_edge=mn.LEFT),
                     text(right, size=size, color=c).move_to([c2, y, 0], aligned_edge=mn.LEFT))
            y -= 0.4
        notes = ["off ridge: |y| > 0.5", f"at ★: f − f* < {power_of_ten(ATOL)}"]
        if len(done) < len(order):
            notes.append(f"no (…): f − f* at step {surf.meta['steps']}")
        for words in notes:
            y -= 0.05
            rows.add(text(words, size=size, color=fg).move_to([0, y, 0], aligned_edge=mn.LEFT))
            y -= 0.4
        self.add(rows)
        if self.width > room:  # never past the caption margin
            self.scale_to_fit_width(room)
        self.order, self.tied = order, done


class SeriesChart(mn.VGroup):
    """A small chart of per-step series (one line per optimizer, in its colour, named at its end), the
    lines brought in a few at a time (`show`): the side column's picture of a "why" beat."""

    def __init__(self, title: str, series: dict, x_range, y_range, log_y: bool = True, room: float = 6.0,
                 height: float = 2.3, size: float = 24, dots=(), labels=None, hline=None, stack: str = "up",
                 y_ticks=None, key: bool = False, key_above: bool = False, ends: bool = False, x_ticks: int = 2,
                 guides=None, key_inside: bool = False, gaps=None,
                 key_gap=None, key_cols: int = 2, guide_from: float = None, subtitle: str = None, guide_words=None,
                 key_size: float = None):
        super().__init__()
        fg, bg = color(theme.FOREGROUND), color(theme.BACKGROUND)
        self.title = text(title, size=28)
        if subtitle:  # a second line under the title (the rule the chart is read with), in the body colour
            self.title = mn.VGroup(self.title, text(subtitle, size=26)).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
        # the plot as wide as the column allows once the tick labels and the longest end label fit
        longest = (0.0 if key_above else 0.35 if key_inside else
                   max(text((labels or {}).get(n, NAMES[n]), size=key_size or size).width for n in series) + (0.6 if key else 0.12))

        def axes(width):
            return LabelledAxes(x_range, y_range, "step", "", log_y=log_y, width=width, height=height, font_size=size,
                                ink=fg, x_ticks=x_ticks, y_ticks=y_ticks)

        probe = axes(2.0)  # the tick labels' overhang, measured, then the plot as wide as the rest allows
        overhang = probe.axes.get_left()[0] - min(probe.tick_labels.get_left()[0], probe.axes.get_left()[0])
        ax = axes(room - overhang - longest - 0.15)
        self.ax = ax
        self.lines = {}
        (x0, x1), (y0, y1) = x_range, y_range
        if hline is not None:  # a level that matters, dashed, named under its left end
            v, words = hline
            a, b = ax.c2p(x0, v), ax.c2p(x1, v)
            ax.add(mn.DashedLine(a, b, dash_length=0.08, stroke_width=2, color=fg))
            if words:
                ax.add(text(words, size=size, color=fg).next_to(a + 0.15 * (b - a), mn.DOWN, buff=0.08,
                                                                aligned_edge=mn.LEFT))
        ends_ = []
        for n, (xs, ys) in series.items():
            c = color("optimizer", n)
            xs, ys = np.asarray(xs, float), np.asarray(ys, float)
            keep = (xs >= x0) & (xs <= x1)
            pts = [ax.c2p(float(x), float(min(max(v, y0), y1))) for x, v in zip(xs[keep], ys[keep])]
            g = mn.VGroup(mn.VMobject(stroke_color=c, stroke_width=4).set_points_as_corners(pts))
            if n in dots:
                g.add(*[mn.Dot(p, radius=0.045, color=c).set_stroke(bg, width=1, opacity=1) for p in pts])
            if ends:  # the first and last values (the ones the words quote) marked
                g.add(*[mn.Dot(p, radius=0.06, color=c).set_stroke(bg, width=1.5, opacity=1) for p in (pts[0], pts[-1])])
            if guides and n in guides:  # what this series is compared with, dashed: a level (in the ink) or a
                v = guides[n]           # series (xs, ys) in the series' own colour; it comes in with the series
                if np.ndim(v) == 0:
                    g.add(mn.DashedLine(ax.c2p(x0, v), ax.c2p(x1, v), dash_length=0.1, stroke_width=3, color=fg))
                    if guide_words and n in guide_words:  # named above its middle, where no line runs
                        g.add(text(guide_words[n], size=size, color=fg).next_to(ax.c2p(0.5 * (x0 + x1), v), mn.UP,
                                                                                   buff=0.08))
                else:
                    gx, gy = (np.asarray(u, float) for u in v)
                    on = (gx >= (x0 if guide_from is None else guide_from)) & (gx <= x1)
                    q = [ax.c2p(float(x), float(min(max(y, y0), y1))) for x, y in zip(gx[on], gy[on])]
                    g.add(mn.DashedVMobject(mn.VMobject(stroke_color=c, stroke_width=2.5).set_points_as_corners(q),
                                            num_dashes=24))
            if gaps and n in gaps:  # a measured ratio between two levels: a double arrow at x, its words beside it
                gx, lo, hi, words, *side = gaps[n]  # side: where the words go (default left of the arrow)
                a, b = ax.c2p(gx, min(max(lo, y0), y1)), ax.c2p(gx, min(max(hi, y0), y1))
                g.add(mn.DoubleArrow(a, b, buff=0, stroke_width=3, color=c, tip_length=0.14,
                                     max_tip_length_to_length_ratio=0.3),
                      text(words, size=size, color=c).next_to(b if side and side[0] is mn.UP else (a + b) / 2,
                                                              side[0] if side else mn.LEFT, buff=0.08))
            lab = text((labels or {}).get(n, NAMES[n]), size=key_size or size, color=c).next_to(pts[-1], mn.RIGHT, buff=0.12)
            if key_above:  # two columns above the plot, in the order given
                i = len(ends_)
                lab = mn.VGroup(mn.Line(mn.ORIGIN, 0.3 * mn.RIGHT, stroke_width=5, color=c), lab.copy()).arrange(
                    mn.RIGHT, buff=0.1)
                rows = -(-len(series) // 2)
                lab.move_to(ax.c2p(x0, y1) + np.array([(i % 2) * (room / 2 - overhang), 0.45 + 0.38 * (rows - 1 - i // 2),
                                                       0]), aligned_edge=mn.LEFT)
            elif key_inside:  # a key in the plot's bottom left corner (where no line runs), one row per series
                lab = mn.VGroup(mn.Line(mn.ORIGIN, 0.3 * mn.RIGHT, stroke_width=5, color=c), lab.copy()).arrange(
                    mn.RIGHT, buff=0.1)
                lab.move_to(ax.c2p(x0, y0) + np.array([0.15, 0.06 + 0.36 * (len(series) - 1 - len(ends_)), 0]),
                            aligned_edge=mn.DL)
            elif key:  # a key right of the plot, one row per series in the order given, top down
                lab = mn.VGroup(mn.Line(mn.ORIGIN, 0.3 * mn.RIGHT, stroke_width=5, color=c), lab.copy()).arrange(
                    mn.RIGHT, buff=0.1)
                lab.next_to(ax.c2p(x1, y1), mn.RIGHT, buff=0.2).shift((0.1 + 0.42 * len(ends_)) * mn.DOWN)
                lab.align_to(ax.c2p(x1, y1) + 0.2 * mn.RIGHT, mn.LEFT)
            ends_.append(lab)
            g.add(lab)
            self.lines[n] = g
        if key_above and key_cols > 2:  # a grid above the plot, rows filled left to right, its left edge at the plot's
            mn.VGroup(*ends_).arrange_in_grid(cols=key_cols, buff=(0.3, 0.1), col_alignments="l" * key_cols).next_to(
                ax.c2p(x0, y1), mn.UP, buff=0.15, aligned_edge=mn.LEFT)
        elif key_above and key_gap is not None and len(ends_) > 1:  # the second column clear of the first's entries
            x = max(m.get_right()[0] for m in ends_[0::2]) + key_gap
            for m in ends_[1::2]:
                m.shift(max(0.0, x - m.get_left()[0]) * mn.RIGHT)
            # past the column's width: the key starts under the title's left edge (over the tick labels)
            over = max(m.get_right()[0] for m in ends_) - (ax.c2p(x0, y1)[0] - overhang + room)
            if over > 0:
                for m in ends_:
                    m.shift(min(over, overhang) * mn.LEFT)
        d = 1 if stack == "up" else -1  # end labels stacked without touching, pushed up or down
        ends_.sort(key=lambda m: d * m.get_y())
        for a, b in zip(ends_[:-1], ends_[1:]):
            gap = d * (b.get_y() - a.get_y()) - (a.height + b.height) / 2
            if gap < 0.06 and not (key or key_above or key_inside):
                b.shift((0.06 - gap) * d * mn.UP)
        body = mn.VGroup(ax, *self.lines.values())
        self.add(self.title, body)
        body.next_to(self.title, mn.DOWN, buff=0.2, aligned_edge=mn.LEFT)
        body.shift((self.title.get_left()[0] - min(ax.tick_labels.get_left()[0], ax.axes.get_left()[0])) * mn.RIGHT)
        self.shown = set()
        self.level = {}  # each shown line's strength
        # what each drawn piece is, read before hiding it: dots (fill and edge), glyphs (fill), lines (stroke)
        self.kinds = {n: [(m, "dot" if isinstance(m, mn.Dot) else "fill" if m.get_fill_opacity() > 0 else "stroke")
                          for m in g.family_members_with_points()] for n, g in self.lines.items()}
        for n in self.lines:
            self._fade(n, 0.0)

    def _fade(self, n, a: float):
        for m, kind in self.kinds[n]:
            if kind != "stroke":
                m.set_fill(opacity=a)
            if kind != "fill":
                m.set_stroke(opacity=a)

    def show(self, names) -> list:
        """Animations bringing `names`' lines in (lines already shown stay)."""
        out = []
        for n in names:
            if n in self.shown:
                continue
            self.shown.add(n)
            self.level[n] = 1.0
            out.append(mn.UpdateFromAlphaFunc(self.lines[n], lambda g, a, n=n: self._fade(n, a)))
        return out

    def feature(self, names, dim: float = 0.25) -> list:
        """Animations bringing the shown lines `names` to full strength and the other shown ones down to `dim`."""
        out = []
        for n in sorted(self.shown):
            fr, to = self.level.get(n, 1.0), 1.0 if n in names else dim
            if fr != to:
                self.level[n] = to
                out.append(mn.UpdateFromAlphaFunc(self.lines[n], lambda g, a, n=n, fr=fr, to=to:
                                                  self._fade(n, fr + (to - fr) * a)))
        return out


def excursions(ax, surf, runs, min_share: float = 0.05):
    """Where a path leaves the view and comes back: an arrow at the border in its colour with how far
    it went ("↑ to y = 2.5"), shown from the step it leaves; excursions under `min_share` of the view's
    width or height get no label."""
    (x0, x1), (y0, y1) = surf.xs[[0, -1]], surf.ys[[0, -1]]
    marks = []
    for n, r in runs.items():
        th = np.asarray(r.thetas, float)
        out = ~((th[:, 0] >= x0) & (th[:, 0] <= x1) & (th[:, 1] >= y0) & (th[:, 1] <= y1))
        if not out.any() or out[-1] or r.diverged:  # leaving for good has its own exit marker
            continue
        over = np.maximum(np.maximum(x0 - th[:, 0], th[:, 0] - x1) / (x1 - x0),
                          np.maximum(y0 - th[:, 1], th[:, 1] - y1) / (y1 - y0))
        if over.max() < min_share:  # a brush with the edge: not worth a label
            continue
        k = int(np.flatnonzero(out)[0])
        back = k + int(np.flatnonzero(~out[k:])[0])
        seg = th[k:back]
        if seg[:, 1].max() > y1:
            far, where, d, word = seg[:, 1].max(), [th[k - 1, 0], y1], mn.UP, "y"
        elif seg[:, 1].min() < y0:
            far, where, d, word = seg[:, 1].min(), [th[k - 1, 0], y0], mn.DOWN, "y"
        elif seg[:, 0].max() > x1:
            far, where, d, word = seg[:, 0].max(), [x1, th[k - 1, 1]], mn.RIGHT, "x"
        else:
            far, where, d, word = seg[:, 0].min(), [x0, th[k - 1, 1]], mn.LEFT, "x"
        p = ax.c2p(*where)
        c = color("optimizer", n)
        tip = mn.Triangle(color=c, fill_opacity=1, stroke_width=0).scale(0.09).rotate(
            np.arctan2(d[1], d[0]) - np.pi / 2).move_to(p - 0.12 * d)
        words = text(f"to {word} = {far:.1f}", size=24, color=c).next_to(tip, -d if word == "y" else mn.DOWN, buff=0.1)
        words.next_to(tip, mn.RIGHT, buff=0.1).shift(0.15 * -d)
        back = mn.BackgroundRectangle(words, color=color(theme.BACKGROUND), fill_opacity=0.85, buff=0.04)
        marks.append((r.steps[k], mn.VGroup(tip, back, words).set_z_index(6.6)))
    return marks


def window(surf, xr, yr):
    """The record's surface cut to the grid cells inside x ∈ xr, y ∈ yr (same values, a smaller view)."""
    import dataclasses

    ix = np.flatnonzero((surf.xs >= xr[0] - 1e-9) & (surf.xs <= xr[1] + 1e-9))
    iy = np.flatnonzero((surf.ys >= yr[0] - 1e-9) & (surf.ys <= yr[1] + 1e-9))
    return dataclasses.replace(surf, xs=surf.xs[ix], ys=surf.ys[iy], loss=surf.loss[np.ix_(iy, ix)])


def spotlight(trails, names, dim: float = 0.12):
    """Dim every trail but `names` and draw those whole, bright and on top, at once (a cut: animating each
    of the trails' hundreds of segments costs more render time than the fade is worth); returns no
    animations (a list, so calls can be spliced into `play`)."""
    for n, tr in trails.items():
        for m in tr.get_family():
            m.clear_updaters()  # the fading trails would hold their own opacity
        for m in tr.family_members_with_points():
            if n in names:
                # above the other trails; its end dot above the ★ too (the run the words are about is seen)
                m.set_z_index(getattr(m, "z_behind", 8) if isinstance(m, mn.Dot) else 5.5)  # under every end dot
                m.set_stroke(opacity=1.0)
            elif not isinstance(m, mn.Dot):  # every end dot stays: the finish is still the picture
                m.set_stroke(opacity=dim)
    return []


def beat_marks(beat: str, ax, surf, runs, trails=None, clear: bool = False) -> mn.VGroup:
    """What a "why" beat points at on the map: Adam's overshoot past ★ as a
    white arrow between its two marked steps ("overshoot"), a dot at every AdaGrad step (their spacing
    is its step length: "adagrad")."""
    g = mn.VGroup()
    bg, fg = color(theme.BACKGROUND), color(theme.FOREGROUND)
    if beat == "overshoot":
        k, _, j, _ = RV.overshoot(runs["adam"], surf.meta["minima"])
        th = np.asarray(runs["adam"].thetas, float)
        a, b = ax.c2p(*th[k]), ax.c2p(*th[j])
        c = color("optimizer", "adam")
        for w, col in ((9, bg), (4, fg)):
            g.add(mn.Arrow(a, b, buff=0.12, stroke_width=w, max_tip_length_to_length_ratio=0.18, color=col))
        star = min((ax.c2p(*m) for m in surf.meta["minima"]), key=lambda q: np.linalg.norm(q - a))
        for p, s, d in ((a, k, mn.LEFT), (b, j, mn.RIGHT)):  # beside its dot, clear of the ★ (r ≈ 0.25)
            g.add(mn.Dot(p, radius=0.08, color=c).set_stroke(bg, width=2.5, opacity=1))
            if clear and d is mn.LEFT:  # out to the left, level with ★, on a leader (the ★ area is crowded)
                w = text(f"step {s}", size=28).move_to(star + 1.3 * mn.LEFT, aligned_edge=mn.RIGHT)
                g.add(mn.Line(w.get_right() + 0.08 * mn.RIGHT, p + 0.1 * mn.LEFT, stroke_width=2, color=fg))
                g.add(w)
                continue
            w = text(f"step {s}", size=28 if clear else 24).next_to(p, d, buff=0.1)
            if (abs(w.get_y() - star[1]) < w.height / 2 + 0.3
                    and w.get_left()[0] - 0.3 < star[0] < w.get_right()[0] + 0.3):
                w.shift((w.height / 2 + 0.32 - abs(w.get_y() - star[1])) * (mn.UP if w.get_y() >= star[1] else mn.DOWN))
            g.add(w)
    elif beat == "adagrad":
        c = color("optimizer", "adagrad")
        th = np.asarray(runs["adagrad"].thetas, float)
        g.add(*[mn.Dot(ax.c2p(*p), radius=0.045, color=c).set_stroke(bg, width=1, opacity=1) for p in th])
    g.set_z_index(9)
    return g


def unspotlight(trails, opacity: float = 0.3, bright=()):
    """Every trail back (after `spotlight`) faint, `bright` ones stronger; end dots whole and on top (at
    once, as `spotlight`; returns no animations)."""
    for n, tr in trails.items():
        for m in tr.family_members_with_points():
            if isinstance(m, mn.Dot):
                m.set_z_index(getattr(m, "z_behind", 6))
                m.set_stroke(opacity=1.0)
            else:  # under every end dot and mark again (a spotlit trail was lifted above them)
                m.set_stroke(opacity=0.9 if n in bright else opacity)
                m.set_z_index(min(m.z_index, 4))
    return []


RIGHT_EDGE = mn.config.frame_x_radius - 0.4  # captions end this far inside the frame (≥ 20 px at 854 wide)


def caption_fit(words: str, left: float, size: float = 24, start: int = 36, t2c=None) -> mn.Text:
    """A caption wrapped at the widest width (characters, from `start` down) that keeps its right edge
    inside `RIGHT_EDGE` when its left edge is at x = `left`; formulas and "< 10⁻¹²" are not broken."""
    flat = " ".join(words.split())
    flat = re.sub(r"f − f\* = [\d.]+", lambda m: m.group(0).replace(" ", "§"), flat)  # "f − f* = 1" on one line
    for f in ("η/(1 − β)", "f − f* < 10", "f − f*", "< 10", "(1 − β₁ᵗ)", "(1 − β₂ᵗ)", "(|g| =", "η <", "ₘₐₓ <"):
        flat = flat.replace(f, f.replace(" ", "§"))
    flat = re.sub(r"([<>]) ([\d.]+)", r"\1§\2", flat)  # "< 2", "> 2", "< 0.00105": a bound never split
    flat = re.sub(r"(ₘₐₓ) = (\d)", r"\1§=§\2", flat)  # "λₘₐₓ = 1912" on one line
    width = start
    while True:  # one layout per try, and the next try's width estimated from this one's overshoot
        t = text(wrap_words(flat, width).replace("§", " "), size=size, line_spacing=0.8, **({"t2c": t2c} if t2c else {}))
        if left + t.width <= RIGHT_EDGE or width <= 12:
            return t
        width = min(width - 1, int(width * (RIGHT_EDGE - left) / t.width))


def zoom_inset(ax, run, last: int, size: float = 1.7, name: str = "rmsprop", at=None, star=None):
    """The last `last` steps of a run drawn `zoom`× larger in a box at the plot's lower right (dots at
    every step), a square on the plot where they are, and what the box shows in words."""
    th = np.asarray(run.thetas, float)[-last - 1:]
    lo, hi = th.min(axis=0), th.max(axis=0)
    if star is not None:  # the window grown to hold ★ too, with room for its glyph
        lo, hi = np.minimum(lo, star), np.maximum(hi, star)
    span = float(max(hi - lo)) * (1.4 if star is not None else 1.15)
    mid = (lo + hi) / 2
    ax_scale = ax.c2p(1, 0)[0] - ax.c2p(0, 0)[0]  # scene units per data unit (x)
    zoom = size / span / ax_scale
    box = mn.Square(size, stroke_color=color(theme.MUTED), stroke_width=2, fill_color=color(theme.BACKGROUND),
                    fill_opacity=1.0)
    box.move_to(np.array([ax.axes.get_right()[0] - size / 2 - 0.1, ax.axes.get_bottom()[1] + size / 2 + 0.1, 0])
                if at is None else ax.c2p(*at))
    c = color("optimizer", name)
    pts = [box.get_center() + np.array([*(p - mid) * size / span, 0.0]) for p in th]
    path = mn.VMobject(stroke_color=c, stroke_width=3).set_points_as_corners(pts)
    dots = mn.VGroup(*[mn.Dot(p, radius=0.04, color=c) for p in pts])
    words = text(f"{NAMES[name]}'s last {last}\nsteps, zoomed ×{zoom:.0f}", size=24, color=c, line_spacing=0.8)
    if at is None:
        words.next_to(box, mn.LEFT, buff=0.15).align_to(box, mn.DOWN)  # below the valley floor: no path there
    else:
        words.next_to(box, mn.DOWN, buff=0.12)
    a, b = ax.c2p(*(mid - span / 2)), ax.c2p(*(mid + span / 2))
    mark = mn.Rectangle(width=max(b[0] - a[0], 0.12), height=max(b[1] - a[1], 0.12), stroke_color=c,
                        stroke_width=2).move_to((a + b) / 2)
    link = mn.DashedLine(mark.get_corner(mn.DR), box.get_corner(mn.UL), dash_length=0.08, stroke_width=2, color=c)
    g = mn.VGroup(link, box, path, dots, words, mark).set_z_index(9)
    fg = color(theme.FOREGROUND)
    if star is not None and np.all(np.abs(np.asarray(star, float) - mid) < span / 2):  # where ★ is, in the box
        q = box.get_center() + np.array([*(np.asarray(star, float) - mid) * size / span, 0.0])
        g.add(mn.Star(n=5, outer_radius=0.13, fill_opacity=0, stroke_color=fg, stroke_width=2.5).move_to(q))
    bar = 10.0 ** np.floor(np.log10(span / 3))  # a scale bar of a round length, in data units
    bar *= 5 if 5 * bar <= span / 2 else 2 if 2 * bar <= span / 2 else 1
    # the scale bar in the box's corner farthest from the path (it never sits on the steps it measures)
    corner = max((mn.UL, mn.DL, mn.UR, mn.DR), key=lambda d: min(np.linalg.norm(p - box.get_corner(d)) for p in pts))
    a0 = box.get_corner(corner) + np.array([0.12 if corner[0] < 0 else -0.12 - bar * size / span,
                                            -0.15 if corner[1] > 0 else 0.35, 0])
    g.add(mn.Line(a0, a0 + bar * size / span * mn.RIGHT, stroke_width=3, color=fg),
          text(f"{bar:g}", size=24, color=fg).next_to(a0 + 0.5 * bar * size / span * mn.RIGHT,
                                                      mn.DOWN if corner[1] > 0 else mn.UP, buff=0.06))
    g.set_z_index(9)  # ★ and the scale bar above the box's fill, like the rest
    g.zoom = zoom
    return g


def rule_effects(runs, tuning=None, probes=None) -> dict:
    """What each update rule did in this race, in numbers from its run (the rules slide's second lines);
    with the tuning record and its probes, Nesterov's line says what its next grid rate did."""
    a = step_lengths(runs["adagrad"].thetas)
    r = step_lengths(runs["rmsprop"].thetas)
    g = step_lengths(runs["gd"].thetas)
    m = {n: momentum_gain(runs[n]) for n in ("momentum", "nesterov")}
    h = len(r) // 2
    nest = f"θ is the look-ahead point (g taken a step ahead); its steps are {m['nesterov']:.0f}× η·|g|."
    gd = f"steps = η·|g|: tiny where the valley floor is flat ({g[0]:.2g} → {g[-1]:.1g})"
    if probes is not None:
        gd = (f"η must stay under 2/λₘₐₓ (λₘₐₓ: steepest curvature; 2/λₘₐₓ = {2 / RV.start_sharpness(probes):.3g} "
              f"at ○, less on the wall): steps {g[0]:.2g} → {g[-1]:.1g} on the flat floor")
    if tuning is not None and probes is not None:
        j = RV.edge_index(tuning, "nesterov")
        if j is not None:
            p = RV.probe(probes, "nesterov", j)
            start = probes.meta["start_loss"]
            b = float(runs["nesterov"].meta["hyper"]["beta"])
            nest += (f" At η = {p['lr']:.2g} its loss spikes {np.nanmax(p['loss']) / start:.0f}× (unstable): the "
                     f"look-ahead allows η·λₘₐₓ < 2(1+β)/(1+2β) ≈ {2 * (1 + b) / (1 + 2 * b):.1f}, here "
                     f"{p['lr'] * RV.start_sharpness(probes):.1f} at ○.")
    return {"gd": gd,
            "momentum": f"v adds up past steps: {m['momentum']:.0f}× η·|g| on the valley floor"
                        + (f". Stable while η·λₘₐₓ < 2(1 + β) = {2 * (1 + runs['momentum'].meta['hyper']['beta']):.1f} "
                           f"(GD: 2): it reaches {RV.sharpness_peak(probes, 'momentum', int(tuning.chosen[tuning.meta['names'].index('momentum')])):.1f}"
                           f" at η = {runs['momentum'].meta['hyper']['lr']:.2g}" if tuning is not None and probes is not None else ""),
            "nesterov": nest,
            "adagrad": f"G only grows, so its rate η/√G only falls: steps {a[0]:.2f} → {a[-1]:.3f} ({a[0] / a[-1]:.0f}×)",
            "rmsprop": f"s forgets old g: steps stay near {r[h:].mean():.2f}, zigzagging across the valley",
            "adam": RV.rosen_adam_rule(runs)}


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
        surf, runs = race_records(self.surface, self.optimizers)
        if self.view is not None:
            surf = window(surf, *self.view)
        tuning = tuning_record(self.surface)
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
        formula = text(formula_text(surf.meta.get("formula", "")), size=24, line_spacing=1.0)
        counter = StepCounter(t, total=steps, size=28, drawing=True)
        legend = Legend([(f"{NAMES[o]}  η = {runs[o].meta['hyper']['lr']:.2g}"
                          + (f", β = {runs[o].meta['hyper']['beta']:g}" if self.legend_beta and "beta" in runs[o].meta["hyper"]
                             else ""), color("optimizer", o))
                         for o in self.optimizers], font_size=26, buff=0.14)
        self.map_axes = ax
        proto_lines = protocol_lines(surf, tuning, tie=self.state_tie)
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
        probes = experiments.load("descent_race")[f"{self.surface}__probes"]
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
                    for m in trails["rmsprop"].family_members_with_points():
                        if not isinstance(m, mn.Dot):
                            m.set_stroke(width=1.5, opacity=0.6)
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
        said = RV.short_verdict(tuning.meta) or verdict_text(tuning)
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
        did = rule_effects(runs, tuning, probes)
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
                     text(f"{ordinal(surf_rank[o])} of {len(self.optimizers)}: f − f* = {loss_text(runs[o].meta['final_loss'])}",
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
                for m in trails["rmsprop"].family_members_with_points():
                    if not isinstance(m, mn.Dot):
                        m.set_stroke(width=1.5, opacity=0.6)
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
        top = max(surf.meta["minima"], key=lambda m: m[1])
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
            words = text(f"{NAMES[n]}\nf − f* = {loss_text(runs[n].meta['final_loss'])}", size=24, color=c,
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




def tuning_warp(tuning, run_time: float) -> TimeWarp:
    """The tuning scene sweeps η left to right: one grid point per equal slice of time."""
    n = len(tuning.lrs)
    return TimeWarp(np.linspace(0.0, run_time, n), np.arange(n, dtype=float))


def gd_reading(tuning, name: str = "gd", width: int = 38) -> str:
    """How to read one curve, on GD's own numbers: lower is better, ● the best stable η, ○ an unstable η
    at its final loss (the protocol's rule in words), × where every larger η diverges."""
    warm = tuning.config.get("warmup", 0.1)
    check = int(np.ceil(warm * tuning.config["steps"]))
    peak = tuning.config.get("peak", PEAK)
    words = (f"Lower is better. ● {NAMES[name]}'s best stable η. ○ unstable η, at its final loss: its loss passed "
             f"{peak:g}× the start, or was above it after step {check}.")
    if RV.diverged_from(tuning, name) is not None:
        words += " ×: diverges, there and at every larger η."
    return wrap_words(words, width)


def edge_inset(story, width: float = 2.4, height: float = 1.7, colours=None, tags=None,
               title: str = "GD's loss per step (log)") -> mn.VGroup:
    """GD's loss per step (log scale) up to the rule's check step at its chosen η and the first two
    unstable rates above it (solid, long dashes, short dashes; each rate up a lighter blue), the start loss
    and the rule's bound (PEAK × the start) as labelled lines, each curve labelled at its end with its η
    and each unstable one with its peak loss above the box. `g.curves[i]` / `g.peaks[i]` follow
    `story["rows"]` (the scene lights the run its caption is about)."""
    gd, fg, muted = color("optimizer", "gd"), color(theme.FOREGROUND), color(theme.MUTED)
    steps = story["check"]
    ends = [float(r["loss"][steps]) for r in story["rows"] if np.isfinite(r["loss"][steps])]
    lo = np.floor(np.log10(min(ends + [story["start"]]))) - 0.2
    hi = np.log10(max(r["peak"] for r in story["rows"])) + 0.1
    box = mn.Rectangle(width=width, height=height, stroke_color=muted, stroke_width=1.5)
    o = box.get_corner(mn.DL)
    xy = lambda t, v: o + np.array([width * t / steps, height * (np.clip(np.log10(v), lo, hi) - lo) / (hi - lo), 0])  # noqa: E731
    g = mn.VGroup(box)
    for level, words in ((story["start"], f"start {story['start']:g}"),
                         (story["bound"], f"{story['bound'] / story['start']:g}× start")):
        y = xy(0, level)[1]
        g.add(mn.Line([o[0], y, 0], [o[0] + width, y, 0], stroke_width=1.5, color=muted))  # references: thin grey
        g.add(text(words, size=28).next_to([o[0], y, 0], mn.LEFT, buff=0.1))
    tags_of, tags, g.curves, g.peaks = tags, [], [], []
    for n, r in enumerate(story["rows"]):
        c = colours[n] if colours else mn.interpolate_color(gd, fg, 0.3 * n)  # GD: each rate up a lighter blue
        L = r["loss"][:steps + 1]
        pts = [xy(t, v) for t, v in enumerate(L) if np.isfinite(v)]
        line = mn.VMobject(stroke_color=c, stroke_width=5).set_points_as_corners(pts)
        if n:  # the unstable ones dashed: long, then short
            line = mn.DashedVMobject(line, num_dashes=22 * n, dashed_ratio=0.7)
        g.add(line)
        g.curves.append(line)
        peak = mn.VGroup()
        if r["how"] is not None and tags_of is None:  # the peak the caption quotes: above the box, a tick to it
            t = int(np.nanargmax(L))
            at = xy(t, L[t])
            above = np.array([at[0], o[1] + height + 0.08, 0])
            peak = mn.VGroup(mn.Line(above, at, stroke_width=2, color=c),
                             text(f"{np.nanmax(L):.0f}", size=28, color=c).next_to(above, mn.UP, buff=0.04))
            g.add(peak)
        g.peaks.append(peak)
        tags.append([text(tags_of[n] if tags_of else ("● " if r["how"] is None else "") + f"{r['lr']:.2g}", size=28,
                          color=c), pts[-1][1]])
    tags.sort(key=lambda t: t[1])
    for a, b in zip(tags, tags[1:]):  # end labels at least one text height apart
        b[1] = max(b[1], a[1] + 0.36)
    for m, y in tags:
        g.add(m.move_to([o[0] + width + 0.12, y, 0], aligned_edge=mn.LEFT))
    g.add(text("0", size=28).next_to(o, mn.DOWN, buff=0.08).align_to(box, mn.LEFT),
          text(f"step {steps}", size=28).next_to([o[0] + width, o[1], 0], mn.DOWN, buff=0.08).align_to(box, mn.RIGHT))
    g.title = text(title, size=28).next_to(box, mn.UP, buff=0.5 if tags_of is None else 0.12)
    g.title.align_to(g, mn.RIGHT)  # right-aligned with the end labels: clear of the frame's edge
    g.add(g.title)
    return g


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
        tun = tuning_record(self.surface)
        probes = experiments.load("descent_race")[f"{self.surface}__probes"]
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
        curves, marks, chosen, used, grid_dots, rings = {}, {}, {}, {}, {}, {}
        for o in self.optimizers:
            i = names.index(o)
            c = color("optimizer", o)
            ys = np.maximum(np.where(S[i], F[i], np.nan), floor)
            last = int(np.flatnonzero(S[i]).max()) + 1 if S[i].any() else 1
            pts = np.column_stack([lrs, ys])[:last]
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
        i = names.index(lead)
        last = int(np.flatnonzero(S[i]).max()) + 1 if S[i].any() else 1
        lead_curve = DescentPath(np.column_stack([lrs, np.maximum(np.where(S[i], F[i], np.nan), floor)])[:last], ax,
                                 color=color("optimizer", lead), stroke_width=4, head=False, start_marker=False)
        curves.pop(lead)
        reading = caption_fit(gd_reading(tun, lead, width=10 ** 6), left, size=28, start=34)
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
            for n, (row, words) in enumerate(RV.edge_beats(tun, probes, lead, width=10 ** 6)):
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
                if abs(j - int(tun.chosen[names.index(o)])) > 1]
        # the ranking table only once every ● has landed; GD's cap line steps back
        self.play(*[mn.FadeIn(d, scale=1.5) for d in others], mn.FadeOut(now), mn.FadeIn(near), mn.FadeIn(table),
                  *([cap[0].animate.set_stroke(opacity=0.35)] if len(cap) else []),
                  *[c.animate.set_stroke(opacity=0.3) for c in far], *[d.animate.set_opacity(0.4) for d in dots],
                  run_time=0.6)
        self.play(mn.Create(line), mn.FadeIn(tag), mn.FadeIn(verdict), run_time=0.5)
        # the counted points (stable rates below the line), each pulsed where it is drawn
        counted = []
        for o in self.optimizers:
            ci, dots_o = int(tun.chosen[names.index(o)]), dict(grid_dots.get(o, []))
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

    @staticmethod
    def surface_value(surf, p) -> float:
        """The recorded grid's loss at the cell nearest to point p (a saddle's height on the surface)."""
        i = int(np.argmin(np.abs(np.asarray(surf.xs) - p[0])))
        j = int(np.argmin(np.abs(np.asarray(surf.ys) - p[1])))
        return float(surf.loss[j, i])

    def construct(self):
        surf, runs = race_records(self.surface, self.optimizers)
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
        places = {n_: i for i, names in enumerate(surf.meta["ranking"], start=1) for n_ in names}
        rank = {n_: i for i, n_ in enumerate(n_ for names in surf.meta["ranking"] for n_ in names)}  # ties: arrival
        for o_, tr in zip(self.optimizers, trails):  # better places drawn on top (the end card says whose
            if tr.trace.head is not None:            # dot covers whose)
                mesh.occlude(tr.trace.head, lift=1e4 * (1 + 0.1 * (len(self.optimizers) - rank[o_])))
        # a head covered by a better-placed head (within `halo_near` on screen) is drawn as a ring of its colour
        # round the covering dot (behind it, in front of worse places): every run stays visible on the surface
        self.halos = {}
        start_at = axes.c2p(*surf.meta["start"], float(hmap(np.array([runs[self.optimizers[0]].train_loss[0]]))[0]))
        if self.halo:
            order = [n_ for names in surf.meta["ranking"] for n_ in names]
            heads = {o_: tr.trace.head for o_, tr in zip(self.optimizers, trails) if tr.trace.head is not None}
            for o_, head in heads.items():
                better = [heads[b] for b in order[:order.index(o_)] if b in heads]
                if not better:
                    continue
                halo = mn.VGroup(*[mn.Circle(radius=0.19, stroke_color=c, stroke_width=w)
                                   for c, w in ((color(theme.BACKGROUND), 8), (color("optimizer", o_), 4.5))])
                halo.covered_by = None

                def follow(m, head=head, better=better, names=[b for b in order[:order.index(o_)] if b in heads]):
                    p = head.get_center()
                    s_ = np.asarray(self.camera.project_points(np.array([p, start_at] + [b.get_center() for b in better],
                                                                        float)), float)[:, :2]
                    # covered: near that dot on screen AND on its spot in 3-D (a run merely ending close
                    # at this zoom keeps its own dot: a ring says "a run under it")
                    cand = [(n_, s__, b.get_center()) for n_, b, s__ in zip(names, better, s_[2:])
                            if b.get_fill_opacity() > 0]
                    shown = [c_ for c_ in cand if covering_head((s_[0], p), [c_], self.halo_near, self.halo_cover)]
                    by = shown[0][0] if shown else None  # (`covering_head` of all of them: the first that covers)
                    # not inside the start ○ (a filled disc over the piled-up first steps)
                    on = by is not None and head.get_fill_opacity() > 0 and np.linalg.norm(s_[0] - s_[1]) > 0.3
                    # round the dot that covers it (the nearest better-placed head on its spot)
                    m.move_to(heads[by].get_center() if on else p)
                    # one ring per covering head: a run under two dots is the wider ring
                    m.scale_to_fit_width(2 * (0.19 + 0.065 * (len(shown) - 1)) if on else 0.38)
                    m.covered_by = by if on else None
                    m.set_stroke(opacity=1.0 if on else 0.0)
                halo.set_stroke(opacity=0.0)
                halo.add_updater(follow)
                mesh.occlude(halo, lift=0.9e4 - rank[o_])  # under every head: a ring never hides a dot
                self.halos[o_] = halo
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
            stars.append(mn.VGroup(*[mn.VGroup(mn.Line(c + 0.12 * (mn.UL), c + 0.12 * mn.DR),
                                               mn.Line(c + 0.12 * mn.UR, c + 0.12 * mn.DL)).set_stroke(color(col), width=w)
                                     for col, w in ((theme.BACKGROUND, 8), (theme.FOREGROUND, 4))]))
        # the start and the minimum stay on top (★ sits at the bottom of a pit one mesh cell wide)
        self.add_fixed_orientation_mobjects(*stars, *ax_labels, *guide_labels, *self.halos.values())
        tuning = tuning_record(self.surface)
        title = heading(f"The same race on the {self.surface.capitalize()} surface", size=30, buff=0.2)
        what = text(self.subtitle_words(surf), size=self.sub_size)
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
                    tag.move_to([*self.mid_tag_at[o_], 0.0])
                    p_ = np.array([*spot, 0.0])
                    u = (tag.get_center() - p_) / max(np.linalg.norm(tag.get_center() - p_), 1e-9)
                    end = tag.get_critical_point(mn.UP if u[1] < 0 else mn.DOWN) + 0.05 * (mn.UP if u[1] < 0 else mn.DOWN)
                    ring.add(*[mn.Line(p_ + 0.16 * u, end, stroke_width=w, color=c)
                               for c, w in ((color(theme.BACKGROUND), 5), (c_, 2.5))], tag)
                    continue
                tag.next_to([*spot, 0.0], side_, buff=0.55)
                tag.shift(max(0.0, -mn.config.frame_x_radius + 0.1 - tag.get_left()[0]) * mn.RIGHT)  # in the frame
                tag.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.8, buff=0.04)
                tip = np.array([*spot, 0.0]) - 0.17 * side_
                tail = tag.get_critical_point(-side_) - 0.04 * side_
                ring.add(*[mn.Arrow(tail, tip, buff=0, stroke_width=w, color=c, tip_length=0.14,
                                    max_tip_length_to_length_ratio=0.5) for c, w in ((color(theme.BACKGROUND), 8), (c_, 4))])
                ring.add(tag)
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
        self.end_card(surf, runs, tuning, trails, what, side, axes=axes, hmap=hmap)

    def end_card(self, surf, runs, tuning, trails, what, side, axes=None, hmap=None):
        """At rest, in place of the legend column `side` (a subclass may draw its own; `axes` and `hmap` place
        points on the surface), the end card: the recorded ranking, beside it a visual slot (the top view of ★; per closing line
        its own picture: the stability-limit chart, close-ups of a stretch of trail), under them one closing
        line at a time. Each line lights the run(s) it is about (the others' trails dimmed) and shows where
        its number is measured; the loss axis goes (the card's column is the picture's right half)."""
        probes = experiments.load("descent_race")[f"{self.surface}__probes"]
        by_name = dict(zip(self.optimizers, trails))
        self.remove(*self.axis_parts)  # the loss axis: read during the race, not needed at rest
        rows = self.ranking_rows(surf, runs, tuning)
        ranking = mn.VGroup(text("final f − f*", size=28), rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
        zoom = self.end_zoom(surf, runs)
        top = mn.VGroup(ranking, zoom).arrange(mn.RIGHT, buff=0.4, aligned_edge=mn.UP)
        top.to_edge(mn.RIGHT, buff=0.25)
        top.shift((what.get_bottom()[1] - 0.25 - top.get_top()[1]) * mn.UP)
        width = mn.config.frame_x_radius - 0.25 - top.get_left()[0]
        lim = RV.limit_rows(runs, tuning, probes)
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
        out.append({"words": velocity_end_text(surf, runs), "lit": [w]})
        for n, key in (("gd", "chart1"), ("momentum", "chart2"), ("nesterov", "chart3")):
            out.append({"words": limit_text(n, lim, RV.place_of(surf, n)), "lit": [n], "view": key,
                        "start": True, "hold": 1.2})
        g_ = lim["gd"]["next"]  # where GD one grid η up would have placed (among the others' finals)
        g_["place"] = 1 + sum(runs[n].meta["final_loss"] < g_["final"] for n in runs if n != "gd")
        out.append({"words": bounce_text(surf, lim), "lit": ["gd", "nesterov"], "view": "bounce", "hold": 1.4})
        out.append({"words": zigzag_text(surf, runs), "lit": ["rmsprop", "adam"], "view": "zigzag", "hold": 1.2})
        out.append({"words": adagrad_steps_text(surf, runs), "lit": ["adagrad"], "view": "adagrad", "hold": 1.2})
        out.append({"words": short_verdict(tuning), "lit": [w], "view": "neighbours"})
        out.append({"words": race_takeaway(surf, runs, tuning), "lit": None, "hold": 1.4})
        return out

    def race_over(self, trails):
        """Called once the last step is drawn, before the camera moves to rest (a subclass may clear marks)."""

    def subtitle_words(self, surf) -> str:
        """The subtitle under the title (kept through the race)."""
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
            k = RV.below_step(runs[w[0]])
            if k is not None:
                return k, velocity_mid_text(surf, runs, w[0], k), w[0]
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
        """What a ring round a head means (said wherever a ring can be on screen)."""
        return mn.VGroup(mn.VGroup(mn.Circle(radius=0.15, stroke_color=color(theme.MUTED), stroke_width=4),
                                   mn.Dot(radius=0.08, color=color(theme.FOREGROUND))).move_to(0.2 * mn.RIGHT),
                         text("ring round a dot:\na run under it,\nin its colour", size=24,
                              line_spacing=0.8)).arrange(mn.RIGHT, buff=0.15)

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
                rows.append(text(f"{place}. {NAMES[n]} {loss_text(runs[n].meta['final_loss'])}", size=28,
                                 color=color("optimizer", n)))
        body = mn.VGroup(*rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1)
        for r in rows:
            if getattr(r, "indent", False):
                r.shift(0.35 * mn.RIGHT)
        return body


def short_verdict(tuning) -> str:
    """The robustness verdict in few words for the 3-D race's side column: a fragile win names what
    the winner's neighbouring rates give (unstable, or its place among all six); else `verdict_text`."""
    m = tuning.meta
    if m["verdict"] != "within noise":
        return verdict_text(tuning)
    w = m["winner"][0]
    k = int(tuning.chosen[m["names"].index(w)])
    others = [f for n, f in m["chosen_final"].items() if n != w]
    parts = []
    for side, j in (("higher", k + 1), ("lower", k - 1)):
        f = m["neighbours"][side]
        at = f" (η = {tuning.lrs[j]:.2g})" if 0 <= j < len(tuning.lrs) else ""
        parts.append(f"one {'grid step ' if not parts else ''}{side}{at} it " + (
            "is unstable (dropped)" if not np.isfinite(f) else f"ends {ordinal(1 + sum(v < f for v in others))} ({f:.2g})"))
    return f"{NAMES[w]}'s win is fragile: " + "; ".join(parts) + "."


def fit_text(words: str, width: float, size: float = 24) -> mn.Mobject:
    """Words wrapped at the most characters per line that keep the text within `width` scene units,
    with "f − f*" and "< 10⁻¹²" never broken across lines. A typical character's width at this size (one
    short sample, measured once) sets the first guess, so a text is usually built once or twice (a long
    Text is slow to build and to copy)."""
    flat = " ".join(words.split())
    for f in ("f − f* < 10", "f − f*", "< 10", "1/(1 − β) = ", "η·λₘₐₓ < 2", "2(1 + β)"):
        flat = flat.replace(f, f.replace(" ", "§"))
    flat = re.sub(r"\(β₁? = [\d.]+\)|η = [\d.]+|≈ [\d.]+", lambda m: m.group(0).replace(" ", "§"), flat)  # a value with its name
    n = max(int(width / (1.03 * _char_width(size))), 12)
    while True:
        m = text(wrap_words(flat, n).replace("§", " "), size=size, line_spacing=0.8)
        if m.width <= width or n <= 12:
            return m
        n = max(min(n - 1, int(n * width / m.width)), 12)


@lru_cache(maxsize=16)
def _char_width(size: float) -> float:
    """The mean width of a character of running text at this size (scene units)."""
    sample = "Momentum's velocity adds up its steps along the floor, 0.00105 (η·|g|)."
    return text(sample, size=size).width / len(sample)


def velocity_mid_text(surf, runs, name: str, k: int) -> str:
    """The race's stop: the step the velocity winner's loss first drops below 1, with GD's loss then; the
    reason in a clause each (a velocity adds up steps; GD's η is capped by the steep start)."""
    gd = float(runs["gd"].train_loss[k])
    return f"Step {k}: {NAMES[name]} below loss 1, GD at {gd:.1f}: {NAMES[name]}'s velocity adds up steps."


def light_runs(trails: dict, lit=None, dim: float = 0.15, widen: float = 1.4):
    """At rest: the trails of `lit` (names) whole, bright and `widen`× wider, every other trail dimmed to
    `dim`; `lit` None: every trail as the race left it. Heads stay as they are (the finish is the picture)."""
    for n, tr in trails.items():
        for m in (tr.trace.line, *tr.trace.recent):
            if not hasattr(m, "race_style"):
                m.race_style = (m.get_stroke_opacity(), m.get_stroke_width(),
                                m.get_stroke_opacity(background=True), m.get_stroke_width(background=True))
            o, w, bo, bw = m.race_style
            if lit is None:
                m.set_stroke(width=w, opacity=o).set_stroke(width=bw, opacity=bo, background=True)
            elif n in lit:
                m.set_stroke(width=w * widen, opacity=1.0).set_stroke(width=bw + w * (widen - 1), opacity=1.0,
                                                                      background=True)
            else:
                m.set_stroke(width=w, opacity=dim).set_stroke(width=bw, opacity=dim, background=True)


def start_pin(spot, words: str = "the steep start: η × curvature\npeaks in the first steps") -> mn.VGroup:
    """A tag above the start ○ (at `spot` on screen) with an arrow down to it: where the stability chart's
    numbers are measured."""
    p = np.array([*np.asarray(spot, float)[:2], 0.0])
    tag = text(words, size=26, line_spacing=0.8)
    tag.move_to(p + 1.55 * mn.UP + 0.3 * mn.LEFT)  # in the dark above the surface's far rim
    tag.shift(max(0.0, -mn.config.frame_x_radius + 0.15 - tag.get_left()[0]) * mn.RIGHT)
    tip, tail = p + 0.2 * mn.UP, tag.get_bottom() + 0.05 * mn.DOWN
    return mn.VGroup(*[mn.Arrow(tail, tip, buff=0, stroke_width=w, color=c, tip_length=0.14,
                                max_tip_length_to_length_ratio=0.5)
                       for c, w in ((color(theme.BACKGROUND), 8), (color(theme.FOREGROUND), 3.5))], tag)


LIMIT_ORDER = ("gd", "momentum", "nesterov")


def limit_chart(lim: dict, n: int, width: float, top: float = 5.0) -> mn.VGroup:
    """The first `n` rows (GD, Momentum, Nesterov) of the stability chart, `width` wide: per method its name
    and limit, a track 0…`top` of η × curvature with the stable band (0 to the limit) in its colour, ● the
    largest value over its first steps at its η, × at one grid step up; ticks under the last row."""
    bg, fg, muted = color(theme.BACKGROUND), color(theme.FOREGROUND), color(theme.MUTED)
    head = text("largest η × curvature in its steps 1–10:\n● at its η (kept by the race's rule)\n"
                "× at the next η up the grid (dropped)", size=26, line_spacing=0.8)
    span = width - 0.2  # the track, inset so the end ticks' labels stay inside
    x0 = lambda v: 0.1 + v / top * span
    rows = mn.VGroup()
    for name in LIMIT_ORDER[:n]:
        r, c = lim[name], color("optimizer", name)
        L = r["limit"]
        formula = {"gd": "2", "momentum": f"2(1 + β) = {L:.2g}", "nesterov": f"2(1 + β)/(1 + 2β) ≈ {L:.2g}"}[name]
        label = text(f"{NAMES[name]}: limit {formula}", size=26, color=c)
        track = mn.VGroup(mn.Line(ORIGIN_X(x0(0)), ORIGIN_X(x0(top)), stroke_width=2, color=muted),
                          mn.Line(ORIGIN_X(x0(0)), ORIGIN_X(x0(L)), stroke_width=9, color=c, stroke_opacity=0.45),
                          mn.Line(ORIGIN_X(x0(L)) + 0.14 * mn.UP, ORIGIN_X(x0(L)) + 0.14 * mn.DOWN, stroke_width=3,
                                  color=fg))
        dot = mn.Dot(ORIGIN_X(x0(r["now"]["peak"])), radius=0.09, color=c).set_stroke(bg, width=2.5, opacity=1)
        q = ORIGIN_X(x0(r["next"]["peak"]))
        cross = mn.VGroup(*[mn.VGroup(mn.Line(q + 0.1 * (mn.UL), q + 0.1 * mn.DR), mn.Line(q + 0.1 * mn.UR, q + 0.1 * mn.DL))
                            .set_stroke(col, width=w) for col, w in ((bg, 7), (c, 3.5))])
        marks = mn.VGroup(track, dot, cross)
        label.next_to(marks, mn.UP, buff=0.05)
        label.set_x(x0(0) + label.width / 2 - 0.1)
        rows.add(mn.VGroup(label, marks))
    rows.arrange(mn.DOWN, buff=0.06)
    left = rows[0][1][0][0].get_left()[0]
    for r in rows:
        r.shift((left - r[1][0][0].get_left()[0]) * mn.RIGHT)
    ticks = mn.VGroup(*[text(f"{v}", size=26).move_to(ORIGIN_X(x0(v))) for v in range(0, int(top) + 1)])
    ticks.next_to(rows, mn.DOWN, buff=0.1)
    ticks.shift((rows[0][1][0][0].get_left()[0] - ticks[0].get_x()) * mn.RIGHT)
    out = mn.VGroup(head, mn.VGroup(rows, ticks)).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.15)
    return out


def ORIGIN_X(x: float):
    return np.array([float(x), 0.0, 0.0])


def bounce_strip(lim: dict, probes, width: float, steps: int = 40, height: float = 2.0) -> mn.VGroup:
    """The stability rule on the two bounces it separates: loss ÷ start (log) over the first `steps` steps of
    GD one grid η up (×, dropped) and of Nesterov at its η (●, kept), with the start loss dashed and the rule's
    check step marked; GD's value there and the step Nesterov is back under the start dotted."""
    bg, fg, muted = color(theme.BACKGROUND), color(theme.FOREGROUND), color(theme.MUTED)
    runs_ = {"gd": lim["gd"]["next"], "nesterov": lim["nesterov"]["now"]}
    curves = {n: RV.probe(probes, n, r["index"])["loss"][:steps + 1] for n, r in runs_.items()}
    curves = {n: c / c[0] for n, c in curves.items()}
    check = lim["gd"]["next"]["check"]
    lo, hi = 0.4, 1.3 * max(float(c.max()) for c in curves.values())
    left = 0.75  # room for the y labels
    w = width - left - 0.1
    X = lambda k: left + k / steps * w
    Y = lambda r: (np.log10(r) - np.log10(lo)) / (np.log10(hi) - np.log10(lo)) * height
    P = lambda k, r: np.array([X(k), Y(r), 0.0])
    g = mn.VGroup(mn.Line(P(0, lo), P(steps, lo), stroke_width=2, color=muted),
                  mn.Line(P(0, lo), P(0, hi), stroke_width=2, color=muted))
    for v in (0.5, 1, 2, 4):
        if lo <= v <= hi:
            g.add(text("start" if v == 1 else f"{v:g}×", size=26).next_to(P(0, v), mn.LEFT, buff=0.1))
    for k in range(0, steps + 1, 10):
        g.add(text(f"{k}", size=26).next_to(P(k, lo), mn.DOWN, buff=0.08))
    g.add(mn.DashedLine(P(0, 1), P(steps, 1), dash_length=0.08, stroke_width=2, color=fg))
    g.add(mn.DashedLine(P(check, lo), P(check, hi), dash_length=0.08, stroke_width=2, color=fg))
    g.add(text(f"step {check}:\nchecked", size=26, line_spacing=0.8).next_to(P(check, hi), mn.RIGHT, buff=0.1)
          .align_to(P(check, hi), mn.UP))
    for n, c in curves.items():
        col = color("optimizer", n)
        line = mn.VMobject(stroke_color=col, stroke_width=4)
        line.set_points_as_corners([P(k, r) for k, r in enumerate(c)])
        g.add(outline(line, 3.0))
    k_back = lim["nesterov"]["now"]["back"]
    # GD's check: a × (dropped) with its value; Nesterov back under the start: a ● (kept)
    q = P(check, curves["gd"][check])
    g.add(*[mn.VGroup(mn.Line(q + 0.11 * mn.UL, q + 0.11 * mn.DR), mn.Line(q + 0.11 * mn.UR, q + 0.11 * mn.DL))
            .set_stroke(c_, width=w_) for c_, w_ in ((bg, 8), (color("optimizer", "gd"), 4))])
    g.add(text(f"{curves['gd'][check]:.3f}×", size=26, color=color("optimizer", "gd"))
          .next_to(q, mn.UP + mn.RIGHT, buff=0.06))  # above the start line, as its value is
    g.add(mn.Dot(P(k_back, curves["nesterov"][k_back]), radius=0.08, color=color("optimizer", "nesterov"))
          .set_stroke(bg, width=2.5, opacity=1))
    key = mn.VGroup(text(f"GD, η = {RV.num(runs_['gd']['lr'])} (×)", size=26, color=color("optimizer", "gd")),
                    text(f"Nesterov, η = {RV.num(runs_['nesterov']['lr'])} (●)", size=26,
                         color=color("optimizer", "nesterov"))).arrange(mn.DOWN, buff=0.08, aligned_edge=mn.LEFT)
    head = text(f"loss ÷ start loss (log), steps 0–{steps}", size=26)
    return mn.VGroup(head, key, g).arrange(mn.DOWN, buff=0.12, aligned_edge=mn.LEFT)


def bounce_text(surf, lim: dict) -> str:
    """What the rule makes of the two bounces: GD one grid η up still over the start at the check step, by
    its margin (dropped; where it would have ended, and its place then), Nesterov at its η under the start
    again from an early step (kept)."""
    gd, ne = lim["gd"]["next"], lim["nesterov"]["now"]
    return (f"The rule: GD's × is {gd['at_check']:.3f}× the start at step {gd['check']}: dropped, by a hair (it "
            f"would end {gd['final']:.2g}, {ordinal(gd['place'])}). Nesterov's ● is under it from step {ne['back']}: kept.")


def neighbour_rows(tuning, name: str, lim: dict | None = None) -> list[str]:
    """The winner at its η and one grid step either side, one line each: where each ends (its place among the
    others' chosen runs) or that the rule drops it (and how), its own η marked ●."""
    m = tuning.meta
    i = m["names"].index(name)
    k = int(tuning.chosen[i])
    others = [f for n, f in m["chosen_final"].items() if n != name]
    rows = []
    for j in (k - 1, k, k + 1):
        f = float(tuning.final_loss[i, j])
        if not tuning.stable[i, j]:
            how = lim[name]["next"] if lim and j == k + 1 else None
            end = "dropped (×)" + (f": loss ×{how['loss_x']:.0f}" if how and how["how"] is RV.Broke.PEAK else "")
        else:
            end = f"ends {f:.2g}, {ordinal(1 + sum(v < f for v in others))}" + (" (●)" if j == k else "")
        rows.append(f"η = {RV.num(tuning.lrs[j])}: {end}")
    return rows


def neighbour_table(tuning, name: str, lim: dict | None = None) -> mn.VGroup:
    """`neighbour_rows` under a short head, its own η's row in its colour."""
    col = color("optimizer", name)
    rows = [text(f"{NAMES[name]}'s η and its neighbours:", size=28)]
    rows += [text(r, size=28, color=col if "(●)" in r else color(theme.FOREGROUND))
             for r in neighbour_rows(tuning, name, lim)]
    return mn.VGroup(*rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.15)


def stretch_box(th, colour, side: float, half: float, centre, dots: bool = True) -> mn.VGroup:
    """A flat close-up (`side` scene units square, ±`half` in x and y round `centre`) of a stretch of trail
    `th` (θ, (n, 2)): its steps as lines, each θ a dot; parts outside the box left out."""
    bg, muted = color(theme.BACKGROUND), color(theme.MUTED)
    box = mn.Square(side, stroke_color=muted, stroke_width=2, fill_color=bg, fill_opacity=1)
    c = np.asarray(centre, float)
    at = lambda p: box.get_center() + np.array([*((np.asarray(p, float) - c) / half * side / 2), 0.0])
    th = np.asarray(th, float)
    inside = np.all(np.abs(th - c) <= 0.97 * half, axis=1)
    g = mn.VGroup(box)
    line = mn.VMobject(stroke_color=colour, stroke_width=3)
    pts = [at(p) for p, ok in zip(th, inside) if ok]
    if len(pts) > 1:
        line.set_points_as_corners(pts)
        g.add(line)
    if dots:
        g.add(*[mn.Dot(q, radius=0.045, color=colour).set_stroke(bg, width=1.5, opacity=1) for q in pts])
    return g


def zigzag_span(run) -> tuple:
    """The steps the zigzag close-ups show: five steps, fifty into the last half (where `zigzag` measures)."""
    s0, _ = RV.gain_span(run)
    return s0 + 50, s0 + 55


def zigzag_boxes(runs, side: float) -> mn.VGroup:
    """RMSprop's and Adam's trails over the same five steps, side by side at one scale (each box `side`
    wide, round its own stretch): RMSprop's zigzag, Adam's straight walk."""
    a, b = zigzag_span(runs["rmsprop"])
    parts = {n: np.asarray(runs[n].thetas, float)[a:b + 1] for n in ("rmsprop", "adam")}
    centres = {n: (p.min(axis=0) + p.max(axis=0)) / 2 for n, p in parts.items()}
    half = 1.15 * max(np.abs(p - centres[n]).max() for n, p in parts.items())
    boxes = mn.VGroup()
    for n in ("rmsprop", "adam"):
        col = color("optimizer", n)
        boxes.add(mn.VGroup(text(NAMES[n], size=26, color=col),
                            stretch_box(parts[n], col, side, half, centres[n])).arrange(mn.DOWN, buff=0.1))
    boxes.arrange(mn.RIGHT, buff=0.4, aligned_edge=mn.UP)
    return mn.VGroup(boxes, text(f"steps {a}–{b}, both at one scale (top view)", size=24)).arrange(
        mn.DOWN, buff=0.12, aligned_edge=mn.LEFT)


def adagrad_span(run) -> int:
    """The first step from which AdaGrad's steps stay within 1.5× its last one."""
    s = step_lengths(np.asarray(run.thetas, float))
    big = np.flatnonzero(s > 1.5 * s[-1])
    return int(big[-1]) + 1 if big.size else 0


def adagrad_box(runs, side: float, steps: int = 20) -> mn.VGroup:
    """AdaGrad's first `steps` steps as dots in a flat close-up: long first steps, then a pile; its first
    three θ and the last numbered."""
    th = np.asarray(runs["adagrad"].thetas, float)[:steps + 1]
    c = (th.min(axis=0) + th.max(axis=0)) / 2
    half = 1.2 * np.abs(th - c).max()
    col = color("optimizer", "adagrad")
    box = stretch_box(th, col, side, half, c)
    at = lambda p: box[0].get_center() + np.array([*((np.asarray(p, float) - c) / half * side / 2), 0.0])
    for k, d in ((0, mn.RIGHT), (1, mn.LEFT), (2, mn.UP), (steps, mn.DOWN)):
        box.add(text(f"{k}", size=24).next_to(at(th[k]), d, buff=0.08))
    # its step lengths beside the box: the first few one by one, then the rest as one range
    s = step_lengths(np.asarray(runs["adagrad"].thetas, float))
    k = adagrad_span(runs["adagrad"])
    rows = [("step", "length")] + [(f"{i + 1}", f"{s[i]:.2g}") for i in range(k)] + \
           [(f"{k + 1}–{len(s)}", f"≈ {s[-1]:.1g}")]
    table = mn.VGroup()
    for i, (a, b) in enumerate(rows):
        ta, tb = text(a, size=26), text(b, size=26)
        ta.move_to([0, -0.42 * i, 0], aligned_edge=mn.LEFT)
        tb.move_to([1.5, -0.42 * i, 0], aligned_edge=mn.LEFT)
        table.add(ta, tb)
    pic = mn.VGroup(box, table).arrange(mn.RIGHT, buff=0.4, aligned_edge=mn.UP)
    return mn.VGroup(text(f"AdaGrad: steps 0–{steps} (top view)", size=26, color=col), pic).arrange(
        mn.DOWN, buff=0.1, aligned_edge=mn.LEFT)


def limit_text(name: str, lim: dict, place: int) -> str:
    """One stability-chart row in words: what its limit means (GD) or what moves it (Momentum, Nesterov), its
    η kept (●) and the next grid η dropped (×) with how that one breaks the rule; Nesterov's ● past its limit
    bounces once and is back under the start within the rule's first steps."""
    r = lim[name]
    now, nxt = r["now"], r["next"]
    fate = {RV.Broke.LATE: f"its loss is still over the start at step {nxt['check']}",
            RV.Broke.PEAK: f"its loss spikes ×{nxt['loss_x']:.0f}", RV.Broke.DIVERGES: "it diverges",
            None: "it stays stable"}
    if name == "gd":
        return (f"GD, {ordinal(place)}: limit 2 (past it, a step overshoots). {RV.num(now['lr'])} stays under (●); "
                f"at {RV.num(nxt['lr'])} (×) {fate[nxt['how']]}.")
    if name == "momentum":
        return (f"Momentum's velocity lifts its limit to 3.8: {RV.num(now['lr'])} fits (●); at {RV.num(nxt['lr'])} (×) "
                f"{fate[nxt['how']]}: dropped.")
    past = now["peak"] > r["limit"]
    return (f"Nesterov, {ordinal(place)}: look-ahead lowers its limit to ≈ {r['limit']:.1f}; at {RV.num(nxt['lr'])} (×) "
            f"{fate[nxt['how']]}. Its {RV.num(now['lr'])} (●) is "
            + ("past it too, yet kept: next." if past else "under it."))


def zigzag_text(surf, runs) -> str:
    """RMSprop's zigzag against Adam's straight walk, measured (path over progress, the last half)."""
    a, b = RV.gain_span(runs["rmsprop"])
    return (f"RMSprop, {ordinal(RV.place_of(surf, 'rmsprop'))}, zigzags: {zigzag(runs['rmsprop'].thetas):.0f}× more "
            f"path than progress (steps {a}–{b}). Adam, {ordinal(RV.place_of(surf, 'adam'))}, adds m, a mean of g "
            f"that cancels it: {zigzag(runs['adam'].thetas):.1f}×.")


def adagrad_steps_text(surf, runs) -> str:
    """Why AdaGrad stalls: its sum of g² is set by the steep start, so its steps shrink within a few steps
    and stay small (first step, last step, their ratio, from its record)."""
    s = step_lengths(np.asarray(runs["adagrad"].thetas, float))
    k = adagrad_span(runs["adagrad"])
    return (f"AdaGrad, {ordinal(RV.place_of(surf, 'adagrad'))}, divides by all past g² summed; the steep start "
            f"made that huge: from step {k + 1} on its steps are {s[0] / s[-1]:.0f}× shorter than its first.")


def velocity_end_text(surf, runs) -> str:
    """The winner's velocity, measured: its steps are ~N× its own η·|g| (the median over the last half of its
    steps, `momentum_gain`): a velocity adds up past steps."""
    w = surf.meta["ranking"][0][0]
    b = runs[w].meta["hyper"]["beta"]
    return (f"{NAMES[w]}, {ordinal(RV.place_of(surf, w))}: its velocity (β = {b:g}) adds up past steps: on the "
            f"floor each is ~{momentum_gain(runs[w]):.0f}× a plain GD step with the same η and gradient.")


def race_takeaway(surf, runs, tuning=None) -> str:
    """The one sentence the Rosenbrock race ends on: the two velocity methods lead (their order within
    noise when the tuning verdict says so), and the adaptive ones, each at its own best η, end behind GD."""
    lead = [n for names in surf.meta["ranking"][:2] for n in names]
    gd = runs["gd"].meta["final_loss"]
    behind = [n for n in ("adagrad", "rmsprop", "adam") if runs[n].meta["final_loss"] > gd]
    noise = tuning is not None and tuning.meta["verdict"] == "within noise"
    if surf.meta["ranking"][0] == ["momentum"] and surf.meta["ranking"][-1] == ["gd"]:
        return ("Takeaway: here Momentum's velocity wins" + (", on a fragile η" if noise else "") +
                "; GD, its η capped by the steep start, crawls to last.")
    if set(lead) == {"momentum", "nesterov"} and len(behind) == 3:
        return ("Takeaway: in a long, curved valley, velocity wins (Momentum, Nesterov" +
                ("; their order is within noise" if noise else "") +
                "); the adaptive methods, each at its best η, end behind plain GD.")
    return f"Takeaway: here {' and '.join(NAMES[n] for n in lead)} lead, each at its best η on one shared grid."


def off_ridge_step(run, level: float = 0.5) -> int:
    """The first step at which a saddle run is `level` off the ridge y = 0."""
    return int(np.argmax(np.abs(np.asarray(run.thetas, float)[:, 1]) > level))


def escape_text(surf, runs) -> str:
    """Why the adaptive methods leave the ridge at step 1: each coordinate is divided by its own
    gradient size, so the tiny slope across the ridge still gives a full step across it."""
    return (f"AdaGrad, RMSprop, Adam divide each coordinate by its own gradient size: at step "
            f"{max(off_ridge_step(runs[o]) for o in ('adagrad', 'rmsprop', 'adam'))} the tiny slope across the "
            f"ridge already gives a full step off it.")


def gd_ridge_text(surf, runs) -> str:
    """GD's escape from the ridge, measured on its run: its distance off the ridge grows by 1 + 2η a
    step (f's slope across the ridge is −2y there), passing 0.5 at step k."""
    gd = np.asarray(runs["gd"].thetas, float)[:, 1]
    k = off_ridge_step(runs["gd"])
    return (f"GD steps η × slope. Across the ridge the slope is 2 × the distance off it, so each step multiplies "
            f"that distance by only 1 + 2η = {gd[1] / gd[0]:.2g}: {gd[0]:g} → {gd[k]:.2f} by step {k}.")


def arrivals(surf, runs, min_value: float) -> tuple[list, list]:
    """The saddle race ranked by arrival: [(name, first step within 10⁻¹² of f*)] for the runs that get
    there, earliest first (the recorded ranking's tie-break), then [(name, final f − f*)] for the others,
    in the recorded ranking's order."""
    order = finish_order(surf)
    first = {n: first_below(runs[n], min_value, ATOL) for n in order}
    there = sorted((n for n in order if first[n] is not None), key=lambda n: (first[n], order.index(n)))
    return [(n, first[n]) for n in there], [(n, runs[n].meta["final_loss"]) for n in order if first[n] is None]


def swing_decay(run, centre, lo: int | None = None) -> float:
    """How much a run's distance to `centre` shrinks per step over the second half of its steps: the
    exponential fit (least squares on log distance) of steps n/2 … n."""
    d = np.linalg.norm(np.asarray(run.thetas, float)[:, :2] - np.asarray(centre, float), axis=1)
    k = np.arange(len(d))[(len(d) - 1) // 2 if lo is None else lo:]
    return float(np.exp(np.polyfit(k, np.log(d[k]), 1)[0]))


def adam_swing_text(surf, runs, centre, k: int = 12) -> str:
    """Why Adam, off the ridge at step 1, does not reach ★: its m is a velocity (β₁), and round a minimum a
    velocity's swing shrinks only by about √β₁ a step (the heavy ball's rate), measured on its run (the
    top view then shows its last k steps)."""
    a = runs["adam"]
    b1 = float(a.meta["hyper"]["beta1"])
    r = swing_decay(a, centre)
    return (f"Adam keeps a velocity (β₁ = {b1:g}): it swings round ★ (top view: its last {k} steps), its "
            f"distance to ★ shrinking only ×{r:.2f} a step (≈ √β₁).")


def momentum_late_text(surf, runs, tuning) -> str:
    """Why Momentum is last on the saddle: the same velocity as Nesterov (β) but no look-ahead, so at
    Nesterov's η its swing round ★ has not died down by the last step (its f − f* there, from the tuning grid);
    its best η is the smallest of the six, and it leaves the ridge last (the step |y| > 0.5)."""
    m, hn = runs["momentum"], runs["nesterov"].meta["hyper"]
    i = tuning.meta["names"].index("momentum")
    j = int(np.flatnonzero(np.isclose(tuning.lrs, hn["lr"]))[0])
    return (f"Momentum's best η is small, {RV.num(m.meta['hyper']['lr'])} (at {RV.num(hn['lr'])}, with no "
            f"look-ahead: f − f* = {RV.num(float(tuning.final_loss[i, j]))}): it leaves the ridge last (step "
            f"{RV.ridge_step(m)}) and is still coming in at step {len(m.thetas) - 1}.")


def overshoot_step(run, surf) -> int:
    """The step a run is farthest past ★ once off the ridge (its velocity's overshoot)."""
    star = np.asarray(max(surf.meta["minima"], key=lambda m: m[1]), float)
    th = np.asarray(run.thetas, float)[:, :2]
    k0 = RV.ridge_step(run)
    return k0 + int(np.argmax(np.linalg.norm(th[k0:] - star, axis=1) * (th[k0:, 1] > star[1])))


def nesterov_overshoot_text(surf, runs, tuning) -> str:
    """Why Nesterov, off the ridge long before GD at the same η, reaches ★ after it: its velocity carries
    it past ★ (its farthest point beyond ★, in plane distance), and the swing takes steps to die out (its
    arrival step; GD's is in the ranking beside it)."""
    nv = runs["nesterov"]
    star = np.asarray(max(surf.meta["minima"], key=lambda m: m[1]), float)
    k = overshoot_step(nv, surf)
    d = float(np.linalg.norm(np.asarray(nv.thetas, float)[k, :2] - star))
    there = dict(arrivals(surf, runs, tuning.meta["min_value"])[0])
    return (f"Nesterov is off the ridge at step {RV.ridge_step(nv)} (GD: {RV.ridge_step(runs['gd'])}), but its "
            f"velocity carries it {d:.2f} past ★ by step {k}, and it swings back and forth until step "
            f"{there['nesterov']}.")


def saddle_takeaway(surf, runs, min_value: float | None = None) -> str:
    """The saddle race's one sentence: the saddle only delays GD, which reaches ★ k steps after the
    first run and ahead of the others (by arrival, the ranking beside it)."""
    tied = surf.meta["ranking"][0]
    if min_value is not None and "gd" in tied and len(tied) > 1:
        there, rest = arrivals(surf, runs, min_value)
        steps = dict(there)
        behind = [n for n, _ in there if steps[n] > steps["gd"]] + [n for n, _ in rest]
        off = abs(float(surf.meta["start"][1]) - float(surf.meta["saddles"][0][1]))
        k = RV.ridge_step(runs["gd"])
        return (f"Takeaway: a saddle only delays GD: {k} steps to leave the ridge from {off:g} off it, "
                f"{steps['gd'] - k} more to ★; {steps['gd'] - there[0][1]} after {NAMES[there[0][0]]}, ahead of "
                f"{', '.join(NAMES[n] for n in behind)}.")
    gd = np.asarray(runs["gd"].thetas, float)[:, 1]
    if "gd" in tied and len(tied) > 1:
        return (f"Takeaway: a saddle only delays plain GD (×{gd[1] / gd[0]:.1f} a step off the ridge): it too "
                f"ends on ★, tied first.")
    return f"Takeaway: from next to a saddle, {' and '.join(NAMES[n] for n in tied)} reach ★ first."


def screen_turn(camera, axes, centre, z: float) -> float:
    """The angle (radians) by which the 3-D view turns the (x, y) plane at `centre` (height z) on screen:
    a turn α, then a squash of what runs away from the camera, maps the box's x̂ to (cos α, ·) and ŷ to
    (−sin α, ·) across the screen, so the horizontal parts of the two images give α (whatever the tilt).
    (Unit steps in the scene: the box may scale x and y differently; the turn is the box's.)"""
    o = np.asarray(axes.c2p(centre[0], centre[1], z), float)
    ux = np.asarray(axes.c2p(centre[0] + 0.05, centre[1], z), float) - o
    uy = np.asarray(axes.c2p(centre[0], centre[1] + 0.05, z), float) - o
    s = np.asarray(camera.project_points(np.array([o, o + ux / np.linalg.norm(ux), o + uy / np.linalg.norm(uy)])),
                   float)[:, :2]
    return float(np.arctan2(-(s[2] - s[0])[0], (s[1] - s[0])[0]))


ORIGIN3 = np.zeros(3)


class TopView(PlaneInset):
    """The kit's `PlaneInset` of the (x, y) plane round `centre` (★), turned by `turn` (radians, `screen_turn`:
    like the 3-D view beside it), to scale: the window is ★ ± `half` along the box's sides. Each run's last
    stretch inside the window is a line in its colour; the runs in `on_spot` (ending on ★ itself, within
    round-off) are ONE dot split in their colours (a pie), tagged `spot_words`; every other run ending in the
    window is an outlined dot at its recorded end, tagged `tags[name]` on the free side (a thin leader when the
    tag sits away from it). `fade`: each path's iterates as small dots on its line, older ones fainter (a run's
    last steps: which way it moves). ★ is drawn at the centre (on the pie when there is one), and a scale bar
    of length `bar` in a free corner. `at(p)` maps a plane point (turned)."""

    def __init__(self, centre, half: float, side: float, turn: float, paths: dict, colors: dict, on_spot: list,
                 spot_words: str, tags: dict, make_text=text, size: float = 28, header: str | None = None,
                 lines: bool = True, fade: bool = False, bar: float | None = None, hollow: bool = False,
                 dot: float = 0.1, pie: float = 0.2):
        super().__init__(np.asarray(centre, float)[:2], half, side, make_text=make_text, size=size, header=header,
                         header_buff=0.1)
        ct, st = np.cos(turn), np.sin(turn)
        self.R = np.array([[ct, -st], [st, ct]])
        fg, bg, muted = self.fg, self.bg, self.muted
        lo, hi = self.box.get_corner(mn.DL), self.box.get_corner(mn.UR)
        self.lines, self.dots, self.words, self.leaders = mn.VGroup(), {}, {}, mn.VGroup()
        obstacles, self._marks = [], []  # drawn lines (a tag avoids them if it can); dots (a tag never covers one)
        for n, th in paths.items() if lines else ():  # each run's last stretch inside the window (from its last entry)
            pts = self._last_stretch(np.asarray(th, float)[:, :2])
            if len(pts) < 2:
                continue
            q = np.array([self.at(p) for p in pts])
            c_ = mn.ManimColor(colors[n])
            if fade:  # older steps fainter: each step its own segment, a dot at each iterate
                ops = np.linspace(0.3, 1.0, len(q) - 1)
                for a, b, o in zip(q[:-1], q[1:], ops):
                    self.lines.add(mn.Line(a, b, stroke_color=bg, stroke_width=8, stroke_opacity=o),
                                   mn.Line(a, b, stroke_color=c_, stroke_width=4, stroke_opacity=o))
                for p_, o in zip(q[1:-1] if len(q) > 2 else [], ops):
                    self.lines.add(mn.Dot(p_, radius=0.05, color=c_, fill_opacity=o, stroke_color=bg,
                                          stroke_width=1.5, stroke_opacity=o))
            else:
                ln = mn.VMobject(stroke_color=c_, stroke_width=4)
                ln.set_points_as_corners(q)
                self.lines.add(ln.copy().set_stroke(bg, width=8), ln)
            for a, b in zip(q[:-1], q[1:]):  # dense samples of the drawn line: what a tag must not cover
                obstacles += list(a + np.linspace(0, 1, max(2, int(np.linalg.norm(b - a) / 0.04)))[:, None] * (b - a))
        self.add(self.lines)
        spot = self.at(self.c)
        if on_spot:  # ONE dot on ★ for the runs that end there: a pie, one slice per run, in their colours
            k = len(on_spot)
            g = mn.VGroup(mn.Circle(radius=pie + 0.03, stroke_width=0, fill_color=bg, fill_opacity=1).move_to(spot))
            for i, n in enumerate(on_spot):
                g.add(mn.AnnularSector(inner_radius=0, outer_radius=pie, angle=2 * np.pi / k,
                                       start_angle=np.pi / 2 - (i + 1) * 2 * np.pi / k, fill_color=mn.ManimColor(colors[n]),
                                       fill_opacity=1, stroke_width=0).shift(spot))
            self.pie = g
            self.add(g)
            self._marks.append((spot, pie + 0.03))
        # ★ at the centre: on the pie (its slices round it), else alone
        self.star = marker(spot, radius=0.6 * pie if on_spot else 0.2)
        self.add(self.star)
        if not on_spot:
            self._marks.append((spot, 0.2))
        for n in tags:
            e = np.asarray(paths[n], float)[-1, :2]
            if not self.inside(e):
                continue
            self.dots[n] = (mn.VGroup(*[mn.Circle(radius=dot, stroke_color=k_, stroke_width=w_).move_to(self.at(e))
                                        for k_, w_ in ((bg, 8), (mn.ManimColor(colors[n]), 4))]) if hollow else
                            mn.Dot(self.at(e), radius=dot, color=mn.ManimColor(colors[n]), stroke_color=bg,
                                   stroke_width=2.5, fill_opacity=1))  # hollow: what lies under it shows
            self._marks.append((self.at(e), dot + 0.02))
        self.add(*self.dots.values())
        obstacles = np.array(obstacles) if obstacles else np.zeros((0, 3))
        self._obstacles = obstacles
        taken = []
        todo = ([("★", spot, pie + 0.03, spot_words, fg)] if on_spot else []) + [
            (n, self.dots[n].get_center(), dot, tags[n], mn.ManimColor(colors[n])) for n in tags if n in self.dots]
        for n, anchor, reach, words, c_ in todo:
            tg = make_text(words, size=size, color=c_, line_spacing=0.8)
            ctr = self._free_spot(tg, anchor, reach, obstacles, taken, lo, hi)
            tg.move_to(ctr)
            tg.add_background_rectangle(color=bg, opacity=0.85, buff=0.04)
            gap = self._rect_gap(anchor[None], ctr, tg.width, tg.height)[0]
            if gap > reach + 0.15:  # away from its dot: a thin neutral leader to it
                u = ctr - anchor
                end = self._rect_edge(anchor, ctr, tg.width, tg.height)
                self.leaders.add(mn.Line(anchor + (reach + 0.03) * u / np.linalg.norm(u), end, stroke_color=muted,
                                         stroke_width=2))
            taken.append((ctr, tg.width + 0.1, tg.height + 0.1))
            self.words[n] = tg
        self.add(self.leaders, *self.words.values())
        self.bar = None
        if bar:  # a scale bar in the freest corner: its length in the plane's units
            L = bar / self.half * self.side / 2
            g = mn.VGroup(mn.Line(ORIGIN3, L * mn.RIGHT, stroke_color=fg, stroke_width=3),
                          *[mn.Line(x * mn.RIGHT + 0.07 * mn.DOWN, x * mn.RIGHT + 0.07 * mn.UP, stroke_color=fg,
                                    stroke_width=3) for x in (0, L)])
            g.add(make_text(f"{bar:g}", size=size, color=fg).next_to(g, mn.UP, buff=0.06))
            pts = [p_ for p_, _ in self._marks] + [w.get_center() for w in self.words.values()]
            best = None
            for corner in (mn.DR, mn.DL, mn.UR, mn.UL):
                g.move_to(self.box.get_corner(corner) - corner * (np.array([g.width, g.height, 0]) / 2 + 0.12))
                room = min([self._rect_gap(np.array([p_]), g.get_center(), g.width + 0.1, g.height + 0.1)[0] for p_ in pts]
                           + [9.0])
                clash = any(abs(g.get_center()[0] - w.get_center()[0]) < (g.width + w.width) / 2 and
                            abs(g.get_center()[1] - w.get_center()[1]) < (g.height + w.height) / 2
                            for w in self.words.values())
                if not clash and len(obstacles):
                    room = min(room, float(self._rect_gap(obstacles, g.get_center(), g.width, g.height).min()))
                if not clash and (best is None or room > best[0]):
                    best = (room, g.get_center().copy())
            if best is not None:
                g.move_to(best[1])
                self.bar = g
                self.add(g)

    def at(self, p) -> np.ndarray:
        q = self.R @ (np.asarray(p, float)[:2] - self.c) / self.half * (self.side / 2)
        return self.box.get_center() + np.array([q[0], q[1], 0.0])

    def inside(self, p, margin: float = 0.02) -> bool:
        return bool(np.all(np.abs(self.R @ (np.asarray(p, float)[:2] - self.c)) <= self.half * (1 - margin)))

    def _last_stretch(self, th):
        """The path from where it last enters the window to its end (its entry cut at the box's edge); empty
        when it ends outside."""
        if not self.inside(th[-1]):
            return []
        k = len(th) - 1
        while k > 0 and self.inside(th[k - 1]):
            k -= 1
        pts = list(th[k:])
        if k > 0:  # the step that enters: from its crossing of the edge (bisection along the step)
            a, b = th[k - 1], th[k]
            t0, t1 = 0.0, 1.0
            for _ in range(30):
                m = (t0 + t1) / 2
                t0, t1 = (t0, m) if self.inside(a + m * (b - a)) else (m, t1)
            pts.insert(0, a + t1 * (b - a))
        return pts

    @staticmethod
    def _rect_gap(points, ctr, w, h):
        """Each point's distance to the rectangle w × h centred at ctr (0 inside)."""
        d = np.maximum(np.abs(np.asarray(points)[:, :2] - ctr[:2]) - [w / 2, h / 2], 0)
        return np.linalg.norm(d, axis=1)

    @staticmethod
    def _rect_edge(anchor, ctr, w, h):
        """Where the line from anchor to the rectangle's centre meets its edge."""
        u = (ctr - anchor)[:2]
        s = min(w / 2 / max(abs(u[0]), 1e-9), h / 2 / max(abs(u[1]), 1e-9), 1.0)
        return np.array([*(ctr[:2] - s * u), 0.0])

    def _free_spot(self, tg, anchor, reach, obstacles, taken, lo, hi):
        """The tag's centre: inside the box, clear of every dot and placed tag (a must), then of the drawn
        lines (as far as it can), as near its anchor as that allows."""
        w, h = tg.width + 0.08, tg.height + 0.08
        best, key = None, None
        m_ = np.array([w / 2 + 0.04, h / 2 + 0.04, 0])
        radial = [anchor + np.array([np.cos(a), np.sin(a), 0.0]) * (reach + r + abs(np.cos(a)) * w / 2 + abs(np.sin(a)) * h / 2)
                  for r in (0.06, 0.2, 0.4, 0.65, 1.0) for a in np.linspace(0, 2 * np.pi, 32, endpoint=False)]
        # (then anywhere in the box, nearest first: a wide tag in a small box may only fit away from its mark)
        grid = [np.array([x, y, 0.0]) for x in np.arange(lo[0] + m_[0], hi[0] - m_[0] + 1e-9, 0.1)
                for y in np.arange(lo[1] + m_[1], hi[1] - m_[1] + 1e-9, 0.1)]
        for ctr in radial + grid:
            ctr = np.clip(ctr, lo + m_, hi - m_)
            hard = [self._rect_gap(p[None], ctr, w, h)[0] - rad for p, rad in self._marks]
            free = min(hard, default=9.0) > 0.04 and not any(
                abs(ctr[0] - c2[0]) < (w + w2) / 2 and abs(ctr[1] - c2[1]) < (h + h2) / 2 for c2, w2, h2 in taken)
            clear = float(self._rect_gap(obstacles, ctr, w, h).min()) if len(obstacles) else 9.0
            near = float(np.linalg.norm((ctr - anchor)[:2]))  # centre to anchor: a tag beside its mark, not slid along
            k_ = (free, min(clear, 0.12), -near)
            if key is None or k_ > key:
                best, key = ctr, k_
        return best


class DescentRace3DSaddle(DescentRace3D):
    """The saddle race in 3-D. At rest the surface keeps only ★ and the trails (at this zoom six runs end on
    one ★): a top view of ★'s neighbourhood beside it, to scale and turned like the surface, carries who
    ends where, and the ranking is by the step each run reached ★ (the saddle delays GD: the point)."""
    surface = "saddle"
    tag_side = {"adagrad": mn.LEFT, "rmsprop": mn.UP, "adam": mn.DOWN}
    end_zoom_factor = 0.56    # at rest the surface leaves the right half to the top view and the ranking
    end_offset = (-3.9, -0.5)  # and glides left, clear of the top view's box
    sub_size, key_size = 26, 26
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

    def subtitle_words(self, surf) -> str:
        """What 'best η' means here (the tuning's rule on this surface: the lowest f at the last step, a tie
        of several η at ★ going to the first there), the marks."""
        tun = tuning_record(self.surface)
        per = int(round(1 / np.log10(tun.lrs[1] / tun.lrs[0])))
        return (f"η: first on ★, else lowest f at step {surf.meta['steps']} · grid {power_of_ten(tun.lrs[0])}…"
                f"{tun.lrs[-1]:g}, {per} per decade")

    def ring_key(self) -> mn.VGroup:
        """What a ring round a dot means, and under it the marks' key (○ ★ ×: the subtitle says the η rule)."""
        ring = mn.VGroup(mn.VGroup(mn.Circle(radius=0.15, stroke_color=color(theme.MUTED), stroke_width=4),
                                   mn.Dot(radius=0.08, color=color(theme.FOREGROUND))).move_to(0.2 * mn.RIGHT),
                         text("ring round a dot:\na run under it", size=28, line_spacing=0.8)).arrange(mn.RIGHT, buff=0.15)
        return mn.VGroup(ring, self.marks_key()).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.15)

    @staticmethod
    def marks_key() -> mn.Mobject:
        return text("○ start · ★ minimum · × saddle", size=26)

    def ranking_rows(self, surf, runs, tuning) -> mn.VGroup:
        """By arrival: the runs that reach ★ (f − f* < 10⁻¹²), with the step, earliest first; then the
        others with their f − f* at the last step. One numbering through both."""
        there, rest = arrivals(surf, runs, tuning.meta["min_value"])
        rows = [text("reached ★ at step\n(f − f* < 10⁻¹²):", size=self.end_size, line_spacing=0.8)]
        for i, (n, k) in enumerate(there, start=1):
            rows.append(text(f"{i}. {NAMES[n]} {k}", size=self.end_size, color=color("optimizer", n)))
        rows.append(text(f"at step {surf.meta['steps']}, f − f*:", size=self.end_size))
        for i, (n, f) in enumerate(rest, start=len(there) + 1):
            rows.append(text(f"{i}. {NAMES[n]} {loss_text(f)}", size=self.end_size, color=color("optimizer", n)))
        body = mn.VGroup(*rows).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.05)
        for r in (rows[len(there) + 1],):  # a little air before the second group
            body[body.submobjects.index(r):].shift(0.12 * mn.DOWN)
        body.row_of = {n: rows[i] for i, n in enumerate([n for n, _ in there], start=1)}
        body.row_of.update({n: rows[i] for i, n in enumerate([n for n, _ in rest], start=len(there) + 2)})
        return body

    def top_view(self, surf, runs, tuning, turn: float) -> TopView:
        """The end's top view: the runs on ★ one pie dot ('1–4 on ★'), the others at their recorded ends
        tagged with their place and name (their f − f* in the ranking beside it)."""
        there, rest = arrivals(surf, runs, tuning.meta["min_value"])
        centre = self.end_centre(surf, runs)
        on = [n for n, _ in there if np.linalg.norm(runs[n].thetas[-1][:2] - centre) < self.halo_cover]
        place = {n: i for i, n in enumerate([n for n, _ in there] + [n for n, _ in rest], start=1)}
        tags = {n: f"{place[n]}. {NAMES[n]}" for n, f in rest}  # (its f − f* in the ranking beside)
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
        v.ruler = None
        if mark is not None:  # (by hand, not `PlaneInset.ruler`: that one draws solid extension lines from
            # `clear` off the points, a thinner rim and its length beside the middle or in a corner; this one has
            # dashed extension lines from the points, a white-ringed dot at the step and its tag on a free spot)
            a, b = v.at(centre), v.at(th[mark])
            u = (b - a) / np.linalg.norm(b - a)
            n_ = np.array([-u[1], u[0], 0.0])
            n_ = n_ if (n_[0] + n_[1]) > 0 else -n_  # the upper-right side of the path (its end's tag takes the other)
            off = 0.3 * n_
            fg, bg = color(theme.FOREGROUND), color(theme.BACKGROUND)
            parts = [mn.Line(a + off, b + off), mn.Line(a + off - 0.1 * n_, a + off + 0.1 * n_),
                     mn.Line(b + off - 0.1 * n_, b + off + 0.1 * n_), mn.DashedLine(a, a + off, dash_length=0.05),
                     mn.DashedLine(b, b + off, dash_length=0.05)]
            g = mn.VGroup(*[p_.copy().set_stroke(bg, width=8) for p_ in parts[:3]],
                          *[p_.set_stroke(fg, width=3.5 if i < 3 else 1.5) for i, p_ in enumerate(parts)])
            dot = mn.VGroup(mn.Dot(b, radius=0.11, color=fg), mn.Dot(b, radius=0.07, color=color("optimizer", name)))
            d = float(np.linalg.norm(th[mark] - centre))
            tag = text(f"{d:.2f}", size=self.end_size)  # (the line says "… past ★ by step k")
            # beside the ruler, clear of it, of the path and of the other tags (≥ 8 px)
            strip = [a + off + t_ * (b - a) + e_ * n_ for t_ in np.linspace(0, 1, 40) for e_ in (-0.1, 0.0, 0.1)]
            obst = np.vstack([v._obstacles, np.array(strip)]) if len(v._obstacles) else np.array(strip)
            v._marks += [(b, 0.12)] + [(p_, 0.14) for p_ in strip[1::3]]  # the ruler's strip: a tag never on it
            taken = [(w.get_center(), w.width + 0.16, w.height + 0.16) for w in v.words.values()]
            lo_, hi_ = v.box.get_corner(mn.DL), v.box.get_corner(mn.UR)
            tag.move_to(v._free_spot(tag, (a + b) / 2 + off, 0.15, obst, taken, lo_, hi_))
            tag.add_background_rectangle(color=bg, opacity=0.85, buff=0.04)
            v.ruler = mn.VGroup(dot, tag, g)  # the ruler above every backing
            v.ruler.dot, v.ruler.tag = dot, tag
            v.add(v.ruler)
            v.remove(v.star)
            v.add(v.star)  # ★ above the end's hollow ring
            if v.bar is not None:  # the scale bar in the corner farthest from the measured step's tag
                far = max((mn.DR, mn.DL, mn.UR, mn.UL), key=lambda c_: min(
                    np.linalg.norm(v.box.get_corner(c_) - tag.get_center()), np.linalg.norm(v.box.get_corner(c_) - b),
                    *[np.linalg.norm(v.box.get_corner(c_) - w.get_center()) for w in v.words.values()]))
                v.bar.move_to(v.box.get_corner(far) - far * (np.array([v.bar.width, v.bar.height, 0]) / 2 + 0.12))
        return v

    def end_beats(self, surf, runs, tuning) -> list[tuple]:
        """The closing lines, each with the run it is about and the steps the top view then shows of it
        (None: the ends): why Adam and Momentum never reach ★, why Nesterov gets there after GD, the
        takeaway (on the ends)."""
        n = len(runs["adam"].thetas) - 1
        k = self.path_steps
        kn = RV.ridge_step(runs["nesterov"])
        there = dict(arrivals(surf, runs, tuning.meta["min_value"])[0])
        return [(adam_swing_text(surf, runs, self.end_centre(surf, runs), k), "adam", (n - k, n)),
                (momentum_late_text(surf, runs, tuning), "momentum", (n - k, n)),
                (nesterov_overshoot_text(surf, runs, tuning), "nesterov", (kn, there["nesterov"],
                                                                          overshoot_step(runs["nesterov"], surf))),
                (saddle_takeaway(surf, runs, tuning.meta["min_value"]), "gd", None)]

    def end_card(self, surf, runs, tuning, trails, what, side, axes=None, hmap=None):
        """At rest: on the surface only ★ and the trails (the heads and rings went when the race ended: at
        this zoom six ends share one ★); beside it the top view of ★ (framed on the surface, to scale,
        turned like it) and the ranking by arrival; then one closing line at a time, each lighting its run
        (its trail on the surface, its row in the ranking, its last steps in the top view), the takeaway
        last, on the ends again."""
        centre = self.end_centre(surf, runs)
        z = float(hmap(np.array([surf.loss.min()]))[0])
        turn = screen_turn(self.camera, axes, centre, z)
        view = self.top_view(surf, runs, tuning, turn)
        rows = self.ranking_rows(surf, runs, tuning)
        top = mn.VGroup(view, rows).arrange(mn.RIGHT, buff=0.35, aligned_edge=mn.UP)
        top.to_edge(mn.RIGHT, buff=0.25)
        top.shift((what.get_bottom()[1] - 0.2 - top.get_top()[1]) * mn.UP)
        width = mn.config.frame_x_radius - 0.25 - top.get_left()[0]
        beats, plan = [], self.end_beats(surf, runs, tuning)
        for words, who, steps in plan:
            w = fit_text(words, width, size=self.end_size)
            room = top.get_bottom()[1] - 0.3 - (-mn.config.frame_y_radius + 0.25)  # ≥ 15 px above the frame's bottom
            if w.height > room:  # (a longer line than today's records give: shrunk, never below size 24)
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
        key = self.marks_key().to_corner(mn.DL, buff=0.3)  # under the surface (the legend's key goes with it)
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
        k = max(off_ridge_step(runs[o]) for o in ("adagrad", "rmsprop", "adam"))
        return [(k, escape_text(surf, runs), ["adagrad", "rmsprop", "adam"]),
                (off_ridge_step(runs["gd"]), gd_ridge_text(surf, runs), "gd")]

    def start_words(self, surf) -> str:
        sy = surf.meta["saddles"][0][1]
        return f" · ○ starts {abs(float(surf.meta['start'][1]) - sy):g} off the ridge (white line)"

    def guides(self, axes, surf, hmap):
        """The ridge through × (the grid row at the saddle's y: along it the loss rises both ways from ×,
        across it the loss falls to either ★), dashed, labelled at the end away from the start ○."""
        sx, sy = surf.meta["saddles"][0]
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
