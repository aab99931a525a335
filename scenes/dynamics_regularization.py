"""Regularisation, L2 vs L1: on a two-weight least-squares fit (its loss surface exact), the
regularised optimum slides from the unregularised fit ★ toward 0 as λ grows. L2's circle
touches the loss contours anywhere, so both weights shrink and neither reaches 0; L1's diamond
touches at a corner, so one weight becomes exactly zero at a definite λ. Then the same penalties
on a digits network: weight histograms with none / L2 / L1.

    manim -ql scenes/dynamics_regularization.py DynamicsRegularization
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.dynamics import level_ellipse
from nnviz.render.marks import curve
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap
from nnviz.render.widgets import Readout

SIZE = 24          # every text on screen (readable at 854×480)

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def ball(r: float, kind: str, n: int = 160) -> np.ndarray:
    """The penalty's level set through radius r: a circle (L2, n points) or a diamond (L1: its corners, closed)."""
    t = np.linspace(0, 2 * np.pi, n)
    if kind == "l2":
        return r * np.c_[np.cos(t), np.sin(t)]
    return r * np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 0.0]])   # exact corners


class DynamicsRegularization(ThemedScene):
    experiment = "dynamics_regularization"
    run_time = 7.0
    cap_factor = 3.0

    def construct(self):
        rec = experiments.load(self.experiment)
        path, surf, hist = rec["path"], rec["surface"], rec["histogram"]
        lams, m = path.columns["lambda"], path.meta
        A = np.array(m["A"])
        title = heading("Regularisation: L2 shrinks, L1 selects", size=30, buff=0.2)
        sub = label("the best w for loss + λ·penalty as λ grows; white: the loss contour through it",
                    size=SIZE, color=theme.FOREGROUND).next_to(title, mn.DOWN, buff=0.1)
        k = mn.ValueTracker(0.0)
        panels = mn.VGroup()
        for kind, name in (("l2", "L2 penalty  λ(w₁² + w₂²)"), ("l1", "L1 penalty  λ(|w₁| + |w₂|)")):
            col = color("penalty", kind)
            ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], width=5.4, height=3.8, n_ticks=4, font_size=SIZE,
                              frame="box")
            cont = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=12, color=theme.MUTED,
                              stroke_width=1.5).set_stroke(opacity=0.7)
            zero_lines = mn.VGroup(mn.DashedLine(ax.c2p(surf.xs[0], 0), ax.c2p(surf.xs[-1], 0)),
                                   mn.DashedLine(ax.c2p(0, surf.ys[0]), ax.c2p(0, surf.ys[-1]))
                                   ).set_stroke(color=theme.FOREGROUND, width=1.5, opacity=0.6)
            ls = mn.Star(5, outer_radius=0.12, color=theme.FOREGROUND, fill_opacity=1).move_to(ax.c2p(*m["w_ls"]))
            # the axis names sit at the ends of the zero lines, inside the box, clear of the ticks
            names = mn.VGroup(text("w₁", size=SIZE).next_to(ax.c2p(surf.xs[-1], 0), mn.UL, buff=0.08),
                              text("w₂", size=SIZE).next_to(ax.c2p(0, surf.ys[-1]), mn.DR, buff=0.08))
            W = path.columns[kind]

            def shape(ax=ax, W=W, kind=kind, col=col):
                i = int(round(k.get_value()))
                r = np.linalg.norm(W[i], ord=2 if kind == "l2" else 1)
                g = curve(ax, *ball(r, kind, n=120).T, color=col, stroke_width=3)
                # the loss contour through the optimum: it touches the penalty's ball exactly there
                touch = curve(ax, *level_ellipse(A, m["w_ls"], W[i], n=120).T, color=theme.FOREGROUND, stroke_width=2.5)
                trail = curve(ax, W[:i + 1, 0], W[:i + 1, 1], color=col, stroke_width=4)
                dot = mn.Dot(ax.c2p(*W[i]), radius=0.08, color=col, stroke_width=2, stroke_color=theme.BACKGROUND)
                return mn.VGroup(touch, g, trail, dot)

            live = mn.always_redraw(shape)
            head = text(name, size=SIZE, color=col).next_to(ax.axes, mn.UP, buff=0.1)
            read = Readout(k, lambda v, W=W: f"λ = {lams[int(round(v))]:.2f}   w = ({W[int(round(v)), 0]:.2f}, "
                                             f"{W[int(round(v)), 1]:.2f})", size=SIZE, color=col)
            read.next_to(ax.axes, mn.DOWN, buff=0.55).align_to(ax.axes, mn.LEFT)
            panels.add(mn.VGroup(mn.VGroup(ax, cont, zero_lines, ls, names), live, head, read))
        panels.arrange(mn.RIGHT, buff=0.9).next_to(sub, mn.DOWN, buff=0.3)
        for p in panels:  # readouts keep their left edge, placed after the arrangement
            p[3].next_to(p[0][0], mn.DOWN, buff=0.12).align_to(p[0][0].axes, mn.LEFT)
        self.add(title, sub, panels)                 # the poster frame: both panels at λ = 0
        self.pause("lambda")
        iz = int(np.argmin(np.abs(lams - m["lambda_zero"])))
        self.play(k.animate.set_value(iz), run_time=self.run_time * iz / (len(lams) - 1), rate_func=mn.linear)
        j = m["zero_index"]
        ax1 = panels[1][0][0]
        flag = text(f"the contour meets the corner:\nw{str(j + 1).translate(SUB)} = 0 exactly at λ = {m['lambda_zero']:.3f}",
                    size=SIZE,
                    color=color("penalty", "l1"))
        flag.next_to(panels[1][3], mn.DOWN, buff=0.12).align_to(panels[1][3], mn.LEFT)
        ring = mn.Circle(radius=0.22, color=color("penalty", "l1"), stroke_width=3).move_to(
            ax1.c2p(*path.columns["l1"][iz]))
        self.play(mn.FadeIn(flag), mn.Create(ring), run_time=0.8)
        self.pause("to-zero")
        self.play(k.animate.set_value(len(lams) - 1), run_time=self.run_time * (1 - iz / (len(lams) - 1)),
                  rate_func=mn.linear)
        note = text("L2: ‖w‖ shrinks, no weight\nreaches 0 (w₂ grows at first:\nthe features are correlated)",
                    size=SIZE, color=theme.FOREGROUND)
        note.next_to(panels[0][3], mn.DOWN, buff=0.12).align_to(panels[0][3], mn.LEFT)
        self.play(mn.FadeIn(note), mn.FadeOut(ring), run_time=0.6)
        self.wait(1.0)
        self.pause("network")

        # --- the same penalties on a network: histograms of its weights ---------------------------
        self.play(mn.FadeOut(panels), mn.FadeOut(flag), mn.FadeOut(note), mn.FadeOut(sub), run_time=0.4)
        order, st, edges = hist.meta["order"], hist.meta["stats"], hist.columns["edges"]
        net = hist.config["net"]["sizes"]
        sub2 = label(f"a {'-'.join(map(str, net))} digits network's {hist.meta['n_weights']:,} weights; "
                     f"end bars hold |w| ≥ {edges[-1]:g}", size=SIZE).next_to(title, mn.DOWN, buff=0.1)
        # one y scale for all three (a fair comparison), capped so the spread without a penalty stays
        # visible; a bar above the cap is cut and labelled with its count
        top = int(np.ceil(self.cap_factor * hist.columns["none"].max()))
        names = {"none": "no penalty", "l2": "L2", "l1": "L1"}
        groups = mn.VGroup()
        for o in order:
            col = color("penalty", o)
            hx = LabelledAxes((edges[0], edges[-1]), (0, top), width=3.0, height=2.3, n_ticks=3,
                              font_size=SIZE, x_label="weight", y_label="count" if o == order[0] else "")
            bars = mn.VGroup()
            for lo, hi, c in zip(edges[:-1], edges[1:], hist.columns[o]):
                if c > 0:
                    a, b = hx.c2p(lo, 0), hx.c2p(hi, min(c, top))
                    bars.add(mn.Rectangle(width=b[0] - a[0], height=b[1] - a[1], stroke_width=0.5,
                                          stroke_color=theme.BACKGROUND, fill_color=col, fill_opacity=0.9
                                          ).move_to((a + b) / 2))
                    if c > top:
                        bars.add(text(f"↑ {c:,}", size=SIZE, color=col).next_to(b, mn.RIGHT, buff=0.06)
                                 .align_to(b, mn.UP))
            lam = f", λ = {st[o]['lambda']:g}" if st[o]["lambda"] else ""
            head = text(names[o] + lam, size=SIZE, color=col).next_to(hx.axes, mn.UP, buff=0.1)
            facts = mn.VGroup(text(f"RMS weight {st[o]['rms']:.2f}", size=SIZE, color=col),
                              text(f"|w| < {hist.meta['small']:g}: {100 * st[o]['small']:.0f} %", size=SIZE, color=col),
                              text(f"test: {100 * st[o]['test_acc']:.1f} % right", size=SIZE, color=theme.MUTED)
                              ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06)
            facts.next_to(hx, mn.DOWN, buff=0.15).align_to(hx.axes, mn.LEFT)
            groups.add(mn.VGroup(hx, bars, head, facts))
        groups.arrange(mn.RIGHT, buff=0.45, aligned_edge=mn.UP).next_to(sub2, mn.DOWN, buff=0.3).set_x(0)
        self.play(mn.FadeIn(sub2), *[mn.FadeIn(g[0]) for g in groups], *[mn.FadeIn(g[2]) for g in groups],
                  *[mn.GrowFromEdge(g[1], mn.DOWN) for g in groups], run_time=1.2)
        self.play(*[mn.FadeIn(g[3]) for g in groups], run_time=0.6)
        why = text("why: L2's pull 2λw fades near 0; L1's pull λ·sign(w) does not, so under L1\n"
                   "most weights end near 0 (one λ for both, to show the shapes, not tuned)", size=SIZE,
                   color=theme.FOREGROUND)
        why.next_to(groups, mn.DOWN, buff=0.25)
        self.play(mn.FadeIn(why), run_time=0.6)
        self.wait(2.0)
