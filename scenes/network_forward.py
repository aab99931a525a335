"""Forward pass: one real test image flows through a trained digits classifier.

First how the 8×8 image becomes the input layer (its pixels laid out row by row as 64 inputs),
then what ONE hidden neuron computes with the record's numbers — its largest terms wᵢ·xᵢ, the
rest summed, the bias, z, and a = tanh(z) on the curve — then the rest of that layer at once, the
next layers, and the output probabilities. Node fill is signed: blue > 0, red < 0.
Records: experiment "network_forward" (nnviz/experiments/networks.py).
"""
import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Create, GrowFromEdge, Line,
                   LaggedStart, Square, SurroundingRectangle, VGroup)

from nnviz import experiments, theme
from nnviz.display import input_names, output_names, shown_units, subscript
from nnviz.render.fades import fade_in, fade_out
from nnviz.render.mathtex import math
from nnviz.render.network import ActivationScale, NetworkDiagram, NeuronSum, ProbabilityBars, pixel_grid
from nnviz.render.style import ThemedScene, heading, label, text


def pick_neuron(diagram, z, a) -> int:
    """The shown first-layer unit the walk-through follows: the one whose output is most decided."""
    shown = diagram.shown[1]
    return int(shown[int(np.argmax(np.abs(np.asarray(a)[shown])))])


class ForwardPass(ThemedScene):
    experiment = "network_forward"
    layer_time = 0.8
    terms = 4

    def construct(self):
        rec = experiments.load(self.experiment)["pass"]
        model = rec.model()
        x = rec.activation(0)
        probs = rec.activation(model.n_layers)
        pred, true = int(np.argmax(probs)), int(np.argmax(rec.y[0]))
        n_in = model.sizes[0]

        title = heading("Forward pass", size=34)
        eq = math("hat(y) = f(x; theta)", size=34).next_to(title, DOWN, buff=0.15)
        d = NetworkDiagram.from_model(model, rec.theta, max_neurons=[8, 8, 8, 10], width=4.8, height=4.5,
                                      output_labels=output_names(model.sizes[-1]), strong_per_neuron=(2, 2, 1),
                                      input_labels=input_names(n_in), label_size=24)
        d.shift([-4.15 - d.layers[0].get_x(), -0.3 - d.layers.get_center()[1], 0])   # layers from x = −4.15 to 0.65
        grid = pixel_grid(x, 1.5).move_to([-5.75, 1.0, 0])
        gcap = label("image x", size=24).next_to(grid, UP, buff=0.12)
        scale = ActivationScale().to_corner(DOWN + LEFT, buff=0.3)
        # first frame: already the picture (the image and the network it will flow through)
        self.add(title, eq, grid, gcap, d.edges, d.layers, d.ellipses, d.glyphs)
        self.wait(0.6)

        # 1. the image becomes the input layer: rows laid end to end, 64 inputs
        self.pause("flatten")
        strip = grid.copy()
        top, bottom = d.layers[0].get_top()[1], d.layers[0].get_bottom()[1]
        cell = (top - bottom) / (n_in - 1)
        xs = d.layers[0].get_x() - 0.42        # the strip stands clear of the image, beside the inputs
        for i, sq in enumerate(strip):
            sq.target_point = [xs, top - i * cell, 0]
        fcap = VGroup(label("row by row,", size=24), label(f"{n_in} pixels", size=24),
                      label(f"= {n_in} inputs", size=24))
        fcap.arrange(DOWN, aligned_edge=LEFT, buff=0.08).next_to(grid, DOWN, buff=0.85).to_edge(LEFT, buff=0.25)
        self.play(LaggedStart(*[sq.animate.move_to(sq.target_point).stretch_to_fit_width(0.22)
                                .stretch_to_fit_height(cell * 0.9) for sq in strip], lag_ratio=0.015),
                  fade_in(*fcap), run_time=2.0)
        self.wait(0.6)
        self.play(fade_out(*fcap), run_time=0.3)     # the caption goes before the input labels come
        units, _ = shown_units(n_in, 8)
        hidden_px = VGroup(*[sq for i, sq in enumerate(strip) if i not in units])
        shown_px = [strip[u] for u in units]
        elided = label(f"{n_in - len(units)} more", size=24).next_to(d.ellipses[0], LEFT, buff=0.15)
        self.play(*[sq.animate.move_to(c).set_opacity(0) for sq, c in zip(shown_px, d.layers[0])],
                  hidden_px.animate.move_to(d.ellipses[0]).set_opacity(0),
                  d.fill_layer(0, x, "sigmoid"), fade_in(*d.labels, elided), fade_in(scale), run_time=1.2)
        self.remove(strip)

        # 2. one neuron, with its numbers
        self.pause("one-neuron")
        W1, b1 = model.weights(rec.theta, 1)
        z1, a1 = rec.pre["z1"][0], rec.activation(1)
        j = pick_neuron(d, z1, a1)
        act1 = model.activation(1).name
        panel = NeuronSum(x, W1[:, j], b1[j], z1[j], a1[j], act1, k=self.terms, names=input_names(n_in), symbol="x", curve_size=(1.8, 1.2),
                          title=f"one neuron: hidden unit {j + 1}", size=24)
        panel.move_to([0, 0, 0]).align_to([1.45, 0, 0], LEFT).align_to([0, 2.1, 0], UP)
        ring = SurroundingRectangle(d.neuron(1, j), color=theme.ACTIVE, buff=0.06, corner_radius=0.1)
        into = [k for k, (a, b) in enumerate(d.edge_index[0]) if b == j]
        others = [ln for k, ln in enumerate(d.edges[0]) if k not in into]
        boxes = VGroup(*[Square(grid[0].width, color=theme.ACTIVE, stroke_width=3).move_to(grid[i])
                         for i, *_ in panel.terms])
        self.play(Create(ring), *[ln.animate.set_stroke(opacity=0.05) for ln in others], run_time=0.6)
        self.play(fade_in(*panel.rows[:2]), run_time=0.5)
        links = VGroup(*[Line(b.get_center(), d.neuron(1, j).get_center(), color=theme.ACTIVE, stroke_width=2)
                         .set_stroke(opacity=0.7) for b in boxes])   # the term's input: that pixel, wired in
        for row, box, link in zip(panel.term_rows, boxes, links):     # each large term, and where its pixel is
            self.play(fade_in(row), Create(box), Create(link), run_time=0.45)
        self.play(fade_in(panel.rest_row), run_time=0.5)
        self.play(fade_in(panel.bias_row), run_time=0.5)
        self.play(fade_in(panel.z_row), run_time=0.6)
        self.wait(0.6)
        self.play(fade_in(panel.curve), run_time=0.6)
        self.play(fade_in(panel.out_row), d.fill_layer(1, np.where(np.arange(len(a1)) == j, a1, 0.0), act1),
                  run_time=0.8)
        self.wait(2.0)

        # 3. the rest of the layer at once, then the next layers
        self.pause("whole-layer")
        lay = text("every neuron of the layer does the same, at once", size=24, color=theme.ACTIVE)
        lay.next_to(eq, DOWN, buff=0.15)
        self.play(fade_out(*panel.rows, panel.out_row, boxes, links, ring), fade_out(panel.curve), fade_in(lay),
                  d.edges[0].animate.set_stroke(opacity=0.0), run_time=0.6)
        d.set_weights(rec.theta)            # edges back to their weight style
        self.play(fade_in(d.edges[0]), d.signal(1, strong_only=True), d.fill_layer(1, a1, act1), run_time=self.layer_time)
        L = model.n_layers
        for l in range(2, L):
            act = model.activation(l).name
            self.play(d.signal(l, strong_only=True), run_time=self.layer_time * 0.8)
            self.play(d.fill_layer(l, rec.activation(l), act), run_time=self.layer_time * 0.6)
        self.play(d.signal(L, strong_only=True), run_time=self.layer_time * 0.8)
        self.pause("output")
        # the output: softmax turns the last layer's sums z into probabilities (nodes unfilled: these are
        # not activations on the −1…+1 scale; the bars carry the probabilities)
        zL = np.asarray(rec.pre[f"z{L}"][0], float)
        top2 = [int(k) for k in np.argsort(-probs, kind="stable")[:2]]
        soft = VGroup(VGroup(text("softmax:", size=24, color=theme.ACTIVE),
                             math("p_i = e^(z_i) \\/ sum_j e^(z_j)", size=36, color=theme.ACTIVE)).arrange(RIGHT, buff=0.2),
                      text(f"z{subscript(pred)} = {zL[pred]:.2f} → p{subscript(pred)} = {probs[pred]:.2f}  ·  true: {true}",
                           size=24))
        soft.arrange(DOWN, aligned_edge=LEFT, buff=0.1).to_corner(DOWN + RIGHT, buff=0.25)
        bars = ProbabilityBars(d, probs, highlight=pred, max_length=2.6, buff=0.75)
        values = VGroup(*[text(f"{b.value:.2f}", size=24, color=theme.FOREGROUND if b.unit == pred else theme.MUTED)
                          .next_to(b, RIGHT, buff=0.12) for b in bars if b.value >= 0.005])   # the visible ones
        self.play(fade_out(lay), run_time=0.3)
        self.play(fade_in(soft), LaggedStart(*[GrowFromEdge(b, LEFT) for b in bars], lag_ratio=0.05), run_time=1.0)
        self.play(fade_in(values), run_time=0.4)
        self.softmax_numbers = (zL, top2)
        box = SurroundingRectangle(d.label_of(model.n_layers, pred), color=theme.ACTIVE, buff=0.06)
        self.play(Create(box), run_time=0.4)
        self.wait(1.2)
        self.bars, self.diagram, self.panel, self.neuron_unit = bars, d, panel, j  # for tests
