"""Records: frozen dataclasses written as `<path>.npz` (arrays) + `<path>.json` (the rest).

Why not pickle: records outlive code versions and are read by other tools. Writes
are atomic (temp file + rename, JSON last, carrying the arrays' SHA-256 and a
SHA-256 of its own content), so a crash never leaves a half-written record that
looks whole, and an edited or damaged byte anywhere in a record — arrays or JSON —
is caught on load; every way a load can fail ends in one `RecordError` saying
which file and why.

Every record type lives here (`Run`, `Surface`, `Projection`, `PerceptronRun`,
`NetworkPass`, `Boundary`, `DropoutMasks`, `Table`, `Tuning`, `Graph`), so loading any record
needs nothing but this module: no discovery, no import of the code that computed it. A new record
type belongs here.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import platform
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from .atomic import write_atomic
from .errors import NNVizError, RecordError
from .nn import MLP, model_from

SCHEMA_VERSION = 2   # 2: the JSON carries `sha256`, a checksum of all its other content
_RECORD_TYPES: dict[str, type] = {}


def versions() -> dict:
    from . import __version__

    return {"nnviz": __version__, "numpy": np.__version__, "python": platform.python_version()}


def _paths(path) -> tuple[Path, Path]:
    p = Path(path)
    if p.suffix in (".npz", ".json"):
        p = p.with_suffix("")
    return p.with_name(p.name + ".npz"), p.with_name(p.name + ".json")


def _jsonable(v, where: str = "value"):
    if isinstance(v, dict):
        return {str(k): _jsonable(x, f"{where}[{k!r}]") for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x, where) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if hasattr(v, "to_json"):
        return v.to_json()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise NNVizError(f"record field {where} holds a {type(v).__name__}, which records cannot store "
                     "(use numbers, strings, lists, dicts, arrays or dicts of arrays)")


def _storable(where: str, a: np.ndarray) -> np.ndarray:
    if a.dtype.hasobject:
        raise NNVizError(f"record field {where} is an object array; records store numeric/str arrays only")
    return a


@dataclass(frozen=True)
class Record:
    """Base for records. Fields holding arrays (or dicts of arrays) go to the .npz file."""

    kind: ClassVar[str] = "record"

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        # only classes that declare their own kind register: a subclass that merely
        # adds behaviour must not take over its parent's kind when loading
        if "kind" in cls.__dict__:
            _RECORD_TYPES[cls.kind] = cls

    def save(self, path) -> Path:
        """Write `<path>.npz` + `<path>.json` atomically; returns the .json path.

        Everything is serialised in memory first, so a field that cannot be stored
        raises before any file is touched.
        """
        npz, js = _paths(path)
        arrays, meta = {}, {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                arrays[f.name] = _storable(f.name, v)
            elif isinstance(v, dict) and v and all(isinstance(x, np.ndarray) for x in v.values()):
                for k, x in v.items():
                    arrays[f"{f.name}/{k}"] = _storable(f"{f.name}[{k!r}]", x)
                meta.setdefault("__array_dicts__", []).append(f.name)
            else:
                meta[f.name] = _jsonable(v, f.name)
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        payload = buf.getvalue()
        doc = {"schema": SCHEMA_VERSION, "kind": self.kind, "npz_sha256": hashlib.sha256(payload).hexdigest(),
               "versions": versions(), "fields": meta}
        try:
            doc["sha256"] = _doc_checksum(doc)
            text = json.dumps(doc, indent=1, allow_nan=True).encode()
        except (TypeError, ValueError) as e:
            raise NNVizError(f"cannot save {type(self).__name__}: {e}") from None
        write_atomic(npz, payload)
        write_atomic(js, text)
        return js

    @classmethod
    def load(cls, path):
        rec = load(path)
        if cls is not Record and not isinstance(rec, cls):
            raise RecordError(f"{_paths(path)[1]} holds a {rec.kind!r} record, not a {cls.kind!r}")
        return rec

    def equals(self, other, ignore: tuple[str, ...] = ()) -> bool:
        """Exact equality, arrays bit for bit (NaN == NaN), except the fields in `ignore`.

        Two runs with the same seed differ only in their measured times:
        `a.equals(b, ignore=Run.TIMING)`.
        """
        if type(self) is not type(other):
            return False
        for f in dataclasses.fields(self):
            if f.name in ignore:
                continue
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


def _doc_checksum(doc: dict) -> str:
    """SHA-256 of a record's JSON content except the checksum itself, in a canonical form
    (sorted keys, no whitespace), so it survives re-indenting but not a changed value."""
    body = {k: v for k, v in doc.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=True).encode()).hexdigest()


def load(path) -> Record:
    """Load any record; the one error type for every failure is RecordError."""
    npz, js = _paths(path)
    if not js.exists():
        raise RecordError(f"record not found: {js} (train it first, e.g. `nnviz train NAME`)")
    try:
        doc = json.loads(js.read_text())
        schema, kind, fields = doc["schema"], doc["kind"], doc["fields"]
        if not isinstance(fields, dict):
            raise TypeError("'fields' is not an object")
    except (ValueError, KeyError, TypeError, OSError) as e:
        raise RecordError(f"record {js} is truncated or corrupted ({e})") from None
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise RecordError(f"record {js} is corrupted: its schema is {schema!r}, not a schema number")
    if schema > SCHEMA_VERSION:
        raise RecordError(f"record {js} has schema {schema}, newer than this nnviz ({SCHEMA_VERSION}); upgrade nnviz")
    if schema >= 2 and doc.get("sha256") != _doc_checksum(doc):
        raise RecordError(f"record {js} does not match its checksum (edited or corrupted after it was written)")
    cls = _RECORD_TYPES.get(kind)
    if cls is None:
        raise RecordError(f"record {js} is of unknown kind {kind!r}")
    if not npz.exists():
        raise RecordError(f"record {js} is missing its arrays file {npz}")
    try:
        data = npz.read_bytes()
    except OSError as e:
        raise RecordError(f"record arrays {npz} cannot be read ({e})") from None
    if hashlib.sha256(data).hexdigest() != doc.get("npz_sha256"):
        raise RecordError(f"record arrays {npz} do not match {js} (truncated, corrupted or half-written)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, KeyError) as e:
        raise RecordError(f"record arrays {npz} cannot be read ({e})") from None
    values = {k: v for k, v in fields.items() if k != "__array_dicts__"}
    array_dicts = set(fields.get("__array_dicts__", []))
    for name in array_dicts:
        values[name] = {}
    for k, v in arrays.items():
        name, sep, key = k.partition("/")
        if sep and name in array_dicts:
            values[name][key] = v
        else:
            values[k] = v
    names = {f.name for f in dataclasses.fields(cls)}
    try:
        return cls(**{k: v for k, v in values.items() if k in names})
    except (TypeError, ValueError) as e:
        raise RecordError(f"record {js} does not match the {kind!r} schema ({e})") from None


@dataclass(frozen=True)
class Run(Record):
    """What one optimisation run did.

    θ_t is the parameter vector after t updates. `loss[t]`, `grad_norm[t]`, `lr[t]`
    belong to update t (taken at θ_t on that step's batch). θ is kept only at
    `steps` (every k-th, always the first and the last) to bound memory; `grads`
    and `state` rows (when recorded) belong to the same steps: the gradient taken at
    θ_t and the optimizer state before update t. Metrics (`train_loss` …) are full
    evaluations at `eval_steps`; NaN means "not applicable" (no test set, regression).
    `epoch_time` is training work per epoch (evaluation excluded); `wall_time` is all.

    `diverged_at` is the step whose loss, gradient or parameters went non-finite or
    whose loss passed the bound (-1 if none); `meta["diverged_reason"]` says which.
    Every stored number is finite: the run stops before anything non-finite is kept
    (a non-finite gradient at the last θ is stored as zeros).
    """

    kind: ClassVar[str] = "run"
    TIMING: ClassVar[tuple[str, ...]] = ("wall_time", "epoch_time")  # the only non-reproducible fields
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
    # state outside θ at `steps`: batch norm's running statistics {"mean1": (K, n1), "var1": …};
    # row k: after the training batch taken at θ_{steps[k]} (the last row: after all training)
    buffers: dict = field(default_factory=dict)
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

    @property
    def mean_epoch_time(self) -> float:
        """Mean seconds of training work per epoch, from `epoch_time` (a timing field: it
        differs between runs of the same seed, so nothing derived from it is stored)."""
        return float(np.mean(self.epoch_time)) if self.epoch_time.size else float("nan")

    # A hyperparameter lives in one place: `config["optimizer"]`, as the run was trained
    # ({"name": "sgd", "lr": <a schedule's JSON, kind "constant" for a fixed rate>, ...}). `lr[t]` is the
    # rate applied at update t (derived from it, a trajectory like `loss`). Read them here:
    @property
    def optimizer(self) -> dict:
        """The optimizer's name and hyperparameters as trained (a copy of `config["optimizer"]`)."""
        return dict(self.config.get("optimizer", {}))

    @property
    def learning_rate(self) -> float | None:
        """The run's learning rate when it is constant; None when it follows a schedule (then
        `lr` holds the rate of every update)."""
        v = self.optimizer.get("lr")
        if isinstance(v, dict) and v.get("kind") == "constant":   # a schedule's JSON (nnviz.schedules)
            v = v.get("lr")
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


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


@dataclass(frozen=True)
class Table(Record):
    """Named columns of numbers — a sweep or a series of measurements — with what produced them.

    `columns[name]` are arrays (equal length when they are one table's columns); `meta` holds
    the scalars a scene shows next to them (a theory value, a budget, a fitted slope).
    """

    kind: ClassVar[str] = "table"
    config: dict
    columns: dict
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Projection(Record):
    """A recorded path seen on a surface's plane, with how far the picture is from the truth.

    For each θ_t: `coords` on the plane (least squares), `off_plane` = ‖θ_t − its projection‖
    (and `rel_off_plane` = that over ‖θ_t − origin‖), `true_loss` at θ_t, `plane_loss` at the
    projected point (exactly evaluated), and `grid_loss` = the drawn surface bilinearly
    interpolated there (NaN outside the grid). A scene drawing the path at height
    `true_loss` over a surface showing `plane_loss` disagrees by exactly their difference.
    """

    kind: ClassVar[str] = "projection"
    steps: np.ndarray
    coords: np.ndarray          # (T, k)
    off_plane: np.ndarray       # (T,)
    rel_off_plane: np.ndarray   # (T,)
    true_loss: np.ndarray       # (T,)
    plane_loss: np.ndarray      # (T,)
    grid_loss: np.ndarray       # (T,)
    meta: dict = field(default_factory=dict)

    @property
    def max_off_plane(self) -> float:
        return float(np.max(self.off_plane)) if self.off_plane.size else 0.0


@dataclass(frozen=True)
class PerceptronRun(Record):
    """One run of the perceptron trick.

    Row 0 of `w`/`b` is the initial line; row k ≥ 1 is the line after visit k,
    which looked at point `point[k]` and applied `update[k]` ∈ {+1 add, -1 subtract,
    0 none}. `errors[e]` counts the mistakes of epoch e's visits; `converged_at` is
    the first epoch with none (-1 if it never came).
    """

    kind: ClassVar[str] = "perceptron"
    config: dict
    X: np.ndarray        # (m, 2)
    y: np.ndarray        # (m,) 0/1 labels
    w: np.ndarray        # (K+1, n)
    b: np.ndarray        # (K+1,)
    point: np.ndarray    # (K+1,) index of the visited point, -1 for row 0
    update: np.ndarray   # (K+1,) +1 / -1 / 0
    epoch: np.ndarray    # (K+1,) epoch of the visit, -1 for row 0
    errors: np.ndarray   # (epochs run,)
    converged_at: int = -1
    meta: dict = field(default_factory=dict)

    @property
    def updates(self) -> np.ndarray:
        """Row indices (into w, b) of the visits that moved the line."""
        return np.flatnonzero(self.update != 0)

    def predict(self, X, row: int = -1) -> np.ndarray:
        return self.line_predict(self.w[row], self.b[row], X)

    TIE = 1e-9   # |w·x + b| under this counts as 0: on the line

    @staticmethod
    def line_predict(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
        """step(w·x + b): 1 on the line and on its positive side (the notes' convention).

        "On the line" allows float round-off: with η = 0.1 the decimal steps a scene prints add up to
        0.40 − 0.40 = 0 on screen but −1.1e-16 in floats, and round-off must not decide that point."""
        return (np.asarray(X) @ np.asarray(w) + b >= -PerceptronRun.TIE).astype(int)

    @staticmethod
    def on_line(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
        """Indices of the points exactly on the line w·x + b = 0 (|w·x + b| ≤ TIE, the same bound
        `line_predict` uses, so every point it reports is called 1)."""
        return np.flatnonzero(np.abs(np.asarray(X, float) @ np.asarray(w, float) + float(b)) <= PerceptronRun.TIE)

    def mistakes(self, row: int = -1) -> int:
        return int(np.sum(self.predict(self.X, row) != self.y))


@dataclass(frozen=True)
class NetworkPass(Record):
    """One example through a network: the forward trace, and (if any) the backward pass
    and the SGD update θ_next = θ − lr·grad it implies.

    pre["z{i}"] = post["a{i-1}"] @ W_i + b_i,  post["a{i}"] = f_i(pre["z{i}"]); deltas["d{i}"] = ∂ℓ/∂z_i.
    """

    kind: ClassVar[str] = "network_pass"
    config: dict          # {"model": MLP.config(), "data": ..., "example": i, ...}
    theta: np.ndarray     # (d,)
    x: np.ndarray         # (1, n_in)
    y: np.ndarray         # (1, n_out)
    pre: dict             # z1..zL, each (1, n_i)
    post: dict            # a0..aL
    loss: float = float("nan")
    grad: np.ndarray = field(default_factory=lambda: np.zeros(0))
    deltas: dict = field(default_factory=dict)
    lr: float = 0.0
    theta_next: np.ndarray = field(default_factory=lambda: np.zeros(0))
    batch_X: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))   # the training set the run used
    batch_Y: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    batch_loss: float = float("nan")        # mean loss over batch_X at θ …
    batch_loss_next: float = float("nan")   # … and at θ_next (one example's step, judged on all)
    meta: dict = field(default_factory=dict)

    def model(self) -> MLP:
        return model_from(self.config["model"])

    def activation(self, layer: int) -> np.ndarray:
        return self.post[f"a{layer}"][0]


@dataclass(frozen=True)
class Boundary(Record):
    """P(class 1) on a grid over the input plane, one frame per recorded θ.

    prob[k, j, i] is the network's output at (xs[i], ys[j]) with θ = run.thetas[k];
    hidden["h1"][k, u, j, i] is hidden unit u of layer 1 there (a coarser grid hx, hy).
    X / labels are the training points drawn on the plane (X_test / labels_test the held-out
    ones, empty when there are none), so a scene never rebuilds a data set.
    """

    kind: ClassVar[str] = "boundary"
    config: dict
    steps: np.ndarray     # (K,)
    xs: np.ndarray        # (nx,)
    ys: np.ndarray        # (ny,)
    prob: np.ndarray      # (K, ny, nx) float32
    hx: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hy: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hidden: dict = field(default_factory=dict)
    X: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    X_test: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    labels_test: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DropoutMasks(Record):
    """The dropout masks the training loop really drew: for each step, the mask of the
    batch's first example (1 kept, 0 dropped), per hidden layer ("h1", "h2", …)."""

    kind: ClassVar[str] = "dropout_masks"
    config: dict
    steps: np.ndarray     # (T,)
    masks: dict           # name -> (T, width) uint8
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Tuning(Record):
    """A learning-rate grid search under the fair protocol.

    `final_loss[o, k]` is optimizer `optimizers[o]`'s final loss at rate `lrs[k]` (inf where the run
    diverged); `stable[o, k]` is 1 where the run passes the stability rule; `chosen[o]` the index
    of its chosen rate (-1 if no rate was stable). `reach[o, k]` is, for the stable rates whose
    final loss ties with the optimizer's lowest, the first step at which the run's loss is at or below
    the tied level (the tie-break: fewest steps, then smaller η); -1 for every other rate. `meta`
    holds the ranking at the chosen rates (places, ties within rtol, ordered inside a place by the
    step each first reaches the place's tied level: `place_reach`, `place_level`), `verdict`
    ("robust" | "within noise" | "tie"), the winner's neighbour losses, the rule and tie-break in
    words, steps and start.
    """

    kind: ClassVar[str] = "tuning"
    config: dict
    optimizers: list
    lrs: np.ndarray          # (G,)
    final_loss: np.ndarray   # (O, G)
    stable: np.ndarray       # (O, G) int8
    chosen: np.ndarray       # (O,) int64
    reach: np.ndarray        # (O, G) int64: steps to the tied level (-1 outside the tie)
    meta: dict = field(default_factory=dict)

    def chosen_lr(self, name: str) -> float:
        k = int(self.chosen[self.optimizers.index(name)])
        return float(self.lrs[k]) if k >= 0 else float("nan")

    def chosen_final(self, name: str) -> float:
        o = self.optimizers.index(name)
        k = int(self.chosen[o])
        return float(self.final_loss[o, k]) if k >= 0 else float("inf")


@dataclass(frozen=True)
class Graph(Record):
    """A recorded computation graph after one forward and one backward pass.

    nodes[i] = {"name", "op", "value", "grad", "parents": [indices], "local": [∂node/∂parent]},
    in topological order (parents first); `order` is the backward pass's visit order (indices),
    `output` the index of the node differentiated; `inputs` the names of the leaves that vary.
    """

    kind: ClassVar[str] = "graph"
    config: dict
    nodes: list
    order: list
    output: int
    meta: dict = field(default_factory=dict)

    @property
    def values(self) -> np.ndarray:
        return np.array([n["value"] for n in self.nodes])

    @property
    def grads(self) -> np.ndarray:
        return np.array([n["grad"] for n in self.nodes])

    def index(self, name: str) -> int:
        for i, n in enumerate(self.nodes):
            if n["name"] == name:
                return i
        raise NNVizError(f"graph has no node named {name!r}")
