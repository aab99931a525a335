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
"""
from __future__ import annotations

import ast
import fcntl
import functools
import hashlib
import importlib
import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import NNVizError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, published as tomli
    import tomli as tomllib

MANIFEST_NAME = "renders.toml"
BUILD_VERSION = 1
_PKG = Path(__file__).resolve().parent            # .../nnviz
SCENE_KEYS = {"scene", "class", "quality", "formats", "output", "set", "experiments", "groups", "fps",
              "resolution", "transparent", "gif", "description"}
FIGURE_KEYS = {"figure", "formats", "output", "dpi", "experiments", "groups", "description"}
SETTINGS_KEYS = {"quality", "formats", "fps", "resolution", "gif", "modules", "figure_formats", "dpi"}
FIGURE_FORMATS = ("png", "svg", "pdf")
# modules every figure depends on besides its own: the machinery that draws and styles it
_FIGURE_BASE = ("figures/__init__.py", "figures/style.py", "figures/common.py", "theme.py")


class ManifestError(NNVizError):
    """renders.toml is invalid; the message lists every problem found."""


# --- manifest -----------------------------------------------------------------------

@dataclass(frozen=True)
class SceneTarget:
    name: str
    scene: Path            # absolute
    cls: str
    options: "object"      # nnviz.render.runner.RenderOptions
    output: str
    overrides: dict
    experiments: tuple
    groups: tuple
    description: str = ""
    kind: str = "scene"

    def outputs(self, root: Path) -> dict[str, Path]:
        return {f: root / "renders" / f"{self.output}.{f}" for f in self.options.formats}


@dataclass(frozen=True)
class FigureTarget:
    name: str
    figure: str
    formats: tuple
    output: str
    dpi: int | None
    experiments: tuple
    groups: tuple
    module: Path           # the figure's source file
    description: str = ""
    kind: str = "figure"

    def outputs(self, root: Path) -> dict[str, Path]:
        return {f: root / "renders" / "figures" / f"{self.output}.{f}" for f in self.formats}


@dataclass
class Manifest:
    path: Path
    root: Path
    targets: dict
    groups: dict
    modules: tuple = ()
    scan: "ScanCache | None" = None

    def select(self, names=()) -> list:
        """Targets named directly or through a group (all targets when none named), in manifest order."""
        if not names:
            return list(self.targets.values())
        chosen: list[str] = []
        for n in names:
            if n in self.targets:
                chosen.append(n)
            elif n in self.groups:
                chosen.extend(self.groups[n])
            else:
                valid = sorted(self.targets) + [f"{g} (group)" for g in sorted(self.groups)]
                raise ManifestError(f"unknown target or group {n!r}; valid: {', '.join(valid)}")
        keep = set(chosen)
        return [t for n, t in self.targets.items() if n in keep]


def find_manifest(start=None) -> Path:
    """renders.toml in `start` (default cwd) or its parents, else the repository's own."""
    here = Path(start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / MANIFEST_NAME).is_file():
            return d / MANIFEST_NAME
    repo = _PKG.parent / MANIFEST_NAME
    if repo.is_file():
        return repo
    raise ManifestError(f"no {MANIFEST_NAME} found in {here} or its parents")


def load_manifest(path=None) -> Manifest:
    """Parse and validate a manifest. Every problem is collected into one ManifestError,
    raised before anything renders."""
    from .render.runner import GifOptions, RenderOptions

    path = Path(path) if path else find_manifest()
    try:
        doc = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ManifestError(f"manifest not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ManifestError(f"{path} is not valid TOML: {e}") from None
    root = path.parent.resolve()
    scan = ScanCache(root)
    problems: list[str] = []
    unknown_top = set(doc) - {"settings", "targets", "figures", "groups"}
    if unknown_top:
        problems.append(f"unknown section(s) {', '.join(sorted(unknown_top))}; valid: settings, targets, figures, groups")
    settings = doc.get("settings", {})
    for k in set(settings) - SETTINGS_KEYS:
        problems.append(f"[settings]: unknown key {k!r}; valid: {', '.join(sorted(SETTINGS_KEYS))}")
    mods = []
    for m in _as_list(settings.get("modules", [])):
        mp = (root / m).resolve()
        if not mp.is_file():
            problems.append(f"[settings]: module not found: {m}")
        mods.append(mp)
    targets: dict = {}
    groups: dict[str, list[str]] = {g: list(v) for g, v in doc.get("groups", {}).items()}
    classes_cache: dict[Path, list[str]] = {}
    fig_index = None

    for name, t in doc.get("targets", {}).items():
        where = f"[targets.{name}]"
        if not isinstance(t, dict):
            problems.append(f"{where} must be a table")
            continue
        for k in set(t) - SCENE_KEYS:
            problems.append(f"{where}: unknown key {k!r}; valid: {', '.join(sorted(SCENE_KEYS))}")
        scene = t.get("scene")
        cls = t.get("class")
        if not scene or not cls:
            problems.append(f"{where}: needs both 'scene' (a .py file) and 'class'")
            continue
        spath = (root / scene).resolve()
        if not spath.is_file():
            problems.append(f"{where}: scene file not found: {scene}")
            continue
        if spath not in classes_cache:
            info = scan.info(spath)
            if info["error"]:
                problems.append(f"{where}: scene file {scene} does not parse: {info['error']}")
                continue
            classes_cache[spath] = info["classes"]
        if cls not in classes_cache[spath]:
            problems.append(f"{where}: no class {cls!r} in {scene}; valid: {', '.join(classes_cache[spath]) or '(none)'}")
            continue
        try:
            gif = GifOptions(**{**settings.get("gif", {}), **t.get("gif", {})})
            opts = RenderOptions(quality=t.get("quality", settings.get("quality", "low")),
                                 formats=tuple(_as_list(t.get("formats", settings.get("formats", ["mp4"])))),
                                 fps=t.get("fps", settings.get("fps")),
                                 resolution=t.get("resolution", settings.get("resolution")),
                                 transparent=bool(t.get("transparent", False)), gif=gif)
        except (NNVizError, TypeError) as e:
            problems.append(f"{where}: {e}")
            continue
        overrides = t.get("set", {})
        if not isinstance(overrides, dict):
            problems.append(f"{where}: 'set' must be a table of class attributes")
            continue
        targets[name] = SceneTarget(name, spath, cls, opts, str(t.get("output", name)), dict(overrides),
                                    tuple(_as_list(t.get("experiments", []))), tuple(_as_list(t.get("groups", []))),
                                    str(t.get("description", "")))

    for name, t in doc.get("figures", {}).items():
        where = f"[figures.{name}]"
        if not isinstance(t, dict):
            problems.append(f"{where} must be a table")
            continue
        for k in set(t) - FIGURE_KEYS:
            problems.append(f"{where}: unknown key {k!r}; valid: {', '.join(sorted(FIGURE_KEYS))}")
        if name in targets:
            problems.append(f"{where}: name already used by [targets.{name}]")
            continue
        fig_index = fig_index if fig_index is not None else figure_index(scan, [p for p in mods if p.is_file()])
        fname = t.get("figure", name)
        if fname not in fig_index:
            problems.append(f"{where}: unknown figure {fname!r}; valid: {', '.join(sorted(fig_index)) or '(none)'}")
            continue
        fmts = tuple(dict.fromkeys(_as_list(t.get("formats", settings.get("figure_formats", ["png"])))))
        bad = [f for f in fmts if f not in FIGURE_FORMATS]
        if bad or not fmts:
            problems.append(f"{where}: bad format {', '.join(bad) or '(none)'}; valid: {', '.join(FIGURE_FORMATS)}")
            continue
        module, exps = fig_index[fname]
        targets[name] = FigureTarget(name, fname, fmts, str(t.get("output", name)), t.get("dpi", settings.get("dpi")),
                                     tuple(dict.fromkeys(exps + tuple(_as_list(t.get("experiments", []))))),
                                     tuple(_as_list(t.get("groups", []))), module, str(t.get("description", "")))

    for t in targets.values():
        for g in t.groups:
            groups.setdefault(g, [])
            if t.name not in groups[g]:
                groups[g].append(t.name)
    for g, members in groups.items():
        if g in targets:
            problems.append(f"[groups]: group {g!r} has the same name as a target")
        for m in members:
            if m not in targets and m not in doc.get("targets", {}) and m not in doc.get("figures", {}):
                problems.append(f"[groups]: group {g!r} lists unknown target {m!r}")

    seen: dict[Path, str] = {}
    for t in targets.values():
        for p in t.outputs(root).values():
            if p in seen:
                problems.append(f"duplicate output {p.relative_to(root)}: targets {seen[p]!r} and {t.name!r}")
            seen[p] = t.name

    if problems:
        raise ManifestError(f"{path} is invalid:\n  - " + "\n  - ".join(problems))
    return Manifest(path, root, targets, groups, tuple(mods), scan)


def _as_list(v) -> list:
    return [v] if isinstance(v, str) else list(v)


def figure_index(scan: "ScanCache | None" = None, extra=()) -> dict[str, tuple[Path, tuple]]:
    """{figure name: (module file, experiments)} read from the `@figure(...)` decorators
    in nnviz/figures/*.py without importing them (no matplotlib on a no-op build)."""
    scan = scan or ScanCache(None)
    out = {}
    for p in sorted((_PKG / "figures").glob("*.py")) + [Path(x).resolve() for x in extra]:
        for name, exps in scan.info(p)["figures"]:
            out[name] = (p, tuple(exps))
    return out


def _decorated_figures(tree) -> list:
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for d in node.decorator_list:
            if (isinstance(d, ast.Call) and getattr(d.func, "id", getattr(d.func, "attr", None)) == "figure"
                    and d.args and isinstance(d.args[0], ast.Constant) and isinstance(d.args[0].value, str)):
                exps = []
                for v in [kw.value for kw in d.keywords if kw.arg == "experiments"] + list(d.args[1:2]):
                    try:
                        exps = list(ast.literal_eval(v))
                    except ValueError:
                        pass
                out.append([d.args[0].value, exps])
    return out


class ScanCache:
    """What reading a source file tells the build — digest, imports, string constants,
    top-level classes, registered figures — cached by (mtime, size) in
    renders/.cache/build/scan.json, so a no-op build parses nothing and imports nothing
    heavy. Experiment keys are cached against a stat signature of every source they hash."""

    def __init__(self, root: Path | None):
        self.path = cache_dir(root) / "build" / "scan.json" if root else None
        self.data = {"v": BUILD_VERSION, "files": {}, "experiments": {}}
        if self.path is not None:
            try:
                d = json.loads(self.path.read_text())
                if d.get("v") == BUILD_VERSION:
                    self.data = d
            except (FileNotFoundError, ValueError):
                pass
        self.dirty = False

    def info(self, p: Path) -> dict:
        st = p.stat()
        key = str(p)
        e = self.data["files"].get(key)
        if e is not None and e["stat"] == [st.st_mtime_ns, st.st_size]:
            return e
        raw = p.read_bytes()
        e = {"stat": [st.st_mtime_ns, st.st_size], "sha": hashlib.sha256(raw).hexdigest(),
             "imports": [], "strings": [], "classes": [], "figures": [], "error": None}
        try:
            tree = ast.parse(raw.decode(), filename=str(p))
        except (SyntaxError, UnicodeDecodeError, ValueError) as err:
            e["error"] = str(err)
        else:
            e["imports"] = _imports(tree, p)
            e["classes"] = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
            if not _is_pkg(p):
                e["strings"] = sorted({n.value for n in ast.walk(tree)
                                       if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) < 80})
            e["figures"] = _decorated_figures(tree)
        self.data["files"][key] = e
        self.dirty = True
        return e

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".scan.", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(self.data, f)
        os.replace(tmp, self.path)
        self.dirty = False


def _imports(tree, p: Path) -> list[list]:
    """[(module name, must_exist)] for every import in the file, relative ones made absolute."""
    out = []
    pkg = _module_name(p)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [[a.name, True] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                if pkg is None:
                    continue
                parts = pkg.split(".")
                anchor = parts[: len(parts) - node.level + (1 if p.name == "__init__.py" else 0)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            out.append([base, True])
            out += [[f"{base}.{a.name}", False] for a in node.names]   # `from nnviz import theme`
    return out


class SourceGraph:
    """Which source files a file depends on, by reading `import` statements (transitively).

    Followed: modules of the nnviz package (with their parent packages' __init__) and
    modules beside the scene file. Third-party modules are represented by versions.
    """

    def __init__(self, scan: ScanCache | None = None):
        self.scan = scan or ScanCache(None)
        self._closure: dict[Path, list[Path]] = {}
        self._resolved: dict[tuple, tuple] = {}

    def digest(self, p: Path) -> str:
        return self.scan.info(p)["sha"]

    def strings(self, p: Path) -> set[str]:
        return set(self.scan.info(p)["strings"])

    def closure(self, start: Path) -> list[Path]:
        start = start.resolve()
        if start not in self._closure:
            seen, stack = set(), [start]
            while stack:
                p = stack.pop()
                if p in seen:
                    continue
                seen.add(p)
                stack.extend(self._direct(p) - seen)
            self._closure[start] = sorted(seen)
        return self._closure[start]

    def _direct(self, p: Path) -> set[Path]:
        deps: set[Path] = set()
        for name, must in self.scan.info(p)["imports"]:
            deps.update(self._resolve(name, p.parent))
        deps.discard(p)
        return deps

    def _resolve(self, name: str, where: Path) -> tuple:
        k = (name, where)
        if k in self._resolved:
            return self._resolved[k]
        parts = name.split(".") if name else []
        out: list[Path] = []
        if parts:
            base = _PKG.parent if parts[0] == "nnviz" else where
            if parts[0] == "nnviz" or (base / f"{parts[0]}.py").is_file() or (base / parts[0] / "__init__.py").is_file():
                for i in range(1, len(parts) + 1):
                    d = base.joinpath(*parts[:i])
                    if (d / "__init__.py").is_file():
                        out.append(d / "__init__.py")
                    elif d.with_suffix(".py").is_file():
                        out.append(d.with_suffix(".py"))
        self._resolved[k] = tuple(out)
        return self._resolved[k]


def _module_name(p: Path) -> str | None:
    try:
        rel = p.resolve().relative_to(_PKG.parent)
    except ValueError:
        return None
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@functools.lru_cache(maxsize=None)
def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def import_project_modules(paths) -> None:
    """Import the project's own modules ([settings] modules: files registering @experiment
    and/or @figure functions) under their plain module name, so a scene importing the
    same file shares it."""
    import importlib.util

    for p in paths:
        p = Path(p).resolve()
        if str(p.parent) not in sys.path:
            sys.path.insert(0, str(p.parent))
        have = sys.modules.get(p.stem)
        if have is not None and Path(getattr(have, "__file__", "") or "").resolve() == p:
            continue
        spec = importlib.util.spec_from_file_location(p.stem, p)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[p.stem] = mod
        spec.loader.exec_module(mod)


# sources an experiment key hashes (see nnviz.experiments): everything in the package but these
_NOT_IN_EXPERIMENT_KEYS = ("render", "figures", "cli.py", "build.py", "__main__.py")


class Keys:
    """Computes target keys. Experiment keys come from nnviz.experiments, but only when a
    source they depend on changed since the last build (else from the scan cache)."""

    def __init__(self, manifest: Manifest, scan: ScanCache | None = None):
        self.m = manifest
        self.scan = scan or ScanCache(manifest.root)
        self.graph = SourceGraph(self.scan)
        self._exp_keys: dict | None = None

    def _experiment_signature(self) -> str:
        h = hashlib.sha256()
        files = [p for p in _PKG.rglob("*.py") if p.relative_to(_PKG).parts[0] not in _NOT_IN_EXPERIMENT_KEYS]
        for p in sorted(files) + [Path(x).resolve() for x in self.m.modules]:
            st = p.stat()
            h.update(f"{p}:{st.st_mtime_ns}:{st.st_size};".encode())
        h.update(sys.version.encode())
        return h.hexdigest()

    def experiment_keys(self) -> dict[str, str]:
        """{experiment name: cache key} for every registered experiment."""
        if self._exp_keys is None:
            sig = self._experiment_signature()
            cached = self.scan.data.get("experiments", {})
            if cached.get("sig") == sig:
                self._exp_keys = dict(cached["keys"])
            else:
                from . import experiments

                import_project_modules(self.m.modules)
                self._exp_keys = {n: e.key() for n, e in experiments.discover().items()}
                self.scan.data["experiments"] = {"sig": sig, "keys": self._exp_keys}
                self.scan.dirty = True
        return self._exp_keys

    def registry(self) -> dict[str, str]:
        return self.experiment_keys()

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
        if t.kind == "scene":
            files = self.graph.closure(t.scene)
            spec = {"kind": "scene", "class": t.cls, "options": t.options.to_json(), "overrides": t.overrides,
                    "output": t.output, "manim": _version("manim"), "typst": _version("typst"),
                    "scene": _rel(t.scene, self.m.root)}
        else:
            files = set(self.graph.closure(t.module))
            for b in _FIGURE_BASE:
                if (_PKG / b).is_file():
                    files |= set(self.graph.closure(_PKG / b))
            files = sorted(files)
            spec = {"kind": "figure", "figure": t.figure, "formats": list(t.formats), "dpi": t.dpi,
                    "output": t.output, "matplotlib": _version("matplotlib")}
        reg = self.experiment_keys()
        return {"v": BUILD_VERSION, "spec": spec,
                "sources": {_rel(p, self.m.root): self.graph.digest(p) for p in files},
                "experiments": {n: reg[n] for n in self.experiments_of(t)}}

    def key(self, t) -> tuple[str, dict]:
        doc = self.inputs(t)
        blob = json.dumps(doc, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:20], doc


def changed_inputs(old: dict | None, new: dict) -> str:
    """A short human reason: which inputs differ between two `Keys.inputs` dicts."""
    if not old:
        return "inputs changed"
    parts = []
    if old.get("spec") != new["spec"]:
        keys = sorted(k for k in set(old.get("spec", {})) | set(new["spec"])
                      if old.get("spec", {}).get(k) != new["spec"].get(k))
        parts.append("settings: " + ", ".join(keys))
    srcs = sorted(k for k in set(old.get("sources", {})) | set(new["sources"])
                  if old.get("sources", {}).get(k) != new["sources"].get(k))
    if srcs:
        parts.append("source: " + ", ".join(srcs[:3]) + (f" (+{len(srcs) - 3})" if len(srcs) > 3 else ""))
    exps = sorted(k for k in set(old.get("experiments", {})) | set(new["experiments"])
                  if old.get("experiments", {}).get(k) != new["experiments"].get(k))
    if exps:
        parts.append("experiment: " + ", ".join(exps))
    return "; ".join(parts) or "inputs changed"


def _is_pkg(p: Path) -> bool:
    try:
        p.relative_to(_PKG)
        return True
    except ValueError:
        return False


def _rel(p: Path, root: Path) -> str:
    for base in (root, _PKG.parent):
        try:
            return str(p.resolve().relative_to(base))
        except ValueError:
            continue
    return str(p)


# --- state ---------------------------------------------------------------------------------

def cache_dir(root: Path) -> Path:
    return root / "renders" / ".cache"


class State:
    """Keys and output stamps of built targets (renders/.cache/build/state.json), written atomically."""

    def __init__(self, root: Path):
        self.root = root
        self.path = cache_dir(root) / "build" / "state.json"
        try:
            self.data = json.loads(self.path.read_text())
            if self.data.get("v") != BUILD_VERSION:
                self.data = {"v": BUILD_VERSION, "targets": {}}
        except (FileNotFoundError, ValueError):
            self.data = {"v": BUILD_VERSION, "targets": {}}

    def fresh(self, t, key: str, inputs: dict | None = None) -> tuple[bool, str]:
        e = self.data["targets"].get(t.name)
        if e is None:
            return False, "never built"
        if e.get("key") != key:
            return False, changed_inputs(e.get("inputs"), inputs) if inputs else "inputs changed"
        for fmt, p in t.outputs(self.root).items():
            st = e.get("outputs", {}).get(fmt)
            try:
                s = p.stat()
            except FileNotFoundError:
                return False, f"{p.name} missing"
            if st != [s.st_size, s.st_mtime_ns]:
                return False, f"{p.name} changed on disk"
        return True, "up to date"

    def record(self, t, key: str, seconds: float, inputs: dict | None = None) -> None:
        outs = {}
        for fmt, p in t.outputs(self.root).items():
            s = p.stat()
            outs[fmt] = [s.st_size, s.st_mtime_ns]
        self.data["targets"][t.name] = {"key": key, "outputs": outs, "seconds": round(seconds, 3),
                                        "built": time.strftime("%Y-%m-%dT%H:%M:%S"), "inputs": inputs}
        self.save()

    def forget(self, name: str) -> None:
        if self.data["targets"].pop(name, None) is not None:
            self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".state.", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(self.data, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


# --- plan, records, workers ------------------------------------------------------------------

@dataclass
class Planned:
    target: object
    key: str
    fresh: bool
    reason: str
    experiments: tuple
    inputs: dict = field(default_factory=dict)


@dataclass
class Outcome:
    name: str
    status: str              # built | skipped | failed
    seconds: float = 0.0
    message: str = ""
    files: list = field(default_factory=list)


def plan(manifest: Manifest, names=(), force: bool = False) -> list[Planned]:
    keys = Keys(manifest, manifest.scan)
    state = State(manifest.root)
    out = []
    for t in manifest.select(names):
        k, inputs = keys.key(t)
        fresh, why = state.fresh(t, k, inputs)
        if force:
            fresh, why = False, "forced"
        out.append(Planned(t, k, fresh, why, tuple(inputs["experiments"]), inputs))
    keys.scan.save()
    return out


def _job(t, manifest: Manifest, tmp: Path) -> dict:
    base = {"name": t.name, "kind": t.kind, "out_dir": str(tmp / "out"), "output": t.output,
            "root": str(manifest.root), "modules": [str(p) for p in manifest.modules]}
    if t.kind == "scene":
        return {**base, "scene": str(t.scene), "class": t.cls, "overrides": t.overrides,
                "options": t.options.to_json(), "media_dir": str(tmp / "media"),
                "tex_dir": str(cache_dir(manifest.root) / "typst" / t.name)}
    return {**base, "figure": t.figure, "formats": list(t.formats), "dpi": t.dpi}


def run_job(job: dict) -> dict:
    """What a worker process does: render one target into job['out_dir']. Returns {format: file}."""
    from .render.runner import GifOptions, RenderOptions

    import_project_modules(job.get("modules", []))
    out_dir = Path(job["out_dir"])
    if job["kind"] == "scene":
        from .render.runner import load_scene_class, render, with_overrides

        o = dict(job["options"])
        o["gif"] = GifOptions(**o["gif"])
        opts = RenderOptions(**o)
        cls = with_overrides(load_scene_class(job["scene"], job["class"]), job["overrides"])
        res = render(cls, out_dir, job["output"], opts, media_dir=job["media_dir"], tex_dir=job["tex_dir"])
        return {f: str(p) for f, p in res.files.items()}
    from . import figures

    files = {}
    for fmt in job["formats"]:
        files[fmt] = str(figures.save(job["figure"], out_dir / f"{job['output']}.{fmt}", fmt, dpi=job["dpi"]))
    return files


def _worker_main(argv) -> int:
    job = json.loads(Path(argv[0]).read_text())
    try:
        files = run_job(job)
    except Exception as e:  # reported to the parent through the exit status and the log
        import traceback

        traceback.print_exc()
        print(f"nnviz build: {job['name']} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    (Path(argv[0]).parent / "result.json").write_text(json.dumps(files))
    return 0


class _Running:
    def __init__(self, p: Planned, proc: subprocess.Popen, tmp: Path, log: Path, t0: float):
        self.p, self.proc, self.tmp, self.log, self.t0 = p, proc, tmp, log, t0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _clean_stale_tmp(tmp_root: Path) -> None:
    """Remove temp folders left by builds that died (their pid is in the folder name)."""
    if not tmp_root.is_dir():
        return
    for d in tmp_root.iterdir():
        try:
            pid = int(d.name.rsplit("-", 2)[-2])
        except (ValueError, IndexError):
            continue
        if not _pid_alive(pid):
            shutil.rmtree(d, ignore_errors=True)


class _Interrupted(Exception):
    pass


def build(names=(), jobs: int = 1, force: bool = False, dry_run: bool = False, manifest=None,
          progress: bool = True, out=sys.stdout) -> list[Outcome]:
    """Bring the selected targets up to date. Returns one Outcome per target."""
    m = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
    root = m.root
    os.environ.setdefault("NNVIZ_CACHE", str(cache_dir(root) / "records"))
    t_start = time.perf_counter()
    planned = plan(m, names, force)
    stale = [p for p in planned if not p.fresh]
    outcomes = {p.target.name: Outcome(p.target.name, "skipped", 0.0, p.reason) for p in planned if p.fresh}
    if dry_run:
        for p in planned:
            mark = "up to date " if p.fresh else "would build"
            print(f"{mark}  {p.target.name:28s} {p.reason}", file=out)
        print(f"{len(stale)} of {len(planned)} targets would be built", file=out)
        return [outcomes.get(p.target.name, Outcome(p.target.name, "stale", 0.0, p.reason)) for p in planned]
    if not stale:
        _summary([outcomes[p.target.name] for p in planned], time.perf_counter() - t_start, out)
        return [outcomes[p.target.name] for p in planned]

    lock_path = cache_dir(root) / "build" / "lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(lock_path, "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise NNVizError(f"another `nnviz build` is running in {root} (lock {lock_path})") from None
    try:
        return _build_locked(m, planned, stale, outcomes, max(1, int(jobs)), progress, out, t_start)
    finally:
        lock.close()


def _build_locked(m, planned, stale, outcomes, jobs, progress, out, t_start):
    from tqdm import tqdm

    from . import experiments

    root = m.root
    state = State(root)
    tmp_root = root / "renders" / ".tmp"
    _clean_stale_tmp(tmp_root)
    logs = cache_dir(root) / "build" / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    # records first, once each, in this process (workers then only read the cache)
    needed = list(dict.fromkeys(n for p in stale for n in p.experiments))
    if needed:
        import_project_modules(m.modules)
    failed_exps: dict[str, str] = {}
    for n in needed:
        if experiments.is_cached(n):
            continue
        print(f"computing records: {n} …", file=out, flush=True)
        t0 = time.perf_counter()
        try:
            experiments.run(n)
            print(f"  {n}: {time.perf_counter() - t0:.1f}s", file=out, flush=True)
        except Exception as e:  # the dependent targets fail; the others still build
            failed_exps[n] = f"{type(e).__name__}: {e}"
    queue = []
    for p in stale:
        bad = [n for n in p.experiments if n in failed_exps]
        if bad:
            outcomes[p.target.name] = Outcome(p.target.name, "failed", 0.0, f"experiment {bad[0]} failed: {failed_exps[bad[0]]}")
        else:
            queue.append(p)

    running: list[_Running] = []
    bar = tqdm(total=len(queue), desc="rendering", unit="target", disable=not progress, file=sys.stderr,
               dynamic_ncols=True, leave=False)

    def on_signal(signum, frame):
        raise _Interrupted(signal.Signals(signum).name)

    old = signal.signal(signal.SIGTERM, on_signal)
    try:
        while queue or running:
            while queue and len(running) < jobs:
                p = queue.pop(0)
                tmp = Path(tempfile.mkdtemp(dir=_mk(tmp_root), prefix=f"{p.target.name}-{os.getpid()}-"))
                jf = tmp / "job.json"
                jf.write_text(json.dumps(_job(p.target, m, tmp)))
                log = logs / f"{p.target.name}.log"
                lf = open(log, "w")
                # same process group: a Ctrl-C or a kill of the group reaches the workers too
                proc = subprocess.Popen([sys.executable, "-m", "nnviz.build", str(jf)], stdout=lf,
                                        stderr=subprocess.STDOUT, cwd=str(root))
                lf.close()
                running.append(_Running(p, proc, tmp, log, time.perf_counter()))
                bar.set_postfix_str(", ".join(r.p.target.name for r in running))
            time.sleep(0.05)
            for r in list(running):
                rc = r.proc.poll()
                if rc is None:
                    continue
                running.remove(r)
                name, secs = r.p.target.name, time.perf_counter() - r.t0
                if rc == 0 and (r.tmp / "result.json").exists():
                    try:
                        files = json.loads((r.tmp / "result.json").read_text())
                        dests = r.p.target.outputs(root)
                        for fmt, src in files.items():
                            dests[fmt].parent.mkdir(parents=True, exist_ok=True)
                            os.replace(src, dests[fmt])
                        state.record(r.p.target, r.p.key, secs, r.p.inputs)
                        outcomes[name] = Outcome(name, "built", secs, "",
                                                 [str(d.relative_to(root)) for d in dests.values()])
                    except (OSError, KeyError, ValueError) as e:
                        outcomes[name] = Outcome(name, "failed", secs, f"could not install outputs: {e}")
                else:
                    outcomes[name] = Outcome(name, "failed", secs, _tail(r.log) + f" (log: {r.log})")
                shutil.rmtree(r.tmp, ignore_errors=True)
                bar.update(1)
                bar.set_postfix_str(", ".join(x.p.target.name for x in running))
    except (KeyboardInterrupt, _Interrupted) as e:
        for r in running:
            _kill(r.proc)
            shutil.rmtree(r.tmp, ignore_errors=True)
            outcomes[r.p.target.name] = Outcome(r.p.target.name, "failed", time.perf_counter() - r.t0, "interrupted")
        for p in queue:
            outcomes[p.target.name] = Outcome(p.target.name, "failed", 0.0, "not started (interrupted)")
        bar.close()
        _summary([outcomes[p.target.name] for p in planned], time.perf_counter() - t_start, out)
        raise NNVizError(f"build interrupted ({e or 'Ctrl-C'}); finished targets were kept, the rest stay stale") from None
    finally:
        signal.signal(signal.SIGTERM, old)
        bar.close()
    result = [outcomes[p.target.name] for p in planned]
    _summary(result, time.perf_counter() - t_start, out)
    return result


def _mk(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def _kill(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _tail(log: Path, n: int = 4) -> str:
    try:
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    except FileNotFoundError:
        return "worker died without a log"
    return " | ".join(lines[-n:])[-600:]


def _summary(outcomes: list[Outcome], wall: float, out) -> None:
    built = [o for o in outcomes if o.status == "built"]
    failed = [o for o in outcomes if o.status == "failed"]
    skipped = [o for o in outcomes if o.status == "skipped"]
    for o in built:
        print(f"  built    {o.name:28s} {o.seconds:6.1f}s  {', '.join(o.files)}", file=out)
    for o in failed:
        print(f"  FAILED   {o.name:28s} {o.seconds:6.1f}s  {o.message}", file=out)
    print(f"built {len(built)}, skipped {len(skipped)} (up to date), failed {len(failed)} "
          f"in {wall:.1f}s", file=out, flush=True)


def clean(root: Path, records: bool = False, outputs_of: Manifest | None = None) -> list[Path]:
    """Remove working media, temp folders and build state (and records / built outputs if asked)."""
    removed = []
    for p in (root / "renders" / ".media", root / "renders" / ".tmp", cache_dir(root) / "build",
              cache_dir(root) / "typst"):
        if p.exists():
            shutil.rmtree(p)
            removed.append(p)
    if records and (cache_dir(root) / "records").exists():
        shutil.rmtree(cache_dir(root) / "records")
        removed.append(cache_dir(root) / "records")
    if outputs_of is not None:
        for t in outputs_of.targets.values():
            for p in t.outputs(root).values():
                if p.exists():
                    p.unlink()
                    removed.append(p)
    return removed


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
