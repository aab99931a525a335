"""Still twins of the "how training behaves" scenes, drawn from the same records and theme: the same
colours per concept as the videos, formulas in mathtext, legends beside or below the data (never on it),
and pale colours (momentum's yellow, …) outlined in ink so they read on paper."""
from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import theme
from ..experiments import dynamics as X
from . import figure


def _pale(c: str) -> bool:
    h = c.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55


def _ink(c: str, lw: float = 1.5) -> dict:
    """Keyword arguments that outline a pale line in ink on paper (nothing for a dark one)."""
    if not _pale(c):
        return {}
    from matplotlib import patheffects as pe

    return {"path_effects": [pe.Stroke(linewidth=lw + 1.4, foreground=theme.INK), pe.Normal()]}


def _contours(ax, s, log=False, levels=14):
    Z = np.log10(s.loss - np.nanmin(s.loss) + 1e-3) if log else s.loss
    ax.contour(s.xs, s.ys, Z, levels=levels, colors=theme.MUTED, linewidths=0.6, linestyles="solid")
    ax.set_xlim(s.xs[0], s.xs[-1])
    ax.set_ylim(s.ys[0], s.ys[-1])


def _below(ax, ncol=1, **kw):
    """A legend under the axes (off the data)."""
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol, fontsize=8, **kw)


@figure("dynamics_momentum", experiments=("dynamics_momentum",), size=(13, 4.8))
def momentum(fig):
    """Plain GD vs momentum at (η*, β*) on a κ = 100 bowl, and the measured rate per β vs theory."""
    rec = E.load("dynamics_momentum")
    sw, s = rec["sweep"], rec["surface"]
    m = sw.meta
    shown = int(np.argmin(np.abs(sw.columns["beta"] - m["shown"][0])))
    runs = {"gd": rec["gd_tuned"], "star": rec["optimum"], "high": rec[f"star_{shown}"]}
    cols = {"gd": theme.GD, "star": theme.MOMENTUM_BETA["best"], "high": theme.MOMENTUM_BETA["too_much"]}
    names = {"gd": rf"plain GD, its best $\eta$ = {m['eta_gd']:.2f}",
             "star": rf"momentum $\eta^*$ = {m['eta_star']:.2f}, $\beta^*$ = {m['beta_star']:.2f}",
             "high": rf"momentum $\eta^*$, $\beta$ = {runs['high'].meta['beta']:g}: too much"}
    ax, ax2, ax3 = fig.subplots(1, 3)
    _contours(ax, s, log=True, levels=10)
    for k in ("high", "star", "gd"):
        p = runs[k].thetas
        ax.plot(p[:, 0], p[:, 1], "-", lw=1.0, color=cols[k], label=names[k], **_ink(cols[k], 1.0))
        ax2.plot(np.log10(X.distances(runs[k], (0, 0))), color=cols[k], lw=1.5, **_ink(cols[k]))
    ax.plot(0, 0, "*", color=theme.INK, ms=10)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    _below(ax)
    ax.set_title(rf"$\kappa = \lambda_{{\max}}/\lambda_{{\min}}$ = {m['kappa']:g}", fontsize=10)
    ax2.set_xlabel("step")
    ax2.set_ylabel(r"$\log_{10}\,\|\theta_k - \theta^*\|$")
    ax2.set_title("distance to the minimum", fontsize=10)
    c = sw.columns
    top = 1.06
    star_c, gd_c, div_c = cols["star"], cols["gd"], theme.REGIME["diverging"]   # η = GD's best: GD's colour
    ax3.plot(c["theory_beta"], np.minimum(c["theory_star"], top), "--", color=star_c, lw=1.2, **_ink(star_c, 1.2),
             label="theory")
    ax3.plot(c["theory_beta"], np.minimum(c["theory_gd"], top), "--", color=gd_c, lw=1.2)
    r = c["rate_star"]
    off = r > top
    ax3.plot(c["beta"][~off], r[~off], "o", color=star_c, mec=theme.INK, mew=0.7,
             label=rf"measured at $\eta^*$ = {m['eta_star']:.2f}")
    ax3.plot(c["beta"], c["rate_gd"], "o", mfc="none", color=gd_c, label=rf"measured at $\eta$ = {m['eta_gd']:.2f}")
    ax3.plot(c["beta"][off], np.full(off.sum(), top - 0.01), "o", color=div_c, mec=theme.INK, mew=0.7,
             label=r"$\rho > 1$: diverges")
    ax3.plot(m["beta_star"], rec["optimum"].meta["rate"], "o", ms=10, color=star_c, mec=theme.INK, mew=1.2,
             label=r"the run at $(\eta^*, \beta^*)$")
    ih = int(np.argmin(np.abs(c["beta"] - runs["high"].meta["beta"])))
    ax3.plot([0.0, c["beta"][ih]], [runs["gd"].meta["rate"], c["rate_star"][ih]], "o", ms=14, mfc="none", mew=1.5,
             color=theme.INK, label="rings: plain GD and too much β, as in the left panels")
    ax3.axhline(1.0, color=div_c, ls=":", lw=1)
    ax3.axvline(m["beta_star"], color=theme.INK, ls=":", lw=1)
    ax3.text(m["beta_star"], 1.0, rf"$\beta^*$ = {m['beta_star']:.2f}", transform=ax3.get_xaxis_transform(),
             ha="center", va="bottom", fontsize=9)
    ax3.set_ylim(0.75, top)
    ax3.set_xlabel(r"momentum $\beta$")
    ax3.set_ylabel(r"rate $\rho$ per step")
    ax3.set_title(rf"measured $\rho$ = {rec['optimum'].meta['rate']:.3f}, "
                  rf"$(\sqrt{{\kappa}}-1)/(\sqrt{{\kappa}}+1)$ = {m['rho_star']:.3f}", fontsize=10, pad=16)
    _below(ax3, ncol=2)
    fig.tight_layout()


LR_NAMES = {"constant": r"fixed $\eta$", "step": "step", "exponential": "exponential", "inverse_time": "inverse time",
            "cosine": "cosine"}


@figure("dynamics_lr_decay", experiments=("dynamics_lr_decay",), size=(13, 4.8))
def lr_decay(fig):
    """SGD's noise ball with a fixed rate vs four decay schedules: rates, ball radius, last positions."""
    rec = E.load("dynamics_lr_decay")
    tails, s = rec["tails"], rec["surface"]
    m = tails.meta
    wmin, k, seed = np.asarray(m["minimum"]), m["tail"], m["shown_seed"]
    ax1, ax2, ax3 = fig.subplots(1, 3)
    _contours(ax3, s, levels=10)
    t = np.linspace(0, 2 * np.pi, 200)
    for kind in m["order"]:
        run, c = rec[f"{kind}_{seed}"], theme.SCHEDULE[kind]
        ax1.plot(run.lr, color=c, lw=1.5, label=LR_NAMES[kind], **_ink(c))
        ax2.plot(np.log10(X.trailing_mean(X.distances(run, wmin), k)), color=c, lw=1.5,
                 label=f"{LR_NAMES[kind]}: {tails.columns[kind][seed]:.3f}", **_ink(c))
        last = run.thetas[-k:]
        ax3.plot(last[:, 0], last[:, 1], ".", ms=3, color=c)
        rad = tails.columns[kind][seed]
        ax3.plot(wmin[0] + rad * np.cos(t), wmin[1] + rad * np.sin(t), color=c, lw=1.5, **_ink(c))
    ax3.plot(*wmin, "*", color=theme.INK, ms=10)
    ax3.set_aspect("equal")
    ax1.set_xlabel("step")
    ax1.set_ylabel(r"learning rate $\eta_t$")
    _below(ax1, ncol=3)
    ax1.set_title(rf"schedules from $\eta_0$ = {m['lr']:g} over {m['steps']} steps", fontsize=10)
    ax2.set_xlabel("step")
    ax2.set_ylabel(rf"$\log_{{10}}$ noise-ball radius")
    _below(ax2, ncol=2, title=f"radius = mean distance to ★ over the last {k} steps (seed {seed})",
           title_fontsize=8)
    ax2.set_title("the noise ball shrinks only when η does", fontsize=10)
    ax3.set_xlabel("slope w")
    ax3.set_ylabel("intercept b")
    ax3.set_title(f"last {k} positions; circles: the radius", fontsize=10)
    fig.tight_layout()


@figure("dynamics_regularization", experiments=("dynamics_regularization",), size=(13, 4.8))
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
        ax.plot(W[:, 0], W[:, 1], "-", color=c, lw=2,
                label=rf"best $w$ as $\lambda$ grows from 0 to {p.columns['lambda'][-1]:g}")
        ax.axhline(0, color=theme.INK, lw=0.6, ls=":")
        ax.axvline(0, color=theme.INK, lw=0.6, ls=":")
        ax.plot(*m["w_ls"], "*", color=theme.INK, ms=10, label=r"$\lambda = 0$: the least-squares fit")
        ax.set_aspect("equal")
        ax.set_xlabel(r"$w_1$")
        ax.set_ylabel(r"$w_2$")
        _below(ax)
    ax1.set_title(r"L2: $\lambda(w_1^2 + w_2^2)$ shrinks, never zero", fontsize=10)
    i0 = int(np.flatnonzero(p.columns["lambda"] == m["lambda_zero"])[0])
    ax2.plot(*p.columns["l1"][i0], "o", mfc="none", color=theme.PENALTY["l1"], ms=10)
    ax2.set_title(rf"L1: $\lambda(|w_1| + |w_2|)$: $w_{m['zero_index'] + 1}$ = 0 at $\lambda$ = {m['lambda_zero']:.3f}",
                  fontsize=10)
    edges = h.columns["edges"]
    mid = (edges[:-1] + edges[1:]) / 2
    for o in h.meta["order"]:
        st = h.meta["stats"][o]
        lam = rf", $\lambda$ = {st['lambda']:g}" if st["lambda"] else ""
        ax3.step(mid, h.columns[o], where="mid", color=theme.PENALTY[o], lw=1.5,
                 label=f"{names[o]}{lam}: RMS {st['rms']:.2f}, |w| < {h.meta['small']:g}: {100 * st['small']:.0f} %")
    ax3.set_yscale("log")
    ax3.set_xlabel(f"weight (end bins: |w| ≥ {edges[-1]:g})")
    ax3.set_ylabel("count (log)")
    ax3.set_title(f"a {'-'.join(map(str, h.config['net']['sizes']))} digits network's weights", fontsize=10)
    _below(ax3)
    fig.tight_layout()


FIT_TITLES = {"under": "too simple", "right": "small", "over": "very flexible"}


@figure("dynamics_fitting", experiments=("dynamics_fitting",), size=(13, 7.4))
def fitting(fig):
    """Three capacities on one noisy data set, and early stopping on the validation split."""
    rec = E.load("dynamics_fitting")
    d = rec["data"].columns
    gs = fig.add_gridspec(2, 3, height_ratios=(1, 1.15))
    for j, name in enumerate(X.FIT_ORDER):
        c = rec[f"curves_{name}"]
        ax = fig.add_subplot(gs[0, j])
        ax.plot(d["grid"], d["truth"], "--", color=theme.MUTED, lw=1, label="sin x")
        ax.plot(d["x_train"], d["y_train"], "o", ms=3.5, color=theme.SPLIT["train"], label="train")
        ax.plot(d["x_validation"], d["y_validation"], "o", ms=4, mfc="none", color=theme.SPLIT["validation"],
                label="validation")
        ax.plot(d["grid"], c.columns["fit"][-1], color=theme.INK, lw=1.5, label="fit at the end")
        if name == "over":
            ax.plot(d["grid"], c.columns["fit"][c.meta["stop_index"]], "--", color=theme.SPLIT["validation"], lw=1.5,
                    label="fit at the early stop")
        ax.set_title(f"{FIT_TITLES[name]}: {'-'.join(map(str, c.meta['sizes']))}, {c.meta['n_params']:,} parameters\n"
                     f"train {c.columns['train'][-1]:.3f}, validation {c.columns['validation'][-1]:.3f}", fontsize=9)
        if name == "over":
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
    c, small = rec["curves_over"], rec["curves_right"]
    ax = fig.add_subplot(gs[1, :])
    for p, ls in (("train", "-"), ("validation", "-"), ("test", "--")):
        ax.semilogy(c.columns["step"], c.columns[p], ls, color=theme.SPLIT[p], lw=1.5,
                    label=p + (" (never used to choose)" if p == "test" else ""))
    i, j = c.meta["stop_index"], c.meta["test_min_index"]
    ax.axvline(c.meta["stop_step"], color=theme.SPLIT["validation"], ls=":", lw=1.2)
    ax.plot(c.columns["step"][i], c.columns["validation"][i], "o", color=theme.SPLIT["validation"], mec=theme.INK,
            label=f"early stop: step {c.meta['stop_step']:,}, the validation minimum")
    ax.plot(c.columns["step"][j], c.columns["test"][j], "o", mfc="none", color=theme.SPLIT["test"],
            label=f"test minimum (step {int(c.columns['step'][j]):,})")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (log)")
    ax.set_title(f"the very flexible network: stopped early, validation {c.columns['validation'][i]:.3f} beats the "
                 f"small network's best {np.min(small.columns['validation']):.3f}; test {c.columns['test'][i]:.3f} "
                 f"there vs {c.columns['test'][-1]:.3f} at the end", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()


@figure("dynamics_autodiff", experiments=("dynamics_autodiff",), size=(13, 5.4))
def autodiff(fig):
    """One neuron's loss as a computation graph: forward values and backward adjoints per node."""
    from matplotlib.patches import FancyBboxPatch

    from ..autodiff import layout

    rec = E.load("dynamics_autodiff")
    g, chk = rec["graph"], rec["check"]
    pos = layout(g)
    ax = fig.add_axes([0.02, 0.27, 0.96, 0.66])
    ax.set_axis_off()
    for i, nd in enumerate(g.nodes):
        for p in nd["parents"]:
            ax.annotate("", xy=pos[i] - [0.32, 0], xytext=pos[p] + [0.32, 0],
                        arrowprops=dict(arrowstyle="-|>", color=theme.MUTED, lw=1))
    for i, nd in enumerate(g.nodes):
        x, y = pos[i]
        ax.add_patch(FancyBboxPatch((x - 0.32, y - 0.22), 0.64, 0.44, boxstyle="round,pad=0.02", fc=theme.PAPER,
                                    ec=theme.MUTED if not nd["parents"] else theme.INK, lw=1))
        ax.text(x, y + 0.3, _node_label(g, i), ha="center", va="bottom", fontsize=9, color=theme.INK)
        ax.text(x, y + 0.08, f"{nd['value']:.3f}".replace("-", "−"), ha="center", va="center", fontsize=9, color=theme.VALUE_INK)
        ax.text(x, y - 0.11, f"ḡ {nd['grad']:.3f}".replace("-", "−"), ha="center", va="center", fontsize=9,
                color=theme.GRADIENT if nd["grad"] >= 0 else theme.GRADIENT_NEGATIVE)
    ax.set_xlim(pos[:, 0].min() - 0.5, pos[:, 0].max() + 0.5)
    ax.set_ylim(pos[:, 1].min() - 0.4, pos[:, 1].max() + 0.6)
    ax.set_title(f"{g.meta['expression']}: value (gold) forward; ḡ coral > 0, violet < 0; "
                 r"$\bar g = \partial L/\partial\,\mathrm{node}$ backward, "
                 r"$\bar g_{\mathrm{parent}}$ += $\bar g_{\mathrm{node}} \times "
                 r"\partial\,\mathrm{node}/\partial\,\mathrm{parent}$", fontsize=10)
    rows = [[f"∂L/∂{n}"] + [f"{chk.columns[col][k]:+.6f}".replace("-", "−") for col in ("autodiff", "mlp",
                                                                                     "finite_difference")]
            for k, n in enumerate(chk.meta["names"])]
    tax = fig.add_axes([0.2, 0.06, 0.6, 0.18])
    tax.set_axis_off()
    tax.table(cellText=rows, colLabels=["", "autodiff", "MLP backprop", "finite difference*"], loc="center")
    fig.text(0.5, 0.005, f"* central: (L(θ+h) − L(θ−h)) / 2h, h = {_power10(chk.meta['h'])}", ha="center", va="bottom",
             fontsize=9, color=theme.INK)


def _power10(h):
    """'$10^{-6}$' (mathtext) for an exact power of ten, else h as written."""
    e = round(np.log10(h))
    return f"$10^{{{e}}}$" if 10.0 ** e == h else f"{h:g}"


def _node_label(g, i):
    from ..autodiff import node_label

    return node_label(g, i)


@figure("dynamics_memory", experiments=("dynamics_memory",), size=(12, 6.8))
def memory(fig):
    """Peak memory of one training step vs batch size (predicted line first, measured dots on it,
    budget and the largest batch that fits); time per epoch as medians with min–max bars and the knee
    by the stated rule: the same record and the same sentences as the video (`memory_story`)."""
    t = E.load("dynamics_memory")["memory"]
    c, m = t.columns, t.meta
    s = X.memory_story(t)
    mib = 2 ** 20
    names = {"digits": "digits net", "mnist": "MNIST-size net"}
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1.3, 1)})
    b = c["batch"]
    xs = np.array([0.0, b.max()])
    budget, cap = m["budget_bytes"] / mib, m["max_batch_in_budget"]
    for k in ("mnist", "digits"):
        col, mk = theme.MEMORY_NET[k], m[k]
        same = f"{mk['slope']:,.0f}" == f"{mk['predicted_bytes']:,}"
        ax1.plot(xs, (mk["predicted_fixed_bytes"] + mk["predicted_bytes"] * xs) / mib, "--", color=col, lw=2)
        over = c[f"peak_{k}"] > m["budget_bytes"]
        ax1.plot(b[~over], c[f"peak_{k}"][~over] / mib, "o", color=col, mec=theme.INK, mew=0.6, ms=7,
                 label=f"{names[k]} {'-'.join(map(str, mk['sizes']))}: "
                       + (f"{mk['predicted_bytes']:,} B per example (predicted = measured)" if same else
                          f"predicted {mk['predicted_bytes']:,}, measured {mk['slope']:,.0f} B per example"),
                 zorder=3)
        ax1.plot(b[over], c[f"peak_{k}"][over] / mib, "o", color=theme.MEMORY_BUDGET, mec=theme.INK, mew=0.6,
                 ms=7, zorder=3, label="over budget" if k == "mnist" else None)
    ax1.axhline(budget, color=theme.MEMORY_BUDGET, ls=":", lw=1.8)
    ax1.text(80, budget + 1.5, f"{budget:g} MiB budget", color=theme.MEMORY_BUDGET, fontsize=10, va="bottom")
    ax1.plot([cap, cap], [0, budget], "--", color=theme.MEMORY_BUDGET, lw=1.5)
    ax1.text(cap + 120, 0.45 * budget, f"largest batch\nthat fits:\n{cap:,}", color=theme.MEMORY_BUDGET,
             fontsize=10, va="center")
    ax1.set_xlim(0, b.max() * 1.03)
    ax1.set_ylim(0, max(c["peak_mnist"].max() / mib, budget) * 1.15)
    ax1.set_xticks([0, 2048, 4096, 6144, 8192], ["0", "2,048", "4,096", "6,144", "8,192"])
    ax1.set_xlabel("batch size", fontsize=10)
    ax1.set_ylabel("peak MiB of one step", fontsize=10)
    ax1.set_title(f"peak memory of one step ({m['dtype']}): dashed = predicted from the widths", fontsize=10)
    ax1.legend(loc="upper left", bbox_to_anchor=(-0.12, -0.13), ncol=1, fontsize=9, frameon=False,
               title="dashed: predicted from the widths; dots: measured", title_fontsize=9)
    ax1.text(-0.12, -0.5, f"Q: at which batch is {budget:g} MiB full?  A: {cap:,}\n"
             f"MNIST-size, floats per example: {s['sum']};  {s['bytes']}\n"
             f"{s['fixed']} {s['fixed_why']}\n"
             f"budget: {s['cap']} {s['cap_value']};  {s['full']}",
             transform=ax1.transAxes, fontsize=10, color=theme.INK, va="top", linespacing=1.5)
    # time per epoch: medians of the repeated timings, min–max bars, the knee by the stated rule
    tb, med, lo, hi = c["time_batch"], s["median"], s["lo"], s["hi"]
    col = theme.MEMORY_NET["mnist"]
    ax2.errorbar(tb, med, yerr=[med - lo, hi - med], fmt="o", color=col, mec=theme.INK, mew=0.6, ms=7,
                 ecolor=col, elinewidth=2.5, capsize=6, capthick=2,
                 label=f"{names['mnist']}: {s['spread']}, bar: min–max")
    ax2.errorbar(tb, med, yerr=[med - lo, hi - med], fmt="none", ecolor=theme.INK, elinewidth=1.2, capsize=6,
                 capthick=1.2, zorder=5)                      # the min–max bars over the markers
    fb = np.geomspace(tb.min(), tb.max(), 100)
    ax2.plot(fb, s["work"] + s["step_cost"] * m["mnist"]["n_train"] / fb, "--", color=theme.INK, lw=1.3,
             label=f"fit: {s['step_cost'] * 1e3:.2f} ms × steps + {s['work']:.3f} s of work")
    kb = s["knee"]
    ax2.plot([kb], [med[list(tb).index(kb)]], "o", ms=16, mfc="none", mec=theme.INK, mew=1.5, zorder=4)
    ticks = [v for v in (16, 64, 256, 1024, 8192) if tb.min() <= v <= tb.max()]
    steps = {int(tb[0]): s["steps"][0], int(tb[-1]): s["steps"][-1]}
    ax2.set_xscale("log", base=2)
    ax2.set_xticks(ticks, [f"{v:,}" + (f"\n{steps[v]}" if v in steps else "") for v in ticks])
    ax2.minorticks_off()
    ax2.set_ylim(0, hi.max() * 1.3)
    ax2.set_xlabel("batch size (log scale)", fontsize=10)
    ax2.set_ylabel(f"CPU s per epoch ({m['mnist']['n_train']:,} examples)", fontsize=10)
    ax2.set_title(f"time per epoch; ring: the fixed cost is {s['knee_line']} from batch {kb:,} on", fontsize=10)
    ax2.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.2), ncol=1, fontsize=9, frameon=False)
    ax2.axvline(cap, color=theme.MEMORY_BUDGET, ls="--", lw=1.5)
    ax2.text(cap, 0.97 * ax2.get_ylim()[1], s["cap_label"] + " ", color=theme.MEMORY_BUDGET, fontsize=10,
             ha="right", va="top")
    ax2.text(-0.02, -0.5, f"why: {s['why'][0]}, {s['why'][1]}\n{s['knee_from']} {s['knee_line']}\n"
             f"{s['takeaway'][0]} {s['takeaway'][1]}",
             transform=ax2.transAxes, fontsize=10, color=theme.INK, va="top", linespacing=1.5)
    for ax in (ax1, ax2):
        ax.tick_params(labelsize=9)
    fig.subplots_adjust(left=0.07, right=0.98, top=0.94, bottom=0.4, wspace=0.3)

