"""Losses computed from the output layer's *pre-activation* z (logits).

Working from logits keeps cross-entropies finite for any z (log-sum-exp / softplus)
and makes their gradient the simple (prediction − target). Each loss says which
output activation it pairs with; MSE pairs with any elementwise one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import Activation, derivative, row_max, row_sum, sigmoid, softmax
from .errors import lookup


@dataclass(frozen=True)
class Loss:
    name: str
    # value(z, a, y) -> per-example loss, shape (..., m)
    value: Callable
    # grad(z, a, y, act) -> dℓ/dz per example (not yet divided by m)
    grad: Callable
    output: str | None  # required output activation, None = any elementwise
    default_output: str


def _mse_value(z, a, y):
    return np.mean((a - y) ** 2, axis=-1)


def _mse_grad(z, a, y, act: Activation):
    c = a.shape[-1]
    return (2.0 / c) * (a - y) * derivative(act, z, a)


def _bce_value(z, a, y):
    # softplus(z) − y·z, stable for any z; mean over output units
    return np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))), axis=-1)


def _bce_grad(z, a, y, act):
    # a is the forward pass's sigmoid(z); recompute only when called without it
    p = sigmoid(z) if a is None else a
    return (p - y) / z.shape[-1]


def _cce_value(z, a, y):
    zmax = row_max(z)
    lse = (zmax + np.log(row_sum(np.exp(z - zmax))))[..., 0]
    # Σ_k y_k (lse − z_k); equals lse − y·z for one-hot (or any Σy = 1) targets
    return lse * row_sum(y)[..., 0] - np.einsum("...k,...k->...", y, z)


def _cce_grad(z, a, y, act):
    # a is the forward pass's softmax(z); recompute only when called without it
    p = softmax(z) if a is None else a
    return p * row_sum(y) - y


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in [
        Loss("mse", _mse_value, _mse_grad, None, "identity"),
        Loss("bce", _bce_value, _bce_grad, "sigmoid", "sigmoid"),
        Loss("cce", _cce_value, _cce_grad, "softmax", "softmax"),
    ]
}


def get(name: str) -> Loss:
    return lookup(LOSSES, name, "loss")
