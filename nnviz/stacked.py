"""Stacked evaluation: training metrics for many parameter vectors at once, fast.

`evaluate_stack(problem, thetas (P, d), metrics)` returns the loss (and test loss, accuracies)
at each of P parameter vectors. Networks are evaluated by one batched, feature-major forward
pass per chunk of points; chunks fit a memory budget and keep one layer's activations
(~0.5–1 MB) in cache. `evaluate_plane` evaluates points θ = origin + c·vectors of a plane or
line: there layer 1 is affine in θ, so it comes from three precomputed bases instead. Both
agree with a plain per-point loop (`evaluate_loop`) to ~1e-15 (tests) and are timed against it
in bench/bench_landscape.py. Points whose loss overflows come back NaN/inf; nothing raises.

The activations and losses are nnviz.activations' and nnviz.losses' own, in the forms this
layout needs: `Activation.inplace` (computed in place) and `Loss.stacked` (feature-major).
Plane geometry, surfaces and projections are nnviz.landscape's.
"""
from __future__ import annotations

import numpy as np

from . import activations as A
from . import losses as L
from .errors import NNVizError, ShapeError, lookup
from .nn import MLP
from .objectives import Objective, ObjectiveProblem
from .problems import NetworkProblem

DEFAULT_BUDGET_MB = 64.0


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
    inplace = A.get(model.hidden).inplace
    for i, (z, out, hidden) in enumerate(plan):
        if i == 0:  # writes all rows: the ones row comes out of the product (bases / spare row)
            if first is not None:
                np.matmul(first[0], first[1], out=out[0])
            else:
                np.matmul(Wbs[0].reshape(out[1].shape[0], -1), a, out=out[1])
        else:
            np.matmul(Wbs[i], a, out=out)
        if hidden is not None:
            if inplace is not None:
                inplace(hidden)         # in place, skipping the ones row
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
    loss_fn = L.get(model.loss).stacked
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



def _layer1_bases(problem: NetworkProblem, directions, dtype) -> dict:
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


def evaluate_plane(problem, directions, coords, metrics=("loss",), budget_mb: float = DEFAULT_BUDGET_MB,
                   dtype=None) -> dict[str, np.ndarray]:
    """Metrics at the points θ = origin + Σ cⱼ·vectorsⱼ for coords (P, k) of a plane or line
    (`directions`: anything with `origin` (d,) and `vectors` (k, d), e.g. landscape.Directions).

    θ stacks are built chunk by chunk (a 2601×d stack of a big net need not exist at once).
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
