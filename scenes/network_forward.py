"""Forward pass: one real test image flows through a trained digits classifier.

Each layer's neurons fill by their recorded activation, the output becomes class
probabilities (bars beside the labels), and ŷ = f(x; θ) stays on screen.
Records: experiment "network_forward" (nnviz/experiments/networks.py).
"""
import numpy as np
from manim import DOWN, LEFT, FadeIn, GrowFromEdge, ImageMobject, LaggedStart, Create, \
    RESAMPLING_ALGORITHMS, SurroundingRectangle, Write

from nnviz import experiments, theme
from nnviz.render.mathtex import math
from nnviz.render.network import NetworkDiagram, ProbabilityBars
from nnviz.render.style import ThemedScene, heading, label, text


def digit_image(x: np.ndarray, side: float) -> ImageMobject:
    """An 8×8 grey-level digit (values in [0, 1]) as a pixel-exact image."""
    g = (255 * np.clip(x.reshape(8, 8), 0, 1)).astype(np.uint8)
    img = ImageMobject(np.dstack([g, g, g, np.full_like(g, 255)]))
    img.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    img.height = side
    return img


class ForwardPass(ThemedScene):
    experiment = "network_forward"
    layer_time = 0.8

    def construct(self):
        rec = experiments.load(self.experiment)["pass"]
        model = rec.model()
        x = rec.activation(0)
        probs = rec.activation(model.n_layers)
        pred, true = int(np.argmax(probs)), int(np.argmax(rec.y[0]))

        title = heading("Forward pass", size=34)
        eq = math("hat(y) = f(x; theta)", size=34).next_to(title, DOWN, buff=0.2)
        diagram = NetworkDiagram.from_model(
            model, rec.theta, max_neurons=[8, 8, 8, 10], width=6.0, height=4.3,
            output_labels=[str(i) for i in range(10)]).shift(DOWN * 0.45 + LEFT * 0.3)
        img = digit_image(x, 1.9).next_to(diagram, LEFT, buff=0.45)
        img_cap = label("x: 8×8 pixels\n= 64 inputs", line_spacing=0.6).next_to(img, DOWN, buff=0.15)
        self.play(FadeIn(title), Write(eq), run_time=0.8)
        self.add(img)  # manim 0.22: FadeIn on an ImageMobject interpolates uint8 → float and crashes PIL
        self.play(FadeIn(img_cap), Create(diagram.edges, lag_ratio=0.002),
                  FadeIn(diagram.layers), FadeIn(diagram.ellipses), FadeIn(diagram.labels),
                  FadeIn(diagram.glyphs), run_time=1.2)
        self.play(diagram.fill_layer(0, x, "sigmoid"), run_time=self.layer_time)
        for l in range(1, model.n_layers + 1):
            act = model.activation(l).name
            self.play(diagram.signal(l), run_time=self.layer_time)
            self.play(diagram.fill_layer(l, rec.activation(l), act), run_time=self.layer_time * 0.6)
        bars = ProbabilityBars(diagram, probs, highlight=pred)
        self.play(LaggedStart(*[GrowFromEdge(b, LEFT) for b in bars], lag_ratio=0.05), run_time=1.0)
        box = SurroundingRectangle(diagram.label_of(model.n_layers, pred), color=theme.ACTIVE, buff=0.06)
        verdict = text(f"network says “{pred}” with probability {probs[pred]:.2f}   ·   true label: {true}",
                       size=22).to_edge(DOWN, buff=0.2)
        self.play(Create(box), FadeIn(verdict), run_time=0.6)
        self.wait(1.0)
        self.bars, self.diagram = bars, diagram  # for tests
