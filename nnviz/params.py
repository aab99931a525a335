"""A flat parameter vector θ ∈ R^d with a layout giving per-layer views.

Optimizers, landscapes and records all see one flat float vector; the layout is
how a network (or a scene) finds "layer 1 weights" inside it without copying.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from .errors import ShapeError


@dataclass(frozen=True)
class Entry:
    name: str
    offset: int
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return prod(self.shape)

    @property
    def slice(self) -> slice:
        return slice(self.offset, self.offset + self.size)


@dataclass(frozen=True)
class Layout:
    """Name → (offset, shape) map over a flat vector, in insertion order."""

    entries: tuple[Entry, ...]

    def __post_init__(self):
        names = [e.name for e in self.entries]
        if len(set(names)) != len(names):
            raise ShapeError(f"duplicate parameter names in layout: {names}")
        # name → Entry, so per-step lookups in the training loop are O(1)
        object.__setattr__(self, "_index", {e.name: e for e in self.entries})
        object.__setattr__(self, "_size", sum(e.size for e in self.entries))

    @classmethod
    def from_shapes(cls, shapes: list[tuple[str, tuple[int, ...]]]) -> "Layout":
        entries, off = [], 0
        for name, shape in shapes:
            shape = tuple(int(s) for s in shape)
            entries.append(Entry(name, off, shape))
            off += prod(shape)
        return cls(tuple(entries))

    @property
    def size(self) -> int:
        return self._size

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.entries)

    def entry(self, name: str) -> Entry:
        e = self._index.get(name)
        if e is not None:
            return e
        raise KeyError(f"no parameter {name!r}; layout has {list(self.names)}")

    def view(self, theta: np.ndarray, name: str) -> np.ndarray:
        """A view (no copy) of one named block; works on (..., d) stacks too."""
        self.check(theta)
        e = self.entry(name)
        return theta[..., e.slice].reshape(theta.shape[:-1] + e.shape)

    def unflatten(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        return {e.name: self.view(theta, e.name) for e in self.entries}

    def flatten(self, blocks: dict[str, np.ndarray], dtype=np.float64) -> np.ndarray:
        out = np.empty(self.size, dtype=dtype)
        missing = [e.name for e in self.entries if e.name not in blocks]
        if missing:
            raise ShapeError(f"blocks missing for {missing}; layout has {list(self.names)}")
        for e in self.entries:
            b = np.asarray(blocks[e.name])
            if b.shape != e.shape:
                raise ShapeError(f"block {e.name!r} has shape {b.shape}, layout wants {e.shape}")
            out[e.slice] = b.ravel()
        return out

    def check(self, theta: np.ndarray) -> None:
        if theta.shape[-1:] != (self.size,):
            raise ShapeError(f"parameter vector has shape {theta.shape}, layout needs (..., {self.size})")

    def to_json(self) -> list:
        return [[e.name, e.offset, list(e.shape)] for e in self.entries]

    @classmethod
    def from_json(cls, data: list) -> "Layout":
        return cls(tuple(Entry(n, int(o), tuple(s)) for n, o, s in data))


# --- initialisers: (rng, fan_in, fan_out, shape) -> array -----------------------

def glorot(rng: np.random.Generator, fan_in: int, fan_out: int, shape) -> np.ndarray:
    """Glorot & Bengio (2010) uniform: keeps activation variance for tanh/sigmoid."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def he(rng: np.random.Generator, fan_in: int, fan_out: int, shape) -> np.ndarray:
    """He et al. (2015) normal: variance 2/fan_in, for ReLU-family layers."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


def scaled_normal(rng: np.random.Generator, fan_in: int, fan_out: int, shape, scale: float = 0.1) -> np.ndarray:
    """Plain N(0, scale²): the textbook 'small random numbers'."""
    return rng.normal(0.0, scale, size=shape)


INITIALISERS = {"glorot": glorot, "xavier": glorot, "he": he, "normal": scaled_normal}
