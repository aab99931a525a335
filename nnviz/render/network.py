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
                   Rectangle, ShowPassingFlash, Square, VGroup, VMobject)

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
                 activations=None, label_size=22, strong_per_neuron: int | None = None, faint_opacity=0.13, **kw):
        super().__init__(**kw)
        self.sizes = tuple(int(s) for s in sizes)
        if len(self.sizes) < 2:
            raise ValueError(f"a network needs ≥ 2 layers, got sizes {sizes}")
        self.max_neurons = [max_neurons] * len(self.sizes) if np.isscalar(max_neurons) else list(max_neurons)
        self.radius, self.min_stroke, self.max_stroke = radius, min_stroke, max_stroke
        self.layout = layout
        self.weight_scale = weight_scale
        # k (or one k per edge layer, None = all): only each unit's k largest |w| in full, the rest faint
        self.strong_per_neuron = strong_per_neuron
        self.faint_opacity = faint_opacity            # the hairlines' opacity (the non-bold edges)
        self.edge_strong: list[np.ndarray] = [np.zeros(0, bool)] * (len(self.sizes) - 1)
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

    def strong_k(self, layer: int) -> int | None:
        """k of the edges into layer `layer` + 1 (0-based edge group): `strong_per_neuron` or its entry."""
        k = self.strong_per_neuron
        if k is None or np.isscalar(k):
            return k
        return list(k)[layer]

    def strong_edges(self, layer: int, values) -> np.ndarray:
        """Which drawn edges into `layer` (0-based edge group) are among their target unit's
        `strong_per_neuron` largest |w| — all of them when no k is set (k may be one per edge layer)."""
        v = np.abs(np.asarray(values, float))
        k = self.strong_k(layer)
        if not k:
            return np.ones(len(v), bool)
        idx = self.edge_index[layer]
        strong = np.zeros(len(v), bool)
        for b in np.unique(idx[:, 1]):
            sel = np.flatnonzero(idx[:, 1] == b)
            strong[sel[np.argsort(-v[sel], kind="stable")[:k]]] = True
        return strong

    def set_weights(self, theta) -> "NetworkDiagram":
        """Restyle every edge from θ: colour = sign(w), width and opacity grow with |w|. With
        `strong_per_neuron = k`, only each unit's k strongest incoming edges are drawn in full;
        the others stay as faint hairlines (the wiring is still there, the eye goes to what matters)."""
        vals = [self.shown_weights(theta, l) for l in range(1, len(self.sizes))]
        if self.weight_scale is None:  # 90th percentile: a few huge weights must not thin all others
            self.weight_scale = float(np.percentile(np.abs(np.concatenate(vals)), 90)) or 1.0
        for l, v in enumerate(vals):
            self.edge_values[l] = v
            strong = self.strong_edges(l, v)
            self.edge_strong[l] = strong
            widths = np.where(strong, self.stroke_for(v), np.minimum(self.stroke_for(v), 1.0))
            op = np.where(strong, 0.3 + 0.7 * _fraction(np.abs(v), 0.0, self.weight_scale), self.faint_opacity)
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
        """The largest |value| drawn at full strength: the activation's bound (1 for tanh, σ,
        softmax, step), else the layer's largest |value|."""
        if activation in FILL_RANGE:
            lo, hi = FILL_RANGE[activation]
            return (lo, hi)
        v = np.abs(np.asarray(values, dtype=float))
        m = max(float(v.max()) if v.size else 0.0, 1e-12)
        return (-m, m)

    def fill_fractions(self, layer: int, values, activation: str | None = None) -> np.ndarray:
        """Signed fill of each shown unit in [−1, 1] for the layer's `values` (full width): the
        sign picks the colour (theme.POSITIVE / NEGATIVE), the size the opacity."""
        values = np.asarray(values, dtype=float).reshape(-1)
        lo, hi = self.fill_range(layer, activation, values)
        scale = max(abs(lo), abs(hi), 1e-12)
        return np.clip(values[self.shown[layer]] / scale, -1.0, 1.0)

    @staticmethod
    def _signed_fill(f: float) -> tuple[str, float]:
        return (theme.POSITIVE if f >= 0 else theme.NEGATIVE), float(abs(f))

    def set_activations(self, layer: int, values, activation: str | None = None) -> "NetworkDiagram":
        """Fill each shown unit by its activation: blue for > 0, red for < 0, stronger when larger."""
        f = self.fill_fractions(layer, values, activation)
        self.neuron_values[layer] = np.asarray(values, dtype=float).reshape(-1)
        for c, x in zip(self.layers[layer], f):
            col, op = self._signed_fill(x)
            c.set_fill(col, opacity=op)
        return self

    def fill_layer(self, layer: int, values, activation: str | None = None, **anim_kw) -> AnimationGroup:
        f = self.fill_fractions(layer, values, activation)
        self.neuron_values[layer] = np.asarray(values, dtype=float).reshape(-1)
        return AnimationGroup(*[c.animate.set_fill(self._signed_fill(x)[0], opacity=self._signed_fill(x)[1])
                                for c, x in zip(self.layers[layer], f)], **anim_kw)

    def clear_activations(self) -> "NetworkDiagram":
        for layer in self.layers:
            for c in layer:
                c.set_fill(theme.ACTIVE, opacity=0.0)
        self.neuron_values = [None] * len(self.sizes)
        return self

    def signal(self, layer: int, color=theme.ACTIVE, time_width=0.6, strong_only=False, **anim_kw) -> AnimationGroup:
        """Flashes running forward along the edges into `layer` (`strong_only`: only the bold ones, at
        half opacity, so the pulse does not hide the activations it produces)."""
        keep = self.edge_strong[layer - 1] if strong_only and len(self.edge_strong[layer - 1]) else None
        return AnimationGroup(*[ShowPassingFlash(ln.copy().set_stroke(color, width=3, opacity=0.5 if strong_only else 1),
                                                 time_width=time_width)
                                for k, ln in enumerate(self.edges[layer - 1]) if keep is None or keep[k]], **anim_kw)

    # -- gradients ---------------------------------------------------------------------------
    @staticmethod
    def gradient_color(v: float) -> str:
        """Colour of a gradient or δ by its sign: theme.GRADIENT (> 0) / GRADIENT_NEGATIVE (< 0)."""
        return theme.GRADIENT if v >= 0 else theme.GRADIENT_NEGATIVE

    def gradient_edges(self, layer: int, grad_theta, scale: float | None = None) -> VGroup:
        """Copies of the edges into `layer`, reversed (output → input): colour = sign of ∂ℓ/∂w,
        width = |∂ℓ/∂w| (at `scale` full width; default the layer's largest)."""
        g = self.shown_weights(grad_theta, layer)
        self.pulse_values[layer - 1] = g
        s = scale or float(np.max(np.abs(g))) or 1.0
        f = _fraction(np.abs(g), 0.0, s)
        out = VGroup()
        for ln, x, v in zip(self.edges[layer - 1], f, g):
            c = Line(ln.get_end(), ln.get_start())
            c.set_stroke(self.gradient_color(v), width=1.0 + 9.0 * x, opacity=float(0.35 + 0.65 * x))
            c.magnitude, c.value = float(x), float(v)
            out.add(c)
        return out

    def set_deltas(self, layer: int, deltas, scale: float | None = None) -> "NetworkDiagram":
        """Fill each shown unit of `layer` by its δ = ∂ℓ/∂z: gradient colour by sign, opacity by |δ|."""
        v = np.asarray(deltas, float).reshape(-1)
        s = scale or float(np.max(np.abs(v))) or 1.0
        for c in self.layers[layer]:
            d = float(v[c.unit])
            c.set_fill(self.gradient_color(d), opacity=float(min(abs(d) / s, 1.0)))
        return self

    def pulse_gradients(self, layer: int, grad_theta, scale: float | None = None,
                        time_width=0.8, **anim_kw) -> AnimationGroup:
        """Gradient pulses flowing backward along the edges into `layer`, sized by |∂L/∂w|."""
        return AnimationGroup(*[ShowPassingFlash(e.set_stroke(width=e.get_stroke_width() + 3), time_width=time_width)
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
                 highlight: int | None = None, color=theme.ACTIVE, **kw):
        super().__init__(**kw)
        self.values = np.asarray(probs, dtype=float).reshape(-1)
        self.max_length = max_length
        out = diagram.layers[-1]
        h = height or diagram.radius * 1.4
        x0 = out.get_right()[0] + buff
        for c in out:
            p = float(self.values[c.unit])
            bar = Rectangle(width=max(max_length * p, 1e-3), height=h, stroke_width=0)
            col = color if highlight is None or c.unit == highlight else theme.MUTED
            bar.set_fill(col, opacity=0.9)
            bar.move_to([x0, c.get_y(), 0], aligned_edge=LEFT)
            bar.unit, bar.value = c.unit, p
            self.add(bar)

    def lengths(self) -> np.ndarray:
        return np.array([b.width for b in self])


# --- one neuron's weighted sum, with the record's numbers ---------------------------------------
class NeuronSum(VGroup):
    """What one neuron computes, written out with real numbers: its `k` largest terms wᵢ·aᵢ,
    "+ N more terms" (their exact sum), the bias, z, and a = f(z) marked on f's curve.

    a_prev: the previous layer's activations (n,); w: the neuron's incoming weights (n,);
    b: its bias; z / out: the recorded pre-activation and activation (checked against the sum).
    The numbers are attributes (`terms`, `rest`, `n_rest`, `z`, `out`) so tests can recompute
    them from the record. On screen every number has 3 decimals and the column adds up by hand:
    each product is that of the factors as shown, and "+ N more terms" shows what completes the
    shown z (`shown_rest`, within rounding of the exact `rest` — a student who checks the sum
    must not find it off by a hundredth).
    """

    def __init__(self, a_prev, w, b, z, out, activation: str, *, k=5, names=None, title="",
                 size=24, curve_size=(2.2, 1.3), symbol="a"):
        super().__init__()
        from manim import Axes, DashedLine, Dot

        from ..display import signed, top_terms

        a_prev, w = np.asarray(a_prev, float).reshape(-1), np.asarray(w, float).reshape(-1)
        self.top = top_terms(w, a_prev, k)
        self.terms = [(int(i), float(w[i]), float(a_prev[i])) for i in self.top]
        rest = np.setdiff1d(np.arange(len(w)), self.top)
        self.rest, self.n_rest = float(np.sum(w[rest] * a_prev[rest])), int(len(rest))
        self.b, self.z, self.out = float(b), float(z), float(out)
        self.sum_check = float(w @ a_prev + b)          # equals z up to rounding (tested)
        names = names or [f"a{i + 1}" for i in range(len(w))]
        rows = VGroup()
        if title:
            rows.add(text(title, size=size, color=theme.ACTIVE))
        rows.add(text(f"z = Σ wᵢ·{symbol}ᵢ + b, largest first:", size=size, color=theme.FOREGROUND))
        self.term_rows = VGroup()
        d = 3
        self.shown_products = []
        for i, wi, ai in self.terms:
            pi = round(round(wi, d) * round(ai, d), d)
            self.shown_products.append(pi)
            r = text(f"{signed(wi, d)} × {ai:.{d}f} = {signed(pi, d)}   ({names[i]})", size=size)
            r.wi, r.unit = wi, i
            self.term_rows.add(r)
        rows.add(*self.term_rows)
        self.shown_rest = round(round(self.z, d) - sum(self.shown_products) - round(self.b, d), d)
        self.rest_row = text(f"+ {self.n_rest} more terms:  {signed(self.shown_rest, d)}", size=size,
                             color=theme.FOREGROUND)
        self.bias_row = text(f"+ bias b:  {signed(self.b, d)}", size=size, color=theme.FOREGROUND)
        self.z_row = text(f"z = {self.z:.{d}f}", size=size + 4)
        rows.add(self.rest_row, self.bias_row, self.z_row)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        self.rows = rows
        # the activation: its curve with the point (z, f(z))
        f = A.get(activation).f
        zr = max(3.0, abs(self.z) * 1.15)
        lo, hi = (-1.2, 1.2) if activation == "tanh" else (-0.1, 1.1)
        ax = Axes(x_range=[-zr, zr, zr], y_range=[lo, hi, hi], x_length=curve_size[0], y_length=curve_size[1],
                  tips=False, axis_config={"stroke_color": theme.MUTED, "stroke_width": 1.5, "include_ticks": False})
        graph = ax.plot(lambda t: float(f(np.array([t]))[0]), x_range=[-zr, zr], color=theme.FOREGROUND,
                        stroke_width=2.5)
        pt = ax.c2p(self.z, self.out)
        col = theme.POSITIVE if self.out >= 0 else theme.NEGATIVE
        dot = Dot(pt, radius=0.07, color=col).set_stroke(theme.FOREGROUND, width=1.5)
        guides = VGroup(DashedLine(ax.c2p(self.z, 0), pt, color=theme.MUTED, stroke_width=1.5),
                        DashedLine(ax.c2p(0, self.out), pt, color=theme.MUTED, stroke_width=1.5))
        glyph = A.get(activation).glyph
        self.out_row = text(f"a = {glyph}(z) = {self.out:.2f}", size=size + 4, color=col)
        self.curve = VGroup(ax, graph, guides, dot)
        self.curve.next_to(rows, DOWN, buff=0.2).align_to(rows, LEFT)
        self.out_row.next_to(self.curve, RIGHT, buff=0.25)
        self.add(rows, self.curve, self.out_row)


class ActivationScale(VGroup):
    """A small key for the signed node fill: five circles from −1 (red) through 0 to +1 (blue)."""

    def __init__(self, radius=0.12, size=24, lo_text="−1", hi_text="+1", caption="activation"):
        super().__init__()
        dots = VGroup()
        for v in (-1.0, -0.5, 0.0, 0.5, 1.0):
            c = Circle(radius=radius, color=theme.NEURON, stroke_width=1.5)
            c.set_fill(theme.POSITIVE if v >= 0 else theme.NEGATIVE, opacity=abs(v))
            dots.add(c)
        dots.arrange(RIGHT, buff=0.08)
        lo = text(lo_text, size=size, color=theme.MUTED).next_to(dots, LEFT, buff=0.1)
        hi = text(hi_text, size=size, color=theme.MUTED).next_to(dots, RIGHT, buff=0.1)
        cap = text(caption, size=size, color=theme.MUTED).next_to(VGroup(lo, dots, hi), LEFT, buff=0.15)
        self.add(cap, lo, dots, hi)


class SignKey(VGroup):
    """The network series' sign table as a key: activations and weights in POSITIVE / NEGATIVE,
    gradients (δ, ∂ℓ/∂w) in GRADIENT / GRADIENT_NEGATIVE — `rows` picks which."""

    ROWS = {"value": ("activation, weight", theme.POSITIVE, theme.NEGATIVE),
            "gradient": ("gradient δ, ∂ℓ/∂w", theme.GRADIENT, theme.GRADIENT_NEGATIVE)}

    def __init__(self, rows=("value", "gradient"), size=24, radius=0.12):
        super().__init__()
        for r in rows:
            name, pos, neg = self.ROWS[r]
            swatch = lambda col: Circle(radius=radius, color=theme.NEURON, stroke_width=1.5).set_fill(col, opacity=1.0)  # noqa: E731
            row = VGroup(swatch(pos), text("> 0", size=size, color=theme.MUTED),
                         swatch(neg), text("< 0", size=size, color=theme.MUTED),
                         text(name, size=size, color=theme.MUTED)).arrange(RIGHT, buff=0.12)
            row[2].shift(RIGHT * 0.15)
            row[3].shift(RIGHT * 0.15)
            row[4].shift(RIGHT * 0.3)
            self.add(row)
        self.arrange(DOWN, aligned_edge=LEFT, buff=0.12)


# --- the input image --------------------------------------------------------------------------
def pixel_grid(x: np.ndarray, side: float) -> VGroup:
    """The 8×8 grey-level digit (values in [0, 1]) as 64 squares, row by row (square i = input i)."""
    cell = side / 8
    g = VGroup()
    for i, v in enumerate(np.clip(x.reshape(-1), 0, 1)):
        r, c = divmod(i, 8)
        sq = Square(cell, stroke_width=0.5, stroke_color=theme.GRID)
        sq.set_fill(theme.FOREGROUND, opacity=float(v)).move_to([(c - 3.5) * cell, (3.5 - r) * cell, 0])
        g.add(sq)
    return g
