"""matplotlib styling from nnviz.theme: one place, so stills match the animations."""
from __future__ import annotations

from .. import theme


def apply_style() -> None:
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.facecolor": theme.PAPER,
        "axes.facecolor": theme.PAPER,
        "axes.edgecolor": theme.INK,
        "axes.labelcolor": theme.INK,
        "text.color": theme.INK,
        "xtick.color": theme.INK,
        "ytick.color": theme.INK,
        "axes.grid": True,
        "grid.color": theme.FIGURE_GRID,
        "grid.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.family": "sans-serif",
        "font.sans-serif": [theme.FONT, "DejaVu Sans"],
        "font.size": 10,
        "legend.frameon": False,
        "svg.hashsalt": "nnviz",  # deterministic svg ids
    })
