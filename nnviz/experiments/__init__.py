"""Named, seeded experiments: the single home of hyperparameters, and their on-disk cache.

An experiment is a function config → {record name: Record}. Its cache key is a
content hash of its name, its config and the source of the code it runs (the
NumPy core plus the experiment's own module and every experiment module it uses,
e.g. `descent.py` importing helpers from `landscapes.py`), so records are
recomputed exactly when something they depend on changes, and never otherwise.
A damaged cache entry (missing file, bad manifest, corrupted record) is
recomputed, never an error; `run(name, force=True)` recomputes regardless.

Experiments are registered with `@experiment(...)` in the submodules of this
package; every submodule is imported on first lookup.
"""
from __future__ import annotations

import ast
import fcntl
import hashlib
import importlib
import inspect
import json
import os
import pkgutil
import shutil
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import NNVizError, RecordError, lookup
from ..records import Record, load as load_record

EXPERIMENTS: dict[str, "Experiment"] = {}
_CORE = Path(__file__).resolve().parent.parent
# modules whose source feeds every key: what computes records (not drawing, not the CLI;
# not theme.py either: colours shape drawings, never records)
_CORE_EXCLUDE = {"cli.py", "__main__.py", "figures", "render", "build", "experiments", "theme.py"}


@dataclass(frozen=True)
class Experiment:
    name: str
    fn: Callable[[dict], dict[str, Record]]
    config: dict
    description: str = ""
    tags: tuple[str, ...] = ()

    def key(self) -> str:
        """Content hash of (name, config, core source, this experiment's module sources)."""
        h = hashlib.sha256()
        h.update(json.dumps({"name": self.name, "config": self.config}, sort_keys=True,
                            default=_canonical).encode())
        h.update(_core_digest().encode())
        for mod in _experiment_modules(inspect.getmodule(self.fn)):
            h.update(mod.__name__.encode())
            h.update(_module_code(mod).encode())
        return h.hexdigest()[:16]

    def path(self) -> Path:
        return cache_root() / self.name / self.key()


def _module_code(mod) -> str:
    """What of a module's source can shape an experiment's records: its parsed code, without
    comments and layout, and without the arguments of its `@experiment(...)` decorators — each
    experiment's own config is hashed by value, so editing one experiment's config (or
    description) leaves the other experiments of the module alone."""
    src = inspect.getsource(mod)
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return src
    for node in ast.walk(tree):
        for d in getattr(node, "decorator_list", ()):
            if isinstance(d, ast.Call) and getattr(d.func, "id", getattr(d.func, "attr", None)) == "experiment":
                d.args, d.keywords = d.args[:1], []
    return ast.dump(tree)


def experiment(name: str, description: str = "", tags=(), **config):
    """Register `fn(config) -> dict[str, Record]` as the experiment `name`."""
    def deco(fn):
        if name in EXPERIMENTS and EXPERIMENTS[name].fn.__qualname__ != fn.__qualname__:
            raise NNVizError(f"experiment {name!r} registered twice")
        EXPERIMENTS[name] = Experiment(name, fn, dict(config), description or (fn.__doc__ or "").strip().split("\n")[0],
                                       tuple(tags))
        return fn
    return deco


def _canonical(v):
    """JSON for config values json can't write: arrays by value (str() would elide them)."""
    if hasattr(v, "tolist"):
        return {"__array__": v.tolist(), "dtype": str(getattr(v, "dtype", ""))}
    if isinstance(v, (set, frozenset)):
        return sorted(v, key=repr)
    if hasattr(v, "to_json"):
        return v.to_json()
    return repr(v)


def _experiment_modules(mod) -> list:
    """`mod` plus every module of this package it uses (transitively), in a fixed order.

    "Uses" = imports from it (read from the source, so imported constants count too) or holds
    one of its functions, classes or the module itself. Only experiment modules are followed:
    the core is hashed whole by `_core_digest`.
    """
    seen: dict[str, object] = {}
    stack = [mod]
    while stack:
        m = stack.pop()
        if m is None or m.__name__ in seen:
            continue
        seen[m.__name__] = m
        deps = set(_imported_experiment_modules(m))
        for v in vars(m).values():
            dep = v if inspect.ismodule(v) else inspect.getmodule(v) if callable(v) else None
            if dep is not None:
                deps.add(dep.__name__)
        for name in sorted(deps):
            dep = sys.modules.get(name)
            if (dep is not None and name.startswith(__name__ + ".") and name not in seen
                    and getattr(dep, "__file__", None)):
                stack.append(dep)
    return [seen[k] for k in sorted(seen)]


def _imported_experiment_modules(mod) -> list[str]:
    """Names of this package's modules that `mod`'s source imports from (importing them)."""
    try:
        tree = ast.parse(inspect.getsource(mod))
    except (OSError, TypeError, SyntaxError):
        return []
    pkg = mod.__name__ if hasattr(mod, "__path__") else mod.__name__.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            parts = pkg.split(".")
            base = ".".join(parts[:len(parts) - node.level + 1])
            target = f"{base}.{node.module}" if node.module else base
        else:
            target = node.module or ""
        cands = [target] + [f"{target}.{a.name}" for a in node.names]
        for c in cands:
            if c.startswith(__name__ + ".") and c != __name__:
                try:
                    importlib.import_module(c)
                    out.append(c)
                except ImportError:
                    pass  # a name imported from a module, not a module itself
    return out


_DIGEST: str | None = None


def _core_digest() -> str:
    global _DIGEST
    if _DIGEST is None:
        h = hashlib.sha256()
        for p in sorted(_CORE.rglob("*.py")):
            rel = p.relative_to(_CORE)
            # the experiment modules hash themselves (Experiment.key); this package's own
            # __init__ runs every experiment (its BLAS thread limit shapes records), so it counts
            if rel.parts[0] in _CORE_EXCLUDE and rel != Path("experiments/__init__.py"):
                continue
            h.update(str(rel).encode())
            h.update(p.read_bytes())
        _DIGEST = h.hexdigest()
    return _DIGEST


_DISCOVERED = False


def discover() -> dict[str, Experiment]:
    """Import every experiment module once, so the registry is complete."""
    global _DISCOVERED
    if not _DISCOVERED:
        for mod in pkgutil.iter_modules(__path__):
            try:
                importlib.import_module(f"{__name__}.{mod.name}")
            except NNVizError:
                raise
            except Exception as e:
                raise NNVizError(f"experiment module {__name__}.{mod.name} failed to import: "
                                 f"{type(e).__name__}: {e}") from e
        _DISCOVERED = True
    return EXPERIMENTS


def get(name: str) -> Experiment:
    return lookup(discover(), name, "experiment")


def cache_root() -> Path:
    """Where records live: $NNVIZ_CACHE, else renders/.cache/records beside the repo (or cwd)."""
    env = os.environ.get("NNVIZ_CACHE")
    if env:
        return Path(env)
    repo = _CORE.parent
    base = repo if (repo / "pyproject.toml").exists() else Path.cwd()
    return base / "renders" / ".cache" / "records"


def is_cached(name: str) -> bool:
    return (get(name).path() / "manifest.json").exists()


def run(name: str, force: bool = False, verbose: bool = False) -> dict[str, Record]:
    """Records of experiment `name`: from the cache, or computed and cached now."""
    exp = get(name)
    target = exp.path()
    damaged = None
    if not force:
        try:
            return _read(target)          # the common case takes no lock (and works read-only)
        except RecordError as e:
            damaged = e if target.exists() else None
    # one process computes an experiment at a time; the others wait, then read its records
    with _experiment_lock(target.parent):
        _remove_leftovers(target.parent)
        if not force:
            try:
                return _read(target)
            except RecordError as e:
                damaged = e if target.exists() else None
        if damaged is not None:   # absent is normal; damaged is worth a word, then recompute
            warnings.warn(f"{damaged}; recomputing experiment {name!r}", RuntimeWarning, stacklevel=2)
        t0 = time.perf_counter()
        records = _compute(exp)
        if not isinstance(records, dict) or not all(isinstance(r, Record) for r in records.values()):
            raise NNVizError(f"experiment {name!r} must return a dict of records")
        _write(target, records, {"name": name, "key": target.name, "config": exp.config,
                                 "seconds": time.perf_counter() - t0})
    if verbose:
        print(f"computed {name} in {time.perf_counter() - t0:.1f}s → {target}")
    return records


load = run  # scenes read records with experiments.load(name)


@contextmanager
def _experiment_lock(folder: Path):
    """An exclusive lock on one experiment's cache folder (all its keys), held while computing;
    the lock file sits beside the folder (`.<name>.lock`), so entries stay exactly the records."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(f".{folder.name}.lock"), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _remove_leftovers(folder: Path) -> None:
    """Hidden temp folders of writes cut short (a kill mid-write). Called under the experiment's
    lock, so no live writer owns them."""
    for p in folder.iterdir():
        if p.name.startswith("."):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() and not p.is_symlink() else p.unlink(missing_ok=True)


def prune(name: str | None = None, dry_run: bool = False) -> list[Path]:
    """Delete cache entries that no current experiment can ever read again (stale keys, leftover
    temp folders, removed experiments) — for one experiment or all. Returns what was (or would be)
    deleted."""
    root = cache_root()
    if not root.exists():
        return []
    names = [name] if name is not None else sorted(p.name for p in root.iterdir() if p.is_dir())
    registry = discover()
    gone = []
    for n in names:
        folder = root / n
        if not folder.is_dir():
            continue
        keep = registry[n].key() if n in registry else None
        for entry in sorted(folder.iterdir()):
            if entry.name != keep:
                gone.append(entry)
                if not dry_run:
                    shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
        if not dry_run and keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return gone


def _compute(exp: Experiment) -> dict[str, Record]:
    """Run an experiment on one BLAS thread.

    Toolkit-sized matrices gain nothing from BLAS threads (on a busy 2-core machine a
    full-batch digits epoch took 15 ms with them, 1 ms without), the per-epoch wall
    times that records carry are only comparable without them, and a fixed thread
    count keeps floating-point summation order, hence records, the same on every machine.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return exp.fn(dict(exp.config))
    with threadpool_limits(limits=1, user_api="blas"):
        return exp.fn(dict(exp.config))


def _read(target: Path) -> dict[str, Record]:
    man = target / "manifest.json"
    if not man.exists():
        raise RecordError(f"no cached records at {target}")
    try:
        names = json.loads(man.read_text())["records"]
        if not (isinstance(names, list) and all(isinstance(n, str) and n and "/" not in n and n[0] != "."
                                                for n in names)):
            raise ValueError("'records' is not a list of record names")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        raise RecordError(f"cache manifest {man} is corrupted ({e})") from None
    return {n: load_record(target / n) for n in names}


def _write(target: Path, records: dict[str, Record], info: dict) -> None:
    """Write into a temp folder, then rename: a cache entry is whole or absent."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        for n, r in records.items():
            r.save(tmp / n)
        (tmp / "manifest.json").write_text(json.dumps({**info, "records": list(records)}, indent=1,
                                                      default=_canonical))
        if target.exists():
            # a damaged entry being replaced (a whole one is never rewritten unless forced)
            stale = target.with_name(f".{target.name}.stale.{os.getpid()}")
            os.replace(target, stale)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            # another process finished the same entry first (same key ⇒ same records): keep theirs
            if not (target / "manifest.json").exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
