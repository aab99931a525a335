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
    # stacked(z, a, Yᵀ) -> the mean loss of each of P parameter vectors, from feature-major
    # logits z and outputs a (P, c, m) and targets Yᵀ (c, m): the same loss as `value`, laid
    # out for the stacked grid evaluator (nnviz.stacked); equal to value's mean (tested)
    stacked: Callable | None = None


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


# --- the same losses for P parameter vectors at once: feature-major (P, c, m) logits ---------
def _mse_stacked(z, a, YT):
    """mean over examples and outputs of (a − y)², feature-major."""
    d = a - YT
    d *= d
    return d.reshape(d.shape[0], -1).mean(axis=1)


def _bce_stacked(z, a, YT):
    """mean over examples and outputs of softplus(z) − y·z (as `_bce_value`), feature-major."""
    P, c, m = z.shape
    t = np.abs(z)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    t += np.maximum(z, 0.0)
    return (t.reshape(P, -1).sum(axis=1) - z.reshape(P, -1) @ YT.ravel()) / (c * m)


def _cce_stacked(z, a, YT):
    """mean over examples of logsumexp(z) − Σ_c y_c z_c (as `_cce_value`), classes on axis 1."""
    P, c, m = z.shape
    yz = z.reshape(P, -1) @ YT.ravel()
    # fast path: log Σ exp z directly; points where that over/underflows redo it shifted by max z
    with np.errstate(all="ignore"):
        e = np.exp(z)
        lse = np.log(np.matmul(np.ones(c, dtype=z.dtype), e))   # Σ over classes as a GEMV: 2x a reduce
    ok = (np.isfinite(lse) & (lse > _LSE_MIN[z.dtype.char])).all(axis=1)
    if not ok.all():
        bad = ~ok
        zb = z[bad]
        zmax = zb.max(axis=1, keepdims=True)
        lse[bad] = np.log(np.exp(zb - zmax).sum(axis=1)) + zmax[:, 0, :]
    return lse.mean(axis=1) - yz / m


# Σ exp z ≥ e^this keeps every subnormal term's absolute error ≤ 1e-10 relative to the sum;
# an overflow shows as inf. Either way the shifted form is used for that point.
_LSE_MIN = {"f": -80.0, "d": -700.0}


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in [
        Loss("mse", _mse_value, _mse_grad, None, "identity", _mse_stacked),
        Loss("bce", _bce_value, _bce_grad, "sigmoid", "sigmoid", _bce_stacked),
        Loss("cce", _cce_value, _cce_grad, "softmax", "softmax", _cce_stacked),
    ]
}


def get(name: str) -> Loss:
    return lookup(LOSSES, name, "loss")
