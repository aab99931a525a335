"""Dense networks of any depth: vectorised forward pass and backpropagation on a flat θ.

An `MLP` is a frozen description (sizes, activations, loss, regularisation); the
parameters live outside it in one flat vector, so optimizers, records and loss
landscapes all work on plain arrays. `forward` returns every layer's
pre-activations and activations (a `Trace`) and `backward` adds the error signals
δ and the flat gradient, because the network scenes animate exactly those numbers.

Normalisation (`norm="batch"` or `"layer"`) sits after each hidden affine layer and
before its activation: z = a W + b, ẑ = (z − μ)/√(σ² + ε), u = γ ⊙ ẑ + β, a' = f(u).
Batch norm takes μ, σ² over the batch (axis 0) when training and from running
statistics in evaluation; layer norm over each example's units (axis 1), always.

Flat θ layout, layer by layer: W1 (n0, n1), b1 (n1,), [gamma1 (n1,), beta1 (n1,)],
W2, b2, [gamma2, beta2], …, WL, bL — the scale γ and shift β of hidden layer i
follow its bias; the output layer is never normalised. Batch norm's running
statistics are not parameters: they live outside θ in a `stats` dict
{"mean1": (n1,), "var1": (n1,), …} (`MLP.init_stats`, `MLP.update_stats`), and a
`Run` records them in `Run.buffers` at its recorded steps.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from . import activations as A
from . import losses as L
from .errors import DataError, NNVizError, ShapeError
from .params import INITIALISERS, Layout


@dataclass(frozen=True)
class Trace:
    """Everything a forward pass computed: pre[i] = a[i] @ W + b, post[i+1] = f(pre[i])."""

    pre: tuple[np.ndarray, ...]   # one per layer, (m, n_{i+1})
    post: tuple[np.ndarray, ...]  # post[0] = X, then each layer's output, (m, n_i)
    masks: tuple[np.ndarray | None, ...]  # dropout masks (already scaled), per hidden layer
    # per layer: None, or the normalisation's (z, ẑ, μ, σ², 1/√(σ²+ε), from_batch); with a
    # norm, pre[i] is u = γẑ + β (the activation's input) and z = aW + b is kept here
    norms: tuple = ()

    @property
    def output(self) -> np.ndarray:
        return self.post[-1]


@dataclass(frozen=True)
class Gradient:
    """A backward pass: loss, flat gradient and the per-layer error signals δ = ∂J/∂z."""

    loss: float
    grad: np.ndarray
    deltas: tuple[np.ndarray, ...]
    trace: Trace


@dataclass(frozen=True)
class MLP:
    """A fully connected network: sizes = (inputs, hidden…, outputs).

    J(θ) = mean_i ℓ(f(x_i; θ), y_i) + l2·Σw² + l1·Σ|w|   (weights only, not biases)
    Dropout (inverted, Srivastava et al. 2014) applies to hidden layers when training.
    """

    sizes: tuple[int, ...]
    hidden: str = "tanh"
    output: str | None = None  # None: the loss's natural output (identity / sigmoid / softmax)
    loss: str = "mse"
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    norm: str | None = None        # None | "batch" | "layer": after each hidden affine layer
    norm_momentum: float = 0.1     # batch norm: running ← (1 − m)·running + m·batch
    norm_eps: float = 1e-5
    layout: Layout = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        try:
            sizes = tuple(int(s) for s in self.sizes)
        except (TypeError, ValueError):
            raise ShapeError(f"sizes must be a sequence of layer widths, got {self.sizes!r}") from None
        if len(sizes) < 2 or min(sizes) < 1 or sizes != tuple(self.sizes):
            raise ShapeError(f"sizes must be ≥ 2 positive layer widths, got {self.sizes}")
        object.__setattr__(self, "sizes", sizes)
        loss = L.get(self.loss)
        A.get(self.hidden)
        if self.hidden == "softmax":
            raise NNVizError("softmax is only valid as the output activation")
        out = self.output or loss.default_output
        A.get(out)
        if loss.output is not None and out != loss.output:
            raise NNVizError(f"loss {self.loss!r} needs output activation {loss.output!r}, not {out!r}")
        if loss.output is None and out == "softmax":
            raise NNVizError("softmax output needs the 'cce' loss")
        object.__setattr__(self, "output", out)
        if not 0.0 <= self.dropout < 1.0:
            raise NNVizError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.l1 < 0 or self.l2 < 0:
            raise NNVizError("l1 and l2 must be ≥ 0")
        if self.norm is not None and self.norm not in NORMS:
            raise NNVizError(f"unknown norm {self.norm!r}; valid: {', '.join(map(repr, NORMS))} or None")
        if self.norm is not None and not 0.0 < self.norm_momentum <= 1.0:
            raise NNVizError(f"norm_momentum must be in (0, 1], got {self.norm_momentum}")
        if self.norm is not None and not self.norm_eps > 0:
            raise NNVizError(f"norm_eps must be > 0, got {self.norm_eps}")
        if self.norm == "layer" and len(sizes) > 2 and min(sizes[1:-1]) < 2:
            raise ShapeError(f"layer norm needs hidden layers of width ≥ 2, got sizes {sizes}")
        shapes = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            shapes += [(f"W{i}", (a, b)), (f"b{i}", (b,))]
            if self.norm is not None and i < len(sizes) - 1:
                shapes += [(f"gamma{i}", (b,)), (f"beta{i}", (b,))]
        layout = Layout.from_shapes(shapes)
        object.__setattr__(self, "layout", layout)
        # precomputed per-layer (W slice, W shape, b slice, activation): the training
        # loop calls forward/backward thousands of times, so no lookups per step
        acts = [A.get(self.hidden)] * (self.n_layers - 1) + [A.get(out)]
        object.__setattr__(self, "_layers", tuple(
            (layout.entry(f"W{i}").slice, layout.entry(f"W{i}").shape, layout.entry(f"b{i}").slice, acts[i - 1])
            for i in range(1, self.n_layers + 1)))
        object.__setattr__(self, "_loss", loss)
        object.__setattr__(self, "_norm_slices", tuple(
            (layout.entry(f"gamma{i}").slice, layout.entry(f"beta{i}").slice)
            if self.norm is not None and i < self.n_layers else None
            for i in range(1, self.n_layers + 1)))

    # -- description -------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def n_params(self) -> int:
        return self.layout.size

    def activation(self, layer: int) -> A.Activation:
        """Activation of layer `layer` (1-based, as in W1)."""
        if not 1 <= layer <= self.n_layers:
            raise ShapeError(f"layer must be in 1..{self.n_layers}, got {layer}")
        return self._layers[layer - 1][3]

    def weights(self, theta: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """(W, b) of layer `layer` (1-based) as views into θ; W has shape (in, out)."""
        if not 1 <= layer <= self.n_layers:
            raise ShapeError(f"layer must be in 1..{self.n_layers}, got {layer}")
        return self.layout.view(theta, f"W{layer}"), self.layout.view(theta, f"b{layer}")

    def norm_params(self, theta: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """(γ, β) of hidden layer `layer` (1-based) as views into θ; needs a norm."""
        if self.norm is None or not 1 <= layer < self.n_layers:
            raise ShapeError(f"layer {layer} has no normalisation (norm={self.norm!r}, "
                             f"normalised layers 1..{self.n_layers - 1})")
        return self.layout.view(theta, f"gamma{layer}"), self.layout.view(theta, f"beta{layer}")

    def config(self) -> dict:
        cfg = {"sizes": list(self.sizes), "hidden": self.hidden, "output": self.output,
               "loss": self.loss, "l1": self.l1, "l2": self.l2, "dropout": self.dropout}
        if self.norm is not None:  # absent keys keep the records of norm-free models unchanged
            cfg.update(norm=self.norm, norm_momentum=self.norm_momentum, norm_eps=self.norm_eps)
        return cfg

    # -- batch-norm running statistics (outside θ) ---------------------------------------
    @property
    def has_running_stats(self) -> bool:
        return self.norm == "batch"

    def init_stats(self) -> dict[str, np.ndarray]:
        """Running statistics before any training: mean 0, variance 1 (as PyTorch); {} without batch norm."""
        if not self.has_running_stats:
            return {}
        out = {}
        for i in range(1, self.n_layers):
            out[f"mean{i}"] = np.zeros(self.sizes[i])
            out[f"var{i}"] = np.ones(self.sizes[i])
        return out

    def update_stats(self, stats: dict, trace: Trace) -> dict[str, np.ndarray]:
        """Running statistics after one training batch: (1 − m)·old + m·batch, the batch
        variance unbiased (× n/(n−1)), as PyTorch's BatchNorm1d. Returns a new dict."""
        if not self.has_running_stats:
            return {}
        mom, out = self.norm_momentum, {}
        for i in range(1, self.n_layers):
            nc = trace.norms[i - 1] if trace.norms else None
            if nc is None or not nc[5]:
                raise NNVizError("update_stats needs a training-mode trace (forward(..., train=True))")
            m = nc[0].shape[0]
            out[f"mean{i}"] = (1.0 - mom) * stats[f"mean{i}"] + mom * nc[2]
            out[f"var{i}"] = (1.0 - mom) * stats[f"var{i}"] + mom * nc[3] * (m / (m - 1))
        return out

    # -- parameters ----------------------------------------------------------------
    def init(self, rng: np.random.Generator, scheme: str = "glorot", **kw) -> np.ndarray:
        """Weights from `scheme`, biases 0, norm scales γ = 1 and shifts β = 0."""
        from .errors import lookup

        fn = lookup(INITIALISERS, scheme, "initialiser")
        blocks = {}
        for i in range(1, self.n_layers + 1):
            a, b = self.sizes[i - 1], self.sizes[i]
            blocks[f"W{i}"] = fn(rng, a, b, (a, b), **kw)
            blocks[f"b{i}"] = np.zeros(b)
            if self._norm_slices[i - 1] is not None:
                blocks[f"gamma{i}"] = np.ones(b)
                blocks[f"beta{i}"] = np.zeros(b)
        return self.layout.flatten(blocks)

    # -- forward / backward ----------------------------------------------------------
    def _check(self, theta, X, Y=None):
        if theta.ndim != 1 or theta.shape[0] != self.layout.size:
            raise ShapeError(f"θ must be a flat vector of {self.layout.size} parameters, got shape {theta.shape}")
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ShapeError(f"X must be (m, {self.sizes[0]}), got {X.shape}")
        if Y is not None and (Y.ndim != 2 or Y.shape != (X.shape[0], self.sizes[-1])):
            raise ShapeError(f"Y must be ({X.shape[0]}, {self.sizes[-1]}), got {Y.shape}")

    def forward(self, theta, X, *, train: bool = False, rng: np.random.Generator | None = None,
                stats: dict | None = None) -> Trace:
        """Forward pass keeping every layer. Dropout only when train and dropout > 0.

        Batch norm uses the batch's statistics when `train`, else the running `stats`
        (required then: evaluation must not depend on which examples share the batch).
        """
        theta = _as_theta(theta)
        X = np.asarray(X, dtype=theta.dtype)
        self._check(theta, X)
        drop = train and self.dropout > 0
        if drop and rng is None:
            raise NNVizError("dropout in training needs a seeded rng (pass rng=np.random.default_rng(seed))")
        if self.norm == "batch":
            if train and X.shape[0] < 2:
                raise DataError("batch norm in training mode needs a batch of ≥ 2 examples "
                                f"(got {X.shape[0]}); use a larger batch_size or norm='layer'")
            if not train and stats is None:
                raise NNVizError("batch norm in evaluation mode needs the running statistics: "
                                 "pass stats=… (MLP.init_stats(), a Run's buffers) or train=True")
        pre, post, masks, norms = [], [X], [], []
        a = X
        last = self.n_layers - 1
        eps = self.norm_eps
        for i, (wsl, wshape, bsl, act) in enumerate(self._layers):
            z = a @ theta[wsl].reshape(wshape)
            z += theta[bsl]
            ns = self._norm_slices[i]
            nc = None
            if ns is not None:
                if self.norm == "layer":
                    mu = z.mean(axis=1, keepdims=True)
                    var = ((z - mu) ** 2).mean(axis=1, keepdims=True)
                    from_batch = False
                elif train:
                    mu = z.mean(axis=0)
                    var = ((z - mu) ** 2).mean(axis=0)
                    from_batch = True
                else:
                    mu, var = np.asarray(stats[f"mean{i + 1}"]), np.asarray(stats[f"var{i + 1}"])
                    from_batch = False
                inv = 1.0 / np.sqrt(var + eps)
                xhat = (z - mu) * inv
                nc = (z, xhat, mu, var, inv, from_batch)
                z = xhat * theta[ns[0]] + theta[ns[1]]
            norms.append(nc)
            a = act.f(z)
            mask = None
            if drop and i < last:
                keep = 1.0 - self.dropout
                mask = (rng.random(a.shape) < keep).astype(a.dtype) / keep
                a = a * mask
            pre.append(z)
            post.append(a)
            masks.append(mask)
        return Trace(tuple(pre), tuple(post), tuple(masks), tuple(norms) if self.norm else ())

    def predict(self, theta, X, *, stats: dict | None = None) -> np.ndarray:
        return self.forward(theta, X, stats=stats).output

    def penalty(self, theta) -> float:
        if not (self.l1 or self.l2):
            return 0.0
        total = 0.0
        for wsl, _, _, _ in self._layers:
            W = theta[wsl]
            if self.l2:
                total += self.l2 * float(W @ W)
            if self.l1:
                total += self.l1 * float(np.abs(W).sum())
        return total

    def data_loss(self, trace: Trace, Y) -> float:
        v = self._loss.value(trace.pre[-1], trace.output, Y)
        return float(v.sum() / v.size)  # = np.mean, without its Python-level overhead

    def loss_value(self, theta, X, Y, *, stats: dict | None = None, train: bool = False, rng=None) -> float:
        """J(θ) on (X, Y) in evaluation mode (no dropout; batch norm with running `stats`)."""
        theta = _as_theta(theta)
        Y = np.asarray(Y, dtype=theta.dtype)
        tr = self.forward(theta, X, stats=stats, train=train, rng=rng)
        self._check(theta, tr.post[0], Y)
        return self.data_loss(tr, Y) + self.penalty(theta)

    def backward(self, theta, X, Y, *, train: bool = False, rng=None, stats: dict | None = None) -> Gradient:
        """Loss and ∇θJ by backpropagation (the chain rule, layer by layer from the output).

        δ_L = ∂J/∂z_L from the loss; ∂J/∂W_i = a_{i-1}ᵀ δ_i, ∂J/∂b_i = Σ δ_i;
        δ_{i-1} = (δ_i W_iᵀ) ⊙ mask ⊙ f'(z_{i-1}). One forward pass, no recomputation
        (except the unmasked activation when dropout is on).

        Through a normalisation u = γẑ + β: ∂J/∂γ = Σ δ_u ⊙ ẑ, ∂J/∂β = Σ δ_u and, with
        g = δ_u γ, ∂J/∂z = (1/√(σ²+ε)) (g − mean(g) − ẑ ⊙ mean(g ⊙ ẑ)) when μ, σ² come
        from the same values (means over the batch for batch norm, over the units for
        layer norm), or g/√(σ²+ε) with running statistics.
        """
        theta = _as_theta(theta)
        Y = np.asarray(Y, dtype=theta.dtype)
        tr = self.forward(theta, X, train=train, rng=rng, stats=stats)
        self._check(theta, tr.post[0], Y)
        m = tr.post[0].shape[0]
        layers = self._layers
        grad = np.empty_like(theta)
        delta = self._loss.grad(tr.pre[-1], tr.output, Y, layers[-1][3])
        delta *= 1.0 / m
        deltas = [None] * self.n_layers
        for i in range(self.n_layers - 1, -1, -1):
            wsl, wshape, bsl, _ = layers[i]
            ns = self._norm_slices[i]
            if ns is not None:
                delta = self._norm_backward(theta, ns, tr.norms[i], delta, grad)
            deltas[i] = delta
            W = theta[wsl].reshape(wshape)
            gW = grad[wsl].reshape(wshape)  # a view: results land in the flat gradient
            np.matmul(tr.post[i].T, delta, out=gW)
            if self.l2:
                gW += (2.0 * self.l2) * W
            if self.l1:
                gW += self.l1 * np.sign(W)
            np.sum(delta, axis=0, out=grad[bsl])
            if i > 0:
                da = delta @ W.T
                act = layers[i - 1][3]
                if tr.masks[i - 1] is not None:
                    da *= tr.masks[i - 1]
                    # post[i] already includes the mask; recover the unmasked activation
                    a_prev = act.f(tr.pre[i - 1])
                else:
                    a_prev = tr.post[i]
                delta = da * A.derivative(act, tr.pre[i - 1], a_prev)
        value = self.data_loss(tr, Y) + self.penalty(theta)
        return Gradient(value, grad, tuple(deltas), tr)

    @staticmethod
    def _norm_backward(theta, ns, nc, du, grad):
        """δ_u = ∂J/∂u → writes ∂J/∂γ, ∂J/∂β into grad, returns δ_z = ∂J/∂z."""
        _z, xhat, _mu, _var, inv, from_batch = nc
        gsl, bsl = ns
        axis = 0 if np.ndim(inv) == 1 else 1  # batch norm: per unit over the batch; layer norm: per example
        grad[gsl] = np.sum(du * xhat, axis=0)
        grad[bsl] = np.sum(du, axis=0)
        g = du * theta[gsl]
        if from_batch or axis == 1:
            return inv * (g - g.mean(axis=axis, keepdims=True)
                          - xhat * (g * xhat).mean(axis=axis, keepdims=True))
        return g * inv

    def loss_and_grad(self, theta, X, Y, *, train: bool = False, rng=None,
                      stats: dict | None = None) -> tuple[float, np.ndarray]:
        g = self.backward(theta, X, Y, train=train, rng=rng, stats=stats)
        return g.loss, g.grad

    def accuracy(self, theta, X, Y, *, stats: dict | None = None) -> float:
        """Fraction correct: argmax for several outputs, threshold 0.5 for one sigmoid unit."""
        return self.accuracy_of(self.predict(theta, X, stats=stats), Y)

    def accuracy_of(self, out, Y) -> float:
        """`accuracy` from already computed network outputs (saves a forward pass)."""
        Y = np.asarray(Y)
        if out.shape[1] > 1:
            return float(np.mean(out.argmax(1) == Y.argmax(1)))
        thr = 0.0 if self.output in ("tanh", "identity") and np.min(Y) < 0 else 0.5
        return float(np.mean((out[:, 0] >= thr) == (Y[:, 0] >= thr)))


NORMS = ("batch", "layer")


def _as_theta(theta) -> np.ndarray:
    theta = np.asarray(theta)
    return theta if theta.dtype.kind == "f" else theta.astype(float)


def model_from(cfg: dict) -> MLP:
    """The network an `MLP.config()` dict describes (as records store it); keys it lacks take
    the defaults, keys that are not MLP fields are ignored."""
    names = {f.name for f in fields(MLP) if f.init}
    return MLP(**{k: v for k, v in cfg.items() if k in names and k != "sizes"}, sizes=tuple(cfg["sizes"]))
