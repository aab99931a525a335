"""Experiments behind the gradient-descent scenes: the single home of their
hyperparameters and seeds.

  descent_regimes   four learning rates on one bowl, chosen from λ_max, and the optimal 2/(λ_min+λ_max)
  descent_variants  batch / mini-batch / stochastic on the exact 2-parameter line fit
  descent_digits    the blog's MNIST experiment on the 8×8 digits: variants + batch-size sweep
  descent_race      six optimizers, each at its tuned η (nnviz.tuning's fair protocol), same start and
                    steps, on Rosenbrock, Beale and a saddle
  descent_surface   a moons MLP's trajectory over PCA / filter-normalised loss slices, and
                    analytic bowl / Rosenbrock surfaces
  descent_wells     plain GD vs momentum on two wells, plus seeded random restarts

Scenes and figures read these only through `experiments.load(name)`; the pure
helpers below (`roughness`, `excess_loss`) are what the claim tests and the drawings
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
from .. import tuning as T
from ..nn import MLP
from ..problems import NetworkProblem
from ..records import Run, Surface, Table
from ..train import Recording, train
from ..errors import lookup
from . import experiment

# --------------------------------------------------------------------------------------
# shared helpers (pure)
# --------------------------------------------------------------------------------------
REGIME_ORDER = ("slow", "smooth", "optimal", "oscillating", "diverging")  # R.REGIMES + the best rate
VARIANT_ORDER = ("batch", "minibatch", "stochastic")
RACE_ORDER = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


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
@experiment("descent_regimes", description="Four learning rates on one bowl, chosen by η·λ_max, and the best fixed rate",
            objective={"condition": 8.0, "angle": 0.45, "scale": 0.5}, start=(-2.5, -0.6), steps=40,
            eta_lambda={"slow": 0.1, "smooth": 0.9, "oscillating": 1.8, "diverging": 2.15}, grid=81)
def regimes(cfg):
    """λ_max is the Hessian's top eigenvalue at the minimum; each η is a stated multiple of 1/λ_max,
    classified by `nnviz.regimes.classify`. A fifth run, "optimal", uses the best fixed rate for a
    quadratic, η = 2/(λ_min + λ_max). Every run records its per-direction factors: one step multiplies
    the distance to the minimum along the steep (λ_max) and flat (λ_min) eigen-directions by
    |1 − ηλ_max| and |1 − ηλ_min|; the larger ("rate") sets how fast the run converges."""
    obj = O.quadratic(**cfg["objective"])
    prob = O.ObjectiveProblem(obj, params=cfg["objective"])
    minimum = np.array(obj.minima[0], float)
    curv = R.top_curvature(prob, minimum)
    lam = curv.value
    lam_min = float(np.linalg.eigvalsh(obj.hessian(minimum))[0])
    rates = R.demo_rates(lam, cfg["eta_lambda"])  # raises if a factor is not in its band
    rates["optimal"] = 2.0 / (lam_min + lam)
    out = {}
    for regime in REGIME_ORDER:
        lr = rates[regime]
        run = train(prob, optim.sgd(lr=lr), np.array(cfg["start"], float), steps=cfg["steps"], name=regime)
        steep, flat = abs(1 - lr * lam), abs(1 - lr * lam_min)
        out[regime] = with_meta(run, regime=regime, band=R.classify(lr, lam), eta_lambda=lr * lam,
                                lambda_max=lam, lambda_min=lam_min,
                                top_direction=np.asarray(curv.vector, float).tolist(),
                                factors={"steep": steep, "flat": flat}, rate=max(steep, flat))
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
            # full-data loss after every step (the per-epoch view reads the epochs' ends; SGD's
            # per-step loss shows the noise floor it cannot leave at a fixed η)
            rec = Recording(every=1, eval_every=1)
            run = train(prob, optim.sgd(lr=cfg["lr"]), theta0, batch_size=b, seed=cfg["seed"], record=rec,
                        name=f"{variant}_{match}", **kw)
            out[f"{variant}_{match}"] = with_meta(run, variant=variant, match=match, batch_size=b or prob.n,
                                                  roughness=roughness(run.thetas))
    surf = exact.wb_surface(prob, cfg["window"]["w"], cfg["window"]["b"], cfg["grid"])
    best = np.array(surf.meta["minimum"], float)  # the exact minimiser: its loss is the floor L*
    # the loss is quadratic in (w, b): its Hessian is the same everywhere; η·λ_max < 2 is batch GD's stable range
    lam = R.top_curvature(prob, best, method="power").value
    out["surface"] = with_meta_surface(surf, min_loss=float(prob.model.loss_value(best, prob.data.X, prob.data.Y)),
                                       lambda_max=float(lam))
    return out


@experiment("descent_digits", description="Batch / SGD / mini-batch and a batch-size sweep on 8×8 digits, η tuned per batch size",
            model={"sizes": (64, 32, 10), "hidden": "tanh", "loss": "cce"}, data={"seed": 0, "test_fraction": 0.25},
            init_seed=0, lr_grid=(0.03, 0.1, 0.2, 0.5, 1.0, 2.0), epochs=25, seed=5, minibatch=256,
            sweep=(16, 32, 64, 128, 256, 512), jump=5.0, evals_per_epoch=32)
def digits(cfg):
    """The blog's MNIST experiment at CPU size: same init, same epochs; η tuned per batch size on a
    shared log grid: the rate with the lowest final *training* loss among stable runs (the race's
    rule on the training loss per epoch: never diverges, never above its start after the first 10 %
    of epochs; and, for noisy mini-batch curves, never above `jump` × its lowest value so far after
    those epochs: a run that spikes 30× and recovers by luck is not stable); the test set plays no
    part in the choice. The chosen rate is then trained again (same seed: the same trajectory) with
    the full-data losses taken at least `evals_per_epoch` times per epoch (at most once per step,
    always at each epoch's end), so a small batch's loss is known within its first epoch. Each epoch's
    wall time (`Run.epoch_time`, a declared timing field, evaluation excluded) is the faster of its two
    timings (the grid's run and the retrain do the same updates): what the per-second view reads."""
    data = D.digits(**cfg["data"])
    model = MLP(**cfg["model"])
    prob = NetworkProblem(model, data)
    theta0 = model.init(np.random.default_rng(cfg["init_seed"]))
    rec = Recording(every=10 ** 9)  # keep only the first and last θ: curves are what we draw
    out = {}
    sizes = {"batch": None, "stochastic": 1, "minibatch": cfg["minibatch"]}
    sizes.update({f"b{b}": b for b in cfg["sweep"]})
    done = {}  # the sweep's b256 is the mini-batch run: train each batch size once
    for name, b in sizes.items():
        key = b or data.n
        if key not in done:
            runs = [train(prob, optim.sgd(lr=lr), theta0, epochs=cfg["epochs"], batch_size=b, seed=cfg["seed"],
                          record=rec, name=name) for lr in cfg["lr_grid"]]
            finals = [float(r.train_loss[-1]) if not r.diverged and np.isfinite(r.train_loss[-1]) else float("inf")
                      for r in runs]
            stable = [not r.diverged and steady(r.train_loss, cfg["jump"]) for r in runs]
            k = T.choose(np.array(finals), np.array(stable))
            spe = runs[k].config["steps_per_epoch"]
            # evaluate every k steps, k the largest divisor of the epoch's steps giving ≥ evals_per_epoch
            # evaluations per epoch: every epoch's end stays an evaluation (the per-epoch view reads those)
            k_eval = max(d for d in range(1, spe + 1) if spe % d == 0 and d * cfg["evals_per_epoch"] <= spe) \
                if spe >= cfg["evals_per_epoch"] else 1
            dense = Recording(every=10 ** 9, eval_every=k_eval)
            chosen = train(prob, optim.sgd(lr=cfg["lr_grid"][k]), theta0, epochs=cfg["epochs"], batch_size=b,
                           seed=cfg["seed"], record=dense, name=name)
            # each epoch was timed twice (the grid's run and this one: same seed, same updates, evaluation
            # excluded): keep the faster; another program on the CPU only ever adds time
            chosen = dataclasses.replace(chosen, epoch_time=faster_epochs(chosen.epoch_time, runs[k].epoch_time))
            done[key] = (chosen, finals, stable, k)
        chosen, finals, stable, k = done[key]
        run = dataclasses.replace(chosen, config={**chosen.config, "name": name})
        out[name] = with_meta(run, batch_size=key, lr=float(cfg["lr_grid"][k]),
                              tuning={"lrs": [float(x) for x in cfg["lr_grid"]], "final_train_loss": finals,
                                      "stable": stable, "chosen": k,
                                      "rule": "lowest final training loss among stable runs",
                                      "jump": cfg["jump"]},
                              timing=TIMING_RULE)
    return out


TIMING_RULE = "each epoch timed twice (same updates), the faster kept"


def faster_epochs(a, b) -> np.ndarray:
    """Per epoch, the faster of two timings of the same work (the digits runs' `epoch_time`)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"two timings of the same epochs must have one shape, got {a.shape} and {b.shape}")
    return np.minimum(a, b)


def steady(loss, jump: float, warmup: float = 0.1) -> bool:
    """The digits sweep's stability rule on a per-epoch loss curve: the race's rule
    (`tuning.stable_curve`: finite, never above its start after the first `warmup` share) and, after
    that share, never above `jump` × the lowest value reached before."""
    loss = np.asarray(loss, float)
    if not T.stable_curve(loss, warmup):
        return False
    w = max(int(np.ceil(warmup * loss.size)), 1)
    best = np.minimum.accumulate(loss)[w - 1:-1]
    return bool(np.all(loss[w:] <= jump * best))


# --------------------------------------------------------------------------------------
# 3. optimizer race
# --------------------------------------------------------------------------------------
RACES = {"rosenbrock": {"steps": 300}, "beale": {"steps": 300}, "saddle": {"steps": 40, "saddles": [(0.0, 0.0)]}}
# everything but η is fixed (the usual defaults); η is tuned per optimizer by the fair protocol
FIXED = {"gd": {}, "momentum": {"beta": 0.9}, "nesterov": {"beta": 0.9}, "adagrad": {}, "rmsprop": {"decay": 0.9},
         "adam": {"beta1": 0.9, "beta2": 0.999}}
OPTIMIZER_OF = {"gd": "sgd"}  # deterministic full-batch descent is `optim.sgd` run on the whole objective
TUNING = {"lo": 1e-5, "hi": 1.0, "per_decade": 5, "warmup": 0.1, "rtol": 0.01, "margin": 2}


def saddle_points(obj: O.Objective, points) -> list:
    """The stated saddle points of an objective, checked: zero gradient and a Hessian with
    eigenvalues of both signs (a way down and a way up)."""
    out = []
    for p in points:
        p = np.asarray(p, float)
        h = np.linalg.eigvalsh(obj.hessian(p))
        if np.linalg.norm(obj.gradient(p)) > 1e-9 or not (h.min() < 0 < h.max()):
            raise ValueError(f"{obj.name}: {p.tolist()} is not a saddle point (gradient {obj.gradient(p)}, "
                             f"Hessian eigenvalues {h})")
        out.append(tuple(float(v) for v in p))
    return out


def excess_loss(objective: O.Objective, theta) -> float:
    """f(θ) − f(θ*): what "final loss" means in the race (0 at the minimum, on every surface)."""
    return float(objective.value(np.asarray(theta, float))) - objective.min_value


@experiment("descent_race", description="Six optimizers, each at its tuned η (fair protocol), on three surfaces",
            races=RACES, fixed=FIXED, tuning=TUNING, grid=121)
def race(cfg):
    """Records '<surface>__<optimizer>' (the run at its chosen η), '<surface>__tuning' (the whole η grid:
    final loss per η per optimizer, stability, chosen η, ranking, robustness verdict) and
    '<surface>__surface', '<surface>__probes' (the loss curves behind the tuning's verdicts, see
    `race_probes`). Start and step budget are shared; η comes from `nnviz.tuning.tune`."""
    out = {}
    for surf, spec in cfg["races"].items():
        obj = O.get(surf)
        prob = O.ObjectiveProblem(obj)
        theta0 = np.array(obj.start, float)
        fixed = {OPTIMIZER_OF.get(o, o): h for o, h in cfg["fixed"].items()}
        tuned = T.tune(prob, theta0, spec["steps"], fixed, lambda th, obj=obj: excess_loss(obj, th), name=surf,
                       **cfg["tuning"])
        rename = {OPTIMIZER_OF.get(o, o): o for o in cfg["fixed"]}
        meta = {**tuned.meta, "ranking": [[rename[n] for n in p] for p in tuned.meta["ranking"]],
                "winner": [rename[n] for n in tuned.meta["winner"]],
                "chosen_lr": {rename[n]: v for n, v in tuned.meta["chosen_lr"].items()},
                "chosen_final": {rename[n]: v for n, v in tuned.meta["chosen_final"].items()},
                "place_reach": {rename[n]: v for n, v in tuned.meta["place_reach"].items()},
                "place_level": {rename[n]: v for n, v in tuned.meta["place_level"].items()},
                "names": [rename[n] for n in tuned.optimizers], "min_value": obj.min_value,
                "rtol": cfg["tuning"]["rtol"]}
        out[f"{surf}__tuning"] = dataclasses.replace(tuned, meta=meta)
        out[f"{surf}__probes"] = race_probes(prob, obj, theta0, tuned, fixed, rename, spec["steps"],
                                             cfg["tuning"]["warmup"])
        for name in cfg["fixed"]:
            hyper = {"lr": meta["chosen_lr"][name], **cfg["fixed"][name]}
            run = train(prob, optim.make(OPTIMIZER_OF.get(name, name), **hyper), theta0, steps=spec["steps"],
                        name=f"{surf}/{name}")
            out[f"{surf}__{name}"] = with_meta(run, optimizer=name, surface=surf, hyper=hyper,
                                               final_loss=excess_loss(obj, run.final_theta))
        out[f"{surf}__surface"] = with_meta_surface(_objective_surface(obj, cfg["grid"]), ranking=meta["ranking"],
                                                    verdict=meta["verdict"], steps=spec["steps"],
                                                    start=list(obj.start),
                                                    saddles=[list(p) for p in saddle_points(obj, spec.get("saddles", ()))])
    return out


def race_probes(prob, obj, theta0, tuned, fixed, rename, steps: int, warmup: float) -> Table:
    """The loss curves behind the tuning's verdicts: per optimizer, the run at its chosen η, at every
    unstable η between two stable ones (a gap in its curve) and at the first two unstable η above the
    chosen one (the edge: how the next rates fail, by a late rise or by a blow-up). Columns: optimizer index (into meta["names"]), grid index and η, the loss at every
    step before the last (as `Run.loss`; nan after a divergence) and λ_max, the largest Hessian eigenvalue where each step starts (how
    steep the surface is under it: plain GD is stable only while η·λ_max < 2)."""
    rows = []
    for o, name in enumerate(tuned.optimizers):
        S = tuned.stable[o].astype(bool)
        k = int(tuned.chosen[o])
        if k < 0:
            continue
        st = np.flatnonzero(S)
        gaps = [int(j) for j in np.flatnonzero(~S[st[0]:st[-1]]) + st[0]]
        above = np.flatnonzero(~S & (np.arange(len(S)) > k))
        for j in sorted({k, *gaps, *(int(a) for a in above[:2])}):
            run = train(prob, optim.make(name, lr=float(tuned.lrs[j]), **fixed[name]), theta0, steps=steps,
                        name=f"{obj.name}/{name}/probe")
            loss = np.full(steps, np.nan)  # loss[t] at θ_t, t < steps (as Run.loss)
            lam = np.full(steps, np.nan)
            n = min(len(run.loss), steps)
            loss[:n] = run.loss[:n]
            for t, th in enumerate(np.asarray(run.thetas, float)[:n]):
                if np.all(np.isfinite(th)):
                    lam[t] = float(np.linalg.eigvalsh(obj.hessian(th)).max())
            rows.append((o, j, float(tuned.lrs[j]), loss, lam, int(run.diverged_at)))
    cols = list(zip(*rows))
    return Table(config={"surface": obj.name, "steps": steps, "warmup": warmup},
                 columns={"optimizer": np.array(cols[0], int), "lr_index": np.array(cols[1], int),
                          "lr": np.array(cols[2], float), "loss": np.array(cols[3]), "lam_max": np.array(cols[4]),
                          "diverged_at": np.array(cols[5], int)},
                 meta={"names": [rename[n] for n in tuned.optimizers], "start_loss": float(obj.value(theta0)),
                       "warmup_step": int(np.ceil(warmup * steps))})


def race_verdict(meta: dict, label=str, lrs=None, chosen=None) -> str:
    """The tuning record's robustness verdict in words (what the race scene and still say).
    `label` turns an optimizer key into its display name. With the tuning record's `lrs` and the
    winner's chosen grid index, "within noise" names the neighbouring rates and what they give."""
    win = [label(n) for n in meta["winner"]]
    finals = meta.get("chosen_final", {})
    if meta["verdict"] == "tie":
        vals = [finals[n] for n in meta["winner"] if n in finals]
        if vals and max(vals) <= T.ATOL:
            return (f"{', '.join(win[:-1])} and {win[-1]} tie: all end at the minimum up to round-off "
                    f"(f − f* < {power_of_ten(T.ATOL)})")
        return f"{' = '.join(win)} tie (final losses within {meta.get('rtol', 0.01):.0%} of each other)"
    if meta["verdict"] == "robust":
        w = meta["winner"][0]
        nb = meta.get("neighbours", {})
        others = {n: f for n, f in finals.items() if n != w}
        if lrs is not None and chosen is not None and others and all(np.isfinite(nb.get(k, np.inf))
                                                                      for k in ("lower", "higher")):
            best = min(others, key=others.get)
            return (f"{win[0]} wins, and stays first with its η one grid step lower (η={lrs[chosen - 1]:.2g}: "
                    f"{loss_words(nb['lower'])}) or higher (η={lrs[chosen + 1]:.2g}: {loss_words(nb['higher'])}), "
                    f"both below {label(best)}'s {loss_words(others[best])}")
        return f"{win[0]} wins, and stays first with its η one grid step lower or higher"
    # within noise: the winner loses first place when its η moves one grid step
    w = meta["winner"][0]
    others = {n: f for n, f in finals.items() if n != w}
    parts = []
    for side in ("higher", "lower"):
        f = meta["neighbours"][side]
        at = ""
        if lrs is not None and chosen is not None:
            j = chosen + (1 if side == "higher" else -1)
            at = f" (η={lrs[j]:.2g})" if 0 <= j < len(lrs) else ""
        if not np.isfinite(f):
            parts.append(f"one grid step {side}{at} it is unstable")
        elif others and f >= min(others.values()):
            best = min(others, key=others.get)
            place = 1 + sum(v < f for v in others.values())
            parts.append(f"one step {side}{at} it ends at {f:.2g}, behind {label(best)} "
                         f"({ordinal(place)} of {len(others) + 1})")
    why = "; ".join(parts) if parts else "one grid step away in η it drops behind"
    return f"{win[0]} is first, but the ranking is fragile: {why}"


# what the race scenes and stills read off the records (shared, so video and still agree)
def first_below(run, min_value: float, threshold: float):
    """The first step whose recorded loss is within `threshold` of the minimum (None if never)."""
    hit = np.flatnonzero(np.asarray(run.train_loss, float) - min_value < threshold)
    return int(run.steps[hit[0]]) if hit.size else None


def finish_order(surf) -> list:
    """The recorded ranking, best first, as one list: inside a tie (final losses tied) the tuning's
    tie-break has already put the run that first reaches the tied level first."""
    return [n for place in surf.meta["ranking"] for n in place]


def at_edge(tuning, name: str) -> bool:
    """Is this optimizer's chosen η its last stable one (the next grid rate is unstable)?"""
    i = tuning.meta["names"].index(name)
    k = int(tuning.chosen[i])
    return 0 <= k < len(tuning.lrs) - 1 and not bool(tuning.stable[i, k + 1])


def loss_words(f: float) -> str:
    """A loss as the race shows it: 0.0022, 4.6×10⁻⁶, < 10⁻¹² at round-off (no code notation)."""
    if f <= T.ATOL:
        return f"< {power_of_ten(T.ATOL)}"
    if f >= 1e-4:
        return f"{f:.2g}"
    m, e = f"{f:.1e}".split("e")
    return f"{m}×{power_of_ten(10.0 ** int(e))}"


def momentum_gain(run) -> float:
    """How many plain-GD steps one step of `run` is worth on the way in, from its record: the median over
    the last half of |θₜ₊₁ − θₜ| / (ηₜ·|∇f(θₜ)|) (1 for GD; up to 1/(1 − β) once a velocity has built up)."""
    th = np.asarray(run.thetas, float)
    steps = np.linalg.norm(np.diff(th, axis=0), axis=1)
    n = min(len(steps), len(run.grad_norm))
    ratio = steps[:n] / (np.asarray(run.lr, float)[:n] * np.asarray(run.grad_norm, float)[:n])
    return float(np.median(ratio[n // 2:]))


RACE_NAMES = {"gd": "GD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
              "rmsprop": "RMSprop", "adam": "Adam"}


# the race's reasons in words, from its records (the scenes and the still say the same)
def swings(run, tol: float = 0.01) -> int:
    """How often a path crosses x = 0 (moves of x from below −tol to above +tol or back)."""
    x = np.asarray(run.thetas, float)[:, 0]
    side = np.sign(x[np.abs(x) > tol])
    return int(np.sum(side[1:] != side[:-1]))


def times(n: int) -> str:
    words = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times"}
    return words.get(n, f"{n} times")


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def last_step(run) -> float:
    th = np.asarray(run.thetas, float)
    return float(np.linalg.norm(th[-1] - th[-2]))


def leaders_text(runs, names=("momentum", "nesterov"), width=33) -> str:
    """Why Momentum and Nesterov lead on Rosenbrock: on the valley floor their steps are many times
    η·|g| (the velocity adds up past steps), GD's exactly 1× — measured from the records."""
    gain = {n: momentum_gain(runs[n]) for n in (*names, "gd")}
    beta = runs[names[0]].meta["hyper"]["beta"]
    return wrap_words(f"{RACE_NAMES[names[0]]} and {RACE_NAMES[names[1]]} keep a velocity (β = {beta:g}): on the flat valley "
                      f"floor their steps are {gain[names[0]]:.0f}× and {gain[names[1]]:.0f}× η·|g|, GD's "
                      f"{gain['gd']:.0f}×.", width)


def wrap_words(s: str, width: int) -> str:
    lines, cur = [], ""
    for w in s.split():
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return "\n".join(lines + [cur])


def power_of_ten(x: float) -> str:
    """1e-12 → '10⁻¹²' (x a power of ten)."""
    k = int(round(np.log10(x)))
    return "10" + str(k).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def step_lengths(thetas) -> np.ndarray:
    """Length of every step of a path (θₜ₊₁ − θₜ)."""
    return np.linalg.norm(np.diff(np.asarray(thetas, float), axis=0), axis=1)


def zigzag(thetas, start: float = 0.5) -> float:
    """Path length over net distance gained, over the last `1 − start` share of the steps:
    1 for a straight walk, ≫ 1 for a path that mostly bounces across a valley."""
    th = np.asarray(thetas, float)[int(start * (len(thetas) - 1)):]
    gained = float(np.linalg.norm(th[-1] - th[0]))
    return float(step_lengths(th).sum() / gained) if gained > 0 else float("inf")


def with_meta_surface(s: Surface, **meta) -> Surface:
    return dataclasses.replace(s, meta={**s.meta, **meta})


# --------------------------------------------------------------------------------------
# 4. loss surface of a real network
# --------------------------------------------------------------------------------------
@experiment("descent_surface", description="A moons MLP's descent over PCA and filter-normalised loss slices",
            data={"n": 200, "seed": 0, "noise": 0.15}, model={"sizes": (2, 8, 1), "hidden": "tanh", "loss": "bce"},
            init_seed=2, optimizer={"name": "momentum", "lr": 0.3, "beta": 0.9}, steps=300, grid=65, margin=0.25,
            direction_seed=7, random_half_width=1.0,
            analytic={"bowl": {"condition": 4.0, "angle": 0.5, "scale": 0.5}, "bowl_lr": 0.35, "bowl_steps": 25,
                      "rosenbrock_opt": {"name": "momentum", "lr": 1e-3, "beta": 0.9}, "rosenbrock_steps": 300},
            analytic_grid=81)
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
    lam, vec = np.linalg.eigh(bowl.hessian(np.array(bowl.minima[0], float)))
    # the bowl's curvature along its flat and steep axes (why the path bends: the slope across is steeper)
    out["bowl"] = with_meta_surface(_objective_surface(bowl, cfg["analytic_grid"]), curvatures=lam.tolist(),
                                    axes=vec.T.tolist())
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
    """Every run records which well it ends in (meta "well": "deep" | "shallow", the nearer minimum of
    its last θ) with both minima; the momentum run records its velocity (state) at every step.
    "gd_big" is plain GD at η/(1−β), momentum's top speed on a steady slope, from the same start
    (is momentum just a bigger η?), and both again from the range's left end ("gd_big_left",
    "momentum_left"); restarts record the uniform range their starts are drawn from."""
    obj = O.two_wells()
    prob = O.ObjectiveProblem(obj)
    minima = [m[0] for m in obj.minima]  # deep (global) first, then shallow
    x0 = np.array([cfg["start"]])

    def verdict(run):
        return with_meta(run, minima=minima, well=well_of(float(run.final_theta[0]), minima))

    big = cfg["lr"] / (1 - cfg["beta"])  # momentum's top speed on a steady slope, as a fixed plain-GD rate
    out = {"gd": verdict(train(prob, optim.sgd(lr=cfg["lr"]), x0, steps=cfg["steps"], name="gd")),
           "gd_big": with_meta(verdict(train(prob, optim.sgd(lr=big), x0, steps=cfg["steps"], name="gd_big")),
                               rule="η/(1−β)"),
           # the same two from the other end of the range (inside the deep well's basin): a fixed big step
           # is blind there too, momentum's is earned on the slope
           "gd_big_left": with_meta(verdict(train(prob, optim.sgd(lr=big), np.array([obj.domain[0][0]]),
                                                  steps=cfg["steps"], name="gd_big_left")), rule="η/(1−β)"),
           "momentum_left": verdict(train(prob, optim.momentum(lr=cfg["lr"], beta=cfg["beta"]),
                                          np.array([obj.domain[0][0]]), steps=cfg["steps"], name="momentum_left")),
           "momentum": verdict(train(prob, optim.momentum(lr=cfg["lr"], beta=cfg["beta"]), x0, steps=cfg["steps"],
                                     record=Recording(every=1, state=True), name="momentum"))}
    lo, hi = obj.domain[0]
    starts = np.random.default_rng(cfg["restart_seed"]).uniform(lo, hi, cfg["restarts"])
    for i, s in enumerate(starts):
        out[f"restart{i}"] = with_meta(verdict(train(prob, optim.sgd(lr=cfg["lr"]), np.array([s]), steps=cfg["steps"],
                                                     name=f"restart{i}")), start_range=[float(lo), float(hi)])
    out["curve"] = L.objective_surface(obj, cfg["grid"])  # (1, grid): f on the plotting domain
    return out


def well_of(x: float, minima) -> str:
    """"deep" or "shallow": which of the two minima (deep first) x is nearer to."""
    return "deep" if abs(x - minima[0]) <= abs(x - minima[1]) else "shallow"
