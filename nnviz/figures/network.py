"""Still twins of the network scenes, drawn from the same records and theme: the
architecture, a forward pass, one backprop step, decision boundaries over training,
the perceptron on AND / OR / XOR, and dropout's effect on held-out loss."""
from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import theme
from ..display import shown_units, sizes_text
from ..experiments.networks import model_from
from ..perceptron import halfplane_polygon, line_in_box
from . import figure
from .common import decision_boundary, loss_curves


def draw_network(ax, model, theta, *, max_neurons=8, activations=None, edge_values=None, edge_color=None,
                 input_labels=None, output_labels=None, radius=0.18):
    """A network diagram in matplotlib: edges coloured by sign(w) and as wide as |w|
    (or by `edge_values`, e.g. |∂ℓ/∂w|, in one `edge_color`); neurons filled by `activations`
    (a list of per-layer arrays already scaled to [0, 1])."""
    sizes = model.sizes
    L = len(sizes)
    xs = np.linspace(0, 1.8 * (L - 1), L)
    pos = []
    for l, n in enumerate(sizes):
        units, dots = shown_units(n, max_neurons)
        slots = len(units) + (dots is not None)
        ys = (np.arange(slots)[::-1] - (slots - 1) / 2) * 0.75
        keep = [s for s in range(slots) if s != dots]
        pos.append({u: (xs[l], ys[s]) for u, s in zip(units, keep)})
        if dots is not None:
            ax.text(xs[l], ys[dots], "⋮", ha="center", va="center", fontsize=14, color=theme.MUTED)
    vals = edge_values if edge_values is not None else [model.weights(theta, l)[0] for l in range(1, L)]
    scale = np.percentile(np.abs(np.concatenate([v.ravel() for v in vals])), 90) or 1.0
    for l in range(1, L):
        V = vals[l - 1]
        for a, (xa, ya) in pos[l - 1].items():
            for b, (xb, yb) in pos[l].items():
                v = V[a, b]
                f = min(abs(v) / scale, 1.0)
                col = edge_color or (theme.POSITIVE if v >= 0 else theme.NEGATIVE)
                ax.plot([xa, xb], [ya, yb], color=col, lw=0.2 + 2.8 * f, alpha=0.25 + 0.75 * f, zorder=1)
    for l in range(L):
        for u, (x, y) in pos[l].items():
            fill = 0.0 if activations is None or activations[l] is None else float(activations[l][u])
            ax.add_patch(_circle((x, y), radius, fill))
    for labels, l, side in ((input_labels, 0, -1), (output_labels, L - 1, 1)):
        if labels is not None:
            for u, (x, y) in pos[l].items():
                ax.text(x + side * 0.35, y, str(labels[u]), ha="right" if side < 0 else "left", va="center",
                        fontsize=8, color=theme.INK)
    for l in range(1, L):
        ax.text(xs[l], min(y for _, y in pos[l].values()) - 0.7, model.activation(l).glyph, ha="center",
                fontsize=8, color=theme.MUTED)
    ax.set_aspect("equal")
    ax.axis("off")
    return pos


def _circle(center, r, fill):
    from matplotlib.patches import Circle

    # opaque (ACTIVE blended over the paper colour): edges end at the rim instead of showing through
    face = tuple((1 - fill) * p + fill * a for p, a in zip(_rgb01(theme.PAPER), _rgb01(theme.ACTIVE)))
    return Circle(center, r, facecolor=face, edgecolor=theme.INK, lw=0.8, zorder=3)


def _rgb01(h):
    h = h.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _fills(model, rec):
    out = []
    for l in range(model.n_layers + 1):
        a = rec.activation(l)
        act = None if l == 0 else model.activation(l).name
        out.append((a + 1) / 2 if act == "tanh" else np.clip(a, 0, 1))
    return out


@figure("network_architecture", experiments=("network_forward",), size=(7, 4.5))
def architecture(fig):
    """The trained digits classifier: 64 inputs, two tanh layers, 10 softmax outputs; edges by sign and |w|."""
    rec = E.load("network_forward")["pass"]
    model = rec.model()
    ax = fig.add_subplot(1, 1, 1)
    draw_network(ax, model, rec.theta, max_neurons=10, output_labels=[str(i) for i in range(10)])
    ax.set_title(f"f: ℝ⁶⁴ → ℝ¹⁰,  ŷ = f(x; θ),  θ ∈ ℝ{str(model.n_params).translate(str.maketrans('0123456789', '⁰¹²³⁴⁵⁶⁷⁸⁹'))}  (blue w > 0, red w < 0)")


@figure("network_forward", experiments=("network_forward",), size=(11, 4))
def forward(fig):
    """One test digit through the network: input image, activations, output probabilities."""
    rec = E.load("network_forward")["pass"]
    model = rec.model()
    a0, a1, a2 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 3, 1.4]})
    a0.imshow(rec.activation(0).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    a0.set_title("input x (8×8)")
    a0.axis("off")
    draw_network(a1, model, rec.theta, max_neurons=10, activations=_fills(model, rec),
                 output_labels=[str(i) for i in range(10)])
    a1.set_title("ŷ = f(x; θ): neurons filled by activation")
    p = rec.activation(model.n_layers)
    true = int(np.argmax(rec.y))
    a2.barh(np.arange(10), p, color=[theme.ACTIVE if i == int(np.argmax(p)) else theme.MUTED for i in range(10)])
    a2.set_yticks(np.arange(10))
    a2.invert_yaxis()
    a2.set_xlim(0, 1)
    a2.set_title(f"P(class)  (true: {true})")


@figure("network_backprop", experiments=("network_backprop",), size=(11, 3.8))
def backprop(fig):
    """One example's gradients (edge width = |∂ℓ/∂w|) and the edges before/after θ ← θ − η∇ℓ."""
    rec = E.load("network_backprop")["pass"]
    model = rec.model()
    axes = fig.subplots(1, 3)
    names = [f"x{i + 1}" for i in range(model.sizes[0])]
    draw_network(axes[0], model, rec.theta, activations=_fills(model, rec), input_labels=names,
                 output_labels=[f"{p:.2f}" for p in rec.activation(model.n_layers)])
    axes[0].set_title(f"θ: forward, ℓ = {rec.loss:.3f}")
    grads = [np.abs(model.layout.view(rec.grad, f"W{l}")) for l in range(1, model.n_layers + 1)]
    draw_network(axes[1], model, rec.theta, edge_values=grads, edge_color=theme.GRADIENT, input_labels=names)
    axes[1].set_title("|∂ℓ/∂w| from the backward pass")
    draw_network(axes[2], model, rec.theta_next, input_labels=names,
                 output_labels=[f"{p:.2f}" for p in rec.meta["output_next"]])
    axes[2].set_title(f"θ − {rec.lr:g}·∇ℓ: ℓ = {rec.meta['loss_next']:.3f}")


def _training(fig, key):
    recs = E.load(f"network_training_{key}")
    run, bd = recs["run"], recs["boundary"]
    ks = np.unique(np.linspace(0, len(bd.steps) - 1, 4).round().astype(int))
    # a spacer column: the log axis's tick labels ran over the last boundary panel
    axes = list(fig.subplots(1, len(ks) + 2, gridspec_kw={"width_ratios": [1] * len(ks) + [0.3, 1.2]}))
    axes.pop(-2).axis("off")
    for ax, k in zip(axes, ks):
        decision_boundary(ax, bd.xs, bd.ys, bd.prob[k], bd.X, bd.labels)
        ax.set_title(f"step {bd.steps[k]}")
        ax.set_xticks([])
        ax.set_yticks([])
    loss_curves(axes[-1], {"train loss": run.loss}, colors={"train loss": theme.INK}, log_y=True)
    axes[-1].set_title(f"{sizes_text(model_from(run.config['problem']['model']).sizes)} net")


@figure("network_training_xor", experiments=("network_training_xor",), size=(13, 3))
def training_xor(fig):
    """Decision boundary over training on XOR (2-4-1), and the loss."""
    _training(fig, "xor")


@figure("network_training_moons", experiments=("network_training_moons",), size=(13, 3))
def training_moons(fig):
    """Decision boundary over training on two moons (2-8-8-1), and the loss."""
    _training(fig, "moons")


@figure("network_training_spirals", experiments=("network_training_spirals",), size=(13, 3))
def training_spirals(fig):
    """Decision boundary over training on spirals (2-16-16-1), and the loss."""
    _training(fig, "spirals")


def _perceptron_panel(ax, rec, title):
    box = (-0.5, 1.5, -0.5, 1.5)
    poly = halfplane_polygon(rec.w[-1], rec.b[-1], box)
    if len(poly) >= 3:
        ax.fill(poly[:, 0], poly[:, 1], color=theme.CLASS[1], alpha=0.15, lw=0)
    seg = line_in_box(rec.w[-1], rec.b[-1], box)
    if seg is not None:
        ax.plot([seg[0][0], seg[1][0]], [seg[0][1], seg[1][1]], color=theme.INK, lw=1.5)
    else:  # an empty panel would look like a drawing error: say where the line went
        side = int(float(np.asarray(rec.w[-1], float) @ [0.5, 0.5] + rec.b[-1]) >= 0)
        ax.text(0.5, 0.5, f"final line outside this view:\nall points predicted class {side}", ha="center",
                va="center", fontsize=8, color=theme.CLASS[side], transform=ax.transAxes)
    ax.scatter(rec.X[:, 0], rec.X[:, 1], s=80, c=[theme.CLASS[int(c)] for c in rec.y], edgecolor=theme.INK, zorder=3)
    ax.set_xlim(box[:2])
    ax.set_ylim(box[2:])
    ax.set_aspect("equal")
    status = f"solved in {rec.converged_at + 1} epochs" if rec.converged_at >= 0 else \
        f"{rec.errors[-1]} mistakes after {len(rec.errors)} epochs"
    ax.set_title(f"{title}: {status}", fontsize=9)


@figure("network_perceptron", experiments=("perceptron_and", "perceptron_or", "perceptron_xor", "perceptron_xor_net"),
        size=(13, 3.4))
def perceptron(fig):
    """The perceptron trick solves AND and OR, never XOR; a 2-2-1 network does."""
    axes = fig.subplots(1, 4, gridspec_kw={"wspace": 0.3})  # neighbouring tick labels touched
    for ax, gate in zip(axes, ("and", "or", "xor")):
        _perceptron_panel(ax, E.load(f"perceptron_{gate}")["perceptron"], gate.upper())
    recs = E.load("perceptron_xor_net")
    run, bd = recs["run"], recs["boundary"]
    decision_boundary(axes[3], bd.xs, bd.ys, bd.prob[-1], bd.X, bd.labels)
    W, b = model_from(run.config["problem"]["model"]).weights(run.thetas[-1], 1)
    for u in range(W.shape[1]):
        seg = line_in_box(W[:, u], b[u], (bd.xs[0], bd.xs[-1], bd.ys[0], bd.ys[-1]))
        if seg is not None:
            axes[3].plot([seg[0][0], seg[1][0]], [seg[0][1], seg[1][1]], "--", color=theme.ACTIVE, lw=1.5)
    axes[3].set_aspect("equal")
    axes[3].set_title(f"2-2-1 net on XOR: accuracy {run.train_acc[-1]:.0%}", fontsize=9)


@figure("network_dropout", experiments=("network_dropout",), size=(12, 3.6))
def dropout(fig):
    """Same 2-32-32-1 net on 40 noisy points without / with dropout: boundaries and train vs test loss."""
    recs = E.load("network_dropout")
    p = float(recs["masks"].config["dropout"])
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1, 1, 0.25, 1.6]})
    for ax, tag, name in ((axes[0], "plain", "no dropout"), (axes[1], "dropout", f"dropout p={p:g}")):
        bd = recs[f"boundary_{tag}"]
        decision_boundary(ax, bd.xs, bd.ys, bd.prob[-1], bd.X, bd.labels)
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[2].axis("off")
    series, colors, steps = {}, {}, {}
    for tag, col in (("plain", theme.NEGATIVE), ("dropout", theme.POSITIVE)):
        r = recs[f"run_{tag}"]
        for split, ls in (("train", "train_loss"), ("test", "test_loss")):
            key = f"{tag} · {split}"
            series[key], colors[key], steps[key] = getattr(r, ls), col, r.eval_steps
    loss_curves(axes[3], series, colors=colors, steps=steps, log_y=True)
    for line in axes[3].lines:
        if "train" in (line.get_label() or ""):
            line.set_linestyle("--")
    axes[3].legend(fontsize=7)
    axes[3].set_title("train (dashed) vs test loss")
