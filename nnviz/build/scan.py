"""Source scanning: what reading a Python file tells the build (digest, imports, string
constants, top-level classes, registered figures) without importing it, cached and
confirmed by content hash; and the transitive graph of local / nnviz sources a file depends on."""
from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

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

    def info(self, p: Path) -> dict:
        key = str(p)
        e = self._seen.get(key)
        if e is not None:
            return e
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
            e["imports"] = _imports(tree, p)
            e["classes"] = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
            if not _is_pkg(p):
                e["strings"] = sorted({n.value for n in ast.walk(tree)
                                       if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) < 80})
            e["figures"] = _decorated_figures(tree)
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


def _imports(tree, p: Path) -> list[list]:
    """[(module name, must_exist)] for every import in the file, relative ones made absolute.

    A package facade (`if TYPE_CHECKING:` imports in an `__init__.py`, e.g. nnviz.render's) is not
    a dependency of the package itself: each re-exported name is kept as ["facade:pkg.Name",
    "pkg.module"], followed only for files that import that name from the package."""
    out = []
    pkg = _module_name(p)
    facade = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            facade |= {id(n) for n in ast.walk(node)} - {id(node), id(node.test)}
    for node in ast.walk(tree):
        if id(node) in facade:
            if isinstance(node, ast.ImportFrom) and p.name == "__init__.py" and pkg is not None:
                base = node.module or ""
                if node.level:
                    parts = pkg.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                out += [[f"facade:{pkg}.{a.asname or a.name}", base] for a in node.names]
            continue
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
        """The code's digest: comment and layout edits do not change it."""
        return self.scan.info(p)["code"]

    def raw_digest(self, p: Path) -> str:
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
            if name.startswith("facade:"):
                continue
            deps.update(self._resolve(name, p.parent))
            if must is False and "." in name:      # `from pkg import Name`: the module Name comes from
                pkg, attr = name.rsplit(".", 1)
                for init in self._resolve(pkg, p.parent)[-1:]:
                    if init.name != "__init__.py":
                        continue
                    for fname, module in self.scan.info(init)["imports"]:
                        if fname == f"facade:{name}" or (attr == "*" and fname.startswith(f"facade:{pkg}.")):
                            deps.update(self._resolve(module, p.parent))
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

