"""A network is a function f(x; θ): layers of neurons joined by weighted edges.

Builds the diagram of the trained digits classifier layer by layer: 64 inputs (wide
layers elided with "⋮"), two tanh hidden layers, 10 softmax outputs; edge colour is
the weight's sign, width its size; θ collects every weight and bias.
Records: experiment "network_forward" (nnviz/experiments/networks.py).
"""
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, LaggedStart, Write

from nnviz import experiments, theme
from nnviz.render.mathtex import math
from nnviz.render.network import NetworkDiagram
from nnviz.render.plots import Legend
from nnviz.render.style import ThemedScene, heading, label


class NetworkArchitecture(ThemedScene):
    experiment = "network_forward"
    layer_names = ("input: {} pixels", "hidden: {} units", "hidden: {} units", "output: {} digits")

    def construct(self):
        rec = experiments.load(self.experiment)["pass"]
        model = rec.model()
        title = heading("A neural network is a function", size=34)
        eq = math("f: RR^(64) -> RR^(10), quad hat(y) = f(x; theta), quad theta in RR^(%d)" % model.n_params,
                  size=30).next_to(title, DOWN, buff=0.2)
        d = NetworkDiagram.from_model(model, rec.theta, max_neurons=[8, 8, 8, 10], width=7.5, height=4.0,
                                      output_labels=[str(i) for i in range(10)]).shift(DOWN * 0.55 + LEFT * 0.8)
        self.play(FadeIn(title), Write(eq), run_time=1.0)
        for l in range(len(model.sizes)):
            name = label(self.layer_names[l].format(model.sizes[l]), size=18)
            name.move_to([d.layers[l].get_x(), d.layers.get_top()[1] + 0.3, 0])
            anims = [LaggedStart(*[FadeIn(c) for c in d.layers[l]], lag_ratio=0.05), FadeIn(name)]
            anims += [FadeIn(e) for e in d.ellipses if abs(e.get_x() - d.layers[l].get_x()) < 0.01]
            if l > 0:
                anims.append(Create(d.edges[l - 1], lag_ratio=0.003))
                anims.append(FadeIn(d.glyphs[l - 1]))
            if l in d.layer_labels:
                anims.append(FadeIn(d.layer_labels[l]))
            self.play(*anims, run_time=0.9)
        legend = Legend({"positive weight": theme.POSITIVE, "negative weight": theme.NEGATIVE})
        legend.to_corner(RIGHT + DOWN, buff=0.35)
        width_note = label("width = |w|", size=18).next_to(legend, UP, buff=0.15).align_to(legend, LEFT)
        self.play(FadeIn(legend), FadeIn(width_note), run_time=0.6)
        self.wait(1.5)
        self.diagram = d
