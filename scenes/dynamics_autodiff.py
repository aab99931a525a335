"""Automatic differentiation, reverse mode, on one neuron's loss L = (σ(w₁x₁ + w₂x₂ + b) − y)².
The forward pass writes each node's value (its arithmetic written out); the backward pass starts from ∂L/∂L = 1 and walks the
graph backwards, each node passing  ḡ_parent += ḡ_node × ∂node/∂parent  along its edges — the
chain rule, one edge at a time, with the multiplication written out in numbers a student can check
by hand. The graph, values, local derivatives and adjoints all come from the recorded graph
(`nnviz.autodiff`); the result is set next to the MLP's backprop and finite differences.

    manim -ql scenes/dynamics_autodiff.py DynamicsAutodiff
"""
import manim as mn

from nnviz import experiments, theme
from nnviz.autodiff import chain_terms, chain_text, forward_text, local_text
from nnviz.render.graph import GraphDiagram
from nnviz.render.style import ThemedScene, color, heading, label, text

SIZE = 24          # every text on screen (readable at 854×480)


class DynamicsAutodiff(ThemedScene):
    experiment = "dynamics_autodiff"
    step_time = 0.45

    def construct(self):
        rec = experiments.load(self.experiment)
        g, chk = rec["graph"], rec["check"]
        title = heading("Automatic differentiation: the chain rule, edge by edge", size=30, buff=0.2)
        sub = label(f"one neuron's loss  {g.meta['expression']}", size=SIZE, color=theme.FOREGROUND)
        sub.next_to(title, mn.DOWN, buff=0.1)
        diag = GraphDiagram(g, width=12.9, height=4.9, box=(1.45, 0.9), font_size=SIZE)
        diag.next_to(sub, mn.DOWN, buff=0.2)
        diag.pin_labels()
        key = mn.VGroup(text("value (forward)", size=SIZE, color=theme.ACTIVE),
                        text("ḡ = ∂L/∂node > 0", size=SIZE, color=theme.GRADIENT),
                        text("ḡ < 0", size=SIZE, color=theme.GRADIENT_NEGATIVE)).arrange(mn.DOWN, aligned_edge=mn.LEFT,
                                                                                      buff=0.1)
        key.align_to(diag, mn.RIGHT).align_to(diag, mn.DOWN)
        self.add(title, sub, diag, key)          # the poster frame: the whole graph, its inputs' names
        self.pause("forward")
        hot = color(theme.ACTIVE)
        fwd = text("forward: each node computes its value from its parents' values", size=SIZE, color=theme.ACTIVE)
        fwd.next_to(diag, mn.DOWN, buff=0.15)
        leaves = [i for i, nd in enumerate(g.nodes) if not nd["parents"]]
        self.play(mn.FadeIn(fwd), *[mn.FadeIn(diag.values[i], shift=0.1 * mn.UP) for i in leaves], run_time=0.6)
        eq = None
        for i, nd in enumerate(g.nodes):      # topological order: parents first
            if not nd["parents"]:
                continue
            new_eq = text(forward_text(g, i), size=SIZE).next_to(fwd, mn.DOWN, buff=0.12)
            if eq is not None:                 # the old sum leaves before the new one comes: no overlap
                self.play(mn.FadeOut(eq), run_time=0.15)
            self.play(mn.FadeIn(diag.values[i], shift=0.1 * mn.UP), mn.FadeIn(new_eq),
                      *[diag.edges[(p, i)].animate.set_color(hot) for p in nd["parents"]],
                      run_time=0.6 * self.step_time)
            self.wait(1.2 * self.step_time)      # time to read the sum while it stands still
            eq = new_eq
        self.play(*[e.animate.set_color(theme.MUTED) for e in diag.edges.values()], mn.FadeOut(fwd), mn.FadeOut(eq),
                  run_time=0.4)
        self.pause("backward")
        grad_col = color(theme.GRADIENT)
        seed = g.output
        rule = text("backward: ḡ(parent) = ḡ(node) × ∂node/∂parent, from ḡ(L) = 1", size=SIZE,
                    color=theme.GRADIENT)
        rule.next_to(diag, mn.DOWN, buff=0.15)
        self.play(mn.FadeIn(rule), mn.FadeIn(diag.grads[seed], shift=0.1 * mn.DOWN), run_time=self.step_time * 2)
        shown = {seed}
        eq = None
        for i in g.order:                      # the backward pass's recorded visit order
            nd = g.nodes[i]
            if not nd["parents"]:
                continue
            new_eq = mn.VGroup(text(local_text(g, i), size=SIZE, color=theme.MUTED),
                               text("     ".join(chain_text(t) for t in chain_terms(g, i)), size=SIZE)
                               ).arrange(mn.DOWN, buff=0.1).next_to(rule, mn.DOWN, buff=0.1)
            if eq is not None:                 # the old sum leaves before the new one comes: no overlap
                self.play(mn.FadeOut(eq), run_time=0.15)
            self.play(*[diag.edges[(p, i)].animate.set_color(grad_col) for p in nd["parents"]], mn.FadeIn(new_eq),
                      run_time=0.6 * self.step_time)
            eq = new_eq
            new = [p for p in nd["parents"] if p not in shown and all(c in shown or c == i
                                                                       for c in self._children(g, p))]
            shown.update(new)
            self.play(*[mn.FadeIn(diag.grads[p], shift=0.1 * mn.DOWN) for p in new], run_time=0.6 * self.step_time)
            self.wait(1.4 * self.step_time)      # time to check the product while it stands still
        self.pause("check")
        names = chk.meta["names"]
        cells = [text(h, size=SIZE, color=theme.FOREGROUND) for h in ("", "autodiff", "MLP backprop", "finite diff.")]
        for k, nm in enumerate(names):
            cells.append(text(f"∂L/∂{nm}", size=SIZE))
            sign = theme.GRADIENT if chk.columns["autodiff"][k] >= 0 else theme.GRADIENT_NEGATIVE
            cells += [text(f"{chk.columns[c][k]:+.6f}", size=SIZE, color=sign if c == "autodiff" else theme.FOREGROUND)
                      for c in ("autodiff", "mlp", "finite_difference")]
        check = mn.VGroup(*cells).arrange_in_grid(len(names) + 1, 4, buff=(0.6, 0.06), col_alignments="lrrr")
        check.next_to(diag, mn.DOWN, buff=0.12)
        self.play(mn.FadeOut(rule), mn.FadeOut(eq), run_time=0.3)
        self.play(mn.FadeIn(check), run_time=0.8)
        self.wait(2.5)

    @staticmethod
    def _children(g, p):
        return [i for i, nd in enumerate(g.nodes) if p in nd["parents"]]
