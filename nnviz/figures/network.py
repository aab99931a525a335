"""Still twins of the network scenes, drawn from the same records and theme: the
architecture with one neuron's sum, a forward pass, one backprop step with its numbers,
decision boundaries over training, the perceptron on AND / OR / XOR, and dropout's effect
on held-out loss. Every number a still prints comes from a `*_numbers(records)` helper here,
which the claim tests recompute from the records."""
from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import theme
from ..display import fixed, neuron_sum, shown_units, signed, sizes_text
from ..experiments.networks import model_from
from ..perceptron import halfplane_polygon, line_in_box
from . import figure
from .common import decision_boundary

TEXT = 10          # body text of the network stills, in pt (the figures are ≤ 10 in wide)


def draw_network(ax, model, theta, *, max_neurons=8, units=None, activations=None, edge_values=None,
                 gradient=False, input_labels=None, output_labels=None, radius=0.18, fill_gradient=False,
                 strong=None, dx=1.8, label_size=TEXT, glyphs=True, per_layer=False, grey_inputs=False):
    """A network diagram in matplotlib, in the animation's palette: edges coloured by sign(w) and as
    wide as |w| (or by `edge_values`, e.g. ∂ℓ/∂w with `gradient=True`: coral > 0, violet < 0; a NaN
    value draws that edge as a faint hairline); neurons filled by `activations` (per-layer arrays
    already scaled to [−1, 1]: blue > 0, red < 0; gradient colours with `fill_gradient`).
    `strong=k` (or one k per edge layer): only each unit's k largest |value| incoming edges in full,
    the rest as faint hairlines (as the animation's `strong_per_neuron`). `max_neurons` may be one
    number per layer; `units` (one list or None per layer) names the units a layer draws instead,
    with a "⋮" slot in the middle for the rest. `per_layer`: widths relative to each layer's largest
    drawn |value| (weak edges fade out), not to the 90th percentile of all. Returns each layer's
    {unit: (x, y)}. `grey_inputs`: the input layer filled in grey like pixel ink (0 white, 1 dark), so
    blue / red keep meaning the sign of a value."""
    sizes = model.sizes
    L = len(sizes)
    xs = np.linspace(0, dx * (L - 1), L)
    pos = []
    maxn = [max_neurons] * L if np.isscalar(max_neurons) else list(max_neurons)
    units = units or [None] * L
    for l, n in enumerate(sizes):
        if units[l] is not None:
            shown = sorted(int(u) for u in units[l])
            dots = len(shown) // 2 if len(shown) < n else None
        else:
            shown, dots = shown_units(n, maxn[l])
        slots = len(shown) + (dots is not None)
        ys = (np.arange(slots)[::-1] - (slots - 1) / 2) * 0.75
        keep = [s for s in range(slots) if s != dots]
        pos.append({u: (xs[l], ys[s]) for u, s in zip(shown, keep)})
        if dots is not None:
            ax.text(xs[l], ys[dots], "⋮", ha="center", va="center", fontsize=14, color=theme.INK)
    vals = edge_values if edge_values is not None else [model.weights(theta, l)[0] for l in range(1, L)]
    scale = np.nanpercentile(np.abs(np.concatenate([np.ravel(v) for v in vals])), 90) or 1.0
    for l in range(1, L):
        V = np.asarray(vals[l - 1], float)
        if per_layer:
            scale = float(np.nanmax(np.abs(V[np.ix_(list(pos[l - 1]), list(pos[l]))]))) or 1.0
        keep = None
        k = strong if strong is None or np.isscalar(strong) else list(strong)[l - 1]
        if k:
            src = list(pos[l - 1])
            keep = {(src[i], b) for b in pos[l]
                    for i in np.argsort(-np.abs(V[src, b]), kind="stable")[:k]}
        for a, (xa, ya) in pos[l - 1].items():
            for b, (xb, yb) in pos[l].items():
                v = V[a, b]
                if not np.isfinite(v) or (keep is not None and (a, b) not in keep):
                    grey = not np.isfinite(v)
                    ax.plot([xa, xb], [ya, yb], color=theme.MUTED if grey else
                            (theme.POSITIVE if v >= 0 else theme.NEGATIVE), lw=0.4 if grey else 0.3,
                            alpha=0.2 if grey else 0.15, zorder=1)
                    continue
                f = min(abs(v) / scale, 1.0)
                if per_layer and f < 0.25:                 # weak pushes: hairlines
                    ax.plot([xa, xb], [ya, yb], color=theme.POSITIVE if v >= 0 else theme.NEGATIVE, lw=0.3,
                            alpha=0.12, zorder=1)
                    continue
                if gradient:
                    col = theme.GRADIENT if v >= 0 else theme.GRADIENT_NEGATIVE
                else:
                    col = theme.POSITIVE if v >= 0 else theme.NEGATIVE
                ax.plot([xa, xb], [ya, yb], color=col, lw=0.2 + 2.8 * f, alpha=0.25 + 0.75 * f, zorder=1)
    for l in range(L):
        for u, (x, y) in pos[l].items():
            fill = 0.0 if activations is None or activations[l] is None else float(activations[l][u])
            ax.add_patch(_circle((x, y), radius, fill, fill_gradient, grey=grey_inputs and l == 0))
    for labels, l, side in ((input_labels, 0, -1), (output_labels, L - 1, 1)):
        if labels is not None:
            for u, (x, y) in pos[l].items():
                ax.text(x + side * 0.36, y, str(labels[u]), ha="right" if side < 0 else "left", va="center",
                        fontsize=label_size, color=theme.INK)
    if glyphs:
        for l in range(1, L):
            ax.text(xs[l], min(y for _, y in pos[l].values()) - 0.45, model.activation(l).glyph, ha="center",
                    va="top", fontsize=label_size, color=theme.INK)
    ax.set_aspect("equal")
    ax.axis("off")
    return pos


def _circle(center, r, fill, gradient=False, edge=None, lw=0.8, grey=False):
    from matplotlib.patches import Circle

    # signed fill as in the animation (blue > 0, red < 0; coral / violet for gradients), blended over
    # the paper colour so the disc stays opaque and edges end at the rim
    pos, neg = (theme.GRADIENT, theme.GRADIENT_NEGATIVE) if gradient else (theme.POSITIVE, theme.NEGATIVE)
    col = _rgb01(theme.INK if grey else pos if fill >= 0 else neg)
    f = min(abs(fill), 1.0) * (0.85 if grey else 1.0)
    face = tuple((1 - f) * p + f * a for p, a in zip(_rgb01(theme.PAPER), col))
    return Circle(center, r, facecolor=face, edgecolor=edge or theme.INK, lw=lw, zorder=3)


def _rgb01(h):
    h = h.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _fills(model, rec):
    """Signed fills in [−1, 1]: tanh, σ, softmax and pixel values are already in range."""
    return [np.clip(rec.activation(l), -1, 1) for l in range(model.n_layers + 1)]


def _signed_map(lo=None, hi=None):
    """white → blue for values ≥ 0 (pixels, P) or red ← white → blue for signed values, as node fills."""
    from matplotlib.colors import LinearSegmentedColormap

    if lo is None:
        return LinearSegmentedColormap.from_list("nnviz_pos", [theme.PAPER, theme.POSITIVE])
    return LinearSegmentedColormap.from_list("nnviz_signed", [theme.NEGATIVE, theme.PAPER, theme.POSITIVE])


def _ink_map():
    """Pixel ink: white (0) → dark grey (1), the input nodes' grey fill."""
    from matplotlib.colors import LinearSegmentedColormap

    ink = _rgb01(theme.INK)
    return LinearSegmentedColormap.from_list("nnviz_ink", [_rgb01(theme.PAPER),
                                                            tuple(0.15 + 0.85 * c for c in ink)])


def _ring(ax, xy, r, color=None, lw=2.2):
    from matplotlib.patches import Circle

    ax.add_patch(Circle(xy, r, facecolor="none", edgecolor=color or theme.VALUE_INK, lw=lw, zorder=4))


def _digit(ax, x, drawn, title, cmap=None):
    """The 8×8 digit as the input layer sees it (pixel value 0 … 1, the input nodes' fill), framed
    with its pixel grid; the pixels the diagram draws as input nodes are outlined."""
    from matplotlib.patches import Rectangle

    side = int(round(np.sqrt(x.size)))
    ax.imshow(x.reshape(side, side), cmap=cmap or _ink_map(), vmin=0, vmax=1)
    for t in np.arange(side + 1) - 0.5:
        ax.plot([t, t], [-0.5, side - 0.5], color=theme.FIGURE_GRID, lw=0.5)
        ax.plot([-0.5, side - 0.5], [t, t], color=theme.FIGURE_GRID, lw=0.5)
    ax.add_patch(Rectangle((-0.5, -0.5), side, side, fill=False, edgecolor=theme.INK, lw=1.0))
    for i in drawn:
        ax.add_patch(Rectangle((i % side - 0.5, i // side - 0.5), 1, 1, fill=False, edgecolor=theme.INK, lw=1.6,
                               zorder=3))
    ax.set_title(title, fontsize=TEXT)
    ax.set_xlim(-0.6, side - 0.4)
    ax.set_ylim(side - 0.4, -0.6)
    ax.axis("off")


def _wire_pixels(fig, a_img, a_net, pos0, side=8):
    """Thin lines from each outlined pixel to the input node it becomes."""
    from matplotlib.patches import ConnectionPatch

    for i, xy in pos0.items():              # drawn with the diagram (after both axes are laid out)
        a_img.plot([i % side], [i // side], "o", ms=3, color=theme.MUTED, zorder=5)
        a_net.add_artist(ConnectionPatch((i % side, i // side), (xy[0] - 0.2, xy[1]), "data", "data",
                                         axesA=a_img, axesB=a_net, color=theme.MUTED, lw=0.8, alpha=0.9,
                                         zorder=0.5, clip_on=False))


# --- the architecture: what one neuron computes, then every layer with its parameter count ---------
def architecture_numbers(rec, unit=0, k=7, drawn=7) -> dict:
    """The architecture still's numbers: layer-1 unit `unit`'s sum for the recorded digit (its k
    largest terms wᵢxᵢ, the rest, b, z, a = tanh z), the `drawn` inputs it shows (that unit's largest
    terms), and each layer's parameter count n_in·n_out + n_out."""
    model = rec.model()
    W1, b1 = model.weights(rec.theta, 1)
    x = rec.activation(0)
    s = model.sizes
    return {"unit": unit, "sum": neuron_sum(W1[:, unit], x, b1[unit], rec.pre["z1"][0][unit], k=k),
            "a": float(rec.activation(1)[unit]), "weights": W1[:, unit].copy(),
            "inputs": sorted(int(i) for i in np.argsort(-np.abs(W1[:, unit] * x), kind="stable")[:drawn]),
            "params": [a * b + b for a, b in zip(s[:-1], s[1:])], "total": int(model.n_params),
            "p": rec.activation(model.n_layers).copy(), "predicted": int(np.argmax(rec.activation(model.n_layers))),
            "true": int(np.argmax(rec.y))}


def _sum_lines(ns, a, glyph="tanh") -> list[str]:
    lines = [r"ringed unit: $z = \Sigma_i\, w_i x_i + b$", "this digit's largest terms:"]
    lines += [f"{signed(w)} × {xi:.2f} = {signed(p)}   ($x_{{{i + 1}}}$)" for i, w, xi, p in ns["terms"]]
    lines += [f"+ {ns['n_rest']} more terms:  {signed(ns['shown_rest'])}", f"+ bias b:  {signed(ns['b'])}",
              f"z = {signed(ns['z'])}", f"a = {glyph}(z) = {signed(a)}"]
    return lines


@figure("network_architecture", experiments=("network_forward",), size=(10, 6.2))
def architecture(fig):
    """The trained digits classifier: an 8×8 digit's 64 pixels are the inputs; one hidden neuron's
    weighted sum for that digit with the record's numbers (every drawn edge's term), its 64 weights
    as an 8×8 map beside the digit; every layer with its parameter count."""
    from matplotlib.patches import Rectangle

    rec = E.load("network_forward")["pass"]
    model = rec.model()
    s = model.sizes
    nums = architecture_numbers(rec)
    j, ns = nums["unit"], nums["sum"]
    x = rec.activation(0)
    gs = fig.add_gridspec(2, 3, width_ratios=[1.0, 3.1, 1.75], height_ratios=[1, 1], wspace=0.12, hspace=0.45)
    a_img, a_w = fig.add_subplot(gs[0, 0]), fig.add_subplot(gs[1, 0])
    a_net, a_txt = fig.add_subplot(gs[:, 1]), fig.add_subplot(gs[:, 2])
    _digit(a_img, x, nums["inputs"], "one digit: 8×8 pixels\n= 64 inputs")
    W = [model.weights(rec.theta, l)[0] for l in range(1, model.n_layers + 1)]
    first = np.full_like(W[0], np.nan)
    first[:, j] = W[0][:, j]                # only the ringed unit's incoming edges by weight; the rest grey
    acts = [x, np.where(np.arange(s[1]) == j, rec.activation(1), 0.0)] + [None] * (len(s) - 3) + [nums["p"]]
    pos = draw_network(a_net, model, rec.theta, max_neurons=[8, 8, 8, 10], units=[nums["inputs"]] + [None] * 3,
                       edge_values=[first] + [np.full_like(w, np.nan) for w in W[1:]], activations=acts,
                       input_labels=[f"$x_{{{i + 1}}}$" for i in range(s[0])],
                       output_labels=[str(i) for i in range(s[-1])], dx=2.6, glyphs=False, grey_inputs=True)
    _wire_pixels(fig, a_img, a_net, pos[0])
    _ring(a_net, pos[1][j], 0.3)
    top = max(y for p in pos for _, y in p.values()) + 0.45
    low = min(y for p in pos for _, y in p.values()) - 0.4
    names = [f"{s[0]} inputs"] + [f"{n} units\n{model.activation(l + 1).glyph}" for l, n in enumerate(s[1:-1])] \
        + [f"{s[-1]} outputs\n{model.activation(len(s) - 1).glyph}"]
    for l, nm in enumerate(names):
        a_net.text(next(iter(pos[l].values()))[0], top, nm, ha="center", va="bottom", fontsize=TEXT, color=theme.INK)
    for l in range(1, len(s)):
        xm = (next(iter(pos[l].values()))[0] + next(iter(pos[l - 1].values()))[0]) / 2
        a_net.text(xm, low, f"{s[l - 1]}×{s[l]} w\n+ {s[l]} b\n= {nums['params'][l - 1]:,}", ha="center", va="top",
                   fontsize=TEXT, color=theme.INK)
    a_net.text(next(iter(pos[-1].values()))[0] + 0.5, low - 1.75,
               f"θ: {' + '.join(f'{p:,}' for p in nums['params'])} = {nums['total']:,} numbers", ha="right",
               va="top", fontsize=TEXT, color=theme.INK, fontweight="bold")
    a_net.text(-0.9, low - 2.4, "ringed unit's edges: blue $w>0$, red $w<0$, width $|w|$\n"
               f"(its {len(nums['inputs'])} largest terms $w_i x_i$, wired to their pixels)\n"
               "grey: the other connections; ⋮ = units not drawn\n"
               f"fill: the ringed unit's $a$, the outputs' $P$: $f(x)$ predicts {nums['predicted']} "
               f"($P$ = {nums['p'][nums['predicted']]:.2f}), true {nums['true']}",
               ha="left", va="top", fontsize=TEXT, color=theme.INK)
    a_net.set_ylim(low - 4.4, top + 1.0)
    # the ringed unit's 64 weights as the 8×8 picture it responds to, beside the digit it meets
    m = float(np.max(np.abs(nums["weights"])))
    im = a_w.imshow(nums["weights"].reshape(8, 8), cmap=_signed_map(-1, 1), vmin=-m, vmax=m)
    for i in nums["inputs"]:
        a_w.add_patch(Rectangle((i % 8 - 0.5, i // 8 - 0.5), 1, 1, fill=False, edgecolor=theme.INK, lw=1.2))
    a_w.set_title(f"the ringed unit's {s[0]} weights $w$", fontsize=TEXT)
    a_w.text(3.5, 10.4, "term = $w$ × pixel: a strong $w$\non a blank pixel adds 0", ha="center", va="top",
             fontsize=TEXT, color=theme.INK)
    a_w.axis("off")
    cb = fig.colorbar(im, ax=a_w, orientation="horizontal", fraction=0.08, pad=0.04, ticks=[-m, 0, m])
    cb.ax.set_xticklabels([f"{-m:.2f}".replace("-", "−"), "0", f"+{m:.2f}"], fontsize=TEXT)
    cb.outline.set_visible(False)
    a_txt.axis("off")
    for r, line in enumerate(_sum_lines(ns, nums["a"], model.activation(1).glyph)):
        a_txt.text(0.0, 0.93 - r * 0.066, line, transform=a_txt.transAxes, ha="left", va="top", fontsize=TEXT,
                   color=theme.VALUE_INK if r == 0 or line.startswith("a =") else theme.INK,
                   fontweight="bold" if line.startswith(("z =", "a =")) else "normal")
    fig.suptitle(r"A digits classifier is a function $\hat y = f(x;\theta)$, $f:\mathbb{R}^{%d}\to\mathbb{R}^{%d}$"
                 % (s[0], s[-1]), fontsize=12, y=0.97)


# --- the forward pass: this digit's values and each edge's push w·a ----------------------------------
def forward_numbers(rec, drawn=7) -> dict:
    """The forward still's numbers: each edge's contribution w·a for this digit (per edge layer);
    the `drawn` units of each layer before the output that push the next layer hardest (largest
    Σₖ |wⱼₖ aⱼ|); P, the prediction, the true class; and the strongest push into the predicted
    class from the drawn units of the last hidden layer (unit, w, a, w·a)."""
    model = rec.model()
    W = [model.weights(rec.theta, l)[0] for l in range(1, model.n_layers + 1)]
    contrib = [Wl * rec.activation(l)[:, None] for l, Wl in enumerate(W)]
    units = [sorted(int(i) for i in np.argsort(-np.abs(C).sum(axis=1), kind="stable")[:drawn]) for C in contrib]
    p = rec.activation(model.n_layers)
    c = int(np.argmax(p))
    last = units[-1]
    j = last[int(np.argmax(np.abs(contrib[-1][last, c])))]
    a_j = float(rec.activation(model.n_layers - 1)[j])
    L = model.n_layers
    z = rec.pre[f"z{L}"][0]
    b = model.weights(rec.theta, L)[1]
    others = np.setdiff1d(np.arange(len(contrib[-1])), last)
    rivals = [int(k) for k in np.argsort(-z, kind="stable") if k != c][:2]
    return {"inputs": units[0], "units": units, "contrib": contrib, "p": p, "predicted": c,
            "true": int(np.argmax(rec.y)), "push": (j, float(W[-1][j, c]), a_j, float(contrib[-1][j, c])),
            # the winner's logit as a sum: the 7 drawn pushes, the other units' pushes, the bias
            "logit": (float(z[c]), float(contrib[-1][last, c].sum()), float(contrib[-1][others, c].sum()),
                      float(b[c]), int(len(others))),
            "rivals": [(k, float(z[k])) for k in rivals],
            "faint": [int(i) for i in units[0] if rec.activation(0)[i] < 0.3]}


def _fill_key(ax, x0, y0, caption, r=0.13, gradient=False, lo="−1", hi="+1"):
    """Five discs from −1 through 0 to +1 in the diagram's fill colours, with a caption."""
    for k, v in enumerate((-1.0, -0.5, 0.0, 0.5, 1.0)):
        ax.add_patch(_circle((x0 + k * 0.34, y0), r, v, gradient))
    ax.text(x0 - 0.22, y0, lo, ha="right", va="center", fontsize=TEXT, color=theme.INK)
    ax.text(x0 + 4 * 0.34 + 0.22, y0, hi + "  " + caption, ha="left", va="center", fontsize=TEXT, color=theme.INK)


@figure("network_forward", experiments=("network_forward",), size=(10, 6.6))
def forward(fig):
    """One test digit through the network: its pixels become the inputs, each edge drawn as its
    contribution w·a for this digit (each unit's 2 strongest bold; into the outputs only the winner's),
    neurons filled by their values, P as bars at the output nodes."""
    from matplotlib.patches import Rectangle

    rec = E.load("network_forward")["pass"]
    model = rec.model()
    s = model.sizes
    nums = forward_numbers(rec)
    c = nums["predicted"]
    a0, a1 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 3.6], "wspace": 0.08})
    _digit(a0, rec.activation(0), nums["inputs"], "this digit:\n8×8 pixels\n= 64 inputs")
    edges = [C.copy() for C in nums["contrib"]]
    keep = edges[-1][:, c].copy()
    edges[-1][:] = np.nan                      # into the outputs: only the predicted class's pushes
    edges[-1][:, c] = keep
    pos = draw_network(a1, model, rec.theta, max_neurons=[8, 8, 8, 10], units=nums["units"] + [None],
                       activations=[None] + _fills(model, rec)[1:-1] + [None], edge_values=edges,
                       input_labels=[f"$x_{{{i + 1}}}$" for i in range(s[0])],
                       output_labels=[str(i) for i in range(s[-1])], dx=2.3, per_layer=True, grey_inputs=True,
                       strong=(2, 2, None))
    for i, (xy) in pos[0].items():             # the inputs hold their pixel's grey
        a1.add_patch(_circle(xy, 0.18, float(rec.activation(0)[i]), grey=True))
    _wire_pixels(fig, a0, a1, pos[0])
    j, w, a, wa = nums["push"]
    (xj, yj), (xc, yc) = pos[-2][j], pos[-1][c]
    _under(a1, (xj, yj), (xc, yc), lw=6)             # gold: the worked push only, its own blue core on top
    a1.plot([xj, xc], [yj, yc], color=theme.POSITIVE if wa >= 0 else theme.NEGATIVE, lw=2.2, zorder=2.5)
    a1.text(xj, yj + 0.27, f"$a$ = {a:.3f}".replace("-", "−"), ha="center", va="bottom", fontsize=TEXT,
            color=theme.INK, bbox=dict(fc=theme.PAPER, ec="none", pad=0.3), zorder=6)
    p = nums["p"]
    xo = next(iter(pos[-1].values()))[0]
    for k, (x_, y_) in pos[-1].items():         # P as a bar beside each output node (at least a visible tick)
        col = theme.INK if k == c else theme.MUTED
        if p[k] >= 0.005:
            a1.add_patch(Rectangle((x_ + 0.8, y_ - 0.15), max(1.6 * p[k], 0.05), 0.3, color=col, lw=0, zorder=3))
        if p[k] >= 0.01:
            a1.text(x_ + 0.93 + 1.6 * p[k], y_, f"{p[k]:.2f}", ha="left", va="center", fontsize=TEXT, color=theme.INK)
    _ring(a1, pos[-1][c], 0.25, color=theme.INK)
    top = max(y for q in pos for _, y in q.values()) + 0.45
    low = min(y for q in pos for _, y in q.values()) - 0.95
    heads = ["pixels $x$"] + [f"$a$: {n} of {s[l + 1]}" for l, n in enumerate(len(u_) for u_ in nums["units"][1:])]
    for l, h in enumerate(heads):
        a1.text(next(iter(pos[l].values()))[0], top, h, ha="center", va="bottom", fontsize=TEXT, color=theme.INK)
    ok = "right" if c == nums["true"] else "wrong"
    a1.text(xo + 1.1, top, f"$P$(class): predicted {c},\ntrue {nums['true']} ({ok})", ha="center", va="bottom",
            fontsize=TEXT, color=theme.INK)
    xs = [next(iter(q.values()))[0] for q in pos]
    a1.text(xs[0], low, "grey: pixel\n0 … 1", ha="center", va="top", fontsize=TEXT, color=theme.INK)
    _fill_key(a1, (xs[1] + xs[2]) / 2 - 0.68, low - 0.2, "", r=0.11)
    a1.text((xs[1] + xs[2]) / 2, low - 0.45, "fill: $a$ = tanh(z)", ha="center", va="top", fontsize=TEXT,
            color=theme.INK)
    a1.text(xo + 1.1, low, "bar: $P$ 0 … 1", ha="center", va="top", fontsize=TEXT, color=theme.INK)
    zc, dsum, rsum, bc, nr = nums["logit"]
    rv = ", ".join(f"$z_{{{k}}}$ = {zk:+.2f}" for k, zk in nums["rivals"])
    n1 = s[-2] - nr
    rest = round(round(zc, 2) - round(dsum, 2) - round(bc, 2), 2)      # so the line adds up as printed
    lines = [f"shown: per layer the {n1} units pushing the next hardest (largest $\\Sigma|w\\cdot a|$); ⋮ = the rest",
             "edge: $w\\cdot a$, this digit's push (blue up, red down); bold: each unit's 2 strongest",
             f"into the outputs only the pushes into {c} are coloured (grey: the other outputs')",
             f"gold: the strongest push into {c}: ({w:.3f}) × ({a:.3f}) = {wa:+.3f}",
             f"$z_{{{c}}}$ = {dsum:+.2f} (the {n1} drawn) {rest:+.2f} (the other {nr}) {bc:+.2f} (bias) = {zc:+.2f};"
             f"  next: {rv}",
             f"$P$ = softmax($z$): {c}'s score leads the next by {round(zc, 2) - round(nums['rivals'][0][1], 2):.2f}, "
             f"so $P({c})$ = {p[c]:.2f}"]
    a1.text(xs[0] - 0.6, low - 1.25, "\n".join(lines).replace("-", "−").replace("$z_{", "$z_{").replace("−−", "−"),
            ha="left", va="top", fontsize=TEXT, color=theme.INK, linespacing=1.5)
    if nums["faint"]:
        a0.text(3.5, 8.2, f"{', '.join(f'$x_{{{i + 1}}}$' for i in nums['faint'])}: a faint pixel\n"
                "with large weights", ha="center", va="top", fontsize=TEXT, color=theme.INK)
    a1.set_xlim(xs[0] - 0.9, xo + 2.6)
    a1.set_ylim(low - 3.6, top + 1.0)


# --- one backprop step, worked with the record's numbers ---------------------------------------------
def backprop_numbers(rec) -> dict:
    """The backprop still's numbers, one path through the net: the target class t, ŷ_t, ℓ and the
    output δ = ŷ − y; the last hidden layer's unit u with the largest |δ| and δ_u = (1 − a_u²)·Σₖ w_uk δₖ
    with each term w_uk·δₖ; the edge into u (from unit i of the layer before) with the largest
    |∂ℓ/∂w| = δ_u·a_i, its weight before and after w − η·∂ℓ/∂w; this example's P and loss before/after;
    each training point's loss and the mean before/after."""
    model = rec.model()
    L = model.n_layers
    t = int(np.argmax(rec.y[0]))
    dL, dH = rec.deltas[f"d{L}"][0], rec.deltas[f"d{L - 1}"][0]
    aH = rec.activation(L - 1)
    WL = model.layout.view(rec.theta, f"W{L}")
    u = int(np.argmax(np.abs(dH)))
    G = model.layout.view(rec.grad, f"W{L - 1}")
    W = model.layout.view(rec.theta, f"W{L - 1}")
    i = int(np.argmax(np.abs(G[:, u])))
    a_i = float(rec.activation(L - 2)[i])
    return {"target": t, "yhat": float(rec.activation(L)[t]), "loss": float(rec.loss), "delta_out": dL.copy(),
            "hidden": (L - 1, u, float(1 - aH[u] ** 2), float(WL[u] @ dL), float(dH[u])),
            "terms": [(float(WL[u, k]), float(dL[k])) for k in range(len(dL))],
            "edge": (L - 1, i, u, float(dH[u]), a_i, float(G[i, u]), float(W[i, u]), float(W[i, u] - rec.lr * G[i, u])),
            "p": rec.activation(L).copy(), "p_next": np.asarray(rec.meta["output_next"], float),
            "loss_next": float(rec.meta["loss_next"]), "batch": (len(rec.batch_X), rec.batch_loss, rec.batch_loss_next),
            "point_loss": np.asarray(rec.meta["point_loss"], float),
            "point_loss_next": np.asarray(rec.meta["point_loss_next"], float),
            "worse_by_class": [int(np.sum((np.asarray(rec.meta["point_loss_next"]) > np.asarray(rec.meta["point_loss"]))
                                          & (rec.batch_Y.argmax(axis=1) == c))) for c in range(rec.batch_Y.shape[1])]}


def _under(ax, p, q, lw=6):
    """A gold band over the other edges (under the nodes) along p–q: an edge of the worked path."""
    ax.plot([p[0], q[0]], [p[1], q[1]], color=theme.VALUE_INK, lw=lw, alpha=0.9, zorder=2, solid_capstyle="round")


def _tag(ax, xy, text, dy=0.3, color=None):
    """A small label above a node, on a paper backing so edges do not run through it."""
    ax.text(xy[0], xy[1] + dy, text, ha="center", va="bottom", fontsize=TEXT, color=color or theme.INK,
            bbox=dict(fc=theme.PAPER, ec="none", pad=0.4), zorder=5)


MARKERS = ("o", "s", "^", "D", "v")     # classes by shape in a scatter beside sign-coloured diagrams


@figure("network_backprop", experiments=("network_backprop",), size=(9.5, 9.4))
def backprop(fig):
    """One example: the forward pass, δ and signed ∂ℓ/∂w from the backward pass with the chain rule
    worked along one gold path (output δ, unit j's δ from its three outgoing weights, the edge into j),
    and the step θ ← θ − η∇ℓ judged on this example and on every training point (many get worse)."""
    rec = E.load("network_backprop")["pass"]
    model = rec.model()
    L = model.n_layers
    nb = backprop_numbers(rec)
    t = nb["target"]
    lh, u, f, sm, du = nb["hidden"]
    le, i, j, dj, ai, g, wb, wa = nb["edge"]
    aj = float(rec.activation(lh)[u])
    gs = fig.add_gridspec(3, 2, height_ratios=[0.9, 0.72, 1.05], hspace=0.26, wspace=0.3)
    a_f, a_b = fig.add_subplot(gs[0, 0]), fig.add_subplot(gs[0, 1])
    a_t = fig.add_subplot(gs[1, :])
    a_p, a_d = fig.add_subplot(gs[2, 0]), fig.add_subplot(gs[2, 1])
    x = rec.activation(0)
    names = [f"$x_{k + 1}$ = {x[k]:.2f}" for k in range(model.sizes[0])]
    outs = [f"{k}: {p:.2f}" + ("  ◀ target" if k == t else "") for k, p in enumerate(nb["p"])]
    pf = draw_network(a_f, model, rec.theta, activations=_fills(model, rec), input_labels=names, output_labels=outs,
                      dx=1.5)
    _ring(a_f, pf[lh][u], 0.27)                       # gold: the worked path only, in both panels
    _tag(a_f, pf[lh][u], f"$a_j$ = {fixed(aj)}")
    xi, yi = pf[le - 1][i]                            # unit i: named beside it, left of its rim
    a_f.text(xi - 0.24, yi + 0.16, f"$a_i$ = {fixed(ai)}", ha="right", va="bottom", fontsize=TEXT, color=theme.INK,
             bbox=dict(fc=theme.PAPER, ec="none", pad=0.4), zorder=5)
    _ring(a_f, (xi, yi), 0.27)
    _under(a_f, (xi, yi), pf[lh][u], lw=5)
    lo_f = min(y for p in pf for _, y in p.values())
    _fill_key(a_f, 0.7, lo_f - 1.05, "value, $w$", r=0.11)
    a_f.set_ylim(lo_f - 1.4, pf[lh][u][1] + 0.75)
    a_f.set_title(f"① forward: values on neurons, $w$ on edges\n"
                  rf"$\ell = -\ln \hat y_{t} = -\ln {nb['yhat']:.3f} = {nb['loss']:.3f}$", fontsize=TEXT)
    grads = [model.layout.view(rec.grad, f"W{l}") for l in range(1, L + 1)]
    deltas = [None] + [rec.deltas[f"d{l}"][0] / np.max(np.abs(rec.deltas[f"d{l}"])) for l in range(1, L + 1)]
    pb = draw_network(a_b, model, rec.theta, edge_values=grads, gradient=True, activations=deltas, fill_gradient=True,
                      output_labels=[f"δ {signed(d)}" for d in nb["delta_out"]], dx=1.5)
    _ring(a_b, pb[lh][u], 0.27)
    for k in pb[L]:                                   # unit j's outgoing weights carry the output δs back
        _under(a_b, pb[lh][u], pb[L][k], lw=4)
    _under(a_b, pb[le - 1][i], pb[le][j], lw=6)
    _tag(a_b, pb[lh][u], f"$\\delta_j$ = {du:+.2f}".replace("-", "−"))
    lo_b = min(y for p in pb for _, y in p.values())
    _fill_key(a_b, 0.55, lo_b - 1.05, "δ (each layer\nto its largest |δ|)", r=0.11, gradient=True)
    a_b.set_ylim(lo_b - 1.4, pb[lh][u][1] + 0.75)
    a_b.set_title("② backward: $\\delta = \\partial\\ell/\\partial z$ on neurons,\n"
                  "$\\partial\\ell/\\partial w$ on edges; gold: the worked path", fontsize=TEXT)
    a_t.axis("off")
    terms = " + ".join(f"({w:+.2f})({d:+.3f})" for w, d in nb["terms"])
    lines = [(rf"output: $\delta = \hat y - y$;  target class {t}: ${nb['yhat']:.3f} - 1 = {nb['delta_out'][t]:+.3f}$"
              "   (the others: $\\hat y - 0$)"),
             "unit $j$ (gold ring): the output δs come back through its 3 weights (gold):",
             rf"    $\Sigma_k\, w_{{jk}}\,\delta_k$ = {terms} = ${sm:+.3f}$",
             rf"    $\delta_j = (1 - a_j^2)\,\Sigma_k\, w_{{jk}}\,\delta_k = (1 - ({aj:.3f})^2) \times ({sm:+.3f})"
             rf" = {f:.3f} \times ({sm:+.3f}) = {du:+.3f}$",
             rf"edge $i \to j$ (gold): $\partial\ell/\partial w = \delta_j\, a_i = ({dj:+.3f}) \times ({ai:+.3f}) = {g:+.3f}$",
             rf"③ step $w \leftarrow w - {rec.lr:g}\,\partial\ell/\partial w$:   this edge's $w$: ${wb:+.3f} \to {wa:+.3f}$"]
    for r, line in enumerate(lines):
        a_t.text(0.0, 1.0 - r * 0.18, line.replace("(-", "(−"), transform=a_t.transAxes, ha="left", va="top",
                 fontsize=TEXT + 1, color=theme.INK)
    # the step's effect: this example, then every training point
    k = np.arange(len(nb["p"]))
    a_p.barh(k - 0.2, nb["p"], height=0.38, color=theme.MUTED, label="before")
    a_p.barh(k + 0.2, nb["p_next"], height=0.38, color=theme.INK, label="after the step")
    for kk in k:
        for off, v in ((-0.2, nb["p"][kk]), (0.2, nb["p_next"][kk])):
            a_p.text(v + 0.02, kk + off, f"{v:.2f}", va="center", fontsize=TEXT, color=theme.INK)
    a_p.set_yticks(k, [f"class {kk}" + (" (target)" if kk == t else "") for kk in k])
    a_p.invert_yaxis()
    a_p.set_xlim(0, 1.2)
    a_p.set_xticks([0, 0.5, 1])
    a_p.grid(axis="y", visible=False)
    a_p.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=TEXT, borderaxespad=0.2)
    a_p.set_title(f"this example: $\\ell$ {nb['loss']:.3f} → {nb['loss_next']:.3f}\n\n", fontsize=TEXT)
    a_p.set_xlabel("$P$(class)", fontsize=TEXT)
    cls = rec.batch_Y.argmax(axis=1)
    worse = nb["point_loss_next"] > nb["point_loss"]
    for c in np.unique(cls):                          # classes by shape (red / blue mean sign above)
        sel = cls == c
        a_d.scatter(rec.batch_X[sel & ~worse, 0], rec.batch_X[sel & ~worse, 1], s=16, marker=MARKERS[int(c)],
                    facecolor=theme.PAPER, edgecolor=theme.MUTED, linewidth=0.9, zorder=3)
        a_d.scatter(rec.batch_X[sel & worse, 0], rec.batch_X[sel & worse, 1], s=22, marker=MARKERS[int(c)],
                    color=theme.INK, zorder=3)
        a_d.scatter([], [], s=30, marker=MARKERS[int(c)], facecolor=theme.PAPER, edgecolor=theme.INK,
                    label=f"class {c}")
    a_d.scatter([x[0]], [x[1]], s=320, facecolors="none", edgecolors=theme.INK, linewidths=2.0, zorder=4)
    a_d.annotate("this example\n(ringed)", (x[0], x[1]), xytext=(1.03, 0.5), textcoords="axes fraction",
                 fontsize=TEXT, ha="left", va="center", color=theme.INK, zorder=5,
                 arrowprops=dict(arrowstyle="-", color=theme.INK, lw=1.0, shrinkB=10))
    a_d.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=TEXT, handletextpad=0.2, borderaxespad=0.2)
    by = nb["worse_by_class"]
    a_d.text(1.03, 0.3, f"filled black:\nloss rose\n({int(worse.sum())} of {len(worse)})", transform=a_d.transAxes,
             ha="left", va="top", fontsize=TEXT, color=theme.INK)
    a_d.set_aspect("equal")
    a_d.set_xticks([])
    a_d.set_yticks([])
    n, b0, b1 = nb["batch"]
    a_d.set_title(f"all {n} training points ($x_1$, $x_2$):\nmean $\\ell$ {b0:.3f} → {b1:.3f}"
                  + (" — worse" if b1 > b0 else ""), fontsize=TEXT)
    counts = ", ".join(f"{by[c]} of class {c}" for c in range(len(by)))
    fig.text(0.5, 0.045, f"why: the weights are shared, so a step that favours class {t} here favours it elsewhere "
             f"too:\nthe points whose loss rose are {counts}.\nSo training averages ∂ℓ/∂θ over many examples.",
             ha="center", va="top", fontsize=TEXT + 1, color=theme.INK, linespacing=1.4)


# --- training: the boundary at log-spaced steps beside the loss on a log step axis ------------------
def snapshot_frames(steps, targets=(0, 30, 100, 300)) -> list[int]:
    """Recorded frames nearest to log-spaced steps (0, 30, 100, 300, …) plus the last one: early
    training changes fast, so equal step intervals would waste most panels on the settled end."""
    steps = np.asarray(steps)
    ks = [int(np.argmin(np.abs(steps - t))) for t in targets if t < steps[-1]] + [len(steps) - 1]
    return sorted(set(ks))


def training_numbers(run, bd, targets=(0, 30, 100, 300)) -> dict:
    """The training still's numbers: the snapshot frames, their steps and full training loss there
    (the record's train_loss at that step), and over the last interval (the last two snapshots)
    the share of the plane's grid cells whose predicted class changes and the factor the loss falls."""
    ks = snapshot_frames(bd.steps, targets)
    steps = [int(bd.steps[k]) for k in ks]
    ev = np.asarray(run.eval_steps)
    loss = [float(run.train_loss[int(np.argmin(np.abs(ev - s)))]) for s in steps]
    a, b = bd.prob[ks[-2]] >= 0.5, bd.prob[ks[-1]] >= 0.5
    return {"frames": ks, "steps": steps, "loss": loss, "changed": float(np.mean(a != b)),
            "fall": loss[-2] / loss[-1]}


def _loss_text(v: float) -> str:
    if v >= 0.01:
        return f"{v:.2f}" if v >= 0.1 else f"{v:.3f}"
    e = int(np.floor(np.log10(v)))
    return rf"${v / 10 ** e:.1f}\times10^{{{e}}}$"


def _training(fig, key, targets=(0, 30, 100, 300)):
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

    recs = E.load(f"network_training_{key}")
    run, bd = recs["run"], recs["boundary"]
    nums = training_numbers(run, bd, targets)
    ks = nums["frames"]
    cells = len(ks) + 1
    gs = fig.add_gridspec(2, 3, hspace=0.18, wspace=0.42)
    axes = [fig.add_subplot(gs[r, c]) for r in range(2) for c in range(3)]
    for ax in axes[cells:]:
        ax.axis("off")
    axes = axes[:cells]
    for ax, k, s, lv in zip(axes, ks, nums["steps"], nums["loss"]):
        decision_boundary(ax, bd.xs, bd.ys, bd.prob[k], bd.X, bd.labels)
        if k == ks[-1]:                                    # the step before's boundary, to compare
            ax.contour(bd.xs, bd.ys, bd.prob[ks[-2]], levels=[0.5], colors=theme.INK, linewidths=1.0,
                       linestyles="dashed", alpha=0.7)
        ax.set_box_aspect(1)                               # the input plane is square, as in the video
        ax.set_title(f"step {s}" + (" (untrained)" if s == 0 else "") + f" · loss {_loss_text(lv)}", fontsize=TEXT)
        ax.set_xticks([])
        ax.set_yticks([])
    la = axes[-1]
    ev = np.asarray(run.eval_steps)
    la.plot(ev, run.train_loss, color=theme.INK, lw=1.6)
    la.set_yscale("log")
    la.set_xscale("symlog", linthresh=10, linscale=0.6)
    la.set_xlim(0, ev[-1] * 1.6)
    la.xaxis.set_major_locator(FixedLocator([t for t in (0, 10, 100, 1000, 10000) if t <= ev[-1] * 1.6]))
    la.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    la.xaxis.set_minor_formatter(NullFormatter())
    la.set_ylim(float(np.nanmin(run.train_loss)) / 4, float(np.nanmax(run.train_loss)) * 2.5)   # room for labels
    lo, hi = la.get_ylim()                                  # no "6×10⁻¹" minor labels crowding the axis:
    if np.log10(hi / lo) < 2:                               # short ranges get 0.02, 0.05, 0.1, … instead
        la.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        la.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    la.yaxis.set_minor_formatter(NullFormatter())
    la.plot(nums["steps"], nums["loss"], "o", ms=6, mfc=theme.PAPER, mec=theme.INK, mew=1.5, zorder=4)
    for n, (s, lv) in enumerate(zip(nums["steps"], nums["loss"])):   # each snapshot's step beside its dot
        last = n == len(nums["steps"]) - 1
        la.annotate(f"{s}", (s, lv), xytext=(-6, -5) if last else (5, 5), textcoords="offset points",
                    ha="right" if last else "left", va="top" if last else "bottom", fontsize=TEXT - 1,
                    color=theme.INK)
    la.set_box_aspect(1)
    la.set_xlabel("step (linear to 10, then log)", fontsize=TEXT)
    la.set_ylabel("training loss", fontsize=TEXT)
    la.set_title(f"{sizes_text(model_from(run.config['problem']['model']).sizes)} tanh net", fontsize=TEXT)
    s0, s1 = nums["steps"][-2:]
    lines = ["points: the true class (red 0, blue 1) · shading: the net's $P$(blue) · black line: $P = 0.5$, "
             "the boundary", f"(dashed on the step-{s1} panel: step {s0}'s); far from the points the shading is "
             "the net's guess (no data there)"]
    if nums["changed"] < 0.05 and nums["fall"] > 3:
        lines.append(f"steps {s0}→{s1}: only {nums['changed']:.1%} of the plane changes class, yet the loss falls "
                     f"{nums['fall']:.0f}×:\nthe net grows surer of the same answers more than it moves the boundary")
    name = str(run.config["problem"]["data"])
    fig.suptitle(f"A {sizes_text(model_from(run.config['problem']['model']).sizes)} tanh net learns "
                 f"{'XOR' if name == 'xor' else 'two ' + name}: the boundary at steps "
                 f"{', '.join(str(v) for v in nums['steps'])}"
                 + ("\nopposite clusters share a class, so no straight line separates them: the hidden units "
                    "bend the boundary" if name == "xor" else ""), fontsize=TEXT + 1, y=0.99)
    fig.text(0.5, 0.0, "\n".join(lines), ha="center", va="top", fontsize=TEXT, color=theme.INK, linespacing=1.5)


@figure("network_training_xor", experiments=("network_training_xor",), size=(8.6, 5.9))
def training_xor(fig):
    """Decision boundary over training on XOR (2-4-1) at log-spaced steps, and the loss."""
    _training(fig, "xor", targets=(0, 10, 30, 100))


@figure("network_training_moons", experiments=("network_training_moons",), size=(8.6, 5.9))
def training_moons(fig):
    """Decision boundary over training on two moons (2-8-8-1) at log-spaced steps, and the loss."""
    _training(fig, "moons", targets=(0, 10, 30, 100))


@figure("network_training_spirals", experiments=("network_training_spirals",), size=(8.6, 5.9))
def training_spirals(fig):
    """Decision boundary over training on spirals (2-16-16-1) at log-spaced steps, and the loss."""
    _training(fig, "spirals")


# --- the perceptron: AND, OR solved by one line, XOR never; a 2-2-1 net's two lines solve XOR -------
BOX = (-0.25, 1.25, -0.25, 1.25)     # one view for all four panels (the 2-2-1 net's recorded grid)


def _seg_dist(p, a, b) -> float:
    """Distance from point p to the segment a–b."""
    d = b - a
    t = np.clip((p - a) @ d / max(d @ d, 1e-12), 0, 1)
    return float(np.linalg.norm(p - (a + t * d)))


def normal_arrow(w, b, X, box=BOX, length=0.3):
    """Where a still draws w (the line's normal) so it stays clear of the data: the arrow starts on
    the line w·x + b = 0, at the point along it (within the box) whose arrow and label are farthest
    from every point of X. Returns (foot, tip, label position) or None when the line misses the box."""
    w = np.asarray(w, float)
    seg = line_in_box(w, b, box)
    if seg is None or w @ w < 1e-12:
        return None
    a, c = np.asarray(seg[0], float), np.asarray(seg[1], float)
    d = length * (box[1] - box[0]) * w / np.linalg.norm(w)
    n = np.array([-d[1], d[0]]) / np.linalg.norm(d)
    best, arg = -1.0, None
    for u in np.linspace(0.2, 0.8, 13):
        foot = a + u * (c - a)
        tip = foot + d
        for lab in (tip + 0.1 * n, tip - 0.1 * n):
            inside = box[0] + 0.05 < lab[0] < box[1] - 0.05 and box[2] + 0.05 < lab[1] < box[3] - 0.05
            if not inside or not (box[0] < tip[0] < box[1] and box[2] < tip[1] < box[3]):
                continue
            clear = min(min(_seg_dist(p, foot, tip), np.linalg.norm(p - lab)) for p in np.asarray(X, float))
            if clear > best:
                best, arg = clear, (foot, tip, lab)
    return arg


def _perceptron_panel(ax, rec, title, box=BOX):
    for cls, (w, b) in ((0, (-np.asarray(rec.w[-1], float), -rec.b[-1])), (1, (rec.w[-1], rec.b[-1]))):
        poly = halfplane_polygon(w, b, box)      # both sides tinted by the class predicted there
        if len(poly) >= 3:
            ax.fill(poly[:, 0], poly[:, 1], color=theme.CLASS[cls], alpha=0.15, lw=0)
    seg = line_in_box(rec.w[-1], rec.b[-1], box)
    if seg is not None:
        ax.plot([seg[0][0], seg[1][0]], [seg[0][1], seg[1][1]], color=theme.INK, lw=1.5)
    else:  # an empty panel would look like a drawing error: say where the line went
        side = int(float(np.asarray(rec.w[-1], float) @ [0.5, 0.5] + rec.b[-1]) >= 0)
        ax.text(0.5, 0.97, f"the last line lies outside this view:\nevery point → class {side}", ha="center",
                va="top", fontsize=TEXT, color=theme.INK, transform=ax.transAxes,
                bbox=dict(fc=theme.PAPER, ec="none", alpha=0.85, pad=1))
    _points(ax, rec.X, rec.y)
    arrow = normal_arrow(rec.w[-1], rec.b[-1], rec.X, box)
    if arrow is not None:                        # w as the line's normal, as in the animation
        foot, tip, lab = arrow
        ax.annotate("", xy=tip, xytext=foot, arrowprops=dict(arrowstyle="-|>", color=theme.INK, lw=1.8), zorder=4)
        ax.text(*lab, "$w$", fontsize=TEXT + 2, color=theme.INK, ha="center", va="center")
    _square(ax, box)
    on = np.asarray(rec.X, float)[rec.on_line(rec.w[-1], rec.b[-1], rec.X)]      # the record's own tie rule
    if len(on) and seg is not None:                  # a point exactly on the line: say which side it counts as
        pts = ", ".join(f"({x[0]:g}, {x[1]:g})" for x in on)
        ax.set_xlabel(f"{pts} lies on the line: $w\\cdot x + b = 0$\ncounts as class 1 (step(0) = 1)",
                      fontsize=TEXT, color=theme.INK)
    if rec.converged_at < 0 and len(rec.X) == 4:    # XOR: the classes sit on crossing diagonals
        for c in (0, 1):
            P = rec.X[np.asarray(rec.y).reshape(-1) == c]
            ax.plot(P[:, 0], P[:, 1], ls=":", lw=2, color=theme.CLASS[c], zorder=2)
        ax.set_xlabel("the diagonals cross: no line puts both blue\non one side and both red on the other",
                      fontsize=TEXT, color=theme.INK)
    errs = " ".join(str(int(e)) for e in rec.errors)
    status = (f"no mistakes in epoch {rec.converged_at + 1}" if rec.converged_at >= 0 else
              f"never reaches 0 mistakes in {len(rec.errors)} epochs")
    ax.set_title(f"{title}: {status}\nmistakes per epoch: {errs}", fontsize=TEXT)


def _points(ax, X, y):
    """The four inputs, filled by their target class, outlined (the same in every panel)."""
    y = np.asarray(y).reshape(len(X), -1)
    cls = y.argmax(axis=1) if y.shape[1] > 1 else y[:, 0].round().astype(int)
    ax.scatter(X[:, 0], X[:, 1], s=90, c=[theme.CLASS[int(c)] for c in cls], edgecolor=theme.INK, lw=1.2, zorder=5)


def _square(ax, box):
    ax.set_xlim(box[:2])
    ax.set_ylim(box[2:])
    ax.set_aspect("equal")
    ax.set_xticks([0, 0.5, 1])
    ax.set_yticks([0, 0.5, 1])


def xor_net_numbers(recs) -> dict:
    """The 2-2-1 panel's facts: each hidden unit's line (w, b), the final accuracy, and the class the
    output gives between the two lines (at the centre (0.5, 0.5)) and outside them."""
    run, bd = recs["run"], recs["boundary"]
    W, b = model_from(run.config["problem"]["model"]).weights(run.thetas[-1], 1)
    i, j = int(np.argmin(np.abs(bd.xs - 0.5))), int(np.argmin(np.abs(bd.ys - 0.5)))
    return {"lines": [(W[:, u].copy(), float(b[u])) for u in range(W.shape[1])], "acc": float(run.train_acc[-1]),
            "between": int(bd.prob[-1][j, i] >= 0.5)}


@figure("network_perceptron", experiments=("perceptron_and", "perceptron_or", "perceptron_xor", "perceptron_xor_net"),
        size=(8.4, 9.2))
def perceptron(fig):
    """The perceptron trick solves AND and OR, never XOR; a 2-2-1 network's two hidden lines do."""
    axes = fig.subplots(2, 2, gridspec_kw={"wspace": 0.3, "hspace": 0.45}).ravel()
    for ax, gate in zip(axes, ("and", "or", "xor")):
        _perceptron_panel(ax, E.load(f"perceptron_{gate}")["perceptron"], gate.upper())
    recs = E.load("perceptron_xor_net")
    bd = recs["boundary"]
    nx = xor_net_numbers(recs)
    ax = axes[3]
    cls = (bd.prob[-1] >= 0.5).astype(float)    # shaded by the predicted class, as the perceptron panels
    ax.contourf(bd.xs, bd.ys, cls, levels=[-0.5, 0.5, 1.5], colors=[theme.CLASS[0], theme.CLASS[1]], alpha=0.15)
    ax.contour(bd.xs, bd.ys, bd.prob[-1], levels=[0.5], colors=theme.INK, linewidths=1.5)
    for u, (w, b) in enumerate(nx["lines"]):
        seg = line_in_box(w, b, BOX)
        if seg is not None:
            ax.plot([seg[0][0], seg[1][0]], [seg[0][1], seg[1][1]], "--", color=theme.INK, lw=1.2, dashes=(2, 3))
            a, c = np.asarray(seg[0], float), np.asarray(seg[1], float)
            m = a + 0.5 * (c - a)                    # its name beside the middle, on the side away from the data
            n = np.array([-(c - a)[1], (c - a)[0]]) / np.linalg.norm(c - a)
            far = max((m + 0.13 * n, m - 0.13 * n), key=lambda q: np.min(np.linalg.norm(bd.X - q, axis=1)))
            ang = np.degrees(np.arctan2((c - a)[1], (c - a)[0]))
            ang = ang - 180 if ang > 90 else ang + 180 if ang < -90 else ang
            ax.text(*far, f"unit {u + 1}", rotation=ang, rotation_mode="anchor", ha="center", va="center",
                    fontsize=TEXT, color=theme.INK, bbox=dict(fc=theme.PAPER, ec="none", alpha=0.7, pad=0.5))
    _points(ax, bd.X, bd.labels)
    _square(ax, BOX)
    ax.set_title(f"2-2-1 net on XOR: accuracy {nx['acc']:.0%}\n(trained by backprop + gradient descent)",
                 fontsize=TEXT)
    inside, outside = nx["between"], 1 - nx["between"]
    ax.set_xlabel(f"dashed: each hidden unit's line $w\\cdot x + b = 0$;\nthe output says class {inside} between "
                  f"them, {outside} outside", fontsize=TEXT, color=theme.INK)
    fig.text(0.5, 0.02, "points: the target class (red 0, blue 1) · shading: the class predicted there · "
             "solid line: the decision boundary", ha="center", va="top", fontsize=TEXT, color=theme.INK)


@figure("network_dropout", experiments=("network_dropout",), size=(12, 5.8))
def dropout(fig):
    """Same 2-32-32-1 net on 40 noisy points without / with dropout, as the animation ends: each
    boundary at the last step (the training points only the plain net fits, circled; faint test points,
    the sure test mistakes ringed in their true class colour), and each run's train (ink, solid),
    validation and test (dashed) loss, with the stop at the lowest validation loss (early stopping);
    the take-aways as captions, not in the legend. The numbers are
    the animation's (networks.dropout_summary, networks.sure_mistakes)."""
    from matplotlib.colors import LinearSegmentedColormap

    from ..experiments.networks import dropout_summary, sure_level, sure_mistakes

    recs = E.load("network_dropout")
    facts = dropout_summary(recs)
    p = float(recs["masks"].config["dropout"])
    cols = theme.loss_colors(paper=True)
    sure = {t: sure_mistakes(recs, t) for t in ("plain", "dropout")}
    level = sure_level(recs)
    last = int(recs["run_plain"].steps[-1])
    gs = fig.add_gridspec(2, 5, width_ratios=[1.4, 1.4, 0.1, 1, 1], height_ratios=[1, 0.42], wspace=0.3, hspace=0.1,
                          left=0.03, right=0.99, top=0.79, bottom=0.01)
    axes = [fig.add_subplot(gs[0, k]) for k in (0, 1, 3, 4)]
    cmap = LinearSegmentedColormap.from_list("nnviz_classes", [theme.CLASS[0], "#ffffff", theme.CLASS[1]])
    allv = np.concatenate([recs[f"run_{t}"].train_loss for t in ("plain", "dropout")]
                          + [recs[f"run_{t}"].test_loss for t in ("plain", "dropout")]
                          + [recs["validation"].columns[t] for t in ("plain", "dropout")])   # no curve leaves the plot
    for ax, lax, tag, name in ((axes[0], axes[2], "plain", "no dropout"),
                               (axes[1], axes[3], "dropout", f"dropout $p = {p:g}$")):
        bd, r, f = recs[f"boundary_{tag}"], recs[f"run_{tag}"], facts[tag]
        # the probability field interpolated between grid cells (no blocks): pale = unsure
        ax.imshow(bd.prob[-1], extent=(bd.xs[0], bd.xs[-1], bd.ys[0], bd.ys[-1]), origin="lower", cmap=cmap,
                  vmin=0, vmax=1, alpha=0.55, interpolation="bicubic", aspect="auto")
        ax.contour(bd.xs, bd.ys, bd.prob[-1], levels=[0.5], colors=theme.INK, linewidths=1.2)
        yt = np.asarray(bd.labels_test, int)
        ax.scatter(bd.X_test[:, 0], bd.X_test[:, 1], s=7, c=[theme.CLASS[k] for k in yt], alpha=0.6,
                   edgecolors=theme.INK, linewidths=0.25, zorder=2)
        y = np.asarray(bd.labels, int)
        ax.scatter(bd.X[:, 0], bd.X[:, 1], s=22, c=[theme.CLASS[k] for k in y], edgecolors=theme.INK, linewidths=0.5,
                   zorder=3)
        k = sure[tag]["sure_idx"]            # wrong yet sure: hollow rings in the TRUE class colour
        ax.scatter(bd.X_test[k, 0], bd.X_test[k, 1], s=48, facecolors="none", edgecolors=theme.INK, linewidths=2.2,
                   zorder=4)
        ax.scatter(bd.X_test[k, 0], bd.X_test[k, 1], s=48, facecolors="none",
                   edgecolors=[theme.CLASS[c] for c in yt[k]], linewidths=1.1, zorder=4.1)
        ax.scatter(bd.X[facts["bent"], 0], bd.X[facts["bent"], 1], s=240, facecolors="none",
                   edgecolors=theme.VALUE_INK, linewidths=2.2, zorder=6)      # the circles last, on top
        b = np.asarray(facts["bent"], int)   # the noisy point each pocket wraps, redrawn over the rings near it
        ax.scatter(bd.X[b, 0], bd.X[b, 1], s=34, c=[theme.CLASS[c] for c in y[b]], edgecolors=theme.INK,
                   linewidths=1.0, zorder=5.5)
        ax.set_xlim(bd.xs[0], bd.xs[-1])
        ax.set_ylim(bd.ys[0], bd.ys[-1])
        ax.set_box_aspect(1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("$x_1$", fontsize=10)
        ax.set_ylabel("$x_2$", fontsize=10)
        ax.set_title(f"{name}, step {last}: {sure[tag]['sure']} ringed\ntrain error {1 - f['train_acc']:.0%} · "
                     f"test error {1 - f['test_acc']:.0%}",
                     fontsize=11, color=theme.INK)
        lax.plot(r.eval_steps, r.train_loss, color=cols["train"], lw=1.6, label="train (all units on)")
        vc = recs["validation"].columns
        lax.plot(vc["steps"], vc[tag], color=theme.SPLIT["validation"], lw=1.3,
                 label="validation")
        lax.plot(r.eval_steps, r.test_loss, color=cols["test"], lw=2.0, ls="--",
                 label="test")
        lax.plot([f["stop_step"]], [f["stop_test"]], "o", mfc=cols["test"], mec=theme.INK, ms=9, mew=1.5, zorder=5,
                 label="stop (lowest\nvalidation): test")
        lax.annotate(f"stop {f['stop_step']}", (f["stop_step"], f["stop_test"]), xytext=(0, 34),
                     textcoords="offset points", ha="center" if f["stop_step"] > 1500 else "left", va="bottom",
                     fontsize=10, color=cols["test"],
                     arrowprops=dict(arrowstyle="-", color=cols["test"], lw=1.0, shrinkA=1, shrinkB=5))
        top = max(r.test_loss[-1], vc[tag][-1]) if vc[tag][-1] < 1.3 else r.test_loss[-1]   # above both curves' ends
        lax.annotate(f"{f['final_test']:.2f}", (r.eval_steps[-1], top), xytext=(0, 6),
                     textcoords="offset points", ha="right", va="bottom", fontsize=10, color=cols["test"])
        lax.set_ylim(0, float(np.nanmax(allv)) * 1.12)
        lax.set_box_aspect(1)
        lax.set_xlabel("step", fontsize=10)
        lax.tick_params(labelsize=9)
        lax.set_title(f"{name}\ntest loss at the stop: {f['stop_test']:.2f}\nat step {last}: {f['final_test']:.2f}",
                      fontsize=11, color=theme.INK)
    axes[2].set_ylabel("loss", fontsize=10)
    axes[3].legend(fontsize=9, loc="upper right", frameon=False)     # the dropout run's curves stay low: room above
    fp, fd, mp, md = facts["plain"], facts["dropout"], sure["plain"], sure["dropout"]
    fig.suptitle(f"Dropout: every training step each hidden unit is off with probability {p:g}, "
                 "so no unit can count on fitting one noisy point", fontsize=12, color=theme.INK, y=0.985)
    left = fig.add_subplot(gs[1, 0:2])
    right = fig.add_subplot(gs[1, 3:5])
    for ax in (left, right):
        ax.axis("off")
    sp, sd = recs["seeds"].columns["plain_sure"], recs["seeds"].columns["dropout_sure"]
    n_val = recs["validation"].meta["n"]
    rows = [f"• without dropout, train loss → {r_end(recs):.2f} pushes outputs to 0 or 1 (colour bar above),",
            f"   so a mistake made ≥ {level:.0%} sure costs ≥ −ln {1 - level:.2f} ≈ {-np.log(1 - level):.1f}",
            f"• ringed: {mp['sure']} such test mistakes without dropout, {md['sure']} with "
            f"({len(sp)} other seeds: {sp.min()}–{sp.max()} vs {sd.min()}–{sd.max()});",
            f"   each costs {mp['mean_cost']:.1f} on average: {mp['sure']} × {mp['mean_cost']:.1f} / {mp['n']} = "
            f"{mp['sure'] * round(mp['mean_cost'], 1) / mp['n']:.2f} = {mp['share']:.0%} of the {fp['final_test']:.2f}",
            "• circled: pockets round noisy points, only without dropout;",
            "   a pocket needs many units working together, and dropout switches half off each step"]
    left.text(0.0, 0.98, "\n".join(rows), ha="left", va="top", fontsize=10, color=theme.INK, linespacing=1.45,
              transform=left.transAxes)
    from matplotlib.lines import Line2D
    mk = dict(ls="none", marker="o")
    handles = [Line2D([], [], ms=6.5, mfc=theme.CLASS[0], mec=theme.INK, mew=0.5, **mk),
               Line2D([], [], ms=3.5, mfc=theme.CLASS[0], mec=theme.INK, mew=0.25, alpha=0.7, **mk),
               (Line2D([], [], ms=9, mfc="none", mec=theme.INK, mew=2.8, **mk),
                Line2D([], [], ms=9, mfc="none", mec=theme.CLASS[1], mew=1.5, **mk)),
               Line2D([], [], ms=14, mfc="none", mec=theme.VALUE_INK, mew=2.0, **mk)]
    box = axes[0].get_position().union([axes[0].get_position(), axes[1].get_position()])
    fig.legend(handles, [f"training point ({len(recs['boundary_plain'].X)})",
                         f"test point ({len(recs['boundary_plain'].X_test)})",
                         f"wrong yet ≥ {level:.0%} sure (ring colour: true class)", "circled: fitted only without dropout"],
               loc="lower center", bbox_to_anchor=((box.x0 + box.x1) / 2, 0.86), ncol=2, fontsize=9.5,
               frameon=False, handletextpad=0.3, columnspacing=1.2)
    # what the map colours mean: P(class 1) from sure class 0 through unsure to sure class 1
    cax = fig.add_axes([box.x1 + 0.035, 0.87, 0.15, 0.022])
    cax.imshow(np.linspace(0, 1, 256)[None, :], cmap=cmap, alpha=0.55, aspect="auto", extent=(0, 1, 0, 1))
    cax.set_yticks([])
    cax.set_xticks([0, 0.5, 1], ["sure red", "unsure", "sure blue"], fontsize=9)
    cax.tick_params(length=2, pad=1.5)
    cax.set_title("map colour: P(blue)", fontsize=9, color=theme.INK, pad=2)
    right.text(0.5, 0.97, f"early stopping at the lowest loss on\n{n_val} other held-out points (validation):\n"
                          f"test loss {fp['stop_test']:.2f} without dropout (step {fp['stop_step']}), "
                          f"{fd['stop_test']:.2f} with (step {fd['stop_step']})",
               ha="center", va="top", fontsize=10, color=theme.INK, linespacing=1.45, transform=right.transAxes)
    right.text(0.5, 0.42, f"With dropout the test loss stayed low to step {last};\n"
                          f"without it, you must stop at the right step\n(found with {n_val} extra held-out points).",
               ha="center", va="top", fontsize=11.5, color=theme.INK, weight="bold", linespacing=1.4,
               transform=right.transAxes)


def r_end(recs) -> float:
    """The plain run's last train loss (the still's caption)."""
    return float(recs["run_plain"].train_loss[-1])
