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
from nnviz.render.marks import curve
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, label, text
from nnviz.render.surface import ContourMap
from nnviz.render.widgets import Readout

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def ball(r: float, kind: str, n: int = 160) -> np.ndarray:
    """The penalty's level set through radius r: a circle (L2) or a diamond (L1), as (n, 2) points."""
    t = np.linspace(0, 2 * np.pi, n)
    if kind == "l2":
        return r * np.c_[np.cos(t), np.sin(t)]
    c = np.c_[np.cos(t), np.sin(t)]
    return r * c / np.abs(c).sum(axis=1, keepdims=True)


class DynamicsRegularization(ThemedScene):
    experiment = "dynamics_regularization"
    run_time = 7.0
    cap_factor = 3.0

    def construct(self):
        rec = experiments.load(self.experiment)
        path, surf, hist = rec["path"], rec["surface"], rec["histogram"]
        lams, m = path.columns["lambda"], path.meta
        title = heading("Regularisation: L2 shrinks, L1 selects", size=30, buff=0.2)
        sub = label("two correlated features, least-squares loss (exact contours); the best w for loss + penalty "
                    "as λ grows", size=18).next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)
        k = mn.ValueTracker(0.0)
        panels = mn.VGroup()
        for kind, name in (("l2", "L2 penalty  λ(w₁² + w₂²)"), ("l1", "L1 penalty  λ(|w₁| + |w₂|)")):
            col = color("penalty", kind)
            ax = LabelledAxes(surf.xs[[0, -1]], surf.ys[[0, -1]], width=5.2, height=3.9, n_ticks=4, font_size=16,
                              frame="box", x_label="w₁", y_label="w₂")
            cont = ContourMap(ax.axes, surf.xs, surf.ys, surf.loss, levels=12, color=theme.MUTED,
                              stroke_width=1.0).set_stroke(opacity=0.5)
            zero_lines = mn.VGroup(mn.DashedLine(ax.c2p(surf.xs[0], 0), ax.c2p(surf.xs[-1], 0)),
                                   mn.DashedLine(ax.c2p(0, surf.ys[0]), ax.c2p(0, surf.ys[-1]))
                                   ).set_stroke(color=theme.FOREGROUND, width=1.5, opacity=0.6)
            ls = mn.Star(5, outer_radius=0.12, color=theme.FOREGROUND, fill_opacity=1).move_to(ax.c2p(*m["w_ls"]))
            W = path.columns[kind]

            def shape(ax=ax, W=W, kind=kind, col=col):
                i = int(round(k.get_value()))
                r = np.linalg.norm(W[i], ord=2 if kind == "l2" else 1)
                g = curve(ax, *ball(r, kind).T, color=col, stroke_width=3)
                trail = curve(ax, W[:i + 1, 0], W[:i + 1, 1], color=col, stroke_width=4)
                dot = mn.Dot(ax.c2p(*W[i]), radius=0.08, color=col, stroke_width=2, stroke_color=theme.BACKGROUND)
                return mn.VGroup(g, trail, dot)

            live = mn.always_redraw(shape)
            head = text(name, size=20, color=col).next_to(ax.axes, mn.UP, buff=0.1)
            read = Readout(k, lambda v, W=W: f"λ = {lams[int(round(v))]:.2f}   w = ({W[int(round(v)), 0]:.2f}, "
                                             f"{W[int(round(v)), 1]:.2f})", size=18, color=col)
            read.next_to(ax.axes, mn.DOWN, buff=0.55).align_to(ax.axes, mn.LEFT)
            panels.add(mn.VGroup(mn.VGroup(ax, cont, zero_lines, ls), live, head, read))
        panels.arrange(mn.RIGHT, buff=0.9).next_to(sub, mn.DOWN, buff=0.35)
        for p in panels:  # readouts keep their left edge, placed after the arrangement
            p[3].next_to(p[0][0].axes, mn.DOWN, buff=0.55).align_to(p[0][0].axes, mn.LEFT)
        self.add(panels)
        self.pause("lambda")
        iz = int(np.argmin(np.abs(lams - m["lambda_zero"])))
        self.play(k.animate.set_value(iz), run_time=self.run_time * iz / (len(lams) - 1), rate_func=mn.linear)
        j = m["zero_index"]
        ax1 = panels[1][0][0]
        flag = text(f"w{str(j + 1).translate(SUB)} = 0 exactly at λ = {m['lambda_zero']:.3f}", size=20,
                    color=color("penalty", "l1"))
        flag.next_to(panels[1][3], mn.DOWN, buff=0.12).align_to(panels[1][3], mn.LEFT)
        ring = mn.Circle(radius=0.22, color=color("penalty", "l1"), stroke_width=3).move_to(
            ax1.c2p(*path.columns["l1"][iz]))
        self.play(mn.FadeIn(flag), mn.Create(ring), run_time=0.8)
        self.pause("to-zero")
        self.play(k.animate.set_value(len(lams) - 1), run_time=self.run_time * (1 - iz / (len(lams) - 1)),
                  rate_func=mn.linear)
        note = text("L2: ‖w‖ shrinks, no weight reaches 0\n(w₂ grows at first: the features are correlated)",
                    size=18, color=color("penalty", "l2"))
        note.next_to(panels[0][3], mn.DOWN, buff=0.12).align_to(panels[0][3], mn.LEFT)
        self.play(mn.FadeIn(note), mn.FadeOut(ring), run_time=0.6)
        self.wait(1.0)
        self.pause("network")

        # --- the same penalties on a network: histograms of its weights ---------------------------
        self.play(mn.FadeOut(panels), mn.FadeOut(flag), mn.FadeOut(note), run_time=0.6)
        order, st, edges = hist.meta["order"], hist.meta["stats"], hist.columns["edges"]
        net = hist.config["net"]["sizes"]
        sub2 = label(f"a {'-'.join(map(str, net))} digits network, same init, same batches, Adam: "
                     f"its {hist.meta['n_weights']} weights after training", size=18).next_to(title, mn.DOWN, buff=0.1)
        self.play(mn.ReplacementTransform(sub, sub2), run_time=0.5)
        # one y scale for all three (a fair comparison), capped so the spread without a penalty stays
        # visible; a bar above the cap is cut and labelled with its count
        top = int(np.ceil(self.cap_factor * hist.columns["none"].max()))
        names = {"none": "no penalty", "l2": "L2", "l1": "L1"}
        groups = mn.VGroup()
        for o in order:
            col = color("penalty", o)
            hx = LabelledAxes((edges[0], edges[-1]), (0, top), width=3.7, height=2.6, n_ticks=4,
                              font_size=16, x_label=f"weight (end bars: |w| ≥ {edges[-1]:g})",
                              y_label="count" if o == order[0] else "")
            bars = mn.VGroup()
            for lo, hi, c in zip(edges[:-1], edges[1:], hist.columns[o]):
                if c > 0:
                    a, b = hx.c2p(lo, 0), hx.c2p(hi, min(c, top))
                    bars.add(mn.Rectangle(width=b[0] - a[0], height=b[1] - a[1], stroke_width=0.5,
                                          stroke_color=theme.BACKGROUND, fill_color=col, fill_opacity=0.9
                                          ).move_to((a + b) / 2))
                    if c > top:
                        bars.add(text(f"↑ {c:,}", size=18, color=col).next_to(b, mn.RIGHT, buff=0.06)
                                 .align_to(b, mn.UP))
            lam = f", λ = {st[o]['lambda']:g}" if st[o]["lambda"] else ""
            head = text(names[o] + lam, size=20, color=col).next_to(hx.axes, mn.UP, buff=0.1)
            facts = mn.VGroup(text(f"RMS weight {st[o]['rms']:.2f}", size=18, color=col),
                              text(f"|w| < {hist.meta['small']:g}: {100 * st[o]['small']:.0f} %", size=18, color=col),
                              text(f"test accuracy {100 * st[o]['test_acc']:.1f} %", size=18, color=theme.MUTED)
                              ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06)
            facts.next_to(hx, mn.DOWN, buff=0.15).align_to(hx.axes, mn.LEFT)
            groups.add(mn.VGroup(hx, bars, head, facts))
        groups.arrange(mn.RIGHT, buff=0.55, aligned_edge=mn.UP).next_to(sub2, mn.DOWN, buff=0.35).set_x(0)
        for g in groups:
            self.play(mn.FadeIn(g[0]), mn.FadeIn(g[2]), mn.GrowFromEdge(g[1], mn.DOWN), run_time=0.8)
            self.play(mn.FadeIn(g[3]), run_time=0.4)
        why = text("L2's pull 2λw fades near 0; L1's pull λ·sign(w) does not, so it drives weights to 0",
                   size=18, color=theme.FOREGROUND).to_edge(mn.DOWN, buff=0.2)
        self.play(mn.FadeIn(why), run_time=0.6)
        self.wait(2.0)
