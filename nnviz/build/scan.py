"""The build's source scans: what reading a Python file tells the build (digest, imports, string
constants, top-level classes, registered figures) without importing it, cached on disk and
confirmed by content hash. Imports and the dependency graph are nnviz.sources' (the one scanner);
this module adds the cache and the build-only fields."""
from __future__ import annotations

import ast
import hashlib
import json
import unicodedata
from pathlib import Path

from .. import sources
from ..atomic import write_atomic
from .state import BUILD_VERSION, cache_dir

_PKG = Path(__file__).resolve().parent.parent     # .../nnviz


def figure_index(scan: "ScanCache | None" = None, extra=()) -> dict[str, tuple[Path, tuple]]:
    """{figure name: (module file, experiments)} read from the `@figure(...)` decorators
    in nnviz/figures/*.py without importing them (no matplotlib on a no-op build)."""
    scan = scan or ScanCache(None)
    out = {}
    for p in sorted((_PKG / "figures").glob("*.py")) + [Path(x).resolve() for x in extra]:
        for name, exps in scan.info(p)["figures"]:
            out[name] = (p, tuple(exps))
    return out



def _names_figure(raw: bytes) -> bool:
    """Whether the source can hold a `@figure(...)` decorator at all (Python reads identifiers
    NFKC-normalised): most files do not, and their trees need no walk."""
    text = raw.decode()
    return "figure" in (text if text.isascii() else unicodedata.normalize("NFKC", text))


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
    top-level classes, registered figures — cached in renders/.cache/build/scan.json, so
    a no-op build parses nothing and imports nothing heavy.

    Every file is read and hashed once per process (≈100 small files: milliseconds): the
    cached parse is reused only when the content hash matches, so a same-size edit with a
    restored mtime is seen. `sha` is the hash of the bytes; `code` the hash of the parsed
    code (comments and layout left out), which is what target keys use. A file whose bytes
    changed under an unchanged (mtime, size) also gets its stale `__pycache__` entry
    removed, since Python would otherwise run the old bytecode. Experiment keys are cached
    against the content hashes of every source they hash. A cache file of the wrong shape
    is rebuilt, never fatal."""

    def __init__(self, root: Path | None):
        self.path = cache_dir(root) / "build" / "scan.json" if root else None
        self.data = self._empty()
        if self.path is not None:
            try:
                d = json.loads(self.path.read_text())
                if self._valid(d):
                    self.data = d
            except (OSError, ValueError):
                pass
        self.dirty = False
        self._seen: dict[str, dict] = {}     # checked in this process
        self._read: dict[str, tuple] = {}    # hashed by `sha` but not parsed: (stat, bytes, sha)

    @staticmethod
    def _empty() -> dict:
        return {"v": BUILD_VERSION, "files": {}, "experiments": {}, "checked": {}}

    @staticmethod
    def _valid(d) -> bool:
        return (isinstance(d, dict) and d.get("v") == BUILD_VERSION and isinstance(d.get("files"), dict)
                and all(isinstance(e, dict) and set(_FIELDS) <= set(e) for e in d["files"].values())
                and isinstance(d.get("experiments"), dict) and isinstance(d.get("checked", {}), dict)
                and (not d["experiments"] or (isinstance(d["experiments"].get("sig"), str)
                                              and isinstance(d["experiments"].get("keys"), dict))))

    def sha(self, p: Path) -> str:
        """The SHA-256 of the file's bytes, as `info(p)["sha"]` gives it, without parsing a file the
        cache has never scanned (what experiment signatures and watch lists need: a fresh project
        would otherwise parse every core source). A cached file whose bytes changed goes through
        `info` (its stale bytecode is dropped there)."""
        key = str(p)
        e = self._seen.get(key)
        if e is not None:
            return e["sha"]
        if key not in self._read:
            st = p.stat()
            raw = p.read_bytes()
            self._read[key] = ([st.st_mtime_ns, st.st_size], raw, hashlib.sha256(raw).hexdigest())
        sha = self._read[key][2]
        if key in self.data["files"]:
            return self.info(p)["sha"]
        return sha

    def info(self, p: Path) -> dict:
        key = str(p)
        e = self._seen.get(key)
        if e is not None:
            return e
        if key in self._read:              # read once per process: the bytes `sha` hashed
            stat, raw, sha = self._read.pop(key)
        else:
            st = p.stat()
            raw = p.read_bytes()
            sha = hashlib.sha256(raw).hexdigest()
            stat = [st.st_mtime_ns, st.st_size]
        e = self.data["files"].get(key)
        if e is not None and e["sha"] == sha:
            if e["stat"] != stat:
                e["stat"] = stat
                self.dirty = True
            self._seen[key] = e
            return e
        if e is not None and e["stat"] == stat:
            _drop_bytecode(p)      # same (mtime, size), other bytes: Python would trust its stale .pyc
        e = {"stat": stat, "sha": sha, "code": sha, "imports": [], "strings": [], "classes": [], "figures": [],
             "error": None}
        try:
            tree = ast.parse(raw.decode(), filename=str(p))
        except (SyntaxError, UnicodeDecodeError, ValueError) as err:
            e["error"] = str(err)
        else:
            e["code"] = hashlib.sha256(ast.dump(tree).encode()).hexdigest()
            e["imports"] = sources.imports(tree, p)
            e["classes"] = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
            if not _is_pkg(p):
                e["strings"] = sorted({n.value for n in ast.walk(tree)
                                       if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) < 80})
            e["figures"] = _decorated_figures(tree) if _names_figure(raw) else []
        self.data["files"][key] = e
        self._seen[key] = e
        self.dirty = True
        return e

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        try:
            write_atomic(self.path, json.dumps(self.data))
        except OSError:
            return          # a cache: a read-only or full disk only costs a re-scan next time
        self.dirty = False


_FIELDS = ("stat", "sha", "code", "imports", "strings", "classes", "figures", "error")


def content_digest(p: Path) -> str:
    """SHA-256 of a file's bytes now (no cache), for checking that nothing changed under a render."""
    try:
        return hashlib.sha256(Path(p).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def _drop_bytecode(p: Path) -> None:
    import importlib.util

    try:
        Path(importlib.util.cache_from_source(str(p))).unlink(missing_ok=True)
    except (OSError, ValueError, NotImplementedError):
        pass


class SourceGraph(sources.SourceGraph):
    """The build's source graph: nnviz.sources' graph over files read through the scan cache."""

    def __init__(self, scan: ScanCache | None = None):
        self.scan = scan or ScanCache(None)
        super().__init__(self.scan.info)


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

