"""Seeded toy data sets, and one real one (8×8 handwritten digits).

Every generator takes `n` and `seed` and returns a `Dataset` whose targets are
already shaped for the matching loss: (m, 1) for regression and binary labels,
one-hot (m, c) for several classes.
"""
from __future__ import annotations

import numpy as np

from .dataset import Dataset, Split, one_hot  # noqa: F401  (the type lives below data and loaders)
from .errors import DataError, lookup


def _binary(name, X, y, **meta):
    return Dataset(name, X, np.asarray(y, float).reshape(-1, 1), "binary", meta=meta)


def _classes(name, X, y, c):
    return _binary(name, X, y) if c == 2 else Dataset(name, X, one_hot(y, c), "multiclass")


# --- logic gates: the perceptron's home turf ---------------------------------------
_GATE_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def xor(n: int = 4, seed: int = 0, noise: float = 0.0) -> Dataset:
    """XOR: n points around the 4 corners (exact corners when n=4 and noise=0)."""
    return _gate("xor", np.array([0, 1, 1, 0]), n, seed, noise)


def and_gate(n: int = 4, seed: int = 0, noise: float = 0.0) -> Dataset:
    return _gate("and", np.array([0, 0, 0, 1]), n, seed, noise)


def or_gate(n: int = 4, seed: int = 0, noise: float = 0.0) -> Dataset:
    return _gate("or", np.array([0, 1, 1, 1]), n, seed, noise)


def _gate(name, truth, n, seed, noise):
    rng = np.random.default_rng(seed)
    corner = np.arange(n) % 4
    X = _GATE_X[corner] + noise * rng.normal(size=(n, 2))
    return _binary(name, X, truth[corner])


# --- 2-D classification ---------------------------------------------------------------
def blobs(n: int = 200, seed: int = 0, sep: float = 2.5, std: float = 0.8) -> Dataset:
    """Two Gaussian blobs, linearly separable for large sep."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    centers = np.array([[-sep / 2, -sep / 2], [sep / 2, sep / 2]])
    X = centers[y] + std * rng.normal(size=(n, 2))
    return _binary("blobs", X, y)


def moons(n: int = 200, seed: int = 0, noise: float = 0.1) -> Dataset:
    """Two interleaving half circles (as scikit-learn's make_moons)."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n - n0)
    X = np.vstack([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    y = np.r_[np.zeros(n0), np.ones(n - n0)]
    X = X + noise * rng.normal(size=X.shape)
    perm = rng.permutation(n)
    return _binary("moons", X[perm], y[perm])


def circles(n: int = 200, seed: int = 0, noise: float = 0.08, factor: float = 0.5) -> Dataset:
    """A small circle inside a big one: needs a curved boundary."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.r_[np.ones(n0), np.full(n - n0, factor)]
    X = np.c_[r * np.cos(t), r * np.sin(t)] + noise * rng.normal(size=(n, 2))
    y = np.r_[np.zeros(n0), np.ones(n - n0)]
    perm = rng.permutation(n)
    return _binary("circles", X[perm], y[perm])


def spirals(n: int = 300, seed: int = 0, classes: int = 2, noise: float = 0.15, turns: float = 1.0) -> Dataset:
    """Interleaved spiral arms, the classic 'a linear model can't' set (CS231n style)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    r = np.linspace(0.05, 1.0, n)
    rng.shuffle(r)
    t = 2 * np.pi * turns * r + y * 2 * np.pi / classes + noise * rng.normal(size=n)
    X = np.c_[r * np.cos(t), r * np.sin(t)]
    return _classes("spirals", X, y, classes)


# --- regression ----------------------------------------------------------------------
def sine(n: int = 100, seed: int = 0, noise: float = 0.1) -> Dataset:
    """Noisy sin(x) on [-π, π]: 1-D regression for small nets."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-np.pi, np.pi, n))
    return Dataset("sine", x[:, None], (np.sin(x) + noise * rng.normal(size=n))[:, None], "regression")


def line(n: int = 100, seed: int = 0, w: float = 2.0, b: float = -1.0, noise: float = 0.3,
         low: float = -1.0, high: float = 1.0) -> Dataset:
    """y = w·x + b + noise: the 2-parameter regression whose loss surface is exact in (w, b)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, n)
    y = w * x + b + noise * rng.normal(size=n)
    return Dataset("line", x[:, None], y[:, None], "regression", meta={"w": w, "b": b, "noise": noise})


# --- a real data set ----------------------------------------------------------------
def digits(seed: int = 0, test_fraction: float = 0.25, n: int | None = None) -> Dataset:
    """scikit-learn's 8×8 handwritten digits (UCI; 1,797 images, 10 classes), scaled to [0, 1].

    The blog's MNIST experiments at a size that trains in seconds on a laptop CPU.
    """
    from sklearn.datasets import load_digits  # shipped inside scikit-learn: no download

    d = load_digits()
    X = d.data / 16.0
    y = d.target
    if n is not None:
        X, y = X[:n], y[:n]
    return Dataset("digits", X, one_hot(y, 10), "multiclass").split(test_fraction, seed)


DATASETS = {
    "xor": xor, "and": and_gate, "or": or_gate, "blobs": blobs, "moons": moons,
    "circles": circles, "spirals": spirals, "sine": sine, "line": line, "digits": digits,
}


def load(name: str, **kw) -> Dataset:
    """A data set by name; unknown names or options are one clear error."""
    import inspect

    fn = lookup(DATASETS, name, "dataset")
    try:
        inspect.signature(fn).bind(**kw)
    except TypeError as e:
        valid = ", ".join(inspect.signature(fn).parameters)
        raise DataError(f"bad options for data set {name!r} ({e}); valid: {valid}") from None
    return fn(**kw)


def dataset_from(cfg: dict) -> Dataset:
    """A data set from {"name", **kwargs} (as records store it); an optional "test" dict
    draws a separate test set with those options changed."""
    cfg = dict(cfg)
    name, test = cfg.pop("name"), cfg.pop("test", None)
    ds = load(name, **cfg)
    if test is not None:
        t = load(name, **{**cfg, **test})
        ds = Dataset(ds.name, ds.X, ds.Y, ds.task, t.X, t.Y, {"test": test})
    return ds


def grid_axes(X: np.ndarray, n: int, margin: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """(xs, ys): n points each spanning the 2-D inputs X plus `margin` of their range per side."""
    lo, hi = X.min(0), X.max(0)
    pad = margin * (hi - lo)
    return np.linspace(lo[0] - pad[0], hi[0] + pad[0], n), np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)


# your own data (arrays, CSV, MNIST's IDX files): nnviz/loaders.py
from .loaders import from_arrays, load_csv, load_idx, read_idx  # noqa: E402
