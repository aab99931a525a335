"""The content-hash record cache: an experiment's records live in
`<records cache>/<experiment>/<key>/` (one `.npz` + `.json` per record and a `manifest.json`),
where the key hashes everything the records depend on (see `Experiment.key`).

Entries are written whole or not at all (temp folder, then rename); one process computes an
experiment at a time (a lock beside its folder), the others wait and read. A damaged entry (missing
file, bad manifest, corrupted record) is recomputed, never an error; `run(exp, force=True)`
recomputes regardless. The records cache folder is `nnviz.folders.records_cache()`.
"""
from __future__ import annotations

import fcntl
import json
import shutil
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from .atomic import atomic_dir
from .errors import NNVizError, RecordError
from .folders import records_cache
from .records import Record, load as load_record


def canonical(v):
    """JSON for config values json can't write: arrays by value (str() would elide them)."""
    if hasattr(v, "tolist"):
        return {"__array__": v.tolist(), "dtype": str(getattr(v, "dtype", ""))}
    if isinstance(v, (set, frozenset)):
        return sorted(v, key=repr)
    if hasattr(v, "to_json"):
        return v.to_json()
    return repr(v)


def cache_root() -> Path:
    return records_cache()


def entry(exp) -> Path:
    """The folder holding the records of experiment `exp` (an `Experiment`) at its current key."""
    return cache_root() / exp.name / exp.key()


def is_cached(exp) -> bool:
    return (entry(exp) / "manifest.json").exists()


def run(exp, force: bool = False, verbose: bool = False) -> dict[str, Record]:
    """Records of `exp`: from the cache, or computed and cached now."""
    target = entry(exp)
    damaged = None
    if not force:
        try:
            return read(target)           # the common case takes no lock (and works read-only)
        except RecordError as e:
            damaged = e if target.exists() else None
    # one process computes an experiment at a time; the others wait, then read its records
    with _experiment_lock(target.parent):
        _remove_leftovers(target.parent)
        if not force:
            try:
                return read(target)
            except RecordError as e:
                damaged = e if target.exists() else None
        if damaged is not None:   # absent is normal; damaged is worth a word, then recompute
            warnings.warn(f"{damaged}; recomputing experiment {exp.name!r}", RuntimeWarning, stacklevel=3)
        t0 = time.perf_counter()
        records = _compute(exp)
        if not isinstance(records, dict) or not all(isinstance(r, Record) for r in records.values()):
            raise NNVizError(f"experiment {exp.name!r} must return a dict of records")
        write(target, records, {"name": exp.name, "key": target.name, "config": exp.config,
                                "seconds": time.perf_counter() - t0})
    if verbose:
        print(f"computed {exp.name} in {time.perf_counter() - t0:.1f}s → {target}")
    return records


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


def prune(registry: dict, name: str | None = None, dry_run: bool = False) -> list[Path]:
    """Delete cache entries that no experiment of `registry` ({name: Experiment}) can ever read
    again (stale keys, leftover temp folders, removed experiments) — for one experiment or all.
    Returns what was (or would be) deleted."""
    root = cache_root()
    if not root.exists():
        return []
    names = [name] if name is not None else sorted(p.name for p in root.iterdir() if p.is_dir())
    gone = []
    for n in names:
        folder = root / n
        if not folder.is_dir():
            continue
        keep = registry[n].key() if n in registry else None
        for e in sorted(folder.iterdir()):
            if e.name != keep:
                gone.append(e)
                if not dry_run:
                    shutil.rmtree(e, ignore_errors=True) if e.is_dir() else e.unlink()
        if not dry_run and keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return gone


def _compute(exp) -> dict[str, Record]:
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


def read(target: Path) -> dict[str, Record]:
    """The records of one cache entry; RecordError if it is absent or damaged."""
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


def write(target: Path, records: dict[str, Record], info: dict) -> None:
    """Write a cache entry whole or not at all. A damaged entry is replaced; an entry another
    process finished first (same key ⇒ same records) is kept."""
    with atomic_dir(target, keep_existing=lambda t: (t / "manifest.json").exists()) as tmp:
        for n, r in records.items():
            r.save(tmp / n)
        (tmp / "manifest.json").write_text(json.dumps({**info, "records": list(records)}, indent=1,
                                                      default=canonical))
