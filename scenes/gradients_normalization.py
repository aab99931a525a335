"""Normalisation in the deep sigmoid net: what one unit of each hidden layer sees of the images
(one dot per image), layer by layer, without a norm, with batch norm and with layer norm; how
that changes in training; then the loss curves.

    manim -ql scenes/gradients_normalization.py GradientsNormalization
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.curves import polyline, shade_spans
from nnviz.render.fades import swap_caption
from nnviz.render.pacing import Progress, TimeWarp
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, text

TITLE = {"plain": "no norm", "batch": "batch norm", "layer": "layer norm"}
SIZE = 24          # every caption; the rubric's 18 px at 480 px is font size 23


def fmt(x: float) -> str:
    return f"{x:.2f}" if x >= 0.01 else f"{x:.0e}"


class GradientsNormalization(ThemedScene):
    experiment = "gradients_normalization"
    shown = 64         # images drawn per layer (the first of the recorded probe images)
    run_time = 5.0
    u_max = 5.0

    def status(self, old, s, **kw):
        """Swap the caption under the title: the old one fades out before the new one fades in."""
        return swap_caption(self, old, text(s, size=SIZE, **kw).next_to(self.title, mn.DOWN, buff=0.15))

    def construct(self):
        c = experiments.load(self.experiment)["curves"]
        v, m, cfg = c.values, c.meta, c.config
        names = cfg["variants"]
        H = len(cfg["sizes"]) - 2
        edge = m["flat_edge"]
        n = min(self.shown, v[f"{names[0]}/unit"].shape[-1])
        side = int(round(np.sqrt(cfg["sizes"][0])))     # the input layer's size: the digits' pixels
        self.title = heading(f"Normalisation in a deep sigmoid net ({H} hidden layers, {side}×{side} digits)",
                             size=30, buff=0.2)
        jitter = (np.random.default_rng(0).random(n) - 0.5) * 0.5   # vertical spread of a row's dots

        axes, caps = [], mn.VGroup()
        for name in names:
            ax = LabelledAxes((-self.u_max, self.u_max), (0.5, H + 0.5), width=3.8, height=4.7, n_ticks=H,
                              x_ticks=3, font_size=SIZE, frame="box", x_label="input u of one unit",
                              y_label="hidden layer" if name == names[0] else "")
            ax.add_to_back(shade_spans(ax, np.array([-self.u_max, -edge, edge, self.u_max]),
                                       np.array([True, True, False, False]), theme.FLAT_ZONE, opacity=0.5),
                           shade_spans(ax, np.array([-self.u_max, -edge, edge, self.u_max]),
                                       np.array([False, False, True, True]), theme.FLAT_ZONE, opacity=0.5))
            axes.append(ax)
        row = mn.VGroup(*axes).arrange(mn.RIGHT, buff=0.35).to_edge(mn.DOWN, buff=0.15)
        for name, ax in zip(names, axes):
            caps.add(text(f"{TITLE[name]}  (η = {m['lr'][name]:g})", size=26, color=color(theme.NORM[name]))
                     .next_to(ax.spines, mn.UP, buff=0.1))
        del row

        def points(name, ax, k: float, layer: int) -> np.ndarray:
            """Scene positions of the drawn images' dots in `layer` (1-based) at fractional record k."""
            U = v[f"{name}/unit"]
            i = int(np.floor(k))
            j = min(i + 1, len(U) - 1)
            u = U[i, layer - 1, :n] * (1 - (k - i)) + U[j, layer - 1, :n] * (k - i)
            u = np.clip(u, -self.u_max, self.u_max)
            return np.array([ax.axes.c2p(a, layer + b) for a, b in zip(u, jitter)])

        def dots(name, ax, layer):
            col = color(theme.NORM[name])
            return mn.VGroup(*[mn.Dot(p, radius=0.04, fill_color=col, fill_opacity=0.6, stroke_width=0, num_components=5)
                               for p in points(name, ax, 0.0, layer)])
        rows = {name: [dots(name, ax, layer) for layer in range(1, H + 1)] for name, ax in zip(names, axes)}

        status = text("each dot: one image's input u to one unit of the layer\n"
                      f"shaded: the sigmoid is flat there, σ′(u) < {cfg['flat_frac']:.0%} of its peak", size=SIZE)
        status.next_to(self.title, mn.DOWN, buff=0.15)
        self.add(self.title, status, *axes, caps, *[rows[name][0] for name in names])
        self.wait(2.0)
        # the images pass up through the layers: each dot moves from its place in layer l − 1 to layer l
        for layer in range(2, H + 1):
            self.play(*[mn.TransformFromCopy(rows[name][layer - 2], rows[name][layer - 1]) for name in names],
                      run_time=0.7)
        self.wait(0.5)
        plain_last = v["plain/unit"][0, -1, :n]
        sp = v["plain/spread"][0]
        shrink = (sp[0] / sp[-1]) ** (1 / (H - 1))        # the mean factor per layer
        status = self.status(status, f"no norm: each layer squeezes the images about {shrink:.0f}× closer; at layer {H}\n"
                                     f"they differ by {fmt(plain_last.std())} (std). No dot is in the flat zone: not saturation.")
        self.wait(3.0)
        status = self.status(status, "batch norm rescales each unit over the images: spread 1 again.\n"
                                     "layer norm rescales each image over its units (white: one image).")
        # one image's inputs to all units of a layer (a row of the images × units table), drawn in the
        # layer-norm panel: spread across units, while each unit (the teal column) stays collapsed
        ln = names.index("layer") if "layer" in names else None
        if ln is not None:
            img = v["layer/image"][0]
            marks = mn.VGroup(*[mn.Circle(radius=0.055, stroke_color=color(theme.FOREGROUND), stroke_width=2)
                                .move_to(axes[ln].axes.c2p(float(np.clip(u, -self.u_max, self.u_max)), layer + 0.33))
                                for layer in range(1, H + 1) for u in img[layer - 1]])
            self.play(mn.FadeIn(marks), run_time=0.6)
        self.wait(2.0)
        if ln is not None:
            status = self.status(status, "layer norm spreads one image's units (white), yet each unit (teal) still\n"
                                         "gets the same input from every image: the output cannot tell them apart.")
            self.wait(3.0)
            self.play(mn.FadeOut(marks), run_time=0.3)
        self.pause("training")

        # training: every dot follows its image through the recorded epochs
        K = len(v["steps"])
        k = mn.ValueTracker(0.0)
        for name, ax in zip(names, axes):
            for layer, g in enumerate(rows[name], start=1):
                def move(g, name=name, ax=ax, layer=layer):
                    for d, p in zip(g, points(name, ax, k.get_value(), layer)):
                        d.move_to(p)
                g.add_updater(move)
        self.play(mn.FadeOut(status), mn.FadeOut(caps), run_time=0.3)

        def live_caps():
            e = min(int(round(k.get_value())), len(v[f"{names[0]}/loss"]) - 1)
            return mn.VGroup(*[text(f"{TITLE[name]}: loss {v[f'{name}/loss'][e]:.2f}", size=26,
                                    color=color(theme.NORM[name])).next_to(ax.spines, mn.UP, buff=0.1)
                               for name, ax in zip(names, axes)])
        caps = mn.always_redraw(live_caps)
        self.add(caps)
        epoch = mn.always_redraw(lambda: text(f"training: epoch {int(round(k.get_value()))} of {K - 1}", size=SIZE)
                                 .next_to(self.title, mn.DOWN, buff=0.15))
        self.add(epoch)
        # video time follows how far the drawn dots move, not raw epochs
        U = np.stack([v[f"{name}/unit"][:, :, :n] for name in names], axis=1)
        moved = np.r_[0.0, np.cumsum(np.abs(np.diff(np.clip(U, -self.u_max, self.u_max), axis=0)).sum(axis=(1, 2, 3)))]
        warp = TimeWarp.from_progress(Progress(np.arange(K, dtype=float), moved), self.run_time, clock="linear")
        self.play(warp.animate(k))
        for name in names:
            for g in rows[name]:
                g.clear_updaters()
        frozen = text(f"training: epoch {K - 1} of {K - 1}", size=SIZE).move_to(epoch)
        self.remove(epoch)
        self.add(frozen)
        fin = {name: float(v[f"{name}/loss"][-1]) for name in names}
        status = self.status(frozen,
                             f"after {K - 1} epochs only batch norm learned (loss {fin['batch']:.2f});\n"
                             f"no norm and layer norm still answer alike for all ({fin['plain']:.2f}, chance)")
        self.wait(2.5)
        self.pause("losses")

        # the loss curves
        self.remove(*[x for x in self.mobjects if x is not self.title])  # a cut at the slide break
        ep = v["epochs"]
        losses = np.concatenate([v[f"{name}/loss"] for name in names])
        ax2 = LabelledAxes((0, ep[-1]), (10 ** np.floor(np.log10(losses.min())), 10 ** np.ceil(np.log10(losses.max()))),
                           log_y=True, width=6.6, height=5.2, n_ticks=4, font_size=SIZE, x_label="epoch",
                           y_label="training loss")
        ax2.to_edge(mn.LEFT, buff=0.5).to_edge(mn.DOWN, buff=0.25)
        tgt = m["target_loss"]
        tline = mn.DashedLine(ax2.axes.c2p(0, np.log10(tgt)), ax2.axes.c2p(ep[-1], np.log10(tgt)),
                              color=color(theme.MUTED), dash_length=0.03, dashed_ratio=0.35)   # dotted
        # no norm and layer norm lie on one another at chance: no norm wide underneath, layer norm dashed on top
        style = {"plain": dict(width=9), "batch": dict(width=4), "layer": dict(width=4, dashed=True, num_dashes=22)}
        curves = [polyline(ax2, ep, v[f"{name}/loss"], theme.NORM[name], **style[name]) for name in names]

        def reached(name):
            e = m["epochs_to_target"][name]
            return f"loss ≤ {tgt:g} after {e} epochs" if e >= 0 else f"not ≤ {tgt:g} within {int(ep[-1])} epochs"
        flat = [name for name in names if np.all(np.abs(v[f"{name}/tuning"] - np.log(10)) < 0.05)]
        rows_txt = mn.VGroup(*[text(f"{TITLE[name]} (η {m['lr'][name]:g}):\n  {reached(name)}", size=SIZE,
                                    color=color(theme.NORM[name])) for name in names],
                             text(f"dotted line: loss {tgt:g}", size=SIZE, color=color(theme.MUTED)),
                             text("η: the best of\n" + ", ".join(f"{x:g}" for x in v["lrs"]) +
                                  ("\n" + " and ".join(TITLE[f] for f in flat) + ":\nat chance for every η" if flat else ""),
                                  size=SIZE))
        rows_txt.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.22).next_to(ax2, mn.RIGHT, buff=0.4).align_to(ax2, mn.UP)
        chance = text(f"no norm and layer norm:\nboth at {fin['plain']:.2f} = ln 10, chance", size=SIZE,
                      color=color(theme.FOREGROUND))
        chance.next_to(ax2.axes.c2p(ep[-1] * 0.35, np.log10(fin["plain"])), mn.UP, buff=0.15).align_to(ax2.spines, mn.LEFT).shift(0.8 * mn.RIGHT)
        self.add(ax2, tline)
        self.wait(0.3)
        self.play(*[mn.Create(cv) for cv in curves], run_time=2.0)
        self.play(mn.FadeIn(rows_txt), mn.FadeIn(chance), run_time=0.6)
        self.wait(2.5)
