"""A recorded computation graph (`nnviz.autodiff.Graph`) laid out left to right and drawn as boxes
and arrows: each node's name (with what it computes) above its box, its forward value and (when
revealed) its adjoint ḡ = ∂L/∂node inside; plus the backward pass's per-edge arithmetic in words
a student can check by hand (`chain_terms`)."""
from __future__ import annotations

import manim as mn
import numpy as np

from .. import theme
from ..autodiff import layout
from .style import BACKGROUND, text

_UNARY = {"σ": "σ({})", "sigmoid": "σ({})", "tanh": "tanh({})", "exp": "exp({})", "log": "log({})",
          "^2": "({})²"}
_BINARY = ("+", "−", "-", "×", "*", "/")


def node_label(graph, i: int, most: int = 12) -> str:
    """What a box is called: a leaf's name; an inner node's name, with its formula from its parents'
    names when that is short ("z = sum + b", "a = σ(z)") and not just the name again ("w₁x₁")."""
    nd = graph.nodes[i]
    if not nd["parents"]:
        return nd["name"]
    ps = [graph.nodes[p]["name"] for p in nd["parents"]]
    op = nd["op"]
    if op in _UNARY and len(ps) == 1:
        expr = _UNARY[op].format(ps[0])
    elif op in _BINARY and len(ps) == 2:
        expr = f"{ps[0]} {op} {ps[1]}"
    else:
        return nd["name"]
    squash = lambda s: s.replace(" ", "").replace("×", "").replace("·", "")
    if squash(expr) == squash(nd["name"]):
        return nd["name"]
    full = f"{nd['name']} = {expr}"
    return full if len(full) <= most else nd["name"]


def _children(graph, p: int) -> list[int]:
    return [i for i, nd in enumerate(graph.nodes) if p in nd["parents"]]


def chain_terms(graph, i: int, decimals: int = 3) -> list[dict]:
    """The backward step at node i, one entry per parent p: ḡ(p) (+)= ḡ(i) × ∂i/∂p, as strings a
    student can multiply by hand — the result to `decimals` places (as the boxes show it), the two
    factors with just enough places (≥ decimals) that their shown product rounds to the shown result."""
    nd = graph.nodes[i]
    out = []
    for p, d in zip(nd["parents"], nd["local"]):
        exact = nd["grad"] * d
        result = f"{exact:.{decimals}f}"
        for places in range(decimals, decimals + 6):
            g, loc = f"{nd['grad']:.{places}f}", f"{d:.{places}f}"
            if f"{float(g) * float(loc):.{decimals}f}" == result:
                break
        out.append({"parent": p, "name": graph.nodes[p]["name"], "grad": g, "local": loc, "result": result,
                    "accumulates": len(_children(graph, p)) > 1, "exact": exact})
    return out


def chain_text(term: dict) -> str:
    """'ḡ(w₁) = 0.1873 × 1.5000 = 0.281' ('+=' where the parent has several children)."""
    eq = "+=" if term["accumulates"] else "="
    return f"ḡ({term['name']}) {eq} {term['grad']} × {term['local']} = {term['result']}"


class GraphDiagram(mn.VGroup):
    """Boxes (value / adjoint inside, name above) and arrows for a `Graph` record. `values[i]` and
    `grads[i]` are Text mobjects, hidden until revealed; `edges[(p, i)]` the arrow from parent p to i."""

    def __init__(self, graph, width: float = 12.0, height: float = 5.0, box=(1.45, 0.9), font_size: float = 24,
                 value_color=theme.ACTIVE, grad_color=theme.GRADIENT, fmt="{:.3f}"):
        super().__init__()
        pos = layout(graph)
        span = np.ptp(pos, axis=0)
        name_h = 0.4                                   # the name line above each box
        sx = (width - box[0]) / max(span[0], 1e-9)
        sy = (height - box[1] - name_h) / max(span[1], 1e-9)
        pts = np.c_[(pos[:, 0] - pos[:, 0].mean()) * sx, (pos[:, 1] - pos[:, 1].mean()) * sy, np.zeros(len(pos))]
        self.points_of = pts
        self.boxes, self.values, self.grads, self.edges = [], [], [], {}
        for i, nd in enumerate(graph.nodes):
            leaf = not nd["parents"]
            rect = mn.RoundedRectangle(corner_radius=0.12, width=box[0], height=box[1], stroke_width=2,
                                       stroke_color=theme.MUTED if leaf else theme.FOREGROUND,
                                       fill_color=BACKGROUND, fill_opacity=1.0).move_to(pts[i])
            head = text(node_label(graph, i), size=font_size, color=theme.FOREGROUND)
            head.next_to(rect, mn.UP, buff=0.06)
            val = text(fmt.format(nd["value"]), size=font_size, color=value_color)
            grad = text("ḡ " + fmt.format(nd["grad"]), size=font_size, color=grad_color)
            self.boxes.append(mn.VGroup(rect, head))
            self.values.append(val)
            self.grads.append(grad)
        for i, nd in enumerate(graph.nodes):
            for p in nd["parents"]:
                a, b = self.boxes[p][0], self.boxes[i][0]
                arrow = mn.Arrow(a.get_right(), b.get_left(), buff=0.05, stroke_width=3, color=theme.MUTED,
                                 max_tip_length_to_length_ratio=0.15, tip_length=0.16)
                self.edges[(p, i)] = arrow
        self.add(*self.edges.values(), *self.boxes)
        self.pin_labels()

    def pin_labels(self):
        """Put each value and adjoint text in its box (call after moving the diagram: the texts are
        not part of the group until revealed)."""
        for box, val, grad in zip(self.boxes, self.values, self.grads):
            rect = box[0]
            h = rect.height
            val.move_to(rect.get_center() + 0.2 * h * mn.UP)
            grad.move_to(rect.get_center() + 0.24 * h * mn.DOWN)
        return self
