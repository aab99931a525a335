"""Reverse-mode automatic differentiation on scalars (micrograd-sized), recorded as a graph.

Each `Node` holds a value, the nodes it was computed from (its parents) and the local
derivatives ∂node/∂parent, fixed when the node is made. `backward()` visits the nodes in
reverse topological order and accumulates adjoints  ā_parent += ā_node · ∂node/∂parent —
the chain rule, one edge at a time. `record(out)` freezes the whole graph (values, local
derivatives, adjoints, the order the backward pass visited it) into a `Graph` record, which
the autodiff scene lays out; nothing on screen is placed by hand.

    x, w, b = Node(0.5, "x"), Node(-1.2, "w"), Node(0.3, "b")
    loss = (sigmoid(w * x + b) - 1.0) ** 2
    loss.backward()
    w.grad      # ∂loss/∂w
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import NNVizError
from .records import Graph


class Node:
    """A scalar in a computation: value, parents, ∂self/∂parent, and (after backward) grad."""

    __slots__ = ("value", "parents", "local", "op", "name", "grad", "_id")
    _count = 0

    def __init__(self, value, name: str = "", parents=(), local=(), op: str = "input"):
        value = float(value)
        if not math.isfinite(value):
            raise NNVizError(f"autodiff node {name or op!r} got a non-finite value {value}")
        self.value, self.name, self.op = value, name, op
        self.parents, self.local = tuple(parents), tuple(float(d) for d in local)
        self.grad = 0.0
        Node._count += 1
        self._id = Node._count  # creation order: a topological order of the graph

    def __repr__(self):
        return f"Node({self.name or self.op}={self.value:.6g}, grad={self.grad:.6g})"

    # -- arithmetic: every operation states its local derivatives --------------------------------
    def __add__(self, other):
        other = lift(other)
        return Node(self.value + other.value, parents=(self, other), local=(1.0, 1.0), op="+")

    __radd__ = __add__

    def __neg__(self):
        return Node(-self.value, parents=(self,), local=(-1.0,), op="neg")

    def __sub__(self, other):
        other = lift(other)
        return Node(self.value - other.value, parents=(self, other), local=(1.0, -1.0), op="−")

    def __rsub__(self, other):
        return lift(other) - self

    def __mul__(self, other):
        other = lift(other)
        return Node(self.value * other.value, parents=(self, other), local=(other.value, self.value), op="×")

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = lift(other)
        return Node(self.value / other.value, parents=(self, other),
                    local=(1.0 / other.value, -self.value / other.value ** 2), op="÷")

    def __pow__(self, k):
        if isinstance(k, Node):
            raise NNVizError("autodiff: only constant exponents are supported")
        k = float(k)
        return Node(self.value ** k, parents=(self,), local=(k * self.value ** (k - 1),), op=f"^{k:g}")

    # -- the backward pass ----------------------------------------------------------------------
    def topo(self) -> list["Node"]:
        """Every node this one depends on (and itself), parents before children."""
        seen, order, stack = set(), [], [self]
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen.add(id(n))
            order.append(n)
            stack.extend(n.parents)
        return sorted(order, key=lambda n: n._id)

    def backward(self) -> list["Node"]:
        """Adjoints of every node w.r.t. this one (seed ∂self/∂self = 1); returns the visit order."""
        order = self.topo()
        for n in order:
            n.grad = 0.0
        self.grad = 1.0
        visit = order[::-1]
        for n in visit:
            for p, d in zip(n.parents, n.local):
                p.grad += n.grad * d
        return visit


def lift(v) -> Node:
    """A constant as a Node (numbers used in an expression become leaves of the graph)."""
    return v if isinstance(v, Node) else Node(v, name=f"{float(v):g}", op="const")


def exp(x: Node) -> Node:
    e = math.exp(x.value)
    return Node(e, parents=(x,), local=(e,), op="exp")


def tanh(x: Node) -> Node:
    t = math.tanh(x.value)
    return Node(t, parents=(x,), local=(1.0 - t * t,), op="tanh")


def sigmoid(x: Node) -> Node:
    s = 1.0 / (1.0 + math.exp(-x.value))
    return Node(s, parents=(x,), local=(s * (1.0 - s),), op="σ")


def log(x: Node) -> Node:
    if x.value <= 0:
        raise NNVizError(f"autodiff: log of a non-positive value {x.value}")
    return Node(math.log(x.value), parents=(x,), local=(1.0 / x.value,), op="log")


def record(out: Node, config: dict | None = None, **meta) -> Graph:
    """Run the backward pass from `out` and freeze the graph into a `Graph` record."""
    visit = out.backward()
    nodes = out.topo()
    index = {id(n): i for i, n in enumerate(nodes)}
    rows = [{"name": n.name or f"{n.op}{i}", "op": n.op, "value": n.value, "grad": n.grad,
             "parents": [index[id(p)] for p in n.parents], "local": list(n.local)} for i, n in enumerate(nodes)]
    return Graph(config=dict(config or {}), nodes=rows, order=[index[id(n)] for n in visit],
                 output=index[id(out)], meta=meta)


def named(node: Node, name: str) -> Node:
    """Give a node a name (shown on its box in the graph)."""
    node.name = name
    return node


def evaluate(graph: Graph, values: dict) -> float:
    """Re-evaluate the recorded graph's output with some nodes' values replaced ({name or index:
    value}; a replaced interior node feeds its new value downstream) — the finite-difference oracle
    for every adjoint, from the record alone."""
    ops = {"+": lambda a, b: a + b, "−": lambda a, b: a - b, "×": lambda a, b: a * b,
           "÷": lambda a, b: a / b, "neg": lambda a: -a, "exp": math.exp, "tanh": math.tanh,
           "σ": lambda a: 1.0 / (1.0 + math.exp(-a)), "log": math.log}
    v = []
    for i, n in enumerate(graph.nodes):
        if i in values or n["name"] in values:
            v.append(float(values[i] if i in values else values[n["name"]]))
        elif not n["parents"]:
            v.append(float(values.get(n["name"], n["value"])))
        elif n["op"].startswith("^"):
            v.append(v[n["parents"][0]] ** float(n["op"][1:]))
        else:
            v.append(ops[n["op"]](*(v[p] for p in n["parents"])))
    return v[graph.output]


def layout(graph, dx: float = 1.0, dy: float = 1.0) -> np.ndarray:
    """Where to draw each node, from the graph's structure alone — (N, 2) positions: column = depth (a leaf sits one column left of its first consumer), rows
    spread evenly in the first column, an interior node at the mean height of its interior parents
    (of all its parents if it has none), a later leaf just below its consumer."""
    nodes = graph.nodes
    n = len(nodes)
    children = [[] for _ in range(n)]
    for i, nd in enumerate(nodes):
        for p in nd["parents"]:
            children[p].append(i)
    col = np.zeros(n)
    for i, nd in enumerate(nodes):                       # parents first (topological order)
        if nd["parents"]:
            col[i] = 1 + max(col[p] for p in nd["parents"])
    for i, nd in enumerate(nodes):
        if not nd["parents"] and children[i]:
            col[i] = min(col[c] for c in children[i]) - 1
    col -= col.min()
    y = np.full(n, np.nan)
    first = [i for i in range(n) if col[i] == 0]
    # order the first column so each consumer's parents sit together
    first.sort(key=lambda i: min(children[i]) if children[i] else n)
    for r, i in enumerate(first):
        y[i] = (len(first) - 1) / 2 - r
    for i, nd in enumerate(nodes):
        if nd["parents"]:
            inner = [p for p in nd["parents"] if nodes[p]["parents"] or col[p] == 0]
            y[i] = float(np.mean([y[p] for p in (inner or nd["parents"]) if np.isfinite(y[p])]))
    for i in range(n):
        if np.isnan(y[i]):
            y[i] = y[children[i][0]] - 1.0 if children[i] else 0.0
    return np.c_[col * dx, y * dy]


# --- words for a recorded graph (the scene and the still show them) ------------------------------
_UNARY = {"σ": "σ({})", "sigmoid": "σ({})", "tanh": "tanh({})", "exp": "exp({})", "log": "log({})",
          "^2": "({})²"}
_BINARY = ("+", "−", "-", "×", "*", "/")


def node_label(graph, i: int, most: int = 12) -> str:
    """What a box is called: a leaf's name; an inner node's name, with its formula from its parents'
    names when that is short ("z = sum + b", "a = σ(z)") and not just the name again ("w₁x₁")."""
    nd = graph.nodes[i]
    if not nd["parents"]:
        return nd["name"]
    ps = [graph.nodes[p]["name"] for p in nd["parents"]]
    op = nd["op"]
    if op in _UNARY and len(ps) == 1:
        expr = _UNARY[op].format(ps[0])
    elif op in _BINARY and len(ps) == 2:
        expr = f"{ps[0]} {op} {ps[1]}"
    else:
        return nd["name"]
    squash = lambda s: s.replace(" ", "").replace("×", "").replace("·", "")
    if squash(expr) == squash(nd["name"]):
        return nd["name"]
    full = f"{nd['name']} = {expr}"
    return full if len(full) <= most else nd["name"]


def _children(graph, p: int) -> list[int]:
    return [i for i, nd in enumerate(graph.nodes) if p in nd["parents"]]


def chain_terms(graph, i: int, decimals: int = 3) -> list[dict]:
    """The backward step at node i, one entry per parent p: ḡ(p) (+)= ḡ(i) × ∂i/∂p, as strings a
    student can multiply by hand — the result to `decimals` places (as the boxes show it), the two
    factors with just enough places (≥ decimals) that their shown product rounds to the shown result."""
    nd = graph.nodes[i]
    out = []
    for p, d in zip(nd["parents"], nd["local"]):
        exact = nd["grad"] * d
        result = f"{exact:.{decimals}f}"
        for places in range(decimals, decimals + 6):
            g, loc = f"{nd['grad']:.{places}f}", f"{d:.{places}f}"
            if f"{float(g) * float(loc):.{decimals}f}" == result:
                break
        out.append({"parent": p, "name": graph.nodes[p]["name"], "grad": g, "local": loc, "result": result,
                    "accumulates": len(_children(graph, p)) > 1, "exact": exact})
    return out


def chain_text(term: dict) -> str:
    """'ḡ(w₁) = 0.1873 × 1.5000 = 0.281' ('+=' where the parent has several children)."""
    eq = "+=" if term["accumulates"] else "="
    return f"ḡ({term['name']}) {eq} {term['grad']} × {term['local']} = {term['result']}"


_SUPERSCRIPT = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


@dataclass(frozen=True)
class _Op:
    """One operation's three faces on screen: how it computes (`apply`), how it reads with numbers
    (`expr`), and its local derivatives in symbols (`local`: node, parent names, ∂-prefixes → text).
    One table row per operation, so a new op cannot be half-explained."""
    apply: Callable[[list[float]], float]
    expr: Callable[[list[str]], str]
    local: Callable[[str, list[str], list[str]], str]


def _infix(sym: str) -> Callable[[list[str]], str]:
    return lambda a: f"{a[0]} {sym} {a[1]}"


def _call(name: str) -> Callable[[list[str]], str]:
    return lambda a: f"{name}({a[0]})"


_SUB = _Op(lambda v: v[0] - v[1], _infix("−"), lambda n, ps, d: f"{d[0]} = 1,  {d[1]} = −1")
_OPS: dict[str, _Op] = {
    "+": _Op(lambda v: v[0] + v[1], _infix("+"), lambda n, ps, d: f"{d[0]} = {d[1]} = 1"),
    "−": _SUB,
    "-": _Op(_SUB.apply, _infix("-"), _SUB.local),
    "×": _Op(lambda v: v[0] * v[1], _infix("×"), lambda n, ps, d: f"{d[0]} = {ps[1]},  {d[1]} = {ps[0]}"),
    "÷": _Op(lambda v: v[0] / v[1], _infix("/"),
             lambda n, ps, d: f"{d[0]} = 1/{_wrap(ps[1])},  {d[1]} = −{n}/{_wrap(ps[1])}"),
    "neg": _Op(lambda v: -v[0], lambda a: f"−{a[0]}", lambda n, ps, d: f"{d[0]} = −1"),
    "σ": _Op(lambda v: 1.0 / (1.0 + math.exp(-v[0])), _call("σ"),
             lambda n, ps, d: f"{d[0]} = σ′({ps[0]}) = {n}(1 − {n})"),
    "tanh": _Op(lambda v: math.tanh(v[0]), _call("tanh"), lambda n, ps, d: f"{d[0]} = 1 − {n}²"),
    "exp": _Op(lambda v: math.exp(v[0]), _call("exp"), lambda n, ps, d: f"{d[0]} = {n}"),
    "log": _Op(lambda v: math.log(v[0]), _call("log"), lambda n, ps, d: f"{d[0]} = 1/{_wrap(ps[0])}"),
}


def _power(k: float) -> _Op:
    """x^k for a constant k (op name '^k'): its row is built from k."""
    def local(n, ps, d):
        return f"{d[0]} = {k:g}·{_wrap(ps[0])}" + ("" if k == 2 else f"{(k - 1):g}".translate(_SUPERSCRIPT))
    return _Op(lambda v: v[0] ** k, lambda a: f"({a[0]}){f'{k:g}'.translate(_SUPERSCRIPT)}", local)


def _op(name: str) -> _Op | None:
    """The table row for a recorded op name, or None (leaves and ops without words)."""
    if name.startswith("^"):
        return _power(float(name[1:]))
    return _OPS.get(name)


def forward_text(graph, i: int, decimals: int = 3) -> str:
    """The forward step at inner node i in numbers: 'z = 1.780 + 0.200 = 1.980' — the result to
    `decimals` places (as its box shows it), the inputs with just enough places (≥ decimals) that the
    operation on the inputs as shown gives the result as shown. '' for a leaf."""
    nd = graph.nodes[i]
    if not nd["parents"]:
        return ""
    op = _op(nd["op"])
    if op is None:
        raise NNVizError(f"autodiff: no words for operation {nd['op']!r} at node {nd['name']!r}")
    result = f"{nd['value']:.{decimals}f}"
    vals = [graph.nodes[p]["value"] for p in nd["parents"]]
    for places in range(decimals, decimals + 6):
        shown = [f"{v:.{places}f}" for v in vals]
        if f"{op.apply([float(s) for s in shown]):.{decimals}f}" == result:
            break
    return f"{nd['name']} = {op.expr(shown)} = {result}"


def _wrap(name: str) -> str:
    """A node name as it reads inside ∂·/∂·: 'a − y' → '(a − y)', 'w₁x₁' → '(w₁x₁)', 'z' → 'z'."""
    return f"({name})" if " " in name or sum(c in "₀₁₂₃₄₅₆₇₈₉" for c in name) >= 2 else name


def local_text(graph, i: int) -> str:
    """Why the backward step at inner node i multiplies by what it does: its local derivatives in
    symbols ('∂a/∂z = a(1 − a)', '∂(w₁x₁)/∂w₁ = x₁, ∂(w₁x₁)/∂x₁ = w₁'). '' for a leaf."""
    nd = graph.nodes[i]
    if not nd["parents"]:
        return ""
    n = _wrap(nd["name"])
    ps = [graph.nodes[p]["name"] for p in nd["parents"]]
    d = [f"∂{n}/∂{_wrap(p)}" for p in ps]
    op = _op(nd["op"])
    return op.local(n, ps, d) if op else ""
