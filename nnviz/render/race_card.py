"""The 3-D race's kit, drawn from the race records: rings round covered heads (`head_halos`), the mid-race
name tags (`leader_tag`, `arrow_tag`), and the end card: text wrapped to a column, trails lit or dimmed at
rest, a pin on the start ○, the stability-limit chart and the rule's two bounces, the winner's neighbours, flat
close-ups of a stretch of trail (RMSprop's zigzag beside Adam's walk, AdaGrad's first steps), and `TopView`, a
`PlaneInset` of ★'s neighbourhood turned like the 3-D view (with `star_ruler`). The words come from
`nnviz.experiments.race_views`."""
import re
from functools import lru_cache

import manim as mn
import numpy as np

from .. import theme
from ..experiments import race_views as RV
from ..experiments import race_views_3d as R3
from ..experiments.descent import RACE_NAMES, step_lengths, wrap_words
from .race_chart import cross_mark, widest_wrap
from .style import color, text
from .surface3d import PlaneInset, covering_head, marker, outline


def head_halos(camera, heads: dict, order: list, start_at, near: float, cover: float | None = None) -> dict:
    """A ring for each head (`heads`: name → its dot) that a better-placed one (`order`: the ranking, best
    first) may cover: in its colour, round the covering dot when `covering_head` says it is under it (one ring
    wider per extra covering head), hidden otherwise and while the head sits in the start ○ (`start_at`, within
    0.3 on screen). Each ring follows `camera`'s projection every frame; `ring.covered_by` names the dot it is
    round (None: hidden). Returns name → ring, for the runs with a better-placed head."""
    halos = {}
    for o_, head in heads.items():
        better = [heads[b] for b in order[:order.index(o_)] if b in heads]
        if not better:
            continue
        halo = mn.VGroup(*[mn.Circle(radius=0.19, stroke_color=c, stroke_width=w)
                           for c, w in ((color(theme.BACKGROUND), 8), (color("optimizer", o_), 4.5))])
        halo.covered_by = None

        def follow(m, head=head, better=better, names=[b for b in order[:order.index(o_)] if b in heads]):
            p = head.get_center()
            s_ = np.asarray(camera.project_points(np.array([p, start_at] + [b.get_center() for b in better],
                                                           float)), float)[:, :2]
            # covered: near that dot on screen AND on its spot in 3-D (a run merely ending close
            # at this zoom keeps its own dot: a ring says "a run under it")
            cand = [(n_, s__, b.get_center()) for n_, b, s__ in zip(names, better, s_[2:])
                    if b.get_fill_opacity() > 0]
            shown = [c_ for c_ in cand if covering_head((s_[0], p), [c_], near, cover)]
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
        halos[o_] = halo
    return halos


def leader_tag(tag, spot, at, colour) -> mn.VGroup:
    """A head's name placed at `at` (screen x, y: in the dark off the surface) with a thin outlined leader from
    its dot at `spot` (screen x, y) to the name's near edge: (leader's rim, leader, tag)."""
    tag.move_to([*at, 0.0])
    p_ = np.array([*spot, 0.0])
    u = (tag.get_center() - p_) / max(np.linalg.norm(tag.get_center() - p_), 1e-9)
    end = tag.get_critical_point(mn.UP if u[1] < 0 else mn.DOWN) + 0.05 * (mn.UP if u[1] < 0 else mn.DOWN)
    return mn.VGroup(*[mn.Line(p_ + 0.16 * u, end, stroke_width=w, color=c)
                       for c, w in ((color(theme.BACKGROUND), 5), (colour, 2.5))], tag)


def arrow_tag(tag, spot, side, colour) -> mn.VGroup:
    """A head's name beside its dot at `spot` (screen x, y) on `side`, kept in the frame, on a dark backing,
    with a short outlined arrow to the dot: (arrow's rim, arrow, tag)."""
    tag.next_to([*spot, 0.0], side, buff=0.55)
    tag.shift(max(0.0, -mn.config.frame_x_radius + 0.1 - tag.get_left()[0]) * mn.RIGHT)  # in the frame
    tag.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.8, buff=0.04)
    tip = np.array([*spot, 0.0]) - 0.17 * side
    tail = tag.get_critical_point(-side) - 0.04 * side
    return mn.VGroup(*[mn.Arrow(tail, tip, buff=0, stroke_width=w, color=c, tip_length=0.14,
                                max_tip_length_to_length_ratio=0.5) for c, w in ((color(theme.BACKGROUND), 8), (colour, 4))],
                     tag)


def fit_text(words: str, width: float, size: float = 24) -> mn.Mobject:
    """Words wrapped at the most characters per line that keep the text within `width` scene units,
    with no formula broken across lines: an operator (+ − = ≈ < × → …) stays on one line with both its
    operands, so "1 + 2η = 1.5" or "f − f* < 10⁻¹²" is never split. A typical character's width at this
    size (one short sample, measured once) sets the first guess, so a text is usually built once or twice
    (a long Text is slow to build and to copy)."""
    n = max(int(width / (1.03 * _char_width(size))), 12)
    return widest_wrap(lambda k: text(formula_lines(words, k), size=size, line_spacing=0.8), n, 0.0, width)


OPERATORS = "+−=≈<>≤≥×→"


def formula_lines(words: str, n: int) -> str:
    """`words` wrapped at `n` characters a line, never breaking beside an operator (so "1 + 2η = 1.5"
    stays whole, and so does "(≈ 0.66)"): the spaces round an operator are held (§) while wrapping."""
    flat = re.sub(f" (?=[{OPERATORS}] )", "§", " ".join(words.split()))   # the space before an operator
    flat = re.sub(f"(?<=[{OPERATORS}]) ", "§", flat)                         # the space after one
    return wrap_words(flat, n).replace("§", " ")


@lru_cache(maxsize=16)
def _char_width(size: float) -> float:
    """The mean width of a character of running text at this size (scene units)."""
    sample = "Momentum's velocity adds up its steps along the floor, 0.00105 (η·|g|)."
    return text(sample, size=size).width / len(sample)


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
        label = text(f"{RACE_NAMES[name]}: limit {formula}", size=26, color=c)
        track = mn.VGroup(mn.Line(ORIGIN_X(x0(0)), ORIGIN_X(x0(top)), stroke_width=2, color=muted),
                          mn.Line(ORIGIN_X(x0(0)), ORIGIN_X(x0(L)), stroke_width=9, color=c, stroke_opacity=0.45),
                          mn.Line(ORIGIN_X(x0(L)) + 0.14 * mn.UP, ORIGIN_X(x0(L)) + 0.14 * mn.DOWN, stroke_width=3,
                                  color=fg))
        dot = mn.Dot(ORIGIN_X(x0(r["now"]["peak"])), radius=0.09, color=c).set_stroke(bg, width=2.5, opacity=1)
        q = ORIGIN_X(x0(r["next"]["peak"]))
        cross = cross_mark(q, 0.1, c, 3.5, rim=7)
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
    g.add(*cross_mark(q, 0.11, color("optimizer", "gd"), 4, rim=8))
    g.add(text(f"{curves['gd'][check]:.3f}×", size=26, color=color("optimizer", "gd"))
          .next_to(q, mn.UP + mn.RIGHT, buff=0.06))  # above the start line, as its value is
    g.add(mn.Dot(P(k_back, curves["nesterov"][k_back]), radius=0.08, color=color("optimizer", "nesterov"))
          .set_stroke(bg, width=2.5, opacity=1))
    key = mn.VGroup(text(f"GD, η = {RV.num(runs_['gd']['lr'])} (×)", size=26, color=color("optimizer", "gd")),
                    text(f"Nesterov, η = {RV.num(runs_['nesterov']['lr'])} (●)", size=26,
                         color=color("optimizer", "nesterov"))).arrange(mn.DOWN, buff=0.08, aligned_edge=mn.LEFT)
    head = text(f"loss ÷ start loss (log), steps 0–{steps}", size=26)
    return mn.VGroup(head, key, g).arrange(mn.DOWN, buff=0.12, aligned_edge=mn.LEFT)


def neighbour_table(tuning, name: str, lim: dict | None = None) -> mn.VGroup:
    """`neighbour_rows` under a short head, its own η's row in its colour."""
    col = color("optimizer", name)
    rows = [text(f"{RACE_NAMES[name]}'s η and its neighbours:", size=28)]
    rows += [text(r, size=28, color=col if "(●)" in r else color(theme.FOREGROUND))
             for r in R3.neighbour_rows(tuning, name, lim)]
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


def zigzag_boxes(runs, side: float) -> mn.VGroup:
    """RMSprop's and Adam's trails over the same five steps, side by side at one scale (each box `side`
    wide, round its own stretch): RMSprop's zigzag, Adam's straight walk."""
    a, b = R3.zigzag_span(runs["rmsprop"])
    parts = {n: np.asarray(runs[n].thetas, float)[a:b + 1] for n in ("rmsprop", "adam")}
    centres = {n: (p.min(axis=0) + p.max(axis=0)) / 2 for n, p in parts.items()}
    half = 1.15 * max(np.abs(p - centres[n]).max() for n, p in parts.items())
    boxes = mn.VGroup()
    for n in ("rmsprop", "adam"):
        col = color("optimizer", n)
        boxes.add(mn.VGroup(text(RACE_NAMES[n], size=26, color=col),
                            stretch_box(parts[n], col, side, half, centres[n])).arrange(mn.DOWN, buff=0.1))
    boxes.arrange(mn.RIGHT, buff=0.4, aligned_edge=mn.UP)
    return mn.VGroup(boxes, text(f"steps {a}–{b}, both at one scale (top view)", size=24)).arrange(
        mn.DOWN, buff=0.12, aligned_edge=mn.LEFT)


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
    k = R3.adagrad_span(runs["adagrad"])
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

    def star_ruler(self, p, colour, size: float = 28) -> mn.VGroup:
        """The distance from ★ (the centre) to plane point p, measured: a dimension line on the upper-right side of
        the line between them (the end's tag takes the other), dashed extension lines from both points, a
        white-ringed dot of `colour` at p, its length on a free spot beside the line, clear of it, of the path and
        of the other tags (≥ 8 px); ★ kept on top, the scale bar moved to the corner farthest from all that.
        `ruler.dot`, `ruler.tag`. (By hand, not `PlaneInset.ruler`: that one draws solid extension lines from
        `clear` off the points, a thinner rim and its length beside the middle or in a corner.)"""
        a, b = self.at(self.c), self.at(p)
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
        dot = mn.VGroup(mn.Dot(b, radius=0.11, color=fg), mn.Dot(b, radius=0.07, color=colour))
        d = float(np.linalg.norm(np.asarray(p, float)[:2] - self.c))
        tag = self.make_text(f"{d:.2f}", size=size)  # (the caller's words say "… past ★ by step k")
        # beside the ruler, clear of it, of the path and of the other tags (≥ 8 px)
        strip = [a + off + t_ * (b - a) + e_ * n_ for t_ in np.linspace(0, 1, 40) for e_ in (-0.1, 0.0, 0.1)]
        obst = np.vstack([self._obstacles, np.array(strip)]) if len(self._obstacles) else np.array(strip)
        self._marks += [(b, 0.12)] + [(p_, 0.14) for p_ in strip[1::3]]  # the ruler's strip: a tag never on it
        taken = [(w.get_center(), w.width + 0.16, w.height + 0.16) for w in self.words.values()]
        lo_, hi_ = self.box.get_corner(mn.DL), self.box.get_corner(mn.UR)
        tag.move_to(self._free_spot(tag, (a + b) / 2 + off, 0.15, obst, taken, lo_, hi_))
        tag.add_background_rectangle(color=bg, opacity=0.85, buff=0.04)
        ruler = mn.VGroup(dot, tag, g)  # the ruler above every backing
        ruler.dot, ruler.tag = dot, tag
        self.add(ruler)
        self.remove(self.star)
        self.add(self.star)  # ★ above the end's hollow ring
        if self.bar is not None:  # the scale bar in the corner farthest from the measured step's tag
            far = max((mn.DR, mn.DL, mn.UR, mn.UL), key=lambda c_: min(
                np.linalg.norm(self.box.get_corner(c_) - tag.get_center()), np.linalg.norm(self.box.get_corner(c_) - b),
                *[np.linalg.norm(self.box.get_corner(c_) - w.get_center()) for w in self.words.values()]))
            self.bar.move_to(self.box.get_corner(far) - far * (np.array([self.bar.width, self.bar.height, 0]) / 2 + 0.12))
        return ruler

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
