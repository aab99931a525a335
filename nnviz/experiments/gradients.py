"""Experiments behind the lecture set "why gradients behave": step → sigmoid → cross-entropy,
softmax, activations and their derivatives, vanishing gradients, normalisation layers.

Every number a `gradients_*` scene or figure shows is computed here and stored in the
records: a `Curves` record (named arrays + scalar facts) per experiment, plus the
training `Run`s. Hyperparameters and seeds live in the decorators only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .. import activations as A
from .. import data as D
from .. import losses as L
from .. import optim
from ..nn import MLP
from ..problems import NetworkProblem
from ..records import Record, Run
from ..train import Recording, train
from . import experiment


@dataclass(frozen=True)
class Curves(Record):
    """Named arrays (`values`) and the scalar facts (`meta`) one lecture scene draws.

    Which keys an experiment writes is listed in its docstring; `config` repeats the
    experiment's configuration so a reader never needs the registry.
    """

    kind: ClassVar[str] = "gradient_curves"
    config: dict
    values: dict
    meta: dict = field(default_factory=dict)


ACTIVATION_ORDER = ("identity", "step", "sigmoid", "tanh", "relu", "leaky_relu")
NICE = {"identity": "identity", "step": "step", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU",
        "leaky_relu": "leaky ReLU"}


def _sigmoid_flat_edge(frac: float) -> float:
    """|z| beyond which σ'(z) < frac · σ'(0) (σ' = p(1 − p), σ'(0) = 1/4)."""
    # p(1-p) = frac/4  →  p = (1 + sqrt(1 - frac)) / 2
    p = (1.0 + np.sqrt(1.0 - frac)) / 2.0
    return float(np.log(p / (1.0 - p)))


# --- 3. activations ------------------------------------------------------------------------
@experiment("gradients_activations", z_min=-6.0, z_max=6.0, n=481, flat_below=0.005, depth=10,
            chain_z=1.0, names=list(ACTIVATION_ORDER))
def activations(cfg):
    """Each activation and its derivative on a z grid, where the derivative is near zero,
    and the product of derivatives along a path of `depth` layers.

    values: z; "<name>/f", "<name>/df" (step: 0, undefined at z = 0), "<name>/flat"
    (|f'(z)| < flat_below); "<name>/bound" (max|f'|^L, L = 1..depth); "<name>/chain"
    (f'(chain_z)^L, L = 1..depth). meta: max_slope, min_slope, flat_fraction per name.
    flat_below is well under leaky ReLU's 0.01: a small slope is not shaded as "no gradient".
    """
    z = np.linspace(cfg["z_min"], cfg["z_max"], cfg["n"])
    depth = np.arange(1, cfg["depth"] + 1)
    vals, meta = {"z": z, "depth": depth.astype(float)}, {"max_slope": {}, "min_slope": {}, "flat_fraction": {},
                                                           "chain_value": {}}
    for name in cfg["names"]:
        act = A.get(name)
        f = act.f(z)
        df = np.zeros_like(z) if act.df is None else act.df(z, f)
        zc = np.array([cfg["chain_z"]])
        dc = 0.0 if act.df is None else float(act.df(zc, act.f(zc))[0])
        mx = float(np.max(np.abs(df)))
        flat = np.abs(df) < cfg["flat_below"]
        vals.update({f"{name}/f": f, f"{name}/df": df, f"{name}/flat": flat,
                     f"{name}/bound": mx ** depth, f"{name}/chain": dc ** depth.astype(float)})
        meta["max_slope"][name] = mx
        meta["min_slope"][name] = float(np.min(np.abs(df)))
        meta["flat_fraction"][name] = float(flat.mean())
        meta["chain_value"][name] = dc
    return {"curves": Curves(dict(cfg), vals, meta)}


# --- 1. step → sigmoid → cross-entropy ---------------------------------------------------------
@experiment("gradients_step_to_sigmoid", n=16, data_seed=3, sep=2.2, std=1.0, theta0=[-0.6, 1.4, 1.2],
            lr=0.8, steps=60, sweep=6.0, sweep_n=601, sat_min=-8.0, sat_max=8.0, sat_n=321, wrong_z=-6.0)
def step_to_sigmoid(cfg):
    """Logistic regression on 2-D points: the step's error count vs the sigmoid's cross-entropy.

    records: "run" (full-batch gradient descent on the mean cross-entropy, θ = (w1, w2, b)
    every step) and "curves" with values X, y; p (K, n) = σ(w·x + b) at each recorded θ;
    charge (K, n) = −log p(own label); total (K,) = mean charge; errors (K,) misclassified
    count; sweep_b (S,) the bias moved along the final line's normal, sweep_errors (S,)
    (the step's loss: a staircase), sweep_ce (S,), sweep_dce (S,) = ∂CE/∂b; sat_z, sat_p
    for one point of label 1, sat_mse = (p − 1)², sat_ce = −log p, sat_dmse = ∂MSE/∂z,
    sat_dce = ∂CE/∂z (both from nnviz.losses). meta: the gradients at wrong_z.
    """
    ds = D.blobs(cfg["n"], seed=cfg["data_seed"], sep=cfg["sep"], std=cfg["std"])
    model = MLP((2, 1), loss="bce")
    prob = NetworkProblem(model, ds)
    th0 = np.array(cfg["theta0"], dtype=float)
    run = train(prob, optim.sgd(cfg["lr"]), th0, steps=cfg["steps"], record=Recording(every=1),
                name="gradients_step_to_sigmoid")
    X, y = ds.X, ds.Y[:, 0]
    z = run.thetas[:, :2] @ X.T + run.thetas[:, 2:3]            # (K, n)
    p = A.sigmoid(z)
    p_own = np.where(y == 1, p, 1 - p)
    charge = np.logaddexp(0, -np.where(y == 1, z, -z))           # −log σ(±z), stable
    errors = ((z >= 0) != (y == 1)).sum(axis=1).astype(float)
    w, b = run.final_theta[:2], run.final_theta[2]
    sweep_b = np.linspace(b - cfg["sweep"], b + cfg["sweep"], cfg["sweep_n"])
    zs = X @ w + sweep_b[:, None]                                # (S, n)
    sweep_errors = ((zs >= 0) != (y == 1)).sum(axis=1).astype(float)
    sweep_ce = L.get("bce").value(zs[..., None], None, np.broadcast_to(y[:, None], zs.shape + (1,))).mean(axis=1)
    sweep_dce = (A.sigmoid(zs) - y).mean(axis=1)
    sz = np.linspace(cfg["sat_min"], cfg["sat_max"], cfg["sat_n"])[:, None]
    sp = A.sigmoid(sz)
    one = np.ones_like(sz)
    sat = {"sat_z": sz[:, 0], "sat_p": sp[:, 0], "sat_mse": ((sp - 1) ** 2)[:, 0],
           "sat_ce": L.get("bce").value(sz, sp, one),
           "sat_dmse": L.get("mse").grad(sz, sp, one, A.get("sigmoid"))[:, 0],
           "sat_dce": L.get("bce").grad(sz, sp, one, A.get("sigmoid"))[:, 0]}
    iw = int(np.argmin(np.abs(sz[:, 0] - cfg["wrong_z"])))
    meta = {"wrong_z": float(sz[iw, 0]), "wrong_p": float(sp[iw, 0]), "wrong_dmse": float(sat["sat_dmse"][iw]),
            "wrong_dce": float(sat["sat_dce"][iw]), "final_loss": float(charge[-1].mean()),
            "first_loss": float(charge[0].mean()), "lr": cfg["lr"]}
    vals = {"X": X, "y": y, "steps": run.steps.astype(float), "p": p, "p_own": p_own, "charge": charge,
            "total": charge.mean(axis=1), "errors": errors, "sweep_b": sweep_b, "sweep_errors": sweep_errors,
            "sweep_ce": sweep_ce, "sweep_dce": sweep_dce, **sat}
    return {"run": run, "curves": Curves(dict(cfg), vals, meta)}


# --- 2. softmax ----------------------------------------------------------------------------
@experiment("gradients_softmax", sizes=[64, 32, 10], hidden="relu", lr=0.3, epochs=30, batch_size=64,
            init_seed=0, seed=0, data_seed=0, temperatures=[0.25, 0.5, 1.0, 2.0, 4.0, 8.0], every=21,
            target_p=0.7)
def softmax(cfg):
    """A digits classifier's logits for one test image, through training and a temperature sweep.

    records: "run" (the trained 64-32-10 network) and "curves" with values image (8, 8); steps
    (K,); logits (K, 10) of that image at each recorded θ; probs (K, 10) = softmax(logits);
    ce (K,) = −log p(label); temperatures (T,), probs_t (T, 10) = softmax(final logits / T);
    grad (10,) = softmax − one-hot (∂CE/∂logits at the final θ) and grad0 at θ0.
    meta: label, predicted, test accuracy, example index (the correctly classified test image
    whose probability for its label is closest to target_p: a clear answer with visible rivals).
    """
    ds = D.digits(seed=cfg["data_seed"])
    model = MLP(tuple(cfg["sizes"]), hidden=cfg["hidden"], loss="cce")
    th0 = model.init(np.random.default_rng(cfg["init_seed"]), "he" if cfg["hidden"] == "relu" else "glorot")
    run = train(NetworkProblem(model, ds), optim.sgd(cfg["lr"]), th0, epochs=cfg["epochs"],
                batch_size=cfg["batch_size"], seed=cfg["seed"], record=Recording(every=cfg["every"]),
                name="gradients_softmax")
    P = model.predict(run.final_theta, ds.X_test)
    lab = ds.Y_test.argmax(1)
    ok = np.flatnonzero(P.argmax(1) == lab)
    i = int(ok[np.argmin(np.abs(P[ok, lab[ok]] - cfg["target_p"]))])
    x, yv = ds.X_test[i:i + 1], ds.Y_test[i]
    logits = np.stack([model.forward(th, x).pre[-1][0] for th in run.thetas])
    probs = A.softmax(logits)
    ts = np.array(cfg["temperatures"], dtype=float)
    vals = {"image": x.reshape(8, 8), "steps": run.steps.astype(float), "logits": logits, "probs": probs,
            "ce": -np.log(probs[:, int(lab[i])]), "temperatures": ts,
            "probs_t": A.softmax(logits[-1][None, :] / ts[:, None]),
            "grad": L.get("cce").grad(logits[-1:], probs[-1:], yv[None, :], None)[0],
            "grad0": L.get("cce").grad(logits[:1], probs[:1], yv[None, :], None)[0]}
    meta = {"label": int(lab[i]), "predicted": int(probs[-1].argmax()), "example": i,
            "test_acc": float(run.test_acc[-1]), "epochs": cfg["epochs"], "n_train": ds.n}
    return {"run": run, "curves": Curves(dict(cfg), vals, meta)}


# --- 4. vanishing gradients ----------------------------------------------------------------------
DEEP_SIZES = [64, 32, 32, 32, 32, 32, 32, 10]  # 7 weight layers, 6 hidden
CONTENDERS = ("sigmoid-glorot", "sigmoid-he", "tanh-glorot", "tanh-he", "relu-glorot", "relu-he")


def layer_grad_norms(model: MLP, theta: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """‖∂J/∂W_l‖ (Frobenius) for every layer l, full batch, evaluation mode."""
    g = model.backward(theta, X, Y).grad
    return np.array([np.linalg.norm(model.layout.view(g, f"W{i}")) for i in range(1, model.n_layers + 1)])


def _tuned(model, ds, th0, cfg, name):
    """Train at every rate of cfg["lrs"]; keep the run with the lowest final training loss."""
    runs, finals = [], []
    for lr in cfg["lrs"]:
        r = train(NetworkProblem(model, ds), optim.sgd(lr), th0, epochs=cfg["epochs"],
                  batch_size=cfg["batch_size"], seed=cfg["seed"], record=Recording(every=cfg["every"]), name=name)
        runs.append(r)
        finals.append(np.inf if r.diverged else float(r.train_loss[-1]))
    k = int(np.argmin(finals))
    return runs[k], float(cfg["lrs"][k]), np.array(finals)


@experiment("gradients_vanishing", sizes=DEEP_SIZES, contenders=list(CONTENDERS), lrs=[0.03, 0.1, 0.3, 1.0],
            epochs=20, batch_size=128, init_seed=0, seed=0, data_seed=0, every=11)
def vanishing(cfg):
    """A 6-hidden-layer network on the digits: per-layer gradient norms through training for
    sigmoid / tanh / ReLU with Glorot and He initialisation, each at its best SGD rate.

    records: "<contender>" Runs (θ once per epoch) and "curves" with values steps (K,);
    "<c>/gnorm" (K, L) = ‖∂J/∂W_l‖ full batch at each recorded θ; "<c>/wchange" (K, L) =
    ‖W_l − W_l(0)‖ / ‖W_l(0)‖; "<c>/loss" (E,) training loss per epoch; "<c>/tuning"
    final training loss for each rate (inf: diverged). meta: lr, test_acc per contender.
    """
    ds = D.digits(seed=cfg["data_seed"])
    vals, meta, out = {}, {"lr": {}, "test_acc": {}, "final_loss": {}}, {}
    for c in cfg["contenders"]:
        act, init = c.split("-")
        model = MLP(tuple(cfg["sizes"]), hidden=act, loss="cce")
        th0 = model.init(np.random.default_rng(cfg["init_seed"]), init)
        run, lr, finals = _tuned(model, ds, th0, cfg, f"gradients_vanishing/{c}")
        W0 = [np.linalg.norm(model.layout.view(th0, f"W{i}")) for i in range(1, model.n_layers + 1)]
        vals[f"{c}/gnorm"] = np.stack([layer_grad_norms(model, th, ds.X, ds.Y) for th in run.thetas])
        vals[f"{c}/wchange"] = np.stack([[np.linalg.norm(model.layout.view(th - th0, f"W{i}")) / W0[i - 1]
                                          for i in range(1, model.n_layers + 1)] for th in run.thetas])
        vals[f"{c}/loss"] = run.train_loss.copy()
        vals[f"{c}/tuning"] = finals
        vals["steps"] = run.steps.astype(float)
        vals["epochs"] = np.arange(len(run.train_loss), dtype=float)
        meta["lr"][c] = lr
        meta["test_acc"][c] = float(run.test_acc[-1])
        meta["final_loss"][c] = float(run.train_loss[-1])
        out[c] = run
    vals["lrs"] = np.array(cfg["lrs"], dtype=float)
    meta["n_train"] = ds.n
    out["curves"] = Curves(dict(cfg), vals, meta)
    return out


# --- 5. normalisation ------------------------------------------------------------------------------
NORM_VARIANTS = ("plain", "batch", "layer")


@experiment("gradients_normalization", sizes=DEEP_SIZES, hidden="sigmoid", init="glorot",
            variants=list(NORM_VARIANTS), lrs=[0.03, 0.1, 0.3, 1.0, 3.0, 10.0], epochs=20, batch_size=128, init_seed=0, seed=0,
            data_seed=0, every=11, probe=256, quantiles=[0.05, 0.25, 0.5, 0.75, 0.95], target_loss=0.5,
            flat_frac=0.1, unit=0)
def normalization(cfg):
    """The deep sigmoid net of `gradients_vanishing` without a norm, with batch norm and with
    layer norm: loss curves and the distribution of every hidden layer's pre-activations.

    records: "<variant>" Runs (batch norm's running statistics in Run.buffers) and "curves"
    with values steps (K,); "<v>/loss" (E,) training loss per epoch; "<v>/quant" (K, H, Q)
    quantiles over (probe examples × units) of the activation inputs u of each hidden layer
    (the first `probe` training images, training-mode forward pass); "<v>/spread" (K, H) the
    mean over units of u's standard deviation across those images; "<v>/inrange" (K, H) the
    fraction of u with σ'(u) ≥ flat_frac · σ'(0); "<v>/gnorm" (K, L) per-layer gradient norms;
    "<v>/unit" (K, H, probe) the input u of one unit (column `unit`) of each hidden layer for each
    probe image: what one unit sees of the images, layer by layer; "<v>/image" (K, H, units) the
    inputs u of every unit of each hidden layer for one image (the first probe image): what one
    image gives the units (layer norm normalises this row, batch norm each unit's column).
    meta: lr, epochs_to_target (first epoch whose loss ≤ target_loss, −1 never), flat_edge.
    """
    ds = D.digits(seed=cfg["data_seed"])
    Xp = ds.X[:cfg["probe"]]
    edge = _sigmoid_flat_edge(cfg["flat_frac"])
    q = np.array(cfg["quantiles"])
    vals, out = {"quantiles": q}, {}
    meta = {"lr": {}, "epochs_to_target": {}, "test_acc": {}, "flat_edge": edge, "target_loss": cfg["target_loss"]}
    for v in cfg["variants"]:
        model = MLP(tuple(cfg["sizes"]), hidden=cfg["hidden"], loss="cce", norm=None if v == "plain" else v)
        th0 = model.init(np.random.default_rng(cfg["init_seed"]), cfg["init"])
        run, lr, finals = _tuned(model, ds, th0, cfg, f"gradients_normalization/{v}")
        quant, spread, inr, gn, unit, image = [], [], [], [], [], []
        for th in run.thetas:
            tr = model.forward(th, Xp, train=True)
            us = tr.pre[:-1]
            quant.append([np.quantile(u, q) for u in us])
            unit.append([u[:, cfg["unit"]] for u in us])
            image.append([u[0] for u in us])
            spread.append([float(u.std(axis=0).mean()) for u in us])
            inr.append([float(np.mean(np.abs(u) <= edge)) for u in us])
            g = model.backward(th, ds.X, ds.Y, train=v == "batch").grad
            gn.append([np.linalg.norm(model.layout.view(g, f"W{i}")) for i in range(1, model.n_layers + 1)])
        vals.update({f"{v}/loss": run.train_loss.copy(), f"{v}/quant": np.array(quant),
                     f"{v}/spread": np.array(spread), f"{v}/inrange": np.array(inr), f"{v}/gnorm": np.array(gn), f"{v}/unit": np.array(unit), f"{v}/image": np.array(image),
                     f"{v}/tuning": finals, "steps": run.steps.astype(float),
                     "epochs": np.arange(len(run.train_loss), dtype=float)})
        hit = np.flatnonzero(run.train_loss <= cfg["target_loss"])
        meta["lr"][v] = lr
        meta["epochs_to_target"][v] = int(hit[0]) if hit.size else -1
        meta["test_acc"][v] = float(run.test_acc[-1])
        out[v] = run
    vals["lrs"] = np.array(cfg["lrs"], dtype=float)
    out["curves"] = Curves(dict(cfg), vals, meta)
    return out
