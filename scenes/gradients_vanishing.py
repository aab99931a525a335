"""Vanishing gradients: in a 6-hidden-layer network on the digits, the gradient reaching each
layer ‖∂J/∂W_l‖ (log scale) for sigmoid, tanh and ReLU with Glorot or He initialisation, at
initialisation and through training; and the training curves they produce.

    manim -ql scenes/gradients_vanishing.py GradientsVanishing
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.curves import polyline
from nnviz.render.pacing import Progress, TimeWarp
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, text

NICE = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}


def name_of(c):
    act, init = c.split("-")
    return f"{NICE[act]} + {'Glorot' if init == 'glorot' else 'He'}"


class GradientsVanishing(ThemedScene):
    experiment = "gradients_vanishing"
    shown = ("sigmoid-glorot", "tanh-glorot", "relu-he")   # the per-layer panel; all six in the loss plot
    run_time = 5.0

    def construct(self):
        c = experiments.load(self.experiment)["curves"]
        v, m, cfg = c.values, c.meta, c.config
        L = len(cfg["sizes"]) - 1
        title = heading(f"Vanishing gradients: {L - 1} hidden layers on the digits", size=30, buff=0.25)
        self.add(title)
        allg = np.concatenate([v[f"{k}/gnorm"].ravel() for k in self.shown])
        lo = 10 ** np.floor(np.log10(allg[allg > 0].min()))
        hi = 10 ** np.ceil(np.log10(allg.max()))
        ax = LabelledAxes((0.5, L + 0.5), (lo, hi), log_y=True, width=6.6, height=5.0, n_ticks=L, font_size=18,
                          x_label=f"layer l   (1 = next to the input, {L} = output)", y_label="‖∂J/∂Wₗ‖", x_ticks=L)
        ax.to_edge(mn.LEFT, buff=0.6).to_edge(mn.DOWN, buff=0.35)
        k = mn.ValueTracker(0)
        layers = np.arange(1, L + 1)

        def curve(name):
            col = theme.ACTIVATION[name.split("-")[0]]
            return mn.always_redraw(lambda: mn.VGroup(
                polyline(ax, layers, v[f"{name}/gnorm"][int(round(k.get_value()))], col, width=4),
                *[mn.Dot(ax.axes.c2p(x, np.log10(y)), radius=0.06, color=color(col))
                  for x, y in zip(layers, v[f"{name}/gnorm"][int(round(k.get_value()))])]))
        legend = mn.VGroup(*[text(f"{name_of(n)}  (η = {m['lr'][n]:g})", size=20,
                                  color=color(theme.ACTIVATION[n.split('-')[0]])) for n in self.shown])
        legend.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1).next_to(ax, mn.RIGHT, buff=0.5).align_to(ax, mn.UP)
        epoch = mn.always_redraw(lambda: text(
            f"epoch {int(round(k.get_value()))} of {len(v['steps']) - 1}", size=22).next_to(title, mn.DOWN, buff=0.15))
        self.add(ax, legend)
        self.add(epoch, *[curve(n) for n in self.shown])
        sg, rh = v["sigmoid-glorot/gnorm"][0], v["relu-he/gnorm"][0]
        facts = mn.VGroup(
            text("at initialisation:", size=20),
            text(f"sigmoid: layer 1 gets {sg[-1] / sg[0]:.0f}×\nless gradient than layer {L}", size=20,
                 color=color(theme.ACTIVATION["sigmoid"])),
            text(f"ReLU + He: all layers within\n{rh.max() / rh.min():.1f}× of each other", size=20,
                 color=color(theme.ACTIVATION["relu"])),
            text("why: on the way down, each\nsigmoid layer multiplies the\ngradient by σ′ ≤ 0.25", size=20),
        ).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12).next_to(legend, mn.DOWN, buff=0.4).align_to(legend, mn.LEFT)
        self.play(mn.FadeIn(facts), run_time=0.8)
        self.wait(1.5)
        self.pause("training")
        self.play(mn.FadeOut(facts), run_time=0.3)
        # video time follows how much the drawn curves move (log scale), not raw epochs
        logs = np.stack([np.log10(v[f"{n}/gnorm"]) for n in self.shown], axis=1)
        moved = np.r_[0.0, np.cumsum(np.abs(np.diff(logs, axis=0)).sum(axis=(1, 2)))]
        warp = TimeWarp.from_progress(Progress(np.arange(len(moved), dtype=float), moved), self.run_time,
                                      clock="linear")
        self.play(warp.animate(k))
        wc = v["sigmoid-glorot/wchange"][-1]
        barely = text(f"after {len(v['steps']) - 1} epochs, sigmoid layer 1\n"
                      f"changed by {wc[0]:.0e} of its size:\nit barely learned.  ReLU + He\n"
                      f"layer 1 changed by {v['relu-he/wchange'][-1][0]:.2f}", size=20)
        barely.next_to(legend, mn.DOWN, buff=0.4).align_to(legend, mn.LEFT)
        self.play(mn.FadeIn(barely), run_time=0.5)
        self.wait(1.0)
        self.pause("losses")

        # the training curves of all six
        self.remove(*[x for x in self.mobjects if x is not title])  # a cut at the slide break
        names = cfg["contenders"]
        losses = np.concatenate([v[f"{n}/loss"] for n in names])
        ep = v["epochs"]
        ax2 = LabelledAxes((0, ep[-1]), (10 ** np.floor(np.log10(losses.min())), 10 ** np.ceil(np.log10(losses.max()))),
                           log_y=True, width=6.6, height=5.0, n_ticks=5, font_size=18, x_label="epoch",
                           y_label="training loss")
        ax2.to_edge(mn.LEFT, buff=0.6).to_edge(mn.DOWN, buff=0.35)
        order = sorted(names, key=lambda n: v[f"{n}/loss"][-1])
        curves = [polyline(ax2, ep, v[f"{n}/loss"], theme.ACTIVATION[n.split("-")[0]], width=4,
                           dashed=n.endswith("glorot"), num_dashes=40) for n in names]
        rows = mn.VGroup(text("final loss, best first:", size=20),
                         *[text(f"{name_of(n)}: {v[f'{n}/loss'][-1]:.3f}", size=20,
                                color=color(theme.ACTIVATION[n.split('-')[0]])) for n in order],
                         text("dashed: Glorot   solid: He", size=18, color=color(theme.MUTED)),
                         text(f"each at its best η of {', '.join(f'{x:g}' for x in v['lrs'])}", size=18,
                              color=color(theme.MUTED)))
        rows.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1).next_to(ax2, mn.RIGHT, buff=0.5).align_to(ax2, mn.UP)
        self.add(ax2)
        self.play(*[mn.Create(cv) for cv in curves], run_time=2.0)
        self.play(mn.FadeIn(rows), run_time=0.6)
        self.wait(2.0)
