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
import math

from nnviz.autodiff import chain_terms, chain_text, forward_text, local_text, node_label
from nnviz.render.graph import GraphDiagram, minus
from nnviz.render.style import ThemedScene, color, heading, label, text

SIZE = 24          # every text on screen (readable at 854×480)
SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class DynamicsAutodiff(ThemedScene):
    experiment = "dynamics_autodiff"
    step_time = 0.45

    def construct(self):
        rec = experiments.load(self.experiment)
        g, chk = rec["graph"], rec["check"]
        title = heading("Automatic differentiation: the chain rule, edge by edge", size=30, buff=0.15)
        sub = label(f"one neuron's loss  {g.meta['expression']}", size=SIZE, color=theme.FOREGROUND)
        sub.next_to(title, mn.DOWN, buff=0.1)
        diag = GraphDiagram(g, width=13.6, height=4.75, box=(1.62, 1.1), font_size=SIZE)
        diag.next_to(sub, mn.DOWN, buff=0.15)
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
            words, nums = node_label(g, i), forward_text(g, i)
            if " = " in words:                 # 'z = sum + b = 1.780 + 0.200 = 1.980': what it computes, then the numbers
                nums = f"{words} = {nums.split(' = ', 1)[1]}"
            new_eq = text(minus(nums), size=SIZE).next_to(fwd, mn.DOWN, buff=0.12)
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
        sign_col = lambda v: color(theme.GRADIENT if v >= 0 else theme.GRADIENT_NEGATIVE)
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
            terms = chain_terms(g, i)
            new_eq = mn.VGroup(text(local_text(g, i), size=SIZE),
                               text("     ".join(minus(chain_text(t)) for t in terms), size=SIZE)
                               ).arrange(mn.DOWN, buff=0.1).next_to(rule, mn.DOWN, buff=0.1)
            if eq is not None:                 # the old sum leaves before the new one comes: no overlap
                self.play(mn.FadeOut(eq), run_time=0.15)
            # each edge in the sign colour of the ḡ it carries back to its parent (coral > 0, violet < 0)
            self.play(*[diag.edges[(t["parent"], i)].animate.set_color(sign_col(t["exact"])) for t in terms],
                      mn.FadeIn(new_eq),
                      run_time=0.6 * self.step_time)
            eq = new_eq
            new = [p for p in nd["parents"] if p not in shown and all(c in shown or c == i
                                                                       for c in self._children(g, p))]
            shown.update(new)
            self.play(*[mn.FadeIn(diag.grads[p], shift=0.1 * mn.DOWN) for p in new], run_time=0.6 * self.step_time)
            self.wait(1.4 * self.step_time)      # time to check the product while it stands still
        self.pause("check")
        names = chk.meta["names"]
        cells = [text(h, size=SIZE, color=theme.FOREGROUND) for h in ("", "autodiff", "MLP backprop", "finite diff.*")]
        for k, nm in enumerate(names):
            cells.append(text(f"∂L/∂{nm}", size=SIZE))
            sign = theme.GRADIENT if chk.columns["autodiff"][k] >= 0 else theme.GRADIENT_NEGATIVE
            cells += [text(minus(f"{chk.columns[c][k]:+.6f}"), size=SIZE, color=sign if c == "autodiff" else theme.FOREGROUND)
                      for c in ("autodiff", "mlp", "finite_difference")]
        check = mn.VGroup(*cells).arrange_in_grid(len(names) + 1, 4, buff=(0.6, 0.04), col_alignments="lrrr")
        h = chk.meta["h"]
        e = round(math.log10(h))
        hs = f"10{str(e).translate(SUPER)}" if 10.0 ** e == h else f"{h:g}"
        foot = mn.VGroup(*[text(s_, size=SIZE, color=theme.FOREGROUND) for s_ in
                           ("* central difference", "(L(θ+h) − L(θ−h)) / 2h", f"with h = {hs}")]
                         ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.08)
        why = text(f"reverse mode: one backward pass gives all {len(names)} gradients at once", size=SIZE,
                   color=theme.GRADIENT)
        check.next_to(diag, mn.DOWN, buff=0.1).to_edge(mn.LEFT, buff=0.3)
        foot.next_to(check, mn.RIGHT, buff=0.6).align_to(check, mn.UP)
        why.next_to(check, mn.DOWN, buff=0.1).to_edge(mn.LEFT, buff=0.3)
        self.play(mn.FadeOut(rule), mn.FadeOut(eq), run_time=0.3)
        self.play(mn.FadeIn(check), mn.FadeIn(foot), run_time=0.8)
        self.wait(1.5)
        self.play(mn.FadeIn(why), run_time=0.6)
        self.wait(2.5)

    @staticmethod
    def _children(g, p):
        return [i for i, nd in enumerate(g.nodes) if p in nd["parents"]]
