"""The optimizer race's 2-D pictures, drawn from the race records (the race scenes' and the tuning scene's
kit): the ranking strip and the saddle's escape table, a small per-step series chart for the side column, the
map's marks (start ○, minima ★, the outlined × `cross_mark`, exits off the view, a beat's marks, spotlit or
thinned trails), a zoom inset of a run's last steps, captions that fit the side column, GD's edge inset for the
tuning scene, and the race's and the tuning sweep's time warps. The words they carry come from
`nnviz.experiments.race_views`."""
import re

import manim as mn
import numpy as np

from .. import theme
from ..experiments import race_views as RV
from ..experiments.descent import RACE_NAMES, finish_order, first_below, loss_words, ordinal, power_of_ten, wrap_words
from ..tuning import ATOL
from .pacing import TimeWarp, combine, path_progress
from .plots import LabelledAxes
from .style import color, label, text


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
        names = [text(RACE_NAMES[n], size=size, color=color("optimizer", n)) for n in order]
        name_w = max(m.width for m in names)
        if ring_labels and tuning is not None and tuning.meta.get("neighbours"):  # "Adam η=2.5", indented
            w0 = tuning.meta["winner"][0]
            j0 = RV.chosen_index(tuning, w0)
            name_w = max([name_w] + [0.3 + text(f"η={tuning.lrs[j0 + d]:.2g}", size=size).width for d in (-1, 1)])
        bg, muted, fg = color(theme.BACKGROUND), color(theme.MUTED), color(theme.FOREGROUND)
        self.head = text("final loss f − f*" + (f" (ties: step to {power_of_ten(ATOL)})" if tied else
                                                ", shortest bar best" if ring_labels else ", best first"), size=size)
        self.add(self.head)
        rows = mn.VGroup()
        x0 = name_w + 0.2
        if room is not None:  # the axis gets what the names and the widest value leave
            said = [f"step {first_below(runs[n], min_value, ATOL)}" if n in tied else loss_words(runs[n].meta["final_loss"])
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
                     else loss_words(runs[n].meta["final_loss"]))
            val = text(words, size=size, color=c).next_to([x0 + width, y, 0], mn.RIGHT, buff=0.15)
            rows.add(mn.VGroup(nm, track, bar, dot, val))
            y -= ROW
            if n == w and ring_labels:  # the winner one grid step either way, a row each: ◇ and its value
                j = RV.chosen_index(tuning, w)
                for side, dj in (("lower", -1), ("higher", 1)):
                    v = nb[side]
                    r = mn.VGroup(text(f"η={tuning.lrs[j + dj]:.2g}", size=size, color=c).move_to(
                        [0.3, y, 0], aligned_edge=mn.LEFT),
                        mn.Line([x0, y, 0], [x0 + width, y, 0], stroke_width=1.5, color=muted))
                    if np.isfinite(v):
                        r.add(mn.Square(0.17, stroke_color=c, stroke_width=3).rotate(np.pi / 4).move_to(
                            [pos(min(max(v, 10.0 ** lo), 10.0 ** hi)), y, 0]))
                        r.add(text(loss_words(v), size=size, color=c).next_to([x0 + width, y, 0], mn.RIGHT, buff=0.15))
                    else:
                        r.add(text("× diverged", size=size, color=c).next_to([x0 + width, y, 0], mn.RIGHT, buff=0.15))
                    rows.add(r)
                    y -= ROW
                # a bracket from the winner's name down its two rows: they are the winner at other rates
                top, bot = y + 2.5 * ROW - 0.12, y + 0.5 * ROW + 0.05
                rows.add(mn.VMobject(stroke_color=c, stroke_width=2.5).set_points_as_corners(
                    [[0.2, top, 0], [0.1, top, 0], [0.1, bot, 0], [0.2, bot, 0]]))
            elif n == w:  # the winner one grid step either way, on a row of its own
                j = RV.chosen_index(tuning, w)
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
                        place = RV.place_among(tuning.meta, w, v)
                        keys.append(f"◇ {who}{eta}: {loss_words(v)}" + (f" ({ordinal(place)})" if place > 1 else ""))
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
        names = {n: text(RACE_NAMES[n], size=size, color=color("optimizer", n)) for n in order}
        heads = [text("off ridge", size=size, color=fg), text("at ★", size=size, color=fg)]
        c1 = max(m.width for m in names.values()) + 0.3
        c2 = c1 + heads[0].width + 0.25
        rows = mn.VGroup(heads[0].move_to([c1, 0, 0], aligned_edge=mn.LEFT),
                         heads[1].move_to([c2, 0, 0], aligned_edge=mn.LEFT))
        y = -0.45
        for n in order:
            c = color("optimizer", n)
            right = (f"step {first_below(runs[n], min_value, ATOL)}" if n in done
                     else f"no ({loss_words(runs[n].meta['final_loss'])})")
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
                   max(text((labels or {}).get(n, RACE_NAMES[n]), size=key_size or size).width for n in series) + (0.6 if key else 0.12))

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
            lab = text((labels or {}).get(n, RACE_NAMES[n]), size=key_size or size, color=c).next_to(pts[-1], mn.RIGHT, buff=0.12)
            if key_above or key_inside or key:  # a key entry: a short line of its colour, then the name
                lab = mn.VGroup(mn.Line(mn.ORIGIN, 0.3 * mn.RIGHT, stroke_width=5, color=c), lab.copy()).arrange(
                    mn.RIGHT, buff=0.1)
            if key_above:  # two columns above the plot, in the order given
                i = len(ends_)
                rows = -(-len(series) // 2)
                lab.move_to(ax.c2p(x0, y1) + np.array([(i % 2) * (room / 2 - overhang), 0.45 + 0.38 * (rows - 1 - i // 2),
                                                       0]), aligned_edge=mn.LEFT)
            elif key_inside:  # a key in the plot's bottom left corner (where no line runs), one row per series
                lab.move_to(ax.c2p(x0, y0) + np.array([0.15, 0.06 + 0.36 * (len(series) - 1 - len(ends_)), 0]),
                            aligned_edge=mn.DL)
            elif key:  # a key right of the plot, one row per series in the order given, top down
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


def thin_trail(trail, width: float = 1.5, opacity: float = 0.6):
    """A dense trail (RMSprop's zigzag) thin and see-through, its end dot as it is: what lies under it shows."""
    for m in trail.family_members_with_points():
        if not isinstance(m, mn.Dot):
            m.set_stroke(width=width, opacity=opacity)


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
    return widest_wrap(lambda n: text(wrap_words(flat, n).replace("§", " "), size=size, line_spacing=0.8,
                                      **({"t2c": t2c} if t2c else {})), start, left, RIGHT_EDGE)


def widest_wrap(make, n: int, left: float, right: float, least: int = 12) -> mn.Mobject:
    """`make(n)`, a text wrapped at n characters a line, at the largest n from `n` down whose text, its left
    edge at x = `left`, ends at or before x = `right` (or at `least` characters, if none fits): one layout per
    try, the next try's n estimated from this one's overshoot (a long Text is slow to build)."""
    while True:
        m = make(n)
        if left + m.width <= right or n <= least:
            return m
        n = max(min(n - 1, int(n * (right - left) / m.width)), least)


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
    words = text(f"{RACE_NAMES[name]}'s last {last}\nsteps, zoomed ×{zoom:.0f}", size=24, color=c, line_spacing=0.8)
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


def race_warp(surf, runs, run_time: float) -> TimeWarp:
    """The race's step-at-time mapping: time follows the drawn path length of all runs together
    (each run's share of its own length, until it leaves the view)."""
    bounds = [surf.xs[[0, -1]], surf.ys[[0, -1]]]
    scale = [np.ptp(surf.xs), np.ptp(surf.ys)]
    prog = combine([path_progress(r.thetas, r.steps, bounds, scale) for r in runs.values()])
    return TimeWarp.from_progress(prog, run_time, last_step=surf.meta["steps"])


def cross_mark(p, arm: float, colour, width: float, rim: float) -> mn.VGroup:
    """An × at p (its arms `arm` along each diagonal), outlined: a background-coloured × `rim` wide under the
    one in `colour` (the saddle's ×, a dropped run's ×)."""
    return mn.VGroup(*[mn.VGroup(mn.Line(p + arm * mn.UL, p + arm * mn.DR), mn.Line(p + arm * mn.UR, p + arm * mn.DL))
                       .set_stroke(c, width=w) for c, w in ((color(theme.BACKGROUND), rim), (colour, width))])


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
        saddles.add(*cross_mark(c, size, fg, 4, rim=8))
        saddles.add(label("saddle", size=24, color=fg).next_to(c, mn.DR, buff=0.08))
    st = ax.c2p(*surf.meta["start"])
    g.add(mn.Circle(radius=size * 1.1, stroke_color=bg, stroke_width=6).move_to(st),
          mn.Circle(radius=size * 1.1, stroke_color=fg, stroke_width=3).move_to(st))
    g.set_z_index(5)
    g.saddle_marks = saddles  # drawn separately, under the paths
    return g


def tuning_warp(tuning, run_time: float) -> TimeWarp:
    """The tuning scene sweeps η left to right: one grid point per equal slice of time."""
    n = len(tuning.lrs)
    return TimeWarp(np.linspace(0.0, run_time, n), np.arange(n, dtype=float))


def edge_inset(story, width: float = 2.4, height: float = 1.7) -> mn.VGroup:
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
    tags, g.curves, g.peaks = [], [], []
    for n, r in enumerate(story["rows"]):
        c = mn.interpolate_color(gd, fg, 0.3 * n)  # GD: each rate up a lighter blue
        L = r["loss"][:steps + 1]
        pts = [xy(t, v) for t, v in enumerate(L) if np.isfinite(v)]
        line = mn.VMobject(stroke_color=c, stroke_width=5).set_points_as_corners(pts)
        if n:  # the unstable ones dashed: long, then short
            line = mn.DashedVMobject(line, num_dashes=22 * n, dashed_ratio=0.7)
        g.add(line)
        g.curves.append(line)
        peak = mn.VGroup()
        if r["how"] is not None:  # the peak the caption quotes: above the box, a tick to it
            t = int(np.nanargmax(L))
            at = xy(t, L[t])
            above = np.array([at[0], o[1] + height + 0.08, 0])
            peak = mn.VGroup(mn.Line(above, at, stroke_width=2, color=c),
                             text(f"{np.nanmax(L):.0f}", size=28, color=c).next_to(above, mn.UP, buff=0.04))
            g.add(peak)
        g.peaks.append(peak)
        tags.append([text(("● " if r["how"] is None else "") + f"{r['lr']:.2g}", size=28, color=c), pts[-1][1]])
    tags.sort(key=lambda t: t[1])
    for a, b in zip(tags, tags[1:]):  # end labels at least one text height apart
        b[1] = max(b[1], a[1] + 0.36)
    for m, y in tags:
        g.add(m.move_to([o[0] + width + 0.12, y, 0], aligned_edge=mn.LEFT))
    g.add(text("0", size=28).next_to(o, mn.DOWN, buff=0.08).align_to(box, mn.LEFT),
          text(f"step {steps}", size=28).next_to([o[0] + width, o[1], 0], mn.DOWN, buff=0.08).align_to(box, mn.RIGHT))
    g.title = text("GD's loss per step (log)", size=28).next_to(box, mn.UP, buff=0.5)
    g.title.align_to(g, mn.RIGHT)  # right-aligned with the end labels: clear of the frame's edge
    g.add(g.title)
    return g
