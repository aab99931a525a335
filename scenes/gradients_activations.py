"""Activations and their derivatives: where the derivative is near zero no gradient passes,
and a gradient through L layers is a product of L derivatives.

    manim -ql scenes/gradients_activations.py GradientsActivations
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.curves import polyline, shade_spans
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, label, text

SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
NICE = {"identity": "identity", "step": "step", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU",
        "leaky_relu": "leaky ReLU"}


class GradientsActivations(ThemedScene):
    experiment = "gradients_activations"
    chain_names = ("sigmoid", "tanh", "relu")
    run_time = 5.0

    def construct(self):
        c = experiments.load(self.experiment)["curves"]
        v, meta, cfg = c.values, c.meta, c.config
        z = v["z"]
        title = heading("Activations: f(z) solid, slope f′(z) dashed", size=32, buff=0.25)
        flat_txt = label(f"shaded: |f′(z)| < {cfg['flat_below']:g}, almost no gradient passes", size=20,
                         color=color(theme.FOREGROUND)).next_to(title, mn.DOWN, buff=0.12)
        self.add(title, flat_txt)
        panels = mn.VGroup()
        for name in cfg["names"]:
            ax = LabelledAxes((z[0], z[-1]), (-1.5, 1.5), width=3.3, height=1.1, n_ticks=3, font_size=16, frame="box")
            col = theme.ACTIVATION[name]
            shade = shade_spans(ax, z, v[f"{name}/flat"], theme.FLAT_ZONE, opacity=0.55)
            f = polyline(ax, z, v[f"{name}/f"], col, width=4)
            df = polyline(ax, z, v[f"{name}/df"], col, width=3, dashed=True, num_dashes=18)
            cap = text(f"{NICE[name]}   max f′ = {meta['max_slope'][name]:g}", size=20, color=color(col))
            cap.next_to(ax.spines, mn.UP, buff=0.08)
            panels.add(mn.VGroup(ax, shade, f, df, cap))
        panels.arrange_in_grid(3, 2, buff=(0.35, 0.3)).to_edge(mn.LEFT, buff=0.35).to_edge(mn.DOWN, buff=0.15)
        self.add(*[mn.VGroup(p[0], p[4]) for p in panels])
        for p in panels:
            self.add(p[1])
            self.play(mn.Create(p[2]), mn.Create(p[3]), run_time=0.7)
        self.pause("product")

        # the chain rule: a gradient through L layers multiplies L slopes
        zc = cfg["chain_z"]
        depth = v["depth"]
        lo = max(1e-9, min(float(v[f"{n}/chain"][-1]) for n in self.chain_names if v[f"{n}/chain"][-1] > 0) / 3)
        ax = LabelledAxes((1, depth[-1]), (lo, 3.0), log_y=True, width=4.2, height=3.3, n_ticks=4, font_size=16,
                          x_label="layers L on the path", y_label="f′(z)ᴸ")
        head = text(f"every unit at z = {zc:g}: the gradient is", size=20).next_to(ax, mn.UP, buff=0.5)
        form = text("f′(z) × f′(z) × … (L factors)", size=20).next_to(head, mn.DOWN, buff=0.08)
        right = mn.VGroup(ax, head, form)
        right.to_edge(mn.RIGHT, buff=0.3).to_edge(mn.DOWN, buff=0.35)
        self.add(right)
        self.wait(0.5)
        tracker = mn.ValueTracker(1.0)
        curves = []
        for name in self.chain_names:
            col = theme.ACTIVATION[name]
            vals = v[f"{name}/chain"]

            def make(name=name, col=col, vals=vals):
                k = int(round(tracker.get_value()))
                return polyline(ax, depth[:k], vals[:k], col, width=4) if k >= 2 else mn.VMobject()
            curves.append(mn.always_redraw(make))
        readout = mn.always_redraw(lambda: mn.VGroup(*[
            text(f"{NICE[n]}: {meta['chain_value'][n]:.3g}{str(int(round(tracker.get_value()))).translate(SUP)} = "
                 f"{v[f'{n}/chain'][int(round(tracker.get_value())) - 1]:.2g}", size=20,
                 color=color(theme.ACTIVATION[n])) for n in self.chain_names]).arrange(mn.DOWN, aligned_edge=mn.LEFT,
                                                                                     buff=0.08)
            .next_to(ax.spines, mn.UP, buff=0.05).align_to(ax.spines, mn.RIGHT).shift(0.05 * mn.DOWN + 0.0 * mn.UP)
            .set_z_index(2))
        self.remove(head, form)
        head.next_to(readout, mn.UP, buff=0.1).align_to(ax.spines, mn.RIGHT)
        form.next_to(head, mn.DOWN, buff=0.05).align_to(ax.spines, mn.RIGHT)
        head.shift((form.get_height() + 0.1) * mn.UP)
        form.shift((form.get_height() + 0.1) * mn.UP)
        self.add(head, form)
        self.add(*curves)
        self.add(readout)
        self.play(tracker.animate.set_value(depth[-1]), run_time=self.run_time, rate_func=mn.linear)
        bound = meta["max_slope"]["sigmoid"]
        end = text(f"sigmoid′ ≤ {bound:g}: through {int(depth[-1])} sigmoid layers at most "
                   f"{v['sigmoid/bound'][-1]:.1e}", size=22, color=color(theme.ACTIVATION["sigmoid"]))
        end.next_to(flat_txt, mn.DOWN, buff=0.15).to_edge(mn.RIGHT, buff=0.3)
        self.play(mn.FadeIn(end), run_time=0.5)
        self.wait(1.5)
