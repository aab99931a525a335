"""Learning-rate regimes: one bowl, one start, five learning rates of plain gradient descent (slow,
smooth, the best fixed rate 2/(λ_min+λ_max), oscillating, diverging). Steps on contour maps and loss
curves on a log axis grow in sync, paced by how far the paths move; each panel states its two
per-direction factors |1 − ηλ| — the larger one sets the pace, which is why the oscillating run
ends below the smooth one. The diverging run leaves its panel with a marker.

    manim -ql scenes/descent_regimes.py DescentRegimes
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.descent import REGIME_ORDER
from nnviz.render.pacing import TimeWarp, combine, path_progress
from nnviz.render.dashed import DashedCurve
from nnviz.render.plots import LabelledAxes, LossPlot
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap, until_exit
from nnviz.render.widgets import DescentPath, StepCounter

NAMES = {"slow": "slow", "smooth": "smooth", "optimal": "best", "oscillating": "oscillating",
         "diverging": "diverging"}


def regimes_warp(rec, regimes, run_time: float) -> TimeWarp:
    """Time follows the drawn path length of all panels together (each run's share of its own
    length, until it leaves its panel)."""
    s = rec["surface"]
    b = [s.xs[[0, -1]], s.ys[[0, -1]]]
    prog = combine([path_progress(rec[r].thetas, rec[r].steps, b, [np.ptp(s.xs), np.ptp(s.ys)]) for r in regimes])
    return TimeWarp.from_progress(prog, run_time, last_step=max(rec[r].n_steps for r in regimes))


def slowest(rec, regimes):
    """(regime, its larger factor, which axis) from the records, slowest first: the pace of each run."""
    out = []
    for r in sorted(regimes, key=lambda r: -rec[r].meta["rate"]):
        f = rec[r].meta["factors"]
        axis = "both" if abs(f["flat"] - f["steep"]) < 1e-9 else ("flat" if f["flat"] > f["steep"] else "steep")
        out.append((r, rec[r].meta["rate"], axis))
    return out


def end_labels(plot, rec, regimes, gap: float = 0.36) -> mn.VGroup:
    """Each converging run's name at the right end of its loss curve, nudged apart where the curves
    end close together (best and oscillating)."""
    ax = plot.axes
    (x0, x1), (y0, y1) = ax.bounds
    items = []
    for r in regimes:
        v = float(rec[r].loss[-1])
        if not (np.isfinite(v) and np.log10(v) <= y1):
            continue
        y = ax.to_scene([[x1, max(np.log10(v), y0)]])[0][1]
        items.append([y, r])
    items.sort()
    for k in range(1, len(items)):  # push upwards until the gaps are wide enough
        items[k][0] = max(items[k][0], items[k - 1][0] + gap)
    out = mn.VGroup()
    right = ax.axes.get_right()[0] + 0.15
    for y, r in items:
        out.add(text(NAMES[r], size=24, color=color("regime", r)).move_to([right, y, 0], aligned_edge=mn.LEFT))
    return out


def eigen_axes(ax, minimum, steep_dir) -> mn.VGroup:
    """The bowl's two eigen-directions through the minimum, dashed and clipped to the panel: the steep
    one (λmax, from the record) and the flat one perpendicular to it (in that order)."""
    (x0, x1), (y0, y1) = ax.bounds
    m = np.asarray(minimum, float)
    d = np.asarray(steep_dir, float) / np.linalg.norm(steep_dir)
    out = mn.VGroup()
    for name, u in (("steep", d), ("flat", np.array([-d[1], d[0]]))):
        # the longest stretch of m + s·u inside the box
        lo, hi = -np.inf, np.inf
        for k, (a, b) in enumerate(((x0, x1), (y0, y1))):
            if abs(u[k]) > 1e-12:
                s0, s1 = sorted(((a - m[k]) / u[k], (b - m[k]) / u[k]))
                lo, hi = max(lo, s0), min(hi, s1)
        p, q = ax.c2p(*(m + lo * u)), ax.c2p(*(m + hi * u))
        out.add(mn.DashedLine(p, q, color=color(theme.FOREGROUND), stroke_width=1.8, dash_length=0.08)
                .set_stroke(opacity=0.7))

    return out


def factor_table(rec, regimes) -> mn.VGroup:
    """Per run: η·λmax and the two factors |1 − ηλ| one step multiplies the distance by (the larger
    in the foreground: it sets the pace), from the records."""
    head = [label("", size=24), label("ηλₘₐₓ", size=24), label("steep", size=24), label("flat", size=24)]
    rows = [head]
    for r in regimes:
        f = rec[r].meta["factors"]
        big = max(f, key=f.get)
        tie = abs(f["steep"] - f["flat"]) < 1e-9
        cells = [text(NAMES[r], size=24, color=color("regime", r)),
                 text(f"{rec[r].meta['eta_lambda']:.2f}", size=24, color=color(theme.MUTED))]
        for k in ("steep", "flat"):
            strong = tie or k == big
            cells.append(text(f"×{f[k]:.2f}", size=24, color=color(theme.FOREGROUND if strong else theme.MUTED),
                              weight=mn.BOLD if strong else mn.NORMAL))
        rows.append(cells)
    grid = mn.VGroup(*[mn.VGroup(*row) for row in rows])
    cols = [max(row[c].width for row in rows) for c in range(4)]
    for i, row in enumerate(grid):
        x = 0.0
        for c, cell in enumerate(row):
            cell.move_to([x, -0.35 * i, 0], aligned_edge=mn.LEFT)
            x += cols[c] + 0.35
    return grid


class DescentRegimes(ThemedScene):
    experiment = "descent_regimes"
    regimes = REGIME_ORDER
    panel_size = 2.05
    run_time = 9.0

    def construct(self):
        rec = experiments.load(self.experiment)
        surf = rec["surface"]
        first = rec[self.regimes[0]]
        lam, lam_min = first.meta["lambda_max"], first.meta["lambda_min"]
        steps = max(rec[r].n_steps for r in self.regimes)
        title = heading("Learning rate: one bowl, five step sizes", size=30, buff=0.15)
        sub = label(f"plain GD · steep axis λₘₐₓ = {lam:.3g} · flat axis λₘᵢₙ = {lam_min:.3g} · "
                    "stable iff η·λₘₐₓ < 2", size=24).next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)

        t = mn.ValueTracker(0.0)
        panels = mn.VGroup()
        moving = []  # what changes each frame; everything else is drawn once (manim keeps a static image)
        for name in self.regimes:
            run = rec[name]
            ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], width=self.panel_size, height=self.panel_size,
                              n_ticks=2, font_size=24, frame="box")
            ax.remove(ax.tick_labels, ax.ticks)
            contours = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=7, color=theme.MUTED,
                                  stroke_width=1.8).set_stroke(opacity=1.0)
            pts, st = until_exit(run.thetas, ax.bounds, run.steps)
            if len(pts) < len(run.thetas):  # it leaves the panel: end the trail at its last point inside
                pts, st = pts[:-1], st[:-1]
            path = DescentPath(pts, ax, steps=st, color=color("regime", name), tracker=t,
                               diverged_at=run.diverged_at, stroke_width=3, head_radius=0.08,
                               outline=theme.BACKGROUND)
            star = mn.Star(n=5, outer_radius=0.15, color=color(theme.FOREGROUND), fill_opacity=1,
                           stroke_color=color(theme.BACKGROUND), stroke_width=2).move_to(
                ax.c2p(*surf.meta["minima"][0])).set_z_index(5)
            cap = text(NAMES[name], size=24, color=color("regime", name)).next_to(ax.axes, mn.UP, buff=0.1)
            if path.diverges:  # the panel's caption already says it: no label on top of the trail
                path.trace.marker.remove(path.trace.marker.label)
            eig = eigen_axes(ax, surf.meta["minima"][0], run.meta["top_direction"])
            panels.add(mn.VGroup(mn.VGroup(ax, contours, eig, path, star), cap))
            moving.append(path)
        panels.arrange(mn.RIGHT, buff=0.55).next_to(sub, mn.DOWN, buff=0.2)
        # the first panel names its two dashed axes, inside the box near their ends
        steep, flat = panels[0][0][2]
        low = lambda ln: min(ln.get_start(), ln.get_end(), key=lambda p: p[1])
        high = lambda ln: max(ln.get_start(), ln.get_end(), key=lambda p: p[1])
        words = mn.VGroup(text("flat", size=24).next_to(high(flat), mn.DL, buff=0.05),
                          text("steep", size=24).next_to(low(steep), mn.UR, buff=0.05))
        every = np.concatenate([rec[r].loss for r in self.regimes])
        solid = [r for r in self.regimes if r != "optimal"]
        plot = LossPlot({r: rec[r].loss for r in solid}, colors={r: color("regime", r) for r in solid},
                        log_y=True, width=4.0, height=2.35, tracker=t, x_label="step", y_label="loss",
                        legend=False, y_range=(1e-9, 1e3), font_size=24, x_ticks=4)
        plot.next_to(panels, mn.DOWN, buff=0.65).to_edge(mn.LEFT, buff=0.3)
        # the best rate dashed, so it reads apart from the oscillating curve where they end close together
        if "optimal" in self.regimes:
            opt = rec["optimal"]
            plot.curves["optimal"] = DashedCurve(plot.axes, opt.loss, opt.steps[:len(opt.loss)], tracker=t,
                                                 color=color("regime", "optimal"), stroke_width=4, num_dashes=30)
        labels = end_labels(plot, rec, [r for r in self.regimes if r != "diverging"])
        counter = StepCounter(t, total=steps, size=24).next_to(plot.axes.axes, mn.UP, buff=0.12)
        counter.align_to(plot.axes.axes, mn.LEFT)
        table = factor_table(rec, self.regimes)
        rule = text("per step, each axis × |1 − ηλ|", size=24)
        right = mn.VGroup(rule, table).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.15)
        right.next_to(panels, mn.DOWN, buff=0.15).set_x(0.75, direction=mn.LEFT)
        factors = mn.VGroup(rule, *[mn.VGroup(*row[2:]) for row in table])  # shown once the runs have run
        moving += list(plot.curves.values())
        static = [m for m in (panels.family_members_with_points() + plot.family_members_with_points())
                  if not any(m in mv.get_family() for mv in moving)]
        self.add(*static, words, *[mn.VGroup(*row[:2]) for row in table], *moving, counter)

        warp = regimes_warp(rec, self.regimes, self.run_time)
        t.set_value(warp.first_step)
        self.wait(0.5)
        self.play(warp.animate(t))
        self.play(mn.FadeIn(labels), run_time=0.5)
        self.pause("regimes-end")
        self.play(mn.FadeIn(factors))
        opt = rec["optimal"]
        fs, fo = rec["smooth"].meta["rate"], rec["oscillating"].meta["rate"]
        why = mn.VGroup(text("the larger factor (bold) sets the pace", size=24),
                        text(f"smooth ×{fs:.2f} > oscillating ×{fo:.2f}", size=24),
                        text(f"best η = 2/(λₘᵢₙ+λₘₐₓ) = {opt.learning_rate:.3g}", size=24,
                             color=color("regime", "optimal")),
                        text(f"makes both ×{opt.meta['rate']:.2f}", size=24, color=color("regime", "optimal")))
        why.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.05).next_to(right, mn.DOWN, buff=0.12, aligned_edge=mn.LEFT)
        self.play(mn.FadeIn(why))
        self.wait(3.0)
