"""Display helpers shared by the render kit (manim) and the still figures (matplotlib).

Plain Python + NumPy, no drawing library: both drawing layers import from here, so a
diagram elides the same units and names them the same way in a video and in a still.
"""
from __future__ import annotations

import numpy as np

_SUB = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")
_SUP = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")


def shown_units(n: int, max_neurons: int) -> tuple[list[int], int | None]:
    """Which units of an n-wide layer a diagram draws when at most `max_neurons` slots fit:
    the first ⌊max/2⌋ units, a "⋮" slot (its index is returned, None when nothing is elided),
    then the last units. Returns (unit indices, slot of the "⋮")."""
    if n <= max_neurons:
        return list(range(n)), None
    top = max_neurons // 2
    return list(range(top)) + list(range(n - (max_neurons - 1 - top), n)), top


def subscript(i) -> str:
    return str(i).translate(_SUB)


def superscript(i) -> str:
    return str(i).translate(_SUP)


def loss_text(v: float) -> str:
    """A loss as a student reads it: 0.94, 0.014, 3.6·10⁻⁵ (never 3.6e-05)."""
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:.2g}"
    m, e = f"{v:.1e}".split("e")
    return f"{m}·10{superscript(int(e))}"


def loss_tick_text(v: float) -> str:
    """A tick of a log loss axis: 0.01, 0.1, 1, 10, 100, 1000 plainly, other powers of ten as 10ᵏ."""
    if v <= 0:
        return "0"
    k = float(np.log10(v))
    if abs(k - round(k)) < 1e-9:
        k = int(round(k))
        return f"{10.0 ** k:g}" if -2 <= k <= 3 else f"10{superscript(k)}"
    return f"{v:g}"


def slope_words(df, mathtext: bool = False) -> str:
    """An activation's slope in words, from its recorded derivative: one value, two values
    (piecewise linear) or a bound (smooth curves). The video writes f′, the still matplotlib
    mathtext, so both say the same thing from one rule."""
    vals = np.unique(np.abs(np.asarray(df, float)))
    prime, le = ("f'", r"\leq") if mathtext else ("f′", "≤")
    wrap = (lambda t: f"${t}$") if mathtext else (lambda t: t)
    if len(vals) == 1:
        return wrap(f"{prime} = {vals[0]:g}")
    if len(vals) == 2:
        return f"{wrap(f'{prime} = {vals[0]:g}')} or {wrap(f'{vals[1]:g}')}"
    return wrap(f"{prime} {le} {vals[-1]:.2g}")


def input_names(n: int, symbol: str = "x") -> list[str]:
    """x₁ … xₙ: the names of a network's inputs."""
    return [f"{symbol}{subscript(i + 1)}" for i in range(n)]


def output_names(n: int) -> list[str]:
    """ŷ for one output, else the class indices 0 … n−1."""
    return ["ŷ"] if n == 1 else [str(i) for i in range(n)]


def sizes_text(sizes) -> str:
    """2-16-16-1: a network's layer widths as the scenes and stills print them."""
    return "-".join(str(int(s)) for s in sizes)


def fixed(v: float, digits: int = 2) -> str:
    """A number to `digits` places with a true minus sign, and never "−0.00" (rounds to +0)."""
    s = f"{float(v):.{digits}f}"
    if float(s) == 0:
        s = f"{0.0:.{digits}f}"
    return s.replace("-", "−")


def signed(v: float, digits: int = 2) -> str:
    """A number with its sign always shown and a true minus sign (−0.37, +1.20, +0.00)."""
    s = fixed(v, digits)
    return s if s.startswith("−") else "+" + s


def top_terms(w: np.ndarray, a: np.ndarray, k: int = 5) -> np.ndarray:
    """Indices of the k largest |w_i · a_i| terms of a weighted sum, largest first (ties by index)."""
    t = np.abs(np.asarray(w, float) * np.asarray(a, float))
    return np.argsort(-t, kind="stable")[:k]


def neuron_sum(w, a, b: float, z: float, k: int = 4, digits: int = 2) -> dict:
    """One neuron's weighted sum as a still writes it out, from the record's numbers: its `k`
    largest terms wᵢ·aᵢ (index, w, a, product as shown), "+ N more" (`shown_rest`: what completes
    the shown z, so the column adds up by hand at `digits` places; `rest` is the exact sum of the
    other terms), the bias and z. `exact` is w·a + b (equals the recorded z up to rounding)."""
    w, a = np.asarray(w, float).reshape(-1), np.asarray(a, float).reshape(-1)
    top = top_terms(w, a, k)
    terms = [(int(i), float(w[i]), float(a[i]), round(round(float(w[i]), digits) * round(float(a[i]), digits), digits))
             for i in top]
    others = np.setdiff1d(np.arange(len(w)), top)
    shown_rest = round(round(float(z), digits) - sum(t[3] for t in terms) - round(float(b), digits), digits)
    return {"terms": terms, "n_rest": int(len(others)), "rest": float(np.sum(w[others] * a[others])),
            "shown_rest": shown_rest, "b": float(b), "z": float(z), "exact": float(w @ a + b)}
