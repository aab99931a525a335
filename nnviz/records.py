"""Records: frozen dataclasses written as `<path>.npz` (arrays) + `<path>.json` (the rest).

Why not pickle: records outlive code versions and are read by other tools. Writes
are atomic (temp file + rename, JSON last, carrying the arrays' SHA-256), so a
crash never leaves a half-written record that looks whole; every way a load can
fail ends in one `RecordError` saying which file and why.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from .errors import RecordError

SCHEMA_VERSION = 1
_RECORD_TYPES: dict[str, type] = {}


def versions() -> dict:
    from . import __version__

    return {"nnviz": __version__, "numpy": np.__version__, "python": platform.python_version()}


def _paths(path) -> tuple[Path, Path]:
    p = Path(path)
    if p.suffix in (".npz", ".json"):
        p = p.with_suffix("")
    return p.with_name(p.name + ".npz"), p.with_name(p.name + ".json")


def _atomic_write(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if hasattr(v, "to_json"):
        return v.to_json()
    return v


@dataclass(frozen=True)
class Record:
    """Base for records. Fields holding arrays (or dicts of arrays) go to the .npz file."""

    kind: ClassVar[str] = "record"

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        _RECORD_TYPES[cls.kind] = cls

    def save(self, path) -> Path:
        npz, js = _paths(path)
        arrays, meta = {}, {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                arrays[f.name] = v
            elif isinstance(v, dict) and v and all(isinstance(x, np.ndarray) for x in v.values()):
                for k, x in v.items():
                    arrays[f"{f.name}/{k}"] = x
                meta.setdefault("__array_dicts__", []).append(f.name)
            else:
                meta[f.name] = _jsonable(v)
        digest = hashlib.sha256()

        def write_npz(fh):
            np.savez(fh, **arrays)

        _atomic_write(npz, write_npz)
        digest.update(npz.read_bytes())
        doc = {"schema": SCHEMA_VERSION, "kind": self.kind, "npz_sha256": digest.hexdigest(),
               "versions": versions(), "fields": meta}
        _atomic_write(js, lambda fh: fh.write(json.dumps(doc, indent=1, allow_nan=True).encode()))
        return js

    @classmethod
    def load(cls, path):
        rec = load(path)
        if cls is not Record and not isinstance(rec, cls):
            raise RecordError(f"{_paths(path)[1]} holds a {rec.kind!r} record, not a {cls.kind!r}")
        return rec

    def equals(self, other) -> bool:
        """Exact equality, arrays bit for bit (NaN == NaN)."""
        if type(self) is not type(other):
            return False
        for f in dataclasses.fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if not _equal(a, b):
                return False
        return True


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return _jsonable(a) == _jsonable(b)


def load(path) -> Record:
    """Load any record; the one error type for every failure is RecordError."""
    npz, js = _paths(path)
    if not js.exists():
        raise RecordError(f"record not found: {js} (train it first, e.g. `nnviz train NAME`)")
    try:
        doc = json.loads(js.read_text())
        schema, kind, fields = doc["schema"], doc["kind"], doc["fields"]
    except (ValueError, KeyError, TypeError) as e:
        raise RecordError(f"record {js} is truncated or corrupted ({e})") from None
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise RecordError(f"record {js} has schema {schema}, newer than this nnviz ({SCHEMA_VERSION}); upgrade nnviz")
    cls = _RECORD_TYPES.get(kind)
    if cls is None:
        raise RecordError(f"record {js} is of unknown kind {kind!r}")
    if not npz.exists():
        raise RecordError(f"record {js} is missing its arrays file {npz}")
    data = npz.read_bytes()
    if hashlib.sha256(data).hexdigest() != doc.get("npz_sha256"):
        raise RecordError(f"record arrays {npz} do not match {js} (truncated, corrupted or half-written)")
    try:
        with np.load(npz, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        raise RecordError(f"record arrays {npz} cannot be read ({e})") from None
    values = {k: v for k, v in fields.items() if k != "__array_dicts__"}
    for name in fields.get("__array_dicts__", []):
        values[name] = {}
    for k, v in arrays.items():
        if "/" in k:
            name, key = k.split("/", 1)
            values.setdefault(name, {})[key] = v
        else:
            values[k] = v
    names = {f.name for f in dataclasses.fields(cls)}
    try:
        return cls(**{k: v for k, v in values.items() if k in names})
    except TypeError as e:
        raise RecordError(f"record {js} does not match the {kind!r} schema ({e})") from None


@dataclass(frozen=True)
class Run(Record):
    """What one optimisation run did.

    θ_t is the parameter vector after t updates. `loss[t]`, `grad_norm[t]`, `lr[t]`
    belong to update t (taken at θ_t on that step's batch). θ is kept only at
    `steps` (every k-th, always the first and the last) to bound memory.
    `diverged_at` is the step whose loss or parameters went non-finite or past the
    bound (-1 if none); every stored number is finite up to there.
    """

    kind: ClassVar[str] = "run"
    config: dict
    layout: list
    steps: np.ndarray        # (K,) int64
    thetas: np.ndarray       # (K, d)
    loss: np.ndarray         # (T,)
    grad_norm: np.ndarray    # (T,)
    lr: np.ndarray           # (T,)
    eval_steps: np.ndarray   # (E,)
    train_loss: np.ndarray   # (E,)
    test_loss: np.ndarray    # (E,) NaN when there is no test set
    train_acc: np.ndarray    # (E,) NaN for regression / analytic problems
    test_acc: np.ndarray     # (E,)
    epoch_time: np.ndarray   # (epochs,) seconds of training work per epoch
    grads: dict = field(default_factory=dict)   # {"grad": (K, d)} when recorded
    state: dict = field(default_factory=dict)   # optimizer slots at `steps`, each (K, d)
    diverged_at: int = -1
    wall_time: float = 0.0
    meta: dict = field(default_factory=dict)

    @property
    def diverged(self) -> bool:
        return self.diverged_at >= 0

    @property
    def n_steps(self) -> int:
        return int(self.loss.shape[0])

    @property
    def final_theta(self) -> np.ndarray:
        return self.thetas[-1]


@dataclass(frozen=True)
class Surface(Record):
    """Loss on a grid over a plane (or line) through `origin` spanned by `directions`.

    loss[j, i] is the loss at origin + xs[i]·d0 + ys[j]·d1. Cells where the loss
    overflowed are NaN/inf and listed in `nonfinite`, never a crash.
    """

    kind: ClassVar[str] = "surface"
    config: dict
    method: str
    xs: np.ndarray
    ys: np.ndarray
    loss: np.ndarray
    origin: np.ndarray
    directions: np.ndarray
    extra: dict = field(default_factory=dict)  # e.g. test_loss, train_acc grids
    meta: dict = field(default_factory=dict)

    @property
    def nonfinite(self) -> int:
        return int(np.count_nonzero(~np.isfinite(self.loss)))
