"""Reading Python sources without importing them: the modules a file imports, and the
files it depends on through them (transitively).

One scanner for everything that follows source files: experiment keys (which experiment
modules an experiment uses) and build keys (which sources a scene or figure depends on).
"""
from __future__ import annotations

import ast
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent          # .../nnviz


def module_name(p: Path) -> str | None:
    """Dotted name of a file of the nnviz package ("nnviz.experiments.descent"), else None."""
    try:
        rel = Path(p).resolve().relative_to(PACKAGE.parent)
    except ValueError:
        return None
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(tree: ast.AST, p: Path) -> list[str]:
    """Every module name the file at `p` imports (relative imports made absolute). For
    `from a import b` both `a` and `a.b` are listed: `b` may be a module (`from nnviz import theme`)."""
    out: list[str] = []
    pkg = module_name(p)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                if pkg is None:
                    continue
                parts = pkg.split(".")
                anchor = parts[: len(parts) - node.level + (1 if p.name == "__init__.py" else 0)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            out.append(base)
            out += [f"{base}.{a.name}" for a in node.names]
    return out


def scan(p: Path) -> dict:
    """What reading one file tells: {"sha": hex digest, "imports": [...], "tree": AST or None,
    "error": None or why it does not parse}."""
    raw = Path(p).read_bytes()
    out = {"sha": hashlib.sha256(raw).hexdigest(), "imports": [], "tree": None, "error": None}
    try:
        out["tree"] = ast.parse(raw.decode(), filename=str(p))
    except (SyntaxError, UnicodeDecodeError, ValueError) as err:
        out["error"] = str(err)
    else:
        out["imports"] = imports(out["tree"], Path(p))
    return out


class SourceGraph:
    """Which source files a file depends on, by reading `import` statements (transitively).

    Followed: modules of the nnviz package (with their parent packages' __init__) and
    modules beside the importing file. Third-party modules are not files of the graph.
    `info(path)` gives a file's {"sha", "imports"}; by default the file is read now
    (the build passes its on-disk scan cache instead).
    """

    def __init__(self, info=None):
        self.info = info or scan
        self._closure: dict[tuple, list[Path]] = {}
        self._direct: dict[Path, frozenset] = {}
        self._resolved: dict[tuple, tuple] = {}

    def digest(self, p: Path) -> str:
        return self.info(p)["sha"]

    def closure(self, start: Path, follow=None) -> list[Path]:
        """`start` and every file it depends on, sorted. With `follow(path) -> bool`, only
        files it accepts (and `start`) are included and looked into."""
        start = Path(start).resolve()
        k = (start, follow)
        if k not in self._closure:
            seen, stack = set(), [start]
            while stack:
                p = stack.pop()
                if p in seen:
                    continue
                seen.add(p)
                stack.extend(d for d in self.direct(p) - seen if follow is None or follow(d))
            self._closure[k] = sorted(seen)
        return self._closure[k]

    def direct(self, p: Path) -> frozenset:
        """The files `p` imports directly."""
        if p not in self._direct:
            deps: set[Path] = set()
            for name in self.info(p)["imports"]:
                deps.update(self._resolve(name, p.parent))
            deps.discard(p)
            self._direct[p] = frozenset(deps)
        return self._direct[p]

    def _resolve(self, name: str, where: Path) -> tuple:
        k = (name, where)
        if k in self._resolved:
            return self._resolved[k]
        parts = name.split(".") if name else []
        out: list[Path] = []
        if parts:
            base = PACKAGE.parent if parts[0] == "nnviz" else where
            if parts[0] == "nnviz" or (base / f"{parts[0]}.py").is_file() or (base / parts[0] / "__init__.py").is_file():
                for i in range(1, len(parts) + 1):
                    d = base.joinpath(*parts[:i])
                    if (d / "__init__.py").is_file():
                        out.append(d / "__init__.py")
                    elif d.with_suffix(".py").is_file():
                        out.append(d.with_suffix(".py"))
        self._resolved[k] = tuple(out)
        return self._resolved[k]
