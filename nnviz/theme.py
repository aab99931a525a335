"""The one home of colours, fonts and sizes, shared by Manim scenes and matplotlib figures.

Plain hex strings and numbers only (no manim or matplotlib import), so the NumPy
core, figures and scenes can all read it.
"""
from __future__ import annotations

BACKGROUND = "#0f1117"
FOREGROUND = "#e8e8e8"
MUTED = "#8a8f98"
GRID = "#2a2e38"
PAPER = "#ffffff"          # figure background for print
INK = "#1b1d23"            # figure text on paper

# one colour per optimizer (colour-blind friendly; Okabe–Ito based)
OPTIMIZER = {
    "sgd": "#A8A8A8",        # plain descent as the neutral baseline
    "momentum": "#56B4E9",
    "nesterov": "#009E73",
    "adagrad": "#F0E442",
    "rmsprop": "#CC79A7",
    "adam": "#D55E00",
}

# learning-rate regimes
REGIME = {
    "slow": "#56B4E9",
    "smooth": "#009E73",
    "oscillating": "#E69F00",
    "diverging": "#D55E00",
}

# gradient-descent variants
VARIANT = {
    "batch": "#56B4E9",
    "minibatch": "#009E73",
    "stochastic": "#E69F00",
}

# classes (two-class sets: red / blue as in the lecture notes)
CLASS = ["#E0505B", "#4A90D9", "#5CB85C", "#F0AD4E", "#9B59B6",
         "#1ABC9C", "#E67E22", "#95A5A6", "#F06292", "#8D6E63"]

# network diagrams: weight sign, activation fill, gradient pulse
POSITIVE = "#4A90D9"
NEGATIVE = "#E0505B"
NEURON = "#e8e8e8"
ACTIVE = "#F5C542"
GRADIENT = "#FF7F50"
DROPPED = "#3a3f4b"

# loss-surface colour ramp, low → high
SURFACE_RAMP = ["#22306b", "#2c7bb6", "#abd9e9", "#fdae61", "#d7191c"]

FONT = "DejaVu Sans"
FONT_SIZE = 28          # manim text size for labels
TITLE_SIZE = 40
FIGURE_DPI = 200        # print resolution for still figures
FIGURE_SIZE = (6.4, 4.8)
LINE_WIDTH = 3.0        # manim stroke width for paths and curves


def color_for(kind: str, name: str, default: str = FOREGROUND) -> str:
    """Colour of an optimizer / regime / variant by name; unknown names get the default."""
    table = {"optimizer": OPTIMIZER, "regime": REGIME, "variant": VARIANT}[kind]
    return table.get(name, default)
