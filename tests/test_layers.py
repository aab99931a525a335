"""The house's layering, read from the imports (with the project's one source scanner): no import
circle among nnviz modules, and no import from a lower layer to a higher or a sideways one."""
import ast
from pathlib import Path

from nnviz import folders, sources

ROOT = folders.PACKAGE.parent

# layers, lowest first; a module may import only from its own layer or lower ones
LAYERS = [
    ("core", lambda m: not m.startswith(("nnviz.experiments", "nnviz.cache", "nnviz.render", "nnviz.figures",
                                         "nnviz.build", "nnviz.cli", "nnviz.__main__"))),
    ("experiments", lambda m: m.startswith(("nnviz.experiments", "nnviz.cache"))),
    ("drawing", lambda m: m.startswith(("nnviz.render", "nnviz.figures"))),
    ("tooling", lambda m: m.startswith(("nnviz.build", "nnviz.cli", "nnviz.__main__"))),
]
# siblings within a layer that must not import each other (sideways arrows)
SIDEWAYS = [("nnviz.render", "nnviz.figures")]


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
        for imp in sources.imports(ast.parse(p.read_text()), p):
            # `from a import b`: the module a.b if it is one, else a
            while imp and imp not in mods:
                imp = imp.rpartition(".")[0]
            if imp and imp != name and imp != "nnviz":
                deps.add(imp)
        g[name] = deps
    return g


def _layer(m: str) -> int:
    return next(i for i, (_, test) in enumerate(LAYERS) if test(m))


def test_no_import_from_a_lower_layer_to_a_higher_one():
    bad = [f"{a} ({LAYERS[_layer(a)][0]}) imports {b} ({LAYERS[_layer(b)][0]})"
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
    assert _cycles(_graph()) == []


def test_the_checks_can_fail():
    """The cycle finder and the layer rule see a planted circle and an upward arrow."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _layer("nnviz.records") < _layer("nnviz.experiments.descent") < _layer("nnviz.render.plots") \
        < _layer("nnviz.build.run")
    assert "nnviz.experiments" in _graph()["nnviz.experiments.descent"]
