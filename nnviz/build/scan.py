"""Source scanning: what reading a Python file tells the build (digest, imports, string
constants, top-level classes, registered figures) without importing it, cached by
(mtime, size); and the transitive graph of local / nnviz sources a file depends on."""
from __future__ import annotations

import ast
import hashlib
import json
import os
import tempfile
from pathlib import Path

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

