"""A network diagram mobject driven by a real parameter vector θ.

Neurons are circles, edges are lines coloured by the sign of their weight
(theme.POSITIVE / NEGATIVE) and as wide as |w| is large. Layers wider than
`max_neurons` show their first and last units around a "⋮". Everything a scene
animates — activations filling neurons, gradients pulsing backward along edges,
weights changing, dropped units — is a restyle method (returns self) or a method
that returns an Animation, so scenes stay thin and tests can read back exactly
which number each shape shows (`edge_values`, `neuron_values`, `pulse_values`).
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, AnimationGroup, Circle, Line,
                   Rectangle, ShowPassingFlash, VGroup, VMobject)

from .. import activations as A
from .. import theme
from ..display import shown_units  # one elision rule for stills and animations
from ..params import Layout
from .style import text


def _fraction(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((np.asarray(values, dtype=float) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)


# activation → range its outputs are drawn over (fill 0 at lo, full at hi)
FILL_RANGE = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "step": (0.0, 1.0), "tanh": (-1.0, 1.0)}


class NetworkDiagram(VGroup):
    """Layers of circles joined by weighted edges.

    sizes: layer widths (inputs, hidden…, outputs). theta + layout (or `from_model`)
    give the weights W{l} of shape (in, out) as in nnviz.nn.MLP. `weight_scale` is
    the |w| drawn at full width (default: the largest shown |w| of the first θ), kept
    fixed so edges over a training run are comparable.
    """

    def __init__(self, sizes, theta=None, layout: Layout | None = None, *, max_neurons=8,
                 width=7.0, height=4.6, radius=0.17, min_stroke=0.4, max_stroke=5.0,
                 weight_scale: float | None = None, input_labels=None, output_labels=None,
                 activations=None, label_size=22, **kw):
        super().__init__(**kw)
        self.sizes = tuple(int(s) for s in sizes)
        if len(self.sizes) < 2:
            raise ValueError(f"a network needs ≥ 2 layers, got sizes {sizes}")
        self.max_neurons = [max_neurons] * len(self.sizes) if np.isscalar(max_neurons) else list(max_neurons)
        self.radius, self.min_stroke, self.max_stroke = radius, min_stroke, max_stroke
        self.layout = layout
        self.weight_scale = weight_scale
        self.shown: list[list[int]] = []
        self.layers = VGroup()           # layers[l]: VGroup of circles (shown units)
        self.ellipses = VGroup()
        self.edges = VGroup()            # edges[l-1]: VGroup of Lines into layer l
        self.edge_index: list[np.ndarray] = []  # (E_l, 2): (unit in l-1, unit in l)
        self.edge_values: list[np.ndarray] = [np.zeros(0)] * (len(self.sizes) - 1)
        self.neuron_values: list[np.ndarray | None] = [None] * len(self.sizes)
        self.pulse_values: list[np.ndarray | None] = [None] * (len(self.sizes) - 1)
        self._build(width, height)
        self.add(self.edges, self.layers, self.ellipses)
        self.labels = VGroup()
        self.layer_labels: dict[int, VGroup] = {}
        self.glyphs = VGroup()
        if input_labels is not None:
            self.add_labels(0, input_labels, LEFT, label_size)
        if output_labels is not None:
            self.add_labels(len(self.sizes) - 1, output_labels, RIGHT, label_size)
        self.add(self.labels)
        if activations is not None:
            self.add_activation_glyphs(activations, label_size)
        if theta is not None:
            self.set_weights(theta)

    @classmethod
    def from_model(cls, model, theta, **kw) -> "NetworkDiagram":
        """A diagram of an nnviz.nn.MLP with its activation glyphs."""
        acts = [model.activation(l).name for l in range(1, model.n_layers + 1)]
        if getattr(model, "norm", None):  # a normalised hidden layer says so under its units
            tag = {"batch": "BN", "layer": "LN"}[model.norm]
            acts = [f"{tag} → {A.get(a).glyph}" if l < model.n_layers else a for l, a in enumerate(acts, start=1)]
        return cls(model.sizes, theta, model.layout, activations=kw.pop("activations", acts), **kw)

    # -- geometry ------------------------------------------------------------------------
    def _build(self, width, height):
        L = len(self.sizes)
        xs = np.linspace(-width / 2, width / 2, L)
        slots_max = max(min(n, m) for n, m in zip(self.sizes, self.max_neurons))
        gap = min(height / max(slots_max - 1, 1), 4 * self.radius * 1.6)
        for l, n in enumerate(self.sizes):
            units, dots = shown_units(n, self.max_neurons[l])
            self.shown.append(units)
            slots = len(units) + (dots is not None)
            ys = (np.arange(slots)[::-1] - (slots - 1) / 2) * gap
            layer = VGroup()
            k = 0
            for s in range(slots):
                if dots is not None and s == dots:
                    e = text("⋮", size=30, color=theme.MUTED).move_to([xs[l], ys[s], 0])
                    self.ellipses.add(e)
                    continue
                c = Circle(radius=self.radius, color=theme.NEURON, stroke_width=2)
                c.set_fill(theme.ACTIVE, opacity=0.0).move_to([xs[l], ys[s], 0])
                c.unit = units[k]
                layer.add(c)
                k += 1
            self.layers.add(layer)
        for l in range(1, L):
            group, idx = VGroup(), []
            for a, ca in enumerate(self.layers[l - 1]):
                for b, cb in enumerate(self.layers[l]):
                    ln = Line(ca.get_center(), cb.get_center(), buff=self.radius,
                              stroke_width=1.0, color=theme.MUTED)
                    group.add(ln)
                    idx.append((self.shown[l - 1][a], self.shown[l][b]))
            self.edges.add(group)
            self.edge_index.append(np.array(idx, dtype=int).reshape(-1, 2))

    def neuron(self, layer: int, unit: int) -> Circle:
        """The circle of unit `unit` (index in the full layer) of layer `layer`."""
        try:
            return self.layers[layer][self.shown[layer].index(unit)]
        except ValueError:
            raise KeyError(f"unit {unit} of layer {layer} is elided; shown: {self.shown[layer]}") from None

    def add_labels(self, layer: int, labels, side=LEFT, size=22) -> "NetworkDiagram":
        """Text beside the shown units of a layer (labels indexed by full unit index)."""
        group = self.layer_labels.setdefault(layer, VGroup())
        for c in self.layers[layer]:
            lab = labels[c.unit]
            m = lab if isinstance(lab, VMobject) else text(str(lab), size=size)
            m.next_to(c, side, buff=0.15)
            m.unit = c.unit
            group.add(m)
            self.labels.add(m)
        return self

    def label_of(self, layer: int, unit: int) -> VMobject:
        return next(m for m in self.layer_labels[layer] if m.unit == unit)

    def add_activation_glyphs(self, activations, size=20) -> "NetworkDiagram":
        """The activation's glyph (σ, tanh, ReLU…) under each non-input layer."""
        for l, name in enumerate(activations, start=1):
            glyph = A.get(name).glyph if name in A.ACTIVATIONS else str(name)
            g = text(glyph, size=size, color=theme.MUTED).next_to(self.layers[l], DOWN, buff=0.2)
            self.glyphs.add(g)
        if len(self.glyphs):
            low = min(g.get_y() for g in self.glyphs)
            for g in self.glyphs:
                g.set_y(low)
        self.add(self.glyphs)
        return self

    # -- weights ---------------------------------------------------------------------------
    def layer_weights(self, theta, layer: int) -> np.ndarray:
        if self.layout is None:
            from ..nn import MLP

            self.layout = MLP(self.sizes).layout
        return self.layout.view(np.asarray(theta), f"W{layer}")

    def shown_weights(self, theta, layer: int) -> np.ndarray:
        """The weights of the drawn edges into `layer`, in edge order."""
        W = self.layer_weights(theta, layer)
        i = self.edge_index[layer - 1]
        return W[i[:, 0], i[:, 1]]

    def stroke_for(self, magnitude) -> np.ndarray:
        f = _fraction(np.abs(magnitude), 0.0, self.weight_scale or 1.0)
        return self.min_stroke + (self.max_stroke - self.min_stroke) * f

    def set_weights(self, theta) -> "NetworkDiagram":
        """Restyle every edge from θ: colour = sign(w), width and opacity grow with |w|."""
        vals = [self.shown_weights(theta, l) for l in range(1, len(self.sizes))]
        if self.weight_scale is None:  # 90th percentile: a few huge weights must not thin all others
            self.weight_scale = float(np.percentile(np.abs(np.concatenate(vals)), 90)) or 1.0
        for l, v in enumerate(vals):
            self.edge_values[l] = v
            widths = self.stroke_for(v)
            op = 0.3 + 0.7 * _fraction(np.abs(v), 0.0, self.weight_scale)
            for ln, w, sw, o in zip(self.edges[l], v, widths, op):
                ln.set_stroke(theme.POSITIVE if w >= 0 else theme.NEGATIVE, width=sw, opacity=o)
        return self

    def weights_to(self, theta, **anim_kw) -> AnimationGroup:
        """Animate the edges to θ (e.g. after an update θ ← θ − η∇J)."""
        target = self.copy().set_weights(theta)
        anims = [ln.animate.set_stroke(t.get_stroke_color(), width=t.get_stroke_width(),
                                       opacity=t.get_stroke_opacity())
                 for g, tg in zip(self.edges, target.edges) for ln, t in zip(g, tg)]
        self.edge_values = target.edge_values
        return AnimationGroup(*anims, **anim_kw)

    # -- activations -----------------------------------------------------------------------
    def fill_range(self, layer: int, activation: str | None, values) -> tuple[float, float]:
        if activation in FILL_RANGE:
            return FILL_RANGE[activation]
        v = np.asarray(values, dtype=float)
        return (min(0.0, float(v.min())), max(float(v.max()), 1e-12))

    def fill_fractions(self, layer: int, values, activation: str | None = None) -> np.ndarray:
        """How full each shown unit is drawn for the layer's activations `values` (full width)."""
        values = np.asarray(values, dtype=float).reshape(-1)
        lo, hi = self.fill_range(layer, activation, values)
        return _fraction(values[self.shown[layer]], lo, hi)

    def set_activations(self, layer: int, values, activation: str | None = None) -> "NetworkDiagram":
        """Fill each shown unit in proportion to its activation."""
        f = self.fill_fractions(layer, values, activation)
        self.neuron_values[layer] = np.asarray(values, dtype=float).reshape(-1)
        for c, x in zip(self.layers[layer], f):
            c.set_fill(theme.ACTIVE, opacity=float(x))
        return self

    def fill_layer(self, layer: int, values, activation: str | None = None, **anim_kw) -> AnimationGroup:
        f = self.fill_fractions(layer, values, activation)
        self.neuron_values[layer] = np.asarray(values, dtype=float).reshape(-1)
        return AnimationGroup(*[c.animate.set_fill(theme.ACTIVE, opacity=float(x))
                                for c, x in zip(self.layers[layer], f)], **anim_kw)

    def clear_activations(self) -> "NetworkDiagram":
        for layer in self.layers:
            for c in layer:
                c.set_fill(theme.ACTIVE, opacity=0.0)
        self.neuron_values = [None] * len(self.sizes)
        return self

    def signal(self, layer: int, color=theme.ACTIVE, time_width=0.6, **anim_kw) -> AnimationGroup:
        """Flashes running forward along the edges into `layer`."""
        return AnimationGroup(*[ShowPassingFlash(ln.copy().set_stroke(color, width=3, opacity=1),
                                                 time_width=time_width)
                                for ln in self.edges[layer - 1]], **anim_kw)

    # -- gradients ---------------------------------------------------------------------------
    def gradient_edges(self, layer: int, grad_theta, scale: float | None = None) -> VGroup:
        """Copies of the edges into `layer`, reversed (output → input), as wide as |∂L/∂w|."""
        g = self.shown_weights(grad_theta, layer)
        self.pulse_values[layer - 1] = g
        s = scale or float(np.max(np.abs(g))) or 1.0
        f = _fraction(np.abs(g), 0.0, s)
        out = VGroup()
        for ln, x in zip(self.edges[layer - 1], f):
            c = Line(ln.get_end(), ln.get_start())
            c.set_stroke(theme.GRADIENT, width=0.5 + 9.5 * x, opacity=float(0.2 + 0.8 * x))
            c.magnitude = float(x)
            out.add(c)
        return out

    def pulse_gradients(self, layer: int, grad_theta, scale: float | None = None,
                        time_width=0.8, **anim_kw) -> AnimationGroup:
        """Gradient pulses flowing backward along the edges into `layer`, sized by |∂L/∂w|."""
        return AnimationGroup(*[ShowPassingFlash(e, time_width=time_width)
                                for e in self.gradient_edges(layer, grad_theta, scale)], **anim_kw)

    # -- dropout -------------------------------------------------------------------------------
    def set_dropped(self, layer: int, keep) -> "NetworkDiagram":
        """Grey out units with keep == 0 and hide their edges (dropout)."""
        keep = np.asarray(keep).reshape(-1)
        for c in self.layers[layer]:
            on = bool(keep[c.unit])
            c.set_stroke(theme.NEURON if on else theme.DROPPED, opacity=1.0)
            if not on:
                c.set_fill(theme.DROPPED, opacity=1.0)
            elif c.get_fill_color().to_hex().lower() == theme.DROPPED.lower():
                c.set_fill(theme.ACTIVE, opacity=0.0)
        for side, l in ((1, layer), (0, layer + 1)):  # edges into and out of the layer
            if not 1 <= l < len(self.sizes):
                continue
            for ln, (a, b) in zip(self.edges[l - 1], self.edge_index[l - 1]):
                unit = b if side == 1 else a
                if not keep[unit]:
                    ln.set_stroke(opacity=0.0)
        return self

    def dropped_units(self, layer: int) -> list[int]:
        return [c.unit for c in self.layers[layer] if c.get_fill_color().to_hex().lower() == theme.DROPPED.lower()
                and c.get_fill_opacity() > 0.5]


# --- output probabilities ---------------------------------------------------------------------
class ProbabilityBars(VGroup):
    """Horizontal bars beside a diagram's output units, as long as each class probability."""

    def __init__(self, diagram: NetworkDiagram, probs, max_length=1.6, height=None, buff=0.55,
                 highlight: int | None = None, **kw):
        super().__init__(**kw)
        self.values = np.asarray(probs, dtype=float).reshape(-1)
        self.max_length = max_length
        out = diagram.layers[-1]
        h = height or diagram.radius * 1.4
        x0 = out.get_right()[0] + buff
        for c in out:
            p = float(self.values[c.unit])
            bar = Rectangle(width=max(max_length * p, 1e-3), height=h, stroke_width=0)
            col = theme.ACTIVE if highlight is None or c.unit == highlight else theme.MUTED
            bar.set_fill(col, opacity=0.9)
            bar.move_to([x0, c.get_y(), 0], aligned_edge=LEFT)
            bar.unit, bar.value = c.unit, p
            self.add(bar)

    def lengths(self) -> np.ndarray:
        return np.array([b.width for b in self])
