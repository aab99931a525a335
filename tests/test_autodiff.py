"""Reverse-mode autodiff: adjoints vs finite differences, the recorded graph vs the live one."""
import math

import numpy as np
import pytest

from nnviz import autodiff as AD
from nnviz.errors import NNVizError
from nnviz.records import load


def expression(x, w, b, y):
    return (AD.sigmoid(w * x + b) - y) ** 2 + 0.1 * AD.tanh(w) * AD.exp(b) / (1.0 + x * x) - AD.log(x * x + 1.0)


@pytest.mark.parametrize("vals", [(0.5, -1.2, 0.3, 1.0), (-2.0, 0.7, -0.4, 0.0), (1.3, 2.1, 0.9, 1.0)])
def test_adjoints_match_central_differences(vals):
    names = ("x", "w", "b")
    leaves = [AD.Node(v, n) for v, n in zip(vals[:3], names)]
    out = expression(*leaves, vals[3])
    out.backward()
    h = 1e-6
    for i, leaf in enumerate(leaves):
        up, dn = list(vals), list(vals)
        up[i] += h
        dn[i] -= h
        fd = (expression(*[AD.Node(v) for v in up[:3]], vals[3]).value
              - expression(*[AD.Node(v) for v in dn[:3]], vals[3]).value) / (2 * h)
        assert leaf.grad == pytest.approx(fd, rel=1e-7, abs=1e-9)


def test_shared_nodes_accumulate_and_backward_is_repeatable():
    a = AD.Node(3.0, "a")
    f = a * a + a          # df/da = 2a + 1 = 7: two paths into a
    f.backward()
    assert a.grad == 7.0
    f.backward()           # a second pass resets, never doubles
    assert a.grad == 7.0


def test_graph_record_round_trips_and_reevaluates(tmp_path):
    x, w, b = AD.Node(0.5, "x"), AD.Node(-1.2, "w"), AD.Node(0.3, "b")
    out = expression(x, w, b, 1.0)
    g = AD.record(out, {"expr": "test"})
    assert g.nodes[g.output]["value"] == out.value and g.nodes[g.output]["grad"] == 1.0
    assert g.order[0] == g.output and sorted(g.order) == list(range(len(g.nodes)))
    for i, n in enumerate(g.nodes):  # parents come first: a topological order
        assert all(p < i for p in n["parents"])
    assert AD.evaluate(g, {}) == out.value
    assert AD.evaluate(g, {"w": -1.2 + 1e-3}) != out.value
    g.save(tmp_path / "g")
    back = load(tmp_path / "g")
    assert back.equals(g)
    np.testing.assert_array_equal(back.grads, g.grads)


def test_bad_values_are_one_clear_error():
    with pytest.raises(NNVizError, match="non-finite"):
        AD.Node(math.inf, "x")
    with pytest.raises(NNVizError, match="log"):
        AD.log(AD.Node(-1.0))
    with pytest.raises(NNVizError, match="constant exponents"):
        AD.Node(2.0) ** AD.Node(3.0)


def test_layout_puts_every_node_right_of_its_parents():
    x, w, b = AD.Node(0.5, "x"), AD.Node(-1.2, "w"), AD.Node(0.3, "b")
    g = AD.record(AD.sigmoid(w * x + b), {})
    pos = AD.layout(g)
    assert pos.shape == (len(g.nodes), 2) and np.all(np.isfinite(pos))
    for i, nd in enumerate(g.nodes):
        for p in nd["parents"]:
            assert pos[p, 0] == pos[i, 0] - 1 or not g.nodes[p]["parents"] and pos[p, 0] < pos[i, 0]
    # b joins one step before the sum it feeds, not in the first column
    assert pos[g.index("b"), 0] == pos[g.output, 0] - 2
    # no two boxes share a place
    assert len({tuple(p) for p in pos.round(9)}) == len(pos)
