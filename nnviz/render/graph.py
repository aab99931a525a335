"""A recorded computation graph (`nnviz.autodiff.Graph`) laid out left to right and drawn as boxes
and arrows: each box shows the node's name, its forward value and (when revealed) its adjoint."""
from __future__ import annotations

import manim as mn
import numpy as np

from .. import theme
from ..autodiff import layout
from .style import BACKGROUND, label as label_text, text


class GraphDiagram(mn.VGroup):
    """Boxes (name / value / adjoint) and arrows for a `Graph` record. `values[i]` and `grads[i]` are
    Text mobjects, hidden until revealed; `edges[(p, i)]` the arrow from parent p to node i."""

    def __init__(self, graph, width: float = 12.0, height: float = 4.5, box=(1.35, 1.05),
                 value_color=theme.ACTIVE, grad_color=theme.GRADIENT, fmt="{:.3f}"):
        super().__init__()
        pos = layout(graph)
        span = np.ptp(pos, axis=0)
        sx = (width - box[0]) / max(span[0], 1e-9)
        sy = (height - box[1]) / max(span[1], 1e-9)
        pts = np.c_[(pos[:, 0] - pos[:, 0].mean()) * sx, (pos[:, 1] - pos[:, 1].mean()) * min(sy, 1.4), np.zeros(len(pos))]
        self.points_of = pts
        self.boxes, self.values, self.grads, self.edges = [], [], [], {}
        for i, nd in enumerate(graph.nodes):
            leaf = not nd["parents"]
            rect = mn.RoundedRectangle(corner_radius=0.12, width=box[0], height=box[1], stroke_width=2,
                                       stroke_color=theme.MUTED if leaf else theme.FOREGROUND,
                                       fill_color=BACKGROUND, fill_opacity=1.0).move_to(pts[i])
            name = nd["name"] if leaf else f"{nd['name']}" + (f"  {nd['op']}" if nd["op"] not in ("input", "const")
                                                              and nd["op"] != nd["name"] else "")
            head = label_text(name, size=16, color=theme.FOREGROUND).move_to(rect.get_top() + 0.2 * mn.DOWN)
            val = text(fmt.format(nd["value"]), size=18, color=value_color).move_to(rect.get_center()
                                                                                  + 0.02 * mn.DOWN)
            grad = text("ḡ " + fmt.format(nd["grad"]), size=16, color=grad_color).move_to(
                rect.get_bottom() + 0.2 * mn.UP)
            self.boxes.append(mn.VGroup(rect, head))
            self.values.append(val)
            self.grads.append(grad)
        for i, nd in enumerate(graph.nodes):
            for p in nd["parents"]:
                a, b = self.boxes[p][0], self.boxes[i][0]
                arrow = mn.Arrow(a.get_right(), b.get_left(), buff=0.05, stroke_width=2.5, color=theme.MUTED,
                                 max_tip_length_to_length_ratio=0.12, tip_length=0.15)
                self.edges[(p, i)] = arrow
        self.add(*self.edges.values(), *self.boxes)
        self.pin_labels()

    def pin_labels(self):
        """Put each value and adjoint text in its box (call after moving the diagram: the texts are
        not part of the group until revealed)."""
        for box, val, grad in zip(self.boxes, self.values, self.grads):
            rect = box[0]
            val.move_to(rect.get_center() + 0.02 * mn.DOWN)
            grad.move_to(rect.get_bottom() + 0.2 * mn.UP)
        return self
