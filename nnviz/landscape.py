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

Grid evaluation (`evaluate_stack`, `surface`) stacks parameter vectors (P, d) and runs one
batched, feature-major forward pass per chunk of grid points; chunks fit a memory budget and
keep one layer's activations (~0.5–1 MB) in cache. On a plane, layer 1 is affine in θ, so
`surface` computes it from three precomputed bases instead. Both agree with a plain per-point
loop to ~1e-15 (tests) and are timed against it in bench/bench_landscape.py. Cells whose loss
overflows stay NaN/inf, are counted in `Surface.meta["nonfinite_cells"]`, and never raise.

Typical use (what nnviz/experiments/landscapes.py does):

    run = train(problem, opt, theta0, steps=400)
    plane = pca_directions(run.thetas)                  # through θ_final
    c, _ = plane.coordinates(run.thetas)
    s = surface(problem, plane, np.linspace(*extent(c[:, 0]), 51), np.linspace(*extent(c[:, 1]), 51))
    path = project(problem, s, run.thetas, run.steps)   # coords, off_plane, true vs plane loss
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import NNVizError, ShapeError, lookup
from .nn import MLP
from .objectives import Objective, ObjectiveProblem
from .params import Layout
from .problems import NetworkProblem
from .records import Projection, Surface

DEFAULT_BUDGET_MB = 64.0


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


# --- stacked evaluation -------------------------------------------------------------------
def _weight_stacks(model: MLP, thetas: np.ndarray, skip_first: bool = False) -> list:
    """[Wᵢᵀ | bᵢ] (P, out, in+1) for every layer and all P points, built once per stack (not per
    chunk). Layer 1 of a net with hidden layers gets a spare row [0 … 0 1]: its product with
    [X; 1] is exactly the ones row the next layer's bias needs. skip_first: the plane path
    computes layer 1 from bases and needs no layer-1 weights (None in their place)."""
    P, dt, lay, L_ = thetas.shape[0], thetas.dtype, model.layout, model.n_layers
    out = []
    for i in range(1, L_ + 1):
        if i == 1 and skip_first:
            out.append(None)
            continue
        eW, eb = lay.entry(f"W{i}"), lay.entry(f"b{i}")
        n_in, n_out = eW.shape
        spare = i == 1 and L_ > 1
        Wb = np.empty((P, n_out + spare, n_in + 1), dtype=dt)
        Wb[:, :n_out, :n_in] = thetas[:, eW.slice].reshape(P, n_in, n_out).transpose(0, 2, 1)
        Wb[:, :n_out, n_in] = thetas[:, eb.slice]
        if spare:
            Wb[:, n_out] = 0.0
            Wb[:, n_out, n_in] = 1.0
        out.append(Wb)
    return out


def _forward_stack(model: MLP, thetas: np.ndarray, Xa: np.ndarray, want_output: bool, first=None, ws=None,
                   Wbs=None):
    """Logits (and outputs) for P parameter vectors at once, feature-major: (P, c, m).

    Xa is [Xᵀ; 1] (in+1, m). Layer 1 for all P points is ONE large matrix product
    [W₁⁽ᵖ⁾ᵀ | b₁⁽ᵖ⁾] (P·out, in+1) @ Xa; later layers are batched products
    [Wᵀ | b] (P, out, in+1) @ [A; 1] (P, in+1, m) with the long data axis m last, where
    BLAS is efficient. Biases ride along as a row of ones (no separate pass over the
    activations) and activations run in place, to keep the working set small.

    first = (C, Zs): points on a plane, θ = o + Σ cⱼdⱼ. Layer 1's pre-activation is affine in θ,
    so Z₁(c) = Z(o) + Σ cⱼ Z(dⱼ) exactly: one (P, k+1) @ (k+1, rows·m) product replaces the
    (P·rows, in+1) @ (in+1, m) one — (in+1)/(k+1) times less arithmetic (22x for digits).

    ws: a dict of work buffers reused across chunks (`evaluate_stack` passes one per call). Hidden
    layers write their products straight into rows [:out] of a (P, out+1, m) buffer whose last
    row holds the ones once and for all: no spare product row (17 rows where BLAS tiles by 16),
    no per-chunk allocation, no rewriting of the ones. The logits z may live in `ws`: callers
    may overwrite them, but must consume them before the next chunk. Wbs: this chunk's rows of
    `_weight_stacks` (built here when not given).
    """
    P = thetas.shape[0]
    ws = {} if ws is None else ws
    if Wbs is None:
        Wbs = _weight_stacks(model, thetas, skip_first=first is not None)
    key = (id(Xa), P, thetas.dtype.char)
    plan = ws.get(key)
    if plan is None:
        plan = ws[key] = _plan(model, P, Xa.shape[1], thetas.dtype)
    a = Xa
    for i, (z, out, hidden) in enumerate(plan):
        if i == 0:  # writes all rows: the ones row comes out of the product (bases / spare row)
            if first is not None:
                np.matmul(first[0], first[1], out=out[0])
            else:
                np.matmul(Wbs[0].reshape(out[1].shape[0], -1), a, out=out[1])
        else:
            np.matmul(Wbs[i], a, out=out)
        if hidden is not None:
            act = _INPLACE.get(model.hidden)
            if act is not None:
                act(hidden)             # in place, skipping the ones row
                a = z
            else:
                a = model.activation(i + 1).f(z)
                a[:, -1, :] = 1.0
    a = None
    if want_output:  # softmax normalises over classes: apply it on the (P, m, c) view
        a = model.activation(model.n_layers).f(z.transpose(0, 2, 1)).transpose(0, 2, 1)
    return z, a


def _plan(model: MLP, P: int, m: int, dt) -> list:
    """Per layer: its (P, rows, m) buffer, the view its product is written to, and the view its
    activation runs on (None for the output layer); built once per chunk shape, so a chunk makes
    no allocations and no new views. Hidden buffers hold their ones row from the start."""
    plan, L_ = [], model.n_layers
    for i in range(1, L_ + 1):
        n_out = model.sizes[i]
        last = i == L_
        rows = n_out if last else n_out + 1  # hidden layers get a spare row for the next bias
        z = np.empty((P, rows, m), dtype=dt)
        if not last:
            z[:, n_out, :] = 1.0
        if i == 1:   # layer 1: one flat product (plane: (P, rows·m); stack: (P·rows, m))
            out = (z.reshape(P, rows * m), z.reshape(P * rows, m))
        else:
            out = z[:, :n_out, :]
        plan.append((z, out, None if last else z[:, :n_out, :]))
    return plan


def _sigmoid_inplace(z):
    """σ(z) = ½(1 + tanh(z/2)): the same function, overflow-free, in place and SIMD-fast."""
    z *= 0.5
    np.tanh(z, out=z)
    z += 1.0
    z *= 0.5
    return z


# hidden activations computed in place (no temporaries); others fall back to Activation.f
_INPLACE = {"tanh": lambda z: np.tanh(z, out=z), "relu": lambda z: np.maximum(z, 0.0, out=z),
            "identity": lambda z: z, "sigmoid": _sigmoid_inplace}


def _penalty_stack(model: MLP, thetas: np.ndarray) -> np.ndarray:
    out = np.zeros(thetas.shape[0], dtype=thetas.dtype)
    if model.l1 or model.l2:
        for i in range(1, model.n_layers + 1):
            W = model.layout.view(thetas, f"W{i}").reshape(thetas.shape[0], -1)
            out += model.l2 * np.sum(W * W, axis=1) + model.l1 * np.sum(np.abs(W), axis=1)
    return out


def _accuracy_stack(model: MLP, out: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Mirror of MLP.accuracy for feature-major (P, c, m) outputs."""
    if out.shape[1] > 1:
        return np.mean(out.argmax(1) == Y.argmax(1), axis=-1)
    thr = 0.0 if model.output in ("tanh", "identity") and np.min(Y) < 0 else 0.5
    return np.mean((out[:, 0, :] >= thr) == (Y[:, 0] >= thr), axis=-1)


def _mse_fm(z, a, YT):
    d = a - YT
    d *= d
    return d.reshape(d.shape[0], -1).mean(axis=1)


def _bce_fm(z, a, YT):
    """mean over examples and outputs of softplus(z) − y·z (as losses.bce), feature-major."""
    P, c, m = z.shape
    t = np.abs(z)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    t += np.maximum(z, 0.0)
    return (t.reshape(P, -1).sum(axis=1) - z.reshape(P, -1) @ YT.ravel()) / (c * m)


def _cce_fm(z, a, YT):
    """mean over examples of logsumexp(z) − Σ_c y_c z_c (as losses.cce), classes on axis 1."""
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


# losses on feature-major (P, c, m) logits; each must equal nnviz.losses' mean (tested)
_STACK_LOSSES = {"mse": _mse_fm, "bce": _bce_fm, "cce": _cce_fm}


def _network_prepare(problem: NetworkProblem, thetas: np.ndarray, metrics, plane: bool):
    """Per-stack work done once rather than per chunk: weight stacks, the penalty, and per data
    split the augmented data and the metrics wanted from it."""
    model, d = problem.model, problem.data
    pen = _penalty_stack(model, thetas) if any(m.endswith("loss") for m in metrics) else None
    tasks = []
    for split, X, Y in (("train", d.X, d.Y), ("test", d.X_test, d.Y_test)):
        want = tuple(m for m in metrics if m in (("loss", "train_loss", "train_acc") if split == "train"
                                                 else ("test_loss", "test_acc")))
        if not want:
            continue
        if X is None:
            tasks.append((split, None, None, None, want, False))
            continue
        need_out = model.loss == "mse" or any(m.endswith("acc") for m in want)
        tasks.append((split, _augmented(X, thetas.dtype), _augmented(Y, thetas.dtype)[:-1], Y, want, need_out))
    return _weight_stacks(model, thetas, skip_first=plane), pen, tasks


def _network_metrics(problem: NetworkProblem, thetas: np.ndarray, metrics: tuple[str, ...],
                     first=None, ws=None, pre=None) -> dict:
    """pre: this chunk's rows of `_network_prepare` (computed here when not given)."""
    model, d = problem.model, problem.data
    res = {}
    if pre is None:
        pre = _network_prepare(problem, thetas, metrics, first is not None)
    Wbs, pen, tasks = pre
    loss_fn = _STACK_LOSSES[model.loss]
    for split, Xa, YT, Y, want, need_out in tasks:
        if Xa is None:
            for m in want:
                res[m] = np.full(thetas.shape[0], np.nan)
            continue
        z, a = _forward_stack(model, thetas, Xa, need_out,
                              None if first is None else (first[0], first[1][split]), ws, Wbs)
        for m in want:
            if m.endswith("acc"):
                res[m] = (_accuracy_stack(model, a, Y) if d.task != "regression"
                          else np.full(thetas.shape[0], np.nan))
            else:
                loss = loss_fn(z, a, YT)
                res[m] = loss if pen is None else loss + pen
    return res


_AUG: dict = {}


def _augmented(X: np.ndarray, dtype) -> np.ndarray:
    """[Xᵀ; 1] in `dtype`, memoised per data array (it is reused by every chunk); also Yᵀ."""
    key = (id(X), np.dtype(dtype).str)
    hit = _AUG.get(key)
    if hit is not None and hit[0] is X:
        return hit[1]
    Xa = np.empty((X.shape[1] + 1, X.shape[0]), dtype=dtype)
    Xa[:-1] = X.T
    Xa[-1] = 1.0
    if len(_AUG) > 8:
        _AUG.clear()
    _AUG[key] = (X, Xa)
    return Xa


def _objective_metrics(problem, thetas, metrics, first=None, ws=None, pre=None):
    obj = problem.objective if isinstance(problem, ObjectiveProblem) else problem
    v = obj.value(thetas)
    return {m: (v if m in ("loss", "train_loss") else np.full(thetas.shape[0], np.nan)) for m in metrics}


_STACK_EVALUATORS = {NetworkProblem: _network_metrics, ObjectiveProblem: _objective_metrics,
                     Objective: _objective_metrics}
METRICS = ("loss", "train_loss", "test_loss", "train_acc", "test_acc")


CACHE_MB = 0.5  # target size of one layer's activations per chunk: stays in a core's L2 cache
MIN_CHUNK = 5   # but never fewer points: each chunk costs ≈ 25 µs of fixed NumPy-call overhead


def _chunk_points(problem, dtype, budget_mb: float) -> int:
    """Grid points per batched forward pass: within the memory budget, and small enough that one
    layer's activations (P·(width+1)·m numbers) stay cache-resident between the passes over them
    (measured in bench/bench_landscape.py: 0.5 MB (7 points) is best for the moons net, 1 MB for
    digits, whose 178 KB per point would give 2-point chunks at 0.5 MB — hence ≥ MIN_CHUNK points;
    0.25 MB pays too much per-chunk overhead, 16 MB chunks ran 1.3–2x slower)."""
    item = np.dtype(dtype).itemsize
    if isinstance(problem, NetworkProblem):
        m = max(problem.data.n, 0 if problem.data.X_test is None else problem.data.X_test.shape[0])
        layer = item * m * (max(problem.model.sizes[1:]) + 1)
        # z, a, the next layer's product, loss temporaries, plus the parameter vector and its
        # weight stacks ([Wᵀ | b] per layer, built once per stack: about one more θ)
        per_point = 4 * layer + 2 * item * problem.dim
        return max(1, min(int(budget_mb * 2 ** 20 // per_point), max(MIN_CHUNK, int(CACHE_MB * 2 ** 20 // layer))))
    return max(1, int(budget_mb * 2 ** 20 // (8 * 4 * max(getattr(problem, "dim", 2), 1))))


def evaluate_stack(problem, thetas: np.ndarray, metrics=("loss",), budget_mb: float = DEFAULT_BUDGET_MB,
                   dtype=None, _first=None) -> dict[str, np.ndarray]:
    """Metrics for a stack of parameter vectors (P, d), vectorised and chunked to `budget_mb`.

    metrics ⊂ {"loss", "train_loss", "test_loss", "train_acc", "test_acc"} ("loss" is the
    full-training-set objective the trainer minimises, regularisation included). Overflowing
    points come back NaN/inf; nothing raises on them. dtype="float32" trades ~1e-6 relative
    accuracy for speed (float32 transcendental functions are SIMD-vectorised in NumPy).
    `_first` is internal: the plane path of `surface` (see `_forward_stack`).
    """
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise NNVizError(f"unknown metric(s) {unknown}; valid: {', '.join(METRICS)}")
    if isinstance(problem, NetworkProblem) and problem.model.norm is not None:
        return _normalised_metrics(problem, np.asarray(thetas), tuple(metrics))
    fn = lookup({t.__name__: f for t, f in _STACK_EVALUATORS.items()}, type(problem).__name__, "problem type")
    th = np.asarray(thetas)
    dim = problem.dim if hasattr(problem, "dim") else None
    if th.ndim != 2 or (dim is not None and th.shape[1] != dim):
        raise ShapeError(f"θ stack must be (P, {dim}), got {th.shape}")
    dt = np.dtype(dtype) if dtype is not None else np.result_type(th.dtype, np.float64)
    th = th.astype(dt, copy=False)
    P = th.shape[0]
    chunk = _chunk_points(problem, dt, budget_mb)
    out = {m: np.empty(P, dtype=float) for m in metrics}
    ws: dict = {}  # work buffers shared by the chunks of this call (see `_forward_stack`)
    prep = (_network_prepare(problem, th, metrics, _first is not None)
            if isinstance(problem, NetworkProblem) else None)
    with np.errstate(all="ignore"):
        for s in range(0, P, chunk):
            first = None if _first is None else (_first[0][s:s + chunk], _first[1])
            pre = None if prep is None else ([None if W is None else W[s:s + chunk] for W in prep[0]],
                                             None if prep[1] is None else prep[1][s:s + chunk], prep[2])
            part = fn(problem, th[s:s + chunk], tuple(metrics), first, ws, pre)
            for m in metrics:
                out[m][s:s + chunk] = part[m]
    return out


def _normalised_metrics(problem, thetas: np.ndarray, metrics: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Networks with norm layers: one ordinary forward pass per point (the stacked evaluator has no
    γ, β). Layer norm only — a batch-norm network's evaluation loss uses running statistics that
    depend on the path taken, so it is not a function of θ and has no landscape over θ."""
    if problem.model.norm == "batch":
        raise NNVizError("no loss landscape for a batch-norm network: its evaluation uses running statistics "
                         "that depend on the training path, not on θ alone (use norm='layer' or None)")
    th = np.asarray(thetas, dtype=float)
    if th.ndim != 2 or th.shape[1] != problem.dim:
        raise ShapeError(f"θ stack must be (P, {problem.dim}), got {th.shape}")
    out = {m: np.empty(th.shape[0]) for m in metrics}
    with np.errstate(all="ignore"):
        for i, t in enumerate(th):
            ev = problem.evaluate(t)
            ev["loss"] = ev["train_loss"]
            for m in metrics:
                out[m][i] = ev[m]
    return out


def evaluate_loop(problem, thetas: np.ndarray) -> np.ndarray:
    """Reference: the training loss at each θ, one ordinary forward pass per point."""
    th = np.asarray(thetas, dtype=float)
    with np.errstate(all="ignore"):
        if isinstance(problem, NetworkProblem):
            return np.array([problem.model.loss_value(t, problem.data.X, problem.data.Y) for t in th])
        obj = problem.objective if isinstance(problem, ObjectiveProblem) else problem
        return np.array([float(obj.value(t)) for t in th])


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
    vals = _evaluate_coords(problem, directions, coords, metrics, budget_mb, dtype)
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


def _layer1_bases(problem: NetworkProblem, directions: Directions, dtype) -> dict:
    """Per data split, layer 1's pre-activations (feature-major, with the next layer's bias row)
    at the origin and along each direction: the rows of Zs in `_forward_stack`'s plane path."""
    model, d = problem.model, problem.data
    lay = model.layout
    rows_extra = 0 if model.n_layers == 1 else 1
    vecs = np.vstack([directions.origin, directions.vectors])            # (k+1, d)
    W = lay.view(vecs, "W1")                                              # (k+1, in, out)
    b = lay.view(vecs, "b1")
    out = {}
    for split, X in (("train", d.X), ("test", d.X_test)):
        if X is None:
            continue
        Z = np.einsum("kio,mi->kom", W, X) + b[:, :, None]                 # (k+1, out, m), float64
        if rows_extra:
            ones = np.zeros((Z.shape[0], 1, Z.shape[2]))
            ones[0] = 1.0                                                 # Σ c·row = 1 since c₀ = 1
            Z = np.concatenate([Z, ones], axis=1)
        out[split] = np.ascontiguousarray(Z.reshape(Z.shape[0], -1), dtype=dtype)
    return out


def _evaluate_coords(problem, directions, coords, metrics, budget_mb, dtype):
    """Build θ stacks chunk by chunk (a 2601×d stack of a big net need not exist at once).

    Networks take the plane path: layer 1 from precomputed bases (see `_forward_stack`).
    θ = [1, c] @ [origin; directions] is one product per block of a few hundred points, written
    once in the evaluation dtype: origin + c @ directions over the whole grid made two passes
    through freshly faulted-in memory and cost ≈ 6 % of a float32 surface (bench_landscape)."""
    d = directions.origin.shape[0]
    per = max(1, int(budget_mb * 2 ** 20 // (8 * 4 * d)))
    dt = np.dtype(dtype) if dtype is not None else np.dtype(np.float64)
    if isinstance(problem, NetworkProblem):  # blocks of whole chunks: no ragged chunk per block
        chunk = _chunk_points(problem, dt, budget_mb)
        per = min(per, chunk * max(1, _BLOCK_POINTS // chunk))
    out = {m: np.empty(coords.shape[0]) for m in metrics}
    bases = _layer1_bases(problem, directions, dt) if isinstance(problem, NetworkProblem) else None
    OV = np.vstack([directions.origin, directions.vectors])               # (k+1, d)
    for s in range(0, coords.shape[0], per):
        c = coords[s:s + per]
        C = np.empty((len(c), c.shape[1] + 1))
        C[:, 0] = 1.0
        C[:, 1:] = c
        th = (C @ OV).astype(dt, copy=False)
        first = None if bases is None else (C.astype(dt), bases)
        part = evaluate_stack(problem, th, metrics, budget_mb, dtype, _first=first)
        for m in metrics:
            out[m][s:s + per] = part[m]
    return out


_BLOCK_POINTS = 512  # grid points per θ block in `_evaluate_coords` (≈ 1.4 MB of float64 θ for d = 337)


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
