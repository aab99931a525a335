"""Dense networks of any depth: vectorised forward pass and backpropagation on a flat θ.

An `MLP` is a frozen description (sizes, activations, loss, regularisation); the
parameters live outside it in one flat vector, so optimizers, records and loss
landscapes all work on plain arrays. `forward` returns every layer's
pre-activations and activations (a `Trace`) and `backward` adds the error signals
δ and the flat gradient, because the network scenes animate exactly those numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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
        shapes = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            shapes += [(f"W{i}", (a, b)), (f"b{i}", (b,))]
        layout = Layout.from_shapes(shapes)
        object.__setattr__(self, "layout", layout)
        # precomputed per-layer (W slice, W shape, b slice, activation): the training
        # loop calls forward/backward thousands of times, so no lookups per step
        acts = [A.get(self.hidden)] * (self.n_layers - 1) + [A.get(out)]
        object.__setattr__(self, "_layers", tuple(
            (layout.entry(f"W{i}").slice, layout.entry(f"W{i}").shape, layout.entry(f"b{i}").slice, acts[i - 1])
            for i in range(1, self.n_layers + 1)))
        object.__setattr__(self, "_loss", loss)

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

    def config(self) -> dict:
        return {"sizes": list(self.sizes), "hidden": self.hidden, "output": self.output,
                "loss": self.loss, "l1": self.l1, "l2": self.l2, "dropout": self.dropout}

    # -- parameters ----------------------------------------------------------------
    def init(self, rng: np.random.Generator, scheme: str = "glorot", **kw) -> np.ndarray:
        from .errors import lookup

        fn = lookup(INITIALISERS, scheme, "initialiser")
        blocks = {}
        for i in range(1, self.n_layers + 1):
            a, b = self.sizes[i - 1], self.sizes[i]
            blocks[f"W{i}"] = fn(rng, a, b, (a, b), **kw)
            blocks[f"b{i}"] = np.zeros(b)
        return self.layout.flatten(blocks)

    # -- forward / backward ----------------------------------------------------------
    def _check(self, theta, X, Y=None):
        if theta.ndim != 1 or theta.shape[0] != self.layout.size:
            raise ShapeError(f"θ must be a flat vector of {self.layout.size} parameters, got shape {theta.shape}")
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ShapeError(f"X must be (m, {self.sizes[0]}), got {X.shape}")
        if Y is not None and (Y.ndim != 2 or Y.shape != (X.shape[0], self.sizes[-1])):
            raise ShapeError(f"Y must be ({X.shape[0]}, {self.sizes[-1]}), got {Y.shape}")

    def forward(self, theta, X, *, train: bool = False, rng: np.random.Generator | None = None) -> Trace:
        """Forward pass keeping every layer. Dropout only when train and dropout > 0."""
        theta = _as_theta(theta)
        X = np.asarray(X, dtype=theta.dtype)
        self._check(theta, X)
        drop = train and self.dropout > 0
        if drop and rng is None:
            raise NNVizError("dropout in training needs a seeded rng (pass rng=np.random.default_rng(seed))")
        pre, post, masks = [], [X], []
        a = X
        last = self.n_layers - 1
        for i, (wsl, wshape, bsl, act) in enumerate(self._layers):
            z = a @ theta[wsl].reshape(wshape)
            z += theta[bsl]
            a = act.f(z)
            mask = None
            if drop and i < last:
                keep = 1.0 - self.dropout
                mask = (rng.random(a.shape) < keep).astype(a.dtype) / keep
                a = a * mask
            pre.append(z)
            post.append(a)
            masks.append(mask)
        return Trace(tuple(pre), tuple(post), tuple(masks))

    def predict(self, theta, X) -> np.ndarray:
        return self.forward(theta, X).output

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

    def loss_value(self, theta, X, Y) -> float:
        """J(θ) on (X, Y) in evaluation mode (no dropout)."""
        theta = _as_theta(theta)
        Y = np.asarray(Y, dtype=theta.dtype)
        tr = self.forward(theta, X)
        self._check(theta, tr.post[0], Y)
        return self.data_loss(tr, Y) + self.penalty(theta)

    def backward(self, theta, X, Y, *, train: bool = False, rng=None) -> Gradient:
        """Loss and ∇θJ by backpropagation (the chain rule, layer by layer from the output).

        δ_L = ∂J/∂z_L from the loss; ∂J/∂W_i = a_{i-1}ᵀ δ_i, ∂J/∂b_i = Σ δ_i;
        δ_{i-1} = (δ_i W_iᵀ) ⊙ mask ⊙ f'(z_{i-1}). One forward pass, no recomputation
        (except the unmasked activation when dropout is on).
        """
        theta = _as_theta(theta)
        Y = np.asarray(Y, dtype=theta.dtype)
        tr = self.forward(theta, X, train=train, rng=rng)
        self._check(theta, tr.post[0], Y)
        m = tr.post[0].shape[0]
        layers = self._layers
        grad = np.empty_like(theta)
        delta = self._loss.grad(tr.pre[-1], tr.output, Y, layers[-1][3])
        delta *= 1.0 / m
        deltas = [None] * self.n_layers
        for i in range(self.n_layers - 1, -1, -1):
            wsl, wshape, bsl, _ = layers[i]
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

    def loss_and_grad(self, theta, X, Y, *, train: bool = False, rng=None) -> tuple[float, np.ndarray]:
        g = self.backward(theta, X, Y, train=train, rng=rng)
        return g.loss, g.grad

    def accuracy(self, theta, X, Y) -> float:
        """Fraction correct: argmax for several outputs, threshold 0.5 for one sigmoid unit."""
        return self.accuracy_of(self.predict(theta, X), Y)

    def accuracy_of(self, out, Y) -> float:
        """`accuracy` from already computed network outputs (saves a forward pass)."""
        Y = np.asarray(Y)
        if out.shape[1] > 1:
            return float(np.mean(out.argmax(1) == Y.argmax(1)))
        thr = 0.0 if self.output in ("tanh", "identity") and np.min(Y) < 0 else 0.5
        return float(np.mean((out[:, 0] >= thr) == (Y[:, 0] >= thr)))


def _as_theta(theta) -> np.ndarray:
    theta = np.asarray(theta)
    return theta if theta.dtype.kind == "f" else theta.astype(float)


def check_finite(name: str, arr: np.ndarray) -> None:
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name} contains NaN or infinite values; clean the data before training")
