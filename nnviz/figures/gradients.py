"""Still twins of the "why gradients behave" lecture scenes, from the same records and theme:
the same colours as the videos, math in mathtext, legends beside the data (never on it)."""
from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import theme
from ..display import slope_words
from ..experiments.gradients import NICE   # display names of the activations: one home
from . import figure

TITLE = {"plain": "no norm", "batch": "batch norm", "layer": "layer norm"}


def contender_label(c: str) -> str:
    act, init = c.split("-")
    return f"{NICE[act]} + {'Glorot' if init == 'glorot' else 'He'}"


def readable(fig, least: float = 12.5, scale: float = 1.3, rect=None) -> None:
    """Every text of the figure at least `least` pt (ticks, labels, titles, legends: scaled by `scale`),
    then laid out again: the stills are shown about as wide as the 854-px video."""
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        if t.get_text():
            t.set_fontsize(max(least, t.get_fontsize() * scale))
    if fig.get_layout_engine() is not None:     # constrained layout re-flows on its own
        return
    if rect is not None:
        fig.tight_layout(rect=rect)
    else:
        fig.tight_layout()


def legend_beside(ax, **kw):
    """A legend to the right of the axes, outside the data area."""
    kw.setdefault("fontsize", 9)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False, **kw)


@figure("gradients_activations", experiments=("gradients_activations",), size=(13, 7.6))
def activations(fig):
    """Each activation with its derivative; (near-)zero derivative shaded; products along a path."""
    fig.set_layout_engine("constrained")
    c = E.load("gradients_activations")["curves"]
    v, names = c.values, c.config["names"]
    grid = fig.add_gridspec(2, 4, width_ratios=[1, 1, 1, 1.3])
    z = v["z"]
    for i, name in enumerate(names):
        ax = fig.add_subplot(grid[i // 3, i % 3])
        col = theme.ACTIVATION[name]
        flat = v[f"{name}/flat"]
        ax.fill_between(z, -1.6, 1.6, where=flat, facecolor="none", edgecolor=theme.MUTED, hatch="///", lw=0)
        ax.plot(z, v[f"{name}/f"], color=col, lw=2.5)
        ax.plot(z, v[f"{name}/df"], color=col, lw=2.2, ls="--")
        ax.set_ylim(-1.6, 1.6)
        ax.set_yticks([-1, 0, 1])
        ax.set_title(f"{NICE[name]}: {slope_words(v[f'{name}/df'], mathtext=True)}", fontsize=11, color=col)
        ax.set_xlabel("$z$")
        if name == "leaky_relu":
            ax.annotate("$f' = 0.01$: small, not 0\n(not hatched)", (-4, 0.01), (-5.8, -1.35), fontsize=10,
                        arrowprops=dict(arrowstyle="->", color=theme.INK, lw=1))
    ax = fig.add_subplot(grid[:, 3])
    L = v["depth"]
    zc = c.config["chain_z"]
    for name in ("sigmoid", "tanh", "relu"):
        ax.semilogy(L, np.maximum(v[f"{name}/chain"], 1e-12), "o-", ms=3, color=theme.ACTIVATION[name],
                    label=f"{NICE[name]}: $f'({zc:g})^L$" + (" (1 only while every unit is active)"
                                                                 if name == "relu" else ""))
    ax.semilogy(L, v["sigmoid/bound"], ":", color=theme.ACTIVATION["sigmoid"], label=r"sigmoid bound $0.25^L$")
    ax.set_xlabel("layers $L$ on the path")
    ax.set_xticks([1, 2, 4, 6, 8, 10])
    ax.set_title(f"every unit on the path at $z = {zc:g}$:\nthe gradient is multiplied by $f'({zc:g})^L$", fontsize=11)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False, ncol=1)
    fig.suptitle(f"solid: $f(z)$    dashed: $f'(z)$    hatched: $|f'(z)| < {c.config['flat_below']:g}$, almost no "
                 "gradient passes", fontsize=12)
    readable(fig)


@figure("gradients_step_to_sigmoid", experiments=("gradients_step_to_sigmoid",), size=(16, 5.2))
def step_to_sigmoid(fig):
    """Step error count (flat almost everywhere) vs cross-entropy; MSE vs CE on a saturated sigmoid."""
    fig.set_layout_engine("constrained")
    rec = E.load("gradients_step_to_sigmoid")
    c, run = rec["curves"], rec["run"]
    v, m = c.values, c.meta
    # the story's order: the step's count, the sigmoid's cross-entropy, the line it learns, MSE vs CE
    a2, a3, a1, a4 = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1, 1, 1, 1.3]})
    X, y = v["X"], v["y"]
    w1, w2, b0 = run.final_theta
    xs = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 50)
    for q, ls in ((0.5, "-"), (0.1, "--"), (0.9, "--")):
        zl = np.log(q / (1 - q))
        a1.plot(xs, (zl - w1 * xs - b0) / w2, ls, color=theme.INK if q == 0.5 else theme.MUTED, lw=1.2)
    w10, w20, b00 = run.thetas[0]
    a1.plot(xs, -(w10 * xs + b00) / w20, color=theme.MUTED, lw=1.5, alpha=0.6)
    for lab_ in (0, 1):
        sel = y == lab_
        a1.scatter(X[sel, 0], X[sel, 1], color=theme.CLASS[lab_], s=30 + 200 * v["charge"][-1][sel],
                   edgecolors=theme.INK, lw=0.6, zorder=3, label=f"label {lab_}")
    worst = int(np.argmax(v["charge"][-1]))
    a1.annotate("wrong side:\npays most", X[worst], X[worst] + np.array([0.4, 1.1]), fontsize=10,
                arrowprops=dict(arrowstyle="->", color=theme.INK, lw=1))
    a1.set_ylim(X[:, 1].min() - 0.7, X[:, 1].max() + 1.6)
    a1.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False, ncol=2)
    a1.set_title(f"grey: step 0, CE {v['total'][0]:.3f}, {int(v['errors'][0])} errors\n"
                 f"black: step {int(v['steps'][-1])}, CE {v['total'][-1]:.3f}, {int(v['errors'][-1])} error"
                 f"{'s' if v['errors'][-1] != 1 else ''}\ndot size $= -\\log p$(own label)", fontsize=10)
    a1.set_aspect("equal")
    b = v["sweep_b"]
    a2.step(b, v["sweep_errors"], where="mid", color=theme.LOSS_KIND["step"], lw=2)
    a2.set_xlabel(f"bias $b$ (w fixed at step {int(v['steps'][-1])})")
    a2.set_ylabel("misclassified points")
    flat = int(np.sum(np.diff(v["sweep_errors"]) == 0))
    a2.set_title(f"step output: error count\nflat on {flat} of {len(b) - 1} sweep steps", fontsize=10,
                 color=theme.LOSS_KIND["step"])
    a3.plot(b, v["sweep_ce"], color=theme.LOSS_KIND["ce"], lw=2)
    a3.set_xlabel(f"bias $b$ (w fixed at step {int(v['steps'][-1])})")
    a3.set_ylabel(r"mean $-\log p$")
    a3.set_title("sigmoid output: cross-entropy\na slope everywhere", fontsize=10, color=theme.LOSS_KIND["ce"])
    z = v["sat_z"]
    a4.plot(z, np.abs(v["sat_dmse"]), color=theme.LOSS_KIND["mse"], lw=2,
            label=r"$|\partial\,\mathrm{MSE}/\partial z|$, MSE $= (p-1)^2$")
    a4.plot(z, np.abs(v["sat_dce"]), color=theme.LOSS_KIND["ce"], lw=2,
            label=r"$|\partial\,\mathrm{CE}/\partial z|$, CE $= -\log p$")
    a4.axvline(m["wrong_z"], color=theme.MUTED, ls=":")
    a4.set_xlabel("$z$ for a point of label 1 (left: confidently wrong)")
    a4.set_title(f"at $z = {m['wrong_z']:g}$ (dotted): $|\\partial\\,\\mathrm{{MSE}}/\\partial z| = {abs(m['wrong_dmse']):.3f}$,\n"
                 f"$|\\partial\\,\\mathrm{{CE}}/\\partial z| = {abs(m['wrong_dce']):.3f}$", fontsize=10)
    a4.set_ylim(0, 1.45)
    a4.set_ylabel(r"$|\partial\,\mathrm{loss}/\partial z|$")
    a4.legend(fontsize=9, loc="upper right", frameon=False)   # above both curves (they stay ≤ 1)
    a4.text(0.98, 0.45, "MSE: $2(p-1)\\,\\sigma'(z)$, and $\\sigma' \\approx 0$\nCE: $p - 1 \\approx -1$, a full push",
            transform=a4.transAxes, ha="right", fontsize=10, color=theme.INK)
    readable(fig)


@figure("gradients_softmax", experiments=("gradients_softmax",), size=(13, 3.9))
def softmax(fig):
    """A trained digits model's logits for one image: softmax, temperature, and softmax − y."""
    fig.set_layout_engine("constrained")
    c = E.load("gradients_softmax")["curves"]
    v, m = c.values, c.meta
    a0, a1, a2, a3 = fig.subplots(1, 4, gridspec_kw={"width_ratios": [0.7, 1, 1.35, 1]})
    a0.imshow(v["image"], cmap="gray")          # white ink on black, as in the video
    a0.set_title(f"test image, label {m['label']}", fontsize=10)
    a0.axis("off")
    k = np.arange(10)
    lab = m["label"]
    cols = [theme.ACTIVE if i == lab else theme.MUTED for i in k]
    a1.bar(k, v["logits"][-1], color=cols)
    a1.set_title("logits $z$ (trained)", fontsize=10)
    a1.set_xticks(k)
    ts = v["temperatures"]
    pick = [0, int(np.argmin(np.abs(ts - 1.0))), len(ts) - 1]      # coldest, T = 1, hottest
    for j, i in enumerate(pick):
        shade = 1.0 - 0.35 * j                                       # ink → grey: no palette hue
        a2.bar(k + (j - 1) * 0.27, v["probs_t"][i], width=0.27, color=theme.INK, alpha=shade,
               label=f"$T = {ts[i]:g}$")
    a2.set_xticks(k)
    a2.set_ylim(0, 1)
    a2.set_ylabel("$p_k$")
    a2.set_title(r"$\mathrm{softmax}(z / T)$", fontsize=10)
    legend_beside(a2, fontsize=8)
    g = v["grad"]
    a3.bar(k, g, color=[theme.GRADIENT_NEGATIVE if x < 0 else theme.GRADIENT for x in g])
    a3.axhline(0, color=theme.MUTED, lw=0.8)
    a3.set_xticks(k)
    a3.set_title(r"$\partial\,\mathrm{CE}/\partial z_k = p_k - y_k$" + f"  (CE = {v['ce'][-1]:.3f})", fontsize=10)
    fig.suptitle(f"64-32-10 network, test accuracy {m['test_acc']:.1%}", fontsize=10)
    readable(fig)


@figure("gradients_vanishing", experiments=("gradients_vanishing",), size=(15, 6.2))
def vanishing(fig):
    """Per-layer gradient norms at initialisation and training loss, six deep nets."""
    fig.set_layout_engine("constrained")
    c = E.load("gradients_vanishing")["curves"]
    v, m = c.values, c.meta
    a1, a2 = fig.subplots(1, 2)
    for cn in c.config["contenders"]:
        act, init = cn.split("-")
        g = v[f"{cn}/gnorm"][0]
        ls = "-" if init == "he" else "--"
        col = theme.ACTIVATION[act]
        a1.semilogy(np.arange(1, len(g) + 1), g, ls, marker="o", ms=3, color=col, label=contender_label(cn))
        a2.semilogy(v["epochs"], v[f"{cn}/loss"], ls, color=col,
                    label=f"{contender_label(cn)} ($\\eta = {m['lr'][cn]:g}$)")
    L = len(c.config["sizes"]) - 1
    a1.set_xlabel("layer $l$")
    a1.set_xticks(range(1, L + 1), [str(i) for i in range(1, L)] + [f"{L}\n(output)"])
    a1.set_ylabel(r"$\|\partial J/\partial W_l\|$ at initialisation")
    a1.set_title(f"{L - 1} hidden layers + output, digits: gradient per layer before training\n"
                 "dashed: Glorot, solid: He", fontsize=10)
    # the size of the effect at layer 1 and its cause
    ratio = {i: v[f"sigmoid-{i}/gnorm"][0][-1] / v[f"sigmoid-{i}/gnorm"][0][0] for i in ("glorot", "he")}
    a1.annotate(f"sigmoid layer 1: {ratio['glorot']:.0f}× (Glorot), {ratio['he']:.0f}× (He)\nless gradient than layer {L}",
                (1, v["sigmoid-glorot/gnorm"][0][0]), (1.6, v["sigmoid-glorot/gnorm"][0][0] * 0.35), fontsize=10,
                arrowprops=dict(arrowstyle="->", color=theme.INK, lw=1))
    a1.set_ylim(v["sigmoid-glorot/gnorm"][0][0] * 0.1, None)
    legend_beside(a1)
    a1.text(0.0, -0.3, "backward through each sigmoid layer the gradient is multiplied by $\\sigma' \\leq 0.25$;\n"
            "ReLU$'$ = 1 where active: it keeps the gradient", transform=a1.transAxes, fontsize=10, va="top")
    a2.set_xlabel("epoch")
    a2.set_ylabel("training loss")
    a2.axhline(np.log(10), color=theme.MUTED, ls=":", lw=1.2)
    a2.text(v["epochs"][-1], np.log(10) * 0.82, "chance: ln 10 = 2.30 (both sigmoid nets)", ha="right", va="top",
            fontsize=10)
    lrs = list(v["lrs"])
    eta_t, eta_r = m["lr"]["tanh-he"], m["lr"]["relu-he"]
    relu_at = v["relu-he/tuning"][lrs.index(eta_t)]
    wc = v["sigmoid-glorot/wchange"][-1][0], v["relu-he/wchange"][-1][0]
    a2.set_title(f"each at its best SGD rate of {', '.join(f'{x:g}' for x in lrs)}", fontsize=10)
    a2.text(0.0, -0.3, f"sigmoid + Glorot layer 1 moved {wc[0]:.0e} of its size, ReLU + He's {wc[1]:.2f}.\n"
            f"tanh trains stably at $\\eta = {eta_t:g}$, where ReLU + He ends at {relu_at:.2f}:\n"
            f"ReLU's best is {eta_r:g}, smaller steps, so slower here (not a vanishing gradient).",
            transform=a2.transAxes, fontsize=10, va="top")
    legend_beside(a2)
    readable(fig)


@figure("gradients_normalization", experiments=("gradients_normalization",), size=(16, 5.4))
def normalization(fig):
    """Deep sigmoid net without a norm, with batch norm and layer norm: what one unit of each layer
    sees of the images at initialisation (one dot per image), and the training losses."""
    fig.set_layout_engine("constrained")
    c = E.load("gradients_normalization")["curves"]
    v, m = c.values, c.meta
    variants = c.config["variants"]
    axes = fig.subplots(1, len(variants) + 1, gridspec_kw={"width_ratios": [1] * len(variants) + [1.6]})
    edge = m["flat_edge"]
    rng = np.random.default_rng(0)
    for ax, name in zip(axes, variants):
        U = v[f"{name}/unit"][0]             # (H, probe) at initialisation
        H = U.shape[0]
        for a, b in ((edge, 6), (-6, -edge)):      # neutral hatching: no palette hue is near it
            ax.axvspan(a, b, facecolor="none", edgecolor=theme.MUTED, hatch="///", lw=0)
        for h in range(H):
            ax.scatter(np.clip(U[h], -6, 6), h + 1 + (rng.random(U.shape[1]) - 0.5) * 0.5, s=5,
                       color=theme.NORM[name], alpha=0.6, lw=0)
            ax.annotate(f"std {U[h].std():.0e}" if U[h].std() < 0.01 else f"std {U[h].std():.2f}",
                        (1.02, h + 1), xycoords=("axes fraction", "data"), va="center", fontsize=10, color=theme.INK)
        ax.set_xlim(-6, 6)
        ax.set_ylim(0.4, H + 0.6)
        ax.set_yticks(range(1, H + 1))
        ax.set_xlabel("one unit's input $u$")
        ax.set_title(f"{TITLE[name]}, at initialisation", fontsize=10, color=theme.NORM[name])
    axes[0].set_ylabel("hidden layer")
    for a in axes[1:-1]:
        a.set_yticklabels([])
    ax = axes[-1]
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    style = {"plain": dict(lw=5, ls="-"), "batch": dict(lw=2, ls="-"), "layer": dict(lw=2, ls="--")}
    for name in variants:
        e = m["epochs_to_target"][name]
        ax.semilogy(v["epochs"], v[f"{name}/loss"], color=theme.NORM[name], **style[name],
                    label=f"{TITLE[name]} ($\\eta = {m['lr'][name]:g}$): " +
                    (f"$\\leq {m['target_loss']:g}$ at epoch {e}" if e >= 0
                     else f"not $\\leq {m['target_loss']:g}$ in {int(v['epochs'][-1])} epochs"))
    ax.axhline(m["target_loss"], color=theme.MUTED, ls=":")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title(r"no norm and layer norm lie on one another at $\ln 10$ (chance)", fontsize=10)
    ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    fig.suptitle(f"one dot per image. hatched: the sigmoid is flat, $\\sigma'(u)$ < {c.config['flat_frac']:.0%} of its peak; "
             "no dot of the plain net is there: it collapses, it does not saturate", fontsize=10)
    readable(fig)
