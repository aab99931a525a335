"""Optimizers as pure (init, update) pairs over flat arrays, in the style of optax.

    state = opt.init(theta)
    step, state = opt.update(grad, state, theta)   # step is added: θ ← θ + step

Nothing is mutated in place; state is a NamedTuple of arrays so a run can record
it (velocities, second moments) for scenes that show them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from .errors import NNVizError, lookup
from .schedules import Schedule, as_schedule


class State(NamedTuple):
    count: int
    slots: dict  # name -> array shaped like θ


@dataclass(frozen=True)
class Optimizer:
    name: str
    hyper: dict
    init: Callable[[np.ndarray], State] = field(repr=False)
    update: Callable[[np.ndarray, State, np.ndarray], tuple[np.ndarray, State]] = field(repr=False)
    rule: str = ""  # the update rule as math (Typst/LaTeX-neutral text) for captions

    def config(self) -> dict:
        h = {k: (v.to_json() if isinstance(v, Schedule) else v) for k, v in self.hyper.items()}
        return {"name": self.name, **h}


def _zeros(*names):
    return lambda theta: State(0, {n: np.zeros_like(theta) for n in names})


def sgd(lr=0.01) -> Optimizer:
    """Plain gradient descent: θ_{t+1} = θ_t − η_t g_t (Robbins & Monro 1951)."""
    sched = as_schedule(lr)

    def update(g, s, theta):
        return -sched(s.count) * g, State(s.count + 1, {})

    return Optimizer("sgd", {"lr": sched}, lambda th: State(0, {}), update, "θ ← θ − η∇J")


def momentum(lr=0.01, beta=0.9) -> Optimizer:
    """Heavy ball (Polyak 1964): v_{t+1} = β v_t − η_t g_t;  θ_{t+1} = θ_t + v_{t+1}."""
    sched = as_schedule(lr)

    def update(g, s, theta):
        v = beta * s.slots["velocity"] - sched(s.count) * g
        return v, State(s.count + 1, {"velocity": v})

    return Optimizer("momentum", {"lr": sched, "beta": beta}, _zeros("velocity"), update,
                     "v ← βv − η∇J,  θ ← θ + v")


def nesterov(lr=0.01, beta=0.9) -> Optimizer:
    """Nesterov accelerated gradient (Nesterov 1983; Sutskever et al. 2013).

    Sutskever's form evaluates the gradient at the look-ahead point θ + βv. With the
    change of variables of Bengio, Boulanger-Lewandowski & Pascanu (2013) the same
    iterates come from the gradient at the current parameters:
        v_{t+1} = β v_t − η_t g_t;   θ_{t+1} = θ_t + β v_{t+1} − η_t g_t
    """
    sched = as_schedule(lr)

    def update(g, s, theta):
        lr_t = sched(s.count)
        v = beta * s.slots["velocity"] - lr_t * g
        return beta * v - lr_t * g, State(s.count + 1, {"velocity": v})

    return Optimizer("nesterov", {"lr": sched, "beta": beta}, _zeros("velocity"), update,
                     "v ← βv − η∇J,  θ ← θ + βv − η∇J")


def adagrad(lr=0.1, eps=1e-8) -> Optimizer:
    """AdaGrad (Duchi, Hazan & Singer 2011): G_{t+1} = G_t + g²;  θ −= η g / (√G_{t+1} + ε)."""
    sched = as_schedule(lr)

    def update(g, s, theta):
        G = s.slots["sum_sq"] + g * g
        return -sched(s.count) * g / (np.sqrt(G) + eps), State(s.count + 1, {"sum_sq": G})

    return Optimizer("adagrad", {"lr": sched, "eps": eps}, _zeros("sum_sq"), update,
                     "G ← G + (∇J)²,  θ ← θ − η∇J/(√G + ε)")


def rmsprop(lr=0.01, decay=0.9, eps=1e-8) -> Optimizer:
    """RMSprop (Tieleman & Hinton 2012, lecture 6e): s = ρs + (1−ρ)g²;  θ −= η g / (√s + ε)."""
    sched = as_schedule(lr)

    def update(g, s, theta):
        sq = decay * s.slots["mean_sq"] + (1.0 - decay) * g * g
        return -sched(s.count) * g / (np.sqrt(sq) + eps), State(s.count + 1, {"mean_sq": sq})

    return Optimizer("rmsprop", {"lr": sched, "decay": decay, "eps": eps}, _zeros("mean_sq"), update,
                     "s ← ρs + (1−ρ)(∇J)²,  θ ← θ − η∇J/(√s + ε)")


def adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8) -> Optimizer:
    """Adam (Kingma & Ba 2015, Algorithm 1):
        m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;  m̂ = m/(1−β1^t);  v̂ = v/(1−β2^t)
        θ −= η m̂ / (√v̂ + ε)
    """
    sched = as_schedule(lr)

    def update(g, s, theta):
        t = s.count + 1
        m = beta1 * s.slots["m"] + (1.0 - beta1) * g
        v = beta2 * s.slots["v"] + (1.0 - beta2) * g * g
        mhat = m / (1.0 - beta1 ** t)
        vhat = v / (1.0 - beta2 ** t)
        return -sched(s.count) * mhat / (np.sqrt(vhat) + eps), State(t, {"m": m, "v": v})

    return Optimizer("adam", {"lr": sched, "beta1": beta1, "beta2": beta2, "eps": eps}, _zeros("m", "v"),
                     update, "m ← β₁m + (1−β₁)∇J,  v ← β₂v + (1−β₂)(∇J)²,  θ ← θ − η m̂/(√v̂ + ε)")


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd, "momentum": momentum, "nesterov": nesterov,
    "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam,
}


def make(name: str, **hyper) -> Optimizer:
    """Build an optimizer by name; unknown names and hyperparameters are clear errors."""
    factory = lookup(OPTIMIZERS, name, "optimizer")
    try:
        return factory(**hyper)
    except TypeError as e:
        raise NNVizError(f"bad hyperparameters for {name!r}: {e}") from None


def from_config(cfg: dict) -> Optimizer:
    cfg = dict(cfg)
    return make(cfg.pop("name"), **cfg)
