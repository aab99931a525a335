"""Drawing helpers shared by the still figures: each draws into a given matplotlib Axes
from plain arrays (or records) with theme colours, and tolerates diverged runs.

Why here: every figure module (descent, networks, …) needs the same few pictures —
contours with optimizer paths, loss curves on a log axis, a 3-D surface, a decision
boundary, a bar comparison — and they should look alike. Non-finite values never
reach matplotlib as data: paths are cut where they leave the box or blow up (the
same rule as the animations, `nnviz.render.paths`), and a "diverges" arrow marks it.
"""
from __future__ import annotations

import numpy as np

from .. import theme
from ..errors import ShapeError


def path_in_box(points, xlim, ylim) -> tuple[np.ndarray, bool]:
    """The prefix of `points` (N, 2) that stays finite and inside the box, and whether it left."""
    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.shape[1] != 2:
        raise ShapeError(f"path must have shape (N, 2), got {p.shape}")
    with np.errstate(invalid="ignore"):
        ok = (np.isfinite(p).all(axis=1) & (p[:, 0] >= xlim[0]) & (p[:, 0] <= xlim[1])
              & (p[:, 1] >= ylim[0]) & (p[:, 1] <= ylim[1]))
    bad = np.flatnonzero(~ok)
    if bad.size == 0:
        return p, False
    return p[: bad[0]], True


def mark_divergence(ax, point, direction=None, color=None, text="diverges"):
    """An arrow (or a cross when the direction is unknown) with a label at `point`."""
    color = color or theme.REGIME["diverging"]
    x, y = point
    if direction is not None and np.all(np.isfinite(direction)) and np.linalg.norm(direction) > 0:
        xl, yl = ax.get_xlim(), ax.get_ylim()
        d = np.asarray(direction, float) / np.linalg.norm(direction)
        scale = 0.08 * np.array([xl[1] - xl[0], yl[1] - yl[0]])
        ax.annotate("", xy=(x + d[0] * scale[0], y + d[1] * scale[1]), xytext=(x, y),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=1.6), annotation_clip=False)
    else:
        ax.plot([x], [y], marker="x", color=color, ms=8, mew=2)
    # write the label toward the middle of the axes so it never spills into a neighbour
    xl, yl = ax.get_xlim(), ax.get_ylim()
    right = x > (xl[0] + xl[1]) / 2
    top = y > (yl[0] + yl[1]) / 2
    ax.annotate(text, (x, y), xytext=(-6 if right else 6, -10 if top else 8), textcoords="offset points",
                color=color, fontsize=8, ha="right" if right else "left", va="top" if top else "bottom")


def contour_with_paths(ax, xs, ys, Z, paths=None, colors=None, levels: int = 14, log: bool = False,
                       filled: bool = False, minima=None, labels: bool = True):
    """Contours of Z[j, i] over (xs[i], ys[j]) with optimizer paths on top.

    `paths`: {name: (N, 2) points}; `colors`: {name: colour} (default: optimizer/regime
    colour by name). Paths are cut where they leave the box or go non-finite and the
    cut is marked "diverges". NaN/inf cells of Z are masked, not plotted.
    """
    xs, ys, Z = np.asarray(xs, float), np.asarray(ys, float), np.asarray(Z, float)
    if Z.shape != (ys.size, xs.size):
        raise ShapeError(f"Z must have shape (len(ys), len(xs)) = {(ys.size, xs.size)}, got {Z.shape}")
    Zm = np.ma.masked_invalid(Z)
    if log:
        Zm = np.ma.log10(Zm - Zm.min() + 1e-3)
    draw = ax.contourf if filled else ax.contour
    kw = {"cmap": _ramp()} if filled else {"colors": theme.MUTED, "linewidths": 0.6}
    draw(xs, ys, Zm, levels=levels, **kw)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    for m in (minima if minima is not None else []):
        ax.plot(*m, marker="*", color=theme.INK, ms=10, zorder=5)
    colors = colors or {}
    for name, pts in (paths or {}).items():
        col = colors.get(name) or color_of(name)
        shown, left = path_in_box(pts, (xs[0], xs[-1]), (ys[0], ys[-1]))
        if shown.size:
            ax.plot(shown[:, 0], shown[:, 1], "-", color=col, lw=1.6, label=name if labels else None)
            ax.plot(*shown[0], "o", color=col, ms=4, mfc="none")
            ax.plot(*shown[-1], "o", color=col, ms=4)
            if left:
                full = np.asarray(pts, float)
                nxt = full[len(shown)] if len(shown) < len(full) else None
                d = (nxt - shown[-1]) if nxt is not None and np.all(np.isfinite(nxt)) else (
                    shown[-1] - shown[-2] if len(shown) > 1 else None)
                mark_divergence(ax, shown[-1], d)
    ax.set_aspect("auto")
    return ax


def loss_curves(ax, series: dict, colors: dict | None = None, steps: dict | None = None, log_y: bool = True,
                xlabel: str = "step", ylabel: str = "loss", diverged_at: dict | None = None, legend: bool = True):
    """Loss (or any metric) against step for several runs; a run that blows up ends with ✕."""
    colors, steps, diverged_at = colors or {}, steps or {}, diverged_at or {}
    for name, v in series.items():
        v = np.asarray(v, float)
        s = np.asarray(steps.get(name, np.arange(v.size)), float)
        ok = np.isfinite(v) & ((v > 0) if log_y else True)
        cut = np.flatnonzero(~np.isfinite(v))
        end = cut[0] if cut.size else v.size
        col = colors.get(name) or color_of(name)
        ax.plot(s[:end][ok[:end]], v[:end][ok[:end]], color=col, lw=1.6, label=name)
        if cut.size or diverged_at.get(name, -1) >= 0:
            last = np.flatnonzero(ok[:end])
            if last.size:
                ax.plot(s[last[-1]], v[last[-1]], marker="x", color=theme.REGIME["diverging"], ms=8, mew=2)
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend and len(series) > 1:
        ax.legend(fontsize=8)
    return ax


def surface3d(ax3d, xs, ys, Z, path=None, path_loss=None, color=None, zclip=None, stride: int = 1):
    """A 3-D loss surface (theme ramp) with an optional path lying on it.

    Cells above `zclip` (default: the 98th percentile of finite values) or non-finite are
    masked so a blow-up does not flatten the picture."""
    xs, ys, Z = np.asarray(xs, float), np.asarray(ys, float), np.asarray(Z, float)
    if Z.shape != (ys.size, xs.size):
        raise ShapeError(f"Z must have shape (len(ys), len(xs)) = {(ys.size, xs.size)}, got {Z.shape}")
    finite = Z[np.isfinite(Z)]
    top = zclip if zclip is not None else (np.percentile(finite, 98) if finite.size else 1.0)
    Zm = np.where(np.isfinite(Z) & (Z <= top), Z, np.nan)
    X, Y = np.meshgrid(xs, ys)
    ax3d.plot_surface(X, Y, Zm, cmap=_ramp(), rstride=stride, cstride=stride, linewidth=0,
                      antialiased=True, alpha=0.9)
    if path is not None:
        p = np.asarray(path, float)
        z = np.asarray(path_loss, float) if path_loss is not None else np.full(len(p), np.nan)
        keep = np.isfinite(p).all(axis=1) & np.isfinite(z) & (z <= top)
        stop = np.flatnonzero(~keep)
        n = stop[0] if stop.size else len(p)
        ax3d.plot(p[:n, 0], p[:n, 1], z[:n], color=color or theme.OPTIMIZER["sgd"], lw=2, zorder=10)
    ax3d.set_zlim(np.nanmin(Zm) if np.isfinite(Zm).any() else 0, top)
    return ax3d


def decision_boundary(ax, xs, ys, prob, X=None, y=None, levels=(0.5,), cmap=None):
    """Class-1 probability prob[j, i] over the grid as a two-colour field, the 0.5 contour,
    and the data points coloured by class (theme.CLASS)."""
    from matplotlib.colors import LinearSegmentedColormap

    prob = np.asarray(prob, float)
    if prob.shape != (len(ys), len(xs)):
        raise ShapeError(f"prob must have shape (len(ys), len(xs)) = {(len(ys), len(xs))}, got {prob.shape}")
    cmap = cmap or LinearSegmentedColormap.from_list("nnviz_classes", [theme.CLASS[0], "#ffffff", theme.CLASS[1]])
    ax.pcolormesh(xs, ys, np.ma.masked_invalid(prob), cmap=cmap, vmin=0, vmax=1, shading="auto", alpha=0.55)
    if np.isfinite(prob).any() and np.nanmin(prob) < levels[0] < np.nanmax(prob):
        ax.contour(xs, ys, prob, levels=list(levels), colors=theme.INK, linewidths=1.2)
    if X is not None and y is not None:
        X, y = np.asarray(X, float), np.asarray(y)
        cls = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.ravel().round().astype(int)
        for c in np.unique(cls):
            sel = cls == c
            ax.scatter(X[sel, 0], X[sel, 1], s=14, color=theme.CLASS[int(c) % len(theme.CLASS)],
                       edgecolor=theme.INK, linewidth=0.4, zorder=3)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    return ax


def bar_compare(ax, labels, values, colors=None, ylabel: str = "", log_y: bool = False, fmt: str = "{:.3g}"):
    """Bars with their values written on top (e.g. final loss or seconds per epoch by batch size)."""
    values = np.asarray(values, float)
    colors = colors or [theme.CLASS[i % len(theme.CLASS)] for i in range(len(values))]
    shown = np.where(np.isfinite(values), values, 0.0)
    bars = ax.bar([str(x) for x in labels], shown, color=colors)
    for b, v in zip(bars, values):
        ax.annotate(fmt.format(v) if np.isfinite(v) else "diverged", (b.get_x() + b.get_width() / 2, b.get_height()),
                    xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
    if log_y:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    return ax


def color_of(name: str) -> str:
    """Theme colour for an optimizer / regime / variant name, whatever its case or separators
    ("SGD", "Adam", "mini-batch"); foreground ink otherwise."""
    for kind in ("optimizer", "regime", "variant"):
        c = theme.color_for(kind, name, default=None)
        if c is not None:
            return c
    return theme.INK


def _ramp():
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("nnviz_ramp", theme.SURFACE_RAMP)
