"""A network is a function f(x; θ): one neuron first, then layers of them joined by weighted edges.

Builds the diagram of the trained digits classifier: first ONE hidden neuron and what it computes
(a weighted sum of all 64 inputs plus a bias, through tanh), then the wiring layer by layer with
each layer's parameter count: 64 inputs (wide layers elided with "⋮"), two tanh hidden layers, 10
softmax outputs. Edge colour is the weight's sign, width its size; only each neuron's largest
incoming weights are bold (two per hidden neuron, one per output), the rest faint hairlines, so the
picture is not a hairball. The first frame already shows every layer, named and sized.
θ collects every weight and bias.
Records: experiment "network_forward" (nnviz/experiments/networks.py).
"""
import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Create, SurroundingRectangle, VGroup

from nnviz import experiments, theme
from nnviz.render.fades import fade_in, fade_out
from nnviz.display import output_names, signed, subscript, top_terms
from nnviz.render.mathtex import math
from nnviz.render.network import NetworkDiagram, pixel_grid
from nnviz.render.plots import Legend
from nnviz.render.style import ThemedScene, heading, label, text


def layer_params(sizes) -> list[int]:
    """Parameters of each layer: n_in·n_out weights + n_out biases."""
    return [a * b + b for a, b in zip(sizes[:-1], sizes[1:])]


class NetworkArchitecture(ThemedScene):
    experiment = "network_forward"
    layer_names = ("{} inputs", "{} units", "{} units", "{} outputs")
    strong = (2, 2, 1)      # bold edges per neuron, per layer (1 into the 10 outputs: no knot)

    def construct(self):
        rec = experiments.load(self.experiment)["pass"]
        model = rec.model()
        sizes = model.sizes
        x = rec.activation(0)
        title = heading("A neural network is a function", size=34)
        eq = math("f: RR^(%d) -> RR^(%d), quad hat(y) = f(x; theta), quad theta in RR^(%d)"
                  % (sizes[0], sizes[-1], model.n_params), size=38).next_to(title, DOWN, buff=0.15)
        d = NetworkDiagram.from_model(model, rec.theta, max_neurons=[8, 8, 8, 10], width=5.4, height=3.7,
                                      output_labels=output_names(sizes[-1]), strong_per_neuron=self.strong,
                                      label_size=24, faint_opacity=0.3)
        d.shift([-4.35 - d.layers[0].get_x(), -0.1 - d.layers.get_center()[1], 0])   # inputs at x = −4.35
        names = VGroup()
        tops = d.layers.get_top()[1] + 0.3
        for l in range(len(sizes)):
            nm = text(self.layer_names[min(l, len(self.layer_names) - 1)].format(sizes[l]), size=24)
            names.add(nm.move_to([d.layers[l].get_x(), tops, 0]))
        # the data: one 8×8 digit, its 64 pixels are the 64 inputs; the outputs are the digits 0–9
        grid = pixel_grid(x, 1.2).move_to([-6.0, -0.1, 0])
        gcap = VGroup(text("64 pixels", size=24), text("= 64 inputs", size=24)).arrange(DOWN, buff=0.08)
        gcap.next_to(grid, DOWN, buff=0.2).to_edge(LEFT, buff=0.2)
        arrow = Arrow(grid.get_right(), [d.layers[0].get_left()[0] - 0.05, grid.get_y(), 0], buff=0.1,
                      color=theme.MUTED, stroke_width=3, max_tip_length_to_length_ratio=0.3)
        for c in d.layers[0]:                         # each drawn input holds its pixel's grey level
            c.set_fill(theme.FOREGROUND, opacity=float(np.clip(x[c.unit], 0, 1)))
        # the first frame: the digit, every layer's neurons, named and sized; the wiring comes next
        self.add(title, eq, grid, gcap, arrow, d.layers, d.ellipses, d.labels, d.glyphs, names)

        # one neuron first, with its recorded numbers for this digit
        j = d.shown[1][0]
        into = [k for k, (a, b) in enumerate(d.edge_index[0]) if b == j]
        bold = [k for k in into if d.edge_strong[0][k]]
        W1, b1 = model.weights(rec.theta, 1)
        z, a = float(rec.pre["z1"][0][j]), float(rec.activation(1)[j])
        wlabels = VGroup()
        top = top_terms(W1[:, j], x, 2)              # this digit's two largest terms wᵢxᵢ, from the record
        self.terms = [(int(i), float(W1[i, j]), float(x[i])) for i in top]
        what = VGroup(text("one neuron:", size=26, color=theme.ACTIVE),
                      text(f"z = w₁x₁ + … + w{subscript(sizes[0])}x{subscript(sizes[0])} + b", size=26),
                      text("this digit, largest terms:", size=24),
                      *[text(f"{signed(w, 2)} × {xi:.2f} = {signed(w * xi, 2)}  (x{subscript(i + 1)})", size=24)
                        for i, w, xi in self.terms],
                      text(f"+ {sizes[0] - len(top)} more + b:  z = {z:.2f}", size=24),
                      text(f"a = tanh(z) = {a:.2f}", size=26, color=theme.ACTIVE))
        what.arrange(DOWN, aligned_edge=LEFT, buff=0.14).move_to([4.6, 0.2, 0]).align_to([1.85, 0, 0], LEFT)
        ring = SurroundingRectangle(d.layers[1][0], color=theme.ACTIVE, buff=0.06, corner_radius=0.1)
        self.wait(0.6)
        self.play(Create(VGroup(*[d.edges[0][k] for k in into])), Create(ring), fade_in(*what[:-1]),
                  run_time=1.4)
        self.play(fade_in(what[-1]), d.fill_layer(1, np.where(np.arange(sizes[1]) == j, rec.activation(1), 0.0),
                                                  "tanh"), run_time=0.6)
        self.wait(1.5)
        self.pause("layers")

        # then all of them, layer by layer, with each layer's parameter count
        params = layer_params(sizes)
        self.play(fade_out(what, wlabels), ring.animate.set_stroke(opacity=0), run_time=0.4)
        self.remove(ring)
        for c in d.layers[1]:
            c.set_fill(opacity=0.0)
        unit = text("each unit: tanh(Σ wᵢxᵢ + b)", size=24).move_to([4.6, 1.55, 0]).align_to([1.85, 0, 0], LEFT)
        key = VGroup(text(f"bold: each unit's {self.strong[0]} largest |w|", size=24),
                     text(f"({self.strong[-1]} per output), the rest faint", size=24),
                     Legend({"positive weight": theme.POSITIVE, "negative weight": theme.NEGATIVE}, font_size=24),
                     text("width = |w|", size=24),
                     text("⋮ : more units, not drawn", size=24))
        key.arrange(DOWN, aligned_edge=LEFT, buff=0.14).next_to(unit, DOWN, buff=0.35).align_to(unit, LEFT)
        self.play(fade_in(unit, key), run_time=0.4)
        counts = VGroup()
        for l in range(1, len(sizes)):
            edges = [e for k, e in enumerate(d.edges[l - 1]) if not (l == 1 and k in into)]
            nw = sizes[l - 1] * sizes[l]
            cnt = VGroup(*[text(t, size=24) for t in (f"{nw:,} w", f"+ {sizes[l]} b", f"= {params[l - 1]:,}")])
            cnt.arrange(DOWN, aligned_edge=RIGHT, buff=0.06)
            cnt.move_to([(d.layers[l - 1].get_x() + d.layers[l].get_x()) / 2, 0, 0]).align_to([0, d.glyphs.get_bottom()[1] - 0.12, 0], UP)
            counts.add(cnt)
            self.play(Create(VGroup(*edges), lag_ratio=0.003), fade_in(cnt), run_time=1.0)
        self.bring_to_front(d.layers)
        total = text(f"θ: {model.n_params:,} numbers in all", size=28, color=theme.ACTIVE)
        total.next_to(key, DOWN, buff=0.35).align_to(key, LEFT)
        self.play(fade_in(total), run_time=0.6)
        self.wait(1.5)
        self.diagram, self.layer_counts, self.neuron_numbers = d, params, (j, z, a)
