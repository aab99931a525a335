"""Named loss-surface experiments: the records descent scenes and figures draw.

Names are stable; change a config and the cache recomputes, rename and scenes break.

  landscape_moons       a 2-16-16-1 moons MLP: run, PCA and filter-normalised random surfaces,
                        honest projections of the path onto both, and the 1-D init→final cut
  landscape_analytic    every registered objective over its plotting domain (method "analytic")
  landscape_line_fit    exact (w, b) surface of linear regression + batch / mini-batch / SGD runs
  landscape_logistic_fit  the same for 1-D logistic regression (BCE)
  landscape_regimes     λ_max of a bowl, the four demonstration rates and one GD run per regime
  landscape_regimes_moons  the same analysis at a trained moons MLP's minimum (power iteration)

Every run carries its facts in `Run.meta`; surfaces in `Surface.meta`; see each docstring.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import data as D
from .. import exact
from .. import landscape as LS
from .. import objectives as O
from .. import optim
from .. import regimes as R
from ..nn import MLP
from ..problems import NetworkProblem
from ..records import Run
from ..train import Recording, train
from . import experiment


def _with_meta(run: Run, **meta) -> Run:
    return dataclasses.replace(run, meta={**run.meta, **meta})


def _moons_problem(cfg) -> NetworkProblem:
    return NetworkProblem(MLP(**cfg["model"]), D.moons(**cfg["data"]).split(**cfg["split"]))


@experiment("landscape_moons", description="Moons MLP: trajectory over PCA and filter-normalised loss surfaces",
            data={"n": 300, "seed": 0, "noise": 0.2}, split={"test_fraction": 0.25, "seed": 0},
            model={"sizes": (2, 16, 16, 1), "hidden": "tanh", "loss": "bce"}, init_seed=1,
            optimizer={"name": "momentum", "lr": 0.1, "beta": 0.9}, steps=400, grid=51, pad=0.25,
            direction_seed=7, random_range=1.0, interpolation=(-0.25, 1.25, 121))
def moons(cfg) -> dict:
    """Records:
    run            the training Run (θ every step; train/test loss and accuracy per step)
    pca            Surface through θ_final along the top-2 PCA directions of θ_t − θ_final
                   (meta.explained_variance), extra grids train_acc / test_loss / test_acc
    pca_path       Projection of every recorded θ_t onto the PCA plane (off-plane distance,
                   true loss vs plane loss vs drawn-grid loss)
    random         Surface through θ_final along two filter-normalised random directions
                   (Li et al. 2018; biases not moved), axes ±random_range
    random_path    Projection of the path onto the random plane (typically far off it: say so)
    interpolation  1-D Surface along θ_0 → θ_final (α = 0 at init, 1 at the end)
    """
    prob = _moons_problem(cfg)
    theta0 = prob.model.init(np.random.default_rng(cfg["init_seed"]))
    run = train(prob, optim.from_config(cfg["optimizer"]), theta0, steps=cfg["steps"], name="moons",
                record=Recording(every=1, eval_every=10))
    final = run.final_theta.astype(float)
    n = cfg["grid"]
    pca = LS.pca_directions(run.thetas)
    c, _ = pca.coordinates(run.thetas)
    xs = np.linspace(*LS.extent(c[:, 0], cfg["pad"]), n)
    ys = np.linspace(*LS.extent(c[:, 1], cfg["pad"]), n)
    pca_s = LS.surface(prob, pca, xs, ys)
    rnd = LS.random_directions(prob.model.layout, final, seed=cfg["direction_seed"])
    r = cfg["random_range"]
    rnd_s = LS.surface(prob, rnd, np.linspace(-r, r, n), np.linspace(-r, r, n))
    a0, a1, na = cfg["interpolation"]
    line = LS.surface(prob, LS.line_directions(run.thetas[0], final), np.linspace(a0, a1, na))
    return {"run": run, "pca": pca_s, "pca_path": LS.project(prob, pca_s, run.thetas, run.steps),
            "random": rnd_s, "random_path": LS.project(prob, rnd_s, run.thetas, run.steps),
            "interpolation": line}


@experiment("landscape_analytic", description="Every analytic objective over its plotting domain", grid=101,
            grid_1d=401)
def analytic(cfg) -> dict:
    """One Surface per registered objective (default parameters), keyed by objective name.
    2-D: loss[j, i] = f(xs[i], ys[j]); 1-D: a (1, grid_1d) row. meta has formula, minima, log_scale."""
    out = {}
    for name in O.OBJECTIVES:
        obj = O.get(name)
        out[name] = LS.objective_surface(obj, cfg["grid"] if obj.dim == 2 else cfg["grid_1d"])
    return out


def _two_param(make, cfg) -> dict:
    prob = make(**cfg["data"])
    s = exact.wb_surface(prob, cfg.get("w_range"), cfg.get("b_range"), cfg["grid"])
    out = {"surface": s}
    start = np.array(cfg["start"], dtype=float)
    for variant, bs in cfg["batch_sizes"].items():
        run = train(prob, optim.sgd(cfg["lr"]), start, epochs=cfg["epochs"], batch_size=bs, seed=cfg["seed"],
                    record=Recording(every=1, eval_every=1), name=variant)
        pr = LS.project(prob, s, run.thetas, run.steps)
        out[variant] = _with_meta(run, variant=variant, batch_size=bs,
                                  max_off_plane=pr.max_off_plane,
                                  max_surface_gap=float(np.max(np.abs(pr.plane_loss - run.train_loss))))
    return out


@experiment("landscape_line_fit", description="Exact (w, b) surface of linear regression with batch/mini-batch/SGD",
            data={"n": 64, "seed": 3, "w": 2.0, "b": -1.0, "noise": 0.4}, grid=81,
            w_range=(-3.0, 5.0), b_range=(-4.0, 3.0), start=(-2.0, 2.5), lr=0.1, epochs=8, seed=11,
            batch_sizes={"batch": None, "minibatch": 8, "stochastic": 1})
def line_fit(cfg) -> dict:
    """Records: surface (exact MSE over (w, b); meta.minimum is the least-squares fit) and one Run
    per variant ("batch", "minibatch", "stochastic"), θ and full-data loss every step. Every θ_t is a
    point *of* the surface: meta.max_off_plane is 0 and meta.max_surface_gap ≈ 1e-16."""
    return _two_param(exact.linear_regression, cfg)


@experiment("landscape_logistic_fit", description="Exact (w, b) surface of logistic regression with batch/mini-batch/SGD",
            data={"n": 80, "seed": 2, "w": 3.0, "b": -0.5}, grid=81, w_range=(-2.0, 8.0), b_range=(-5.0, 4.0),
            start=(-1.0, 3.0), lr=0.5, epochs=8, seed=11,
            batch_sizes={"batch": None, "minibatch": 8, "stochastic": 1})
def logistic_fit(cfg) -> dict:
    """As landscape_line_fit, for p = σ(w·x + b) with binary cross-entropy."""
    return _two_param(exact.logistic_regression, cfg)


def _regime_runs(prob, start, center, curv, steps, name) -> dict:
    out = {}
    for regime, lr in R.demo_rates(curv.value).items():
        run = train(prob, optim.sgd(lr), start, steps=steps, name=f"{name}-{regime}")
        out[regime] = _with_meta(run, regime=regime, lr=lr, eta_lambda=lr * curv.value, lambda_max=curv.value,
                                 lambda_method=curv.method, top_direction=curv.vector.tolist(),
                                 sign_flips=R.sign_flips(run.thetas, curv.vector, center),
                                 monotone=R.is_monotone(run.loss))
    return out


@experiment("landscape_regimes", description="λ_max of a bowl and one GD run per learning-rate regime",
            objective={"condition": 8.0, "angle": 0.45, "scale": 0.5}, start=(-2.5, 1.5), steps=40, grid=81)
def regimes_bowl(cfg) -> dict:
    """Records: surface (the bowl, analytic) and runs "slow", "smooth", "oscillating", "diverging",
    each at η = factor/λ_max (regimes.DEMO_FACTORS); meta: lr, eta_lambda, lambda_max, top_direction,
    sign_flips (along the top eigenvector), monotone. Diverging runs stop cleanly (diverged_at)."""
    obj = O.get("quadratic", **cfg["objective"])
    prob = O.ObjectiveProblem(obj)
    minimum = np.array(obj.minima[0])
    curv = R.top_curvature(prob, minimum)
    out = _regime_runs(prob, np.array(cfg["start"], dtype=float), minimum, curv, cfg["steps"], "bowl")
    out["surface"] = LS.objective_surface(obj, cfg["grid"])
    return out


@experiment("landscape_regimes_moons", description="Learning-rate regimes at a trained moons MLP's minimum",
            data={"n": 200, "seed": 0, "noise": 0.2}, split={"test_fraction": 0.25, "seed": 0},
            model={"sizes": (2, 8, 1), "hidden": "tanh", "loss": "bce"}, init_seed=0,
            warmup={"adam_steps": 1500, "gd_steps": 1500}, kick=0.05, steps=60, grid=41)
def regimes_moons(cfg) -> dict:
    """λ_max by power iteration on finite-difference Hessian-vector products at a trained θ*.
    Runs "slow" … "diverging" start at θ* + kick·v_top. Also "surface": the plane through θ* spanned by
    v_top and a random direction orthogonal to it (method "curvature"), so the bounce is visible."""
    prob = _moons_problem(cfg)
    th = prob.model.init(np.random.default_rng(cfg["init_seed"]))
    th = train(prob, optim.adam(0.05), th, steps=cfg["warmup"]["adam_steps"]).final_theta
    th = train(prob, optim.sgd(1.0), th, steps=cfg["warmup"]["gd_steps"]).final_theta.astype(float)
    curv = R.top_curvature(prob, th)
    out = _regime_runs(prob, th + cfg["kick"] * curv.vector, th, curv, cfg["steps"], "moons")
    out = {k: _with_meta(v, kick=cfg["kick"]) for k, v in out.items()}
    other = LS.random_directions(prob.model.layout, th, seed=0).vectors[0]
    other -= (other @ curv.vector) * curv.vector
    dirs = LS.Directions(th, np.stack([curv.vector, other / np.linalg.norm(other)]), "curvature",
                         {"first": "top Hessian eigenvector", "second": "random, orthogonalised, unit norm"})
    lim = 3 * cfg["kick"]
    out["surface"] = LS.surface(prob, dirs, np.linspace(-lim, lim, cfg["grid"]), np.linspace(-lim, lim, cfg["grid"]))
    return out
