"""The `Dataset` type (features, targets, task, held-out part) and its train/validation/test `Split`.

Below both `data` (the generators) and `loaders` (arrays and files): each builds Datasets, and
`data` re-exports the loaders, so the type lives in neither.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import DataError, ShapeError, lookup

@dataclass(frozen=True)
class Dataset:
    name: str
    X: np.ndarray
    Y: np.ndarray
    task: str  # "regression" | "binary" | "multiclass"
    X_test: np.ndarray | None = None
    Y_test: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        for nm in ("X", "Y", "X_test", "Y_test"):
            v = getattr(self, nm)
            if v is None:
                continue
            v = np.asarray(v, dtype=float)
            if v.ndim != 2:
                raise ShapeError(f"{self.name}: {nm} must be 2-D, got shape {v.shape}")
            if not np.all(np.isfinite(v)):
                raise DataError(f"{self.name}: {nm} contains NaN or infinite values")
            object.__setattr__(self, nm, v)
        if len(self.X) == 0:
            raise DataError(f"{self.name}: empty data set")
        if self.X.shape[0] != self.Y.shape[0]:
            raise ShapeError(f"{self.name}: X has {len(self.X)} rows but Y has {len(self.Y)}")
        if (self.X_test is None) != (self.Y_test is None):
            raise ShapeError(f"{self.name}: give both X_test and Y_test or neither")

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.Y.shape[1]

    @property
    def labels(self) -> np.ndarray:
        """Integer class labels (argmax of one-hot, or threshold of a binary column)."""
        return self.Y.argmax(1) if self.n_outputs > 1 else (self.Y[:, 0] > 0.5).astype(int)

    def split(self, test_fraction: float = 0.25, seed: int = 0) -> "Dataset":
        """A seeded shuffle-split into train and test parts."""
        if not 0 < test_fraction < 1:
            raise DataError("test_fraction must be in (0, 1)")
        idx = np.random.default_rng(seed).permutation(self.n)
        k = int(round(self.n * test_fraction))
        if k == 0 or k == self.n:
            raise DataError(f"{self.name}: {self.n} examples are too few to split {test_fraction}")
        te, tr = idx[:k], idx[k:]
        return Dataset(self.name, self.X[tr], self.Y[tr], self.task, self.X[te], self.Y[te],
                       {**self.meta, "split": {"test_fraction": test_fraction, "seed": seed}})

    def split3(self, validation_fraction: float = 0.2, test_fraction: float = 0.2,
               seed: int = 0) -> "Split":
        """A seeded shuffle-split into train / validation / test parts (disjoint, together all rows).

        The validation part chooses things (an early-stopping epoch, a capacity); the test part
        only reports, so the number reported was not used to choose.
        """
        fr = (validation_fraction, test_fraction)
        if not all(0 < f < 1 for f in fr) or sum(fr) >= 1:
            raise DataError("validation_fraction and test_fraction must be in (0, 1) with a sum below 1")
        idx = np.random.default_rng(seed).permutation(self.n)
        kv, kt = int(round(self.n * fr[0])), int(round(self.n * fr[1]))
        if min(kv, kt, self.n - kv - kt) == 0:
            raise DataError(f"{self.name}: {self.n} examples are too few to split {fr[0]}/{fr[1]}")
        va, te, tr = idx[:kv], idx[kv:kv + kt], idx[kv + kt:]
        meta = {**self.meta, "split": {"validation_fraction": fr[0], "test_fraction": fr[1], "seed": seed}}
        part = lambda rows: Dataset(self.name, self.X[rows], self.Y[rows], self.task, meta=meta)
        return Split(part(tr), part(va), part(te), {"train": tr, "validation": va, "test": te})


@dataclass(frozen=True)
class Split:
    """Train / validation / test parts of one data set, and the source rows of each."""

    train: Dataset
    validation: Dataset
    test: Dataset
    rows: dict

    def with_test(self, part: str = "validation") -> Dataset:
        """The training part with `part` ("validation" or "test") as its held-out set, so the
        trainer's test metrics measure that part."""
        held = lookup({"validation": self.validation, "test": self.test}, part, "split part")
        return Dataset(self.train.name, self.train.X, self.train.Y, self.train.task, held.X, held.Y,
                       self.train.meta)


def one_hot(labels: np.ndarray, c: int | None = None) -> np.ndarray:
    labels = np.asarray(labels, dtype=int)
    c = int(labels.max()) + 1 if c is None else c
    out = np.zeros((labels.size, c))
    out[np.arange(labels.size), labels] = 1.0
    return out
