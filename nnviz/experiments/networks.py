"""Experiments behind the network scenes: forward pass, backprop, live decision
boundaries, the perceptron trick and dropout. All hyperparameters and seeds live here.

Each experiment trains with the one loop (`nnviz.train.train`) or the perceptron
trick, then precomputes what the scenes draw (forward traces, per-weight
gradients, decision-boundary grids, dropout masks) as records, so scenes only read.
"""
from __future__ import annotations

import numpy as np

from .. import data as D
from .. import optim
from .. import perceptron as P
from ..data import dataset_from
from ..nn import MLP, model_from
from ..problems import NetworkProblem
from ..records import Boundary, DropoutMasks, NetworkPass, Run, Table
from ..train import Recording, train
from . import experiment


# --- helpers --------------------------------------------------------------------------------
def output_grid(model: MLP, thetas: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Network output (first unit) on the grid for each θ: (K, ny, nx)."""
    gx, gy = np.meshgrid(xs, ys)
    pts = np.c_[gx.ravel(), gy.ravel()]
    return np.stack([model.predict(th, pts)[:, 0].reshape(gy.shape) for th in thetas]).astype(np.float32)


def hidden_grid(model: MLP, thetas: np.ndarray, xs: np.ndarray, ys: np.ndarray, layer: int = 1) -> np.ndarray:
    """Activations of hidden layer `layer` on the grid: (K, width, ny, nx)."""
    gx, gy = np.meshgrid(xs, ys)
    pts = np.c_[gx.ravel(), gy.ravel()]
    out = [model.forward(th, pts).post[layer].T.reshape(-1, *gy.shape) for th in thetas]
    return np.stack(out).astype(np.float32)


def frame_steps(total: int, frames: int) -> np.ndarray:
    """Log-spaced training steps to draw the boundary at: step 0, every step early on (where the
    boundary moves most), then further apart, always ending on `total`; the round steps 10, 30,
    100, 300, 1000 are among them (the stills' snapshots)."""
    rounds = [t for t in (10, 30, 100, 300, 1000) if t < total]
    return np.unique(np.r_[0, np.round(np.geomspace(1, total, frames - 1)).astype(int), rounds, total])


def boundary_for(model: MLP, run: Run, ds: D.Dataset, cfg: dict, hidden: bool = False) -> Boundary:
    """The experiments' call of the public `nnviz.boundary.decision_boundary` (grid sizes from cfg).
    With cfg["frames"], only at `frame_steps(last step, frames)` (θ must be kept at those steps)."""
    from types import SimpleNamespace

    from ..boundary import decision_boundary

    if cfg.get("frames"):
        want = frame_steps(int(run.steps[-1]), int(cfg["frames"]))
        idx = np.searchsorted(run.steps, want)
        if not np.array_equal(run.steps[np.minimum(idx, len(run.steps) - 1)], want):
            raise ValueError("boundary frames need θ at every frame step: record with every=1")
        run = SimpleNamespace(steps=run.steps[idx], thetas=run.thetas[idx])
    b = decision_boundary(model, run, ds, grid=cfg["grid"], hidden=cfg["hidden_grid"] if hidden else None)
    if hidden and model.n_layers > 2:         # the second hidden layer's maps too (the scenes draw both)
        b.hidden["h2"] = hidden_grid(model, run.thetas, b.hx, b.hy, layer=2)
    return Boundary({"grid": cfg["grid"]}, b.steps, b.xs, b.ys, b.prob, hx=b.hx, hy=b.hy, hidden=b.hidden,
                    X=b.X, labels=b.labels, X_test=b.X_test, labels_test=b.labels_test)


def _train(cfg: dict, problem=None) -> tuple[MLP, D.Dataset, Run]:
    model = model_from(cfg["model"])
    ds = dataset_from(cfg["data"])
    problem = problem or NetworkProblem(model, ds)
    theta0 = model.init(np.random.default_rng(cfg["init_seed"]), cfg.get("init", "glorot"))
    opt = optim.make(**cfg["optimizer"])
    run = train(problem, opt, theta0, steps=cfg["steps"], batch_size=cfg.get("batch_size"),
                seed=cfg["seed"], record=Recording(every=cfg["every"], eval_every=cfg.get("eval_every"),
                                                   grads=cfg.get("grads", False)),
                name=cfg.get("name", ""))
    return model, ds, run


def forward_pass(model: MLP, theta: np.ndarray, x: np.ndarray, y: np.ndarray, cfg: dict,
                 lr: float = 0.0, backward: bool = False, batch: D.Dataset | None = None) -> NetworkPass:
    """Record the forward trace (and optionally the backward pass and SGD update) of one example;
    with `batch`, also the mean loss over its points before and after that update."""
    x, y = x.reshape(1, -1), y.reshape(1, -1)
    if backward:
        g = model.backward(theta, x, y)
        tr = g.trace
        nxt = theta - lr * g.grad
        extra = {"loss": g.loss, "grad": g.grad, "deltas": {f"d{i + 1}": d for i, d in enumerate(g.deltas)},
                 "lr": lr, "theta_next": nxt, "meta": {"loss_next": model.loss_value(nxt, x, y),
                                                          "output_next": model.predict(nxt, x)[0].tolist()}}
        if batch is not None:
            extra.update(batch_X=batch.X.copy(), batch_Y=batch.Y.copy(),
                         batch_loss=model.loss_value(theta, batch.X, batch.Y),
                         batch_loss_next=model.loss_value(nxt, batch.X, batch.Y))
            # each training point's loss before / after the step (a still shows which ones got worse)
            extra["meta"].update({f"point_loss{s}": [model.loss_value(t, batch.X[k:k + 1], batch.Y[k:k + 1])
                                                     for k in range(len(batch.X))]
                                  for s, t in (("", theta), ("_next", nxt))})
    else:
        tr = model.forward(theta, x)
        extra = {"loss": model.loss_value(theta, x, y)}
    return NetworkPass(cfg, theta.copy(), x, y, {f"z{i + 1}": z for i, z in enumerate(tr.pre)},
                       {f"a{i}": a for i, a in enumerate(tr.post)}, **extra)


# --- 2. forward pass: a digits classifier on one test image -----------------------------------
FORWARD = dict(
    model={"sizes": [64, 24, 16, 10], "hidden": "tanh", "loss": "cce"},
    data={"name": "digits", "seed": 0},
    optimizer={"name": "adam", "lr": 0.01}, steps=600, batch_size=64, every=600, eval_every=100,
    init_seed=1, seed=2, example=3,
)


@experiment("network_forward", description="digits MLP 64-24-16-10: forward trace of one test image", **FORWARD)
def network_forward(cfg):
    model, ds, run = _train(cfg)
    i = cfg["example"]
    theta = run.final_theta
    rec = forward_pass(model, theta, ds.X_test[i], ds.Y_test[i],
                       {"model": model.config(), "data": cfg["data"], "example": i, "split": "test",
                        "test_acc": float(run.test_acc[-1])})
    return {"run": run, "pass": rec}


# --- 3. backprop: one example through a small 3-class spiral net, then one SGD step -----------
BACKPROP = dict(
    model={"sizes": [2, 4, 4, 3], "hidden": "tanh", "loss": "cce"},
    data={"name": "spirals", "n": 150, "classes": 3, "seed": 0, "noise": 0.1},
    optimizer={"name": "adam", "lr": 0.02}, steps=150, every=150,
    init_seed=3, seed=0, example=7, lr=0.05,
)


@experiment("network_backprop", description="2-4-4-3 spiral net: backward pass of one example + SGD step", **BACKPROP)
def network_backprop(cfg):
    model, ds, run = _train(cfg)
    i = cfg["example"]
    rec = forward_pass(model, run.final_theta, ds.X[i], ds.Y[i],
                       {"model": model.config(), "data": cfg["data"], "example": i, "split": "train"},
                       lr=cfg["lr"], backward=True, batch=ds)
    return {"run": run, "pass": rec}


# --- 4. training with a live decision boundary ------------------------------------------------
TRAINING = {
    "xor": dict(
        model={"sizes": [2, 4, 1], "hidden": "tanh", "loss": "bce"},
        data={"name": "xor", "n": 200, "seed": 0, "noise": 0.18},
        optimizer={"name": "adam", "lr": 0.05}, steps=300, every=1, init_seed=0, seed=0,
        grid=128, hidden_grid=24, frames=120),
    "moons": dict(
        model={"sizes": [2, 8, 8, 1], "hidden": "tanh", "loss": "bce"},
        data={"name": "moons", "n": 200, "seed": 0, "noise": 0.15},
        optimizer={"name": "adam", "lr": 0.03}, steps=500, every=1, init_seed=0, seed=0,
        grid=128, hidden_grid=24, frames=140),
    "spirals": dict(
        model={"sizes": [2, 16, 16, 1], "hidden": "tanh", "loss": "bce"},
        data={"name": "spirals", "n": 300, "seed": 0, "noise": 0.1},
        optimizer={"name": "adam", "lr": 0.02}, steps=1500, every=1, init_seed=0, seed=0,
        grid=128, hidden_grid=24, frames=180),
}


def _training_experiment(key):
    @experiment(f"network_training_{key}", description=f"decision boundary over training on {key}",
                **TRAINING[key])
    def fn(cfg):
        model, ds, run = _train(cfg)
        return {"run": run, "boundary": boundary_for(model, run, ds, cfg, hidden=True)}
    fn.__qualname__ = f"network_training_{key}"
    return fn


for _k in TRAINING:
    _training_experiment(_k)


# --- 5. perceptron: the trick on AND, OR, a separable cloud, XOR; then a 2-2-1 net on XOR -------
PERCEPTRON = {
    "and": dict(data={"name": "and"}, lr=0.1, epochs=50, w0=[0.4, 0.4], b0=0.2, seed=0),
    "or": dict(data={"name": "or"}, lr=0.1, epochs=50, w0=[0.2, 0.3], b0=-0.8, seed=0),
    "blobs": dict(data={"name": "blobs", "n": 30, "seed": 4, "sep": 2.2, "std": 0.6},
                  lr=0.1, epochs=50, w0=[0.3, -1.0], b0=0.5, seed=0),
    "xor": dict(data={"name": "xor"}, lr=0.1, epochs=12, w0=[0.5, -0.4], b0=0.1, seed=0),
}


def _perceptron_experiment(key):
    @experiment(f"perceptron_{key}", description=f"the perceptron trick on {key}", **PERCEPTRON[key])
    def fn(cfg):
        ds = dataset_from(cfg["data"])
        rec = P.run(ds.X, ds.labels, lr=cfg["lr"], epochs=cfg["epochs"], w0=cfg["w0"], b0=cfg["b0"],
                    seed=cfg["seed"], name=key)
        return {"perceptron": rec}
    fn.__qualname__ = f"perceptron_{key}"
    return fn


for _k in PERCEPTRON:
    _perceptron_experiment(_k)


XOR_NET = dict(
    model={"sizes": [2, 2, 1], "hidden": "tanh", "loss": "bce"},
    data={"name": "xor"},
    optimizer={"name": "adam", "lr": 0.1}, steps=120, every=2, init_seed=2, seed=0,
    grid=48, hidden_grid=24,
)


@experiment("perceptron_xor_net", description="a 2-2-1 network solves XOR (hidden layer = two lines)", **XOR_NET)
def perceptron_xor_net(cfg):
    model, ds, run = _train(cfg)
    return {"run": run, "boundary": boundary_for(model, run, ds, cfg, hidden=True)}


# --- 6. dropout: the same over-sized net with and without dropout on few noisy points -----------
DROPOUT = dict(
    model={"sizes": [2, 32, 32, 1], "hidden": "tanh", "loss": "bce"},
    data={"name": "moons", "n": 40, "seed": 1, "noise": 0.3, "test": {"n": 400, "seed": 2}},
    optimizer={"name": "adam", "lr": 0.01}, steps=6000, batch_size=10, every=30, eval_every=30,
    init_seed=0, seed=0, dropout=0.5, grid=64,
    validation={"n": 400, "seed": 3},     # held-out points (neither train nor test) to pick the stopping step
    other_seeds=[1, 2, 3], sure=0.99,     # the same comparison with other training seeds (init, batches, masks)
)


class _MaskRecorder:
    """A NetworkProblem that also keeps the dropout mask it drew at each step (first example
    of the batch), so the scene shows the masks that really trained the net."""

    def __init__(self, problem: NetworkProblem):
        self.problem, self.model, self.data = problem, problem.model, problem.data
        self.masks: list[list[np.ndarray]] = []

    n = property(lambda self: self.problem.n)
    dim = property(lambda self: self.problem.dim)

    def batch_loss_grad(self, theta, idx, rng):
        X, Y = self.data.X, self.data.Y
        if idx is not None:
            X, Y = X[idx], Y[idx]
        g = self.model.backward(theta, X, Y, train=self.model.dropout > 0, rng=rng)
        self.masks.append([(m[0] > 0).astype(np.uint8) for m in g.trace.masks if m is not None])
        return g.loss, g.grad

    def evaluate(self, theta):
        return self.problem.evaluate(theta)

    def config(self):
        return self.problem.config()


@experiment("network_dropout", description="2-32-32-1 on 40 noisy moons, with vs without dropout", **DROPOUT)
def network_dropout(cfg):
    out, val_loss = {}, {}
    base = {k: v for k, v in cfg["data"].items() if k != "test"}
    val_cfg = {**base, **cfg["validation"]}
    val = dataset_from(val_cfg)
    for tag, p in (("plain", 0.0), ("dropout", cfg["dropout"])):
        c = {**cfg, "model": {**cfg["model"], "dropout": p}, "name": tag}
        model = model_from(c["model"])
        rec = _MaskRecorder(NetworkProblem(model, dataset_from(c["data"])))
        model, ds, run = _train(c, rec)
        out[f"run_{tag}"] = run
        out[f"boundary_{tag}"] = boundary_for(model, run, ds, c)
        if p > 0:
            steps = np.arange(len(rec.masks))
            names = [f"h{i + 1}" for i in range(len(rec.masks[0]))]
            out["masks"] = DropoutMasks({"dropout": p, "note": "mask of each batch's first example"}, steps,
                                        {nm: np.stack([m[j] for m in rec.masks]) for j, nm in enumerate(names)})
        val_loss[tag] = validation_loss(model, run, val)
        val_steps = run.steps
    rows = {k: [] for k in ("plain_sure", "dropout_sure", "plain_final_test", "dropout_final_test")}
    for sd in cfg["other_seeds"]:        # is the contrast one lucky seed? only the final nets are kept
        for tag, p in (("plain", 0.0), ("dropout", cfg["dropout"])):
            c = {**cfg, "model": {**cfg["model"], "dropout": p}, "init_seed": sd, "seed": sd,
                 "every": cfg["steps"], "eval_every": cfg["steps"]}
            model, ds, run = _train(c)
            pt = model.predict(run.thetas[-1], ds.X_test)[:, 0]
            rows[f"{tag}_sure"].append(int(sure_wrong(pt, ds.Y_test[:, 0] > 0.5, cfg["sure"]).sum()))
            rows[f"{tag}_final_test"].append(float(run.test_loss[-1]))
    out["seeds"] = Table({"seeds": list(cfg["other_seeds"]), "sure": cfg["sure"],
                          "note": "init and training seed varied together; data, p and steps as the main runs"},
                         {"seed": np.asarray(cfg["other_seeds"]), **{k: np.asarray(v) for k, v in rows.items()}},
                         meta={"sure": cfg["sure"]})
    out["validation"] = Table({"data": val_cfg, "note": "loss (all units on) at each kept step, for early stopping"},
                              {"steps": val_steps, **val_loss}, meta={"n": len(val.X)})
    return out


def validation_loss(model: MLP, run: Run, val: D.Dataset) -> np.ndarray:
    """The loss on held-out validation points at each kept θ (dropout off: all units on, as at test)."""
    return np.array([model.loss_value(th, val.X, val.Y) for th in run.thetas])


def dropout_summary(recs: dict) -> dict:
    """What the dropout scene and still say at the end, from the records: per run ('plain',
    'dropout') the final train/test accuracy and its last test loss (`final_test`); early stopping
    as it is done: the step of the lowest validation loss (`stop_step`, the record "validation") and
    the test loss there (`stop_test`); the training points the plain net fits and the dropout net
    leaves (`bent`)."""
    out = {}
    for tag in ("plain", "dropout"):
        run, bd = recs[f"run_{tag}"], recs[f"boundary_{tag}"]
        model = model_from(run.config["problem"]["model"])
        p = model.predict(run.thetas[-1], bd.X)[:, 0]
        pt = model.predict(run.thetas[-1], bd.X_test)[:, 0]
        wrong = (pt >= 0.5) != bd.labels_test
        out[tag] = {"train_right": (p >= 0.5) == bd.labels, "test_acc": float(1 - wrong.mean()),
                    "train_acc": float(((p >= 0.5) == bd.labels).mean()), "final_test": float(run.test_loss[-1])}
    out["bent"] = np.flatnonzero(out["plain"]["train_right"] & ~out["dropout"]["train_right"])
    val = recs.get("validation")
    if val is not None:                 # early stopping done right: the step is picked on validation points
        for tag in ("plain", "dropout"):
            run, v = recs[f"run_{tag}"], np.asarray(val.columns[tag])
            k = int(np.argmin(v))
            step = int(val.columns["steps"][k])
            e = int(np.searchsorted(run.eval_steps, step))
            if e >= len(run.eval_steps) or run.eval_steps[e] != step:
                raise ValueError(f"no test loss recorded at the validation stop step {step}")
            out[tag].update(stop_step=step, stop_test=float(run.test_loss[e]))
    return out


def sure_wrong(p1: np.ndarray, labels, sure: float) -> np.ndarray:
    """Which points a net with outputs P(class 1) = `p1` gets wrong while ≥ `sure` sure (the one
    "sure mistake" rule: P(true class) < 0.5 and ≤ 1 − `sure`)."""
    p_true = np.where(np.asarray(labels, bool), p1, 1 - p1)
    return (p_true < 0.5) & (p_true <= 1 - sure)


def sure_level(recs: dict) -> float:
    """The "sure" threshold the dropout records were made with (config `sure`, kept in record "seeds")."""
    return float(recs["seeds"].meta["sure"])


def sure_mistakes(recs: dict, tag: str) -> dict:
    """The final net's test mistakes (run `tag` of the dropout records): how many (`wrong`), how many
    of them sure (P(wrong class) ≥ the records' `sure_level`; `sure`, and which test points: `sure_idx`),
    and the share of the final test loss (mean cross-entropy) the sure ones make up (`share`), their
    mean cost (`mean_cost`) and the number of test points (`n`). The scene and the still ring each sure one."""
    run, bd = recs[f"run_{tag}"], recs[f"boundary_{tag}"]
    pt = model_from(run.config["problem"]["model"]).predict(run.thetas[-1], bd.X_test)[:, 0]
    y = np.asarray(bd.labels_test, bool)
    p_true = np.where(y, pt, 1 - pt)
    wrong = p_true < 0.5
    ce = -np.log(np.clip(p_true, 1e-300, 1.0))
    hit = sure_wrong(pt, y, sure_level(recs))
    return {"wrong": int(wrong.sum()), "sure": int(hit.sum()), "sure_idx": np.flatnonzero(hit),
            "share": float(ce[hit].sum() / ce.sum()), "mean_cost": float(ce[hit].mean()) if hit.any() else 0.0,
            "n": len(y)}
