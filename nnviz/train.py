"""The one training loop: full-batch, stochastic (b=1) and mini-batch (b) descent.

It records a `Run` and never raises on divergence: a run whose loss, gradient or
parameters blow up stops cleanly with `diverged_at` set, because diverging learning
rates are something we animate, not an error. Bad *input* (shapes, batch sizes,
NaN θ0) is still one clear error, raised before any work is done.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .errors import DataError, NNVizError, ShapeError
from .optim import Optimizer
from .records import Run

EVAL_KEYS = ("train_loss", "test_loss", "train_acc", "test_acc")


@dataclass(frozen=True)
class Recording:
    """What to keep. θ (and optimizer state / gradients) only every `every` steps.

    every=None picks the smallest k that keeps at most `max_values` stored numbers
    (θ plus recorded gradients and state): k = 1 for every toolkit-sized 2-D demo,
    while a 10,000-step run of a 10k-parameter net keeps ~1,000 snapshots, not
    10,000. Pass every=1 to ask for every θ regardless.
    """

    every: int | None = None
    eval_every: int | None = None  # in steps; None = once per epoch
    state: bool = False
    grads: bool = False
    dtype: str = "float64"  # storage dtype; "float32" halves memory (training stays float64)
    max_values: int = 10_000_000  # budget for every=None: 80 MB of float64


def steps_per_epoch(n: int, batch_size: int | None) -> int:
    return 1 if batch_size is None else math.ceil(n / batch_size)


def _batches(n: int, batch_size: int | None, rng: np.random.Generator):
    """Yield index arrays for one epoch: a fresh permutation, last batch partial."""
    if batch_size is None:
        yield None
        return
    perm = rng.permutation(n)
    for s in range(0, n, batch_size):
        yield perm[s:s + batch_size]


def _count(value, what: str, allow_none: bool = True) -> int | None:
    """A positive integer (or None), else one clear error."""
    if value is None and allow_none:
        return None
    try:
        ok = int(value) == value and int(value) >= 1 and not isinstance(value, bool)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise NNVizError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _record_every(record: Recording, total: int, row: int) -> int:
    if record.every is not None:
        return _count(record.every, "record.every")
    rows = max(1, record.max_values // max(1, row))
    return max(1, math.ceil(total / rows))


progress_hook = None   # callable(run name, epochs done, epochs in all), called after each epoch


def train(problem, optimizer: Optimizer, theta0: np.ndarray, *, epochs: int | None = None,
          steps: int | None = None, batch_size: int | None = None, seed: int = 0,
          record: Recording = Recording(), divergence_factor: float = 1e6,
          divergence_bound: float | None = None, name: str = "", clock=time.perf_counter) -> Run:
    """Minimise `problem` from θ0; stop after `epochs` or `steps` (whichever is given; both: min).

    batch_size None (or n) = full batch. One seeded rng drives the per-epoch reshuffle,
    dropout masks and any gradient noise, so the same seed gives a bit-identical Run.
    Divergence: a non-finite loss, gradient or θ, or a loss above
    max(divergence_bound, divergence_factor · |initial loss|).
    `clock` times `epoch_time` and `wall_time` (wall seconds; `time.process_time` counts this
    process's CPU seconds instead, which other programs on a busy machine do not inflate).
    """
    # ---- validate everything before any work --------------------------------------------
    if isinstance(optimizer, str):
        from .optim import make

        optimizer = make(optimizer)  # a name with default hyperparameters
    if not isinstance(optimizer, Optimizer):
        raise NNVizError(f"optimizer must be an nnviz Optimizer or a name, got {type(optimizer).__name__}")
    theta = np.array(theta0, dtype=np.float64)
    if theta.ndim != 1 or theta.shape[0] != problem.dim:
        raise ShapeError(f"θ0 must have shape ({problem.dim},), got {np.shape(theta0)}")
    if not np.all(np.isfinite(theta)):
        raise DataError("θ0 contains NaN or infinite values")
    n = problem.n
    if batch_size is not None:
        try:
            ok = int(batch_size) == batch_size and not isinstance(batch_size, bool)
        except (TypeError, ValueError):
            ok = False
        if not ok or not 1 <= int(batch_size) <= n:
            raise DataError(f"batch size must be an integer in 1..{n} (the training set size), "
                            f"or None for full batch; got {batch_size!r}")
        batch_size = int(batch_size)
        if batch_size == n:
            batch_size = None
    if epochs is None and steps is None:
        raise NNVizError("give epochs or steps")
    epochs, steps = _count(epochs, "epochs"), _count(steps, "steps")
    eval_every_in = _count(record.eval_every, "record.eval_every")
    try:
        dt = np.dtype(record.dtype)
    except TypeError:
        dt = None
    if dt is None or dt.kind != "f":
        raise NNVizError(f"record.dtype must be 'float64' or 'float32', got {record.dtype!r}")
    spe = steps_per_epoch(n, batch_size)
    total = min(x for x in (steps, None if epochs is None else epochs * spe) if x is not None)
    eval_every = eval_every_in or spe
    d = theta.shape[0]

    rng = np.random.default_rng(seed)
    if hasattr(problem, "reset_buffers"):
        problem.reset_buffers()  # batch-norm running statistics restart with every run
    buf_names = list(problem.buffers()) if hasattr(problem, "buffers") else []
    state = optimizer.init(theta)
    slot_names = list(state.slots) if record.state else []
    every = _record_every(record, total, d * (1 + record.grads + len(slot_names)))

    # ---- preallocated storage: memory is bounded by `every`, not by the run length --------
    K = total // every + 2
    rec_steps = np.zeros(K, np.int64)
    thetas = np.zeros((K, d), dt)
    grads_rec = np.zeros((K, d), dt) if record.grads else None
    state_rec = {nm: np.zeros((K, d), dt) for nm in slot_names}
    buf_rec = {nm: np.zeros((K,) + v.shape, dt) for nm, v in problem.buffers().items()} if buf_names else {}
    loss = np.zeros(total)
    gnorm = np.zeros(total)
    lrs = np.zeros(total)
    ev_steps: list[int] = []
    ev: dict[str, list[float]] = {key: [] for key in EVAL_KEYS}
    epoch_time: list[float] = []

    lr_sched = optimizer.hyper.get("lr")
    k = 0
    diverged_at, reason = -1, ""
    bound = None
    eval_seconds = 0.0

    def keep(t, th, g):
        """Store θ_t, the gradient taken at θ_t, and the optimizer state before update t."""
        nonlocal k
        rec_steps[k] = t
        thetas[k] = th
        if grads_rec is not None:
            grads_rec[k] = g if g is not None and np.all(np.isfinite(g)) else 0.0
        for nm in slot_names:
            state_rec[nm][k] = state.slots[nm]
        if buf_rec:
            for nm, v in problem.buffers().items():
                buf_rec[nm][k] = v
        k += 1

    def evaluate(t, th) -> bool:
        """Full train/test metrics at θ_t; False (nothing stored) when the loss is non-finite.

        The divergence *bound* applies to the batch loss only, so a finite evaluation
        past the bound is still stored; the next step then reports the divergence."""
        nonlocal eval_seconds
        t0 = clock()
        out = problem.evaluate(th)
        eval_seconds += clock() - t0
        if not np.isfinite(out["train_loss"]):
            return False
        ev_steps.append(t)
        for key in EVAL_KEYS:
            ev[key].append(float(out.get(key, np.nan)))
        return True

    t = n_loss = 0
    g = None
    t_start = clock()
    # overflow on the way to divergence is expected; it is detected and recorded below
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        if not evaluate(0, theta):
            diverged_at, reason = 0, "initial loss is not finite"
        while t < total and diverged_at < 0:
            t_epoch, eval_before = clock(), eval_seconds
            for idx in _batches(n, batch_size, rng):
                value, g = problem.batch_loss_grad(theta, idx, rng)
                value = float(value)
                if bound is None:
                    bound = (max(divergence_bound or 0.0, divergence_factor * max(abs(value), 1e-12))
                             if np.isfinite(value) else np.inf)
                gn = math.sqrt(g @ g)  # finite iff every entry is (and |g|² does not overflow)
                if not np.isfinite(value):
                    reason = "loss is not finite"
                elif value > bound:
                    reason = f"loss {value:.3g} exceeds the bound {bound:.3g}"
                elif not np.isfinite(gn):
                    reason = "gradient is not finite"
                if reason:
                    diverged_at = t
                    break
                # metrics of θ_t, taken right after its batch gradient: at full batch the
                # problem can reuse that forward pass instead of computing another one
                if t % eval_every == 0 and t > 0 and not evaluate(t, theta):
                    diverged_at, reason = t, "loss is not finite (full evaluation)"
                    break
                if t % every == 0:
                    keep(t, theta, g)
                loss[t] = value
                gnorm[t] = gn
                lrs[t] = lr_sched(state.count) if lr_sched is not None else np.nan
                upd, new_state = optimizer.update(g, state, theta)
                new = theta + upd
                n_loss = t + 1
                if not math.isfinite(new @ new):  # one dot product checks every entry
                    reason = "parameters are not finite (or |θ|² overflows)"
                elif slot_names and not all(np.all(np.isfinite(new_state.slots[nm])) for nm in slot_names):
                    reason = "optimizer state is not finite"
                if reason:
                    diverged_at = t + 1  # θ_{t+1} is the first bad one; θ_t stays the last kept
                    break
                t += 1
                theta, state = new, new_state
                if t >= total:
                    break
            epoch_time.append(clock() - t_epoch - (eval_seconds - eval_before))
            if progress_hook is not None:    # `nnviz train`'s progress line; None in library use
                progress_hook(name, len(epoch_time), -(-total // spe))
        wall = clock() - t_start

        if k == 0 or rec_steps[k - 1] != t:
            # the last θ, always kept. Its gradient: the full-batch one for a finished run,
            # the batch one that signalled divergence otherwise (zero if non-finite).
            if record.grads and diverged_at < 0:
                saved = problem.buffers() if buf_names else None
                g = problem.batch_loss_grad(theta, None, rng)[1]
                if saved is not None:  # a gradient to record is not a training batch
                    problem.set_buffers(saved)
            keep(t, theta, g if record.grads else None)
        if diverged_at < 0 and ev_steps[-1] != t:
            evaluate(t, theta)

    def trim(a: np.ndarray, rows: int) -> np.ndarray:
        # a view when the buffer is (nearly) full, so the result never needs 2× memory
        return a[:rows] if rows >= len(a) - 2 else a[:rows].copy()

    config = {"name": name, "problem": problem.config(), "optimizer": optimizer.config(),
              "batch_size": batch_size, "epochs": epochs, "steps": steps, "seed": seed,
              "record": {"every": every, "eval_every": eval_every, "state": record.state,
                         "grads": record.grads, "dtype": dt.name},
              "steps_per_epoch": spe, "divergence_bound": float(bound if bound is not None else np.inf)}
    return Run(
        config=config, layout=problem.model.layout.to_json() if hasattr(problem, "model") else [],
        steps=rec_steps[:k].copy(), thetas=trim(thetas, k),
        loss=loss[:n_loss].copy(), grad_norm=gnorm[:n_loss].copy(), lr=lrs[:n_loss].copy(),
        eval_steps=np.asarray(ev_steps, np.int64), epoch_time=np.asarray(epoch_time, dtype=float),
        grads={"grad": trim(grads_rec, k)} if grads_rec is not None else {},
        state={nm: trim(v, k) for nm, v in state_rec.items()},
        buffers={nm: trim(v, k) for nm, v in buf_rec.items()},
        diverged_at=int(diverged_at), wall_time=float(wall),
        meta={"diverged_reason": reason} if diverged_at >= 0 else {},
        **{key: np.asarray(v, dtype=float) for key, v in ev.items()},
    )
