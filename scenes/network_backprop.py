"""Backpropagation: the loss at the output, gradients flowing backward layer by layer
(edges pulse as wide as the real |∂ℓ/∂w|), then θ ← θ − η∇ℓ visibly changes the edges.

Records: experiment "network_backprop" (one training example through a 2-4-4-3
spiral classifier; gradient from MLP.backward; θ_next = θ − η·grad).
"""
import numpy as np
from manim import DOWN, LEFT, UP, Create, FadeIn, FadeOut, GrowFromEdge, LaggedStart, \
    ReplacementTransform, SurroundingRectangle, Write

from nnviz import experiments, theme
from nnviz.render.mathtex import math
from nnviz.render.network import NetworkDiagram, ProbabilityBars
from nnviz.render.style import ThemedScene, heading, label


class Backpropagation(ThemedScene):
    experiment = "network_backprop"
    class_names = ("class 0", "class 1", "class 2")
    pulse_time = 1.4

    def construct(self):
        rec = experiments.load(self.experiment)["pass"]
        model = rec.model()
        L = model.n_layers
        x, y = rec.x[0], rec.y[0]
        true = int(np.argmax(y))
        out = rec.activation(L)

        title = heading("Backpropagation", size=34)
        d = NetworkDiagram.from_model(model, rec.theta, width=6.4, height=3.6, radius=0.2,
                                      input_labels=[f"x{i + 1} = {v:.2f}" for i, v in enumerate(x)],
                                      output_labels=list(self.class_names)).shift(LEFT * 1.3 + DOWN * 0.2)
        self.play(FadeIn(title), FadeIn(d), run_time=0.8)

        # forward (quick): the example's activations
        fwd = label("forward: one training example").next_to(title, DOWN, buff=0.25)
        self.play(FadeIn(fwd), d.fill_layer(0, x), run_time=0.5)
        for l in range(1, L + 1):
            self.play(d.signal(l), d.fill_layer(l, rec.activation(l), model.activation(l).name), run_time=0.6)
        bars = ProbabilityBars(d, out, highlight=true, max_length=1.2, buff=1.35)
        self.play(LaggedStart(*[GrowFromEdge(b, LEFT) for b in bars], lag_ratio=0.1), run_time=0.6)

        # the loss at the output
        loss_eq = math(f"ell = -log hat(y)_{true} = {rec.loss:.3f}", size=30)
        loss_eq.next_to(d, DOWN, buff=0.3).align_to(d.layer_labels[L], LEFT)
        box = SurroundingRectangle(d.label_of(L, true), color=theme.ACTIVE, buff=0.05)
        self.play(Create(box), Write(loss_eq), run_time=0.8)

        # backward: layer by layer from the output, pulses sized by the real |∂ℓ/∂w|
        bwd = label("backward: ∂ℓ/∂w by the chain rule, output → input").move_to(fwd)
        scale = float(max(np.max(np.abs(d.shown_weights(rec.grad, l))) for l in range(1, L + 1)))
        self.play(ReplacementTransform(fwd, bwd), d.edges.animate.set_stroke(opacity=0.12), run_time=0.5)
        grad_edges = []
        for l in range(L, 0, -1):
            cap = math(f"(partial ell) / (partial W_{l})", size=26).next_to(d.edges[l - 1], UP, buff=0.15)
            self.play(FadeIn(cap), d.pulse_gradients(l, rec.grad, scale=scale), run_time=self.pulse_time)
            ge = d.gradient_edges(l, rec.grad, scale=scale)
            grad_edges.append(ge)
            self.play(FadeIn(ge), FadeOut(cap), run_time=0.4)
        note = label("edge width ∝ |∂ℓ/∂w| (one scale for all layers)").to_edge(DOWN, buff=0.25)
        self.play(FadeIn(note), run_time=0.4)
        self.wait(0.6)

        # the update: θ ← θ − η∇ℓ
        upd = math(f"theta <- theta - eta nabla_theta ell, quad eta = {rec.lr:g}", size=30).move_to(bwd)
        self.play(ReplacementTransform(bwd, upd), *[FadeOut(g) for g in grad_edges], FadeOut(note),
                  d.weights_to(rec.theta), run_time=0.8)
        self.play(d.weights_to(rec.theta_next), run_time=1.6)
        out_next = np.asarray(rec.meta["output_next"])
        bars_next = ProbabilityBars(d, out_next, highlight=true, max_length=1.2, buff=1.35)
        loss_next = math(f"ell: {rec.loss:.3f} -> {rec.meta['loss_next']:.3f}", size=30).move_to(loss_eq)
        self.play(ReplacementTransform(bars, bars_next), ReplacementTransform(loss_eq, loss_next), run_time=0.8)
        self.wait(1.0)
        self.diagram, self.grad_edges, self.bars = d, grad_edges, bars_next  # for tests
