"""Your own data: NumPy arrays, a CSV file, or MNIST's IDX files → a `Dataset`.

Re-exported from `nnviz.data` (`data.from_arrays`, `data.load_csv`, `data.load_idx`). Targets are
shaped for the matching loss exactly like the built-in sets: (m, 1) for regression and binary
labels, one-hot (m, c) for several classes. Labels need not be 0..c-1: the sorted distinct labels
become classes 0..c-1 and are kept in `meta["classes"]`.
"""
from __future__ import annotations

import csv
import gzip
import struct
from pathlib import Path

import numpy as np

from .dataset import Dataset, one_hot
from .errors import DataError, ShapeError

TASKS = ("regression", "binary", "multiclass")
MAX_CLASSES = 20   # task="auto": a target with at most this many distinct integer/string values is a class label


def _task(y: np.ndarray, task: str) -> str:
    if task in TASKS:
        return task
    if task != "auto":
        raise DataError(f"unknown task {task!r}; valid: auto, {', '.join(TASKS)}")
    if y.ndim == 2 and y.shape[1] > 1:
        return "multiclass"
    flat = y.reshape(-1)
    if flat.dtype.kind in "OUS":
        values = np.unique(flat)
    else:
        fl = flat.astype(float)
        if not np.all(np.isfinite(fl)) or np.any(fl != np.round(fl)):
            return "regression"
        values = np.unique(fl)
    if len(values) > MAX_CLASSES:
        return "regression"
    return "binary" if len(values) <= 2 else "multiclass"


def from_arrays(X, y, task: str = "auto", name: str = "arrays", X_test=None, y_test=None,
                classes=None) -> "Dataset":
    """A Dataset from arrays: X (m, n) (or (m,) for one feature), y (m,), (m, 1) or one-hot (m, c).

    task: "regression" | "binary" | "multiclass" | "auto" (integer or string labels with at most
    20 distinct values are classes, two of them binary; anything else is regression).
    `classes` fixes the label order (default: sorted distinct labels of y and y_test)."""
    X = np.asarray(X)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ShapeError(f"{name}: X must be (examples, features), got shape {X.shape}")
    y = np.asarray(y)
    if y.ndim == 0 or y.ndim > 2 or len(y) != len(X):
        raise ShapeError(f"{name}: y must have one row per row of X ({len(X)}), got shape {y.shape}")
    tests = (X_test is not None) + (y_test is not None)
    if tests == 1:
        raise ShapeError(f"{name}: give both X_test and y_test or neither")
    task = _task(y, task)
    meta = {"source": name}

    def targets(yy, cls):
        if task == "regression":
            yy = np.asarray(yy, dtype=float)
            return yy.reshape(len(yy), -1)
        if yy.ndim == 2 and yy.shape[1] > 1:            # already one-hot
            if task == "binary":
                raise ShapeError(f"{name}: binary targets must be one column, got {yy.shape[1]}")
            return np.asarray(yy, dtype=float)
        lab = np.searchsorted(cls, yy.reshape(-1))
        return lab.reshape(-1, 1).astype(float) if task == "binary" else one_hot(lab, len(cls))

    cls = None
    if task != "regression" and not (y.ndim == 2 and y.shape[1] > 1):
        flat = [y.reshape(-1)] + ([np.asarray(y_test).reshape(-1)] if y_test is not None else [])
        found = np.unique(np.concatenate(flat))
        cls = np.asarray(classes) if classes is not None else found
        missing = set(found.tolist()) - set(np.asarray(cls).tolist())
        if missing:
            raise DataError(f"{name}: labels {sorted(missing)[:5]} are not among classes {list(cls)}")
        if task == "binary" and len(cls) > 2:
            raise DataError(f"{name}: task='binary' but y has {len(cls)} distinct labels; use task='multiclass'")
        if len(cls) < 2:
            raise DataError(f"{name}: a classification target needs at least 2 classes, got {len(cls)}")
        meta["classes"] = [c.item() if hasattr(c, "item") else c for c in cls]
    try:
        Xf = X.astype(float)
        Xt = None if X_test is None else np.asarray(X_test, dtype=float).reshape(len(X_test), -1)
    except ValueError:
        raise DataError(f"{name}: X must be numbers") from None
    return Dataset(name, Xf, targets(y, cls), task,
                   Xt, None if y_test is None else targets(np.asarray(y_test), cls), meta)


def load_csv(path, target, task: str = "auto", features=None, delimiter: str = ",", name: str | None = None):
    """A Dataset from a CSV file with a header row: `target` names (or numbers, 0-based) the label
    column; `features` the input columns (default: all others). Every feature must be a number;
    a label may be a word ("setosa") for classification."""
    path = Path(path)
    try:
        with path.open(newline="") as f:
            rows = [r for r in csv.reader(f, delimiter=delimiter) if any(c.strip() for c in r)]
    except FileNotFoundError:
        raise DataError(f"CSV file not found: {path}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path} is not a text CSV file") from None
    if len(rows) < 2:
        raise DataError(f"{path}: needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]

    def col(c):
        if isinstance(c, int):
            if not -len(header) <= c < len(header):
                raise DataError(f"{path}: column {c} out of range (0..{len(header) - 1})")
            return c % len(header)
        if c not in header:
            raise DataError(f"{path}: no column {c!r}; columns: {', '.join(header)}")
        return header.index(c)

    t = col(target)
    fcols = [col(c) for c in features] if features is not None else [i for i in range(len(header)) if i != t]
    if t in fcols:
        raise DataError(f"{path}: the target column {header[t]!r} is also a feature")
    X = np.empty((len(rows) - 1, len(fcols)))
    y = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise DataError(f"{path}, line {i}: {len(r)} fields, the header has {len(header)}")
        for j, c in enumerate(fcols):
            try:
                X[i - 2, j] = float(r[c])
            except ValueError:
                raise DataError(f"{path}, line {i}: column {header[c]!r} is {r[c]!r}, not a number") from None
        y.append(r[t].strip())
    if not np.all(np.isfinite(X)):
        bad = int(np.argwhere(~np.isfinite(X))[0, 0]) + 2
        raise DataError(f"{path}, line {bad}: a feature is NaN or infinite")
    y = np.asarray(y)
    try:
        yn = y.astype(float)
        y = yn.astype(np.int64) if np.all(yn == np.round(yn)) and task != "regression" else yn
    except ValueError:
        if task == "regression":
            raise DataError(f"{path}: regression target {header[t]!r} must be numbers") from None
    ds = from_arrays(X, y, task=task, name=name or path.stem)
    ds.meta.update({"features": [header[c] for c in fcols], "target": header[t]})
    return ds


# --- IDX (MNIST's format): magic 0 0 TYPE NDIM, NDIM big-endian uint32 sizes, big-endian data --------
IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
             0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path) -> np.ndarray:
    """One IDX file (optionally gzipped, as MNIST is distributed) as a NumPy array."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"IDX file not found: {path}") from None
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES or raw[3] == 0:
        raise DataError(f"{path} is not an IDX file (bad magic number {raw[:4].hex()})")
    dtype, ndim = IDX_TYPES[raw[2]], raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise DataError(f"{path}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    count = int(np.prod(shape))
    body = raw[4 + 4 * ndim:]
    if len(body) != count * dtype.itemsize:
        raise DataError(f"{path}: IDX header says {shape} ({count * dtype.itemsize} bytes) "
                        f"but the file holds {len(body)} bytes")
    return np.frombuffer(body, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path, array) -> Path:
    """Write an array as an IDX file (the inverse of read_idx; for tests and small exports)."""
    a = np.asarray(array)
    code = {np.dtype(v).newbyteorder("=").str[1:]: k for k, v in IDX_TYPES.items()}.get(a.dtype.str[1:])
    if code is None:
        raise DataError(f"IDX has no type for {a.dtype}")
    data = a.astype(IDX_TYPES[code]).tobytes()
    Path(path).write_bytes(bytes([0, 0, code, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape) + data)
    return Path(path)


def load_idx(images, labels, test_images=None, test_labels=None, n: int | None = None, name: str = "idx"):
    """MNIST-style IDX files (train-images-idx3-ubyte[.gz] …) → a multiclass Dataset.

    Images (m, h, w) become rows of h·w pixels scaled to [0, 1] (uint8 / 255); labels (m,) become
    one-hot over the classes found. `n` keeps the first n training (and test) examples."""
    Xi, yi = read_idx(images), read_idx(labels)
    if yi.ndim != 1 or len(yi) != len(Xi):
        raise DataError(f"{labels}: expected {len(Xi)} labels (one per image), got shape {yi.shape}")
    Xt = yt = None
    if (test_images is None) != (test_labels is None):
        raise DataError("give both test_images and test_labels or neither")
    if test_images is not None:
        Xt, yt = read_idx(test_images), read_idx(test_labels)
        if yt.ndim != 1 or len(yt) != len(Xt) or Xt.shape[1:] != Xi.shape[1:]:
            raise DataError(f"test files do not match: images {Xt.shape}, labels {yt.shape}, train images {Xi.shape}")
    if n is not None:
        Xi, yi = Xi[:n], yi[:n]
        if Xt is not None:
            Xt, yt = Xt[:n], yt[:n]
    scale = 255.0 if Xi.dtype == np.uint8 else 1.0

    def rows(a):
        return a.reshape(len(a), -1).astype(float) / scale

    ds = from_arrays(rows(Xi), yi, task="multiclass", name=name,
                     X_test=None if Xt is None else rows(Xt), y_test=yt)
    ds.meta["image_shape"] = list(Xi.shape[1:])
    return ds
