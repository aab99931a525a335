"""Activation functions as a registry of (forward, derivative) pairs.

The derivative takes both z (pre-activation) and a = f(z) so each function can use
whichever is cheaper (sigmoid' = a(1-a), tanh' = 1-a²).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import NNVizError, lookup


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray] | None  # None: no gradient (step)
    glyph: str  # short label for diagrams
    # the same function computed in place into z (no temporaries), for the stacked grid
    # evaluator (nnviz.stacked); None: it falls back to f
    inplace: Callable[[np.ndarray], np.ndarray] | None = None


def _sigmoid(z):
    # e = exp(−|z|) ≤ 1 never overflows; 1/(1+e) for z ≥ 0 and e/(1+e) below keep full
    # relative precision on both tails (same values as the textbook split by sign)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid(z):
    return _sigmoid(np.asarray(z, dtype=float))


def row_max(z: np.ndarray) -> np.ndarray:
    """max over the last axis, keepdims. NumPy reduces short contiguous rows (10 classes)
    element by element, ~20× slower than reducing a column-major copy, so use one."""
    if z.ndim == 2 and z.shape[0] >= 64 and z.shape[1] > 1:
        return np.asfortranarray(z).max(axis=1)[:, None]
    return z.max(axis=-1, keepdims=True)


def row_sum(z: np.ndarray) -> np.ndarray:
    """sum over the last axis, keepdims (einsum: several times faster for short rows)."""
    return np.einsum("...k->...", z)[..., None]


def softmax(z, axis=-1):
    if axis not in (-1, np.ndim(z) - 1):
        z = z - z.max(axis=axis, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=axis, keepdims=True)
    e = np.exp(z - row_max(z))
    e /= row_sum(e)
    return e


def _sigmoid_inplace(z):
    """σ(z) = ½(1 + tanh(z/2)): the same function, overflow-free, in place and SIMD-fast."""
    z *= 0.5
    np.tanh(z, out=z)
    z += 1.0
    z *= 0.5
    return z


LEAKY_SLOPE = 0.01

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation("identity", lambda z: z, lambda z, a: np.ones_like(z), "id", lambda z: z),
        Activation("step", lambda z: (z >= 0).astype(z.dtype), None, "step"),
        Activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a), "σ", _sigmoid_inplace),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, "tanh", lambda z: np.tanh(z, out=z)),
        Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype), "ReLU",
                   lambda z: np.maximum(z, 0.0, out=z)),
        Activation(
            "leaky_relu",
            lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype),
            "lReLU",
        ),
        # softmax's Jacobian is not elementwise; it is only valid as the output of
        # categorical cross-entropy, whose gradient w.r.t. logits is softmax − y.
        Activation("softmax", softmax, None, "softmax"),
    ]
}


def get(name: str) -> Activation:
    return lookup(ACTIVATIONS, name, "activation")


def derivative(act: Activation, z, a):
    if act.df is None:
        raise NNVizError(
            f"activation {act.name!r} has no usable gradient for backpropagation"
            + (" (use the perceptron rule, nnviz.perceptron)" if act.name == "step" else
               " except as the output of the 'cce' loss")
        )
    return act.df(z, a)
