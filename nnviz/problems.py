"""What an optimizer minimises: a loss with a gradient on batches of examples.

The training loop only needs `n` (examples per epoch), `batch_loss_grad` and
`evaluate`; networks on data and analytic objectives both fit, so one loop and
one `Run` record serve every scene.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .data import Dataset
from .errors import ShapeError
from .nn import MLP


class Problem(Protocol):
    n: int

    def batch_loss_grad(self, theta: np.ndarray, idx: np.ndarray | None,
                        rng: np.random.Generator) -> tuple[float, np.ndarray]: ...

    def evaluate(self, theta: np.ndarray) -> dict[str, float]: ...

    def config(self) -> dict: ...

    @property
    def dim(self) -> int: ...


@dataclass(frozen=True)
class NetworkProblem:
    """An MLP on a data set. idx=None means the full training set (no copy).

    A batch-norm model's running statistics are the problem's only mutable state
    (they are not parameters): every training batch updates them, `evaluate` and
    `loss` use them, `reset_buffers` restarts them and `buffers` hands a copy to the
    training loop, which records them with the run.
    """

    model: MLP
    data: Dataset

    def __post_init__(self):
        if self.data.n_features != self.model.sizes[0] or self.data.n_outputs != self.model.sizes[-1]:
            raise ShapeError(
                f"model {self.model.sizes} does not fit data {self.data.name!r} "
                f"({self.data.n_features} features → {self.data.n_outputs} outputs)")
        self.reset_buffers()

    def reset_buffers(self) -> None:
        object.__setattr__(self, "_stats", self.model.init_stats() if self.model.has_running_stats else None)

    def set_buffers(self, stats: dict) -> None:
        object.__setattr__(self, "_stats", {k: np.array(v, dtype=float) for k, v in stats.items()}
                           if self.model.has_running_stats else None)

    def buffers(self) -> dict[str, np.ndarray]:
        """A copy of the running statistics ({} without batch norm)."""
        return {k: v.copy() for k, v in (self._stats or {}).items()}

    @property
    def n(self) -> int:
        return self.data.n

    @property
    def dim(self) -> int:
        return self.model.n_params

    def batch_loss_grad(self, theta, idx, rng):
        X, Y = self.data.X, self.data.Y
        if idx is not None:
            X, Y = X[idx], Y[idx]
        bn = self._stats is not None
        train = self.model.dropout > 0 or bn
        g = self.model.backward(theta, X, Y, train=train, rng=rng)
        if bn:
            object.__setattr__(self, "_stats", self.model.update_stats(self._stats, g.trace))
        if idx is None and not train:
            # a full-batch step already computed the training-set forward pass at θ;
            # `evaluate(θ)` right after reuses it (checked against a copy of θ)
            object.__setattr__(self, "_full_pass", (np.array(theta, copy=True), g.loss, g.trace.output))
        return g.loss, g.grad

    def loss(self, theta, X=None, Y=None) -> float:
        X = self.data.X if X is None else X
        Y = self.data.Y if Y is None else Y
        return self.model.loss_value(theta, X, Y, stats=self._stats)

    def evaluate(self, theta):
        d, m = self.data, self.model
        classify = d.task != "regression"
        memo = self.__dict__.get("_full_pass")
        if memo is not None and memo[0].shape == np.shape(theta) and np.array_equal(memo[0], theta):
            train_loss, out = memo[1], memo[2]
        else:
            tr = m.forward(theta, d.X, stats=self._stats)
            train_loss, out = m.data_loss(tr, d.Y) + m.penalty(theta), tr.output
        out_ = {"train_loss": train_loss,
                "train_acc": m.accuracy_of(out, d.Y) if classify else np.nan,
                "test_loss": np.nan, "test_acc": np.nan}
        if d.X_test is not None:
            tr = m.forward(theta, d.X_test, stats=self._stats)
            out_["test_loss"] = m.data_loss(tr, d.Y_test) + m.penalty(theta)
            out_["test_acc"] = m.accuracy_of(tr.output, d.Y_test) if classify else np.nan
        return out_

    def config(self) -> dict:
        return {"type": "network", "model": self.model.config(), "data": self.data.name,
                "n": self.data.n, "data_meta": self.data.meta}
