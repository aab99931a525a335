"""Named, seeded experiments: the single home of hyperparameters, and their records.

An experiment is a function config → {record name: Record}, registered with
`@experiment(...)` in the submodules of this package (every submodule is imported on
first lookup). Its key is a content hash of its name, its config and the source of the
code it runs (the NumPy core plus the experiment's own module and every experiment
module it imports from), so
records are recomputed exactly when something they depend on changes, and never
otherwise. The records themselves live in the content-hash cache (`nnviz.cache`):
`load(name)` reads them from there, computing them first if needed.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import cache, folders, registry, sources
from ..errors import NNVizError, lookup
from ..records import Record

EXPERIMENTS: dict[str, "Experiment"] = {}
_CORE = folders.PACKAGE
_HERE = Path(__file__).resolve().parent


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
                            default=cache.canonical).encode())
        h.update(_core_digest().encode())
        for name, text in _experiment_sources(inspect.getmodule(self.fn)):
            h.update(name.encode())
            h.update(_code(text).encode())
        return h.hexdigest()[:16]

    def path(self) -> Path:
        """Where its records are cached at the current key."""
        return cache.entry(self)


@functools.lru_cache(maxsize=256)
def _code(src: str) -> str:
    """What of a module's source can shape an experiment's records: its parsed code, without
    comments and layout, and without the arguments of its `@experiment(...)` decorators — each
    experiment's own config is hashed by value, so editing one experiment's config (or
    description) leaves the other experiments of the module alone. (A pure function of the
    text, remembered: every experiment of a module hashes the same few module texts.)"""
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


def _in_this_package(p: Path) -> bool:
    return p.parent == _HERE and p.name != "__init__.py"


_IMPORTS: dict[Path, tuple[bytes, dict]] = {}


def _imports_now(p: Path) -> dict:
    """{"imports": sources.imports(...)} of the file's bytes as they are now: parsed once per
    content (a key is computed on every load, for every experiment of a module)."""
    raw = Path(p).read_bytes()
    seen = _IMPORTS.get(p)
    if seen is None or seen[0] != raw:
        try:
            found = sources.imports(ast.parse(raw.decode(), filename=str(p)), Path(p))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            found = []
        seen = _IMPORTS[p] = (raw, {"imports": found})
    return seen[1]


def _experiment_sources(mod) -> list[tuple[str, str]]:
    """[(module name, source)] of `mod` and every experiment module of this package it imports
    from (transitively, read from the sources — so imported constants count too), by name.
    Only experiment modules are followed: the core is hashed whole by `_core_digest`."""
    out = {mod.__name__: inspect.getsource(mod)}
    start = Path(inspect.getsourcefile(mod)).resolve()
    for p in sources.SourceGraph(_imports_now).closure(start, follow=_in_this_package):
        if p != start:
            out.setdefault(sources.module_name(p), p.read_text())
    return sorted(out.items())


_DIGEST: str | None = None


def _core_digest() -> str:
    global _DIGEST
    if _DIGEST is None:
        h = hashlib.sha256()
        for p in folders.record_sources(_CORE):
            rel = p.relative_to(_CORE)
            # the experiment modules hash themselves (Experiment.key); this package's own
            # __init__ registers every experiment, so it counts
            if rel.parts[0] == "experiments" and rel != Path("experiments/__init__.py"):
                continue
            h.update(str(rel).encode())
            h.update(p.read_bytes())
        _DIGEST = h.hexdigest()
    return _DIGEST


def discover() -> dict[str, Experiment]:
    """Import every experiment module once, so the registry is complete."""
    registry.discover(__name__, "experiment")
    return EXPERIMENTS


def get(name: str) -> Experiment:
    return lookup(discover(), name, "experiment")


# --- records of an experiment, through the cache -------------------------------------------

def cache_root() -> Path:
    """Where records live: $NNVIZ_CACHE, else renders/.cache/records beside the repo (or cwd)."""
    return cache.cache_root()


def is_cached(name: str) -> bool:
    return cache.is_cached(get(name))


def run(name: str, force: bool = False, verbose: bool = False) -> dict[str, Record]:
    """Records of experiment `name`: from the cache, or computed and cached now."""
    return cache.run(get(name), force=force, verbose=verbose)


load = run  # scenes read records with experiments.load(name)


def prune(name: str | None = None, dry_run: bool = False) -> list[Path]:
    """Delete cache entries that no current experiment can ever read again (stale keys, leftover
    temp folders, removed experiments) — for one experiment or all. Returns what was (or would be)
    deleted."""
    return cache.prune(discover(), name, dry_run)
