"""Loss landscapes: directions in parameter space, fast grid evaluation, honest projections.

A loss surface of a network with d parameters is a 2-D slice θ(x, y) = θ₀ + x·d₀ + y·d₁
of a d-dimensional function. This module picks the plane (`Directions`), evaluates the
loss on a grid over it many points at a time (`surface`), and says how far a recorded
training path is from that plane (`project` → `Projection`), so a picture never claims
more than it shows.

Directions (each returns a `Directions`: origin, unit-free vectors, method, metadata):
- `random_directions`: Gaussian, **filter-normalised** (Li et al. 2018, "Visualizing the
  Loss Landscape of Neural Nets", §4). For a dense layer with W of shape (in, out) a
  "filter" is one output neuron, i.e. one column W[:, j]; the direction's column is
  rescaled to ‖θ₀'s column‖. Biases: as in the paper's published code (net_plotter.py,
  `--xignore biasbn`, used for all its figures) the direction is **zero on every bias** by
  default (`bias="zero"`), so the plane only moves weights; `bias="copy"` is that code's other
  branch (the bias direction is θ₀'s bias itself); `bias="filter"` rescales a random bias
  vector to the norm of θ₀'s bias vector.
- `pca_directions`: top principal components of a recorded trajectory θ_t − θ_final,
  with the fraction of ‖θ_t − θ_final‖² each explains.
- `coordinate_directions`: two chosen parameters — an exact slice, no approximation.
- `line_directions`: 1-D interpolation from θ_a to θ_b (Goodfellow et al. 2015).

Grid evaluation (`surface`) takes the plane's points to the stacked evaluator (nnviz.stacked:
many grid points per batched forward pass, layer 1 from its exact affine form on the plane;
`evaluate_stack` and `evaluate_loop` are importable from here too). Cells whose loss overflows
stay NaN/inf, are counted in `Surface.meta["nonfinite_cells"]`, and never raise.

Typical use (what the `descent_surface` experiment in nnviz/experiments/descent.py does):

    run = train(problem, opt, theta0, steps=400)
    plane = pca_directions(run.thetas)                  # through θ_final
    c, _ = plane.coordinates(run.thetas)
    s = surface(problem, plane, np.linspace(*extent(c[:, 0]), 51), np.linspace(*extent(c[:, 1]), 51))
    path = project(problem, s, run.thetas, run.steps)   # coords, off_plane, true vs plane loss
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import NNVizError, ShapeError
from .nn import MLP
from .objectives import Objective
from .params import Layout
from .problems import NetworkProblem
from .records import Projection, Surface
from .stacked import DEFAULT_BUDGET_MB, METRICS, evaluate_loop, evaluate_plane, evaluate_stack  # noqa: F401


# --- directions -------------------------------------------------------------------------
@dataclass(frozen=True)
class Directions:
    """A plane (k=2) or line (k=1) through `origin` spanned by the rows of `vectors`."""

    origin: np.ndarray   # (d,)
    vectors: np.ndarray  # (k, d)
    method: str          # "random" | "pca" | "coordinates" | "interpolation" | "analytic"
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        o = np.asarray(self.origin, dtype=float)
        v = np.asarray(self.vectors, dtype=float)
        if v.ndim == 1:
            v = v[None]
        if o.ndim != 1 or v.ndim != 2 or v.shape[1] != o.shape[0] or v.shape[0] not in (1, 2):
            raise ShapeError(f"directions must be (1 or 2, d) with origin (d,); got {v.shape} and {o.shape}")
        if not (np.all(np.isfinite(o)) and np.all(np.isfinite(v))):
            raise NNVizError("origin and directions must be finite")
        norms = np.linalg.norm(v, axis=1)
        if np.any(norms == 0):
            raise NNVizError(f"direction {int(np.argmin(norms))} is the zero vector; it spans nothing")
        if v.shape[0] == 2 and np.linalg.matrix_rank(v) < 2:
            raise NNVizError("the two directions are parallel; they span a line, not a plane")
        object.__setattr__(self, "origin", o)
        object.__setattr__(self, "vectors", v)

    @property
    def k(self) -> int:
        return self.vectors.shape[0]

    def points(self, coords: np.ndarray) -> np.ndarray:
        """θ = origin + Σ cᵢ dᵢ for coords of shape (..., k)."""
        return self.origin + np.asarray(coords, dtype=float) @ self.vectors

    def coordinates(self, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Least-squares plane coordinates of θ (..., d) and each point's distance off the plane.

        The directions need not be orthogonal (random ones rarely are exactly), so this
        solves the normal equations with the Gram matrix instead of taking dot products.
        """
        th = np.asarray(thetas, dtype=float)
        if th.shape[-1:] != self.origin.shape:
            raise ShapeError(f"θ must have shape (..., {self.origin.shape[0]}), got {th.shape}")
        delta = th - self.origin
        G = self.vectors @ self.vectors.T
        c = np.linalg.solve(G, (delta @ self.vectors.T)[..., None])[..., 0]
        resid = delta - c @ self.vectors
        return c, np.linalg.norm(resid, axis=-1)


def _blocks(layout: Layout):
    """(slice, shape, is_bias) for every parameter block; ≤1-D blocks count as biases."""
    return [(e.slice, e.shape, len(e.shape) <= 1) for e in layout.entries]


def filter_normalize(direction: np.ndarray, theta0: np.ndarray, layout: Layout, bias: str = "zero") -> np.ndarray:
    """Rescale each filter (output neuron: column of W (in, out)) of `direction` to θ₀'s norm.

    bias="zero" (Li et al. 2018's choice) zeroes bias components; "copy" uses θ₀'s bias as the
    direction; "filter" rescales each bias vector as a whole to the norm of θ₀'s bias vector.
    """
    if bias not in ("zero", "copy", "filter"):
        raise NNVizError(f"bias must be 'zero', 'copy' or 'filter', got {bias!r}")
    d = np.array(direction, dtype=float)
    layout.check(d)
    layout.check(np.asarray(theta0))
    for sl, shape, is_bias in _blocks(layout):
        if is_bias:
            if bias == "zero":
                d[sl] = 0.0
            elif bias == "copy":
                d[sl] = theta0[sl]
            else:
                n = np.linalg.norm(d[sl])
                d[sl] *= np.linalg.norm(theta0[sl]) / n if n > 0 else 0.0
            continue
        D = d[sl].reshape(shape[0], -1)          # (in, out·…): columns are filters
        T = np.asarray(theta0[sl], dtype=float).reshape(shape[0], -1)
        dn = np.linalg.norm(D, axis=0)
        scale = np.divide(np.linalg.norm(T, axis=0), dn, out=np.zeros_like(dn), where=dn > 0)
        d[sl] = (D * scale).ravel()
    for e in layout.entries:  # norm scale γ / shift β: a zero direction whatever `bias` says (Li et al. 2018)
        if e.name.startswith(("gamma", "beta")):
            d[e.slice] = 0.0
    return d


def random_directions(layout: Layout | MLP, theta0: np.ndarray, seed: int = 0, k: int = 2,
                      bias: str = "zero", normalize: bool = True) -> Directions:
    """k Gaussian directions through θ₀, filter-normalised (Li et al. 2018) unless normalize=False.

    `layout` may be a model (its `.layout` is used). Seeded: the same (seed, layout) gives
    bit-identical directions.
    """
    layout = getattr(layout, "layout", layout)
    theta0 = np.asarray(theta0, dtype=float)
    layout.check(theta0)
    rng = np.random.default_rng(seed)
    vecs = rng.standard_normal((k, layout.size))
    if normalize:
        vecs = np.stack([filter_normalize(v, theta0, layout, bias) for v in vecs])
    return Directions(theta0, vecs, "random", {"seed": seed, "filter_normalized": normalize, "bias": bias,
                                               "cosine": _cosine(vecs)})


def _cosine(v: np.ndarray) -> float:
    if v.shape[0] < 2:
        return 0.0
    n = np.linalg.norm(v, axis=1)
    return float(v[0] @ v[1] / (n[0] * n[1])) if n.all() else 0.0


def pca_directions(thetas: np.ndarray, origin: np.ndarray | None = None, k: int = 2,
                   center: bool = False) -> Directions:
    """Top-k principal directions of a trajectory's deviations θ_t − origin (origin: θ_final).

    The plane passes through the origin, so by default we take the SVD of the
    *uncentred* deviations: the least-squares best plane through θ_final, which
    minimises exactly the off-plane distances `project` reports. Li et al. (2018) ran
    scikit-learn PCA, which centres the rows first; center=True reproduces that.
    meta["explained_variance"][i] is the fraction of Σ‖row‖² along direction i. Signs are
    fixed so the first trajectory point has non-negative coordinates (deterministic).
    """
    th = np.asarray(thetas, dtype=float)
    if th.ndim != 2:
        raise ShapeError(f"a trajectory must be (T, d), got shape {th.shape}")
    if th.shape[0] < 2:
        raise NNVizError(f"PCA needs a trajectory of at least 2 recorded points, got {th.shape[0]}")
    if not np.all(np.isfinite(th)):
        raise NNVizError("trajectory contains non-finite θ (a diverged run?); cut it before PCA")
    o = th[-1] if origin is None else np.asarray(origin, dtype=float)
    if o.shape != th.shape[1:]:
        raise ShapeError(f"origin must have shape ({th.shape[1]},), got {o.shape}")
    M = th - o
    if center:
        M = M - M.mean(axis=0)
    if not np.any(M):
        raise NNVizError("the trajectory never moves from the origin; PCA has no direction")
    _, s, Vt = np.linalg.svd(M, full_matrices=False)
    total = float(np.sum(s ** 2))
    k = min(k, Vt.shape[0])
    V = Vt[:k].copy()
    first = (th[0] - o) @ V.T
    V[first < 0] *= -1
    if k < 2 or s[1] <= 1e-12 * s[0]:
        raise NNVizError("the trajectory is a straight line (rank 1): use line_directions for a 1-D cut")
    ev = (s[:k] ** 2) / total
    return Directions(o, V, "pca", {"explained_variance": [float(x) for x in ev], "center": center,
                                    "singular_values": [float(x) for x in s[:k]], "n_points": int(th.shape[0])})


def coordinate_directions(theta0: np.ndarray, i: int, j: int, absolute: bool = True) -> Directions:
    """The exact slice along parameters i and j. absolute=True puts θᵢ = x, θⱼ = y on the axes
    (the origin has those two entries zeroed); otherwise x, y are offsets from θ₀."""
    o = np.array(theta0, dtype=float)
    d = o.shape[0]
    for n in (i, j):
        if not (isinstance(n, (int, np.integer)) and 0 <= n < d):
            raise ShapeError(f"parameter index {n!r} is out of range 0..{d - 1}")
    if i == j:
        raise NNVizError("choose two different parameters")
    if absolute:
        o[[i, j]] = 0.0
    return Directions(o, np.eye(d)[[i, j]], "coordinates", {"indices": [int(i), int(j)], "absolute": absolute})


def param_index(layout: Layout, name: str, index=()) -> int:
    """Flat index of one entry of a named block, e.g. param_index(model.layout, "W1", (0, 1))."""
    e = layout.entry(name)
    return e.offset + int(np.ravel_multi_index(tuple(np.atleast_1d(index)) if e.shape else (), e.shape))


def line_directions(theta_a: np.ndarray, theta_b: np.ndarray) -> Directions:
    """The line θ(α) = θ_a + α(θ_b − θ_a): α=0 at θ_a, α=1 at θ_b."""
    a, b = np.asarray(theta_a, dtype=float), np.asarray(theta_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ShapeError(f"interpolation needs two θ of equal shape (d,), got {a.shape} and {b.shape}")
    if np.array_equal(a, b):
        raise NNVizError("the two parameter vectors are identical; there is no line between them")
    return Directions(a, (b - a)[None], "interpolation", {"distance": float(np.linalg.norm(b - a))})


# --- surfaces -----------------------------------------------------------------------------
def _problem_config(problem) -> dict:
    return problem.config() if hasattr(problem, "config") else {}


def default_extras(problem) -> tuple[str, ...]:
    """Extra grids worth recording: test loss when there is a test set, accuracies for classifiers."""
    if not isinstance(problem, NetworkProblem):
        return ()
    d = problem.data
    out = []
    if d.task != "regression":
        out.append("train_acc")
    if d.X_test is not None:
        out.append("test_loss")
        if d.task != "regression":
            out.append("test_acc")
    return tuple(out)


def surface(problem, directions: Directions, xs, ys=None, extras=None, budget_mb: float = DEFAULT_BUDGET_MB,
            dtype=None, config: dict | None = None) -> Surface:
    """The loss over the grid origin + xs[i]·d₀ + ys[j]·d₁ as a `Surface` (loss[j, i]).

    For a line (k=1) pass ys=None; the grid is then (1, len(xs)). `extras` names more grids
    (default: `default_extras(problem)`), stored in `Surface.extra`. Networks are evaluated many
    grid points per batched forward pass, with layer 1 taken from its exact affine form on the
    plane; dtype="float32" is ~2–3x faster at ~1e-7 relative error (default float64).
    """
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 1 or xs.size < 1:
        raise ShapeError(f"xs must be a non-empty 1-D array, got shape {xs.shape}")
    if directions.k == 2:
        if ys is None:
            raise ShapeError("a plane needs ys as well as xs")
        ys = np.asarray(ys, dtype=float)
        if ys.ndim != 1 or ys.size < 1:
            raise ShapeError(f"ys must be a non-empty 1-D array, got shape {ys.shape}")
        G = np.stack(np.meshgrid(xs, ys), axis=-1)          # (ny, nx, 2)
    else:
        if ys is not None and np.size(ys) != 1:
            raise ShapeError("a line (one direction) has no ys")
        ys = np.zeros(1)
        G = xs[None, :, None]                                # (1, nx, 1)
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise NNVizError("grid coordinates must be finite")
    extras = default_extras(problem) if extras is None else tuple(extras)
    metrics = ("loss",) + tuple(e for e in extras if e != "loss")
    coords = G.reshape(-1, directions.k)
    vals = evaluate_plane(problem, directions, coords, metrics, budget_mb, dtype)
    shape = G.shape[:2]
    loss = vals["loss"].reshape(shape)
    extra = {m: vals[m].reshape(shape) for m in metrics[1:]}
    bad = ~np.isfinite(loss)
    meta = {**directions.meta, "nonfinite_cells": int(bad.sum()),
            "finite_range": ([float(np.min(loss[~bad])), float(np.max(loss[~bad]))] if (~bad).any() else None),
            "dtype": str(np.dtype(dtype)) if dtype is not None else "float64"}
    cfg = {"problem": _problem_config(problem), "method": directions.method,
           "grid": {"x": [float(xs[0]), float(xs[-1]), int(xs.size)], "y": [float(ys[0]), float(ys[-1]), int(ys.size)]},
           **(config or {})}
    return Surface(config=cfg, method=directions.method, xs=xs, ys=ys, loss=loss,
                   origin=directions.origin.copy(), directions=directions.vectors.copy(), extra=extra, meta=meta)


def objective_surface(objective: Objective, n: int = 101, domain=None) -> Surface:
    """An analytic objective over its plotting domain (method "analytic"; 1-D: a (1, n) grid)."""
    dom = objective.domain if domain is None else domain
    if len(dom) != objective.dim:
        raise ShapeError(f"{objective.name} needs a domain of {objective.dim} (lo, hi) pairs")
    dirs = Directions(np.zeros(objective.dim), np.eye(objective.dim), "analytic",
                      {"formula": objective.formula, "minima": [list(m) for m in objective.minima],
                       "log_scale": objective.log_scale})
    xs = np.linspace(*dom[0], n)
    ys = np.linspace(*dom[1], n) if objective.dim == 2 else None
    return surface(objective, dirs, xs, ys, extras=(), config={"objective": objective.config()})


def extent(coords: np.ndarray, margin: float = 0.25, min_half_width: float = 1e-3) -> tuple[float, float]:
    """A (lo, hi) range covering `coords` (and 0) with a relative margin: sizes a grid to a path."""
    c = np.asarray(coords, dtype=float)
    c = c[np.isfinite(c)]
    lo, hi = min(float(c.min(initial=0.0)), 0.0), max(float(c.max(initial=0.0)), 0.0)
    pad = max((hi - lo) * margin, min_half_width)
    return lo - pad, hi + pad


def directions_of(s: Surface) -> Directions:
    """The `Directions` a surface was evaluated on (to project paths onto a loaded surface)."""
    return Directions(s.origin, s.directions, s.method, dict(s.meta))


# --- honest projection ----------------------------------------------------------------------
def _bilinear(s: Surface, coords: np.ndarray) -> np.ndarray:
    xs, ys, Z = s.xs, s.ys, s.loss
    x = coords[:, 0]
    if Z.shape[0] == 1:
        out = np.interp(x, xs, Z[0], left=np.nan, right=np.nan) if xs.size > 1 else np.full(x.shape, np.nan)
        return out
    y = coords[:, 1]
    out = np.full(x.shape, np.nan)
    inside = (x >= xs[0]) & (x <= xs[-1]) & (y >= ys[0]) & (y <= ys[-1])
    if xs.size < 2 or ys.size < 2 or not inside.any():
        return out
    i = np.clip(np.searchsorted(xs, x[inside]) - 1, 0, xs.size - 2)
    j = np.clip(np.searchsorted(ys, y[inside]) - 1, 0, ys.size - 2)
    tx = (x[inside] - xs[i]) / (xs[i + 1] - xs[i])
    ty = (y[inside] - ys[j]) / (ys[j + 1] - ys[j])
    out[inside] = ((1 - tx) * (1 - ty) * Z[j, i] + tx * (1 - ty) * Z[j, i + 1]
                   + (1 - tx) * ty * Z[j + 1, i] + tx * ty * Z[j + 1, i + 1])
    return out


def project(problem, s: Surface, thetas: np.ndarray, steps=None, budget_mb: float = DEFAULT_BUDGET_MB) -> Projection:
    """Project a trajectory (T, d) onto the plane of surface `s` and measure the disagreement."""
    th = np.asarray(thetas, dtype=float)
    if th.ndim != 2 or th.shape[1] != s.origin.shape[0]:
        raise ShapeError(f"trajectory must be (T, {s.origin.shape[0]}), got {th.shape}")
    if th.shape[0] == 0:
        raise NNVizError("empty trajectory: nothing to project")
    steps = np.arange(th.shape[0]) if steps is None else np.asarray(steps, dtype=np.int64)
    if steps.shape != (th.shape[0],):
        raise ShapeError(f"steps must be ({th.shape[0]},), got {steps.shape}")
    dirs = directions_of(s)
    with np.errstate(all="ignore"):
        c, off = dirs.coordinates(th)
        dist = np.linalg.norm(th - dirs.origin, axis=1)
        rel = np.divide(off, dist, out=np.zeros_like(off), where=dist > 0)
    true = evaluate_stack(problem, th, ("loss",), budget_mb)["loss"]
    plane = evaluate_stack(problem, dirs.points(c), ("loss",), budget_mb)["loss"]
    grid = _bilinear(s, c)
    gap = np.abs(true - plane)
    meta = {"surface_method": s.method, "max_off_plane": float(np.nanmax(off)),
            "mean_rel_off_plane": float(np.nanmean(rel)),
            "max_loss_gap": float(np.nanmax(gap)) if np.isfinite(gap).any() else None,
            "outside_grid": int(np.count_nonzero(np.isnan(grid)))}
    return Projection(steps=steps, coords=c, off_plane=off, rel_off_plane=rel, true_loss=true,
                      plane_loss=plane, grid_loss=grid, meta=meta)
