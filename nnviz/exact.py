"""Exact 2-parameter data problems: the loss surface *is* the (w, b) plane.

Linear regression ŷ = w·x + b (MSE) and logistic regression p = σ(w·x + b) (BCE) are
tiny `MLP`s of sizes (1, 1), so θ = (w, b) exactly (layout W1 then b1) and the ordinary
trainer runs batch, stochastic and mini-batch descent on them. Their surface is a
coordinate slice with origin 0: every recorded θ_t lies *on* the plotted surface, with
no projection and no approximation — which makes batch-vs-SGD comparisons truthful.
"""
from __future__ import annotations

import numpy as np

from . import data
from .activations import sigmoid
from .landscape import coordinate_directions, surface
from .nn import MLP
from .errors import ShapeError
from .problems import NetworkProblem
from .records import Surface

W, B = 0, 1  # flat indices of w and b in θ


def linear_regression(n: int = 100, seed: int = 0, w: float = 2.0, b: float = -1.0,
                      noise: float = 0.3, low: float = -1.0, high: float = 1.0) -> NetworkProblem:
    """y = w·x + b + noise (nnviz.data.line) fitted by ŷ = θ₀·x + θ₁ with MSE."""
    return NetworkProblem(MLP((1, 1), loss="mse"), data.line(n, seed, w, b, noise, low, high))


def logistic_data(n: int = 100, seed: int = 0, w: float = 3.0, b: float = -0.5,
                  low: float = -2.0, high: float = 2.0) -> data.Dataset:
    """1-D binary labels y ~ Bernoulli(σ(w·x + b)): overlapping classes, so the BCE minimum is finite."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, n)
    y = (rng.random(n) < sigmoid(w * x + b)).astype(float)
    return data.Dataset("logistic", x[:, None], y[:, None], "binary", meta={"w": w, "b": b})


def logistic_regression(n: int = 100, seed: int = 0, w: float = 3.0, b: float = -0.5) -> NetworkProblem:
    """p = σ(θ₀·x + θ₁) with binary cross-entropy on `logistic_data`."""
    return NetworkProblem(MLP((1, 1), loss="bce"), logistic_data(n, seed, w, b))


def fit(problem: NetworkProblem) -> np.ndarray:
    """The exact minimiser (w*, b*): least squares for MSE, Newton's method for BCE."""
    X, y = problem.data.X[:, 0], problem.data.Y[:, 0]
    A = np.c_[X, np.ones_like(X)]
    if problem.model.loss == "mse":
        return np.linalg.lstsq(A, y, rcond=None)[0]
    th = np.zeros(2)
    for _ in range(50):
        p = sigmoid(A @ th)
        g = A.T @ (p - y) / len(y)
        H = (A * (p * (1 - p))[:, None]).T @ A / len(y)
        th = th - np.linalg.solve(H + 1e-12 * np.eye(2), g)
    return th


def wb_surface(problem: NetworkProblem, w_range=None, b_range=None, n: int = 51) -> Surface:
    """The exact loss over a (w, b) grid (method "coordinates"): loss[j, i] = J(w=xs[i], b=ys[j]).

    Default ranges centre the grid on the exact minimiser, ±3 in each coordinate.
    """
    if problem.model.sizes != (1, 1):
        raise ShapeError(f"wb_surface needs a (1, 1) model, got sizes {problem.model.sizes}")
    w0, b0 = fit(problem)
    w_range = (w0 - 3.0, w0 + 3.0) if w_range is None else w_range
    b_range = (b0 - 3.0, b0 + 3.0) if b_range is None else b_range
    dirs = coordinate_directions(np.zeros(2), W, B, absolute=True)
    s = surface(problem, dirs, np.linspace(*w_range, n), np.linspace(*b_range, n))
    return Surface(config=s.config, method=s.method, xs=s.xs, ys=s.ys, loss=s.loss, origin=s.origin,
                   directions=s.directions, extra=s.extra,
                   meta={**s.meta, "axes": ["w", "b"], "minimum": [float(w0), float(b0)]})
