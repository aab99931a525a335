"""Learning-rate schedules: step count t (0-based) → η_t.

A learning rate anywhere in nnviz is a number or a Schedule; `as_schedule` makes
both look the same to the optimizers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, asdict

from .errors import NNVizError, lookup


@dataclass(frozen=True)
class Schedule:
    kind: str
    lr: float
    decay: float = 0.0      # step: factor per period; exponential: rate; inverse_time: k
    every: int = 1          # step: period in steps
    total: int = 1          # cosine: steps to reach the floor
    floor: float = 0.0      # cosine: final learning rate

    def __post_init__(self):
        # validate once here so __call__ (once per training step) is a plain dict hit
        lookup(_RULES, self.kind, "schedule")

    def __call__(self, t: int) -> float:
        return _RULES[self.kind](self, t)

    def to_json(self) -> dict:
        return asdict(self)


_RULES = {
    "constant": lambda s, t: s.lr,
    # η·γ^⌊t/k⌋ — the classic staircase
    "step": lambda s, t: s.lr * s.decay ** (t // max(1, s.every)),
    # η·e^{−kt}
    "exponential": lambda s, t: s.lr * math.exp(-s.decay * t),
    # η/(1 + kt), the Robbins–Monro style decay that keeps Σηt = ∞
    "inverse_time": lambda s, t: s.lr / (1.0 + s.decay * t),
    # Loshchilov & Hutter (2017) cosine annealing without restarts
    "cosine": lambda s, t: s.floor + 0.5 * (s.lr - s.floor) * (1 + math.cos(math.pi * min(t, s.total) / max(1, s.total))),
}
SCHEDULES = tuple(_RULES)


def constant(lr): return Schedule("constant", lr)
def step_decay(lr, decay=0.5, every=100): return Schedule("step", lr, decay=decay, every=every)
def exponential(lr, decay=1e-3): return Schedule("exponential", lr, decay=decay)
def inverse_time(lr, decay=1e-2): return Schedule("inverse_time", lr, decay=decay)
def cosine(lr, total, floor=0.0): return Schedule("cosine", lr, total=total, floor=floor)


def as_schedule(lr) -> Schedule:
    if isinstance(lr, Schedule):
        lookup(_RULES, lr.kind, "schedule")
        return lr
    if isinstance(lr, dict):
        try:
            return as_schedule(Schedule(**lr))
        except TypeError as e:
            raise NNVizError(f"bad schedule {lr!r}: {e}") from None
    try:
        value = float(lr)
    except (TypeError, ValueError):
        raise NNVizError(f"a learning rate is a number or a Schedule, got {lr!r}") from None
    if not math.isfinite(value):
        raise NNVizError(f"learning rate must be finite, got {lr!r}")
    return Schedule("constant", value)
