"""Analytic test functions with gradients and Hessians, vectorised over grids.

Each `Objective` maps points of shape (..., dim) to values (...), gradients
(..., dim) and Hessians (..., dim, dim), so one call evaluates a whole plotting
grid. `ObjectiveProblem` lets the ordinary training loop descend on them, with
optional seeded gradient noise for stochastic demos.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from .errors import NNVizError, ShapeError, lookup


@dataclass(frozen=True)
class Objective:
    name: str
    dim: int
    f: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    grad: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    hess: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    domain: tuple[tuple[float, float], ...]   # plotting box per coordinate
    minima: tuple[tuple[float, ...], ...]      # known minimisers (global first)
    start: tuple[float, ...]                   # a good demo starting point
    formula: str = ""                          # for captions
    log_scale: bool = False                    # values span decades (contours in log)
    params: dict = field(default_factory=dict)  # the factory's keyword arguments (set by `get`)

    def _pts(self, p) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        if p.shape[-1:] != (self.dim,):
            raise ShapeError(f"{self.name} takes points of shape (..., {self.dim}), got {p.shape}")
        return p

    def value(self, p) -> np.ndarray:
        return self.f(self._pts(p))

    def gradient(self, p) -> np.ndarray:
        return self.grad(self._pts(p))

    def hessian(self, p) -> np.ndarray:
        return self.hess(self._pts(p))

    @property
    def min_value(self) -> float:
        return float(self.value(np.array(self.minima[0])))

    def grid(self, n: int = 101):
        """(X, Y, Z) over the plotting domain, for 2-D objectives."""
        (x0, x1), (y0, y1) = self.domain
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        return X, Y, self.value(np.stack([X, Y], -1))

    def config(self) -> dict:
        return {"type": "objective", "name": self.name, "params": dict(self.params)}


def _stack(*cols):
    return np.stack(np.broadcast_arrays(*cols), axis=-1)


def _hess2(hxx, hxy, hyy):
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


def _polish(grad, hess, points, iters: int = 8):
    """Newton-refine published minimiser digits to machine precision (so ∇f = 0 holds exactly)."""
    out = []
    for p in points:
        p = np.array(p, dtype=float)
        for _ in range(iters):
            p = p - np.linalg.solve(hess(p), grad(p))
        out.append(tuple(float(v) for v in p))
    return tuple(out)


# --- 1-D ------------------------------------------------------------------------------
def parabola(a: float = 1.0) -> Objective:
    """f(x) = a x²; λ = 2a, so GD is stable for η < 1/a."""
    return Objective("parabola", 1, lambda p: a * p[..., 0] ** 2, lambda p: 2 * a * p,
                     lambda p: np.full(p.shape[:-1] + (1, 1), 2.0 * a),
                     ((-2.0, 2.0),), ((0.0,),), (1.6,), "f(x) = x²" if a == 1 else f"f(x) = {a}x²")


def two_wells() -> Objective:
    """A shallow local minimum (x≈0.98) beside a deeper global one (x≈−1.39):
    f(x) = x⁴/4 + x³/10 − 0.7x² + 0.15x. Plain GD from the right stops in the shallow
    well; momentum can roll through."""
    c4, c3, c2, c1 = 0.25, 0.1, -0.7, 0.15

    def f(p):
        x = p[..., 0]
        return c4 * x ** 4 + c3 * x ** 3 + c2 * x ** 2 + c1 * x

    def g(p):
        x = p[..., 0]
        return (4 * c4 * x ** 3 + 3 * c3 * x ** 2 + 2 * c2 * x + c1)[..., None]

    def h(p):
        x = p[..., 0]
        return (12 * c4 * x ** 2 + 6 * c3 * x + 2 * c2)[..., None, None]

    roots = np.roots([4 * c4, 3 * c3, 2 * c2, c1]).real
    mins = sorted((r for r in roots if 12 * c4 * r * r + 6 * c3 * r + 2 * c2 > 0),
                  key=lambda r: c4 * r ** 4 + c3 * r ** 3 + c2 * r ** 2 + c1 * r)
    return Objective("two_wells", 1, f, g, h, ((-2.2, 2.0),), tuple((float(m),) for m in mins),
                     (1.9,), "f(x) = x⁴/4 + x³/10 − 0.7x² + 0.15x")


# --- 2-D ------------------------------------------------------------------------------
def quadratic(condition: float = 10.0, angle: float = 0.0, scale: float = 1.0) -> Objective:
    """A bowl ½ pᵀAp with eigenvalues (scale, scale·condition), rotated by `angle` radians.

    Its Hessian is A everywhere, so λ_max = scale·condition and GD is stable for η < 2/λ_max.
    """
    if condition < 1 or scale <= 0:
        raise NNVizError(f"quadratic needs condition ≥ 1 and scale > 0, got {condition}, {scale}")
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    A = R @ np.diag([scale, scale * condition]) @ R.T
    return Objective(
        "quadratic", 2,
        lambda p: 0.5 * np.einsum("...i,ij,...j->...", p, A, p),
        lambda p: p @ A.T,
        lambda p: np.broadcast_to(A, p.shape[:-1] + (2, 2)).copy(),
        ((-3.0, 3.0), (-3.0, 3.0)), ((0.0, 0.0),), (-2.5, 1.5), "f(p) = ½ pᵀAp")


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    """Rosenbrock (1960): (a−x)² + b(y−x²)²; a curved, flat-bottomed valley."""
    def f(p):
        x, y = p[..., 0], p[..., 1]
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def g(p):
        x, y = p[..., 0], p[..., 1]
        return _stack(-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x))

    def h(p):
        x, y = p[..., 0], p[..., 1]
        return _hess2(2 - 4 * b * y + 12 * b * x * x, -4 * b * x, 2 * b + 0 * x)

    return Objective("rosenbrock", 2, f, g, h, ((-2.0, 2.0), (-1.0, 3.0)), ((a, a * a),), (-1.5, 2.5),
                     "f = (1−x)² + 100(y−x²)²", log_scale=True)


def beale() -> Objective:
    """Beale: (1.5−x+xy)² + (2.25−x+xy²)² + (2.625−x+xy³)²; minimum (3, 0.5)."""
    cs = (1.5, 2.25, 2.625)

    def terms(p):
        x, y = p[..., 0], p[..., 1]
        return x, y, [(c - x + x * y ** (k + 1)) for k, c in enumerate(cs)]

    def f(p):
        _, _, t = terms(p)
        return sum(ti ** 2 for ti in t)

    def g(p):
        x, y, t = terms(p)
        gx = sum(2 * ti * (y ** (k + 1) - 1) for k, ti in enumerate(t))
        gy = sum(2 * ti * x * (k + 1) * y ** k for k, ti in enumerate(t))
        return _stack(gx, gy)

    def h(p):
        x, y, t = terms(p)
        hxx = sum(2 * (y ** (k + 1) - 1) ** 2 for k in range(3))
        hxy = sum(2 * x * (k + 1) * y ** k * (y ** (k + 1) - 1) + 2 * ti * (k + 1) * y ** k
                  for k, ti in enumerate(t))
        hyy = sum(2 * (x * (k + 1) * y ** k) ** 2 + (2 * ti * x * (k + 1) * k * y ** (k - 1) if k else 0)
                  for k, ti in enumerate(t))
        return _hess2(hxx, hxy, hyy)

    return Objective("beale", 2, f, g, h, ((-4.5, 4.5), (-4.5, 4.5)), ((3.0, 0.5),), (1.0, 1.5),
                     "f = Σᵢ(cᵢ − x + xyⁱ)², c = 1.5, 2.25, 2.625", log_scale=True)


def himmelblau() -> Objective:
    """Himmelblau: (x²+y−11)² + (x+y²−7)²; four equal minima."""
    def f(p):
        x, y = p[..., 0], p[..., 1]
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def g(p):
        x, y = p[..., 0], p[..., 1]
        u, v = x * x + y - 11, x + y * y - 7
        return _stack(4 * x * u + 2 * v, 2 * u + 4 * y * v)

    def h(p):
        x, y = p[..., 0], p[..., 1]
        return _hess2(12 * x * x + 4 * y - 42, 4 * x + 4 * y, 12 * y * y + 4 * x - 26)

    mins = _polish(g, h, ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)))
    return Objective("himmelblau", 2, f, g, h, ((-5.0, 5.0), (-5.0, 5.0)), mins, (0.0, 0.0),
                     "f = (x²+y−11)² + (x+y²−7)²", log_scale=True)


def saddle() -> Objective:
    """A saddle x² − y² plus a quartic wall y⁴/4 so descent has somewhere to go: minima at (0, ±√2)."""
    def f(p):
        x, y = p[..., 0], p[..., 1]
        return x * x - y * y + 0.25 * y ** 4

    def g(p):
        x, y = p[..., 0], p[..., 1]
        return _stack(2 * x, -2 * y + y ** 3)

    def h(p):
        x, y = p[..., 0], p[..., 1]
        return _hess2(2 + 0 * x, 0 * x, -2 + 3 * y * y)

    r = float(np.sqrt(2.0))
    return Objective("saddle", 2, f, g, h, ((-2.0, 2.0), (-2.2, 2.2)), ((0.0, r), (0.0, -r)), (-1.8, 1e-3),
                     "f = x² − y² + y⁴/4")


def rastrigin(A: float = 10.0) -> Objective:
    """Rastrigin: 2A + Σ(xᵢ² − A cos 2πxᵢ); a grid of local minima around the global one at 0."""
    def f(p):
        return 2 * A + np.sum(p * p - A * np.cos(2 * np.pi * p), axis=-1)

    def g(p):
        return 2 * p + 2 * np.pi * A * np.sin(2 * np.pi * p)

    def h(p):
        d = 2 + 4 * np.pi ** 2 * A * np.cos(2 * np.pi * p)
        return _hess2(d[..., 0], 0 * d[..., 0], d[..., 1])

    return Objective("rastrigin", 2, f, g, h, ((-5.12, 5.12), (-5.12, 5.12)), ((0.0, 0.0),), (3.2, -2.1),
                     "f = 20 + Σ(xᵢ² − 10cos 2πxᵢ)")


def six_hump_camel() -> Objective:
    """Six-hump camel: (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²; two global minima."""
    def f(p):
        x, y = p[..., 0], p[..., 1]
        return (4 - 2.1 * x * x + x ** 4 / 3) * x * x + x * y + (-4 + 4 * y * y) * y * y

    def g(p):
        x, y = p[..., 0], p[..., 1]
        return _stack(8 * x - 8.4 * x ** 3 + 2 * x ** 5 + y, x - 8 * y + 16 * y ** 3)

    def h(p):
        x, y = p[..., 0], p[..., 1]
        return _hess2(8 - 25.2 * x * x + 10 * x ** 4, 1 + 0 * x, -8 + 48 * y * y)

    return Objective("six_hump_camel", 2, f, g, h, ((-2.0, 2.0), (-1.0, 1.0)),
                     _polish(g, h, ((0.0898, -0.7126), (-0.0898, 0.7126))), (-1.5, 0.8),
                     "f = (4 − 2.1x² + x⁴/3)x² + xy + (4y² − 4)y²")


OBJECTIVES: dict[str, Callable[..., Objective]] = {
    "parabola": parabola, "two_wells": two_wells, "quadratic": quadratic, "rosenbrock": rosenbrock,
    "beale": beale, "himmelblau": himmelblau, "saddle": saddle, "rastrigin": rastrigin,
    "six_hump_camel": six_hump_camel,
}


def get(name: str, **kw) -> Objective:
    """Build a registered objective; its keyword arguments are kept in `.params` for records."""
    factory = lookup(OBJECTIVES, name, "objective")
    try:
        obj = factory(**kw)
    except TypeError as e:
        raise NNVizError(f"bad parameters for objective {name!r}: {e}") from None
    return replace(obj, params=dict(kw))


@dataclass(frozen=True)
class ObjectiveProblem:
    """An analytic objective as a training problem: one 'example', optional gradient noise.

    With noise σ > 0 each step's gradient gets N(0, σ²) added from the run's seeded
    rng — a stand-in for mini-batch noise in stochastic demos.
    """

    objective: Objective
    noise: float = 0.0
    params: dict = field(default_factory=dict)  # extra keyword arguments, for the record

    n: int = 1

    def __post_init__(self):
        if not (np.isfinite(self.noise) and self.noise >= 0):
            raise NNVizError(f"gradient noise must be a finite σ ≥ 0, got {self.noise}")

    @property
    def dim(self) -> int:
        return self.objective.dim

    def batch_loss_grad(self, theta, idx, rng):
        v = float(self.objective.value(theta))
        g = self.objective.gradient(theta)
        if self.noise:
            g = g + self.noise * rng.normal(size=g.shape)
        return v, g

    def loss(self, theta) -> float:
        """The exact (noise-free) objective value at θ."""
        return float(self.objective.value(theta))

    def evaluate(self, theta):
        return {"train_loss": float(self.objective.value(theta)), "test_loss": np.nan,
                "train_acc": np.nan, "test_acc": np.nan}

    def config(self) -> dict:
        return {**self.objective.config(), "params": {**self.objective.params, **self.params},
                "noise": self.noise}
