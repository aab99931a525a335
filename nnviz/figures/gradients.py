"""Still twins of the "why gradients behave" lecture scenes, from the same records and theme."""
from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import theme
from . import figure

NICE = {"identity": "identity", "step": "step", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU",
        "leaky_relu": "leaky ReLU"}


def contender_label(c: str) -> str:
    act, init = c.split("-")
    return f"{NICE[act]} + {'Glorot' if init == 'glorot' else 'He'}"


@figure("gradients_activations", experiments=("gradients_activations",), size=(12, 6.4))
def activations(fig):
    """Each activation with its derivative; near-zero derivative shaded; products along a path."""
    c = E.load("gradients_activations")["curves"]
    v, names = c.values, c.config["names"]
    axes = fig.subplots(2, 4).ravel()
    z = v["z"]
    for ax, name in zip(axes, names):
        col = theme.ACTIVATION[name]
        flat = v[f"{name}/flat"]
        ax.fill_between(z, -1.6, 1.6, where=flat, color=theme.FLAT_ZONE, alpha=0.25, lw=0,
                        label=f"|f′| < {c.config['flat_below']:g}")
        ax.plot(z, v[f"{name}/f"], color=col, lw=2, label="f(z)")
        ax.plot(z, v[f"{name}/df"], color=col, lw=1.5, ls="--", label="f′(z)")
        ax.set_ylim(-1.6, 1.6)
        ax.set_title(f"{NICE[name]}: max f′ = {c.meta['max_slope'][name]:g}", fontsize=10)
        ax.set_xlabel("z")
    axes[0].legend(fontsize=7, loc="upper left")
    ax = axes[len(names)]
    L = v["depth"]
    for name in ("sigmoid", "tanh", "relu"):
        ax.semilogy(L, np.maximum(v[f"{name}/chain"], 1e-12), "o-", ms=3, color=theme.ACTIVATION[name],
                    label=f"{NICE[name]}: f′({c.config['chain_z']:g})ᴸ")
    ax.semilogy(L, v["sigmoid/bound"], ":", color=theme.ACTIVATION["sigmoid"], label="sigmoid bound 0.25ᴸ")
    ax.set_xlabel("layers L on the path")
    ax.set_title("product of derivatives along a path", fontsize=10)
    ax.legend(fontsize=7)
    for ax in axes[len(names) + 1:]:
        ax.axis("off")
    fig.tight_layout()


@figure("gradients_step_to_sigmoid", experiments=("gradients_step_to_sigmoid",), size=(15, 3.9))
def step_to_sigmoid(fig):
    """Step error count (flat almost everywhere) vs cross-entropy; MSE vs CE on a saturated sigmoid."""
    rec = E.load("gradients_step_to_sigmoid")
    c, run = rec["curves"], rec["run"]
    v, m = c.values, c.meta
    a1, a2, a3, a4 = fig.subplots(1, 4)
    X, y = v["X"], v["y"]
    w1, w2, b0 = run.final_theta
    xs = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 50)
    for q, ls in ((0.5, "-"), (0.1, "--"), (0.9, "--")):
        zl = np.log(q / (1 - q))
        a1.plot(xs, (zl - w1 * xs - b0) / w2, ls, color=theme.INK if q == 0.5 else theme.MUTED, lw=1.2)
    a1.scatter(X[:, 0], X[:, 1], c=[theme.CLASS[int(k)] for k in y], s=30 + 200 * v["charge"][-1],
               edgecolors=theme.INK, lw=0.6, zorder=3)
    a1.set_ylim(X[:, 1].min() - 0.7, X[:, 1].max() + 0.7)
    a1.set_title(f"p = 0.5 line (dashed 0.1, 0.9)\nsize = −log p(own label); mean {v['total'][-1]:.3f}",
                 fontsize=10)
    a1.set_aspect("equal")
    b = v["sweep_b"]
    a2.step(b, v["sweep_errors"], where="mid", color=theme.LOSS_KIND["step"], lw=2)
    a2.set_xlabel("bias b (line shifted along its normal)")
    a2.set_ylabel("misclassified points")
    flat = int(np.sum(np.diff(v["sweep_errors"]) == 0))
    a2.set_title(f"step output: error count\nflat on {flat} of {len(b) - 1} sweep steps", fontsize=10)
    a3.plot(b, v["sweep_ce"], color=theme.LOSS_KIND["ce"], lw=2)
    a3.set_xlabel("bias b (line shifted along its normal)")
    a3.set_ylabel("mean −log p")
    a3.set_title("sigmoid output: cross-entropy\na slope everywhere", fontsize=10)
    z = v["sat_z"]
    a4.plot(z, np.abs(v["sat_dmse"]), color=theme.LOSS_KIND["mse"], lw=2, label="|∂MSE/∂z|")
    a4.plot(z, np.abs(v["sat_dce"]), color=theme.LOSS_KIND["ce"], lw=2, label="|∂CE/∂z|")
    a4.axvline(m["wrong_z"], color=theme.MUTED, ls=":")
    a4.set_xlabel("z for a point of label 1 (left: confidently wrong)")
    a4.set_title(f"at z = {m['wrong_z']:g}: |∂MSE/∂z| = {abs(m['wrong_dmse']):.3f},\n"
                 f"|∂CE/∂z| = {abs(m['wrong_dce']):.3f}", fontsize=10)
    a4.legend(fontsize=8)
    fig.tight_layout()


@figure("gradients_softmax", experiments=("gradients_softmax",), size=(12, 3.8))
def softmax(fig):
    """A trained digits model's logits for one image: softmax, temperature, and softmax − y."""
    c = E.load("gradients_softmax")["curves"]
    v, m = c.values, c.meta
    a0, a1, a2, a3 = fig.subplots(1, 4, gridspec_kw={"width_ratios": [0.7, 1, 1, 1]})
    a0.imshow(v["image"], cmap="gray_r")
    a0.set_title(f"test image, label {m['label']}", fontsize=10)
    a0.axis("off")
    k = np.arange(10)
    cols = [theme.ACTIVE if i == m["label"] else theme.MUTED for i in k]
    a1.bar(k, v["logits"][-1], color=cols)
    a1.set_title("logits z (trained)", fontsize=10)
    a1.set_xticks(k)
    from matplotlib.colors import LinearSegmentedColormap

    ramp = LinearSegmentedColormap.from_list("temperature", theme.SURFACE_RAMP)  # cold → hot
    ts = v["temperatures"]
    for i, (t, pt) in enumerate(zip(ts, v["probs_t"])):
        a2.plot(k, pt, "o-", ms=3, lw=1.2, color=ramp(i / max(len(ts) - 1, 1)), label=f"T={t:g}")
    a2.set_xticks(k)
    a2.set_title("softmax(z / T)", fontsize=10)
    a2.legend(fontsize=6)
    g = v["grad"]
    a3.bar(k, g, color=[theme.NEGATIVE if x < 0 else theme.POSITIVE for x in g])
    a3.set_xticks(k)
    a3.set_title(f"∂CE/∂z = softmax − y  (CE = {v['ce'][-1]:.3f})", fontsize=10)
    fig.suptitle(f"64-32-10 network, test accuracy {m['test_acc']:.1%}", fontsize=10)
    fig.tight_layout()


@figure("gradients_vanishing", experiments=("gradients_vanishing",), size=(12, 4.2))
def vanishing(fig):
    """Per-layer gradient norms at initialisation and training loss, six deep nets."""
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
                    label=f"{contender_label(cn)} (η={m['lr'][cn]:g})")
    a1.set_xlabel("layer l (1 = next to the input)")
    a1.set_ylabel(r"$\|\partial J/\partial W_l\|$ at initialisation")
    a1.set_title("gradient per layer before training", fontsize=10)
    a1.legend(fontsize=7)
    a2.set_xlabel("epoch")
    a2.set_ylabel("training loss")
    a2.set_title(f"each at its best SGD rate of {', '.join(f'{x:g}' for x in v['lrs'])}", fontsize=10)
    a2.legend(fontsize=7)
    fig.tight_layout()


@figure("gradients_normalization", experiments=("gradients_normalization",), size=(15, 4.2))
def normalization(fig):
    """Deep sigmoid net with and without batch / layer norm: pre-activation bands, spread, loss."""
    c = E.load("gradients_normalization")["curves"]
    v, m = c.values, c.meta
    variants = c.config["variants"]
    axes = fig.subplots(1, 4)
    edge = m["flat_edge"]
    for ax, name in zip(axes, ("plain", "batch")):
        q = v[f"{name}/quant"][-1]  # (H, Q)
        layers = np.arange(1, q.shape[0] + 1)
        ax.axhspan(edge, 8, color=theme.FLAT_ZONE, alpha=0.25, lw=0)
        ax.axhspan(-8, -edge, color=theme.FLAT_ZONE, alpha=0.25, lw=0)
        ax.fill_between(layers, q[:, 0], q[:, -1], color=theme.NORM[name], alpha=0.3)
        ax.fill_between(layers, q[:, 1], q[:, -2], color=theme.NORM[name], alpha=0.6)
        ax.plot(layers, q[:, 2], color=theme.NORM[name], lw=2)
        ax.set_ylim(-8, 8)
        ax.set_xlabel("hidden layer")
        ax.set_title(f"{'no norm' if name == 'plain' else 'batch norm'}: sigmoid inputs u\n"
                     f"after training (5–95 %, 25–75 %)", fontsize=10)
    axes[0].set_ylabel(f"u   (shaded: σ′(u) < {c.config['flat_frac']:.0%} of its peak)")
    ax = axes[2]
    for name in variants:
        sp = v[f"{name}/spread"][0]
        ax.semilogy(np.arange(1, len(sp) + 1), sp, marker="o", ms=3, color=theme.NORM[name],
                    ls="--" if name == "layer" else "-", label=name)
    ax.set_xlabel("hidden layer")
    ax.set_title("spread of u across images\n(at initialisation)", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[3]
    for name in variants:
        e = m["epochs_to_target"][name]
        ax.semilogy(v["epochs"], v[f"{name}/loss"], color=theme.NORM[name], lw=2, ls="--" if name == "layer" else "-",
                    label=f"{name} (η={m['lr'][name]:g}): " + (f"≤ {m['target_loss']:g} at epoch {e}" if e >= 0
                                                                 else "never"))
    ax.axhline(m["target_loss"], color=theme.MUTED, ls=":")
    ax.set_xlabel("epoch")
    ax.set_title("training loss (no norm and layer norm overlap)", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
