"""A network is a function f(x; θ): one neuron first, then layers of them joined by weighted edges.

Builds the diagram of the trained digits classifier: first ONE hidden neuron and what it computes
(a weighted sum of all 64 inputs plus a bias, through tanh), then layer by layer with each layer's
size and parameter count: 64 inputs (wide layers elided with "⋮"), two tanh hidden layers, 10
softmax outputs. Edge colour is the weight's sign, width its size; only each neuron's three
strongest incoming edges are drawn in full (the rest are faint hairlines), so the picture is not a
hairball. θ collects every weight and bias.
Records: experiment "network_forward" (nnviz/experiments/networks.py).
"""
from manim import DOWN, LEFT, RIGHT, UP, Create, LaggedStart, SurroundingRectangle, VGroup

from nnviz import experiments, theme
from nnviz.render.fades import fade_in
from nnviz.display import output_names, subscript
from nnviz.render.mathtex import math
from nnviz.render.network import NetworkDiagram
from nnviz.render.plots import Legend
from nnviz.render.style import ThemedScene, heading, label, text


def layer_params(sizes) -> list[int]:
    """Parameters of each layer: n_in·n_out weights + n_out biases."""
    return [a * b + b for a, b in zip(sizes[:-1], sizes[1:])]


class NetworkArchitecture(ThemedScene):
    experiment = "network_forward"
    layer_names = ("{} inputs", "{} units", "{} units", "{} outputs")

    def construct(self):
        rec = experiments.load(self.experiment)["pass"]
        model = rec.model()
        sizes = model.sizes
        title = heading("A neural network is a function", size=34)
        eq = math("f: RR^(%d) -> RR^(%d), quad hat(y) = f(x; theta), quad theta in RR^(%d)"
                  % (sizes[0], sizes[-1], model.n_params), size=28).next_to(title, DOWN, buff=0.15)
        d = NetworkDiagram.from_model(model, rec.theta, max_neurons=[8, 8, 8, 10], width=7.2, height=3.9,
                                      output_labels=output_names(sizes[-1]), strong_per_neuron=3,
                                      label_size=20).shift(DOWN * 0.55 + LEFT * 1.3)
        self.add(title, eq, d.layers[0], d.ellipses[0])   # the first frame: the inputs already there

        # one neuron first
        j = d.shown[1][0]
        into = [k for k, (a, b) in enumerate(d.edge_index[0]) if b == j]
        one = VGroup(d.layers[0], d.ellipses[0], d.layers[1][0], *[d.edges[0][k] for k in into])
        what = VGroup(text("one neuron:", size=24, color=theme.ACTIVE),
                      text(f"a = tanh(w₁x₁ + … + w{subscript(sizes[0])}x{subscript(sizes[0])} + b)", size=24),
                      label(f"{sizes[0]} weights (one per input) + 1 bias", size=20),
                      label(f"edges: its {d.strong_per_neuron} strongest in full,", size=20),
                      label("the others as faint hairlines", size=20))
        what.arrange(DOWN, aligned_edge=LEFT, buff=0.1).to_edge(RIGHT, buff=0.35).shift(UP * 0.6)
        ring = SurroundingRectangle(d.layers[1][0], color=theme.ACTIVE, buff=0.06, corner_radius=0.1)
        self.wait(0.4)
        self.play(Create(VGroup(*[d.edges[0][k] for k in into])), fade_in(d.layers[1][0]), Create(ring),
                  fade_in(what), run_time=1.2)
        self.wait(1.5)
        self.pause("layers")

        # then all of them, layer by layer, with sizes and parameter counts
        params = layer_params(sizes)
        tops = d.layers.get_top()[1] + 0.3
        names = VGroup()
        for l in range(len(sizes)):
            nm = text(self.layer_names[min(l, len(self.layer_names) - 1)].format(sizes[l]), size=20)
            nm.move_to([d.layers[l].get_x(), tops, 0])
            names.add(nm)
        self.play(fade_in(names[0]), run_time=0.4)
        counts = VGroup()
        for l in range(1, len(sizes)):
            rest = [c for c in d.layers[l] if c is not d.layers[1][0]]
            edges = [e for k, e in enumerate(d.edges[l - 1]) if not (l == 1 and k in into)]
            cnt = label(f"{sizes[l - 1]}×{sizes[l]} + {sizes[l]}\n= {params[l - 1]:,} params", size=18,
                        line_spacing=0.5)
            cnt.move_to([(d.layers[l - 1].get_x() + d.layers[l].get_x()) / 2, d.glyphs.get_bottom()[1] - 0.4, 0])
            counts.add(cnt)
            anims = [LaggedStart(*[fade_in(c) for c in rest], lag_ratio=0.05), fade_in(names[l]),
                     Create(VGroup(*edges), lag_ratio=0.003), fade_in(d.glyphs[l - 1]), fade_in(cnt)]
            anims += [fade_in(e) for e in d.ellipses if abs(e.get_x() - d.layers[l].get_x()) < 0.01]
            if l in d.layer_labels:
                anims.append(fade_in(d.layer_labels[l]))
            if l == 1:
                anims += [ring.animate.set_stroke(opacity=0), what.animate.set_opacity(0)]
            self.play(*anims, run_time=1.0)
        self.remove(ring, what)
        legend = Legend({"positive weight": theme.POSITIVE, "negative weight": theme.NEGATIVE})
        legend.to_corner(RIGHT + DOWN, buff=0.35)
        width_note = label("width = |w|", size=20).next_to(legend, UP, buff=0.15).align_to(legend, LEFT)
        total = text(f"θ: {model.n_params:,} numbers in all", size=22,
                     color=theme.ACTIVE).next_to(width_note, UP, buff=0.3).to_edge(RIGHT, buff=0.35)
        self.play(fade_in(legend), fade_in(width_note), fade_in(total), run_time=0.6)
        self.wait(1.5)
        self.diagram, self.layer_counts = d, params
