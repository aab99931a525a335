"""Manifest builds: `renders.toml` → renders/, incremental, parallel and atomic.

A target is rebuilt exactly when its *key* changes. The key hashes what the output
depends on: the target's own settings, the scene (or figure) source and every
local / nnviz module it imports (found by reading imports, not by importing — so
a no-op build never imports manim), the keys of the experiments whose records it
reads, the manim / matplotlib version and the render options. Keys of built
targets live in renders/.cache/build/state.json.

Each stale target renders in its own process (`python -m nnviz.build JOB`) into a
temp folder; the parent moves the files into renders/ only when the worker
succeeded, then records the key. A failed, killed or interrupted render leaves the
previous files intact and the target stale. Records the stale targets need are
computed once, in the parent, before any worker starts.

Modules, one job each:

- `manifest` — find, parse and validate renders.toml into targets and groups
- `scan`     — read sources without importing them (cached); the import graph
- `keys`     — a target's inputs and key
- `state`    — keys and output stamps of built targets; why a target is stale
- `worker`   — one render job, as the worker process runs it
- `run`      — plan, records first, the worker pool, `build` and `clean`
"""
from ..folders import cache_dir

from .keys import Keys
from .manifest import (FIGURE_FORMATS, MANIFEST_NAME, FigureTarget, Manifest, ManifestError, SceneTarget,
                       find_manifest, import_project_modules, load_manifest)
from .run import Outcome, Planned, build, clean, plan
from .scan import ScanCache, SourceGraph, figure_index
from .state import BUILD_VERSION, State, changed_inputs
from .worker import run_job

__all__ = ["BUILD_VERSION", "FIGURE_FORMATS", "MANIFEST_NAME", "FigureTarget", "Keys", "Manifest",
           "ManifestError", "Outcome", "Planned", "ScanCache", "SceneTarget", "SourceGraph", "State",
           "build", "cache_dir", "changed_inputs", "clean", "figure_index", "find_manifest",
           "import_project_modules", "load_manifest", "plan", "run_job"]
