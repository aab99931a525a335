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

# One colour per concept across every scene and still. Each hue below means one thing only, in
# every video and figure; tests/test_palette.py checks it: entries of one family (drawn in one
# picture) are far apart (CIE76 ΔE ≥ 20), entries of different families are either the SAME concept
# (listed in SAME_CONCEPT below, then the same colour) or clearly different (ΔE ≥ 10).
# Families: GD, OPTIMIZER, REGIME, VARIANT, OUTCOME (descent); POSITIVE/NEGATIVE signs, GRADIENT pair,
# ACTIVE, CLASS (networks); SCHEDULE, SPLIT, PENALTY, MEMORY_* (dynamics); ACTIVATION, LOSS_KIND,
# NORM (gradients); SURFACE_* (3-D). Plain gradient descent has one look everywhere: the race's "gd",
# the variants' "batch", the wells' plain GD and every GD restart share GD.
GD = "#56B4E9"               # plain (deterministic, full-batch) gradient descent: sky blue

# optimizers (the race, the wells): Okabe–Ito based, bright enough on the dark background
OPTIMIZER = {
    "gd": GD,
    "momentum": "#F0E442",   # yellow
    "nesterov": "#FF44DD",   # magenta (amber read too close to momentum's yellow)
    "adagrad": "#FF5A36",    # red-orange (the Okabe–Ito orange read as momentum's yellow)
    "rmsprop": "#B388FF",    # violet (teal read as Adam's green); far from Nesterov's magenta and AdaGrad
    "adam": "#3DDC84",       # green
    "sgd": "#FF8C69",        # stochastic GD (b = 1): the same salmon as VARIANT["stochastic"]
}

# learning-rate regimes of plain GD on one bowl: their own hues, none shared with the families above
REGIME = {
    "slow": "#8C9EFF",         # periwinkle
    "smooth": "#C5E063",       # lime
    "optimal": "#F15BB5",      # hot pink: the best fixed rate, 2/(λmin + λmax)
    "oscillating": "#D9A66B",  # tan
    "diverging": "#FF4B4B",    # red: also every "diverges" marker
}

# gradient-descent variants: batch *is* plain GD
VARIANT = {
    "batch": GD,
    "minibatch": "#D16BFF",    # violet: between batch (blue) and SGD (salmon), far from both
    "stochastic": "#FF8C69",   # salmon
}

def batch_size_color(b: int, smallest: int, largest: int) -> str:
    """A batch size's colour in a sweep, on the variants' scale: the smallest batch in SGD's colour,
    the largest in batch GD's, the middle (in log b) in mini-batch's — small batches look like SGD."""
    import math

    def mix(c0, c1, u):
        a = [int(c0[i:i + 2], 16) for i in (1, 3, 5)]
        z = [int(c1[i:i + 2], 16) for i in (1, 3, 5)]
        return "#" + "".join(f"{round(x + (y - x) * u):02X}" for x, y in zip(a, z))

    u = (math.log(b) - math.log(smallest)) / (math.log(largest) - math.log(smallest)) if largest > smallest else 0.0
    u = min(max(u, 0.0), 1.0)
    if u <= 0.5:
        return mix(VARIANT["stochastic"], VARIANT["minibatch"], 2 * u)
    return mix(VARIANT["minibatch"], VARIANT["batch"], 2 * u - 1)


# outcomes (e.g. random restarts): reached the goal vs stuck
# neutral on purpose: the runs themselves keep their optimizer's colour elsewhere (restarts are plain GD)
OUTCOME = {"found": FOREGROUND, "stuck": "#6b7079"}

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
# signs everywhere (weights, activations, hidden-unit maps): POSITIVE blue > 0, NEGATIVE red < 0.
# gradients ∂ℓ/∂w and deltas δ = ∂ℓ/∂z have their own pair, so they never read as weights:
GRADIENT_NEGATIVE = "#C77DFF"   # ∂ℓ/∂(·) < 0 (GRADIENT, coral, is > 0)

# how training behaves (the dynamics lectures): one colour per concept
# a fixed learning rate is plain SGD (its colour); each decay schedule its own hue
SCHEDULE = {
    "constant": OPTIMIZER["sgd"],
    "step": "#88CCEE",
    "exponential": "#999933",
    "inverse_time": "#00BB11",
    "cosine": "#AA4499",
}
# data splits: what the model trains on, what chooses (early stopping), what only reports
SPLIT = {
    "train": "#648FFF",
    "validation": "#F8961E",
    "test": "#DC267F",
}
# loss curves drawn beside class-coloured plots (decision boundaries) take no class hue: train loss in
# the ink colour (FOREGROUND on screen, INK on paper; solid), held-out test loss in yellow-green (dashed;
# far from the classes, the ink and the highlight amber that rings points).
# TEST_LOSS_INK is the same hue darkened for white paper (the light theme uses it on screen too).
TEST_LOSS = "#A6E22E"
TEST_LOSS_INK = "#4A6B00"


def loss_colors(paper: bool = False) -> dict:
    """{"train", "test"} curve colours beside class plots: on screen (`paper=False`) or on a still's paper."""
    g = globals()
    return {"train": g["INK"] if paper else g["FOREGROUND"], "test": g["TEST_LOSS_INK"] if paper else g["TEST_LOSS"]}


# weight penalties (no penalty is the neutral baseline)
PENALTY = {
    "none": "#A8A8A8",
    "l2": "#785EF0",
    "l1": "#44AA99",
}
# momentum's β at the optimal η*: β* is momentum itself (its colour); too much β rings
MOMENTUM_BETA = {"best": OPTIMIZER["momentum"], "too_much": "#DD55FF"}
THEORY = FOREGROUND        # a formula's prediction: drawn dashed in the foreground colour
VALUE_INK = "#B8860B"      # forward values on paper (ACTIVE is too light on white)
MEMORY_BUDGET = "#D55E00"  # a device's memory limit (past it: out of memory)
MEMORY_NET = {"digits": "#E8A0BF", "mnist": "#7FDBCA"}  # the two networks whose memory is measured

# loss-surface colour ramp, low → high
SURFACE_RAMP = ["#22306b", "#2c7bb6", "#abd9e9", "#fdae61", "#d7191c"]
# a neutral grey ramp (dark = low, light = high) for every 3-D surface that carries descent paths
# (the 3-D race, the loss-surface scenes): no hue, so each path keeps its optimizer's colour
SURFACE_RAMP_MUTED = ["#1d2026", "#2c3038", "#3d424c", "#525864", "#6c7380"]

FONT = "DejaVu Sans"
FONT_SIZE = 28          # manim text size for labels
TITLE_SIZE = 40
FIGURE_DPI = 200        # print resolution for still figures
FIGURE_SIZE = (6.4, 4.8)
LINE_WIDTH = 3.0        # manim stroke width for paths and curves


# --- light and dark themes ---------------------------------------------------------------------------
# With no theme chosen (the default) videos are dark and stills are on white paper, as above.
# `use("dark")` makes everything dark (screens), `use("light")` everything light (projectors in bright
# rooms, print handouts). Choose before the render kit is imported (it reads colours at import):
# NNVIZ_THEME=light in the environment, `theme = "light"` in renders.toml, or --theme on the CLI.
THEMES = ("dark", "light")
_DARK_INK = {"BACKGROUND": BACKGROUND, "FOREGROUND": FOREGROUND, "MUTED": MUTED, "GRID": GRID, "PAPER": BACKGROUND,
             "INK": FOREGROUND, "FIGURE_GRID": GRID, "NEURON": NEURON, "DROPPED": DROPPED, "ACTIVE": ACTIVE,
             "TEST_LOSS": TEST_LOSS, "TEST_LOSS_INK": TEST_LOSS}
_LIGHT_INK = {"BACKGROUND": "#ffffff", "FOREGROUND": "#1b1d23", "MUTED": "#5f6570", "GRID": "#d5d9e0",
              "PAPER": "#ffffff", "INK": "#1b1d23", "FIGURE_GRID": "#dddddd", "NEURON": "#1b1d23",
              "DROPPED": "#c3c8d0", "ACTIVE": "#A67C00",
              "TEST_LOSS": "#4A6B00", "TEST_LOSS_INK": "#4A6B00"}
# palette entries too pale on white: darker twins of the same hue for the light theme
# (each ≥ 3:1 contrast on white, the guideline for lines and large text; tests/test_themes.py checks it)
_LIGHT_PALETTE = {"GD": "#1A6FA8",
                  "OPTIMIZER": {"gd": "#1A6FA8", "momentum": "#9C920C", "nesterov": "#C0189F", "rmsprop": "#6F3FB0",
                                "adagrad": "#A0302A",
                                "adam": "#1DA058", "sgd": "#D9572E"},
                  "REGIME": {"slow": "#5A6FE0", "smooth": "#6F8A14", "oscillating": "#B07838"},
                  "VARIANT": {"batch": "#1A6FA8", "minibatch": "#9B30D9", "stochastic": "#D9572E"},
                  "OUTCOME": {"found": "#1b1d23", "stuck": "#8a8f98"},
                  "SCHEDULE": {"constant": "#D9572E"},
                  "PENALTY": {"l2": "#5B3FD6", "l1": "#2E7D6F"}}
FIGURE_GRID = "#dddddd"     # matplotlib grid lines on the paper
_CLASSIC = None             # the values at import, restored by use(None)
ACTIVE_THEME = None         # None (classic: dark videos, paper stills) | "dark" | "light"


def use(name) -> str | None:
    """Switch every colour to theme `name` ("dark" | "light" | None for the classic mix) in place:
    module constants and the palette dicts (so `theme.OPTIMIZER` held elsewhere follows)."""
    global _CLASSIC, ACTIVE_THEME
    if name in ("", "classic", "default"):
        name = None
    if name is not None and name not in THEMES:
        from .errors import NNVizError, did_you_mean

        raise NNVizError(f"unknown theme {name!r}; valid: dark, light{did_you_mean(name, THEMES)}")
    g = globals()
    if _CLASSIC is None:
        _CLASSIC = {k: (dict(g[k]) if isinstance(g[k], dict) else g[k])
                    for k in (*_DARK_INK, "OPTIMIZER", "REGIME", "VARIANT", "OUTCOME", "SCHEDULE", "SPLIT",
                              "PENALTY", "GD")}
    for k, v in _CLASSIC.items():
        if isinstance(v, dict):
            g[k].clear()
            g[k].update(v)
        else:
            g[k] = v
    if name == "dark":
        g.update(_DARK_INK)
    elif name == "light":
        g.update(_LIGHT_INK)
        for table, entries in _LIGHT_PALETTE.items():
            if isinstance(entries, dict):
                g[table].update(entries)
            else:
                g[table] = entries
    ACTIVE_THEME = name
    return name


def _key(name) -> str:
    return str(name).strip().lower().replace("-", "").replace("_", "").replace(" ", "")


def color_for(kind: str, name: str, default: str = FOREGROUND) -> str:
    """Colour of an optimizer / regime / variant / … by name, case- and separator-insensitive
    ("Adam", "SGD", "mini-batch"); unknown names get the default."""
    table = {"optimizer": OPTIMIZER, "regime": REGIME, "variant": VARIANT, "outcome": OUTCOME,
             "schedule": SCHEDULE, "split": SPLIT, "penalty": PENALTY}[kind]
    if name in table:
        return table[name]
    return {_key(k): v for k, v in table.items()}.get(_key(name), default)


# --- "why gradients behave" lecture set ----------------------------------------------------
# one colour per activation function (its derivative: the same hue, dashed / lighter)
ACTIVATION = {
    "identity": "#A8A8A8",
    "step": "#B07A5B",
    "sigmoid": "#FF77A8",
    "tanh": "#00BCD4",
    "relu": "#009E73",
    "leaky_relu": "#9ED36A",
}
# losses compared on one prediction
LOSS_KIND = {"step": "#B07A5B", "mse": "#FB5607", "ce": "#43A047"}
# normalisation layers (the plain net is the deep sigmoid net: the sigmoid's colour)
NORM = {"plain": ACTIVATION["sigmoid"], "batch": "#FFD166", "layer": "#1ABC9C"}
FLAT_ZONE = "#6b2f3a"     # where a derivative is near zero: no gradient passes


# Entries that are one concept drawn in two families, hence one colour (tests/test_palette.py).
SAME_CONCEPT = (
    ("OPTIMIZER.gd", "VARIANT.batch"),  # plain full-batch gradient descent (restart outcomes are neutral)
    ("OPTIMIZER.sgd", "VARIANT.stochastic", "SCHEDULE.constant"),  # SGD (b = 1) with a fixed rate
    ("NEGATIVE", "CLASS.0"),      # two classes are the sign of the output: class 0 below 0.5 / 0
    ("POSITIVE", "CLASS.1"),
    ("ACTIVATION.sigmoid", "NORM.plain"),   # the plain net of the normalisation lecture is the sigmoid net
    ("ACTIVATION.step", "LOSS_KIND.step"),  # the perceptron's step output and its step-based loss
    ("ACTIVATION.identity", "PENALTY.none"),  # the neutral baseline: no non-linearity / no penalty
)


def _from_environment() -> None:
    import os

    if os.environ.get("NNVIZ_THEME"):
        use(os.environ["NNVIZ_THEME"])


_from_environment()
