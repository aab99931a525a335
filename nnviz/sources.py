"""Reading Python sources without importing them: the modules a file imports, and the
files it depends on through them (transitively).

The one scanner for everything that follows source files: experiment keys (which experiment
modules an experiment uses), build keys (which sources a scene or figure depends on; the build
caches these scans on disk, nnviz/build/scan.py) and the layering test.
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


def _type_checking(node: ast.If) -> bool:
    return getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING"


def _inside(node: ast.If) -> set:
    """ids of the nodes inside an `if TYPE_CHECKING:` block (a package facade's re-exports)."""
    return {id(n) for n in ast.walk(node)} - {id(node), id(node.test)}


def _absolute(node: ast.ImportFrom, p: Path, pkg: str | None, in_init: bool) -> str | None:
    base = node.module or ""
    if node.level:
        if pkg is None:
            return None
        parts = pkg.split(".")
        anchor = parts[: len(parts) - node.level + (1 if in_init else 0)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    return base


def imports(tree: ast.AST, p: Path) -> list[list]:
    """[name, must_exist] for every module the file at `p` imports, relative imports made absolute.
    For `from a import b` both ["a", True] and ["a.b", False] are listed: `b` may be a module
    (`from nnviz import theme`).

    A package facade (`if TYPE_CHECKING:` imports in an `__init__.py`, e.g. nnviz.render's lazy
    re-exports) is not a dependency of the package itself: each re-exported name is kept as
    ["facade:pkg.Name", "pkg.module"], followed only for files that import that name from the package."""
    out: list[list] = []
    pkg = module_name(p)
    in_init = p.name == "__init__.py"
    facade: set = set()
    for node in ast.walk(tree):     # breadth first: an `if TYPE_CHECKING:` comes before what it holds
        if isinstance(node, ast.If) and id(node) not in facade and _type_checking(node):
            facade |= _inside(node)
        if id(node) in facade:
            if isinstance(node, ast.ImportFrom) and in_init and pkg is not None:
                base = _absolute(node, p, pkg, True)
                out += [[f"facade:{pkg}.{a.asname or a.name}", base] for a in node.names]
            continue
        if isinstance(node, ast.Import):
            out += [[a.name, True] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, p, pkg, in_init)
            if base is None:
                continue
            out.append([base, True])
            out += [[f"{base}.{a.name}", False] for a in node.names]
    return out


def modules_used(entries) -> list[str]:
    """The module names an `imports()` list refers to, a facade's re-exporting modules included
    (what runs when the names are used), e.g. for drawing the import graph."""
    return [extra if name.startswith("facade:") else name for name, extra in entries]


def scan(p: Path) -> dict:
    """What reading one file tells: {"sha": digest of the bytes, "code": digest of the parsed code
    (comments and layout left out), "imports": imports(), "tree": AST or None, "error": None or
    why it does not parse}."""
    raw = Path(p).read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    out = {"sha": sha, "code": sha, "imports": [], "tree": None, "error": None}
    try:
        out["tree"] = ast.parse(raw.decode(), filename=str(p))
    except (SyntaxError, UnicodeDecodeError, ValueError) as err:
        out["error"] = str(err)
    else:
        out["code"] = hashlib.sha256(ast.dump(out["tree"]).encode()).hexdigest()
        out["imports"] = imports(out["tree"], Path(p))
    return out


class SourceGraph:
    """Which source files a file depends on, by reading `import` statements (transitively).

    Followed: modules of the nnviz package (with their parent packages' __init__) and modules
    beside the importing file; a name imported from a facade package leads to the module that
    defines it only. Third-party modules are not files of the graph. `info(path)` gives a file's
    scan() fields; by default the file is read now (the build passes its on-disk scan cache).
    """

    def __init__(self, info=None):
        self.info = info or scan
        self._closure: dict[tuple, list[Path]] = {}
        self._direct: dict[Path, frozenset] = {}
        self._resolved: dict[tuple, tuple] = {}

    def digest(self, p: Path) -> str:
        """The code's digest: comment and layout edits do not change it."""
        return self.info(p)["code"]

    def raw_digest(self, p: Path) -> str:
        """The bytes' digest."""
        return self.info(p)["sha"]

    def strings(self, p: Path) -> set[str]:
        """Short string constants in the file (when the info source records them)."""
        return set(self.info(p).get("strings", ()))

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
            for name, must in self.info(p)["imports"]:
                if name.startswith("facade:"):
                    continue
                deps.update(self._resolve(name, p.parent))
                if must is False and "." in name:      # `from pkg import Name`: the module Name comes from
                    pkg, attr = name.rsplit(".", 1)
                    for init in self._resolve(pkg, p.parent)[-1:]:
                        if init.name != "__init__.py":
                            continue
                        for fname, module in self.info(init)["imports"]:
                            if fname == f"facade:{name}" or (attr == "*" and fname.startswith(f"facade:{pkg}.")):
                                deps.update(self._resolve(module, p.parent))
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
