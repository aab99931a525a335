"""Batch norm in the deep sigmoid net: per hidden layer, the distribution of the sigmoid's
inputs (5–95 % and 25–75 % bands) during training, without a norm, with batch norm and with
layer norm; the sigmoid's flat range shaded; then the loss curves.

    manim -ql scenes/gradients_normalization.py GradientsNormalization
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.render.curves import polyline
from nnviz.render.pacing import Progress, TimeWarp
from nnviz.render.plots import LabelledAxes
from nnviz.render.style import ThemedScene, color, heading, text

TITLE = {"plain": "no norm", "batch": "batch norm", "layer": "layer norm"}


def fmt(x: float) -> str:
    return f"{x:.2f}" if x >= 0.01 else f"{x:.0e}"


class GradientsNormalization(ThemedScene):
    experiment = "gradients_normalization"
    panels = ("plain", "batch")
    run_time = 5.0
    y_max = 6.0

    def band(self, ax, q, lo_i, hi_i, col, opacity):
        H = q.shape[0]
        xs = np.arange(1, H + 1)
        lo = np.clip(q[:, lo_i], -self.y_max, self.y_max)
        hi = np.clip(q[:, hi_i], -self.y_max, self.y_max)
        pts = [ax.axes.c2p(x, y) for x, y in zip(xs, hi)] + [ax.axes.c2p(x, y) for x, y in zip(xs[::-1], lo[::-1])]
        return mn.Polygon(*pts, stroke_width=1.5, stroke_color=color(col), fill_color=color(col), fill_opacity=opacity)

    def construct(self):
        c = experiments.load(self.experiment)["curves"]
        v, m, cfg = c.values, c.meta, c.config
        H = len(cfg["sizes"]) - 2
        edge = m["flat_edge"]
        title = heading(f"Batch norm in a deep sigmoid net ({H} hidden layers)", size=30, buff=0.25)
        self.add(title)
        k = mn.ValueTracker(0)
        groups = mn.VGroup()
        for name in self.panels:
            ax = LabelledAxes((0.6, H + 0.4), (-self.y_max, self.y_max), width=4.4, height=4.5, n_ticks=5,
                              font_size=18, frame="box", x_label="hidden layer", x_ticks=H)
            flat = mn.VGroup(*[mn.Polygon(ax.axes.c2p(0.6, a), ax.axes.c2p(H + 0.4, a), ax.axes.c2p(H + 0.4, b),
                                          ax.axes.c2p(0.6, b), stroke_width=0, fill_color=color(theme.FLAT_ZONE),
                                          fill_opacity=0.6) for a, b in ((edge, self.y_max), (-self.y_max, -edge))])
            col = theme.NORM[name]

            def bands(name=name, ax=ax, col=col):
                q = v[f"{name}/quant"][int(round(k.get_value()))]
                return mn.VGroup(self.band(ax, q, 0, -1, col, 0.3), self.band(ax, q, 1, -2, col, 0.6),
                                 polyline(ax, np.arange(1, H + 1), np.clip(q[:, 2], -self.y_max, self.y_max), col,
                                          width=3))
            cap = text(f"{TITLE[name]}  (η = {m['lr'][name]:g})", size=22, color=color(col))
            cap.next_to(ax.spines, mn.UP, buff=0.12)
            groups.add(mn.VGroup(ax, flat, cap))
            groups[-1].make_bands = bands
        groups.arrange(mn.RIGHT, buff=0.6).next_to(title, mn.DOWN, buff=0.6).to_edge(mn.LEFT, buff=0.5)
        for g in groups:  # after arranging: the first redraw must already use the final positions
            g.bands = mn.always_redraw(g.make_bands)
        ylab = text("bands: the\nsigmoid's inputs\nu in a layer,\n5–95 % and\n25–75 % of\nimages × units;\nline: median\n\n"
                    f"shaded: |u| > {edge:.1f},\nσ′(u) below\n{cfg['flat_frac']:.0%} of its peak",
                    size=18, color=color(theme.FOREGROUND))
        ylab.next_to(groups, mn.RIGHT, buff=0.3).align_to(groups, mn.UP)
        self.add(groups, ylab)
        for g in groups:
            self.add(g.bands)
        epoch = mn.always_redraw(lambda: text(f"epoch {int(round(k.get_value()))} of {len(v['steps']) - 1}",
                                              size=22).next_to(title, mn.DOWN, buff=0.1))
        self.add(epoch)
        self.wait(0.8)
        # video time follows how much the drawn bands move, not raw epochs
        q = np.stack([v[f"{n}/quant"] for n in self.panels], axis=1)
        moved = np.r_[0.0, np.cumsum(np.abs(np.diff(q, axis=0)).sum(axis=(1, 2, 3)))]
        warp = TimeWarp.from_progress(Progress(np.arange(len(moved), dtype=float), moved), self.run_time,
                                      clock="linear")
        self.play(warp.animate(k))
        inr = min(float(v[f"{n}/inrange"].min()) for n in self.panels)
        note = text(f"both stay in the sigmoid's working range ({inr:.0%} or more of all u):\n"
                    "saturation is not what stops the plain net here.", size=20)
        note.next_to(groups, mn.DOWN, buff=0.35)
        self.play(mn.FadeIn(note), run_time=0.5)
        self.wait(1.5)
        self.pause("spread")

        # what differs: how differently the images look to each layer
        self.remove(*[x for x in self.mobjects if x is not title])  # a cut at the slide break
        names = cfg["variants"]
        sp = np.concatenate([v[f"{n}/spread"].ravel() for n in names])
        ax = LabelledAxes((0.6, H + 0.4), (10 ** np.floor(np.log10(sp.min())), 10 ** np.ceil(np.log10(sp.max()))),
                          log_y=True, width=5.6, height=4.8, n_ticks=H, x_ticks=H, font_size=18,
                          x_label="hidden layer", y_label="spread of u across images")
        ax.to_edge(mn.LEFT, buff=0.7).to_edge(mn.DOWN, buff=0.35)
        k.set_value(0)
        layers = np.arange(1, H + 1)

        def spread_curve(n):
            col = theme.NORM[n]
            return mn.always_redraw(lambda: mn.VGroup(
                polyline(ax, layers, v[f"{n}/spread"][int(round(k.get_value()))], col, width=4,
                         dashed=n == "layer", num_dashes=16),
                *[mn.Dot(ax.axes.c2p(x, np.log10(y)), radius=0.06, color=color(col))
                  for x, y in zip(layers, v[f"{n}/spread"][int(round(k.get_value()))])]))
        s0 = {n: v[f"{n}/spread"][0] for n in names}
        rows = mn.VGroup(
            text("at initialisation: spread = std of u over\nthe images, averaged over a layer's units", size=20),
            *[text(f"{TITLE[n]}: layer 1 {fmt(s0[n][0])} → layer {H} {fmt(s0[n][-1])}", size=20,
                   color=color(theme.NORM[n])) for n in names],
            text("without a norm each layer squeezes the\nimages together: the top layers see\n"
                 "almost the same input for every image.\nBatch norm rescales each unit over\nthe batch back to spread 1.",
                 size=20),
            text("layer norm rescales across the units\nof one image: it cannot re-spread them.",
                 size=20, color=color(theme.MUTED)))
        rows.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.18).next_to(ax, mn.RIGHT, buff=0.5).align_to(ax, mn.UP)
        self.add(ax)
        self.add(*[spread_curve(n) for n in names])
        self.play(mn.FadeIn(rows), run_time=0.6)
        self.wait(2.5)
        self.pause("losses")

        self.remove(*[x for x in self.mobjects if x is not title])
        names = cfg["variants"]
        ep = v["epochs"]
        losses = np.concatenate([v[f"{n}/loss"] for n in names])
        ax2 = LabelledAxes((0, ep[-1]), (10 ** np.floor(np.log10(losses.min())), 10 ** np.ceil(np.log10(losses.max()))),
                           log_y=True, width=6.5, height=4.6, n_ticks=5, font_size=18, x_label="epoch",
                           y_label="training loss")
        ax2.to_edge(mn.LEFT, buff=0.6).to_edge(mn.DOWN, buff=0.35)
        tgt = m["target_loss"]
        tline = mn.DashedLine(ax2.axes.c2p(0, np.log10(tgt)), ax2.axes.c2p(ep[-1], np.log10(tgt)),
                              color=color(theme.MUTED))
        curves = [polyline(ax2, ep, v[f"{n}/loss"], theme.NORM[n], width=4, dashed=n == "layer", num_dashes=30)
                  for n in names]

        def reached(n):
            e = m["epochs_to_target"][n]
            return f"loss ≤ {tgt:g} after {e} epochs" if e >= 0 else f"never reaches {tgt:g} in {int(ep[-1])} epochs"
        rows = mn.VGroup(*[text(f"{TITLE[n]}:\n  {reached(n)}", size=20, color=color(theme.NORM[n])) for n in names],
                         text(f"each at its best SGD rate η of\n{', '.join(f'{x:g}' for x in v['lrs'])}", size=18,
                              color=color(theme.MUTED)),
                         text("no norm and layer norm overlap\nat ln 10 ≈ 2.30: chance level", size=18,
                              color=color(theme.MUTED)))
        rows.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12).next_to(ax2, mn.RIGHT, buff=0.4).align_to(ax2, mn.UP)
        self.add(ax2)
        self.play(mn.Create(tline), run_time=0.4)
        self.play(*[mn.Create(cv) for cv in curves], run_time=2.0)
        self.play(mn.FadeIn(rows), run_time=0.6)
        self.wait(2.0)
