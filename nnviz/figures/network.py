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


def draw_network(ax, model, theta, *, max_neurons=8, activations=None, edge_values=None, gradient=False,
                 input_labels=None, output_labels=None, radius=0.18, fill_gradient=False, strong=None, dx=1.8):
    """A network diagram in matplotlib, in the animation's palette: edges coloured by sign(w) and as
    wide as |w| (or by `edge_values`, e.g. ∂ℓ/∂w with `gradient=True`: coral > 0, violet < 0);
    neurons filled by `activations` (per-layer arrays already scaled to [−1, 1]: blue > 0, red < 0;
    gradient colours with `fill_gradient`). `strong=k` (or one k per edge layer): only each unit's k
    largest |value| incoming edges in full, the rest as faint hairlines (as the animation's
    `strong_per_neuron`). `max_neurons` may be one number per layer."""
    sizes = model.sizes
    L = len(sizes)
    xs = np.linspace(0, dx * (L - 1), L)
    pos = []
    maxn = [max_neurons] * L if np.isscalar(max_neurons) else list(max_neurons)
    for l, n in enumerate(sizes):
        units, dots = shown_units(n, maxn[l])
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
        keep = None
        k = strong if strong is None or np.isscalar(strong) else list(strong)[l - 1]
        if k:
            src = list(pos[l - 1])
            keep = {(src[i], b) for b in pos[l]
                    for i in np.argsort(-np.abs(V[src, b]), kind="stable")[:k]}
        for a, (xa, ya) in pos[l - 1].items():
            for b, (xb, yb) in pos[l].items():
                v = V[a, b]
                f = min(abs(v) / scale, 1.0)
                if keep is not None and (a, b) not in keep:
                    ax.plot([xa, xb], [ya, yb], color=theme.POSITIVE if v >= 0 else theme.NEGATIVE, lw=0.3,
                            alpha=0.15, zorder=1)
                    continue
                if gradient:
                    col = theme.GRADIENT if v >= 0 else theme.GRADIENT_NEGATIVE
                else:
                    col = theme.POSITIVE if v >= 0 else theme.NEGATIVE
                ax.plot([xa, xb], [ya, yb], color=col, lw=0.2 + 2.8 * f, alpha=0.25 + 0.75 * f, zorder=1)
    for l in range(L):
        for u, (x, y) in pos[l].items():
            fill = 0.0 if activations is None or activations[l] is None else float(activations[l][u])
            ax.add_patch(_circle((x, y), radius, fill, fill_gradient))
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


def _circle(center, r, fill, gradient=False):
    from matplotlib.patches import Circle

    # signed fill as in the animation (blue > 0, red < 0; coral / violet for gradients), blended over
    # the paper colour so the disc stays opaque and edges end at the rim
    pos, neg = (theme.GRADIENT, theme.GRADIENT_NEGATIVE) if gradient else (theme.POSITIVE, theme.NEGATIVE)
    col = _rgb01(pos if fill >= 0 else neg)
    f = min(abs(fill), 1.0)
    face = tuple((1 - f) * p + f * a for p, a in zip(_rgb01(theme.PAPER), col))
    return Circle(center, r, facecolor=face, edgecolor=theme.INK, lw=0.8, zorder=3)


def _rgb01(h):
    h = h.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _fills(model, rec):
    """Signed fills in [−1, 1]: tanh, σ, softmax and pixel values are already in range."""
    return [np.clip(rec.activation(l), -1, 1) for l in range(model.n_layers + 1)]


@figure("network_architecture", experiments=("network_forward",), size=(7, 4.5))
def architecture(fig):
    """The trained digits classifier: 64 inputs, two tanh layers, 10 softmax outputs; edges by sign and |w|."""
    rec = E.load("network_forward")["pass"]
    model = rec.model()
    ax = fig.add_subplot(1, 1, 1)
    pos = draw_network(ax, model, rec.theta, max_neurons=[8, 8, 8, 10], output_labels=[str(i) for i in range(10)],
                       strong=(2, 2, 1), dx=3.0)
    s = model.sizes
    names = [f"{s[0]} inputs"] + [f"{n} units" for n in s[1:-1]] + [f"{s[-1]} outputs"]
    top = max(y for p in pos for _, y in p.values()) + 0.55
    low = min(y for p in pos for _, y in p.values()) - 1.25
    for l, nm in enumerate(names):
        x = next(iter(pos[l].values()))[0]
        ax.text(x, top, nm, ha="center", va="bottom", fontsize=10, color=theme.INK)
        if l:
            xm = (x + next(iter(pos[l - 1].values()))[0]) / 2
            ax.text(xm, low, f"{s[l - 1]}×{s[l]}+{s[l]}\n= {s[l - 1] * s[l] + s[l]:,}", ha="center", va="top",
                    fontsize=9, color=theme.MUTED)
    ax.set_ylim(low - 1.0, top + 0.6)
    ax.set_title(rf"$f:\mathbb{{R}}^{{{s[0]}}}\to\mathbb{{R}}^{{{s[-1]}}},\ \hat y = f(x;\theta),\ "
                 rf"\theta\in\mathbb{{R}}^{{{model.n_params}}}$" "\n"
                 r"blue $w>0$, red $w<0$; bold: each neuron's 2 largest $|w|$ among the drawn inputs"
                 "\n(1 per output), the rest faint; ⋮ = units not drawn", fontsize=10)


@figure("network_forward", experiments=("network_forward",), size=(11, 4))
def forward(fig):
    """One test digit through the network: input image, activations, output probabilities."""
    rec = E.load("network_forward")["pass"]
    model = rec.model()
    a0, a1, a2 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 3, 1.4]})
    a0.imshow(rec.activation(0).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    a0.set_title(r"input $x$ (8×8 pixels = 64 inputs)")
    a0.axis("off")
    draw_network(a1, model, rec.theta, max_neurons=[8, 8, 8, 10], activations=_fills(model, rec),
                 output_labels=[str(i) for i in range(10)], strong=(2, 2, 1))
    a1.set_title(r"$\hat y = f(x;\theta)$: neurons filled by this digit's activation (blue $>0$, red $<0$)"
                 "\n" r"edges: the weights (sign by colour; bold = each neuron's largest $|w|$)", fontsize=10)
    p = rec.activation(model.n_layers)
    true = int(np.argmax(rec.y))
    a2.barh(np.arange(10), p, color=[theme.ACTIVE if i == int(np.argmax(p)) else theme.MUTED for i in range(10)])
    a2.set_yticks(np.arange(10))
    a2.invert_yaxis()
    a2.set_xlim(0, 1)
    a2.set_title(f"P(class)  (true: {true})")


@figure("network_backprop", experiments=("network_backprop",), size=(13, 3.6))
def backprop(fig):
    """One example: forward, δ and signed ∂ℓ/∂w from the backward pass, and the edges after θ ← θ − η∇ℓ
    with this example's loss and the mean loss over all training points before/after."""
    rec = E.load("network_backprop")["pass"]
    model = rec.model()
    axes = fig.subplots(1, 3)
    names = [rf"$x_{i + 1}$" for i in range(model.sizes[0])]
    draw_network(axes[0], model, rec.theta, activations=_fills(model, rec), input_labels=names,
                 output_labels=[f"{p:.2f}" for p in rec.activation(model.n_layers)])
    axes[0].set_title(rf"forward: $\ell = {rec.loss:.3f}$", fontsize=10)
    grads = [model.layout.view(rec.grad, f"W{l}") for l in range(1, model.n_layers + 1)]
    dscale = max(float(np.max(np.abs(rec.deltas[f"d{l}"]))) for l in range(1, model.n_layers + 1))
    deltas = [None] + [rec.deltas[f"d{l}"][0] / dscale for l in range(1, model.n_layers + 1)]
    draw_network(axes[1], model, rec.theta, edge_values=grads, gradient=True, input_labels=names,
                 activations=deltas, fill_gradient=True)
    axes[1].set_title(r"backward: $\delta=\partial\ell/\partial z$ on neurons," "\n"
                      r"$\partial\ell/\partial w=\delta_j a_i$ on edges (coral $>0$, violet $<0$)", fontsize=9)
    draw_network(axes[2], model, rec.theta_next, input_labels=names,
                 output_labels=[f"{p:.2f}" for p in rec.meta["output_next"]])
    axes[2].set_title(rf"after $\theta - {rec.lr:g}\,\nabla\ell$: this example $\ell$ {rec.loss:.3f} → "
                      f"{rec.meta['loss_next']:.3f},\n" rf"all {len(rec.batch_X)} training points: mean $\ell$ "
                      f"{rec.batch_loss:.3f} → {rec.batch_loss_next:.3f}", fontsize=9)
    # below every panel's layer names (a figure-level label gets its own room in the layout)
    fig.supxlabel("one example's step can hurt the others → training averages ∂ℓ/∂θ over many examples",
                  fontsize=10, color=theme.INK)


def snapshot_frames(steps, targets=(0, 30, 100, 300)) -> list[int]:
    """Recorded frames nearest to log-spaced steps (0, 30, 100, 300, …) plus the last one: early
    training changes fast, so equal step intervals would waste most panels on the settled end."""
    steps = np.asarray(steps)
    ks = [int(np.argmin(np.abs(steps - t))) for t in targets if t < steps[-1]] + [len(steps) - 1]
    return sorted(set(ks))


def _training(fig, key, targets=(0, 30, 100, 300)):
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    recs = E.load(f"network_training_{key}")
    run, bd = recs["run"], recs["boundary"]
    ks = snapshot_frames(bd.steps, targets)
    # a spacer column: the log axis's tick labels ran over the last boundary panel
    axes = list(fig.subplots(1, len(ks) + 2, gridspec_kw={"width_ratios": [1] * len(ks) + [0.3, 1.4]}))
    axes.pop(-2).axis("off")
    for ax, k in zip(axes, ks):
        decision_boundary(ax, bd.xs, bd.ys, bd.prob[k], bd.X, bd.labels)
        ax.set_box_aspect(1)                               # the input plane is square, as in the video
        ax.set_title(f"step {bd.steps[k]}" + ("  (untrained)" if bd.steps[k] == 0 else ""), fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    loss_curves(axes[-1], {"train loss": run.loss}, colors={"train loss": theme.SPLIT["train"]}, log_y=True,
                legend=False)
    lo, hi = axes[-1].get_ylim()                            # no "6×10⁻¹" minor labels crowding the axis:
    if np.log10(hi / lo) < 2:                               # short ranges get 0.02, 0.05, 0.1, … instead
        axes[-1].yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axes[-1].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axes[-1].yaxis.set_minor_formatter(NullFormatter())
    for k in ks:                                           # where the snapshots were taken
        axes[-1].axvline(bd.steps[k], color=theme.MUTED, lw=0.6, ls=":")
    axes[-1].set_title(f"{sizes_text(model_from(run.config['problem']['model']).sizes)} net: loss", fontsize=10)


@figure("network_training_xor", experiments=("network_training_xor",), size=(13, 3))
def training_xor(fig):
    """Decision boundary over training on XOR (2-4-1), and the loss."""
    _training(fig, "xor", targets=(0, 10, 30, 100))


@figure("network_training_moons", experiments=("network_training_moons",), size=(13, 3))
def training_moons(fig):
    """Decision boundary over training on two moons (2-8-8-1), and the loss."""
    _training(fig, "moons", targets=(0, 10, 30, 100))


@figure("network_training_spirals", experiments=("network_training_spirals",), size=(13, 3))
def training_spirals(fig):
    """Decision boundary over training on spirals (2-16-16-1), and the loss."""
    _training(fig, "spirals")


def _perceptron_panel(ax, rec, title, box=(-0.5, 1.5, -0.5, 1.5)):
    for cls, (w, b) in ((0, (-np.asarray(rec.w[-1], float), -rec.b[-1])), (1, (rec.w[-1], rec.b[-1]))):
        poly = halfplane_polygon(w, b, box)      # both sides tinted by the class predicted there
        if len(poly) >= 3:
            ax.fill(poly[:, 0], poly[:, 1], color=theme.CLASS[cls], alpha=0.15, lw=0)
    seg = line_in_box(rec.w[-1], rec.b[-1], box)
    if seg is not None:
        ax.plot([seg[0][0], seg[1][0]], [seg[0][1], seg[1][1]], color=theme.INK, lw=1.5)
    else:  # an empty panel would look like a drawing error: say where the line went
        side = int(float(np.asarray(rec.w[-1], float) @ [0.5, 0.5] + rec.b[-1]) >= 0)
        ax.text(0.5, 0.97, f"final line off the view: all → class {side}", ha="center",
                va="top", fontsize=8, color=theme.CLASS[side], transform=ax.transAxes)
    ax.scatter(rec.X[:, 0], rec.X[:, 1], s=80, c=[theme.CLASS[int(c)] for c in rec.y], edgecolor=theme.INK, zorder=3)
    w, b = np.asarray(rec.w[-1], float), float(rec.b[-1])
    c = np.array([(box[0] + box[1]) / 2, (box[2] + box[3]) / 2])
    if w @ w > 1e-12 and seg is not None:   # w as the line's normal, as in the animation
        foot = c - (w @ c + b) / (w @ w) * w
        d = 0.3 * (box[1] - box[0]) * w / np.linalg.norm(np.asarray(rec.w, float), axis=1).max()
        ax.annotate("", xy=foot + d, xytext=foot, arrowprops=dict(arrowstyle="-|>", color=theme.INK, lw=1.8), zorder=4)
        ax.text(*(foot + 1.15 * d), "$w$", fontsize=11, color=theme.INK, ha="center", va="center")
    ax.set_xlim(box[:2])
    ax.set_ylim(box[2:])
    ax.set_aspect("equal")
    if rec.converged_at < 0 and len(rec.X) == 4:    # XOR: the classes sit on crossing diagonals
        for c in (0, 1):
            P = rec.X[np.asarray(rec.y).reshape(-1) == c]
            ax.plot(P[:, 0], P[:, 1], ls=":", lw=2, color=theme.CLASS[c], zorder=2)
        ax.set_xlabel("the diagonals cross: no line puts both blue\non one side and both red on the other",
                      fontsize=8, color=theme.INK)
    errs = " ".join(str(int(e)) for e in rec.errors)
    status = (f"no mistakes in epoch {rec.converged_at + 1}" if rec.converged_at >= 0 else
              f"never 0 mistakes in {len(rec.errors)} epochs")
    ax.set_title(f"{title}: {status}\nmistakes per epoch: {errs}", fontsize=9)


@figure("network_perceptron", experiments=("perceptron_and", "perceptron_or", "perceptron_xor", "perceptron_xor_net"),
        size=(13, 3.4))
def perceptron(fig):
    """The perceptron trick solves AND and OR, never XOR; a 2-2-1 network does."""
    axes = fig.subplots(1, 4, gridspec_kw={"wspace": 0.3})  # neighbouring tick labels touched
    for ax, gate in zip(axes, ("and", "or", "xor")):   # the animation's plot ranges
        box = (-0.25, 1.25, -0.25, 1.25) if gate == "xor" else (-0.5, 1.5, -0.5, 1.5)
        _perceptron_panel(ax, E.load(f"perceptron_{gate}")["perceptron"], gate.upper(), box)
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


@figure("network_dropout", experiments=("network_dropout",), size=(12, 4.4))
def dropout(fig):
    """Same 2-32-32-1 net on 40 noisy points without / with dropout: boundaries (the training points
    only the plain net fits, circled), and each run's train (solid) vs test (dashed) loss in the
    animation's colours, the plain run's lowest test loss marked (early stopping); legends beside
    the data, not on it. The numbers are the animation's (networks.dropout_summary)."""
    from ..experiments.networks import dropout_summary

    recs = E.load("network_dropout")
    facts = dropout_summary(recs)
    p = float(recs["masks"].config["dropout"])
    axes = fig.subplots(1, 5, gridspec_kw={"width_ratios": [1.25, 1.25, 0.08, 1, 1], "wspace": 0.3})
    axes[2].axis("off")
    allv = np.concatenate([recs[f"run_{t}"].train_loss for t in ("plain", "dropout")]
                          + [recs[f"run_{t}"].test_loss for t in ("plain", "dropout")])
    shorter = 1 - facts["dropout"]["cells"] / facts["plain"]["cells"]
    for ax, lax, tag, name, says in ((axes[0], axes[3], "plain", "no dropout", "bends round the circled points"),
                                     (axes[1], axes[4], "dropout", f"dropout $p={p:g}$",
                                      f"boundary {shorter:.0%} shorter")):
        bd, r = recs[f"boundary_{tag}"], recs[f"run_{tag}"]
        decision_boundary(ax, bd.xs, bd.ys, bd.prob[-1], bd.X, bd.labels)
        ax.scatter(bd.X[facts["bent"], 0], bd.X[facts["bent"], 1], s=260, facecolors="none",
                   edgecolors=theme.VALUE_INK, linewidths=2, zorder=4)
        ax.set_box_aspect(1)
        ax.set_title(f"{name}\n{says}", fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])
        loss_curves(lax, {"train": r.train_loss, "test": r.test_loss},
                    colors={"train": theme.SPLIT["train"], "test": theme.SPLIT["test"]},
                    steps={"train": r.eval_steps, "test": r.eval_steps}, log_y=False, legend=False)
        lax.lines[1].set_linestyle("--")
        lax.set_ylim(0, float(np.nanmax(allv)) * 1.05)
    for lax, tag in ((axes[3], "plain"), (axes[4], "dropout")):     # each run's lowest test loss, ringed
        f = facts[tag]
        lax.plot([f["best_step"]], [f["best_test"]], "o", mfc="none", mec=theme.INK, ms=11, mew=1.8, zorder=5)
        lax.set_title(f"test loss: lowest {f['best_test']:.2f}\n(step {f['best_step']}), end {f['final_test']:.2f}",
                      fontsize=10)
    axes[4].legend(handles=axes[4].lines[:3],
                   labels=["train loss", f"test loss ({len(recs['boundary_plain'].X_test)} held-out points)",
                           "lowest test loss: both reach\nabout the same; without dropout\nyou must stop in time"],
                   fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
