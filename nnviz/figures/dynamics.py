"""Still twins of the "how training behaves" scenes, drawn from the same records and theme."""
from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import theme
from ..experiments import dynamics as X
from . import figure


def _contours(ax, s, log=False, levels=14):
    Z = np.log10(s.loss - np.nanmin(s.loss) + 1e-3) if log else s.loss
    ax.contour(s.xs, s.ys, Z, levels=levels, colors=theme.MUTED, linewidths=0.6, linestyles="solid")
    ax.set_xlim(s.xs[0], s.xs[-1])
    ax.set_ylim(s.ys[0], s.ys[-1])


@figure("dynamics_momentum", experiments=("dynamics_momentum",), size=(13, 4.2))
def momentum(fig):
    """Plain GD vs momentum at (η*, β*) on a κ = 100 bowl, and the measured rate per β vs theory."""
    rec = E.load("dynamics_momentum")
    sw, s = rec["sweep"], rec["surface"]
    m = sw.meta
    shown = int(np.argmin(np.abs(sw.columns["beta"] - m["shown"][0])))
    runs = {"gd": rec["gd_tuned"], "star": rec["optimum"], "high": rec[f"star_{shown}"]}
    cols = {"gd": theme.GD, "star": theme.OPTIMIZER["momentum"], "high": theme.REGIME["oscillating"]}
    names = {"gd": f"plain GD, best η = {m['eta_gd']:.2f}",
             "star": f"momentum η* = {m['eta_star']:.2f}, β* = {m['beta_star']:.3f}",
             "high": f"momentum η*, β = {runs['high'].meta['beta']:g}"}
    ax, ax2, ax3 = fig.subplots(1, 3)
    _contours(ax, s, log=True, levels=10)
    for k in ("high", "star", "gd"):
        p = runs[k].thetas
        ax.plot(p[:, 0], p[:, 1], "-", lw=0.9, color=cols[k], label=names[k])
        ax2.plot(np.log10(X.distances(runs[k], (0, 0))), color=cols[k], lw=1.5)
    ax.plot(0, 0, "*", color=theme.INK, ms=10)
    ax.set_aspect("equal")
    ax.set_xlabel("$\\theta_1$")
    ax.set_ylabel("$\\theta_2$")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"κ = λ$_{{max}}$/λ$_{{min}}$ = {m['kappa']:g}", fontsize=10)
    ax2.set_xlabel("step")
    ax2.set_ylabel("$\\log_{10}\\,\\|\\theta_k - \\theta^*\\|$")
    ax2.set_title("distance to the minimum", fontsize=10)
    c = sw.columns
    for key, col, lab, mk in (("star", theme.OPTIMIZER["momentum"], f"η* = {m['eta_star']:.2f}", "o"),
                              ("gd", theme.MUTED, f"η = {m['eta_gd']:.2f}", "o")):
        ax3.plot(c["theory_beta"], np.minimum(c[f"theory_{key}"], 1.2), "--", color=col, lw=1)
        r = c[f"rate_{key}"]
        ax3.plot(c["beta"], np.minimum(r, 1.2), mk, color=col, mfc=col if key == "star" else "none",
                 label=f"measured at {lab} (dashed: theory)")
    ax3.axhline(1.0, color=theme.REGIME["diverging"], ls=":", lw=1)
    ax3.axvline(m["beta_star"], color=theme.OPTIMIZER["momentum"], ls=":", lw=1)
    ax3.annotate("β*", (m["beta_star"], 0.76), color=theme.OPTIMIZER["momentum"], fontsize=9, xytext=(3, 0),
                 textcoords="offset points")
    ax3.set_ylim(0.75, 1.22)
    ax3.set_xlabel("momentum β")
    ax3.set_ylabel("rate ρ per step (>1 diverges; capped at 1.2)")
    ax3.set_title(f"at (η*, β*): measured ρ = {rec['optimum'].meta['rate']:.3f}, "
                  f"(√κ−1)/(√κ+1) = {m['rho_star']:.3f}", fontsize=9)
    ax3.legend(fontsize=7, loc="center left")
    fig.tight_layout()


LR_NAMES = {"constant": "fixed η", "step": "step", "exponential": "exponential", "inverse_time": "inverse time",
            "cosine": "cosine"}


@figure("dynamics_lr_decay", experiments=("dynamics_lr_decay",), size=(13, 4.2))
def lr_decay(fig):
    """SGD's noise ball with a fixed rate vs four decay schedules: rates, distance, last positions."""
    rec = E.load("dynamics_lr_decay")
    tails, s = rec["tails"], rec["surface"]
    m = tails.meta
    wmin, k, seed = np.asarray(m["minimum"]), m["tail"], m["shown_seed"]
    ax1, ax2, ax3 = fig.subplots(1, 3)
    _contours(ax3, s, levels=10)
    for kind in m["order"]:
        run, c = rec[f"{kind}_{seed}"], theme.SCHEDULE[kind]
        ax1.plot(run.lr, color=c, lw=1.5, label=LR_NAMES[kind])
        ax2.plot(np.log10(X.trailing_mean(X.distances(run, wmin), k)), color=c, lw=1.5,
                 label=f"{LR_NAMES[kind]}: {tails.columns[kind][seed]:.3f}")
        last = run.thetas[-k:]
        ax3.plot(last[:, 0], last[:, 1], ".", ms=3, color=c)
    ax3.plot(*wmin, "*", color=theme.INK, ms=10)
    ax3.set_aspect("equal")
    ax1.set_xlabel("step")
    ax1.set_ylabel("learning rate $\\eta_t$")
    ax1.legend(fontsize=7)
    ax1.set_title(f"schedules from $\\eta_0$ = {m['lr']:g} over {m['steps']} steps", fontsize=10)
    ax2.set_xlabel("step")
    ax2.set_ylabel(f"$\\log_{{10}}$ mean distance, last {k} steps")
    ax2.legend(fontsize=7, title=f"last {k} steps, seed {seed}", title_fontsize=7)
    ax2.set_title("distance to the minimum", fontsize=10)
    ax3.set_xlabel("slope w")
    ax3.set_ylabel("intercept b")
    ax3.set_title(f"the last {k} positions (the noise ball)", fontsize=10)
    fig.tight_layout()


@figure("dynamics_regularization", experiments=("dynamics_regularization",), size=(13, 4.2))
def regularization(fig):
    """L2 vs L1: exact regularised optimum paths on a 2-weight fit, and a digits network's weights."""
    rec = E.load("dynamics_regularization")
    p, s, h = rec["path"], rec["surface"], rec["histogram"]
    m = p.meta
    ax1, ax2, ax3 = fig.subplots(1, 3)
    names = {"none": "no penalty", "l2": "L2", "l1": "L1"}
    for ax, kind in ((ax1, "l2"), (ax2, "l1")):
        _contours(ax, s, levels=12)
        W, c = p.columns[kind], theme.PENALTY[kind]
        ax.plot(W[:, 0], W[:, 1], "-", color=c, lw=2, label=f"optimum as λ grows to {p.columns['lambda'][-1]:g}")
        ax.axhline(0, color=theme.INK, lw=0.6, ls=":")
        ax.axvline(0, color=theme.INK, lw=0.6, ls=":")
        ax.plot(*m["w_ls"], "*", color=theme.INK, ms=10)
        ax.set_aspect("equal")
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        ax.legend(fontsize=7, loc="lower right")
    ax1.set_title("L2: λ(w$_1^2$ + w$_2^2$) — shrinks, never zero", fontsize=10)
    i0 = int(np.flatnonzero(p.columns["lambda"] == m["lambda_zero"])[0])
    ax2.plot(*p.columns["l1"][i0], "o", mfc="none", color=theme.PENALTY["l1"], ms=10)
    ax2.set_title(f"L1: λ(|w$_1$| + |w$_2$|) — w$_{m['zero_index'] + 1}$ = 0 at λ = {m['lambda_zero']:.3f}",
                  fontsize=10)
    edges = h.columns["edges"]
    mid = (edges[:-1] + edges[1:]) / 2
    for o in h.meta["order"]:
        st = h.meta["stats"][o]
        ax3.step(mid, h.columns[o], where="mid", color=theme.PENALTY[o], lw=1.5,
                 label=f"{names[o]}: RMS {st['rms']:.2f}, |w|<{h.meta['small']:g}: {100 * st['small']:.0f}%")
    ax3.set_yscale("log")
    ax3.set_xlabel(f"weight (end bins: |w| ≥ {edges[-1]:g})")
    ax3.set_ylabel("count (log)")
    ax3.set_title(f"digits network {'-'.join(map(str, h.config['net']['sizes']))}: its weights", fontsize=10)
    ax3.legend(fontsize=7, loc="upper right")
    fig.tight_layout()


@figure("dynamics_fitting", experiments=("dynamics_fitting",), size=(13, 6.5))
def fitting(fig):
    """Three capacities on one noisy data set, and early stopping on the validation split."""
    rec = E.load("dynamics_fitting")
    d = rec["data"].columns
    titles = {"under": "too simple", "right": "about right", "over": "too flexible"}
    gs = fig.add_gridspec(2, 3)
    for j, name in enumerate(X.FIT_ORDER):
        c = rec[f"curves_{name}"]
        ax = fig.add_subplot(gs[0, j])
        ax.plot(d["grid"], d["truth"], "--", color=theme.MUTED, lw=1, label="sin x")
        ax.plot(d["x_train"], d["y_train"], "o", ms=3.5, color=theme.SPLIT["train"], label="train")
        ax.plot(d["x_validation"], d["y_validation"], "o", ms=4, mfc="none", color=theme.SPLIT["validation"],
                label="validation")
        ax.plot(d["grid"], c.columns["fit"][-1], color=theme.INK, lw=1.5, label="fit (end)")
        if name == "over":
            ax.plot(d["grid"], c.columns["fit"][c.meta["stop_index"]], "--", color=theme.SPLIT["validation"], lw=1.5,
                    label="fit (early stop)")
        ax.set_title(f"{titles[name]}: {'-'.join(map(str, c.meta['sizes']))}, {c.meta['n_params']:,} params — "
                     f"train {c.columns['train'][-1]:.3f}, val {c.columns['validation'][-1]:.3f}", fontsize=9)
        ax.legend(fontsize=6, loc="lower right")
    c = rec["curves_over"]
    ax = fig.add_subplot(gs[1, :])
    for p in ("train", "validation", "test"):
        ax.semilogy(c.columns["step"], c.columns[p], color=theme.SPLIT[p], lw=1.5, label=p)
    i, j = c.meta["stop_index"], c.meta["test_min_index"]
    ax.axvline(c.meta["stop_step"], color=theme.SPLIT["validation"], ls="--", lw=1)
    ax.plot(c.columns["step"][i], c.columns["validation"][i], "o", color=theme.SPLIT["validation"])
    ax.plot(c.columns["step"][j], c.columns["test"][j], "o", mfc="none", color=theme.SPLIT["test"])
    ax.set_xlabel("step")
    ax.set_ylabel("loss (log)")
    ax.set_title(f"too-flexible network: early stop at step {c.meta['stop_step']:,} (validation minimum "
                 f"{c.columns['validation'][i]:.3f}); test {c.columns['test'][i]:.3f} there vs "
                 f"{c.columns['test'][-1]:.3f} at the end", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()


@figure("dynamics_autodiff", experiments=("dynamics_autodiff",), size=(13, 5.0))
def autodiff(fig):
    """One neuron's loss as a computation graph: forward values and backward adjoints per node."""
    from ..autodiff import layout

    rec = E.load("dynamics_autodiff")
    g, chk = rec["graph"], rec["check"]
    pos = layout(g)
    ax = fig.add_axes([0.02, 0.25, 0.96, 0.68])
    ax.set_axis_off()
    for i, nd in enumerate(g.nodes):
        for p in nd["parents"]:
            ax.annotate("", xy=pos[i] - [0.32, 0], xytext=pos[p] + [0.32, 0],
                        arrowprops=dict(arrowstyle="-|>", color=theme.MUTED, lw=1))
    for i, nd in enumerate(g.nodes):
        x, y = pos[i]
        ax.add_patch(__import__("matplotlib.patches", fromlist=["FancyBboxPatch"]).FancyBboxPatch(
            (x - 0.32, y - 0.3), 0.64, 0.6, boxstyle="round,pad=0.02", fc=theme.PAPER,
            ec=theme.MUTED if not nd["parents"] else theme.INK, lw=1))
        op = "" if not nd["parents"] else f"  {nd['op']}"
        ax.text(x, y + 0.17, nd["name"] + op, ha="center", va="center", fontsize=8, color=theme.INK)
        ax.text(x, y, f"{nd['value']:.3f}", ha="center", va="center", fontsize=9, color=theme.VALUE_INK)
        ax.text(x, y - 0.17, f"ḡ {nd['grad']:.3f}", ha="center", va="center", fontsize=8, color=theme.GRADIENT)
    ax.set_xlim(pos[:, 0].min() - 0.5, pos[:, 0].max() + 0.5)
    ax.set_ylim(pos[:, 1].min() - 0.45, pos[:, 1].max() + 0.45)
    ax.set_title(f"{g.meta['expression']}: value (gold) forward, ḡ = ∂L/∂node backward", fontsize=10)
    rows = [[f"∂L/∂{n}", f"{chk.columns['autodiff'][k]:+.6f}", f"{chk.columns['mlp'][k]:+.6f}",
             f"{chk.columns['finite_difference'][k]:+.6f}"] for k, n in enumerate(chk.meta["names"])]
    tax = fig.add_axes([0.2, 0.02, 0.6, 0.2])
    tax.set_axis_off()
    tax.table(cellText=rows, colLabels=["", "autodiff", "MLP backprop", "finite difference"], loc="center")


@figure("dynamics_memory", experiments=("dynamics_memory",), size=(12, 4.4))
def memory(fig):
    """Peak memory of one training step vs batch size (measured, predicted, budget); time per epoch."""
    t = E.load("dynamics_memory")["memory"]
    c, m = t.columns, t.meta
    mib = 2 ** 20
    names = {"digits": "digits net", "mnist": "MNIST-sized net"}
    ax1, ax2 = fig.subplots(1, 2)
    xs = np.array([0.0, c["batch"].max()])
    for k in ("mnist", "digits"):
        col, mk = theme.MEMORY_NET[k], m[k]
        ax1.plot(c["batch"], c[f"peak_{k}"] / mib, "o", color=col, mec=theme.INK, mew=0.5,
                 label=f"{names[k]} {'-'.join(map(str, mk['sizes']))}: slope {mk['slope']:,.0f} B/example "
                       f"(predicted {mk['predicted_bytes']:,})")
        ax1.plot(xs, (mk["intercept"] + mk["predicted_bytes"] * xs) / mib, "--", color=theme.INK, lw=0.8)
        ax2.loglog(c["time_batch"], c[f"epoch_time_{k}"], "o-", color=col, mec=theme.INK, mew=0.5, label=names[k])
    ax1.axhline(m["budget_bytes"] / mib, color=theme.MEMORY_BUDGET, ls=":", lw=1.5,
                label=f"budget {m['budget_bytes'] / mib:g} MiB: largest batch {m['max_batch_in_budget']:,}")
    ax1.set_xlabel("batch size (examples)")
    ax1.set_ylabel("peak memory of one step (MiB)")
    ax1.set_title(f"tracemalloc peak, {m['dtype']}; dashed: predicted from layer widths", fontsize=10)
    ax1.legend(fontsize=7, loc="upper left")
    ax2.set_xscale("log", base=2)
    ax2.set_xlabel("batch size")
    ax2.set_ylabel("seconds per epoch (measured)")
    ax2.set_title("time per epoch", fontsize=10)
    ax2.legend(fontsize=7)
    fig.tight_layout()
