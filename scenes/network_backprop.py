"""Backpropagation, with the record's numbers: the loss at the output, then δ = ∂ℓ/∂z on every
neuron (signed colour) layer by layer from the output back, one chain-rule product worked out
for one edge (∂ℓ/∂w = δⱼ · aᵢ), every edge's ∂ℓ/∂w drawn with its sign, and the update
θ ← θ − η∇ℓ — judged on this example AND on the whole training set.

Records: experiment "network_backprop" (one training example through a 2-4-4-3 spiral
classifier; gradient from MLP.backward; θ_next = θ − η·grad; batch losses before/after).
"""
import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, BackgroundRectangle, Create, GrowFromEdge, LaggedStart,
                   SurroundingRectangle, VGroup)

from nnviz import experiments, theme
from nnviz.display import signed, subscript
from nnviz.render.fades import fade_in, fade_out
from nnviz.render.mathtex import math
from nnviz.render.network import NetworkDiagram, ProbabilityBars, SignKey
from nnviz.render.style import ThemedScene, heading, label, text


def chain_edge(rec, model, d) -> tuple[int, int, int]:
    """(layer, i, j): the drawn edge of the last hidden→output layer with the largest |∂ℓ/∂w|."""
    L = model.n_layers
    G = model.layout.view(rec.grad, f"W{L}")
    idx = d.edge_index[L - 1]
    k = int(np.argmax(np.abs(G[idx[:, 0], idx[:, 1]])))
    return L, int(idx[k, 0]), int(idx[k, 1])


class Backpropagation(ThemedScene):
    experiment = "network_backprop"
    class_names = ("class 0", "class 1", "class 2")
    pulse_time = 1.2

    @staticmethod
    def delta_label(v, color, words=None):
        """A number on a dark backing, readable over edges: "δ +0.74" (or any `words`)."""
        t = text(words if words is not None else f"δ {signed(v)}", size=24, color=color)
        return VGroup(BackgroundRectangle(t, color=theme.BACKGROUND, fill_opacity=0.85, buff=0.04), t)

    def rule_lines(self, rec, model, d, l):
        """Where layer l's δ come from, with the record's numbers: at the output δ = ŷ − y (softmax with
        cross-entropy); one layer back, for its drawn unit with the largest |δ|, δⱼ = (1 − aⱼ²)·Σₖ wⱼₖδₖ."""
        L = model.n_layers
        delta = rec.deltas[f"d{l}"][0]
        if l == L:
            t = int(np.argmax(rec.y[0]))
            yh = float(rec.activation(L)[t])
            self.why_numbers["output"] = (t, yh, float(delta[t]))
            return [text("output: δ = ŷ − y", size=24, color=theme.ACTIVE),
                    text(f"{self.class_names[t]}: {yh:.3f} − 1 = {signed(delta[t], 3)}", size=24)], None
        if l == L - 1:
            u = max(d.shown[l], key=lambda k: abs(delta[k]))
            W = model.layout.view(rec.theta, f"W{l + 1}")
            s_ = float(W[u] @ rec.deltas[f"d{l + 1}"][0])
            a = float(rec.activation(l)[u])
            self.why_numbers["hidden"] = (l, u, 1 - a * a, s_, float(delta[u]))
            mark = SurroundingRectangle(d.neuron(l, u), color=theme.ACTIVE, buff=0.06)
            return [text("hidden: δⱼ = (1 − aⱼ²) · Σₖ wⱼₖ δₖ", size=24, color=theme.ACTIVE),
                    text(f"= {1 - a * a:.3f} × ({signed(s_, 3)}) = {signed(delta[u], 3)}", size=24)], mark
        return [text("the same rule, one layer further back", size=24, color=theme.ACTIVE)], None

    def construct(self):
        rec = experiments.load(self.experiment)["pass"]
        model = rec.model()
        L = model.n_layers
        x, y = rec.x[0], rec.y[0]
        true = int(np.argmax(y))
        out = rec.activation(L)

        title = heading("Backpropagation", size=34)
        d = NetworkDiagram.from_model(model, rec.theta, width=6.0, height=3.4, radius=0.22,
                                      input_labels=[f"x{subscript(i + 1)} = {v:.2f}" for i, v in enumerate(x)],
                                      output_labels=list(self.class_names), label_size=24).shift(LEFT * 1.6 + DOWN * 0.1)
        caption = text("forward: one training example", size=24, color=theme.ACTIVE).next_to(title, DOWN, buff=0.2)
        key = SignKey().to_corner(DOWN + LEFT, buff=0.3)   # one table: which colours mean what, all scene long
        self.add(title, d, caption, key)   # the first frame already shows the network and the key

        # forward (quick): signed activations
        self.play(d.fill_layer(0, x), run_time=0.4)
        for l in range(1, L + 1):
            self.play(d.signal(l), d.fill_layer(l, rec.activation(l), model.activation(l).name), run_time=0.5)
        bars = ProbabilityBars(d, out, highlight=true, max_length=1.2, buff=1.6, color=theme.FOREGROUND)
        self.play(LaggedStart(*[GrowFromEdge(b, LEFT) for b in bars], lag_ratio=0.1), run_time=0.5)
        loss_eq = math(f"ell = -log hat(y)_{true} = {rec.loss:.3f}", size=36)
        loss_eq.next_to(bars, DOWN, buff=0.35).align_to(d.layer_labels[L], LEFT)
        box = SurroundingRectangle(d.label_of(L, true), color=theme.ACTIVE, buff=0.05)
        self.play(Create(box), fade_in(loss_eq), run_time=0.7)
        self.pause("deltas")

        # backward: δ on every neuron, output → input, and each layer's ∂ℓ/∂W pulsing back
        back = text("backward: δ = ∂ℓ/∂z on each neuron, output → input", size=24, color=theme.ACTIVE).move_to(caption)
        dscale = max(float(np.max(np.abs(rec.deltas[f"d{l}"]))) for l in range(1, L + 1))
        gscale = float(max(np.max(np.abs(d.shown_weights(rec.grad, l))) for l in range(1, L + 1)))
        self.play(fade_out(caption), d.edges.animate.set_stroke(opacity=0.12),
                  *[c.animate.set_fill(opacity=0.0) for layer in d.layers for c in layer], run_time=0.3)
        self.play(fade_in(back), run_time=0.3)     # one caption out, then the next in
        self.delta_labels = VGroup()
        why = VGroup()
        self.why_numbers = {}
        for l in range(L, 0, -1):
            delta = rec.deltas[f"d{l}"][0]
            vals = VGroup(*[self.delta_label(delta[c.unit], d.gradient_color(delta[c.unit])).next_to(c, UP, buff=0.04)
                            for c in d.layers[l]])
            rings = [c.animate.set_stroke(d.gradient_color(delta[c.unit]), width=4) for c in d.layers[l]]
            lines, mark = self.rule_lines(rec, model, d, l)
            if len(why):
                self.play(fade_out(why), run_time=0.25)    # the old rule goes before the new one comes
            why = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.12).to_corner(DOWN + RIGHT, buff=0.3)
            anims = rings + ([d.pulse_gradients(l + 1, rec.grad, scale=gscale)] if l < L else [])
            if mark is not None:
                anims.append(Create(mark))
                why.add(mark)
            self.play(*anims, fade_in(*vals, *lines), run_time=self.pulse_time if l < L else 0.7)
            self.wait(1.2 if lines else 0.2)
            self.delta_labels.add(vals)
        self.play(fade_out(why), run_time=0.25)
        self.pause("chain-rule")

        # one chain-rule product, with its numbers
        l, i, j = chain_edge(rec, model, d)
        a_i, d_j = float(rec.activation(l - 1)[i]), float(rec.deltas[f"d{l}"][0][j])
        g = float(model.layout.view(rec.grad, f"W{l}")[i, j])
        k = int(np.flatnonzero((d.edge_index[l - 1][:, 0] == i) & (d.edge_index[l - 1][:, 1] == j))[0])
        edge = d.edges[l - 1][k]
        hi = edge.copy().set_stroke(theme.ACTIVE, width=6, opacity=1.0)
        rule = VGroup(text("one weight: chain rule", size=24, color=theme.ACTIVE),
                      text("∂ℓ/∂w = ∂ℓ/∂z · ∂z/∂w = δⱼ · aᵢ", size=24),
                      text(f"= ({signed(d_j, 3)}) × ({signed(a_i, 3)}) = {signed(g, 3)}", size=24,
                           color=d.gradient_color(g)))
        if abs(1 - a_i * a_i) < 0.01:      # a saturated tanh: why its own δ is (almost) 0
            rule.add(text(f"aᵢ = {signed(a_i, 2)}: tanh′ = 1 − a² ≈ 0, so its δ ≈ 0", size=24))
        rule.arrange(DOWN, aligned_edge=LEFT, buff=0.12).to_corner(DOWN + RIGHT, buff=0.3)
        marks = VGroup(SurroundingRectangle(d.neuron(l, j), color=theme.ACTIVE, buff=0.05),
                       SurroundingRectangle(d.neuron(l - 1, i), color=theme.ACTIVE, buff=0.05))
        self.play(fade_out(bars, loss_eq, box, *d.glyphs), run_time=0.3)
        self.play(Create(hi), Create(marks), fade_in(*rule[:2]), run_time=0.8)
        self.play(fade_in(*rule[2:]), run_time=0.7)
        self.wait(2.5)

        # every edge's ∂ℓ/∂w, with its sign
        self.pause("all-gradients")
        grad_edges = [d.gradient_edges(m, rec.grad, scale=gscale) for m in range(L, 0, -1)]
        note = VGroup(text("every edge: ∂ℓ/∂w = δ · a", size=24, color=theme.ACTIVE),
                      label("width: |∂ℓ/∂w|", size=24))
        note.arrange(DOWN, aligned_edge=LEFT, buff=0.1).to_corner(DOWN + RIGHT, buff=0.3)
        self.play(fade_out(hi, *marks, *rule), run_time=0.3)
        self.play(*[fade_in(ge) for ge in grad_edges], fade_in(*note), run_time=0.6)
        self.wait(1.2)
        self.pause("update")

        # the update, judged on this example and on the whole training set
        upd = math(f"theta <- theta - eta nabla_theta ell, quad eta = {rec.lr:g}", size=36).move_to(back)
        self.play(fade_out(back, *note, *self.delta_labels), *[fade_out(ge) for ge in grad_edges], run_time=0.4)
        self.play(fade_in(upd), run_time=0.3)
        d.clear_activations()
        self.play(d.weights_to(rec.theta), *[c.animate.set_stroke(theme.NEURON, width=2) for layer in d.layers
                                             for c in layer], run_time=0.4)
        w_before = float(model.layout.view(rec.theta, f"W{l}")[i, j])
        w_after = float(model.layout.view(rec.theta_next, f"W{l}")[i, j])
        wlab = text(f"the yellow weight: {signed(w_before, 3)} → {signed(w_after, 3)}", size=24, color=theme.ACTIVE)
        wlab.to_corner(UP + RIGHT, buff=0.3).shift(DOWN * 1.45)         # beside the diagram, not on it
        self.play(d.weights_to(rec.theta_next), Create(hi.copy()), fade_in(wlab), run_time=1.4)
        self.update_edge = (l, i, j, w_before, w_after)
        out_next = np.asarray(rec.meta["output_next"])
        bars_next = ProbabilityBars(d, out_next, highlight=true, max_length=1.2, buff=1.6, color=theme.FOREGROUND)
        n = len(rec.batch_X)
        verdict = VGroup(
            text(f"this example:  ℓ {rec.loss:.3f} → {rec.meta['loss_next']:.3f}", size=24),
            text(f"all {n} training points:  mean ℓ {rec.batch_loss:.3f} → {rec.batch_loss_next:.3f}", size=24,
                 color=theme.ACTIVE),
            text("→ training averages ∂ℓ/∂θ over many", size=24))
        verdict.arrange(DOWN, aligned_edge=LEFT, buff=0.1).to_corner(DOWN + RIGHT, buff=0.25)
        self.play(fade_in(bars_next, *verdict[:2]), run_time=0.8)
        self.play(fade_in(*verdict[2:]), run_time=0.6)
        self.wait(1.5)
        self.diagram, self.grad_edges, self.bars = d, grad_edges, bars_next  # for tests
        self.chain = (l, i, j, d_j, a_i, g)
        self.verdict_numbers = (rec.loss, rec.meta["loss_next"], rec.batch_loss, rec.batch_loss_next)
