"""Flat parameter vector + layout, and the seeded initialisers."""
import numpy as np
import pytest

from nnviz.errors import ShapeError
from nnviz.params import INITIALISERS, Layout, glorot, he, scaled_normal


def _layout():
    return Layout.from_shapes([("W1", (2, 3)), ("b1", (3,)), ("W2", (3, 1)), ("b2", (1,))])


def test_offsets_and_size():
    lay = _layout()
    assert lay.size == 6 + 3 + 3 + 1
    assert [e.offset for e in lay.entries] == [0, 6, 9, 12]
    assert lay.names == ("W1", "b1", "W2", "b2")


def test_view_is_a_view_not_a_copy():
    lay = _layout()
    theta = np.arange(lay.size, dtype=float)
    W1 = lay.view(theta, "W1")
    assert W1.shape == (2, 3)
    np.testing.assert_array_equal(W1, [[0, 1, 2], [3, 4, 5]])
    W1[1, 2] = -7.0
    assert theta[5] == -7.0  # writes through to θ


def test_view_on_a_stack_of_thetas():
    lay = _layout()
    stack = np.arange(3 * lay.size, dtype=float).reshape(3, lay.size)
    b1 = lay.view(stack, "b1")
    assert b1.shape == (3, 3)
    np.testing.assert_array_equal(b1[2], stack[2, 6:9])


def test_flatten_unflatten_round_trip():
    lay = _layout()
    theta = np.random.default_rng(0).normal(size=lay.size)
    blocks = lay.unflatten(theta)
    assert set(blocks) == set(lay.names)
    np.testing.assert_array_equal(lay.flatten(blocks), theta)


def test_json_round_trip():
    lay = _layout()
    assert Layout.from_json(lay.to_json()) == lay


def test_wrong_shapes_are_clear_errors():
    lay = _layout()
    with pytest.raises(ShapeError, match=r"\(\.\.\., 13\)"):
        lay.view(np.zeros(12), "W1")
    blocks = lay.unflatten(np.zeros(lay.size))
    blocks["W2"] = np.zeros((1, 3))
    with pytest.raises(ShapeError, match="W2"):
        lay.flatten(blocks)
    good = lay.unflatten(np.zeros(lay.size))
    del good["b2"]
    with pytest.raises(ShapeError, match="b2"):
        lay.flatten(good)
    with pytest.raises(KeyError, match="W3"):
        lay.view(np.zeros(lay.size), "W3")
    with pytest.raises(ShapeError, match="duplicate"):
        Layout.from_shapes([("a", (1,)), ("a", (2,))])


@pytest.mark.parametrize("name", sorted(INITIALISERS))
def test_initialisers_are_seeded(name):
    fn = INITIALISERS[name]
    a = fn(np.random.default_rng(3), 50, 40, (50, 40))
    b = fn(np.random.default_rng(3), 50, 40, (50, 40))
    c = fn(np.random.default_rng(4), 50, 40, (50, 40))
    assert a.shape == (50, 40)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_initialiser_scales_follow_their_papers():
    rng = np.random.default_rng(0)
    fan_in, fan_out = 400, 200
    g = glorot(rng, fan_in, fan_out, (fan_in, fan_out))
    limit = np.sqrt(6 / (fan_in + fan_out))
    assert np.abs(g).max() <= limit
    # uniform(-l, l) has variance l²/3 = 2/(fan_in + fan_out)
    assert g.var() == pytest.approx(2 / (fan_in + fan_out), rel=0.05)
    h = he(rng, fan_in, fan_out, (fan_in, fan_out))
    assert h.var() == pytest.approx(2 / fan_in, rel=0.05)
    s = scaled_normal(rng, fan_in, fan_out, (fan_in, fan_out), scale=0.3)
    assert s.std() == pytest.approx(0.3, rel=0.05)
