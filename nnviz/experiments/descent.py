"""Experiments behind the gradient-descent scenes: the single home of their
hyperparameters and seeds.

  descent_regimes   four learning rates on one bowl, chosen from λ_max
  descent_variants  batch / mini-batch / stochastic on the exact 2-parameter line fit
  descent_digits    the blog's MNIST experiment on the 8×8 digits: variants + batch-size sweep
  descent_race      six optimizers, same start and steps, on Rosenbrock, Beale and a saddle
  descent_surface   a moons MLP's trajectory over PCA / filter-normalised loss slices, and
                    analytic bowl / Rosenbrock surfaces
  descent_wells     plain GD vs momentum on two wells, plus seeded random restarts

Scenes and figures read these only through `experiments.load(name)`; the pure
helpers below (`roughness`, `ranking`) are what the claim tests and the drawings
share. Curvature, regimes, exact (w, b) surfaces, PCA / filter-normalised planes and
honest projection come from `nnviz.regimes`, `nnviz.exact` and `nnviz.landscape`.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import data as D
from .. import exact
from .. import landscape as L
from .. import objectives as O
from .. import optim
from .. import regimes as R
from ..nn import MLP
from ..problems import NetworkProblem
from ..records import Run, Surface
from ..train import Recording, train
from ..errors import lookup
from . import experiment

# --------------------------------------------------------------------------------------
# shared helpers (pure)
# --------------------------------------------------------------------------------------
REGIME_ORDER = R.REGIMES
VARIANT_ORDER = ("batch", "minibatch", "stochastic")
RACE_ORDER = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def with_meta(run: Run, **meta) -> Run:
    return dataclasses.replace(run, meta={**run.meta, **meta})


def roughness(thetas: np.ndarray) -> float:
    """Mean absolute turning angle (radians) between consecutive steps of a path.

    0 for a straight or smoothly bending path; π/2 on average for a random walk.
    Zero-length steps are skipped (they have no direction).
    """
    steps = np.diff(np.asarray(thetas, float), axis=0)
    norms = np.linalg.norm(steps, axis=1)
    steps = steps[norms > 1e-15] / norms[norms > 1e-15, None]
    if len(steps) < 2:
        return 0.0
    cos = np.clip(np.sum(steps[1:] * steps[:-1], axis=1), -1.0, 1.0)
    return float(np.mean(np.arccos(cos)))


def final_loss(objective: O.Objective, run: Run) -> float:
    """The objective at the run's last recorded θ (what 'final loss' means in the race)."""
    return float(objective.value(run.final_theta))


def ranking(final_losses: dict[str, float], rtol: float = 1e-9) -> list[list[str]]:
    """Optimizers ordered by final loss, best first; values equal within rtol share a place."""
    order = sorted(final_losses, key=lambda k: final_losses[k])
    places: list[list[str]] = []
    for name in order:
        if places and np.isclose(final_losses[name], final_losses[places[-1][0]], rtol=rtol, atol=1e-15):
            places[-1].append(name)
        else:
            places.append([name])
    return places


HEIGHTS = {"true": "true_loss", "slice": "plane_loss"}
HEIGHT_LABELS = {"true": "path height: true loss J(θₜ)",
                 "slice": "path height: loss on the slice at θₜ's projection"}


def path_heights(projection, which: str) -> np.ndarray:
    """The heights a scene draws a projected path at, by the label it shows: 'true' (J at the
    real θ_t, off the plane) or 'slice' (J at θ_t's projection, on the drawn surface)."""
    return getattr(projection, lookup(HEIGHTS, which, "path height"))


def _objective_surface(obj: O.Objective, n: int) -> Surface:
    return L.objective_surface(obj, n)


# --------------------------------------------------------------------------------------
# 1. learning-rate regimes
# --------------------------------------------------------------------------------------
@experiment("descent_regimes", description="Four learning rates on one bowl, chosen by η·λ_max",
            objective={"condition": 8.0, "angle": 0.45, "scale": 0.5}, start=(-2.5, -0.6), steps=40,
            eta_lambda={"slow": 0.1, "smooth": 0.9, "oscillating": 1.8, "diverging": 2.15}, grid=81)
def regimes(cfg):
    """λ_max is the Hessian's top eigenvalue at the minimum; each η is a stated multiple of 1/λ_max,
    classified by `nnviz.regimes.classify`."""
    obj = O.quadratic(**cfg["objective"])
    prob = O.ObjectiveProblem(obj, params=cfg["objective"])
    curv = R.top_curvature(prob, np.array(obj.minima[0], float))
    lam = curv.value
    rates = R.demo_rates(lam, cfg["eta_lambda"])  # raises if a factor is not in its band
    out = {}
    for regime in R.REGIMES:
        lr = rates[regime]
        run = train(prob, optim.sgd(lr=lr), np.array(cfg["start"], float), steps=cfg["steps"], name=regime)
        out[regime] = with_meta(run, regime=R.classify(lr, lam), lr=lr, eta_lambda=cfg["eta_lambda"][regime],
                                lambda_max=lam, top_direction=np.asarray(curv.vector, float).tolist())
    out["surface"] = _objective_surface(obj, cfg["grid"])
    return out


# --------------------------------------------------------------------------------------
# 2. batch vs mini-batch vs stochastic
# --------------------------------------------------------------------------------------
@experiment("descent_variants", description="Batch, mini-batch and SGD on the exact line-fit surface",
            data={"n": 64, "seed": 3, "w": 2.0, "b": -1.0, "noise": 0.4}, start=(-2.0, 2.5), lr=0.3,
            batch_sizes={"batch": None, "minibatch": 8, "stochastic": 1}, epochs=10, steps=40, seed=11,
            window={"w": (-3.0, 4.0), "b": (-3.0, 3.5)}, grid=81)
def variants(cfg):
    """Same start and η for all three; compared at matched epochs (same data seen) and matched
    steps. θ = (w, b) exactly, so every step lies on the drawn surface."""
    prob = exact.linear_regression(**cfg["data"])
    theta0 = np.array(cfg["start"], float)
    out = {}
    for variant in VARIANT_ORDER:
        b = cfg["batch_sizes"][variant]
        for match, kw in (("epochs", {"epochs": cfg["epochs"]}), ("steps", {"steps": cfg["steps"]})):
            run = train(prob, optim.sgd(lr=cfg["lr"]), theta0, batch_size=b, seed=cfg["seed"],
                        name=f"{variant}_{match}", **kw)
            out[f"{variant}_{match}"] = with_meta(run, variant=variant, match=match, batch_size=b or prob.n,
                                                  roughness=roughness(run.thetas))
    out["surface"] = exact.wb_surface(prob, cfg["window"]["w"], cfg["window"]["b"], cfg["grid"])
    return out


@experiment("descent_digits", description="Batch / SGD / mini-batch and a batch-size sweep on 8×8 digits",
            model={"sizes": (64, 32, 10), "hidden": "tanh", "loss": "cce"}, data={"seed": 0, "test_fraction": 0.25},
            init_seed=0, lr=0.1, epochs=25, seed=5, minibatch=64, sweep=(16, 32, 64, 128, 256, 512))
def digits(cfg):
    """The blog's MNIST experiment at CPU size: same init, same η, same epochs; loss per epoch and
    the trainer's wall time per epoch."""
    data = D.digits(**cfg["data"])
    model = MLP(**cfg["model"])
    prob = NetworkProblem(model, data)
    theta0 = model.init(np.random.default_rng(cfg["init_seed"]))
    rec = Recording(every=10 ** 9)  # keep only the first and last θ: curves are what we draw
    out = {}
    sizes = {"batch": None, "stochastic": 1, "minibatch": cfg["minibatch"]}
    sizes.update({f"b{b}": b for b in cfg["sweep"]})
    for name, b in sizes.items():
        run = train(prob, optim.sgd(lr=cfg["lr"]), theta0, epochs=cfg["epochs"], batch_size=b, seed=cfg["seed"],
                    record=rec, name=name)
        out[name] = with_meta(run, batch_size=b or data.n, mean_epoch_time=float(np.mean(run.epoch_time)))
    return out


# --------------------------------------------------------------------------------------
# 3. optimizer race
# --------------------------------------------------------------------------------------
RACES = {
    "rosenbrock": {"steps": 300, "hyper": {
        "sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-3, "beta": 0.9}, "nesterov": {"lr": 1e-3, "beta": 0.9},
        "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.01}, "adam": {"lr": 0.05}}},
    "beale": {"steps": 300, "hyper": {
        "sgd": {"lr": 1e-2}, "momentum": {"lr": 2e-3, "beta": 0.9}, "nesterov": {"lr": 2e-3, "beta": 0.9},
        "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.01}, "adam": {"lr": 0.05}}},
    "saddle": {"steps": 40, "hyper": {
        "sgd": {"lr": 0.05}, "momentum": {"lr": 0.05, "beta": 0.9}, "nesterov": {"lr": 0.05, "beta": 0.9},
        "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.05}, "adam": {"lr": 0.05}}},
}


@experiment("descent_race", description="Six optimizers, same start, same steps, on three surfaces",
            races=RACES, grid=121)
def race(cfg):
    """Records are named '<surface>/<optimizer>' plus '<surface>/surface'. Learning rates are per
    optimizer (each near its own stable best); start and step budget are shared."""
    out = {}
    for surf, spec in cfg["races"].items():
        obj = O.get(surf)
        prob = O.ObjectiveProblem(obj)
        theta0 = np.array(obj.start, float)
        finals = {}
        for name in RACE_ORDER:
            run = train(prob, optim.make(name, **spec["hyper"][name]), theta0, steps=spec["steps"],
                        name=f"{surf}/{name}")
            finals[name] = final_loss(obj, run)
            out[f"{surf}__{name}"] = with_meta(run, optimizer=name, surface=surf, hyper=spec["hyper"][name],
                                               final_loss=finals[name])
        out[f"{surf}__surface"] = with_meta_surface(_objective_surface(obj, cfg["grid"]),
                                                    ranking=ranking(finals), steps=spec["steps"],
                                                    start=list(obj.start))
    return out


def with_meta_surface(s: Surface, **meta) -> Surface:
    return dataclasses.replace(s, meta={**s.meta, **meta})


# --------------------------------------------------------------------------------------
# 4. loss surface of a real network
# --------------------------------------------------------------------------------------
@experiment("descent_surface", description="A moons MLP's descent over PCA and filter-normalised loss slices",
            data={"n": 200, "seed": 0, "noise": 0.15}, model={"sizes": (2, 8, 1), "hidden": "tanh", "loss": "bce"},
            init_seed=2, optimizer={"name": "momentum", "lr": 0.3, "beta": 0.9}, steps=300, grid=41, margin=0.25,
            direction_seed=7, random_half_width=1.0,
            analytic={"bowl": {"condition": 4.0, "angle": 0.5, "scale": 0.5}, "bowl_lr": 0.35, "bowl_steps": 25,
                      "rosenbrock_opt": {"name": "momentum", "lr": 1e-3, "beta": 0.9}, "rosenbrock_steps": 300},
            analytic_grid=41)
def surface(cfg):
    """Two planes through the final θ: the trajectory's PCA plane (sized to the path) and a
    filter-normalised random one (±random_half_width); each with the path projected on it
    (`nnviz.landscape.project`: true loss, slice loss, off-plane distance per step)."""
    data = D.moons(**cfg["data"])
    model = MLP(**cfg["model"])
    prob = NetworkProblem(model, data)
    theta0 = model.init(np.random.default_rng(cfg["init_seed"]))
    run = train(prob, optim.from_config(cfg["optimizer"]), theta0, steps=cfg["steps"], name="moons")
    origin = run.final_theta.astype(float)
    pca = L.pca_directions(run.thetas, origin)
    c, _ = pca.coordinates(run.thetas)
    xs = np.linspace(*L.extent(c[:, 0], cfg["margin"]), cfg["grid"])
    ys = np.linspace(*L.extent(c[:, 1], cfg["margin"]), cfg["grid"])
    out = {"run": run, "pca": L.surface(prob, pca, xs, ys, extras=())}
    out["pca_path"] = L.project(prob, out["pca"], run.thetas, run.steps)
    rnd = L.random_directions(model.layout, origin, seed=cfg["direction_seed"])
    h = np.linspace(-cfg["random_half_width"], cfg["random_half_width"], cfg["grid"])
    out["random"] = L.surface(prob, rnd, h, h, extras=())
    out["random_path"] = L.project(prob, out["random"], run.thetas, run.steps)
    a = cfg["analytic"]
    bowl = O.quadratic(**a["bowl"])
    out["bowl_run"] = train(O.ObjectiveProblem(bowl, params=a["bowl"]), optim.sgd(lr=a["bowl_lr"]),
                            np.array(bowl.start, float), steps=a["bowl_steps"], name="bowl")
    out["bowl"] = _objective_surface(bowl, cfg["analytic_grid"])
    rb = O.rosenbrock()
    out["rosenbrock_run"] = train(O.ObjectiveProblem(rb), optim.from_config(a["rosenbrock_opt"]),
                                  np.array(rb.start, float), steps=a["rosenbrock_steps"], name="rosenbrock")
    out["rosenbrock"] = _objective_surface(rb, cfg["analytic_grid"])
    return out


# --------------------------------------------------------------------------------------
# 5. momentum and local minima
# --------------------------------------------------------------------------------------
@experiment("descent_wells", description="Plain GD stops in the shallow well; momentum rolls to the deep one",
            start=1.9, lr=0.05, beta=0.9, steps=200, restarts=8, restart_seed=4, grid=401)
def wells(cfg):
    obj = O.two_wells()
    prob = O.ObjectiveProblem(obj)
    x0 = np.array([cfg["start"]])
    out = {"gd": with_meta(train(prob, optim.sgd(lr=cfg["lr"]), x0, steps=cfg["steps"], name="gd"),
                           minima=[m[0] for m in obj.minima]),
           "momentum": with_meta(train(prob, optim.momentum(lr=cfg["lr"], beta=cfg["beta"]), x0, steps=cfg["steps"],
                                       name="momentum"), minima=[m[0] for m in obj.minima])}
    lo, hi = obj.domain[0]
    starts = np.random.default_rng(cfg["restart_seed"]).uniform(lo, hi, cfg["restarts"])
    for i, s in enumerate(starts):
        out[f"restart{i}"] = train(prob, optim.sgd(lr=cfg["lr"]), np.array([s]), steps=cfg["steps"], name=f"restart{i}")
    out["curve"] = L.objective_surface(obj, cfg["grid"])  # (1, grid): f on the plotting domain
    return out
