"""Drawing helpers shared by the still figures (and the `nnviz init` template): a decision
boundary drawn into a given matplotlib Axes from plain arrays with theme colours, and the
theme colour of an optimizer / regime / variant name.
"""
from __future__ import annotations

import numpy as np

from .. import theme
from ..errors import ShapeError


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


def color_of(name: str) -> str:
    """Theme colour for an optimizer / regime / variant name, whatever its case or separators
    ("SGD", "Adam", "mini-batch"); foreground ink otherwise."""
    for kind in ("optimizer", "regime", "variant"):
        c = theme.color_for(kind, name, default=None)
        if c is not None:
            return c
    return theme.INK

