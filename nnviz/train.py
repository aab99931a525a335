"""The one training loop: full-batch, stochastic (b=1) and mini-batch (b) descent.

It records a `Run` and never raises on divergence: a run whose loss or parameters
blow up stops cleanly with `diverged_at` set, because diverging learning rates are
something we animate, not an error.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .errors import DataError, NNVizError, ShapeError
from .optim import Optimizer
from .records import Run


@dataclass(frozen=True)
class Recording:
    """What to keep. θ (and optimizer state/gradients) only every `every` steps."""

    every: int = 1
    eval_every: int | None = None  # in steps; None = once per epoch
    state: bool = False
    grads: bool = False
    dtype: str = "float64"  # or "float32" to halve memory of long runs


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


def train(problem, optimizer: Optimizer, theta0: np.ndarray, *, epochs: int | None = None,
          steps: int | None = None, batch_size: int | None = None, seed: int = 0,
          record: Recording = Recording(), divergence_factor: float = 1e6,
          divergence_bound: float | None = None, name: str = "") -> Run:
    """Minimise `problem` from θ0; stop after `epochs` or `steps` (whichever is given; both: min).

    batch_size None = full batch. divergence: a non-finite loss or θ, or a loss above
    max(divergence_bound, divergence_factor · |initial loss|).
    """
    theta = np.array(theta0, dtype=record.dtype)
    if theta.ndim != 1 or theta.shape[0] != problem.dim:
        raise ShapeError(f"θ0 must have shape ({problem.dim},), got {np.shape(theta0)}")
    if not np.all(np.isfinite(theta)):
        raise DataError("θ0 contains NaN or infinite values")
    n = problem.n
    if batch_size is not None:
        if int(batch_size) != batch_size or batch_size < 1 or batch_size > n:
            raise DataError(f"batch size must be an integer in 1..{n} (or None for full batch), got {batch_size}")
        batch_size = int(batch_size)
        if batch_size == n:
            batch_size = None
    if epochs is None and steps is None:
        raise NNVizError("give epochs or steps")
    spe = steps_per_epoch(n, batch_size)
    total = min(x for x in (steps, None if epochs is None else epochs * spe) if x is not None)
    if total < 1:
        raise NNVizError("a run needs at least one step")
    if record.every < 1:
        raise NNVizError("record.every must be ≥ 1")
    eval_every = record.eval_every or spe
    dt = np.dtype(record.dtype)
    d = theta.shape[0]

    K = total // record.every + 2
    rec_steps = np.zeros(K, np.int64)
    thetas = np.zeros((K, d), dt)
    grads_rec = np.zeros((K, d), dt) if record.grads else None
    state_rec: dict[str, np.ndarray] = {}
    loss = np.zeros(total)
    gnorm = np.zeros(total)
    lrs = np.zeros(total)
    ev_steps, ev = [], {"train_loss": [], "test_loss": [], "train_acc": [], "test_acc": []}
    epoch_time = []

    rng = np.random.default_rng(seed)
    state = optimizer.init(theta)
    lr_sched = optimizer.hyper.get("lr")
    k = 0
    diverged_at = -1
    bound = None

    def keep(t, th, g):
        """Store θ_t, the gradient taken at θ_t, and the optimizer state before update t."""
        nonlocal k
        rec_steps[k] = t
        thetas[k] = th
        if grads_rec is not None:
            grads_rec[k] = g
        if record.state:
            for nm, v in state.slots.items():
                state_rec.setdefault(nm, np.zeros((K, d), dt))[k] = v
        k += 1

    def evaluate(t, th):
        ev_steps.append(t)
        for key, v in problem.evaluate(th).items():
            ev[key].append(v)

    t = n_loss = 0
    t_start = time.perf_counter()
    evaluate(0, theta)
    while t < total and diverged_at < 0:
        t_epoch = time.perf_counter()
        for idx in _batches(n, batch_size, rng):
            value, g = problem.batch_loss_grad(theta, idx, rng)
            if bound is None:
                bound = max(divergence_bound or 0.0, divergence_factor * max(abs(value), 1e-12)) \
                    if np.isfinite(value) else np.inf
            if t % record.every == 0:
                keep(t, theta, g)
            if not np.isfinite(value) or value > bound or not np.all(np.isfinite(g)):
                diverged_at = t
                break
            loss[t] = value
            gnorm[t] = float(np.sqrt(g @ g))
            lrs[t] = lr_sched(state.count) if lr_sched is not None else np.nan
            upd, state = optimizer.update(g, state, theta)
            new = theta + upd
            n_loss = t + 1
            if not np.all(np.isfinite(new)):
                diverged_at = t + 1  # θ_{t+1} is the first non-finite one; θ_t stays the last
                break
            t += 1
            theta = new.astype(dt, copy=False)
            if t % eval_every == 0 and t < total:
                evaluate(t, theta)
            if t >= total:
                break
        epoch_time.append(time.perf_counter() - t_epoch)
    wall = time.perf_counter() - t_start

    if k == 0 or rec_steps[k - 1] != t:
        # the final θ: its gradient (if recorded) is the full-batch one
        g_end = problem.batch_loss_grad(theta, None, rng)[1] if record.grads else None
        keep(t, theta, g_end)
    if ev_steps[-1] != t:
        evaluate(t, theta)
    ev_arr = {key: np.asarray(v, dtype=float) for key, v in ev.items()}

    config = {"name": name, "problem": problem.config(), "optimizer": optimizer.config(),
              "batch_size": batch_size, "epochs": epochs, "steps": steps, "seed": seed,
              "record": {"every": record.every, "eval_every": eval_every, "state": record.state,
                         "grads": record.grads, "dtype": record.dtype},
              "steps_per_epoch": spe, "divergence_bound": float(bound if bound is not None else np.inf)}
    return Run(
        config=config, layout=problem.model.layout.to_json() if hasattr(problem, "model") else [],
        steps=rec_steps[:k].copy(), thetas=thetas[:k].copy(),
        loss=loss[:n_loss].copy(), grad_norm=gnorm[:n_loss].copy(), lr=lrs[:n_loss].copy(),
        eval_steps=np.asarray(ev_steps, np.int64), epoch_time=np.asarray(epoch_time),
        grads={"grad": grads_rec[:k].copy()} if grads_rec is not None else {},
        state={nm: v[:k].copy() for nm, v in state_rec.items()},
        diverged_at=int(diverged_at), wall_time=float(wall), **ev_arr,
    )
