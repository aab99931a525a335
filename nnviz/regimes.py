"""Learning-rate regimes from curvature: slow, smooth, oscillating, diverging.

On a quadratic with largest Hessian eigenvalue λ, gradient descent multiplies the error
along the top eigenvector by (1 − ηλ) each step:
    ηλ < 1      monotone approach            (slow when ηλ is tiny, else smooth)
    1 < ηλ < 2  sign flips across the valley, still converging  (oscillating)
    ηλ > 2      |1 − ηλ| > 1: growth         (diverging)
Near a minimum any smooth loss is such a quadratic, so λ_max at the point sets the
scale: exactly (eigenvalues of the Hessian) for analytic objectives, by power iteration
on finite-difference Hessian-vector products for networks.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import NNVizError, ShapeError
from .objectives import Objective, ObjectiveProblem
from .problems import NetworkProblem

REGIMES = ("slow", "smooth", "oscillating", "diverging")
SLOW_BELOW = 0.2  # ηλ below this is "slow": a convention (the top direction needs > 10 steps per e-fold)
# demonstration rates as multiples of 1/λ_max: one well inside each band
DEMO_FACTORS = {"slow": 0.08, "smooth": 0.8, "oscillating": 1.7, "diverging": 2.2}


@dataclass(frozen=True)
class Curvature:
    """Largest Hessian eigenvalue at θ, its eigenvector and how it was obtained."""

    value: float
    vector: np.ndarray
    method: str          # "exact" | "power"
    iterations: int = 0
    converged: bool = True


def full_gradient(problem, theta: np.ndarray) -> np.ndarray:
    """∇J(θ) on the whole training set, with no dropout or gradient noise.

    With batch norm this is the full-batch *training* objective (statistics of the whole
    training set, what full-batch descent minimises), a function of θ alone; the evaluation
    loss is not (it uses running statistics that depend on the path taken).
    """
    if isinstance(problem, NetworkProblem):
        m = problem.model
        if m.norm == "batch":
            if m.dropout > 0:
                raise NNVizError("curvature of a network with batch norm and dropout is not a function of θ "
                                 "(the masks are random); use dropout=0 for λ_max")
            return m.loss_and_grad(theta, problem.data.X, problem.data.Y, train=True)[1]
        return m.loss_and_grad(theta, problem.data.X, problem.data.Y)[1]
    obj = problem.objective if isinstance(problem, ObjectiveProblem) else problem
    return obj.gradient(theta)


def hvp(problem, theta: np.ndarray, v: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    """Hessian-vector product by central differences of gradients: (∇J(θ+εv̂) − ∇J(θ−εv̂))/2ε · ‖v‖."""
    n = float(np.linalg.norm(v))
    if n == 0:
        return np.zeros_like(theta, dtype=float)
    u = v / n
    return (full_gradient(problem, theta + eps * u) - full_gradient(problem, theta - eps * u)) / (2 * eps) * n


def _power(matvec, d: int, rng, iters: int, tol: float):
    v = rng.standard_normal(d)
    v /= np.linalg.norm(v)
    lam, it = 0.0, 0
    for it in range(1, iters + 1):
        w = matvec(v)
        new = float(v @ w)
        nw = np.linalg.norm(w)
        if nw == 0:
            return 0.0, v, it, True
        v = w / nw
        if abs(new - lam) <= tol * max(abs(new), 1e-12):
            return new, v, it, True
        lam = new
    return lam, v, it, False


def top_curvature(problem, theta, method: str = "auto", iters: int = 300, tol: float = 1e-7,
                  eps: float = 1e-4, seed: int = 0) -> Curvature:
    """λ_max (largest *algebraic* eigenvalue) of the Hessian at θ.

    method "exact" needs an analytic objective; "power" works for anything with a gradient
    (networks: `auto` picks it). Power iteration finds the eigenvalue of largest magnitude;
    if that is negative (θ near a maximum or saddle) it is rerun on H − λI to reach the top.
    """
    theta = np.asarray(theta, dtype=float)
    dim = problem.dim
    if theta.shape != (dim,):
        raise ShapeError(f"θ must have shape ({dim},), got {theta.shape}")
    analytic = isinstance(problem, (ObjectiveProblem, Objective))
    if method == "auto":
        method = "exact" if analytic else "power"
    if method == "exact":
        if not analytic:
            raise NNVizError("the exact Hessian is only available for analytic objectives; use method='power'")
        obj = problem.objective if isinstance(problem, ObjectiveProblem) else problem
        w, V = np.linalg.eigh(obj.hessian(theta))
        return Curvature(float(w[-1]), V[:, -1], "exact")
    if method != "power":
        raise NNVizError(f"unknown method {method!r}; valid: auto, exact, power")
    rng = np.random.default_rng(seed)
    mv = lambda v: hvp(problem, theta, v, eps)  # noqa: E731
    lam, v, it, ok = _power(mv, dim, rng, iters, tol)
    if lam < 0:
        shift = lam
        mu, v, it2, ok = _power(lambda x: mv(x) - shift * x, dim, rng, iters, tol)
        lam, it = mu + shift, it + it2
    return Curvature(float(lam), v, "power", it, ok)


def lambda_max(problem, theta, method: str = "auto", **kw) -> float:
    """The largest Hessian eigenvalue at θ (see `top_curvature`)."""
    return top_curvature(problem, theta, method, **kw).value


def _check_lambda(lam: float) -> float:
    lam = float(lam)
    if not np.isfinite(lam) or lam <= 0:
        raise NNVizError(f"λ_max = {lam}: regimes need positive curvature (pick a point near a minimum)")
    return lam


def classify(lr: float, lam: float, slow_below: float = SLOW_BELOW) -> str:
    """The regime of learning rate η given λ_max: by ηλ against slow_below, 1 and 2."""
    lam = _check_lambda(lam)
    if not (np.isfinite(lr) and lr > 0):
        raise NNVizError(f"learning rate must be positive, got {lr}")
    x = lr * lam
    if x < slow_below:
        return "slow"
    if x <= 1.0:
        return "smooth"
    if x < 2.0:
        return "oscillating"
    return "diverging"


def demo_rates(lam: float, factors: dict | None = None) -> dict[str, float]:
    """One learning rate per regime, η = factor/λ_max, each well inside its band."""
    lam = _check_lambda(lam)
    f = DEMO_FACTORS if factors is None else factors
    rates = {r: float(f[r] / lam) for r in REGIMES if r in f}
    for r, eta in rates.items():
        if classify(eta, lam) != r:
            raise NNVizError(f"factor {f[r]} does not lie in the {r!r} band")
    return rates


# --- what a run actually did (oracles for tests and scene claims) ----------------------------
def is_monotone(losses, rtol: float = 1e-12) -> bool:
    """True when every step lowered (or kept) the loss."""
    l = np.asarray(losses, dtype=float)
    return bool(np.all(np.diff(l) <= rtol * np.abs(l[:-1])))


def sign_flips(thetas, direction, center, rtol: float = 1e-9) -> int:
    """How many consecutive steps the coordinate along `direction` (relative to `center`) changed sign.

    Coordinates within rtol·max|c| of zero count as zero (converged: rounding noise is not oscillation).
    """
    c = (np.asarray(thetas, dtype=float) - np.asarray(center, dtype=float)) @ np.asarray(direction, dtype=float)
    s = np.sign(np.where(np.abs(c) <= rtol * np.max(np.abs(c), initial=0.0), 0.0, c))
    return int(np.count_nonzero(s[1:] * s[:-1] < 0))
