"""A recorded computation graph (`nnviz.autodiff.Graph`) laid out left to right and drawn as boxes
and arrows: each node's name on the first line inside its box, its forward value and (when revealed)
its adjoint ḡ = ∂L/∂node below it, negative numbers with a true minus sign. The labels and the backward pass's per-edge arithmetic
(`node_label`, `chain_terms`, `chain_text`) live in `nnviz.autodiff` (NumPy only, shared with the still)."""
from __future__ import annotations

import manim as mn
import numpy as np

from .. import theme
from ..autodiff import chain_terms, chain_text, layout, node_label  # noqa: F401  (kit names)
from .style import BACKGROUND, text

def minus(s: str) -> str:
    """A number's text with a true minus sign (−) instead of the hyphen Python writes."""
    return s.replace("-", "−")


class GraphDiagram(mn.VGroup):
    """Boxes (name / value / adjoint inside) and arrows for a `Graph` record. `values[i]` and
    `grads[i]` are Text mobjects, hidden until revealed; `edges[(p, i)]` the arrow from parent p to i."""

    def __init__(self, graph, width: float = 12.0, height: float = 5.0, box=(1.45, 0.9), font_size: float = 24,
                 value_color=theme.ACTIVE, grad_color=theme.GRADIENT, grad_negative=theme.GRADIENT_NEGATIVE,
                 fmt="{:.3f}"):
        super().__init__()
        pos = layout(graph)
        span = np.ptp(pos, axis=0)
        name_h = 0.0                                   # the name is inside the box
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
            head = text(nd["name"], size=font_size, color=theme.FOREGROUND)
            head.move_to(rect.get_center() + 0.3 * box[1] * mn.UP)
            val = text(minus(fmt.format(nd["value"])), size=font_size, color=value_color)
            # an adjoint's sign in the series' gradient pair: coral > 0, violet < 0
            grad = text("ḡ " + minus(fmt.format(nd["grad"])), size=font_size,
                        color=grad_color if nd["grad"] >= 0 else grad_negative)
            self.boxes.append(mn.VGroup(rect, head))
            self.values.append(val)
            self.grads.append(grad)
        for i, nd in enumerate(graph.nodes):
            for p in nd["parents"]:
                a, b = self.boxes[p][0], self.boxes[i][0]
                arrow = mn.Arrow(a.get_right(), b.get_left(), buff=0.05, stroke_width=4, color=theme.MUTED,
                                 max_tip_length_to_length_ratio=0.25, tip_length=0.2)
                self.edges[(p, i)] = arrow
        self.add(*self.edges.values(), *self.boxes)
        self.pin_labels()

    def pin_labels(self):
        """Put each value and adjoint text in its box (call after moving the diagram: the texts are
        not part of the group until revealed)."""
        for box, val, grad in zip(self.boxes, self.values, self.grads):
            rect = box[0]
            h = rect.height
            val.move_to(rect.get_center() + 0.02 * h * mn.DOWN)
            grad.move_to(rect.get_center() + 0.31 * h * mn.DOWN)
        return self
