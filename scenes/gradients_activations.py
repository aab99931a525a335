"""Activations and their derivatives: where the derivative is (near) zero no gradient passes,
and a gradient through L layers is a product of L derivatives.

    manim -ql scenes/gradients_activations.py GradientsActivations
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.display import slope_words
from nnviz.experiments.gradients import NICE   # display names of the activations: one home
from nnviz.render.curves import polyline, shade_spans
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, text

SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SIZE = 24          # every caption; the rubric's 18 px at 480 px is font size 23


class GradientsActivations(ThemedScene):
    experiment = "gradients_activations"
    chain_names = ("sigmoid", "tanh", "relu")
    run_time = 5.0

    def construct(self):
        c = experiments.load(self.experiment)["curves"]
        v, meta, cfg = c.values, c.meta, c.config
        z = v["z"]
        title = heading("Activations f(z) and their slopes f′(z)", size=30, buff=0.2)
        status = text("solid: f(z).  The slope f′(z) is what a gradient gets multiplied by.", size=SIZE)
        status.next_to(title, mn.DOWN, buff=0.15)
        panels = mn.VGroup()
        for name in cfg["names"]:
            ax = LabelledAxes((z[0], z[-1]), (-1.5, 1.5), width=3.7, height=2.05, n_ticks=3, x_ticks=3,
                              font_size=SIZE, frame="box")
            col = theme.ACTIVATION[name]
            shade = shade_spans(ax, z, v[f"{name}/flat"], theme.FLAT_ZONE, opacity=0.6)
            f = polyline(ax, z, v[f"{name}/f"], col, width=4)
            df = polyline(ax, z, v[f"{name}/df"], col, width=4, dashed=True, num_dashes=20)
            cap = text(f"{NICE[name]}:  {slope_words(v[f'{name}/df'])}",
                       size=SIZE, color=color(col))
            cap.next_to(ax.spines, mn.UP, buff=0.1)
            panels.add(mn.VGroup(ax, shade, f, df, cap))
        panels.arrange_in_grid(2, 3, buff=(0.5, 0.4)).to_edge(mn.DOWN, buff=0.2)
        # first frame: every activation drawn; then their slopes and where no gradient passes
        self.add(title, status, *[mn.VGroup(p[0], p[2], p[4]) for p in panels])
        self.wait(1.5)
        new = text(f"dashed: the slope f′(z).  Shaded: |f′(z)| < {cfg['flat_below']:g}, almost no gradient passes.",
                   size=SIZE).move_to(status)
        self.play(mn.FadeOut(status), run_time=0.3)
        self.play(mn.FadeIn(new), run_time=0.3)
        status = new
        for p in panels:
            self.play(mn.FadeIn(p[1]), mn.Create(p[3]), run_time=0.6)
        leaky = "leaky_relu" in cfg["names"]
        if leaky:
            lo = meta["min_slope"]["leaky_relu"]
            new = text(f"leaky ReLU: slope {lo:g} for z < 0, small but not zero: some gradient passes.",
                       size=SIZE, color=color(theme.ACTIVATION["leaky_relu"])).move_to(status)
            self.play(mn.FadeOut(status), run_time=0.3)
            self.play(mn.FadeIn(new), run_time=0.3)
            status = new
        self.wait(2.0)
        # the bridge: the slope each chain layer multiplies in, read off the dashed curves at z = chain_z
        zc = cfg["chain_z"]
        marks = mn.VGroup()
        for name in self.chain_names:
            ax = panels[list(cfg["names"]).index(name)][0]
            val = float(meta["chain_value"][name])
            col = color(theme.ACTIVATION[name])
            at = ax.c2p(zc, val)
            line = mn.DashedLine(ax.c2p(zc, -1.5), ax.c2p(zc, 1.5), color=mn.ManimColor(theme.FOREGROUND),
                                 stroke_width=2, dash_length=0.06)
            dot = mn.Dot(at, radius=0.08, color=col).set_stroke(mn.ManimColor(theme.FOREGROUND), width=2)
            tag = text(f"{val:.3g}", size=SIZE, color=col).next_to(dot, mn.DR if val >= 0.9 else mn.UR, buff=0.08)
            tag.add_background_rectangle(color=mn.ManimColor(theme.BACKGROUND), opacity=0.9, buff=0.04)
            marks.add(mn.VGroup(line, dot, tag))
        new = text(f"at z = {zc:g} (dots): the slope each layer multiplies a gradient by", size=SIZE).move_to(status)
        self.play(mn.FadeOut(status), run_time=0.3)
        self.play(mn.FadeIn(new), mn.FadeIn(marks), run_time=0.6)
        status = new
        self.wait(2.5)
        self.pause("product")

        # the chain rule: a gradient through L layers multiplies L slopes
        self.remove(*[x for x in self.mobjects if x is not title])  # a cut at the slide break
        depth = v["depth"]
        lo = max(1e-9, min(float(v[f"{n}/chain"][-1]) for n in self.chain_names if v[f"{n}/chain"][-1] > 0) / 3)
        ax = LabelledAxes((1, depth[-1]), (10 ** np.floor(np.log10(lo)), 3.0), log_y=True, width=6.2, height=4.9,
                          n_ticks=5, font_size=SIZE, x_label="layers L on the path", y_label=f"f′({cfg['chain_z']:g})ᴸ")
        ax.to_edge(mn.LEFT, buff=0.5).to_edge(mn.DOWN, buff=0.2)
        factors = ", ".join(f"{NICE[n]}′({zc:g}) = {meta['chain_value'][n]:.3g}" for n in self.chain_names)
        status = text(f"every unit at z = {zc:g}: each layer multiplies the gradient by its slope\n"
                      f"{factors} (weights left out)", size=SIZE)
        status.next_to(title, mn.DOWN, buff=0.15)
        tracker = mn.ValueTracker(1.0)
        curves = []
        for name in self.chain_names:
            col = theme.ACTIVATION[name]
            vals = v[f"{name}/chain"]

            def make(name=name, col=col, vals=vals):
                k = int(round(tracker.get_value()))
                return polyline(ax, depth[:k], vals[:k], col, width=5) if k >= 2 else mn.VMobject()
            curves.append(mn.always_redraw(make))

        def readout():
            L = int(round(tracker.get_value()))
            return mn.VGroup(*[text(f"{NICE[n]}:  {meta['chain_value'][n]:.3g}{str(L).translate(SUP)} = "
                                    f"{v[f'{n}/chain'][L - 1]:.2g}" + ("  (while active)" if n == "relu" else ""), size=26,
                                    color=color(theme.ACTIVATION[n]))
                               for n in self.chain_names]).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.2) \
                .next_to(ax, mn.RIGHT, buff=0.5).align_to(ax, mn.UP)
        read = mn.always_redraw(readout)
        self.add(ax, status, read, *curves)
        self.wait(1.0)
        self.play(tracker.animate.set_value(depth[-1]), run_time=self.run_time, rate_func=mn.linear)
        bound = meta["max_slope"]["sigmoid"]
        ceiling = polyline(ax, depth, v["sigmoid/bound"], theme.ACTIVATION["sigmoid"], width=3, dashed=True,
                           num_dashes=30)
        end = text(f"dashed: sigmoid′ ≤ {bound:g} at any z,\nso {int(depth[-1])} layers give at most\n"
                   f"{bound:g}{str(int(depth[-1])).translate(SUP)} = {v['sigmoid/bound'][-1]:.1e}", size=SIZE,
                   color=color(theme.ACTIVATION["sigmoid"]))
        end.next_to(ax, mn.RIGHT, buff=0.5).to_edge(mn.DOWN, buff=0.3)
        if end.get_right()[0] > mn.config.frame_width / 2 - 0.2:
            end.to_edge(mn.RIGHT, buff=0.2)
        self.play(mn.Create(ceiling), mn.FadeIn(end), run_time=0.8)
        self.wait(2.5)
