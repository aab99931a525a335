"""Automatic differentiation, reverse mode, on one neuron's loss L = (σ(w₁x₁ + w₂x₂ + b) − y)².
The forward pass writes each node's value; the backward pass starts from ∂L/∂L = 1 and walks the
graph backwards, each node passing  ḡ_parent += ḡ_node × ∂node/∂parent  along its edges — the
chain rule, one edge at a time. The graph, values, local derivatives and adjoints all come from the
recorded graph (`nnviz.autodiff`); the result is set next to the MLP's backprop and finite differences.

    manim -ql scenes/dynamics_autodiff.py DynamicsAutodiff
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.graph import GraphDiagram
from nnviz.render.style import ThemedScene, color, heading, label, text


class DynamicsAutodiff(ThemedScene):
    experiment = "dynamics_autodiff"
    step_time = 0.45

    def construct(self):
        rec = experiments.load(self.experiment)
        g, chk = rec["graph"], rec["check"]
        title = heading("Automatic differentiation: the chain rule, edge by edge", size=30, buff=0.2)
        sub = label(f"one neuron's loss  {g.meta['expression']}", size=20).next_to(title, mn.DOWN, buff=0.1)
        self.add(title, sub)
        diag = GraphDiagram(g, width=12.6, height=4.3, box=(1.35, 0.95)).next_to(sub, mn.DOWN, buff=0.3)
        diag.pin_labels()
        key = mn.VGroup(text("value (forward)", size=18, color=theme.ACTIVE),
                        text("ḡ = ∂L/∂node (backward)", size=18, color=theme.GRADIENT)).arrange(mn.RIGHT, buff=0.5)
        key.to_edge(mn.DOWN, buff=0.25)
        self.add(diag, key)
        self.pause("forward")
        hot = color(theme.ACTIVE)
        for i, nd in enumerate(g.nodes):      # topological order: parents first
            anims = [mn.FadeIn(diag.values[i], shift=0.1 * mn.UP)]
            anims += [diag.edges[(p, i)].animate.set_color(hot) for p in nd["parents"]]
            self.play(*anims, run_time=self.step_time if nd["parents"] else self.step_time / 2)
        self.play(*[e.animate.set_color(theme.MUTED) for e in diag.edges.values()], run_time=0.3)
        self.pause("backward")
        grad_col = color(theme.GRADIENT)
        seed = g.output
        self.play(mn.FadeIn(diag.grads[seed], shift=0.1 * mn.DOWN), run_time=self.step_time)
        rule = text("ḡ(parent) += ḡ(node) × ∂node/∂parent", size=20, color=theme.GRADIENT)
        rule.next_to(diag, mn.DOWN, buff=0.15)
        self.play(mn.FadeIn(rule), run_time=0.4)
        shown = {seed}
        for i in g.order:                      # the backward pass's recorded visit order
            nd = g.nodes[i]
            if not nd["parents"]:
                continue
            anims, notes = [], []
            for p, d in zip(nd["parents"], nd["local"]):
                e = diag.edges[(p, i)]
                note = text(f"×{d:.3g}", size=16, color=theme.GRADIENT).next_to(e.get_center(), mn.UP, buff=0.04)
                notes.append(note)
                anims += [e.animate.set_color(grad_col), mn.FadeIn(note)]
            self.play(*anims, run_time=self.step_time)
            new = [p for p in nd["parents"] if p not in shown and all(c in shown or c == i
                                                                       for c in self._children(g, p))]
            shown.update(new)
            self.play(*[mn.FadeIn(diag.grads[p], shift=0.1 * mn.DOWN) for p in new],
                      *[mn.FadeOut(n) for n in notes], run_time=self.step_time)
        self.pause("check")
        names = chk.meta["names"]
        cells = [text(h, size=18, color=theme.MUTED) for h in ("", "autodiff", "MLP backprop", "finite difference")]
        for k, nm in enumerate(names):
            cells.append(text(f"∂L/∂{nm}", size=18))
            cells += [text(f"{chk.columns[c][k]:+.6f}", size=18, color=theme.GRADIENT if c == "autodiff"
                           else theme.FOREGROUND) for c in ("autodiff", "mlp", "finite_difference")]
        table = mn.VGroup(*cells).arrange_in_grid(len(names) + 1, 4, buff=(0.45, 0.08),
                                                  col_alignments="lrrr")
        table.to_edge(mn.DOWN, buff=0.15)
        box = mn.SurroundingRectangle(table, color=theme.MUTED, buff=0.1, corner_radius=0.1,
                                      fill_color=theme.BACKGROUND, fill_opacity=1.0)
        self.play(mn.FadeOut(key), mn.FadeOut(rule), mn.FadeIn(box), mn.FadeIn(table), run_time=0.8)
        self.wait(2.5)

    @staticmethod
    def _children(g, p):
        return [i for i, nd in enumerate(g.nodes) if p in nd["parents"]]
