"""Still twins of the gradient-descent scenes, drawn from the same records and theme."""
from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import theme
from ..experiments import descent as X
from . import figure

LABEL = {"batch": "batch", "minibatch": "mini-batch", "stochastic": "SGD (b=1)"}
OPT_LABEL = {"sgd": "SGD", "momentum": "momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
             "rmsprop": "RMSprop", "adam": "Adam"}


def hyper_text(h: dict) -> str:
    sym = {"lr": "η", "beta": "β", "decay": "ρ", "beta1": "β₁", "beta2": "β₂"}
    return ", ".join(f"{sym[k]}={v:g}" for k, v in h.items() if k in sym)


def _contours(ax, s, log=False, levels=14):
    Z = np.log10(s.loss - np.nanmin(s.loss) + 1e-3) if log else s.loss
    ax.contour(s.xs, s.ys, Z, levels=levels, colors=theme.MUTED, linewidths=0.6, linestyles="solid")
    ax.set_xlim(s.xs[0], s.xs[-1])
    ax.set_ylim(s.ys[0], s.ys[-1])


def _in_box(path, s):
    """Keep the path up to where it first leaves the plotted box (diverging runs)."""
    inside = (path[:, 0] >= s.xs[0]) & (path[:, 0] <= s.xs[-1]) & (path[:, 1] >= s.ys[0]) & (path[:, 1] <= s.ys[-1])
    out = np.flatnonzero(~inside)
    return (path, False) if out.size == 0 else (path[:out[0] + 1], True)


@figure("descent_regimes", experiments=("descent_regimes",), size=(10, 4.2))
def regimes(fig):
    """Slow, smooth, oscillating and diverging gradient descent on one bowl, by η·λ_max."""
    rec = E.load("descent_regimes")
    s = rec["surface"]
    ax, ax2 = fig.subplots(1, 2)
    _contours(ax, s)
    for name in X.REGIME_ORDER:
        run, c = rec[name], theme.REGIME[name]
        path, left = _in_box(run.thetas, s)
        ax.plot(path[:, 0], path[:, 1], "-o", ms=2.5, lw=1.2, color=c,
                label=f"{name}: η={run.meta['lr']:.3g}, ηλ={run.meta['eta_lambda']:g}")
        if left:
            ax.annotate("diverges", path[-2], color=c, fontsize=9, fontweight="bold")
        ax2.semilogy(run.loss, color=c, lw=1.5)
    ax.plot(*s.meta["minima"][0], "*", color=theme.INK, ms=9)
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.set_aspect("equal")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"λ_max = {rec['slow'].meta['lambda_max']:g}; stable iff ηλ_max < 2", fontsize=10)
    ax2.set_xlabel("step")
    ax2.set_ylabel("loss (log)")
    ax2.set_title("loss per step", fontsize=10)


@figure("descent_variants", experiments=("descent_variants",), size=(10, 4.4))
def variants(fig):
    """Batch, mini-batch and SGD paths on the exact line-fit loss, at matched epochs and steps."""
    rec = E.load("descent_variants")
    s = rec["surface"]
    cfg = E.get("descent_variants").config
    for ax, match in zip(fig.subplots(1, 2), ("epochs", "steps")):
        _contours(ax, s, log=True)
        for v in X.VARIANT_ORDER:
            run = rec[f"{v}_{match}"]
            ax.plot(run.thetas[:, 0], run.thetas[:, 1], lw=1.0, color=theme.VARIANT[v],
                    label=f"{LABEL[v]}: {run.n_steps} steps, roughness {run.meta['roughness']:.2f} rad")
        ax.plot(*s.meta["minimum"], "*", color=theme.INK, ms=9)
        what = f"{cfg['epochs']} epochs each" if match == "epochs" else f"{cfg['steps']} steps each"
        ax.set_title(f"matched {match}: {what}, η={cfg['lr']}", fontsize=10)
        ax.set_xlabel("w")
        ax.set_ylabel("b")
        ax.legend(fontsize=7, loc="upper right")


@figure("descent_digits", experiments=("descent_digits",), size=(12, 3.8))
def digits(fig):
    """Digits (8×8 MNIST): train/test loss per epoch, a batch-size sweep, and wall time per epoch."""
    rec = E.load("descent_digits")
    cfg = E.get("descent_digits").config
    a, b, c = fig.subplots(1, 3)
    for v in X.VARIANT_ORDER:
        run = rec[v]
        ep = np.arange(run.train_loss.size)
        lab = f"{LABEL[v]}" + (f" (b={cfg['minibatch']})" if v == "minibatch" else "")
        a.plot(ep, run.train_loss, color=theme.VARIANT[v], label=f"{lab} train")
        a.plot(ep, run.test_loss, "--", color=theme.VARIANT[v], label=f"{lab} test")
    a.set_yscale("log")
    a.set_xlabel("epoch")
    a.set_ylabel("cross-entropy")
    a.legend(fontsize=6)
    a.set_title(f"same init, η={cfg['lr']}", fontsize=10)
    ramp = theme.SURFACE_RAMP
    for i, bs in enumerate(cfg["sweep"]):
        run = rec[f"b{bs}"]
        col = ramp[int(round(i * (len(ramp) - 1) / max(len(cfg["sweep"]) - 1, 1)))]
        b.plot(run.test_loss, color=col, label=f"b={bs}")
    b.set_yscale("log")
    b.set_xlabel("epoch")
    b.set_ylabel("test loss")
    b.legend(fontsize=7)
    b.set_title("batch-size sweep", fontsize=10)
    names = list(X.VARIANT_ORDER)
    times = [rec[v].meta["mean_epoch_time"] * 1e3 for v in names]
    c.bar([LABEL[v] for v in names], times, color=[theme.VARIANT[v] for v in names])
    c.set_ylabel("ms per epoch (measured)")
    c.set_title("wall time per epoch (NumPy, CPU)", fontsize=10)


@figure("descent_race", experiments=("descent_race",), size=(13, 5))
def race(fig):
    """Six optimizers from the same start for the same number of steps on three surfaces."""
    rec = E.load("descent_race")
    for ax, surf in zip(fig.subplots(1, 3), X.RACES):
        s = rec[f"{surf}__surface"]
        _contours(ax, s, log=s.meta["log_scale"], levels=18)
        for name in X.RACE_ORDER:
            run = rec[f"{surf}__{name}"]
            path, _ = _in_box(run.thetas, s)
            ax.plot(path[:, 0], path[:, 1], lw=1.3, color=theme.OPTIMIZER[name],
                    label=f"{OPT_LABEL[name]} ({hyper_text(run.meta['hyper'])}): {run.meta['final_loss']:.2g}")
        ax.plot(*s.meta["start"], "o", color=theme.INK)
        for m in s.meta["minima"]:
            ax.plot(*m, "*", color=theme.INK, ms=9)
        order = " < ".join("=".join(OPT_LABEL[n] for n in p) for p in s.meta["ranking"])
        mid = (len(s.meta["ranking"]) + 1) // 2
        parts = order.split(" < ")
        ax.set_title(f"{surf}, {s.meta['steps']} steps, final loss:\n{' < '.join(parts[:mid])} <\n"
                     f"{' < '.join(parts[mid:])}", fontsize=8)
        ax.legend(fontsize=6, loc="lower left")


@figure("descent_surface", experiments=("descent_surface",), size=(12, 4.2))
def surface(fig):
    """A moons MLP's loss along its PCA plane and a filter-normalised random plane, with its path."""
    rec = E.load("descent_surface")
    for k, which in enumerate(("pca", "random")):
        s, p = rec[which], rec[f"{which}_path"]
        ax = fig.add_subplot(1, 3, k + 1, projection="3d", computed_zorder=False)
        A, B = np.meshgrid(s.xs, s.ys)
        ax.plot_surface(A, B, np.log10(s.loss), cmap="viridis", alpha=0.7, linewidth=0, zorder=1)
        ax.plot(p.coords[:, 0], p.coords[:, 1], np.log10(X.path_heights(p, "slice")), color=theme.GRADIENT,
                lw=2, zorder=5)
        if which == "pca":
            ev = s.meta["explained_variance"]
            title = f"PCA plane: PC1 {ev[0]:.1%}, PC2 {ev[1]:.1%}"
        else:
            title = "filter-normalised random plane"
        ax.set_title(f"{title}\npath off plane: up to {p.rel_off_plane.max():.0%} of its distance to θ*\n"
                     "path heights: loss on the slice", fontsize=8)
        ax.set_zlabel("log₁₀ loss")
    ax = fig.add_subplot(1, 3, 3)
    p = rec["pca_path"]
    ax.semilogy(p.steps, X.path_heights(p, "true"), color=theme.INK, label="true loss J(θ_t)")
    ax.semilogy(p.steps, X.path_heights(p, "slice"), "--", color=theme.GRADIENT,
                label="loss at θ_t's projection")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (log scale)")
    ax.legend(fontsize=7, loc="upper right")  # "best" sat on the curves' start
    ax.set_title("the two heights differ\nwhere the path is off the plane", fontsize=9)
    # the 3-D panel's z label reaches past its box: move this panel clear of it
    box = ax.get_position()
    ax.set_position([box.x0 + 0.07, box.y0, box.width - 0.04, box.height])


@figure("descent_wells", experiments=("descent_wells",), size=(10, 4))
def wells(fig):
    """Plain GD stops in the shallow well; momentum rolls through to the deep one; restarts."""
    rec = E.load("descent_wells")
    cfg = E.get("descent_wells").config
    c = rec["curve"]
    a, b = fig.subplots(1, 2)
    xs, ys = c.xs, c.loss[0]
    from ..objectives import two_wells
    f = two_wells()
    for ax in (a, b):
        ax.plot(xs, ys, color=theme.INK)
        ax.set_xlabel("θ")
    for name, col in (("gd", theme.OPTIMIZER["sgd"]), ("momentum", theme.OPTIMIZER["momentum"])):
        th = rec[name].thetas[:, 0]
        a.plot(th, f.value(th[:, None]) + (0.04 if name == "momentum" else 0), ".-", ms=3, lw=0.7, color=col,
               label=f"{name} (η={cfg['lr']}" + (f", β={cfg['beta']})" if name == "momentum" else ")"))
        a.plot(th[-1], f.value(th[-1:, None]), "o", ms=9, color=col)
    a.legend(fontsize=8)
    a.set_title(f"same start θ₀={cfg['start']}, {cfg['steps']} steps", fontsize=10)
    for k in sorted(k for k in rec if k.startswith("restart")):
        th = rec[k].thetas[:, 0]
        deep = abs(th[-1] - c.meta["minima"][0][0]) < 1e-3
        col = theme.REGIME["smooth"] if deep else theme.REGIME["diverging"]
        b.plot(th[0], f.value(th[:1, None]), "o", mfc="none", color=col)
        b.annotate("", xy=(th[-1], float(f.value(th[-1:, None])[0])), xytext=(th[0], float(f.value(th[:1, None])[0])),
                   arrowprops=dict(arrowstyle="->", color=col, lw=0.8))
    b.set_title(f"{cfg['restarts']} seeded random restarts of plain GD: keep the best", fontsize=10)
