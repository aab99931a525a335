"""The house's layering, read from the imports (with the project's one source scanner): no import
circle among nnviz modules, and no import from a lower layer to a higher or a sideways one."""
import ast
from pathlib import Path

from nnviz import folders, sources

DRAWING = ("render", "figures")      # the rest of folders.NOT_CORE is tooling (build, CLI, slides)


def _layer_of(m: str) -> tuple[int, str]:
    parts = m.split(".")[1:] or ["__init__"]
    top = parts[0] + ("" if len(parts) > 1 or (folders.PACKAGE / parts[0]).is_dir() else ".py")
    if folders.is_core(top):
        if parts[0] in ("experiments", "cache"):
            return 1, "experiments"
        return 0, "core"
    return (2, "drawing") if parts[0] in DRAWING else (3, "tooling")


# siblings within a layer that must not import each other (sideways arrows)
SIDEWAYS = [("nnviz.render", "nnviz.figures")]
# known circles, each to be removed by its owner; listed so that the test stays honest (it fails
# if a listed circle is gone, so the list cannot rot). None today.
KNOWN_CIRCLES = []


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(folders.PACKAGE.rglob("*.py")):
        out[sources.module_name(p)] = p
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    g = {}
    for name, p in mods.items():
        deps = set()
        for imp in sources.modules_used(sources.imports(ast.parse(p.read_text()), p)):
            # `from a import b`: the module a.b if it is one, else a
            while imp and imp not in mods:
                imp = imp.rpartition(".")[0]
            if imp and imp != name and imp != "nnviz":
                deps.add(imp)
        g[name] = deps
    return g


def _layer(m: str) -> int:
    return _layer_of(m)[0]


def test_no_import_from_a_lower_layer_to_a_higher_one():
    bad = [f"{a} ({_layer_of(a)[1]}) imports {b} ({_layer_of(b)[1]})"
           for a, deps in _graph().items() for b in deps if _layer(b) > _layer(a)]
    assert bad == []


def test_no_sideways_import():
    g = _graph()
    bad = [f"{a} imports {b}" for x, y in SIDEWAYS for a, deps in g.items() for b in deps
           if (a.startswith(x) and b.startswith(y)) or (a.startswith(y) and b.startswith(x))]
    assert bad == []


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    assert _cycles(_graph()) == KNOWN_CIRCLES


def test_the_checks_can_fail():
    """The cycle finder and the layer rule see a planted circle and an upward arrow."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _layer("nnviz.records") < _layer("nnviz.experiments.descent") < _layer("nnviz.render.plots") \
        < _layer("nnviz.build.run") == _layer("nnviz.cli") == _layer("nnviz.deck")
    assert _layer("nnviz.cache") == _layer("nnviz.experiments") and _layer("nnviz") == _layer("nnviz.stacked") == 0
    assert "nnviz.experiments" in _graph()["nnviz.experiments.descent"]
