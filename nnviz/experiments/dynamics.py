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
import time

import numpy as np

from .. import autodiff as AD  # importing it also registers the Graph record type
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


# --------------------------------------------------------------------------------------
# learning-rate decay
# --------------------------------------------------------------------------------------
SCHEDULE_ORDER = ("constant", "step", "exponential", "inverse_time", "cosine")


def make_schedule(kind: str, lr: float, steps: int, final: float):
    """The schedule `kind` starting at `lr`, sized to the step budget: step halves 4 times, exponential
    and inverse-time reach lr·`final` at the last step, cosine anneals to 0 over the budget."""
    from .. import schedules as S

    return {"constant": lambda: S.constant(lr),
            "step": lambda: S.step_decay(lr, 0.5, steps // 4),
            "exponential": lambda: S.exponential(lr, float(np.log(1.0 / final)) / steps),
            "inverse_time": lambda: S.inverse_time(lr, (1.0 / final - 1.0) / steps),
            "cosine": lambda: S.cosine(lr, steps, 0.0)}[kind]()


def tail_distance(run: Run, minimum, k: int) -> float:
    """Mean distance to the minimum over the last k recorded θ (the size of the noise ball)."""
    return float(np.mean(distances(run, minimum)[-k:]))


@experiment("dynamics_lr_decay", description="SGD: a fixed rate's noise ball vs four decay schedules",
            data={"n": 64, "seed": 3, "w": 2.0, "b": -1.0, "noise": 0.4}, start=(-2.0, 2.5), lr=0.3,
            steps=400, final=0.05, batch_size=1, seeds=(0, 1, 2, 3, 4), shown_seed=0, tail=50, zoom=0.9, grid=81)
def lr_decay(cfg):
    """Same start, same first η, same example order (seed) and step budget for every schedule;
    stochastic gradient (b = 1) on the exact line fit, repeated over a few seeds for robustness."""
    from .. import exact

    prob = exact.linear_regression(**cfg["data"])
    w0 = exact.fit(prob)
    theta0 = np.array(cfg["start"], float)
    out, tails = {}, {k: [] for k in SCHEDULE_ORDER}
    for kind in SCHEDULE_ORDER:
        for seed in cfg["seeds"]:
            sched = make_schedule(kind, cfg["lr"], cfg["steps"], cfg["final"])
            run = train(prob, optim.sgd(lr=sched), theta0, steps=cfg["steps"], batch_size=cfg["batch_size"],
                        seed=seed, record=Recording(every=1), name=f"{kind}_{seed}")
            tails[kind].append(tail_distance(run, w0, cfg["tail"]))
            out[f"{kind}_{seed}"] = with_meta(run, schedule=kind, seed=seed, tail_distance=tails[kind][-1])
    out["tails"] = Table(config={"seeds": list(cfg["seeds"]), "tail": cfg["tail"], "data": cfg["data"]},
                        columns={k: np.array(v) for k, v in tails.items()},
                        meta={"minimum": [float(v) for v in w0], "shown_seed": cfg["shown_seed"],
                              "tail": cfg["tail"], "lr": cfg["lr"], "steps": cfg["steps"], "order": list(SCHEDULE_ORDER),
                              "zoom": cfg["zoom"]})
    z = cfg["zoom"]
    out["surface"] = exact.wb_surface(prob, (w0[0] - z, w0[0] + z), (w0[1] - z, w0[1] + z), cfg["grid"])
    return out


def trailing_mean(values, k: int) -> np.ndarray:
    """Mean of the last ≤ k values at every position (the first k−1 average what there is)."""
    v = np.asarray(values, float)
    c = np.cumsum(np.r_[0.0, v])
    i = np.arange(1, v.size + 1)
    return (c[i] - c[np.maximum(i - k, 0)]) / np.minimum(i, k)


# --------------------------------------------------------------------------------------
# regularisation: L2 vs L1
# --------------------------------------------------------------------------------------
def quadratic_fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The data loss J(w) = (1/2m)‖Xw − y‖² as (A, b, c) with J = ½wᵀAw − bᵀw + c."""
    m = len(y)
    return X.T @ X / m, X.T @ y / m, float(y @ y / (2 * m))


def l2_optimum(A, b, lam: float) -> np.ndarray:
    """argmin ½wᵀAw − bᵀw + λ‖w‖²: (A + 2λI) w = b (the MLP's convention: penalty λΣw², gradient 2λw)."""
    return np.linalg.solve(A + 2.0 * lam * np.eye(len(b)), b)


def l1_optimum(A, b, lam: float) -> np.ndarray:
    """argmin ½wᵀAw − bᵀw + λ‖w‖₁ in two dimensions, exactly: try every support and sign pattern,
    solve its stationarity equations, keep the candidates whose KKT conditions hold (sign
    consistency; |∂J/∂w_j| ≤ λ where w_j = 0), and return the one of least objective."""
    A, b = np.asarray(A, float), np.asarray(b, float)
    n = len(b)
    best, best_f = np.zeros(n), None
    import itertools

    for support in itertools.product((False, True), repeat=n):
        idx = np.flatnonzero(support)
        for signs in itertools.product((-1.0, 1.0), repeat=len(idx)):
            w = np.zeros(n)
            if len(idx):
                s = np.array(signs)
                w[idx] = np.linalg.solve(A[np.ix_(idx, idx)], b[idx] - lam * s)
                if np.any(np.sign(w[idx]) != s):
                    continue
            g = A @ w - b                                   # gradient of the smooth part
            off = np.setdiff1d(np.arange(n), idx)
            if np.any(np.abs(g[off]) > lam * (1 + 1e-12) + 1e-15):
                continue
            f = 0.5 * w @ A @ w - b @ w + lam * np.abs(w).sum()
            if best_f is None or f < best_f:
                best, best_f = w, f
    return best


def l1_zero_lambda(A, b) -> tuple[float, int]:
    """The λ at which the L1 path first sets a weight exactly to zero, and which weight: along the
    segment where both are non-zero, w(λ) = A⁻¹(b − λs) with s the signs at λ = 0."""
    w0 = np.linalg.solve(A, b)
    s = np.sign(w0)
    v = np.linalg.solve(A, s)
    lams = np.where(v * w0 > 0, w0 / np.where(v == 0, np.inf, v), np.inf)  # where w_j(λ) = 0
    j = int(np.argmin(lams))
    return float(lams[j]), j


def weights_of(model, theta) -> np.ndarray:
    """All weights (not biases) of an MLP, flat: what the penalties act on."""
    return np.concatenate([model.weights(theta, i)[0].ravel() for i in range(1, model.n_layers + 1)])


@experiment("dynamics_regularization", description="L2 vs L1: exact optimum paths on a 2-weight fit; "
            "weight histograms of a digits network",
            fit={"n": 200, "seed": 4, "w": (2.0, 0.6), "corr": 0.6, "noise": 0.5}, lambdas=121, lam_max=2.2,
            window=((-0.5, 2.7), (-0.8, 1.6)), grid=121,
            net={"sizes": (64, 32, 10), "hidden": "tanh", "loss": "cce"}, penalties={"none": 0.0, "l2": 1e-3,
                                                                                  "l1": 1e-3},
            lr=0.01, epochs=30, batch_size=64, init_seed=0, seed=1, bins=41, hist_range=1.2, small=0.01)
def regularization(cfg):
    """Part 1: a two-feature least-squares fit with correlated features, whose loss surface is exact;
    the regularised optimum per λ in closed form (L2) and by exact active-set enumeration (L1).
    Part 2: the same penalties on a 64-32-10 digits network (Adam, same init and batches)."""
    from .. import data as D
    from ..nn import MLP
    from ..problems import NetworkProblem

    f = cfg["fit"]
    rng = np.random.default_rng(f["seed"])
    C = np.array([[1.0, f["corr"]], [f["corr"], 1.0]])
    X = rng.normal(size=(f["n"], 2)) @ np.linalg.cholesky(C).T
    y = X @ np.array(f["w"]) + f["noise"] * rng.normal(size=f["n"])
    A, b, c = quadratic_fit(X, y)
    lams = np.linspace(0.0, cfg["lam_max"], cfg["lambdas"])
    lam0, j0 = l1_zero_lambda(A, b)
    lams = np.sort(np.r_[lams, lam0])                       # the breakpoint itself is on the path
    w_l2 = np.array([l2_optimum(A, b, lam) for lam in lams])
    w_l1 = np.array([l1_optimum(A, b, lam) for lam in lams])
    (x0, x1), (y0, y1) = cfg["window"]
    xs, ys = np.linspace(x0, x1, cfg["grid"]), np.linspace(y0, y1, cfg["grid"])
    W = np.stack(np.meshgrid(xs, ys), axis=-1)
    loss = 0.5 * np.einsum("...i,ij,...j->...", W, A, W) - W @ b + c
    from ..records import Surface

    out = {"surface": Surface(config={"fit": f}, method="analytic", xs=xs, ys=ys, loss=loss, origin=np.zeros(2),
                              directions=np.eye(2), meta={"axes": ["w1", "w2"], "minima": [np.linalg.solve(A, b).tolist()]}),
           "path": Table(config={"fit": f}, columns={"lambda": lams, "l2": w_l2, "l1": w_l1},
                         meta={"A": A.tolist(), "b": b.tolist(), "c": c, "w_ls": np.linalg.solve(A, b).tolist(),
                               "lambda_zero": lam0, "zero_index": j0})}
    data = D.digits(seed=0)
    edges = np.linspace(-cfg["hist_range"], cfg["hist_range"], cfg["bins"] + 1)
    counts, stats = {}, {}
    for name, lam in cfg["penalties"].items():
        model = MLP(**cfg["net"], **({name: lam} if lam else {}))
        theta0 = model.init(np.random.default_rng(cfg["init_seed"]))
        run = train(NetworkProblem(model, data), optim.adam(cfg["lr"]), theta0, epochs=cfg["epochs"],
                    batch_size=cfg["batch_size"], seed=cfg["seed"], record=Recording(every=10 ** 9),
                    name=f"net_{name}")
        w = weights_of(model, run.final_theta)
        counts[name] = np.histogram(np.clip(w, edges[0], edges[-1]), edges)[0]
        stats[name] = {"rms": float(np.sqrt(np.mean(w ** 2))), "small": float(np.mean(np.abs(w) < cfg["small"])),
                       "test_acc": float(run.test_acc[-1]), "train_acc": float(run.train_acc[-1]), "lambda": lam}
        out[f"net_{name}"] = with_meta(run, penalty=name, **stats[name])
    out["histogram"] = Table(config={"net": cfg["net"], "penalties": cfg["penalties"]},
                             columns={"edges": edges, **counts},
                             meta={"stats": stats, "small": cfg["small"], "order": list(cfg["penalties"]),
                                   "n_weights": int(sum(counts["none"]))})
    return out


def level_ellipse(A, center, w, n: int = 240) -> np.ndarray:
    """The loss contour through w of the quadratic J(v) = ½(v − c)ᵀA(v − c) + const (A symmetric
    positive definite, c its minimum): (n, 2) points v with J(v) = J(w) — the contour a penalty
    ball touches at the regularised optimum w."""
    A, c, w = np.asarray(A, float), np.asarray(center, float), np.asarray(w, float)
    lam, Q = np.linalg.eigh(A)
    r = float(np.sqrt(max((w - c) @ A @ (w - c), 0.0)))
    t = np.linspace(0.0, 2 * np.pi, n)
    return c + (Q @ (np.c_[np.cos(t), np.sin(t)] * (r / np.sqrt(lam))).T).T


# --------------------------------------------------------------------------------------
# under- and overfitting, early stopping
# --------------------------------------------------------------------------------------
FIT_ORDER = ("under", "right", "over")


def early_stop(validation_loss) -> int:
    """Early stopping's choice: the index of the lowest validation loss (the first, on ties)."""
    return int(np.argmin(np.asarray(validation_loss, float)))


@experiment("dynamics_fitting", description="Under- and overfitting on noisy sine data; early stopping on a "
            "validation split",
            data={"n": 60, "seed": 3, "noise": 0.25}, split={"validation_fraction": 0.25, "test_fraction": 0.25,
                                                            "seed": 0},
            models={"under": (1, 1), "right": (1, 4, 1), "over": (1, 64, 64, 1)}, hidden="tanh", lr=0.002,
            steps=4000, every=25, init_seed=0, grid=150)
def fitting(cfg):
    """Three capacities trained the same way (Adam, full batch, same init seed) on the training part of
    one noisy data set; the loss on train / validation / test is evaluated at every recorded θ, and the
    fitted curve on a grid of x. The validation part chooses the stopping step; the test part only reports."""
    from .. import data as D
    from ..nn import MLP
    from ..problems import NetworkProblem

    split = D.sine(**cfg["data"]).split3(**cfg["split"])
    lo, hi = float(split.train.X.min()), float(split.train.X.max())
    pad = 0.05 * (hi - lo)
    xs = np.linspace(lo - pad, hi + pad, cfg["grid"])
    out = {"data": Table(config={"data": cfg["data"], "split": cfg["split"]},
                         columns={"x_train": split.train.X[:, 0], "y_train": split.train.Y[:, 0],
                                  "x_validation": split.validation.X[:, 0], "y_validation": split.validation.Y[:, 0],
                                  "x_test": split.test.X[:, 0], "y_test": split.test.Y[:, 0], "grid": xs,
                                  "truth": np.sin(xs)},
                         meta={"noise": cfg["data"]["noise"], "truth": "sin(x)"})}
    for name in FIT_ORDER:
        model = MLP(tuple(cfg["models"][name]), hidden=cfg["hidden"], loss="mse")
        theta0 = model.init(np.random.default_rng(cfg["init_seed"]))
        run = train(NetworkProblem(model, split.with_test("validation")), optim.adam(cfg["lr"]), theta0,
                    steps=cfg["steps"], record=Recording(every=cfg["every"]), name=name)
        losses = {part: np.array([model.loss_value(th, getattr(split, part).X, getattr(split, part).Y)
                                  for th in run.thetas]) for part in ("train", "validation", "test")}
        fits = np.array([model.predict(th, xs[:, None])[:, 0] for th in run.thetas])
        stop = early_stop(losses["validation"])
        out[name] = with_meta(run, sizes=list(cfg["models"][name]), n_params=model.n_params)
        out[f"curves_{name}"] = Table(
            config={"model": model.config()},
            columns={"step": run.steps.astype(float), **losses, "fit": fits},
            meta={"stop_index": stop, "stop_step": int(run.steps[stop]),
                  "test_min_index": int(np.argmin(losses["test"])),
                  "sizes": list(cfg["models"][name]), "n_params": model.n_params})
    return out


# --------------------------------------------------------------------------------------
# automatic differentiation
# --------------------------------------------------------------------------------------
def neuron_graph(x, w, b: float, y: float):
    """One sigmoid neuron's squared error L = (σ(w₁x₁ + w₂x₂ + b) − y)² as an autodiff graph; the
    same function as `MLP((2, 1), output="sigmoid", loss="mse")` on one example."""
    x1, x2 = AD.Node(x[0], "x₁"), AD.Node(x[1], "x₂")
    w1, w2, bb, yy = AD.Node(w[0], "w₁"), AD.Node(w[1], "w₂"), AD.Node(b, "b"), AD.Node(y, "y")
    p1 = AD.named(w1 * x1, "w₁x₁")
    p2 = AD.named(w2 * x2, "w₂x₂")
    s = AD.named(p1 + p2, "sum")
    z = AD.named(s + bb, "z")
    a = AD.named(AD.sigmoid(z), "a")
    e = AD.named(a - yy, "a − y")
    return AD.named(e ** 2, "L")


@experiment("dynamics_autodiff", description="Reverse-mode autodiff on one neuron's loss vs the MLP's backprop",
            x=(1.5, -0.8), w=(0.6, -1.1), b=0.2, y=0.0, h=1e-6)
def autodiff(cfg):
    """The graph with forward values and backward adjoints (recorded by `nnviz.autodiff`), and the same
    neuron as an MLP: its backprop gradient and central finite differences of its loss."""
    from ..nn import MLP

    graph = AD.record(neuron_graph(cfg["x"], cfg["w"], cfg["b"], cfg["y"]), config=dict(cfg),
                      params=["w₁", "w₂", "b"], expression="L = (σ(w₁x₁ + w₂x₂ + b) − y)²")
    model = MLP((2, 1), output="sigmoid", loss="mse")
    theta = model.layout.flatten({"W1": np.array(cfg["w"], float).reshape(2, 1), "b1": np.array([cfg["b"]])})
    X, Y = np.array([cfg["x"]], float), np.array([[cfg["y"]]], float)
    g = model.backward(theta, X, Y)
    h = cfg["h"]
    fd = np.array([(model.loss_value(theta + h * e, X, Y) - model.loss_value(theta - h * e, X, Y)) / (2 * h)
                   for e in np.eye(theta.size)])
    ad = np.array([graph.nodes[graph.index(n)]["grad"] for n in ("w₁", "w₂", "b")])
    return {"graph": graph,
            "check": Table(config={"model": model.config(), "layout": ["W1[0]", "W1[1]", "b1"]},
                           columns={"autodiff": ad, "mlp": g.grad, "finite_difference": fd, "theta": theta},
                           meta={"names": ["w₁", "w₂", "b"], "mlp_loss": g.loss, "h": h})}


# --------------------------------------------------------------------------------------
# memory vs batch size
# --------------------------------------------------------------------------------------
def predicted_floats_per_example(sizes) -> dict:
    """Numbers held per example at the peak of one training step of `MLP.backward` on a gathered batch:

      batch     the batch's inputs and targets: n₀ + n_L
      forward   every layer's pre-activation z and activation a, kept for backprop: 2·Σ nᵢ (i ≥ 1)
      backward  the output's δ, every later layer's δ (kept), and at one hidden layer δWᵀ, f′(z) and
                the new δ: n_L + max over hidden layers i of (Σ_{j>i} nⱼ − n_L + 3·nᵢ)

    (gradients of W and b do not grow with the batch)."""
    sizes = [int(s) for s in sizes]
    hidden = sizes[1:-1]
    later = [sum(sizes[i + 2:]) for i in range(len(hidden))]    # δ of the layers after hidden layer i
    back = max((later[i] + 3 * h for i, h in enumerate(hidden)), default=sizes[-1])
    return {"batch": sizes[0] + sizes[-1], "forward": 2 * sum(sizes[1:]), "backward": back}


def timing_summary(times) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, fastest and slowest of the repeated timings (one row per batch size, one column per
    repeat): the dot and the bar the scene and the still draw for each batch size."""
    t = np.asarray(times, float)
    return np.median(t, axis=1), t.min(axis=1), t.max(axis=1)


def step_cost_fit(batches, medians, n: int) -> tuple[float, float]:
    """Least-squares fit of the epoch time to t(B) = a·(n/B) + c: a fixed cost `a` per step (an epoch
    of n examples is n/B steps) plus work `c` that is the same for every batch size (the arithmetic per
    example). Returns (a, c) in seconds."""
    steps = n / np.asarray(batches, float)
    (a, c), *_ = np.linalg.lstsq(np.c_[steps, np.ones_like(steps)], np.asarray(medians, float), rcond=None)
    return float(a), float(c)


def knee(batches, a: float, c: float, n: int, share: float) -> int:
    """The stated rule for "time levels off": the smallest batch size from which on the fitted per-step
    cost a·(n/B) is at most `share` (the experiment's `knee_share`, 10 %) of the fitted epoch time. The
    share falls as B grows, so this is the first batch size where it holds (the smallest one if a ≤ 0).
    From the fit, not from one batch size's median: on a busy machine a single median moved by up to
    ~15 % between recomputes, while the fit (which leans on all of them) moved the knee by none."""
    b = np.asarray(batches, float)
    fixed = a * n / b
    ok = fixed <= share * (c + fixed)
    return int(b[np.argmax(ok)]) if ok.any() else int(b[-1])


def memory_story(t) -> dict:
    """The numbers and sentences the memory scene and its still both show, from the `memory` record
    alone (so the two always agree): the per-example sum, the fixed cost, the budget arithmetic, the
    median epoch times and the knee by the stated rule, and the reason for it."""
    c, m = t.columns, t.meta
    mn, mib = m["mnist"], 2 ** 20
    n0, h, nl = mn["sizes"]
    f, bpf = mn["predicted_floats"], mn["bytes_per_float"]
    total = f["batch"] + f["forward"] + f["backward"]
    fixed = f"{mn['intercept'] / mib:.2f}"                    # the fitted fixed cost, as written
    budget = m["budget_bytes"] / mib
    med, lo, hi = timing_summary(c["epoch_times_mnist"])
    n, tb = mn["n_train"], c["time_batch"]
    share = t.config["knee_share"]
    a, work = step_cost_fit(tb, med, n)
    B = knee(tb, a, work, n, share)
    times = c["epoch_times_mnist"]
    spread = float(np.ceil(100 * np.max((hi - lo) / med)))      # the widest min–max bar, % of its median
    # past the knee, among the batch sizes that fit the budget: the most time saved, and the memory it costs
    cap = m["max_batch_in_budget"]
    fits = (tb > B) & (tb <= cap)
    ib = list(tb).index(B)
    gain = float(np.ceil(100 * (1 - med[fits].min() / med[ib]))) if fits.any() else 0.0
    ratio = (mn["intercept"] + mn["slope"] * cap) / (mn["intercept"] + mn["slope"] * B)
    return {
        "rows": [f"x, y: {n0} + {nl} = {f['batch']}",
                 f"z, a: 2 × ({h} + {nl}) = {f['forward']}",
                 f"δs: {nl} + 3 × {h} = {f['backward']}"],
        "delta_notes": [f"{nl}: δ at the output", f"3 × {h}: δ·Wᵀ, f′(z), δ hidden"],
        "sum": f"{f['batch']} + {f['forward']} + {f['backward']} = {total:,}",
        "bytes": f"× {bpf} B = {mn['predicted_bytes']:,} B",
        "fixed": f"+ {fixed} MiB: the gradient",
        "fixed_why": f"({mn['n_params']:,} weights × {bpf} B, once)",
        "cap": f"({budget:g} − {fixed}) MiB / {mn['slope']:,.0f} B",
        "cap_value": f"= {m['max_batch_in_budget']:,} examples fit",
        "full": f"full batch {m['full_batch_mnist']:,}: {m['full_batch_bytes'] / mib:,.0f} MiB",
        "median": med, "lo": lo, "hi": hi, "step_cost": a, "work": work, "knee": B, "share": share,
        "steps": [f"{n // int(b):,} step{'s' if n // int(b) > 1 else ''}" for b in tb],
        "fit_key": f"- - fit: {a * 1e3:.2f} ms × steps + {work:.3f} s",
        "spread": f"median of {times.shape[1]} epochs (they spread ≤ {spread:.0f} %)",
        "why": [f"fixed cost: {a * 1e3:.2f} ms a step",
                f"× {n // int(tb[0]):,} steps = {a * n / tb[0]:.2f} s at {int(tb[0]):,}"],
        "knee_from": f"from batch {B:,} on, it is",
        "knee_line": f"under {share:.0%} of the epoch".replace("%", " %"),
        "question": ["And what does a", "bigger batch buy?"],
        "cap_label": f"fits {budget:g} MiB up to {m['max_batch_in_budget']:,}",
        "takeaway": [f"past {B:,}: " + (f"≤ {gain:.0f} % faster," if gain > 0 else "no faster,"),
                     f"≈ {ratio:.0f}× the memory at {m['max_batch_in_budget']:,}"],
        "gain": gain, "memory_ratio": ratio,
    }


def step_peak_bytes(model, theta, X_all, Y_all, b: int) -> int:
    """Peak bytes NumPy allocates (tracemalloc) for one training step on the first b examples:
    gathering the batch (a copy, as the trainer's X[idx]) plus the forward and backward pass."""
    import tracemalloc

    idx = np.arange(b)
    model.backward(theta, X_all[idx], Y_all[idx])          # warm-up: no first-call allocations counted
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        model.backward(theta, X_all[idx], Y_all[idx])
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return int(peak)


@experiment("dynamics_memory", description="Peak memory of one training step vs batch size, measured and "
            "predicted; time per epoch",
            nets={"digits": (64, 32, 10), "mnist": (784, 128, 10)}, hidden="tanh", loss="cce",
            batches=(512, 1024, 2048, 3072, 4096, 5120, 6144, 7168, 8192), synthetic_n=8192, seed=0,
            budget_mib=64, time_batches=(16, 64, 256, 1024, 2048, 4096, 8192), time_repeats=5, knee_share=0.10,
            full_batch_mnist=60000)
def memory(cfg):
    """tracemalloc peaks of one step (batch gather + forward + backward) at each batch size, for the
    digits network and an MNIST-sized 784-128-10 network on synthetic inputs; the slope (bytes per
    extra example) and the fixed cost (intercept) fitted by least squares; the prediction from layer
    widths and float64; the MNIST-size net's time per epoch at a few batch sizes, each timed
    `time_repeats` times (one run of that many epochs), all repeats kept.
    The clock is this process's CPU time (BLAS runs on one thread: see `cache._compute`), which other
    programs on a busy machine do not inflate; on an idle machine it equals the wall time."""
    from .. import data as D
    from ..nn import MLP
    from ..problems import NetworkProblem

    rng = np.random.default_rng(cfg["seed"])
    n = cfg["synthetic_n"]
    digits = D.digits(seed=0)
    sets = {"digits": digits,
            "mnist": D.Dataset("synthetic-784", rng.random((n, 784)), D.one_hot(rng.integers(0, 10, n), 10),
                               "multiclass")}
    bytes_per_float = np.dtype(np.float64).itemsize
    cols, meta = {"batch": np.array(cfg["batches"], float), "time_batch": np.array(cfg["time_batches"], float)}, {}
    for name, sizes in cfg["nets"].items():
        model = MLP(tuple(sizes), hidden=cfg["hidden"], loss=cfg["loss"])
        theta = model.init(np.random.default_rng(cfg["seed"]))
        d = sets[name]
        X = np.concatenate([d.X] * int(np.ceil(max(cfg["batches"]) / d.n)))   # enough rows for the largest batch
        Y = np.concatenate([d.Y] * int(np.ceil(max(cfg["batches"]) / d.n)))
        peaks = np.array([step_peak_bytes(model, theta, X, Y, b) for b in cfg["batches"]], float)
        slope, intercept = np.polyfit(cols["batch"], peaks, 1)
        parts = predicted_floats_per_example(sizes)
        cols[f"peak_{name}"] = peaks
        meta[name] = {"sizes": list(sizes), "n_train": d.n, "n_params": int(theta.size),
                      "slope": float(slope), "intercept": float(intercept),
                      "predicted_floats": parts, "predicted_bytes": bytes_per_float * sum(parts.values()),
                      "predicted_fixed_bytes": bytes_per_float * int(theta.size), "bytes_per_float": bytes_per_float}
    # time per epoch, MNIST-size net: one run of `time_repeats` epochs per batch size
    model = MLP(tuple(cfg["nets"]["mnist"]), hidden=cfg["hidden"], loss=cfg["loss"])
    theta = model.init(np.random.default_rng(cfg["seed"]))
    problem = NetworkProblem(model, sets["mnist"])
    cols["epoch_times_mnist"] = np.array([
        train(problem, optim.sgd(0.05), theta, epochs=cfg["time_repeats"], batch_size=b, seed=cfg["seed"],
              record=Recording(every=10 ** 9), clock=time.process_time).epoch_time
        for b in cfg["time_batches"]])
    budget = cfg["budget_mib"] * 2 ** 20
    m = meta["mnist"]
    return {"memory": Table(config={k: cfg[k] for k in ("nets", "batches", "seed", "budget_mib", "time_repeats",
                                                          "knee_share")},
                            columns=cols,
                            meta={**meta, "budget_bytes": budget, "dtype": "float64",
                                  "max_batch_in_budget": int((budget - m["intercept"]) // m["slope"]),
                                  "full_batch_mnist": cfg["full_batch_mnist"],
                                  "full_batch_bytes": m["intercept"] + m["slope"] * cfg["full_batch_mnist"],
                                  "timing": ["epoch_times_mnist"]})}
