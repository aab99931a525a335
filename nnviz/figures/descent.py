"""Still twins of the gradient-descent scenes, drawn from the same records and theme."""
from __future__ import annotations

import textwrap

import numpy as np

from .. import experiments as E
from .. import theme
from .. import tuning as T
from ..experiments import descent as X
from ..experiments import race_views as RV
from ..experiments import descent_views as TR
from . import figure

LABEL = {"batch": "batch GD", "minibatch": "mini-batch", "stochastic": "SGD (b=1)"}
OPT_LABEL = {**X.RACE_NAMES, "sgd": "SGD"}  # the race's names (SGD: stochastic runs)


def _contours(ax, s, log=False, levels=14, floor=None):
    """Contour lines of a surface record; `floor` (log surfaces): no level below f − f_min = floor (a
    narrow valley floor's crowded levels alias into a dashed-looking ladder)."""
    Z = np.log10(s.loss - np.nanmin(s.loss) + 1e-3) if log else s.loss
    if log and floor is not None:
        levels = np.linspace(np.log10(floor), np.nanmax(Z), levels)
    ax.contour(s.xs, s.ys, Z, levels=levels, colors=theme.MUTED, linewidths=0.6, linestyles="solid")
    ax.set_xlim(s.xs[0], s.xs[-1])
    ax.set_ylim(s.ys[0], s.ys[-1])


def _in_box(path, s):
    """Keep the path up to where it first leaves the plotted box (diverging runs)."""
    inside = (path[:, 0] >= s.xs[0]) & (path[:, 0] <= s.xs[-1]) & (path[:, 1] >= s.ys[0]) & (path[:, 1] <= s.ys[-1])
    out = np.flatnonzero(~inside)
    return (path, False) if out.size == 0 else (path[:out[0] + 1], True)


@figure("descent_regimes", experiments=("descent_regimes",), size=(12, 6.4))
def regimes(fig):
    """Slow, smooth, best, oscillating and diverging gradient descent on one bowl (one panel each), the
    loss per step with each curve named, and each run's per-direction factors |1 − ηλ| (the larger
    sets the pace)."""
    rec = E.load("descent_regimes")
    s = rec["surface"]
    grid = fig.add_gridspec(2, 5, height_ratios=[1, 1.25], hspace=0.35, wspace=0.15)
    first = rec[X.REGIME_ORDER[0]].meta
    name_of = lambda r: "best" if r == "optimal" else r
    for k, name in enumerate(X.REGIME_ORDER):
        ax = fig.add_subplot(grid[0, k])
        _contours(ax, s, levels=9)
        run, c = rec[name], theme.REGIME[name]
        path, left = _in_box(run.thetas, s)
        ax.plot(path[:, 0], path[:, 1], "-o", ms=2.5, lw=1.3, color=c, mec=theme.INK, mew=0.3)
        if left:
            ax.annotate("diverges", path[-2], xytext=(0, -10), textcoords="offset points", color=c, fontsize=9,
                        fontweight="bold", ha="center")
        ax.plot(*s.meta["minima"][0], "*", color=theme.PAPER, mec=theme.INK, ms=12, zorder=5)
        ax.plot(*run.thetas[0], "o", mfc="none", mec=theme.INK, ms=8, mew=1.3, zorder=5)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(rf"{name_of(name)}: $\eta\lambda_{{max}}$ = {run.meta['eta_lambda']:.2f}", color=c, fontsize=10)
    ax2 = fig.add_subplot(grid[1, :3])
    for name in X.REGIME_ORDER:
        run, c = rec[name], theme.REGIME[name]
        ax2.semilogy(run.loss, "--" if name == "optimal" else "-", color=c, lw=1.8)
        if np.isfinite(run.loss[-1]) and run.loss[-1] < 1:  # converging runs: the name at the curve's end
            nudge = {"optimal": -8, "oscillating": 7}.get(name, 0)
            ax2.annotate(name_of(name), (len(run.loss) - 1, run.loss[-1]), xytext=(5, nudge),
                         textcoords="offset points", color=c, fontsize=10, va="center")
    ax2.set_ylim(1e-10, 1e5)
    ax2.set_xlim(0, len(rec[X.REGIME_ORDER[0]].loss) + 9)
    ax2.set_xlabel("step")
    ax2.set_ylabel("loss (log scale)")
    ax2.set_title("loss per step: the larger factor sets the slope (best dashed)", fontsize=10)
    tab = fig.add_subplot(grid[1, 3:])
    tab.axis("off")
    tab.set_title(r"per step, distance to $\bigstar$ along each axis $\times\,|1-\eta\lambda|$", fontsize=10)
    rows = [[name_of(n), f"{rec[n].meta['factors']['steep']:.2f}", f"{rec[n].meta['factors']['flat']:.2f}"]
            for n in X.REGIME_ORDER]
    table = tab.table(cellText=rows, colLabels=["", r"steep ($\lambda_{max}$)", r"flat ($\lambda_{min}$)"],
                      loc="upper center", cellLoc="center", edges="horizontal")
    table.auto_set_font_size(False)
    table.set_fontsize(10)
    table.scale(1, 1.4)
    for i, n in enumerate(X.REGIME_ORDER, start=1):
        table[i, 0].get_text().set_color(theme.REGIME[n])
        f = rec[n].meta["factors"]
        for j, k in ((1, "steep"), (2, "flat")):
            if f[k] >= max(f.values()) - 1e-9:
                table[i, j].get_text().set_fontweight("bold")
    opt = rec["optimal"]
    tab.text(0.5, 0.02, "bold: the larger factor, it sets the pace\n"
             rf"best $\eta = 2/(\lambda_{{min}}+\lambda_{{max}})$ = {opt.learning_rate:.3g} makes both equal",
             ha="center", va="bottom", fontsize=10, transform=tab.transAxes)
    fig.suptitle(rf"plain GD on one bowl: $\lambda_{{max}}$ = {first['lambda_max']:.3g} (steep axis), "
                 rf"$\lambda_{{min}}$ = {first['lambda_min']:.3g} (flat axis); stable iff $\eta\lambda_{{max}} < 2$",
                 fontsize=11)


@figure("descent_variants", experiments=("descent_variants",), size=(12, 8.2))
def variants(fig):
    """As the video: one row per beat (matched epochs, then matched steps), each a (w, b) map of the
    batch, mini-batch and SGD paths, a zoom on the minimum, and the full-data loss above its minimum (per
    epoch: every update thin, each epoch's median thick; per step: every step), each row's lesson under
    it and the takeaway at the bottom."""
    import matplotlib.patches as mpatches

    rec = E.load("descent_variants")
    s = rec["surface"]
    grid = fig.add_gridspec(2, 3, width_ratios=[1.35, 1, 1.35], hspace=0.95, wspace=0.28)
    floor = s.meta["min_loss"]
    star = np.asarray(s.meta["minimum"], float)
    h = TR.zoom_window(rec)
    words = TR.lesson(rec)
    b = {v: rec[f"{v}_epochs"].meta["batch_size"] for v in X.VARIANT_ORDER}
    order = ("stochastic", "minibatch", "batch")  # batch GD drawn last: its path stays seen
    heads = []
    for row, match in enumerate(("epochs", "steps")):
        ax = fig.add_subplot(grid[row, 0])
        zoom = fig.add_subplot(grid[row, 1])  # a square zoom on ★, right of its map
        zoom.set_aspect("equal")
        for a_ in (ax, zoom):
            _contours(a_, s, log=True)
        zoom.set_xlim(star[0] - h, star[0] + h)
        zoom.set_ylim(star[1] - h, star[1] + h)
        zoom.set_xticks([star[0] - h, star[0], star[0] + h], [f"−{h:g}", "★", f"+{h:g}"])
        zoom.set_yticks([star[1] - h, star[1], star[1] + h], [f"−{h:g}", "★", f"+{h:g}"])
        zoom.grid(False)
        for side in zoom.spines.values():  # a closed box, as the dashed box on the map
            side.set_visible(True)
            side.set_color(theme.INK)
        zoom.set_title(f"zoom on ★ (± {h:g})", fontsize=10.5)
        ax.add_patch(mpatches.Rectangle((star[0] - h, star[1] - h), 2 * h, 2 * h, fill=False, ls="--", lw=1.0,
                                        ec=theme.INK, zorder=7))
        for z, v in enumerate(order):
            run = rec[f"{v}_{match}"]
            n = len(run.thetas)
            # older steps faint, the last 30 opaque (as in the video): SGD's hundreds no longer bury the minimum
            cut = max(1, n - 31)
            faint = 0.15 if v == "stochastic" else 0.6
            for a_ in (ax, zoom):
                a_.plot(run.thetas[:cut + 1, 0], run.thetas[:cut + 1, 1], lw=1.0 if v == "batch" else 0.8,
                        alpha=faint, color=theme.VARIANT[v], zorder=2 + z)
                a_.plot(run.thetas[cut:, 0], run.thetas[cut:, 1], lw=1.4, color=theme.VARIANT[v], zorder=2 + z)
                a_.plot(*run.thetas[-1], "o", ms=8, color=theme.VARIANT[v], mec=theme.INK, mew=0.8, zorder=8 + z)
        for a_ in (ax, zoom):  # ★ last and outlined: never under an end dot
            a_.plot(*star, "*", color=theme.PAPER, mec=theme.INK, ms=13, mew=1.3, zorder=12)
        ax.plot(*rec[f"batch_{match}"].thetas[0], "o", mfc="none", mec=theme.INK, ms=9, mew=1.5, zorder=6)
        first = rec[f"batch_{match}"]
        if match == "epochs":
            head = (f"Same data seen: {first.config['epochs']} epochs (updates: "
                    + " · ".join(str(rec[f"{v}_{match}"].n_steps) for v in X.VARIANT_ORDER) + ")")
        else:
            head = (f"Same step count: {first.n_steps} steps (data seen: "
                    + " · ".join(f"{rec[f'{v}_steps'].n_steps * b[v] / b['batch']:.2g}" for v in X.VARIANT_ORDER)
                    + " epochs)")
        heads.append((ax, head))
        ax.set_xlabel("$w$")
        ax.set_ylabel("$b$")
        lx = fig.add_subplot(grid[row, 2])
        for z, v in enumerate(order):
            run = rec[f"{v}_{match}"]
            if match == "epochs":
                spe = run.config["steps_per_epoch"]
                if spe > 1:  # every update, thin, under the median
                    lx.semilogy(run.eval_steps / spe, TR.excess(run, floor), color=theme.VARIANT[v], lw=0.6,
                                alpha=0.45, zorder=2 + z)
                x, y = TR.epoch_medians(run, floor)
            else:
                x, y = run.eval_steps, TR.excess(run, floor)
            lx.semilogy(x, y, color=theme.VARIANT[v], lw=2.0, zorder=6 + z)
            lx.plot(x[-1], y[-1], "o", ms=7, color=theme.VARIANT[v], mec=theme.INK, mew=0.8, zorder=12 - z)
        last = first.config["epochs"] if match == "epochs" else first.n_steps
        lx.set_xlim(-0.03 * last, 1.05 * last)
        lx.set_xlabel("epoch" if match == "epochs" else "step")
        lx.set_title("loss − minimum" + ("\nthin: every update · thick: epoch median" if match == "epochs" else
                                          "\nafter every step"), fontsize=10)
        # the row's lesson under it (one line per idea)
        lines = ([" ".join(words["stall"]), " ".join(words["epochs_end"])] if match == "epochs"
                 else [" ".join(words["steps_end"])])
        heads[-1] = (ax, heads[-1][1], "\n".join(lines))
    fig.text(0.5, 0.02, " ".join(words["takeaway"]), ha="center", fontsize=11, fontweight="bold", color=theme.INK)
    handles = [plt_line(theme.VARIANT[v]) for v in X.VARIANT_ORDER]
    fig.legend(handles, [f"{LABEL[v].replace('b=1', 'b = 1')}" + ("" if v == "stochastic" else f" (b = {b[v]})")
                         for v in X.VARIANT_ORDER],
               loc="upper center", bbox_to_anchor=(0.5, 0.955), ncol=3, fontsize=10.5, frameon=False)
    fig.suptitle("Batch, mini-batch and SGD: " + words["open"][0], fontsize=12)
    fig.subplots_adjust(bottom=0.19, top=0.83, right=0.98, left=0.06)
    for ax, head, lesson in heads:  # each row's header above it, its lesson under it, left-aligned with its map
        box = ax.get_position()
        fig.text(box.x0, box.y1 + 0.055, head, fontsize=11, fontweight="bold", color=theme.INK, va="bottom")
        fig.text(box.x0, box.y0 - 0.075, lesson, fontsize=10, color=theme.INK, va="top")


@figure("descent_digits", experiments=("descent_digits",), size=(12, 7.5))
def digits(fig):
    """Digits (8×8 MNIST), as the video: test loss per epoch, test loss against the measured training
    time (median epoch time), and every batch size's test loss after all epochs and after a time
    budget, with the range its loss takes over the epoch-time quartiles (the trade-off)."""
    from matplotlib.lines import Line2D

    faint = None
    rec = E.load("descent_digits")
    runs = TR.digits_runs(rec)  # b = 1, the batch size best at the budget, the full batch
    a, c, d = fig.subplots(1, 3, sharey=True, gridspec_kw={"width_ratios": [1, 1.15, 1.6]})
    times = {v: TR.epoch_times(runs[v]) for v in X.VARIANT_ORDER}
    b = TR.budgets(rec)
    words = TR.trade_off_words(rec)
    for v in X.VARIANT_ORDER[::-1]:
        run = runs[v]
        pe_ = TR.per_epoch(run)
        name = {"batch": f"b = {run.meta['batch_size']} (batch GD)", "minibatch": f"b = {run.meta['batch_size']}",
                "stochastic": "b = 1 (SGD)"}[v]
        lab = name + rf": $\eta$ = {run.meta['lr']:g}, epoch {TR.time_range(times[v])}"
        a.plot(pe_["epoch"], pe_["test_loss"], color=theme.VARIANT[v], lw=1.8, label=lab)
        a.plot(pe_["epoch"][-1], pe_["test_loss"][-1], "o", color=theme.VARIANT[v], mec=theme.PAPER, ms=7, zorder=4)
        # as the video: every run's raw evaluations faint (≤ FAINT_MOST, log-spaced), its running median in
        # log time bold on top (the curve the budget mark is read from)
        x_, y_ = TR.median_clock(run)[1:], run.test_loss[1:]
        pick = TR.log_pick(run.test_loss.size, TR.FAINT_MOST)
        c.plot(TR.median_clock(run)[pick], run.test_loss[pick], color=theme.VARIANT[v], lw=0.7, alpha=0.3)
        faint = (Line2D([0], [0], color=theme.INK, lw=0.7, alpha=0.4),
                 words["clock"][1].rstrip(".").replace("Faint", "faint"))
        c.plot(*TR.smooth_log(x_, y_), color=theme.VARIANT[v], lw=1.8)
        c.plot(b["budget"], b["seconds"][run.meta["batch_size"]], "o", mfc=theme.PAPER, mec=theme.VARIANT[v], mew=2.2,
               ms=8, zorder=6)
    a.set_yscale("log")
    a.set_ylim(0.05, 5)
    a.set_xlabel("epoch")
    a.set_ylabel("test loss")
    a.set_title("per epoch", fontsize=11)
    c.set_xscale("log")
    slowest = max(float(TR.median_clock(runs[v])[-1]) for v in X.VARIANT_ORDER)  # a busy machine stretches b = 1
    c.set_xlim(1e-3, 10.0 ** max(1, int(np.ceil(np.log10(slowest)))))
    c.set_xlabel("time (s) = epochs × median epoch time")
    c.set_ylabel("test loss")
    c.tick_params(axis="y", labelleft=True)
    start = float(runs["batch"].test_loss[0])  # every run starts from the same θ₀: before the axis' first second
    c.annotate(f"t = 0: {start:.2f}", (1e-3, start), xytext=(5, 12), textcoords="offset points", fontsize=9.5,
               color=theme.INK, va="bottom", arrowprops=dict(arrowstyle="-", color=theme.INK, lw=0.8))
    c.plot(1e-3, start, ">", color=theme.INK, ms=6, clip_on=False, zorder=7)
    c.set_title("per second", fontsize=11)
    c.axvline(b["budget"], color=theme.INK, ls=":", lw=1.4)
    c.annotate(f"{b['budget']:.2g} s =\nbatch GD's {b['n_epochs']} epochs", (b["budget"], 5), xytext=(4, -4),
               textcoords="offset points", va="top", fontsize=9.5, color=theme.INK)
    # every batch size: one slot each (the full batch a little apart), b and its tuned η under it
    bs = list(b["epochs"])
    xs = np.arange(len(bs)) + 0.2 * (np.arange(len(bs)) == len(bs) - 1)
    followed = {runs[v].meta["batch_size"]: theme.VARIANT[v] for v in X.VARIANT_ORDER}
    ink = [followed.get(x, theme.INK) for x in bs]
    # after all epochs: filled, left of the slot, solid line; at the budget: hollow, right, dashed line, with
    # its timing bar (the loss range over the epoch-time quartiles) as a whisker through it, the mark on top
    dx = 0.0  # both marks on their b tick: filled grey after all epochs, open (in the run's colour) at the budget
    d.plot(xs - dx, list(b["epochs"].values()), "-", color=theme.INK, lw=1.3, alpha=0.35, zorder=2)
    d.plot(xs + dx, list(b["seconds"].values()), "--", color=theme.INK, lw=1.3, zorder=2)
    for x, bx, col in zip(xs, bs, ink):
        lo, hi = b["spread"][bx]
        d.plot(x - dx, b["epochs"][bx], "o", color=theme.INK, mec=theme.PAPER, mew=1.0, ms=8, zorder=4, alpha=0.45)
        d.errorbar([x + dx], [b["seconds"][bx]], yerr=[[b["seconds"][bx] - lo], [hi - b["seconds"][bx]]], fmt="none",
                   ecolor=col, elinewidth=1.6, capsize=4, capthick=1.6, zorder=5)
        d.plot(x + dx, b["seconds"][bx], "o", mfc=theme.PAPER, mec=col, mew=1.8, ms=7, zorder=6)
    # the per-second verdict: the lowest median's column lit, and any column whose bar overlaps its bar (a tie)
    for x in b["best_seconds"]:
        i = xs[bs.index(x)]
        d.axvspan(i - 0.5, i + 0.5, color=theme.FIGURE_GRID, alpha=0.9, lw=0, zorder=0)
        d.text(i, 4.6, f"{'tie' if len(b['best_seconds']) > 1 else 'best'} at {b['budget']:.2g} s", ha="center",
               va="top", fontsize=9.5, color=theme.INK)
    d.set_xticks(xs, [f"{x}\n{b['lr'][x]:g}" for x in bs])
    d.tick_params(axis="x", length=3)
    d.text(-0.025, -0.045, "b\n$\\eta$", transform=d.transAxes, ha="right", va="top", fontsize=10, color=theme.INK,
           linespacing=1.2)
    d.set_xlim(-0.5, xs[-1] + 0.6)
    d.set_xlabel("batch size b (and its tuned $\\eta$)")
    d.tick_params(axis="y", labelleft=True)
    d.legend([Line2D([0], [0], ls="-", marker="o", color=theme.INK, ms=7, lw=1.3, alpha=0.6),
              Line2D([0], [0], ls="--", marker="o", mfc=theme.PAPER, mec=theme.INK, color=theme.INK, mew=1.8, ms=7,
                     lw=1.3),
              Line2D([0], [0], ls="none", marker="|", color=theme.INK, ms=10, mew=1.6)],
             [f"after {b['n_epochs']} epochs", f"after {b['budget']:.2g} s",
              "bar: its loss noise and timing range"],
             fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    h, l = a.get_legend_handles_labels()
    extra = [faint] if faint else []  # the faint raw curve, named beside the runs
    fig.legend([*h, *(f[0] for f in extra)], [*l, *(f[1] for f in extra)], loc="upper center", ncol=2, fontsize=9.5,
               frameon=False, bbox_to_anchor=(0.5, 0.925))
    lrs = runs[X.VARIANT_ORDER[0]].meta["tuning"]["lrs"]
    fig.suptitle("Which batch size learns fastest: per epoch, or per second?", fontsize=13, y=0.995,
                 fontweight="bold")
    fig.text(0.5, 0.935, f"8×8 digits, net {'–'.join(map(str, rec['batch'].config['problem']['model']['sizes']))} · "
             rf"$\eta$ per b: lowest training loss of {len(lrs)} rates ({lrs[0]:g}–{lrs[-1]:g}) · epoch time: median (quartiles) of "
             f"{b['times'][b['n']]['n']} timed epochs" + (" (each timed twice, the faster kept)"
                                                           if rec["batch"].meta.get("timing") else ""),
             ha="center", fontsize=10, color=theme.INK)
    # each panel's claims under it (the video's captions), the takeaway under all
    fig.subplots_adjust(top=0.77, bottom=0.345, wspace=0.25, left=0.06, right=0.985)
    notes = {a: [words["epoch"][0]], c: [*words["second"], words["budget"][0].split(". ")[1] + " " + words["budget"][1]],
             d: words["after_time"]}
    for ax, lines in notes.items():
        box = ax.get_position()
        chars = int(box.width * 12 * 72 / 4.9)  # ≈ characters of 9.5-pt text across the panel
        body = textwrap.fill(" ".join(lines).replace("b = ", "b\u00a0=\u00a0"), chars)  # "b = 128" never split
        fig.text(box.x0, 0.25, body, ha="left", va="top", fontsize=9.5, color=theme.INK, linespacing=1.35)
    fig.text(0.5, 0.055, " ".join(words["takeaway"][:2]), ha="center", fontsize=11.5, fontweight="bold",
             color=theme.INK)
    fig.text(0.5, 0.015, words["takeaway"][2], ha="center", fontsize=11.5, fontweight="bold", color=theme.INK)


def _sci(x: float) -> str:
    """A number in mathtext: 0.0016 → $1.6\\times10^{-3}$ style only where needed."""
    if 1e-3 <= abs(x) < 1e3:
        return f"{x:.2g}"
    m, e = f"{x:.1e}".split("e")
    return rf"{m}\times10^{{{int(e)}}}" if m not in ("1.0",) else rf"10^{{{int(e)}}}"


RACE_VIEW = {"beale": ((-2.5, 4.5), (-3.0, 2.5))}  # the window the race scene shows (DescentRaceBeale.view)


def _inked(lw: float):
    """A thin ink edge under a coloured line, so pale hues (Momentum's yellow) read on white paper."""
    from matplotlib import patheffects as pe

    return [pe.Stroke(linewidth=lw + 0.8, foreground=theme.INK, alpha=0.3), pe.Normal()]


def _rank_strip(ax, surf, s, runs, min_value, tun, probes=None):
    """The recorded ranking as the video draws it: one row per optimizer (with its η), best first, an
    outlined dot (and a bar from the left) at its final loss f − f* on a log axis; runs tied at
    round-off drawn at the floor, ordered by arrival, with the step each got there. The winner at its η
    one grid step either way: hollow rings on its own row's centreline at their final losses, and a run
    that diverged as × in a "diverged" column right of the axis (a diverged run has no final loss)."""
    order = X.finish_order(s)
    tied = [n for p in s.meta["ranking"] if len(p) > 1 for n in p if runs[n].meta["final_loss"] <= T.ATOL]
    f = {n: max(float(runs[n].meta["final_loss"]), T.ATOL) for n in order}
    lo = np.floor(np.log10(min(f.values())))
    hi = max(np.ceil(np.log10(max(f.values()))), lo + 2)
    span = hi - lo
    nb = tun.meta.get("neighbours") if tun.meta["verdict"] != "tie" else None
    gone = bool(nb) and not all(np.isfinite([nb["lower"], nb["higher"]]))
    # the strip's width in shares: the log axis, then the value column, then (if needed) "diverged"
    left = lo - 0.06 * span
    right = left + (hi - left) / (0.55 if gone else 0.7)
    at = lambda share: 10 ** (left + share * (right - left))  # noqa: E731
    for k, n in enumerate(order):
        c = theme.OPTIMIZER[n]
        ax.plot([10 ** lo, f[n]], [k, k], color=c, lw=3, solid_capstyle="butt", zorder=2, path_effects=_inked(3))
        ax.plot(f[n], k, "o", ms=8, color=c, mec=theme.INK, mew=1.0, zorder=3)
        v = runs[n].meta["final_loss"]
        txt = (rf"$<10^{{-12}}$ by step {X.first_below(runs[n], min_value, T.ATOL)}" if n in tied else
               r"$<10^{-12}$" if v <= T.ATOL else f"{v:.2g}" if v >= 1e-4 else f"${_sci(v)}$")
        # the values in a column right of the axis (as the video's strip): clear of the winner's rings
        ax.annotate(txt, (at(0.55 if gone else 0.7), k), xytext=(6, 0), textcoords="offset points", va="center",
                    fontsize=11, color=theme.INK)
    key = []
    edge = at(0.86)  # the value column ends here; the "diverged" column lies beyond
    if nb:
        w = tun.meta["winner"][0]
        k = order.index(w)
        c = theme.OPTIMIZER[w]
        j = RV.chosen_index(tun, w)
        for side, dj in (("lower", -1), ("higher", 1)):
            v = nb[side]
            eta = f"η = {tun.lrs[j + dj]:.2g}"
            if np.isfinite(v):  # on the row's centreline, hollow, over the bar
                ax.plot(max(v, T.ATOL), k, "D", ms=9, mfc="none", mec=c, mew=2.0, zorder=4)  # ◇ (○ is the start)
                ax.annotate(f"η={tun.lrs[j + dj]:.2g}", (max(v, T.ATOL), k), xytext=(6, 6), textcoords="offset points",
                            ha="left", va="bottom", fontsize=10, color=theme.INK)  # right of its ◇, clear of the spine
                vs = r"$<10^{-12}$" if v <= T.ATOL else f"{v:.2g}" if v >= 1e-4 else f"${_sci(v)}$"
                key.append(f"◇ {eta}: {vs}")
            else:
                ax.plot(at(0.93), k, "x", ms=9, mew=2.5, color=c, zorder=4, clip_on=False)
                key.append(f"× {eta}: unstable")  # broke the stability rule (not necessarily diverged)
                if probes is not None:  # how it broke the rule, from its recorded curve, over the × column
                    ax.annotate(RV.broke_rule(tun, probes, w, j + dj, short=True), (edge, -0.5), xytext=(3, 3),
                                textcoords="offset points", ha="left", va="bottom", fontsize=10, color=theme.INK,
                                annotation_clip=False)
    if gone:
        ax.axvline(edge, color=theme.MUTED, lw=0.8, ls=(0, (3, 2)))
    ax.set_xscale("log")
    ax.set_xlim(10 ** left, 10 ** right)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels([f"{OPT_LABEL[n]} η={tun.meta['chosen_lr'][n]:.2g}" for n in order], fontsize=11)
    step = max(1, int(np.ceil(span / 2)))  # two or three labelled decades: they never touch
    ticks = list(10.0 ** np.arange(lo, hi + 1e-9, step))  # from the floor (10⁻¹² where runs tie) up
    labels = [f"$10^{{{int(round(np.log10(t)))}}}$" for t in ticks]
    if gone:
        ticks.append(at(0.93))
        labels.append("unstable")
    ax.set_xticks(ticks, labels)
    ax.minorticks_off()
    head = r"final loss $f - f^*$ (log scale), best first"
    if tied:
        head += "\n" + r"tied rows: $f - f^* < 10^{-12}$ by the step shown"
    if key:
        head += f"\n{OPT_LABEL[tun.meta['winner'][0]]} one grid step lower / higher:\n" + " · ".join(key)
    ax.set_xlabel(head, fontsize=11)
    ax.tick_params(labelsize=11)
    ax.grid(False)
    return order, tied


def _crowded_ends(ax, runs, names, reach=0.17, tied=()):
    """Runs whose ends lie within `reach` inches of each other on the plot: their end dots set side by
    side on a circle `reach` inches round the first one's end (clear of a ★ drawn there), in the order
    given (best finish at the top, then clockwise); returns their names. Where two or more of them are
    `tied` (at the minimum up to round-off), only those go on the circle: the others keep their true place."""
    from matplotlib.transforms import ScaledTranslation

    inch = {n: ax.transData.transform(runs[n].thetas[-1]) / ax.figure.dpi for n in names}
    near = lambda a, b: np.linalg.norm(inch[a] - inch[b]) < reach  # noqa: E731
    groups = []
    for n in names:
        for g in groups:
            if any(near(n, m) for m in g):
                g.append(n)
                break
        else:
            groups.append([n])
    groups = [g for g in groups if len(g) > 1]
    groups = [[n for n in g if n in tied] if sum(n in tied for n in g) > 1 else g for g in groups]
    groups = [g for g in groups if len(g) > 1]
    for g in groups:
        across = None
        if not any(n in tied for n in g) and len(g) == 2:  # two ends on one spot: across the path (the valley)
            d = inch[g[0]] - ax.transData.transform(runs[g[0]].thetas[-20]) / ax.figure.dpi
            across = float(np.arctan2(d[1], d[0])) + np.pi / 2  # along the path would read as one got further
            ax.plot(*runs[g[0]].thetas[-1], "o", ms=5, mfc="none", mec=theme.INK, mew=1.0, zorder=10)  # the true spot
            if RV.same_spot(runs, *g):  # one spot, about one loss: say so (neither got further)
                ax.annotate(f"{OPT_LABEL[g[0]]} ≈\n{OPT_LABEL[g[1]]}", runs[g[0]].thetas[-1], xytext=(12, -10),
                            textcoords="offset points", ha="left", va="top", fontsize=10, color=theme.INK, zorder=13,
                            bbox=dict(boxstyle="round,pad=0.15", fc=theme.PAPER, ec="none", alpha=0.9))
        tight = all(n in tied for n in g)  # tied at the minimum: small dots close round ★ (★ drawn on top)
        r, ms = (0.14, 4.5) if tight else (reach if across is None else 0.09, 6.5)
        for k, n in enumerate(g):
            a = np.pi / 2 - 2 * np.pi * k / len(g) if across is None else across + np.pi * k
            shift = ScaledTranslation(r * np.cos(a), r * np.sin(a), ax.figure.dpi_scale_trans)
            ax.plot(*runs[g[0]].thetas[-1], "o", ms=ms, color=theme.OPTIMIZER[n], mec=theme.INK, mew=0.8,
                    zorder=10, transform=ax.transData + shift)
    return [n for g in groups for n in g]


def _faded_path(ax, th, c, lw=1.4):
    """A path whose segments fade with age: the last steps solid, the first ones at a quarter opacity
    (as the video's trails), on a thin ink edge so pale hues read on paper."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    th = np.asarray(th, float)
    seg = np.stack([th[:-1], th[1:]], axis=1)
    alpha = np.linspace(0.3, 1.0, len(seg))
    ink = np.array([to_rgba(theme.INK, 0.3 * a) for a in alpha])  # the edge fades with the line
    ax.add_collection(LineCollection(seg, colors=ink, linewidths=lw + 0.8, zorder=2, capstyle="butt"))
    ax.add_collection(LineCollection(seg, colors=[to_rgba(c, a) for a in alpha], linewidths=lw, zorder=2,
                                     capstyle="butt"))


@figure("descent_race", experiments=("descent_race",), size=(12.5, 11.2))
def race(fig):
    """Six optimizers from the same start for the same number of steps on three surfaces, each at the η
    the fair protocol chose for it; a headline and one colour key above the maps; trails fading with
    age; the recorded ranking drawn as in the video (log strip of final losses, best first, the winner's
    η one grid step either way on its own row), the verdict and the reason under each panel."""
    from matplotlib.lines import Line2D
    from matplotlib.transforms import ScaledTranslation

    rec = E.load("descent_race")
    outer = fig.add_gridspec(3, 1, height_ratios=[3.4, 1.4, 1.2], hspace=0.42, top=0.875, bottom=0.07,
                             left=0.07, right=0.97)
    maps = outer[0].subgridspec(1, 3, wspace=0.3)
    rows = outer[1].subgridspec(1, 3, wspace=0.85)
    notes = outer[2].subgridspec(1, 3, wspace=0.3)
    winners = []
    for col, surf in enumerate(X.RACES):
        ax = fig.add_subplot(maps[0, col])
        s, tun = rec[f"{surf}__surface"], rec[f"{surf}__tuning"]
        runs = {n: rec[f"{surf}__{n}"] for n in X.RACE_ORDER}
        winners.append(s.meta["ranking"][0])
        _contours(ax, s, log=s.meta["log_scale"], levels=12 if surf == "rosenbrock" else 18,
                  floor=1.0 if surf == "rosenbrock" else None)
        (x0, x1), (y0, y1) = RACE_VIEW.get(surf, ((s.xs[0], s.xs[-1]), (s.ys[0], s.ys[-1])))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        order = X.finish_order(s)
        # runs ending on one spot (at the plot's scale): their end dots side by side round it, best on top
        done = [n for n in order if runs[n].meta["final_loss"] <= T.ATOL]
        crowded = _crowded_ends(ax, runs, [n for n in order if np.all(np.isfinite(runs[n].thetas[-1]))], tied=done)
        star = np.asarray(s.meta["minima"][0], float)
        near = [n for n in crowded if n not in done and np.linalg.norm(runs[n].thetas[-1] - star) < 0.1]
        if len(near) > 2 and len(done) <= 1:  # ends spread round ★ though only one (or none) is at it: say so
            far = max(np.linalg.norm(runs[n].thetas[-1] - star) for n in crowded)
            ax.annotate(f"all {len(crowded)} end within {far:.2g} of ★ (drawn side by side);\n"
                        + (f"only {OPT_LABEL[done[0]]} reaches it ($f - f^* < 10^{{-12}}$)" if done else "none reaches it"),
                        star, xytext=(0.98, 0.04), textcoords="axes fraction", ha="right", va="bottom", fontsize=10,
                        color=theme.INK, zorder=13, bbox=dict(boxstyle="round,pad=0.2", fc=theme.PAPER, ec="none", alpha=0.9),
                        arrowprops=dict(arrowstyle="-", color=theme.INK, lw=0.8, shrinkB=12))
        for name in X.RACE_ORDER:
            run = runs[name]
            c = theme.OPTIMIZER[name]
            # the whole path, clipped by the axes (a run that leaves the view and comes back is drawn
            # both times, as in the scene); its end dot only where it ends inside the view
            _faded_path(ax, run.thetas, c)
            end = run.thetas[-1]
            inside = np.all(np.isfinite(end)) and x0 <= end[0] <= x1 and y0 <= end[1] <= y1
            if inside and name not in crowded:
                # a run that ends inside a ring of tied ends without being tied: its dot on top of ★ at its true
                # place, named with its loss in dark ink (a colour swatch in front) on a dark leader
                beside = name not in done and any(np.linalg.norm(ax.transData.transform(end) - ax.transData.transform(
                    runs[m].thetas[-1])) / fig.dpi < 0.35 for m in crowded)
                ax.plot(*end, "o", ms=6.5, color=c, mec=theme.INK, mew=0.8, zorder=14 if beside else 11)
                if beside:
                    top = end[1] >= star[1]  # the labels stacked right of the trails, above ★'s end first
                    at = (0.63, 0.74 if top else 0.625)
                    ax.annotate(f"{OPT_LABEL[name]}\n$f - f^*$ = {run.meta['final_loss']:.2g}", end, xytext=at,
                                textcoords="axes fraction", ha="left", va="top", fontsize=10.5,
                                color=theme.INK, zorder=13,
                                bbox=dict(boxstyle="round,pad=0.2", fc=theme.PAPER, ec="none", alpha=0.9),
                                arrowprops=dict(arrowstyle="-", color=theme.INK, lw=0.9, shrinkA=2, shrinkB=4,
                                                relpos=(0.0, 0.75)))  # to its own name's line: never across the other box
                    swatch = ScaledTranslation(-7 / 72, -7 / 72, fig.dpi_scale_trans)  # left of the name's line
                    ax.plot(*at, "s", ms=7, color=c, mec=theme.INK, mew=0.8, zorder=14, clip_on=False,
                            transform=ax.transAxes + swatch)
            th = run.thetas
            if th[:, 1].max() > y1 and inside:  # leaves the view and comes back: how far it went, beside its exit
                k = int(np.flatnonzero(th[:, 1] > y1)[0])
                ax.annotate(f"↖ {OPT_LABEL[name]}: up to y = {th[:, 1].max():.1f}", (th[k - 1, 0], y1),
                            xytext=(6, -2), textcoords="offset points", ha="left", va="top", color=theme.INK,
                            fontsize=10.5, zorder=12)
        ax.plot(*s.meta["start"], "o", ms=9, mfc="none", mec=theme.INK, mew=1.8, zorder=5)
        if len(done) > 1:  # runs tied at ★: small dots close round it, named once in the corner
            ax.text(0.03, 0.41, f"{len(done)} tied on ★:\n" + _wrap(", ".join(OPT_LABEL[n] for n in X.RACE_ORDER if n in done), 16),
                    transform=ax.transAxes, ha="left", va="top", fontsize=10.5, color=theme.INK, zorder=13,
                    bbox=dict(boxstyle="round,pad=0.2", fc=theme.PAPER, ec="none", alpha=0.9))
        for m in s.meta["minima"]:  # the goal above every end dot, hollow: a dot on it shows inside
            ax.plot(*m, "*", mfc="none", mec=theme.PAPER, mew=3.2, ms=17, zorder=12)
            ax.plot(*m, "*", mfc="none", mec=theme.INK, mew=1.4, ms=17, zorder=12)
        for p in s.meta.get("saddles", []):
            ax.plot(*p, "X", color=theme.PAPER, mec=theme.INK, mew=1.0, ms=10, zorder=9)
            ax.annotate("saddle", p, xytext=(6, -12), textcoords="offset points", fontsize=10, color=theme.INK,
                        zorder=9)
        ax.set_title(f"{surf.capitalize()}, {s.meta['steps']} steps", fontsize=12)
        ax.set_xlabel("$x$")
        ax.set_ylabel("$y$")
        strip = fig.add_subplot(rows[0, col])
        _rank_strip(strip, surf, s, runs, tun.meta["min_value"], tun, rec.get(f"{surf}__probes"))
        note = fig.add_subplot(notes[0, col])
        note.axis("off")
        # three short lines, each fact once: the verdict and the winner's neighbours are on the strip, the
        # winner in the headline
        note.text(0.0, 1.0, "\n".join(_wrap(t, 44).replace("\n", "\n   ") for t in RV.still_points(surf, s, runs, tun)),
                  va="top", ha="left", fontsize=11,
                  transform=note.transAxes, linespacing=1.5)
    # the headline: what the three panels say together (winners read off the records)
    said = []
    for p, sf in zip(winners, X.RACES):
        v = rec[f"{sf}__tuning"].meta["verdict"]
        if len(p) > 1:
            said.append(f"a {len(p)}-way tie on {sf.capitalize()}")
        elif v == "robust":
            said.append(f"{OPT_LABEL[p[0]]} on {sf.capitalize()}")
        else:  # first, but one grid step of η reorders the top: no robust winner
            said.append(f"no robust winner on {sf.capitalize()} ({OPT_LABEL[p[0]]} first, fragile)")
    fig.suptitle("The winner depends on the surface", fontsize=16, fontweight="bold", y=0.995)
    line = "; ".join(said)
    fig.headline = fig.text(0.5, 0.958, line[0].upper() + line[1:], ha="center", va="top", fontsize=13)
    # one colour key for all three maps, above them (never on the data)
    fig.legend([Line2D([0], [0], color=theme.OPTIMIZER[n], lw=3) for n in X.RACE_ORDER],
               [OPT_LABEL[n] for n in X.RACE_ORDER], loc="upper center", ncol=6, fontsize=12, frameon=False,
               bbox_to_anchor=(0.5, 0.93))
    # the protocol on a row of its own under the panels
    tuns = {sf: rec[f"{sf}__tuning"] for sf in X.RACES}
    t0 = next(iter(tuns.values()))
    grown = [sf.capitalize() for sf, t in tuns.items() if t.meta.get("extended", {}).get("high")]
    top = max(t.lrs[-1] for t in tuns.values())
    fig.text(0.5, 0.012, f"η per optimizer and surface (each strip row): the best stable final loss on one shared grid, "
             f"{_pow(t0.config['lo'])} … {_pow(t0.config['hi'])}" +
             (f" (widened to {_pow(top)} on {' and '.join(grown)}, where the best η sat at its edge)" if grown else "") +
             f", {t0.config['per_decade']} per decade;\nstable: loss never > {t0.config.get('peak', 10):g}× the start, nor "
             f"above it after the first {t0.config['warmup']:.0%} of steps; same start ○ and steps for all;\n★ minimum; ● each run's end "
             f"(ends on one spot drawn side by side; a small ring marks the spot when it is not ★)", ha="center", va="bottom", fontsize=11)


def _pow(x: float) -> str:
    return f"$10^{{{int(round(np.log10(x)))}}}$"


def _wrap(s: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(s, width))


def _seen(word: str) -> int:
    """How many characters a word shows (mathtext markup such as $\\lambda_{\\mathrm{max}}$ not counted)."""
    import re

    w = re.sub(r"\\mathrm\{([^}]*)\}", r"\1", word)
    w = re.sub(r"\\[a-z]+", "x", w)
    return len(re.sub(r"[${}_^]", "", w))


def _wrap_seen(s: str, width: int) -> str:
    """Greedy wrap by the characters a line shows, so bullets with mathtext wrap at the same width."""
    lines, cur = [], []
    for w in s.split(" "):  # only plain spaces: a no-break space keeps "η = 1.6" or "≤ 10⁻¹²" on one line
        if not w:
            continue
        if cur and sum(map(_seen, cur)) + len(cur) + _seen(w) > width:
            lines.append(" ".join(cur))
            cur = []
        cur.append(w)
    return "\n".join(lines + [" ".join(cur)])


GLUE = (("η = ", "η\u00a0=\u00a0"), (", ○)", ",\u00a0○)"), ("≤ 10", "≤\u00a010"), ("either η", "either\u00a0η"))


def _glued(words: str) -> str:
    """No-break spaces where a wrap would leave an orphan ("η = / 1.6", "≤ / 10⁻¹²", "0.011, / ○)")."""
    for a, b in GLUE:
        words = words.replace(a, b)
    return words


def plt_line(color, **kw):
    from matplotlib.lines import Line2D

    return Line2D([0], [0], color=color, lw=2, **kw)


def _tuning_words(tun, names) -> list:
    """What the tuning panel says under it, as short points: the verdict, who sits at the edge of
    divergence (or, on a tie, what one grid step up gives)."""
    words = [RV.verdict_text(tun) + "."]
    if tun.meta["verdict"] == "tie":
        tied = tun.meta["ranking"][0]
        if max(tun.meta["chosen_final"][n] for n in tied) <= T.ATOL:  # at the floor: the tie-break's order
            words = [RV.tie_words(tun)]
        words.append(RV.tie_edge_text(tun))
        knife = RV.knife_edge_text(tun)
        if knife:
            words.append(knife)
        return words
    w = tun.meta["winner"][0]
    i = names.index(w)
    k = int(tun.chosen[i])
    if tun.final_loss[i, k] <= T.ATOL:  # a winner at the floor beside a rate that ends just above it
        near = [j for j in np.flatnonzero(tun.stable[i].astype(bool))
                if j != k and T.ATOL < tun.final_loss[i, j] < 10 * T.ATOL]
        others = min(f for n, f in tun.meta["chosen_final"].items() if n != w)
        for j in near[:1]:
            either = f"; {OPT_LABEL[w]} is first with either η" if tun.final_loss[i, j] < others else ""
            words.append(f"{OPT_LABEL[w]} at η = {tun.lrs[j]:.2g} ends at {X.loss_words(float(tun.final_loss[i, j]))}: "
                         f"just outside the tie rule (below 10⁻¹²), so η = {tun.lrs[k]:.2g} is chosen{either}.")
    edge = [OPT_LABEL[n] for n in names if X.at_edge(tun, n)]
    if len(edge) > 1:
        words.append(f"{', '.join(edge[:-1])} and {edge[-1]}: best η = the last stable one, so one grid step can "
                     f"reorder them.")
    elif edge:
        words.append(f"{edge[0]}: best η = the last stable one (one grid step up is unstable).")
    return words


UNDER = {"gd": 3.0, "momentum": 2.4, "nesterov": 1.4}  # line widths where these curves coincide (lowest widest)
ZONE_ROW = 1.4  # decades between the rows of tied ● under the tie floor (the tuning still)


@figure("descent_race_tuning", experiments=("descent_race",), size=(13, 8.2))
def race_tuning(fig):
    """Final loss against η (log-log) per optimizer on each race surface: the stable range (faint, solid
    from each chosen η's grid neighbour to the next), the chosen η (outlined dot), every unstable η that
    did not diverge as a hollow ring at its final loss, and a × (on one "diverges" row above the plot)
    where every larger η diverged — as the video draws them; losses below the tie floor 10⁻¹² drawn on
    the floor (they are ties).
    Rosenbrock also shows GD's cap 2/λ_max at the start and the good-loss line, as the video does: why
    some optimizers are easy to tune."""
    rec = E.load("descent_race")
    grid = fig.add_gridspec(2, 3, height_ratios=[3.0, 2.2], hspace=0.3, wspace=0.32, left=0.06, right=0.98,
                            top=0.80, bottom=0.155)
    fig.suptitle("Final loss vs η for each optimizer: where is the best stable η, and how close is it to the edge?",
                 fontsize=13, fontweight="bold", y=0.995)
    titled = []  # (axes, title, rows of ×): every title clears the most rows of any panel, all at one height
    for col, surf in enumerate(X.RACES):
        ax = fig.add_subplot(grid[0, col])
        tun = rec[f"{surf}__tuning"]
        lrs, F, S = tun.lrs, tun.final_loss, tun.stable.astype(bool)
        ends = np.isfinite(F) & ~S  # dropped runs that did not diverge: their final loss as a ring
        shown = np.maximum(F[(S | ends) & np.isfinite(F)], T.ATOL)
        floor = 10 ** np.floor(np.log10(shown.min()) - 0.5)
        top = 10 ** np.ceil(np.log10(max(shown.max(), 10.0)) + 0.5)
        names = tun.meta["names"]
        band = ax.get_xaxis_transform()  # x in data, y in axes fractions: the × rows above the plot
        placed = []  # (log10 η, row) of the × drawn so far: any two closer than a marker's width stack
        # a tie at the floor (several chosen runs below 10⁻¹²): their ● go in a tie zone under the floor line,
        # one row each in the order of the tie-break (first to reach the floor on top), so each is seen
        tied = [n for n in tun.meta["ranking"][0] if tun.meta["chosen_final"][n] <= T.ATOL]
        zone = len(tied) > 1
        if zone:
            floor = 10 ** (np.log10(T.ATOL) - ZONE_ROW * len(tied) - 0.3)
        x_tag = min((lrs[RV.chosen_index(tun, n)] for n in tied), default=1.0)  # tie labels left of this
        for i, name in enumerate(names):
            c = theme.OPTIMIZER[name]
            y = np.where(S[i], np.maximum(F[i], T.ATOL), np.nan)  # round-off ties drawn on the tie floor
            k = int(tun.chosen[i])
            # every curve faint; solid only from each ●'s grid neighbour to the next (the saddle's spiky
            # curves would otherwise tangle, and the ● are what the ranking reads)
            ax.plot(lrs, y, "-", color=c, lw=0.9, alpha=0.22 if zone else 0.3, zorder=2)
            ax.plot(lrs, y, "o", color=c, ms=2.4, mew=0, alpha=0.35, zorder=2)
            near = slice(max(k - 1, 0), k + 2)
            lw = 1.8 if zone else UNDER.get(name, 2.2)  # coinciding (GD, Momentum, Nesterov): the lower wider
            ax.plot(lrs[near], y[near], "-", color=c, lw=lw, path_effects=_inked(lw), zorder=3 + 0.1 * i)
            # grid dots above every ● (zorder 5+): Momentum's 0.00063 shows on Nesterov's ●
            nb = [j for j in (k - 1, k + 1) if 0 <= j < len(lrs)]  # the neighbours (the ● is the chosen one)
            ax.plot(lrs[nb], y[nb], "o", color=c, ms=3.6, mec=theme.INK, mew=0.6, zorder=6)
            for j in np.flatnonzero(ends[i]):  # each dropped run's end
                ax.plot(lrs[j], max(F[i, j], T.ATOL), "o", ms=6.5, mfc="none", mec=c, mew=1.6, zorder=4.5)
            if name in tied and zone:
                r = tied.index(name)
                yz = 10 ** (np.log10(T.ATOL) - ZONE_ROW * (len(tied) - 1 - r + 0.7))  # rank 1 lowest: lower is better
                # each ● on its own η's stem (two tied at one η share the column, one row each)
                ax.plot([lrs[k], lrs[k]], [yz, T.ATOL], "-", color=c, lw=1.5, zorder=4.5 - 0.1 * r)
                ax.plot(lrs[k], yz, "o", ms=9, color=c, mec=theme.INK, mew=1.2, zorder=5 + 0.1 * i)
                at = tun.meta.get("place_reach", {}).get(name)
                # every label left of the leftmost stem (no stem crosses a word), a thin leader to its ●
                said = f"{r + 1}. {OPT_LABEL[name]}, η = {lrs[k]:.2g}" + (f", step {at}" if at is not None else "")
                x0 = x_tag / 10 ** 0.18
                ax.annotate(said, (x0, yz), fontsize=10, color=theme.INK, va="center", ha="right", zorder=6,
                            xytext=(-3, 0), textcoords="offset points")
                # a thin leader to its ●, broken where another tied ●'s stem crosses this row
                cuts = sorted(np.log10(lrs[RV.chosen_index(tun, m)]) for m in tied
                              if tied.index(m) < r and lrs[RV.chosen_index(tun, m)] < lrs[k])
                xs, a = [], np.log10(x0)
                for u in cuts:
                    xs.append((a, u - 0.07))
                    a = u + 0.07
                xs.append((a, np.log10(lrs[k]) - 0.12))
                for u, v in xs:
                    if v > u:
                        ax.plot([10 ** u, 10 ** v], [yz, yz], "-", color=c, lw=1.0, zorder=4)
            else:
                ax.plot(lrs[k], max(F[i, k], T.ATOL), "o", ms=8, color=c, mec=theme.INK, mew=1.2, zorder=5 + 0.1 * i)
            j = RV.diverged_from(tun, name)
            if j is not None:  # × where it diverges at every larger η
                x = np.log10(lrs[j])
                n = 0
                while any(abs(x - u) < 0.05 and r == n for u, r in placed):  # stacked only at one η
                    n += 1
                placed.append((x, n))
                ax.plot(lrs[j], 1.05 + 0.055 * n, "x", ms=7, mew=2.2, color=c, transform=band, clip_on=False, zorder=6)
        rows = 1 + max((r for _, r in placed), default=0)
        ax.text(0.0, 1.05, "diverges:", transform=ax.transAxes, ha="left", va="center", fontsize=10,
                color=theme.INK)
        if surf == "rosenbrock":  # as the video: GD's cap at the start, and the good-loss line
            probes = rec[f"{surf}__probes"]
            cap = 2 / RV.start_sharpness(probes)
            ax.axvline(cap, color=theme.OPTIMIZER["gd"], lw=1.4, ls="--", zorder=1)
            ax.annotate(r"GD: $2/\lambda_{\mathrm{max}}$ at start", (cap, top), xytext=(4, -14), textcoords="offset points", fontsize=10,
                        color=theme.INK)
            ax.axhline(RV.GOOD, color=theme.INK, lw=1.2, ls="--", zorder=1)
            ax.annotate("below: good", (lrs[0], RV.GOOD), xytext=(0, -13),  # left of every drop, clear of curves
                        textcoords="offset points", fontsize=10, color=theme.INK)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(floor, top)
        ax.set_xlim(lrs[0] / 10 ** 0.25, lrs[-1] * 10 ** 0.25)  # the rings at the largest η inside the frame
        if zone:  # the tie zone: below the floor line, a row per tied ● in the tie-break's order
            ax.axhspan(floor, T.ATOL, color=theme.MUTED, alpha=0.12, lw=0, zorder=0)
            ax.axhline(T.ATOL, color=theme.MUTED, lw=1.5, ls=":", zorder=1)
            ax.annotate("tie zone below:\nrows = rank, not loss", (lrs[0], T.ATOL), xytext=(0, 4),
                        textcoords="offset points", fontsize=10, color=theme.INK, va="bottom")
            from matplotlib.ticker import FixedLocator, NullLocator

            # ticks and gridlines only down to the floor: the zone's rows are an order, not values
            decades = np.arange(-12, int(np.log10(top)) + 1)
            ax.yaxis.set_major_locator(FixedLocator(10.0 ** decades[::2]))
            ax.yaxis.set_minor_locator(NullLocator())
        elif shown.min() <= T.ATOL * 1.0001:  # the tie floor: losses there are round-off, all tied
            ax.axhline(T.ATOL, color=theme.MUTED, lw=1.5, ls=":", zorder=1)
            ax.annotate(r"tie rule: below $10^{-12}$", (lrs[0], T.ATOL), xytext=(2, 3),
                        textcoords="offset points", fontsize=10, color=theme.INK)
        ax.set_xlabel(r"learning rate $\eta$")
        ax.set_ylabel(r"final loss $f(\theta_T) - f^*$")
        titled.append((ax, f"{surf.capitalize()}, {tun.config['steps']} steps", rows))
        note = fig.add_subplot(grid[1, col])
        note.axis("off")
        words = _tuning_words(tun, names)
        if surf == "rosenbrock":
            words = [RV.short_verdict(tun.meta).replace(" (○)", "").replace(" (×)", ""),
                     rf"GD's next η ({lrs[RV.chosen_index(tun, 'gd') + 1]:.2g}) fails: $\lambda_{{\mathrm{{max}}}}$ grows "
                     rf"along its path (dashed: $2/\lambda_{{\mathrm{{max}}}}$ at the start).",
                     RV.dropped_text(tun, rec[f"{surf}__probes"]),
                     RV.tuning_takeaway(tun, winner=False)]
        words = [_glued(w) for w in words]
        note.text(0.0, 1.0, "\n".join("• " + _wrap_seen(w, 42).replace("\n", "\n   ") for w in words if w),
                  va="top", ha="left", fontsize=10, transform=note.transAxes, linespacing=1.35)
    for ax, words, _ in titled:
        ax.set_title(words, fontsize=12, pad=18 + 12 * max(r for _, _, r in titled))
    handles = [plt_line(theme.OPTIMIZER[n]) for n in X.RACE_ORDER]
    labels = [f"{OPT_LABEL[n]}" for n in X.RACE_ORDER]
    t0 = rec[f"{list(X.RACES)[0]}__tuning"]
    warm, peak = t0.config.get("warmup", 0.1), t0.config.get("peak", T.PEAK)
    foot = (f"● chosen η: the lowest final loss among stable η; a tie (within 1 %, or both below 10⁻¹²): the η whose "
            f"run gets to that level soonest, then the smaller η. Small dots: every η tried ({t0.config['per_decade']} per "
            f"decade, ×{10 ** (1 / t0.config['per_decade']):.2f} a step), faint away from each ●. ○ an unstable η at its "
            f"final loss: its loss passed {peak:g}× the start, or was above it after the first {warm:.0%} of steps. "
            f"× diverges, there and at every larger η.")
    fig.text(fig.axes[0].get_position().x0, 0.062, _wrap(foot, 160), fontsize=10, va="top", ha="left", linespacing=1.4)
    fig.legend(handles, labels, loc="upper center", ncol=6, fontsize=10, bbox_to_anchor=(0.5, 0.96), frameon=False)


@figure("descent_surface", experiments=("descent_surface",), size=(12, 4.6))
def surface(fig):
    """A moons MLP's loss on the flat sheet that best fits its path (PCA plane; the path on it, the start's
    stalk from the sheet's loss to its true loss) and on a random sheet (filter-normalised, ±0.4 around the
    end point as in the video; the path lies mostly off it: drawn as its shadow on a contour floor under a
    see-through sheet), and the true loss beside both sheets' losses per step (log-step axis: the gap is in
    the first steps). The videos' palette: a grey surface, the path in its optimizer's colour."""
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedLocator, FuncFormatter

    from ..display import loss_tick_text

    cmap = LinearSegmentedColormap.from_list("loss", theme.SURFACE_RAMP_MUTED)  # grey, as in the videos
    rec = E.load("descent_surface")
    p_fit = rec["pca_path"]
    opt = rec["run"].config["optimizer"]["name"]
    ink = theme.OPTIMIZER["gd" if opt == "sgd" else opt]
    n = int(np.asarray(rec["run"].thetas).shape[1])
    for k, which in enumerate(("pca", "random")):
        s, p = rec[which], rec[f"{which}_path"]
        off, dist = TR.start_offsets(p)  # the start's distance off the sheet and to the end point (as the videos)
        ax = fig.add_subplot(1, 3, k + 1, projection="3d", computed_zorder=False)
        xs, ys, L = s.xs, s.ys, s.loss
        if which == "random":  # the video's window: ±0.4 around the end point
            i, j = np.flatnonzero(np.abs(xs) <= 0.4 + 1e-9), np.flatnonzero(np.abs(ys) <= 0.4 + 1e-9)
            xs, ys, L = xs[i], ys[j], L[np.ix_(j, i)]
        A, B = np.meshgrid(xs, ys)
        Z = np.log10(L)
        lo, hi = np.floor(np.nanmin(Z)), np.ceil(np.nanmax(Z))
        if which == "pca":
            ax.plot_surface(A, B, Z, cmap=cmap, alpha=0.85, linewidth=0, zorder=1)
            hs, ht = X.path_heights(p, "slice"), X.path_heights(p, "true")
            k17 = int(np.flatnonzero(np.abs(p.true_loss - p.plane_loss) / p.true_loss > 0.07)[-1]) + 1
            # in the run's colour only where the sheet's height is the true loss (within 7 %, from step k on);
            # before it dashed: there the sheet reads lower than the true loss (the stalk at the start)
            ax.plot(p.coords[k17:, 0], p.coords[k17:, 1], np.log10(hs[k17:]), color=ink, lw=2.5, zorder=5,
                    path_effects=_outlined())
            ax.plot(p.coords[:k17 + 1, 0], p.coords[:k17 + 1, 1], np.log10(hs[:k17 + 1]), color=theme.INK, lw=1.8,
                    ls=(0, (3, 2)), zorder=5)
            ax.scatter(*p.coords[0], np.log10(hs[0]), s=70, facecolors="none", edgecolors=theme.INK,
                       linewidths=1.8, zorder=6)
            ax.plot([p.coords[0, 0]] * 2, [p.coords[0, 1]] * 2, np.log10([hs[0], ht[0]]), color=theme.INK, lw=2.5,
                    zorder=6)  # the stalk: from the sheet's loss up to the start's true loss
            ax.scatter(*p.coords[k17], np.log10(hs[k17]), s=45, color="white", edgecolors=theme.INK, linewidths=1.5,
                       zorder=8)
            ax.text(p.coords[k17, 0] + 0.06 * np.ptp(xs), p.coords[k17, 1], np.log10(hs[k17]),
                    f"step {p.steps[k17]}", fontsize=10, ha="left", va="center", zorder=8)
            ax.text(p.coords[0, 0], p.coords[0, 1], np.log10(ht[0]) + 0.12, f"true {ht[0]:.2f}", fontsize=10,
                    ha="center", va="bottom", zorder=7)
            ax.text(p.coords[0, 0] - 0.1 * np.ptp(xs), p.coords[0, 1], np.log10(hs[0]), f"sheet {hs[0]:.2f}",
                    fontsize=10, ha="right", va="center", zorder=7)  # left of the ring, clear of the path below it
            ax.scatter(p.coords[-1, 0], p.coords[-1, 1], np.log10(hs[-1]), s=30, color=ink, edgecolors=theme.INK,
                       zorder=7)
            j, i = np.unravel_index(np.nanargmin(L), L.shape)
            ax.scatter(xs[i], ys[j], Z[j, i], marker="*", s=170, facecolors="none", edgecolors=theme.INK,
                       linewidths=1.5, zorder=6)
            star = L[j, i]
            title = f"fitted sheet (main directions):\nstart {off:.1f} off it, {dist:.1f} from the end"
            ax.view_init(elev=32, azim=-115)  # ★ (at the window's edge) apart from the path's end
        else:
            floor = lo - 0.4
            ax.contour(A, B, Z, levels=10, zdir="z", offset=floor, colors=theme.MUTED, linewidths=0.8,
                       linestyles="solid", zorder=1)
            ax.plot_surface(A, B, Z, cmap=cmap, alpha=0.45, linewidth=0, zorder=2)
            ax.plot(p.coords[:, 0], p.coords[:, 1], np.full(len(p.coords), floor), color=ink, lw=2.5, zorder=6,
                    path_effects=_outlined())  # the shadow, on the floor, over the sheet
            ax.scatter(*p.coords[0], floor, s=70, facecolors="none", edgecolors=theme.INK, linewidths=1.8, zorder=7)
            ax.scatter(0, 0, floor, s=30, color=ink, edgecolors=theme.INK, zorder=7)
            ax.set_zlim(floor, hi)
            title = f"random sheet: start {off:.1f} off it,\n{dist:.1f} from the end (shadow on the floor)"
            ax.view_init(elev=32, azim=-100)
        ax.set_title(title, fontsize=11)
        ax.zaxis.set_major_locator(FixedLocator(np.arange(lo, hi + 1)))
        ax.zaxis.set_major_formatter(FuncFormatter(lambda z, _: loss_tick_text(10.0 ** z)))
        ax.set_zlabel("loss (log scale)", fontsize=10, labelpad=10)  # clear of the tick labels
        ax.tick_params(axis="z", labelsize=10)
        ax.set_xticklabels([])
        ax.set_yticklabels([])
        kind = "main" if which == "pca" else "random"
        ax.set_xlabel(f"{kind} direction 1", fontsize=10)
        ax.set_ylabel(f"{kind} direction 2", fontsize=10)
    handles = [Line2D([], [], color=ink, lw=2.5, path_effects=_outlined()),
               Line2D([], [], marker="o", ls="none", mfc="none", mec=theme.INK, ms=8),
               Line2D([], [], marker="o", ls="none", color=ink, mec=theme.INK, ms=6),
               Line2D([], [], marker="*", ls="none", mfc="none", mec=theme.INK, ms=11)]
    k = int(np.flatnonzero(np.abs(p_fit.true_loss - p_fit.plane_loss) / p_fit.true_loss > 0.07)[-1]) + 1
    fig.legend(handles, [f"path (fitted sheet: from step {p_fit.steps[k]}, where its height is the true loss)",
                         "start", "end", f"lowest point of the drawn square ({star:.3g}, on its edge)"],
               loc="lower left", ncol=2, fontsize=10, frameon=False, bbox_to_anchor=(0.03, -0.07))
    ax = fig.add_subplot(1, 3, 3)
    p, r = rec["pca_path"], rec["random_path"]
    x = np.asarray(p.steps, float)
    # the videos' colours: the true loss in the run's colour; the sheets' losses in the ink colour
    ax.plot(x, X.path_heights(p, "true"), color=ink, lw=2.5, label="true loss", path_effects=_outlined())
    ax.plot(x, X.path_heights(p, "slice"), "--", color=theme.INK, lw=1.6, label="fitted sheet's loss")
    ax.plot(x, r.plane_loss, ":", color=theme.INK, lw=1.6, label="random sheet's loss")
    ax.set_yscale("log")
    ax.set_xscale("symlog", linthresh=1)  # steps 0, 1, 10, 100: the gap lives in the first steps
    ax.set_xlim(0, x[-1])
    ax.xaxis.set_major_locator(FixedLocator([0, 1, 10, 100]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_major_locator(FixedLocator([0.01, 0.1, 1]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: loss_tick_text(y)))
    ax.set_ylim(0.008, 1.3)
    ax.set_xlabel("step (log scale after 1)")
    ax.set_ylabel("loss (log scale)")
    ax.legend(fontsize=10, loc="center left", bbox_to_anchor=(0.0, 0.3), frameon=False)  # the empty lower left
    k = int(np.flatnonzero(np.abs(p.true_loss - p.plane_loss) / p.true_loss > 0.07)[-1]) + 1
    ax.axvline(p.steps[k], color=theme.MUTED, lw=1, ls=(0, (2, 2)), zorder=0)
    ax.text(p.steps[k] * 1.08, 1.0, f"step {p.steps[k]}", fontsize=10, ha="left", va="center")
    ax.set_title("true loss vs each sheet's loss at the path", fontsize=11)
    fig.suptitle(f"{n} weights, 2 drawn: the fitted sheet's height is the true loss (within 7 %) from step "
                 f"{p.steps[k]} on;\nthe random sheet reads low until the end", fontsize=12, y=1.02)
    box = ax.get_position()
    ax.set_position([box.x0 + 0.06, box.y0 + 0.04, box.width - 0.04, box.height - 0.04])


def _outlined():
    """A dark edge under a bright line, so the surface path reads on every part of the colour ramp."""
    from matplotlib import patheffects

    return [patheffects.Stroke(linewidth=4, foreground=theme.INK), patheffects.Normal()]


@figure("descent_wells", experiments=("descent_wells",), size=(16, 4.9))
def wells(fig):
    """As the videos: (1) from θ₀ = 1.9 plain GD stops in the shallow well, momentum rolls over the hump
    (and plain GD at η/(1−β) gets deep by one lucky jump); (2) θ at each step (momentum overshoots and
    swings back); (3) from θ₀ = −2.2 the same big step jumps out of the deep well, momentum turns back short
    of the hump; (4) random restarts of plain GD, each start marked by the well it ends in."""
    import matplotlib.patheffects as pe
    from matplotlib.lines import Line2D

    rec = E.load("descent_wells")
    c = rec["curve"]
    a, t, a2, b = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1.1, 0.95, 1.1, 1.1]})
    xs, ys = c.xs, c.loss[0]
    on_curve = lambda th: np.interp(th, xs, ys)  # the drawn curve, sampled finely enough to carry the dots
    hump = TR.barrier(c)
    for ax in (a, a2, b):
        ax.plot(xs, ys, color=theme.INK, lw=1.6)
        ax.axvline(hump, color=theme.INK, ls="--", lw=1.0)
        ax.set_xlabel(r"$\theta$")
        ax.set_ylabel(r"loss $J(\theta)$")
        ax.set_xlim(xs[0] - 0.3, xs[-1] + 0.3)  # start rings at the range's ends stay inside
        ax.set_ylim(ys.min() - 0.35, ys.max() + 0.15)
    for ax in (a, a2):
        ax.annotate(rf"hump $\theta$ = {hump:.2f}", (hump, ys.max() + 0.15), xytext=(4, -4),
                    textcoords="offset points", va="top", fontsize=9.5)
    edge = [pe.withStroke(linewidth=3.4, foreground=theme.INK)]  # yellow is pale on paper: an ink edge
    mo_c, gd_c = theme.OPTIMIZER["momentum"], theme.OPTIMIZER["gd"]

    def steps_on_curve(ax, th, col, z, lw=0.9, ms=4.5):
        """A run's steps as markers on the curve, joined by a thin line along it (never a chord)."""
        dense = np.interp(np.linspace(0, len(th) - 1, 8 * (len(th) - 1) + 1), np.arange(len(th)), th)
        ax.plot(dense, on_curve(dense), "-", color=col, lw=lw, zorder=z)
        ax.plot(th, on_curve(th), "o", ms=ms, color=col, mec=theme.INK, mew=0.5, zorder=z)

    def leap(ax, run_, rad, words, off, ha="left"):
        x0_, x1_ = run_.thetas[0, 0], run_.thetas[1, 0]
        ax.annotate("", (x1_, on_curve(x1_)), (x0_, on_curve(x0_)),
                    arrowprops={"arrowstyle": "-|>", "ls": "--", "color": gd_c, "lw": 1.4,
                                "connectionstyle": f"arc3,rad={rad}"})
        ax.plot(x1_, on_curve(x1_), "s", mfc=theme.PAPER, mec=gd_c, mew=1.8, ms=8, zorder=7)
        ax.annotate(words, (x1_, on_curve(x1_)), xytext=off, textcoords="offset points", ha=ha,
                    va="top", fontsize=9.5, color=theme.INK)
        ax.plot(x0_, on_curve(x0_), "o", mfc="none", mec=theme.INK, ms=12, mew=1.5, zorder=8)

    # (1) the same start: plain GD and momentum at the same η; plain GD at η/(1−β) by one jump
    gd, mo, big = rec["gd"], rec["momentum"], rec["gd_big"]
    settled = TR.settled_step(rec, ["gd", "momentum"])
    for name, col, z in (("momentum", mo_c, 3), ("gd", gd_c, 5)):  # plain GD on top
        th = rec[name].thetas[:, 0]
        keep = rec[name].steps <= settled
        steps_on_curve(a, th[keep], col, z, lw=1.2 if name == "gd" else 1.6)
        a.plot(th[-1], on_curve(th[-1]), "o", ms=11, color=col, mec=theme.INK, mew=1.0, zorder=9)
    leap(a, big, 0.35, f"η = {big.learning_rate:g}: {big.thetas[0, 0]:g} → {big.thetas[1, 0]:.2f}\n(lucky)".replace(
        "-", "−"), (8, -10))
    a.set_title(rf"same start $\theta_0$ = {gd.thetas[0, 0]:g}, same $\eta$ = {gd.learning_rate:g}:" + "\n"
                f"GD stops {gd.meta['well']}, momentum rolls on {mo.meta['well']}", fontsize=10.5)
    hyper = lambda run: (rf"$\eta$ = {run.lr[0]:g}" + (rf", $\beta$ = {run.config['optimizer']['beta']:g}"  # noqa: E731
                                                       if "beta" in run.config["optimizer"] else ""))
    a.legend([Line2D([0], [0], color=gd_c, marker="o", ms=4.5, mec=theme.INK, mew=0.5, lw=1.2),
              Line2D([0], [0], color=mo_c, marker="o", ms=4.5, mec=theme.INK, mew=0.5, lw=1.6),
              Line2D([0], [0], ls="", marker="s", mfc=theme.PAPER, mec=gd_c, mew=1.8, ms=8)],
             [f"plain GD ({hyper(gd)})", f"momentum ({hyper(mo)})",
              rf"plain GD, $\eta$ = {mo.learning_rate:g}/(1$-${mo.config['optimizer']['beta']:g}) = "
              rf"{big.learning_rate:g}: one fixed step"],
             fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.17), frameon=False)
    # (2) θ at each step, to where the video's animation ends
    shown = settled  # the video's animation ends there too
    for name, col in (("momentum", mo_c), ("gd", gd_c)):
        run = rec[name]
        keep = run.steps <= shown
        t.plot(run.steps[keep], run.thetas[keep, 0], color=col, lw=1.8, path_effects=edge if name == "momentum"
               else None)
    t.axhline(hump, color=theme.INK, ls="--", lw=1.0)
    t.annotate("hump", (shown, hump), xytext=(-4, 4), textcoords="offset points", ha="right", fontsize=9.5)
    for m_, word in zip(sorted(mm[0] for mm in c.meta["minima"]), ("deep well", "shallow well")):
        t.axhline(m_, color=theme.INK, ls=":", lw=0.9)
        t.annotate(word, (shown, m_), xytext=(-4, -4), textcoords="offset points", ha="right", va="top",
                   fontsize=9.5)
    t.set_xlabel("step")
    t.set_ylabel(r"$\theta$")
    t.set_xlim(0, shown)
    t.set_title(f"θ at each step (from {gd.thetas[0, 0]:g}):\nmomentum overshoots, swings back, settles deep",
                fontsize=10.5)
    # (3) from the other end: the same fixed big step leaps out; momentum turns back short of the hump
    left, mo_left = rec["gd_big_left"], rec["momentum_left"]
    k_top, th_top, short = TR.turn_back(mo_left, hump)
    thl = mo_left.thetas[:, 0]
    steps_on_curve(a2, thl[:TR.settled_step(rec, ["momentum_left"]) + 1], mo_c, 3, lw=1.6)
    a2.plot(thl[-1], on_curve(thl[-1]), "o", ms=11, color=mo_c, mec=theme.INK, mew=1.0, zorder=9)
    gl = left.thetas[:, 0]  # the big step's whole run: the leap, then small steps to the shallow minimum
    steps_on_curve(a2, gl[1:TR.settled_step(rec, ["gd_big_left"]) + 1], gd_c, 5, lw=1.2)
    a2.plot(gl[-1], on_curve(gl[-1]), "o", ms=9, color=gd_c, mec=theme.INK, mew=1.0, zorder=9)
    j0, j1 = on_curve(thl[0]), on_curve(mo.thetas[0, 0])
    a2.annotate(f"momentum starts lower\n(J = {j0:.2f}, not {j1:.2f}):\nturns back at θ = {th_top:.2f},\n"
                f"{short:.2f} short of the hump".replace("-", "−"),
                (th_top, on_curve(th_top)), xytext=(0.24, -0.78), textcoords="data", ha="left", va="center", fontsize=9.5,
                arrowprops={"arrowstyle": "->", "color": theme.INK, "lw": 0.8, "shrinkB": 5})
    leap(a2, left, -0.35, f"η = {left.learning_rate:g}: {left.thetas[0, 0]:g} → {left.thetas[1, 0]:.2f}".replace(
        "-", "−"), (-8, 26), "right")
    a2.set_title(rf"from $\theta_0$ = {left.thetas[0, 0]:g}".replace("-", "−")
                 + f": the big step lands {left.meta['well']};\nmomentum slows uphill, stays "
                 f"{mo_left.meta['well']}", fontsize=10.5)
    keys = TR.restart_keys(rec)
    found, stuck = theme.INK, theme.OUTCOME["stuck"]  # the video's outcome colours, on paper (found = body ink)
    for k in keys:
        th = rec[k].thetas[:, 0]
        deep = rec[k].meta["well"] == "deep"
        b.plot(th, on_curve(th), "-", color=theme.GD, lw=1.4, alpha=0.8)
        b.plot(th[0], on_curve(th[0]), "o", mfc=found if deep else "none", mec=found if deep else stuck, ms=10,
               mew=2.2, zorder=4)
        b.plot(th[-1], on_curve(th[-1]), "o", color=theme.GD, mec=theme.PAPER, mew=1.0, ms=7, zorder=5)
    pair = TR.straddle(rec, keys, hump)
    if pair is not None:
        for k in pair:  # two short arrows from the note to the two starts either side of the hump
            x_ = rec[k].thetas[0, 0]
            b.annotate(f"{abs(rec[pair[1]].thetas[0, 0] - rec[pair[0]].thetas[0, 0]):.2f} apart:\ndifferent wells"
                       if k == pair[0] else "", (x_, on_curve(x_) + 0.08), xytext=(hump - 0.9, 0.95),
                       textcoords="data", ha="center", fontsize=9.5,
                       arrowprops={"arrowstyle": "->", "color": theme.INK, "lw": 0.8, "shrinkB": 6})
    lo, hi = rec[keys[0]].meta["start_range"]
    n_deep = sum(rec[k].meta["well"] == "deep" for k in keys)
    b.set_title(f"{len(keys)} plain-GD restarts, θ₀ uniform on [{lo:g}, {hi:g}]:".replace("-", "−") + "\n"
                f"{n_deep} of {len(keys)} end deep ({TR.basin_share(lo, hi, hump):.0%} of the range is left of the hump)",
                fontsize=10.5)
    ring = lambda fill, edge: Line2D([0], [0], ls="", marker="o", ms=8, mfc=fill, mec=edge, mew=2.2)
    b.legend([ring(found, found), ring("none", stuck), Line2D([0], [0], ls="", marker="o", ms=6, color=theme.GD)],
             ["start that ends deep", "start that ends shallow", "run end (plain GD)"],
             fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
    fig.subplots_adjust(bottom=0.3, top=0.84, wspace=0.3, left=0.04, right=0.99)
