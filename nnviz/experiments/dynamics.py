"""Experiments behind the "how training behaves" lectures: the single home of their
hyperparameters and seeds.

  dynamics_momentum        Distill's "Why Momentum Really Works": a β sweep at η* on an
                           ill-conditioned quadratic, the optimum β* marked, plain GD tuned too
  dynamics_lr_decay        SGD with a fixed rate vs step / exponential / inverse-time / cosine decay
                           on the exact line-fit surface
  dynamics_regularization  L2 vs L1 on an exact 2-parameter problem (exact optimum per λ), then
                           weight histograms of a small network with none / L2 / L1
  dynamics_fitting         under- and overfitting: capacity sweep, train/validation/test curves,
                           early stopping on the validation split
  dynamics_memory          peak memory of one training step vs batch size, against the prediction
                           from layer widths and dtype
  dynamics_autodiff        one neuron's loss as a recorded reverse-mode graph, checked against the MLP

The pure helpers below (rates, fits, exact optima) are what the claim tests, the scenes and
the figures share.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import landscape as L
from .. import objectives as O
from .. import optim
from ..records import Run, Table
from ..train import Recording, train
from . import experiment


def with_meta(run: Run, **meta) -> Run:
    return dataclasses.replace(run, meta={**run.meta, **meta})


# --------------------------------------------------------------------------------------
# momentum (Goh 2017, "Why Momentum Really Works"; Polyak 1964)
# --------------------------------------------------------------------------------------
def momentum_optimum(lam_min: float, lam_max: float) -> tuple[float, float, float]:
    """(η*, β*, ρ*) of the heavy ball on a quadratic with Hessian eigenvalues in [λmin, λmax]:
    η* = (2/(√λmin + √λmax))², β* = ((√κ−1)/(√κ+1))², rate ρ* = (√κ−1)/(√κ+1), κ = λmax/λmin."""
    k = np.sqrt(lam_max / lam_min)
    return float((2.0 / (np.sqrt(lam_min) + np.sqrt(lam_max))) ** 2), float(((k - 1) / (k + 1)) ** 2), \
        float((k - 1) / (k + 1))


def heavy_ball_rate(beta: float, eta: float, lams) -> float:
    """Theory: the worst root modulus of r² − (1 + β − ηλ) r + β = 0 over the eigenvalues λ —
    the factor the distance to the minimum shrinks by per step (> 1: diverges)."""
    return float(max(np.max(np.abs(np.roots([1.0, -(1.0 + beta - eta * lam), beta]))) for lam in lams))


def distances(run: Run, minimum) -> np.ndarray:
    """‖θ_k − θ*‖ at the recorded steps."""
    return np.linalg.norm(run.thetas - np.asarray(minimum, float), axis=1)


def fit_rate(d, start: int = 10, floor: float = 1e-10, critical: bool = False) -> float:
    """Measured convergence rate ρ: exp of the least-squares slope of log d_k against k.

    Uses k ≥ `start` (or the second half of a short run) while d_k > floor·d_0, above rounding.
    `critical`: fit log(d_k / k) instead — at critical damping (a double root) d_k ∝ k·ρᵏ.
    """
    d = np.asarray(d, float)
    k = np.arange(d.size, dtype=float)
    keep = (d > floor * d[0]) & np.isfinite(d) & (k >= min(start, d.size // 2)) & (k > 0)
    y = np.log(d[keep]) - (np.log(k[keep]) if critical else 0.0)
    if y.size < 2:
        return float("nan")
    return float(np.exp(np.polyfit(k[keep], y, 1)[0]))


@experiment("dynamics_momentum", description="Momentum's β swept at η* on an ill-conditioned bowl; β* marked",
            objective={"condition": 100.0, "angle": 0.35, "scale": 0.01}, start=(-2.6, -1.2), steps=160,
            betas=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99), second_eta="gd",
            shown=(0.9, 0.99), domain=((-3.0, 3.0), (-2.0, 2.0)), grid=121, fit_start=10)
def momentum_sweep(cfg):
    """Runs at (η*, β) for each β of the grid, one at exactly (η*, β*), plain GD at its own best
    η = 2/(λmin+λmax), and the same β grid at that smaller η (the optimum is joint in η and β)."""
    o = cfg["objective"]
    obj = O.quadratic(**o)
    prob = O.ObjectiveProblem(obj, params=o)
    lams = (o["scale"], o["scale"] * o["condition"])
    eta, beta_star, rho_star = momentum_optimum(*lams)
    eta_gd = 2.0 / (lams[0] + lams[1])
    theta0 = np.array(cfg["start"], float)
    rec = Recording(every=1)

    def run(eta_, beta, name):
        r = train(prob, optim.momentum(lr=eta_, beta=beta), theta0, steps=cfg["steps"], record=rec, name=name)
        d = distances(r, obj.minima[0])
        return with_meta(r, eta=eta_, beta=beta, rate=fit_rate(d, cfg["fit_start"]),
                         theory_rate=heavy_ball_rate(beta, eta_, lams))

    out = {}
    rates = {"star": [], "gd": []}
    for i, beta in enumerate(cfg["betas"]):
        for which, e in (("star", eta), ("gd", eta_gd)):
            r = out[f"{which}_{i}"] = run(e, beta, f"{which}_{i}")
            rates[which].append(r.meta["rate"])
    best = run(eta, beta_star, "optimum")
    best = with_meta(best, rate=fit_rate(distances(best, obj.minima[0]), cfg["fit_start"], critical=True))
    out["optimum"] = best
    gd = run(eta_gd, 0.0, "gd_tuned")
    out["gd_tuned"] = with_meta(gd, rate=fit_rate(distances(gd, obj.minima[0]), cfg["fit_start"]))
    fine = np.linspace(0.0, 0.995, 400)
    out["sweep"] = Table(
        config={"objective": o, "betas": list(cfg["betas"])},
        columns={"beta": np.array(cfg["betas"], float), "rate_star": np.array(rates["star"]),
                 "rate_gd": np.array(rates["gd"]), "theory_beta": fine,
                 "theory_star": np.array([heavy_ball_rate(b, eta, lams) for b in fine]),
                 "theory_gd": np.array([heavy_ball_rate(b, eta_gd, lams) for b in fine])},
        meta={"lambda_min": lams[0], "lambda_max": lams[1], "kappa": lams[1] / lams[0], "eta_star": eta,
              "beta_star": beta_star, "rho_star": rho_star, "eta_gd": eta_gd,
              "gd_theory_rate": (lams[1] - lams[0]) / (lams[1] + lams[0]),
              "stable_beta_min": eta * lams[1] / 2.0 - 1.0,
              "shown": list(cfg["shown"]), "fit_start": cfg["fit_start"]})
    out["surface"] = L.objective_surface(obj, cfg["grid"], domain=cfg["domain"])
    return out
