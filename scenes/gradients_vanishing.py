"""Vanishing gradients: in a 6-hidden-layer network on the digits, the gradient reaching each
layer ‖∂J/∂W_l‖ (log scale) for sigmoid, tanh and ReLU, with Glorot (left) and He (right)
initialisation, at initialisation and through training; then the training curves they produce
and why they finish in that order.

    manim -ql scenes/gradients_vanishing.py GradientsVanishing
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.curves import polyline
from nnviz.render.fades import swap_caption
from nnviz.render.pacing import Progress, TimeWarp
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, text

NICE = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}
INIT = {"glorot": "Glorot", "he": "He"}
SIZE = 24          # every caption; the rubric's 18 px at 480 px is font size 23


def name_of(c):
    act, init = c.split("-")
    return f"{NICE[act]} + {INIT[init]}"


class GradientsVanishing(ThemedScene):
    experiment = "gradients_vanishing"
    run_time = 5.0

    def status(self, old, s):
        """Swap the caption under the title: the old one fades out before the new one fades in."""
        return swap_caption(self, old, text(s, size=SIZE).next_to(self.title, mn.DOWN, buff=0.15))

    def construct(self):
        c = experiments.load(self.experiment)["curves"]
        v, m, cfg = c.values, c.meta, c.config
        names = cfg["contenders"]
        L = len(cfg["sizes"]) - 1
        acts = list(dict.fromkeys(n.split("-")[0] for n in names))
        inits = list(dict.fromkeys(n.split("-")[1] for n in names))
        self.title = heading(f"Vanishing gradients: {L - 1} hidden layers on the digits", size=30, buff=0.2)
        allg = np.concatenate([v[f"{n}/gnorm"].ravel() for n in names])
        lo = 10 ** np.floor(np.log10(allg[allg > 0].min()))
        hi = 10 ** np.ceil(np.log10(allg.max()))
        k = mn.ValueTracker(0.0)
        layers = np.arange(1, L + 1)

        def at(name):
            """The per-layer norms at fractional record k (log-linear between recorded epochs)."""
            G = np.log10(v[f"{name}/gnorm"])
            i = int(np.floor(k.get_value()))
            j = min(i + 1, len(G) - 1)
            return 10 ** (G[i] * (1 - (k.get_value() - i)) + G[j] * (k.get_value() - i))

        axes, caps, curves = [], mn.VGroup(), []
        for init in inits:
            ax = LabelledAxes((0.5, L + 0.5), (lo, hi), log_y=True, width=4.5, height=4.7, n_ticks=L,
                              x_ticks=L, font_size=SIZE, x_label="layer l  (1 = input side)",
                              y_label="‖∂J/∂Wₗ‖" if init == inits[0] else "")
            axes.append(ax)
        mn.VGroup(*axes).arrange(mn.RIGHT, buff=0.35).to_edge(mn.LEFT, buff=0.25).to_edge(mn.DOWN, buff=0.15)
        for init, ax in zip(inits, axes):
            caps.add(text(f"{INIT[init]} initialisation", size=26).next_to(ax.spines, mn.UP, buff=0.12))
            for act in acts:
                name = f"{act}-{init}"
                col = theme.ACTIVATION[act]
                curves.append(mn.always_redraw(lambda name=name, ax=ax, col=col: mn.VGroup(
                    polyline(ax, layers, at(name), col, width=4),
                    *[mn.Dot(ax.axes.c2p(x, np.log10(y)), radius=0.06, color=color(col))
                      for x, y in zip(layers, at(name))]).set_z_index(1)))
        legend = mn.VGroup(*[text(NICE[a], size=26, color=color(theme.ACTIVATION[a])) for a in acts])
        legend.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.2).next_to(axes[-1], mn.RIGHT, buff=0.3)
        legend.align_to(axes[-1].spines, mn.UP)
        status = text(f"how much gradient reaches layer l (log scale), at initialisation", size=SIZE)
        status.next_to(self.title, mn.DOWN, buff=0.15)
        self.add(self.title, status, *axes, caps, legend, *curves)
        self.wait(2.0)

        g0 = {n: v[f"{n}/gnorm"][0] for n in names}
        ratio = {i: g0[f"sigmoid-{i}"][-1] / g0[f"sigmoid-{i}"][0] for i in inits}
        status = self.status(status, f"sigmoid: layer 1 gets {ratio['glorot']:.0f}× (Glorot) and {ratio['he']:.0f}× (He)\n"
                                     f"less gradient than layer {L}")
        self.wait(2.5)
        rh = g0["relu-he"]
        status = self.status(status, "on the way down each sigmoid layer multiplies the gradient by σ′ ≤ 0.25;\n"
                                     f"ReLU′ = 1 where active: with He, all layers within {rh.max() / rh.min():.1f}× of each other")
        self.wait(3.0)
        self.pause("training")

        self.play(mn.FadeOut(status), run_time=0.3)
        K = len(v["steps"])
        epoch = mn.always_redraw(lambda: text(f"training: epoch {int(round(k.get_value()))} of {K - 1}", size=SIZE)
                                 .next_to(self.title, mn.DOWN, buff=0.15))
        self.add(epoch)
        # video time follows how much the drawn curves move (log scale), not raw epochs
        logs = np.stack([np.log10(v[f"{n}/gnorm"]) for n in names], axis=1)
        moved = np.r_[0.0, np.cumsum(np.abs(np.diff(logs, axis=0)).sum(axis=(1, 2)))]
        warp = TimeWarp.from_progress(Progress(np.arange(K, dtype=float), moved), self.run_time, clock="linear")
        self.play(warp.animate(k))
        frozen = text(f"training: epoch {K - 1} of {K - 1}", size=SIZE).move_to(epoch)
        self.remove(epoch)
        self.add(frozen)
        wc = {n: v[f"{n}/wchange"][-1][0] for n in names}
        status = self.status(frozen, f"after {K - 1} epochs, layer 1 of sigmoid + Glorot has moved {wc['sigmoid-glorot']:.0e}"
                                     " of its size:\nit barely learned.  "
                                     f"Layer 1 of ReLU + He moved {wc['relu-he']:.2f}.")
        self.wait(3.0)
        self.pause("losses")

        # the training curves of all six
        self.remove(*[x for x in self.mobjects if x is not self.title])  # a cut at the slide break
        losses = np.concatenate([v[f"{n}/loss"] for n in names])
        ep = v["epochs"]
        ax2 = LabelledAxes((0, ep[-1]), (10 ** np.floor(np.log10(losses.min())), 10 ** np.ceil(np.log10(losses.max()))),
                           log_y=True, width=6.0, height=4.6, n_ticks=4, font_size=SIZE, x_label="epoch",
                           y_label="training loss")
        ax2.to_edge(mn.LEFT, buff=0.4).to_edge(mn.DOWN, buff=0.2)
        order = sorted(names, key=lambda n: v[f"{n}/loss"][-1])
        curves = [polyline(ax2, ep, v[f"{n}/loss"], theme.ACTIVATION[n.split("-")[0]], width=4,
                           dashed=n.endswith("glorot"), num_dashes=40) for n in names]
        rows = mn.VGroup(text("final loss (η: best of grid)", size=SIZE),
                         *[text(f"{name_of(n)}: {v[f'{n}/loss'][-1]:.2f}, η {m['lr'][n]:g}", size=SIZE,
                                color=color(theme.ACTIVATION[n.split('-')[0]])) for n in order],
                         text("dashed: Glorot   solid: He", size=SIZE, color=color(theme.MUTED)),
                         text(f"grid: η = {', '.join(f'{x:g}' for x in v['lrs'])}", size=SIZE, color=color(theme.MUTED)))
        rows.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.14).next_to(ax2, mn.RIGHT, buff=0.4).align_to(ax2, mn.UP)
        stuck = [n for n in names if n.startswith("sigmoid")]
        status = text(f"sigmoid nets never leave chance ({v[f'{stuck[0]}/loss'][-1]:.2f} = ln 10); tanh and ReLU all learn",
                      size=SIZE).next_to(self.title, mn.DOWN, buff=0.15)
        self.add(ax2, status)
        self.play(*[mn.Create(cv) for cv in curves], run_time=2.0)
        self.play(mn.FadeIn(rows), run_time=0.6)
        self.wait(2.0)
        # why tanh finishes ahead of ReLU here: the step size each can take (from the tuning records)
        lrs = list(v["lrs"])
        i_t = lrs.index(m["lr"]["tanh-he"])
        relu_at = {n: v[f"{n}/tuning"][i_t] for n in names if n.startswith("relu")}
        status = self.status(status, f"tanh trains stably at η = {lrs[i_t]:g}. At {lrs[i_t]:g} ReLU ends at "
                                     f"{relu_at['relu-he']:.2f} (He), {relu_at['relu-glorot']:.2f} (Glorot),\n"
                                     f"so ReLU's best η is {m['lr']['relu-he']:g}: smaller steps, slower in "
                                     f"{int(ep[-1])} epochs.\nAmong nets that learn, the order is step size, not vanishing.")
        self.wait(3.5)
