"""Network forward/backward against independent oracles.

Backprop is checked against central finite differences of the loss, for every
activation × loss × regularisation, several depths and widths. Forward passes and
loss values are checked against plain formulas written out here.
"""
import itertools

import numpy as np
import pytest

from nnviz import activations as A
from nnviz import losses as L
from nnviz.errors import NNVizError, ShapeError, UnknownNameError
from nnviz.nn import MLP

HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]
# (loss, output activation): MSE with several outputs, and the two cross-entropies
HEADS = [("mse", "identity"), ("mse", "sigmoid"), ("mse", "tanh"), ("mse", "leaky_relu"),
         ("mse", "relu"), ("bce", "sigmoid"), ("cce", "softmax")]
REGS = {"none": (0.0, 0.0), "l1": (0.03, 0.0), "l2": (0.0, 0.05), "both": (0.02, 0.04)}
ARCHS = [(3, 2), (3, 4, 2), (2, 5, 3, 3)]  # depth 1, 2, 3 with different widths


def _data(sizes, loss, m=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, sizes[0]))
    c = sizes[-1]
    if loss == "cce":
        Y = np.eye(c)[rng.integers(0, c, m)]
    elif loss == "bce":
        Y = rng.integers(0, 2, (m, c)).astype(float)
    else:
        Y = rng.normal(size=(m, c))
    return X, Y


def _fd_grad(f, theta, eps=1e-6):
    g = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = eps
        g[i] = (f(theta + e) - f(theta - e)) / (2 * eps)
    return g


@pytest.mark.parametrize("arch", ARCHS, ids=lambda a: "-".join(map(str, a)))
@pytest.mark.parametrize("reg", sorted(REGS))
@pytest.mark.parametrize("loss,output", HEADS, ids=lambda x: x if isinstance(x, str) else None)
def test_gradient_matches_finite_differences(arch, reg, loss, output):
    l1, l2 = REGS[reg]
    rng = np.random.default_rng(1)
    for hidden in HIDDEN:
        m = MLP(arch, hidden=hidden, output=output, loss=loss, l1=l1, l2=l2)
        theta = m.init(rng, "normal", scale=0.8)
        theta[m.layout.entry("b1").slice] = rng.normal(size=arch[1])  # non-zero biases too
        X, Y = _data(arch, loss)
        g = m.backward(theta, X, Y)
        assert g.grad.shape == theta.shape
        assert g.loss == pytest.approx(m.loss_value(theta, X, Y), rel=1e-12)
        fd = _fd_grad(lambda th: m.loss_value(th, X, Y), theta)
        np.testing.assert_allclose(g.grad, fd, rtol=1e-5, atol=1e-7, err_msg=f"hidden={hidden}")


def test_dropout_gradient_with_a_fixed_mask():
    """With the rng reset before each pass the mask is the same for every θ: FD applies."""
    m = MLP((3, 6, 5, 2), hidden="tanh", loss="cce", dropout=0.4, l2=0.01)
    theta = m.init(np.random.default_rng(0))
    X, Y = _data(m.sizes, "cce", m=9)
    g = m.backward(theta, X, Y, train=True, rng=np.random.default_rng(42))
    masks = [mk for mk in g.trace.masks if mk is not None]
    assert len(masks) == 2  # both hidden layers, never the output
    assert all((mk == 0).any() and (mk > 0).any() for mk in masks)
    np.testing.assert_allclose(masks[0][masks[0] > 0], 1 / 0.6)  # inverted dropout scaling
    J = lambda th: m.backward(th, X, Y, train=True, rng=np.random.default_rng(42)).loss  # noqa: E731
    assert J(theta) != pytest.approx(m.loss_value(theta, X, Y))  # dropout really changed the loss
    np.testing.assert_allclose(g.grad, _fd_grad(J, theta), rtol=1e-5, atol=1e-8)


def test_dropout_only_in_training_and_needs_an_rng():
    m = MLP((2, 8, 1), dropout=0.5)
    theta = m.init(np.random.default_rng(0))
    X = np.random.default_rng(1).normal(size=(4, 2))
    assert all(mk is None for mk in m.forward(theta, X).masks)
    with pytest.raises(NNVizError, match="seeded rng"):
        m.forward(theta, X, train=True)


@pytest.mark.parametrize("where", ["hidden", "output"])
def test_step_has_no_gradient_and_says_so(where):
    m = MLP((2, 3, 1), hidden="step") if where == "hidden" else MLP((2, 3, 1), output="step")
    theta = m.init(np.random.default_rng(0))
    X, Y = _data(m.sizes, "mse")
    out = m.predict(theta, X)  # forward works: the perceptron uses it
    assert out.shape == (7, 1)
    if where == "output":
        assert set(np.unique(out)) <= {0.0, 1.0}
    with pytest.raises(NNVizError, match="'step' has no usable gradient.*perceptron"):
        m.backward(theta, X, Y)


def test_forward_matches_a_hand_written_network():
    m = MLP((2, 3, 1), hidden="tanh", output="sigmoid", loss="bce")
    rng = np.random.default_rng(5)
    theta = rng.normal(size=m.n_params)
    W1 = theta[0:6].reshape(2, 3)
    b1 = theta[6:9]
    W2 = theta[9:12].reshape(3, 1)
    b2 = theta[12:13]
    X = rng.normal(size=(4, 2))
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    tr = m.forward(theta, X)
    np.testing.assert_allclose(tr.pre[0], X @ W1 + b1, rtol=1e-14)
    np.testing.assert_allclose(tr.post[1], h, rtol=1e-14)
    np.testing.assert_allclose(tr.output, 1 / (1 + np.exp(-z)), rtol=1e-13)
    assert tr.post[0] is not None and tr.post[0].shape == (4, 2)
    W, b = m.weights(theta, 2)
    np.testing.assert_array_equal(W, W2)
    np.testing.assert_array_equal(b, b2)


def test_regularised_loss_matches_the_written_formula():
    """J = mean ℓ + l2·Σw² + l1·Σ|w| over weights only: the FD check above cannot see a
    penalty that is wrong in value and gradient alike, so the value is checked by hand here."""
    m = MLP((2, 3, 1), hidden="tanh", output="identity", loss="mse", l1=0.03, l2=0.05)
    rng = np.random.default_rng(6)
    theta = rng.normal(size=m.n_params)
    W1, b1, W2, b2 = theta[0:6].reshape(2, 3), theta[6:9], theta[9:12].reshape(3, 1), theta[12:13]
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    data_loss = np.mean((np.tanh(X @ W1 + b1) @ W2 + b2 - Y) ** 2)
    penalty = 0.05 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)) + 0.03 * (np.abs(W1).sum() + np.abs(W2).sum())
    assert m.loss_value(theta, X, Y) == pytest.approx(data_loss + penalty, rel=1e-13)


def test_backward_exposes_deltas_consistent_with_the_gradient():
    """∂J/∂W_i = a_{i-1}ᵀ δ_i: scenes read per-weight gradients off these."""
    m = MLP((2, 4, 3), hidden="relu", loss="cce")
    theta = m.init(np.random.default_rng(2), "he")
    X, Y = _data(m.sizes, "cce")
    g = m.backward(theta, X, Y)
    assert [d.shape for d in g.deltas] == [(7, 4), (7, 3)]
    for i in (1, 2):
        gW = m.layout.view(g.grad, f"W{i}")
        np.testing.assert_allclose(gW, g.trace.post[i - 1].T @ g.deltas[i - 1], rtol=1e-12)
        np.testing.assert_allclose(m.layout.view(g.grad, f"b{i}"), g.deltas[i - 1].sum(0), rtol=1e-12)


def test_losses_match_naive_formulas_and_stay_finite():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 1)) * 3
    y = rng.integers(0, 2, (6, 1)).astype(float)
    p = 1 / (1 + np.exp(-z))
    naive_bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))[:, 0]
    np.testing.assert_allclose(L.get("bce").value(z, p, y), naive_bce, rtol=1e-12)
    zc = rng.normal(size=(5, 4)) * 3
    yc = np.eye(4)[rng.integers(0, 4, 5)]
    sm = np.exp(zc) / np.exp(zc).sum(1, keepdims=True)
    np.testing.assert_allclose(L.get("cce").value(zc, sm, yc), -np.log((sm * yc).sum(1)), rtol=1e-12)
    a = rng.normal(size=(5, 2))
    yr = rng.normal(size=(5, 2))
    np.testing.assert_allclose(L.get("mse").value(a, a, yr), ((a - yr) ** 2).mean(1), rtol=1e-14)
    # extreme logits: the naive formulas give inf/nan, ours must not
    big = np.array([[1000.0], [-1000.0]])
    assert np.all(np.isfinite(L.get("bce").value(big, None, np.array([[0.0], [1.0]]))))
    assert L.get("bce").value(big, None, np.array([[0.0], [1.0]])) == pytest.approx([1000.0, 1000.0])
    bigc = np.array([[1000.0, -1000.0, 0.0]])
    assert L.get("cce").value(bigc, None, np.array([[0.0, 1.0, 0.0]]))[0] == pytest.approx(2000.0)
    assert np.all(np.isfinite(A.sigmoid(np.array([-1e4, 1e4]))))


def test_activations_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(A.get("step").f(z), [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(A.get("relu").f(z), [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(A.get("leaky_relu").f(z), [-0.02, -0.005, 0, 0.5, 2])
    np.testing.assert_allclose(A.get("sigmoid").f(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    s = A.softmax(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(s, np.exp([[1, 2, 3]]) / np.exp([1, 2, 3]).sum(), rtol=1e-14)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(UnknownNameError, match="unknown activation 'swish'; valid: .*leaky_relu.*relu.*tanh"):
        MLP((2, 1), hidden="swish")
    with pytest.raises(UnknownNameError, match="unknown activation 'gelu'.*sigmoid"):
        MLP((2, 1), output="gelu")
    with pytest.raises(UnknownNameError, match="unknown loss 'hinge'; valid: bce, cce, mse"):
        MLP((2, 1), loss="hinge")
    with pytest.raises(UnknownNameError, match="unknown initialiser 'lecun'.*glorot.*he"):
        MLP((2, 1)).init(np.random.default_rng(0), "lecun")


def test_bad_configurations_are_clear_errors():
    with pytest.raises(NNVizError, match="needs output activation 'softmax'"):
        MLP((2, 3), loss="cce", output="sigmoid")
    with pytest.raises(NNVizError, match="softmax output needs the 'cce' loss"):
        MLP((2, 3), loss="mse", output="softmax")
    with pytest.raises(NNVizError, match="only valid as the output"):
        MLP((2, 3, 3), hidden="softmax", loss="cce")
    with pytest.raises(NNVizError, match="dropout"):
        MLP((2, 3, 1), dropout=1.0)
    with pytest.raises(NNVizError, match="l1 and l2"):
        MLP((2, 1), l2=-1)
    for bad in [(2,), (2, 0, 1), (2, 2.5, 1), "abc"]:
        with pytest.raises(ShapeError, match="sizes"):
            MLP(bad)


def test_wrong_shapes_are_clear_errors():
    m = MLP((2, 3, 1))
    theta = m.init(np.random.default_rng(0))
    X, Y = np.zeros((4, 2)), np.zeros((4, 1))
    with pytest.raises(ShapeError, match=r"X must be \(m, 2\), got \(4, 3\)"):
        m.forward(theta, np.zeros((4, 3)))
    with pytest.raises(ShapeError, match=r"X must be"):
        m.forward(theta, np.zeros(2))
    with pytest.raises(ShapeError, match=r"Y must be \(4, 1\), got \(4, 2\)"):
        m.backward(theta, X, np.zeros((4, 2)))
    with pytest.raises(ShapeError, match=r"Y must be \(4, 1\), got \(3, 1\)"):
        m.loss_value(theta, X, np.zeros((3, 1)))
    with pytest.raises(ShapeError, match="13 parameters"):
        m.backward(theta[:-1], X, Y)
    with pytest.raises(ShapeError, match="layer must be in 1..2"):
        m.weights(theta, 3)


def test_accuracy():
    m = MLP((2, 3), loss="cce")
    theta = np.zeros(m.n_params)
    theta[m.layout.entry("b1").slice] = [0.0, 1.0, 0.0]  # always predicts class 1
    Y = np.eye(3)[[1, 1, 0, 2]]
    assert m.accuracy(theta, np.zeros((4, 2)), Y) == 0.5
    mb = MLP((1, 1), loss="bce")
    th = np.array([1.0, 0.0])  # p = σ(x): class 1 iff x ≥ 0
    assert mb.accuracy(th, np.array([[-1.0], [2.0], [3.0]]), np.array([[0.0], [1.0], [0.0]])) == pytest.approx(2 / 3)


def test_config_round_trips_into_an_equal_model():
    m = MLP((4, 8, 3), hidden="relu", loss="cce", l1=0.1, l2=0.2, dropout=0.3)
    assert MLP(**m.config()) == m
    assert m.n_params == 4 * 8 + 8 + 8 * 3 + 3


def test_grid_of_all_hidden_activations_is_covered():
    """Guard: the gradient check above must cover every differentiable activation."""
    differentiable = {n for n, a in A.ACTIVATIONS.items() if a.df is not None}
    assert differentiable == set(HIDDEN)
    assert {"step", "softmax"} == set(A.ACTIVATIONS) - differentiable
    assert {l for l, _ in HEADS} == set(L.LOSSES)
    # every (loss, output) head MLP accepts and can differentiate is in the gradient check
    accepted = set()
    for loss, out in itertools.product(L.LOSSES, A.ACTIVATIONS):
        if out == "step":
            continue
        try:
            MLP((2, 3), output=out, loss=loss)
        except NNVizError:
            continue
        accepted.add((loss, out))
    assert accepted == set(HEADS)


def test_model_from_config_round_trips():
    from nnviz.nn import model_from

    m = MLP((2, 5, 3), hidden="relu", loss="cce", l2=0.01, dropout=0.2)
    assert model_from(m.config()) == m
    assert model_from({"sizes": [2, 4, 1]}) == MLP((2, 4, 1))      # missing keys: MLP's defaults
