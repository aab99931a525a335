"""Bring a model trained in PyTorch: convert an `nn.Sequential` of Linear layers and activations
into an nnviz `MLP` and θ, and record a PyTorch training loop as a `Run`.

Two parts. The adapter (`torch_arrays`, `flat_params`) is the only code that touches torch
objects, and it does so by duck typing, so this module never imports torch: a module becomes
NumPy arrays named as torch names them ("0.weight", "0.bias", …) plus its layer list
(["Linear", "Tanh", "Linear"]). Everything behind it (`mlp_from_arrays`, `Recorder`) works on
those arrays alone and is what the tests check without torch. nnviz keeps W as (in, out); torch's
Linear weight is (out, in), so weights are transposed on the way in.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .errors import NNVizError
from .nn import MLP

# torch class names (lowercased) → nnviz activation names
ACTIVATIONS = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu", "leakyrelu": "leaky_relu",
               "leaky_relu": "leaky_relu", "identity": "identity", "softmax": "softmax"}


# --- the thin adapter: torch objects → NumPy arrays + layer names -------------------------------------

def _numpy(v) -> np.ndarray:
    if hasattr(v, "detach"):
        v = v.detach().cpu().numpy()
    return np.asarray(v, dtype=float)


def torch_arrays(obj) -> tuple[dict, list | None]:
    """(arrays, layers) of an nn.Sequential (layers: its children's class names) or of a state_dict
    (layers: None: pass `hidden=` to mlp_from_arrays)."""
    if isinstance(obj, Mapping):
        return {k: _numpy(v) for k, v in obj.items()}, None
    if not (hasattr(obj, "named_children") and hasattr(obj, "state_dict")):
        raise NNVizError(f"expected a torch nn.Sequential or its state_dict, got {type(obj).__name__}")
    layers = []
    for name, child in obj.named_children():
        kind = type(child).__name__
        if kind == "LeakyReLU" and not math.isclose(float(getattr(child, "negative_slope", 0.01)), 0.01):
            raise NNVizError(f"layer {name}: LeakyReLU(negative_slope={child.negative_slope}); nnviz's leaky ReLU "
                             "has slope 0.01")
        if kind == "Softmax" and getattr(child, "dim", -1) not in (-1, 1, None):
            raise NNVizError(f"layer {name}: Softmax(dim={child.dim}) must act over the features (dim=-1)")
        if kind == "Linear" and getattr(child, "bias", 0) is None:
            kind = "Linear(bias=False)"
        layers.append(kind)
    return {k: _numpy(v) for k, v in obj.state_dict().items()}, layers


def flat_params(module) -> np.ndarray:
    """A module's parameters as one flat vector in torch's order (what
    torch.nn.utils.parameters_to_vector gives), for `Recorder.step`."""
    return np.concatenate([_numpy(p).ravel() for p in module.parameters()])


def from_torch(obj, loss: str = "mse", hidden: str | None = None, output: str | None = None):
    """(MLP, θ) from an nn.Sequential of Linear + activations, or from its state_dict with
    `hidden=` naming the activation between the Linear layers."""
    arrays, layers = torch_arrays(obj)
    return mlp_from_arrays(arrays, layers, hidden=hidden, loss=loss, output=output)


# --- behind the adapter: plain arrays → MLP and θ ---------------------------------------------------------

def _linear_names(arrays: Mapping) -> list[str]:
    prefixes = [k[: -len(".weight")] for k in arrays if k.endswith(".weight")]
    if not prefixes:
        raise NNVizError("no Linear weights (names ending in '.weight') among: " + ", ".join(arrays))
    extra = sorted(set(arrays) - {p + s for p in prefixes for s in (".weight", ".bias")})
    if extra:
        raise NNVizError(f"arrays nnviz cannot place: {', '.join(extra[:5])} (only Linear weights and biases are supported)")
    return prefixes


def mlp_from_arrays(arrays: Mapping, layers: Sequence[str] | None = None, *, hidden: str | None = None,
                    loss: str = "mse", output: str | None = None, **mlp_kw) -> tuple[MLP, np.ndarray]:
    """(MLP, θ) from Linear weights named as torch names them ({"0.weight": (out, in), "0.bias": (out,),
    "2.weight": …}, in order) and the layer list (["Linear", "Tanh", "Linear", "Sigmoid"]), or
    `hidden=` when there is no layer list. A last activation (Sigmoid / Softmax) must be the loss's
    own output; a last Linear means logits, and the loss's output is applied (BCE → sigmoid)."""
    prefixes = _linear_names(arrays)
    if layers is None:
        if hidden is None:
            raise NNVizError("a state_dict does not say which activations sit between the Linear layers: "
                             "pass hidden='tanh' (or relu, sigmoid, …), or convert the nn.Sequential itself")
        layers = [x for i in range(len(prefixes)) for x in (["Linear"] if i == 0 else [hidden, "Linear"])]
    kinds = [str(x).lower().replace("_", "") if str(x).lower() != "leaky_relu" else "leakyrelu" for x in layers]
    blocks, acts, tail = [], [], None
    for i, k in enumerate(kinds):
        if k == "linear":
            blocks.append([])
        elif k == "linear(bias=false)":
            raise NNVizError(f"layer {i}: a Linear without bias; nnviz layers always have one")
        elif k in ACTIVATIONS or k.replace("relu", "_relu") in ACTIVATIONS:
            if not blocks:
                raise NNVizError(f"layer {i}: {layers[i]} before the first Linear layer")
            blocks[-1].append(ACTIVATIONS.get(k, k))
        elif k in ("dropout", "flatten"):
            raise NNVizError(f"layer {i}: {layers[i]} is not supported in a conversion (use model.eval() and "
                             "drop it from the Sequential; nnviz's MLP has its own dropout option)")
        else:
            raise NNVizError(f"layer {i}: {layers[i]} is not supported; nnviz converts Linear layers and the "
                             f"activations {', '.join(sorted({'Tanh', 'Sigmoid', 'ReLU', 'LeakyReLU', 'Identity', 'Softmax'}))}")
    if len(blocks) != len(prefixes):
        raise NNVizError(f"the layer list has {len(blocks)} Linear layers but the arrays hold {len(prefixes)}")
    for i, b in enumerate(blocks):
        if len(b) > 1:
            raise NNVizError(f"Linear layer {i + 1} is followed by {len(b)} activations ({', '.join(b)}); use one")
    between = {b[0] if b else "identity" for b in blocks[:-1]}
    if len(between) > 1:
        raise NNVizError(f"hidden layers use different activations ({', '.join(sorted(between))}); "
                         "an nnviz MLP has one hidden activation")
    hidden_act = between.pop() if between else (hidden or "tanh")
    tail = blocks[-1][0] if blocks[-1] else None
    from . import losses as L

    natural = L.get(loss).default_output
    if tail is not None and tail != "identity" and output is None:
        if tail != natural:
            raise NNVizError(f"the model ends with {tail}, but loss {loss!r} needs output {natural!r}"
                             + (" (a last Sigmoid goes with loss='bce', Softmax with 'cce')" if tail in
                                ("sigmoid", "softmax") else ""))
        output = tail
    Ws, bs = [], []
    for i, p in enumerate(prefixes):
        w = np.asarray(arrays[p + ".weight"], dtype=float)
        if w.ndim != 2:
            raise NNVizError(f"{p}.weight has shape {w.shape}; a Linear weight is (out, in)")
        b = np.asarray(arrays.get(p + ".bias", np.zeros(w.shape[0])), dtype=float)
        if b.shape != (w.shape[0],):
            raise NNVizError(f"{p}.bias has shape {b.shape}, expected ({w.shape[0]},)")
        if Ws and Ws[-1].shape[1] != w.shape[1]:
            raise NNVizError(f"{p}.weight takes {w.shape[1]} inputs but the layer before gives {Ws[-1].shape[1]}")
        Ws.append(w.T)
        bs.append(b)
    sizes = (Ws[0].shape[0], *(w.shape[1] for w in Ws))
    model = MLP(sizes, hidden=hidden_act, output=output, loss=loss, **mlp_kw)
    theta = model.layout.flatten({**{f"W{i + 1}": W for i, W in enumerate(Ws)},
                                  **{f"b{i + 1}": b for i, b in enumerate(bs)}})
    return model, theta


def torch_order(model: MLP) -> np.ndarray:
    """Index array `perm` with θ = flat[perm], where `flat` is the parameters in torch's order
    (weight (out, in) row-major, then bias, layer by layer)."""
    perm = np.empty(model.n_params, dtype=np.int64)
    pos = 0
    for i in range(1, model.n_layers + 1):
        W = model.layout.entry(f"W{i}")
        n_in, n_out = W.shape
        # torch weight[o, j] sits at pos + o*n_in + j; nnviz W[j, o] at W.offset + j*n_out + o
        j, o = np.meshgrid(np.arange(n_in), np.arange(n_out), indexing="ij")
        perm[W.slice] = (pos + o * n_in + j).ravel()
        pos += n_in * n_out
        b = model.layout.entry(f"b{i}")
        perm[b.slice] = pos + np.arange(n_out)
        pos += n_out
    return perm


class Recorder:
    """Record a training loop that runs elsewhere (PyTorch) as an nnviz `Run`.

        model, theta0 = from_torch(net, loss="bce")
        rec = Recorder(model, data=d, name="torch-adam", optimizer={"name": "adam", "lr": 0.01})
        for step in ...:
            rec.step(flat_params(net), loss.item())      # θ_t before the update, and its batch loss
            ...optimizer.step()
        run = rec.finish(flat_params(net))               # θ_T after the last update
        run.save("runs/torch-adam")

    `params` are in torch's order (`flat_params`), or in nnviz's θ layout with `order="nnviz"`.
    θ is kept every `every` steps (and the last); with `data`, full train/test loss and accuracy
    are evaluated by nnviz at every `eval_every`-th kept step, so the Run plots like a native one.
    """

    def __init__(self, model: MLP, data=None, name: str = "external", every: int = 1, eval_every: int = 1,
                 optimizer: dict | None = None, order: str = "torch"):
        if order not in ("torch", "nnviz"):
            raise NNVizError(f"order must be 'torch' or 'nnviz', got {order!r}")
        if every < 1 or eval_every < 1:
            raise NNVizError("every and eval_every must be ≥ 1")
        self.model, self.data, self.name = model, data, name
        self.every, self.eval_every = int(every), int(eval_every)
        self.optimizer = dict(optimizer or {"name": "external"})
        self.perm = torch_order(model) if order == "torch" else None
        self.steps, self.thetas, self.loss, self.gnorm, self.lr = [], [], [], [], []
        self.diverged_at, self.reason = -1, ""

    def _theta(self, params) -> np.ndarray:
        p = np.asarray(params, dtype=float).ravel()
        if p.size != self.model.n_params:
            raise NNVizError(f"got {p.size} parameters, the model has {self.model.n_params}")
        return p[self.perm] if self.perm is not None else p.copy()

    def step(self, params, loss: float, grad=None, lr: float | None = None) -> None:
        """θ_t (before update t) and the loss of update t; optional gradient (same order) and lr."""
        if self.diverged_at >= 0:
            return
        t = len(self.loss)
        theta = self._theta(params)
        loss = float(loss)
        gn = float(np.linalg.norm(self._theta(grad))) if grad is not None else float("nan")
        if not (math.isfinite(loss) and np.all(np.isfinite(theta))):
            self.diverged_at, self.reason = t, "loss or parameters are not finite"
            return
        if t % self.every == 0:
            self.steps.append(t)
            self.thetas.append(theta)
        self.loss.append(loss)
        self.gnorm.append(gn)
        self.lr.append(float("nan") if lr is None else float(lr))

    def finish(self, params=None):
        """The Run. `params`: θ after the last update (kept as the final θ)."""
        from .records import Run

        T = len(self.loss)
        steps, thetas = list(self.steps), list(self.thetas)
        if params is not None and self.diverged_at < 0:
            theta = self._theta(params)
            if np.all(np.isfinite(theta)):
                if steps and steps[-1] == T:
                    thetas[-1] = theta
                else:
                    steps.append(T)
                    thetas.append(theta)
        if not thetas:
            raise NNVizError("nothing was recorded: call step() at least once")
        ev = {k: [] for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
        ev_steps = []
        if self.data is not None:
            from .problems import NetworkProblem

            prob = NetworkProblem(self.model, self.data)
            for i, (s, th) in enumerate(zip(steps, thetas)):
                if i % self.eval_every and i != len(steps) - 1:
                    continue
                out = prob.evaluate(th)
                if not np.isfinite(out["train_loss"]):
                    continue
                ev_steps.append(s)
                for k in ev:
                    ev[k].append(float(out.get(k, np.nan)))
        data_cfg = {} if self.data is None else {"data": self.data.name, "n": self.data.n,
                                                 "data_meta": self.data.meta}
        config = {"name": self.name, "source": "external",
                  "problem": {"type": "network", "model": self.model.config(), **data_cfg},
                  "optimizer": self.optimizer, "steps": T, "seed": None,
                  "record": {"every": self.every, "eval_every": self.eval_every}}
        return Run(config=config, layout=self.model.layout.to_json(), steps=np.asarray(steps, np.int64),
                   thetas=np.asarray(thetas, float), loss=np.asarray(self.loss, float),
                   grad_norm=np.asarray(self.gnorm, float), lr=np.asarray(self.lr, float),
                   eval_steps=np.asarray(ev_steps, np.int64), epoch_time=np.zeros(0),
                   diverged_at=self.diverged_at,
                   meta={"diverged_reason": self.reason} if self.diverged_at >= 0 else {},
                   **{k: np.asarray(v, float) for k, v in ev.items()})
