"""Target keys: a hash of everything a target's output depends on — its settings, the
sources it imports (from the scan), the keys of the experiments whose records it reads,
the manim / matplotlib version and the render options."""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import sys
from pathlib import Path

from ..folders import PACKAGE as _PKG, record_sources
from .manifest import Manifest, ManifestError, import_project_modules
from .scan import ScanCache, SourceGraph, _is_pkg, _rel
from .state import BUILD_VERSION

# modules every figure depends on besides its own: the machinery that draws and styles it
_FIGURE_BASE = ("figures/__init__.py", "figures/style.py", "figures/common.py", "theme.py")


@functools.lru_cache(maxsize=None)
def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


class Keys:
    """Computes target keys. Experiment keys come from nnviz.experiments, but only when a
    source they depend on changed since the last build (else from the scan cache)."""

    def __init__(self, manifest: Manifest, scan: ScanCache | None = None):
        self.m = manifest
        self.scan = scan or ScanCache(manifest.root)
        self.graph = SourceGraph(self.scan)
        self._exp_keys: dict | None = None

    def _experiment_files(self) -> list[Path]:
        # every source an experiment key can hash (nnviz.folders.record_sources), and the project's
        return record_sources() + [Path(x).resolve() for x in self.m.modules]

    def watch(self, t) -> dict[str, str]:
        """{file: SHA-256 of its bytes} for every source a render of `t` may run: the scene's (or
        figure's) import closure and, when it reads records, the sources of experiment keys. The
        build checks them again after the render: an output is recorded fresh only if none changed."""
        files = set(self._files(t))
        if self.experiments_of(t):
            files |= set(self._experiment_files())
        return {str(p): self.scan.sha(p) for p in sorted(files)}

    def _files(self, t) -> list[Path]:
        if t.kind == "scene":
            return self.graph.closure(t.scene)
        files = set(self.graph.closure(t.module))
        for b in _FIGURE_BASE:
            if (_PKG / b).is_file():
                files |= set(self.graph.closure(_PKG / b))
        return sorted(files)

    def _experiment_signature(self) -> str:
        h = hashlib.sha256()
        for p in self._experiment_files():
            # content, not (mtime, size): a same-size edit with a restored mtime is an edit
            h.update(f"{p}:{self.scan.sha(p)};".encode())
        h.update(sys.version.encode())
        return h.hexdigest()

    def experiment_keys(self) -> dict[str, str]:
        """{experiment name: cache key} for every registered experiment."""
        if self._exp_keys is None:
            sig = self._experiment_signature()
            cached = self.scan.data.get("experiments", {})
            if cached.get("sig") == sig and isinstance(cached.get("keys"), dict):
                self._exp_keys = dict(cached["keys"])
            else:
                from .. import experiments

                import_project_modules(self.m.modules)
                self._exp_keys = {n: e.key() for n, e in experiments.discover().items()}
                self.scan.data["experiments"] = {"sig": sig, "keys": self._exp_keys}
                self.scan.dirty = True
        return self._exp_keys

    def experiments_of(self, t) -> tuple[str, ...]:
        """Declared experiments plus experiment names written as strings in the scene's sources
        (e.g. `experiment = "descent_regimes"`) and in its overrides."""
        reg = self.experiment_keys()
        names = list(t.experiments)
        for n in names:
            if n not in reg:
                raise ManifestError(f"target {t.name!r}: unknown experiment {n!r}; valid: {', '.join(sorted(reg))}")
        if t.kind == "scene":
            found = set()
            for p in self.graph.closure(t.scene):
                if not _is_pkg(p):
                    found |= self.graph.strings(p) & set(reg)
            found |= {v for v in t.overrides.values() if isinstance(v, str) and v in reg}
            names += sorted(found - set(names))
        return tuple(names)

    def inputs(self, t) -> dict:
        """Everything the target's output depends on, as a JSON-able dict (hashed into the key)."""
        files = self._files(t)
        if t.kind == "scene":
            options = t.options.to_json()
            if "gif" not in t.options.formats:
                options.pop("gif")            # GIF settings shape only GIF files
            spec = {"kind": "scene", "class": t.cls, "options": options, "overrides": t.overrides,
                    "output": t.output, "manim": _version("manim"), "typst": _version("typst"),
                    "scene": _rel(t.scene, self.m.root)}
        else:
            spec = {"kind": "figure", "figure": t.figure, "formats": list(t.formats), "dpi": t.dpi,
                    "output": t.output, "matplotlib": _version("matplotlib"), "theme": t.theme}
        reg = self.experiment_keys()
        return {"v": BUILD_VERSION, "spec": spec,
                "sources": {_rel(p, self.m.root): self.graph.digest(p) for p in files},
                "experiments": {n: reg[n] for n in self.experiments_of(t)}}

    def key(self, t) -> tuple[str, dict]:
        doc = self.inputs(t)
        blob = json.dumps(doc, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:20], doc

