"""A fair learning-rate protocol for comparing optimizers (NumPy only).

Every contender gets the same chance: one shared log-spaced grid of learning rates, the same
start θ₀ and the same step budget. Per optimizer the chosen rate is the one with the lowest final
loss among its *stable* runs, where

    stable  ⇔  the run never diverged (finite all the way; `train`'s divergence rule), its final
               loss is finite, its loss never exceeds `PEAK` (10) × the start loss at any step,
               and after the first `warmup` share of the steps (10 %) its loss never exceeds the
               start loss.

The peak bound keeps a run that blew up and landed low by luck from counting as stable (on
Rosenbrock GD at η = 0.0016 spikes to 44× its start loss in its first steps, then happens to land
on the valley's far arm); the late bound rejects a run that is still bouncing on a wall it cannot
settle in. An early rise below the bound is allowed: momentum's velocity naturally carries a run a
little uphill at first.

Final losses within `rtol` (1 %) of each other, or both within 1e-12 (round-off), are a tie.
Tie-break: among an optimizer's stable rates whose final losses tie with its lowest, the chosen one is
the one that first reaches the tied level (the largest final loss of the tied runs, or 1e-12 when they
all end at the floor): fewest steps, then the smaller η. Optimizers that share a place in the ranking
(final losses tied) are ordered the same way: by the step their chosen run first reaches that place's
tied level. The grid runs from 1e-5 to 1 with 5
values per decade and is extended by whole decades on the side where any chosen rate lies
within 2 grid points of an end (a best rate at the edge means the grid did not bracket it).
The winner is *robust* when it stays first (not tied, strictly ahead) with its rate moved one
grid step either way, every other contender keeping its chosen rate; otherwise the top places
are within noise.

    tune(problem, theta0, steps, optimizers={"adam": {}, "momentum": {"beta": 0.9}}, final=f)
        -> Tuning record: the whole grid (final loss per η per optimizer, stability, and for the runs
           tied at an optimizer's best the step each first reaches the tied level), chosen η,
           ranking (with ties, ordered inside a tie by that step), robustness verdict and the rule in words.

`final(theta) -> float` is what "final loss" means (the objective at the last θ; it is also evaluated at
every θ of the tied runs, to find when they reach the tied level); runs are full-batch descent on
`problem` via `nnviz.train.train`.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from . import optim
from .errors import NNVizError
from .records import Run, Tuning
from .train import Recording, train

PEAK = 10.0  # a run whose loss ever passes PEAK × its start loss blew up, even if it later lands low
RULE = ("stable: never diverges, the loss never exceeds {peak:g}× the start loss, and after the first "
        "{warmup:.0%} of steps never exceeds the start loss; chosen η: lowest final loss among stable runs; "
        "within {rtol:.0%} (or 1e-12) is a tie")
TIE_BREAK = ("a tie goes to the run that first reaches the tied level (the largest tied final loss, or 1e-12 "
             "at the floor), then to the smaller η; optimizers tied in final loss are ranked the same way")


def lr_grid(lo: float = 1e-5, hi: float = 1.0, per_decade: int = 5) -> np.ndarray:
    """Log-spaced learning rates lo … hi (both included), `per_decade` per factor of 10."""
    if not (0 < lo < hi) or per_decade < 1:
        raise NNVizError(f"bad learning-rate grid: lo={lo}, hi={hi}, per_decade={per_decade}")
    k0, k1 = round(math.log10(lo) * per_decade), round(math.log10(hi) * per_decade)
    return 10.0 ** (np.arange(k0, k1 + 1) / per_decade)


def stable_curve(loss, warmup: float = 0.1, peak: float = PEAK) -> bool:
    """The stability rule on one loss curve: finite, never above `peak` × its first value, and after
    the first `warmup` share of it never above its first value."""
    loss = np.asarray(loss, float)
    return bool(loss.size and np.all(np.isfinite(loss)) and np.all(loss <= peak * loss[0])
                and np.all(loss[int(math.ceil(warmup * loss.size)):] <= loss[0]))


def is_stable(run: Run, final: float, start: float, warmup: float = 0.1) -> bool:
    """The protocol's stability rule for one run (see the module docstring). `final` and `start` are
    the final-loss measure at the last θ and at θ₀ (same units); `run.loss` covers the steps between."""
    if run.diverged or not np.isfinite(final) or run.n_steps == 0:
        return False
    return bool(stable_curve(run.loss, warmup, PEAK) and final <= start)


def ranking(finals: dict, rtol: float = 0.01) -> list[list[str]]:
    """Names ordered by final loss, best first; a value within `rtol` of its place's best shares it."""
    order = sorted(finals, key=lambda k: finals[k])
    places: list[list[str]] = []
    for name in order:
        if places and tied(finals[name], finals[places[-1][0]], rtol):
            places[-1].append(name)
        else:
            places.append([name])
    return places


ATOL = 1e-12  # final losses this close are equal to round-off (both at the minimum)


def tied(a: float, b: float, rtol: float = 0.01) -> bool:
    """Within `rtol` of the smaller of the two (final losses ≥ 0), or within ATOL (round-off)."""
    if not (np.isfinite(a) and np.isfinite(b)):
        return a == b
    return abs(a - b) <= max(rtol * min(abs(a), abs(b)), ATOL)


def choose(final_loss: np.ndarray, stable: np.ndarray, reach=None, rtol: float = 0.01) -> int:
    """Index of the chosen rate among stable runs (-1 if none is stable): the lowest final loss; among
    rates tied with it (`tie_group`), the fewest steps to the tied level (`reach`, one entry per rate,
    negative where the rate is not in the tie), then the smaller η (the lower index)."""
    if not np.any(stable):
        return -1
    if reach is None:
        return int(np.argmin(np.where(stable, final_loss, np.inf)))
    return int(min(tie_group(final_loss, stable, rtol), key=lambda k: (int(reach[k]), int(k))))


def tie_group(final_loss: np.ndarray, stable: np.ndarray, rtol: float = 0.01) -> np.ndarray:
    """Grid indices of the stable rates whose final loss ties with the lowest stable one (ascending)."""
    f = np.asarray(final_loss, float)
    ok = np.asarray(stable).astype(bool)
    if not np.any(ok):
        return np.zeros(0, dtype=np.int64)
    best = float(np.min(f[ok]))
    return np.array([k for k in np.flatnonzero(ok) if tied(float(f[k]), best, rtol)], dtype=np.int64)


def tie_level(finals) -> float:
    """The level every run of a tie has reached by its last step: the largest of their final losses, and
    never below ATOL (a tie at the floor is decided by who first gets to within round-off)."""
    return max(max(float(v) for v in finals), ATOL)


def first_reach(curve, level: float) -> int:
    """The first step t whose loss curve[t] (curve[0] at θ₀) is at or below `level` (-1 if never)."""
    hit = np.flatnonzero(np.asarray(curve, float) <= level)
    return int(hit[0]) if hit.size else -1


def robustness(t: Tuning, rtol: float) -> dict:
    """Does the winner stay first with its rate one grid step lower / higher? (see module docstring)"""
    finals = {o: t.chosen_final(o) for o in t.optimizers}
    places = ranking(finals, rtol)
    if len(places[0]) > 1:
        return {"verdict": "tie", "winner": places[0], "neighbours": {}}
    w = places[0][0]
    o = t.optimizers.index(w)
    k = int(t.chosen[o])
    others = [finals[n] for n in t.optimizers if n != w]
    best_other = min(others) if others else np.inf
    neighbours, holds = {}, True
    for side, j in (("lower", k - 1), ("higher", k + 1)):
        if 0 <= j < len(t.lrs):
            f = float(t.final_loss[o, j]) if t.stable[o, j] else float("inf")
        else:
            f = float("inf")
        neighbours[side] = f
        holds &= f < best_other and not tied(f, best_other, rtol)
    return {"verdict": "robust" if holds else "within noise", "winner": [w], "neighbours": neighbours}


def tune(problem, theta0, steps: int, optimizers: dict, final: Callable[[np.ndarray], float],
         lo: float = 1e-5, hi: float = 1.0, per_decade: int = 5, warmup: float = 0.1, rtol: float = 0.01,
         margin: int = 2, max_extend: int = 4, name: str = "") -> Tuning:
    """Run the protocol: `optimizers` maps name → fixed hyperparameters (everything but η)."""
    names = list(optimizers)
    theta0 = np.asarray(theta0, float)
    record = Recording(every=1)  # every θ: the tie-break needs when a tied run first reaches the tied level
    cache: dict = {}
    curves: dict = {}
    start = float(final(theta0))

    def run(o: str, lr: float):
        key = (o, float(lr))
        if key not in cache:
            r = train(problem, optim.make(o, lr=float(lr), **optimizers[o]), theta0, steps=steps, record=record)
            f = float(final(r.final_theta)) if not r.diverged else float("inf")
            f = f if np.isfinite(f) else float("inf")
            cache[key] = (f, is_stable(r, f, start, warmup))
            if cache[key][1]:  # the final-loss measure at every θ of a stable run (for the tie-break)
                curves[key] = np.array([final(th) for th in np.asarray(r.thetas, float)])
        return cache[key]

    lo_k, hi_k = round(math.log10(lo) * per_decade), round(math.log10(hi) * per_decade)
    extended = {"low": 0, "high": 0}
    while True:
        lrs = 10.0 ** (np.arange(lo_k, hi_k + 1) / per_decade)
        F = np.empty((len(names), len(lrs)))
        S = np.zeros((len(names), len(lrs)), dtype=np.int8)
        R = np.full((len(names), len(lrs)), -1, dtype=np.int64)  # steps to the optimizer's tied level
        for i, o in enumerate(names):
            for k, lr in enumerate(lrs):
                F[i, k], S[i, k] = run(o, lr)
            group = tie_group(F[i], S[i].astype(bool), rtol)
            level = tie_level(F[i, group]) if group.size else np.nan
            for k in group:
                R[i, k] = first_reach(curves[(o, float(lrs[k]))], level)
        chosen = np.array([choose(F[i], S[i].astype(bool), R[i], rtol) for i in range(len(names))], dtype=np.int64)
        near_low = any(0 <= c < margin for c in chosen)
        near_high = any(c >= len(lrs) - margin for c in chosen)
        grow = False
        if near_low and extended["low"] < max_extend:
            lo_k, extended["low"], grow = lo_k - per_decade, extended["low"] + 1, True
        if near_high and extended["high"] < max_extend:
            hi_k, extended["high"], grow = hi_k + per_decade, extended["high"] + 1, True
        if not grow:
            break
    t = Tuning(config={"problem": name, "steps": int(steps), "start": theta0.tolist(), "lo": lo, "hi": hi,
                       "per_decade": per_decade, "warmup": warmup, "peak": PEAK, "rtol": rtol, "margin": margin,
                       "tie_break": "first to the tied level, then smaller η",
                       "fixed": {o: dict(h) for o, h in optimizers.items()}},
               optimizers=names, lrs=lrs, final_loss=F, stable=S, chosen=chosen, reach=R)
    finals = {o: t.chosen_final(o) for o in names}
    places = ranking(finals, rtol)
    # inside a place (final losses tied) the chosen run that first reaches the place's tied level goes first
    place_reach = {}
    for p in places:
        level = tie_level([finals[o] for o in p])
        for o in p:
            k = int(chosen[names.index(o)])
            place_reach[o] = first_reach(curves[(o, float(lrs[k]))], level) if k >= 0 else -1
    places = [sorted(p, key=lambda o: (place_reach[o] < 0, place_reach[o], names.index(o))) for p in places]
    rob = robustness(t, rtol)
    meta = {"ranking": places, "verdict": rob["verdict"], "winner": rob["winner"] if rob["verdict"] != "tie" else places[0],
            "neighbours": rob["neighbours"], "extended": extended, "rule": RULE.format(peak=PEAK, warmup=warmup, rtol=rtol),
            "tie_break": TIE_BREAK, "place_reach": place_reach,
            "place_level": {o: tie_level([finals[m] for m in p]) for p in places for o in p},
            "chosen_lr": {o: t.chosen_lr(o) for o in names}, "chosen_final": finals}
    return Tuning(config=t.config, optimizers=names, lrs=lrs, final_loss=F, stable=S, chosen=chosen, reach=R, meta=meta)
