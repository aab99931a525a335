"""Batch norm and layer norm layers: backprop vs finite differences, statistics vs formulas.

The gradient check runs over every hidden activation × loss head, for batch norm in
training mode (batch statistics: the γ, β, W, b gradients all flow through μ and σ²),
batch norm in evaluation mode (running statistics) and layer norm.
"""
import numpy as np
import pytest

from nnviz import data, optim, train
from nnviz.errors import DataError, NNVizError, ShapeError
from nnviz.nn import MLP
from nnviz.problems import NetworkProblem
from nnviz.records import Run

from test_nn import HEADS, HIDDEN, _data, _fd_grad

MODES = ["batch-train", "batch-eval", "layer"]


def _model(arch, hidden, loss, output, mode, **kw):
    return MLP(arch, hidden=hidden, output=output, loss=loss, norm=mode.split("-")[0], **kw)


def _perturbed(m, rng):
    theta = m.init(rng, "normal", scale=0.8)
    for i in range(1, m.n_layers + 1):  # non-zero biases: z = b exactly would sit on ReLU's kink
        m.weights(theta, i)[1][:] = rng.normal(0, 0.3, m.sizes[i])
    for i in range(1, m.n_layers):  # γ, β away from 1, 0 so their gradients are generic
        g, b = m.norm_params(theta, i)
        g[:] = rng.uniform(0.5, 1.5, g.shape)
        b[:] = rng.normal(0, 0.3, b.shape)
    return theta


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("loss,output", HEADS, ids=lambda x: x if isinstance(x, str) else None)
def test_norm_gradient_matches_finite_differences(mode, loss, output):
    rng = np.random.default_rng(3)
    for arch in [(3, 4, 2), (2, 5, 3, 3)]:
        for hidden in HIDDEN:
            m = _model(arch, hidden, loss, output, mode, l2=0.01)
            theta = _perturbed(m, rng)
            X, Y = _data(arch, loss, m=6, seed=int(rng.integers(100)))
            train_ = mode == "batch-train"
            stats = None
            if mode == "batch-eval":
                stats = {k: (rng.normal(size=v.shape) if k.startswith("mean") else rng.uniform(0.5, 2, v.shape))
                         for k, v in m.init_stats().items()}
            g = m.backward(theta, X, Y, train=train_, stats=stats)
            J = lambda th: m.loss_value(th, X, Y, train=train_, stats=stats)  # noqa: E731
            assert g.loss == pytest.approx(J(theta), rel=1e-12)
            np.testing.assert_allclose(g.grad, _fd_grad(J, theta), rtol=1e-5, atol=1e-7,
                                       err_msg=f"{mode} {arch} hidden={hidden}")


def test_norm_with_dropout_gradient_with_a_fixed_mask():
    m = MLP((3, 6, 5, 2), hidden="relu", loss="cce", dropout=0.3, norm="batch")
    theta = _perturbed(m, np.random.default_rng(0))
    X, Y = _data(m.sizes, "cce", m=8)
    J = lambda th: m.loss_value(th, X, Y, train=True, rng=np.random.default_rng(7))  # noqa: E731
    g = m.backward(theta, X, Y, train=True, rng=np.random.default_rng(7))
    np.testing.assert_allclose(g.grad, _fd_grad(J, theta), rtol=1e-5, atol=1e-8)


def test_flat_layout_puts_scale_and_shift_after_each_hidden_bias():
    m = MLP((2, 3, 4, 1), norm="layer")
    assert m.layout.names == ("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3")
    assert m.n_params == 2 * 3 + 3 + 3 + 3 + 3 * 4 + 4 + 4 + 4 + 4 + 1
    theta = m.init(np.random.default_rng(0))
    g, b = m.norm_params(theta, 2)
    np.testing.assert_array_equal(g, np.ones(4))
    np.testing.assert_array_equal(b, np.zeros(4))
    with pytest.raises(ShapeError, match="no normalisation"):
        m.norm_params(theta, 3)  # the output layer is never normalised
    assert MLP((2, 3, 1)).layout.names == ("W1", "b1", "W2", "b2")
    assert "norm" not in MLP((2, 3, 1)).config()  # configs of norm-free models are unchanged
    assert MLP(**m.config()) == m


def test_batch_norm_forward_matches_the_formula_and_normalises_each_unit():
    m = MLP((3, 5, 2), hidden="tanh", norm="batch", loss="cce")
    rng = np.random.default_rng(1)
    theta = _perturbed(m, rng)
    X = rng.normal(2.0, 3.0, size=(9, 3))
    tr = m.forward(theta, X, train=True)
    W, b = m.weights(theta, 1)
    gam, bet = m.norm_params(theta, 1)
    z = X @ W + b
    xhat = (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5)
    np.testing.assert_allclose(tr.pre[0], gam * xhat + bet, rtol=1e-12)
    np.testing.assert_allclose(tr.post[1], np.tanh(gam * xhat + bet), rtol=1e-12)
    np.testing.assert_allclose(tr.norms[0][1].mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(tr.norms[0][1].std(0), 1, rtol=1e-5)
    assert tr.norms[1] is None


def test_layer_norm_normalises_each_example_and_ignores_its_scale():
    m = MLP((3, 6, 1), hidden="sigmoid", norm="layer", loss="bce")
    rng = np.random.default_rng(2)
    theta = _perturbed(m, rng)
    X = rng.normal(size=(5, 3))
    tr = m.forward(theta, X)
    np.testing.assert_allclose(tr.norms[0][1].mean(1), 0, atol=1e-12)
    np.testing.assert_allclose(tr.norms[0][1].std(1), 1, rtol=1e-4)
    # scaling W1 and b1 by 10 changes z tenfold but not its normalisation (up to ε)
    th2 = theta.copy()
    for name in ("W1", "b1"):
        th2[m.layout.entry(name).slice] *= 10
    np.testing.assert_allclose(m.predict(th2, X), m.predict(theta, X), rtol=1e-5)
    # and each example is independent of the rest of the batch
    np.testing.assert_allclose(m.predict(theta, X[:1]), m.predict(theta, X)[:1], rtol=1e-14)


def test_running_statistics_follow_the_momentum_rule():
    m = MLP((2, 4, 1), norm="batch", norm_momentum=0.25, loss="bce")
    rng = np.random.default_rng(4)
    theta = _perturbed(m, rng)
    X = rng.normal(size=(6, 2))
    s0 = m.init_stats()
    np.testing.assert_array_equal(s0["mean1"], np.zeros(4))
    np.testing.assert_array_equal(s0["var1"], np.ones(4))
    tr = m.forward(theta, X, train=True)
    s1 = m.update_stats(s0, tr)
    z = tr.norms[0][0]
    np.testing.assert_allclose(s1["mean1"], 0.75 * 0 + 0.25 * z.mean(0), rtol=1e-13)
    np.testing.assert_allclose(s1["var1"], 0.75 * 1 + 0.25 * z.var(0, ddof=1), rtol=1e-13)
    # evaluation uses the running statistics, not the batch's
    W, b = m.weights(theta, 1)
    gam, bet = m.norm_params(theta, 1)
    u = gam * (X @ W + b - s1["mean1"]) / np.sqrt(s1["var1"] + 1e-5) + bet
    np.testing.assert_allclose(m.forward(theta, X, stats=s1).pre[0], u, rtol=1e-12)
    with pytest.raises(NNVizError, match="training-mode trace"):
        m.update_stats(s0, m.forward(theta, X, stats=s1))


def test_bad_input_is_one_clear_line():
    with pytest.raises(NNVizError, match=r"unknown norm 'group'; valid: 'batch', 'layer' or None"):
        MLP((2, 3, 1), norm="group")
    m = MLP((2, 3, 1), norm="batch")
    theta = m.init(np.random.default_rng(0))
    X, Y = np.ones((1, 2)), np.ones((1, 1))
    with pytest.raises(DataError, match="batch of ≥ 2 examples"):
        m.backward(theta, X, Y, train=True)
    with pytest.raises(NNVizError, match="running statistics"):
        m.loss_value(theta, np.ones((4, 2)), np.ones((4, 1)))
    # evaluation of one example with running statistics is fine (and finite)
    assert np.isfinite(m.loss_value(theta, X, Y, stats=m.init_stats()))
    with pytest.raises(ShapeError, match="width ≥ 2"):
        MLP((2, 1, 1), norm="layer")
    with pytest.raises(NNVizError, match="norm_momentum"):
        MLP((2, 3, 1), norm="batch", norm_momentum=0.0)


def test_training_records_running_statistics_and_is_reproducible(tmp_path):
    d = data.moons(120, seed=0).split(0.25)
    prob = NetworkProblem(MLP((2, 8, 8, 1), hidden="sigmoid", loss="bce", norm="batch"), d)
    th0 = prob.model.init(np.random.default_rng(0))
    run = train.train(prob, optim.sgd(0.5), th0, epochs=3, batch_size=30, seed=1)
    assert set(run.buffers) == {"mean1", "var1", "mean2", "var2"}
    assert run.buffers["mean1"].shape == (len(run.steps), 8)
    # replay the batches by hand: the last row is the statistics after every training batch
    stats = prob.model.init_stats()
    rng = np.random.default_rng(1)
    th = th0.copy()
    for _ in range(3):
        for idx in train._batches(d.n, 30, rng):
            g = prob.model.backward(th, d.X[idx], d.Y[idx], train=True, rng=rng)
            stats = prob.model.update_stats(stats, g.trace)
            th = th - 0.5 * g.grad
    np.testing.assert_allclose(run.final_theta, th, rtol=1e-12)
    for k, v in stats.items():
        np.testing.assert_allclose(run.buffers[k][-1], v, rtol=1e-12)
    # the evaluation used those statistics
    assert run.train_loss[-1] == pytest.approx(prob.model.loss_value(th, d.X, d.Y, stats=stats), rel=1e-12)
    again = train.train(prob, optim.sgd(0.5), th0, epochs=3, batch_size=30, seed=1)  # the problem resets
    assert run.equals(again, ignore=Run.TIMING)
    run.save(tmp_path / "r")
    assert Run.load(tmp_path / "r").equals(run)


def test_recording_a_final_gradient_does_not_move_the_running_statistics():
    d = data.moons(60, seed=0)
    prob = NetworkProblem(MLP((2, 6, 1), loss="bce", norm="batch"), d)
    th0 = prob.model.init(np.random.default_rng(0))
    kw = dict(epochs=2, batch_size=20, seed=0)
    a = train.train(prob, optim.sgd(0.1), th0, **kw)
    b = train.train(prob, optim.sgd(0.1), th0, record=train.Recording(grads=True), **kw)
    for k in a.buffers:
        np.testing.assert_array_equal(a.buffers[k][-1], b.buffers[k][-1])


# --- consumers of θ ----------------------------------------------------------------------------
@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_lambda_max_of_a_normalised_net_matches_the_finite_difference_hessian(norm):
    from nnviz import regimes as R

    prob = NetworkProblem(MLP((2, 4, 3, 1), loss="bce", norm=norm), data.moons(n=60, noise=0.2))
    th = _perturbed(prob.model, np.random.default_rng(0))
    X, Y = prob.data.X, prob.data.Y
    # the objective: full-batch training loss (batch norm: statistics of the whole training set)
    J = lambda t: prob.model.loss_value(t, X, Y, train=norm == "batch")  # noqa: E731
    np.testing.assert_allclose(R.full_gradient(prob, th), _fd_grad(J, th), rtol=1e-5, atol=1e-8)
    h = 1e-5
    H = np.stack([(R.full_gradient(prob, th + h * e) - R.full_gradient(prob, th - h * e)) / (2 * h)
                  for e in np.eye(th.size)])
    w = np.linalg.eigvalsh((H + H.T) / 2)
    assert R.lambda_max(prob, th) == pytest.approx(w.max(), rel=1e-4)


def test_lambda_max_refuses_batch_norm_with_dropout():
    from nnviz import regimes as R

    prob = NetworkProblem(MLP((2, 4, 1), loss="bce", norm="batch", dropout=0.2), data.moons(n=20))
    th = prob.model.init(np.random.default_rng(0))
    with pytest.raises(NNVizError, match="batch norm and dropout"):
        R.lambda_max(prob, th)


def test_filter_normalised_directions_give_scale_and_shift_a_zero_direction():
    from nnviz import landscape as LS

    m = MLP((2, 5, 4, 1), norm="batch", loss="bce")
    th = _perturbed(m, np.random.default_rng(0))
    d = LS.random_directions(m, th, seed=0)
    for v in d.vectors:
        for i in (1, 2):
            for name in (f"gamma{i}", f"beta{i}"):
                np.testing.assert_array_equal(m.layout.view(v, name), 0.0)
        assert np.linalg.norm(m.layout.view(v, "W1")) > 0


def test_a_model_rebuilt_from_a_record_config_keeps_its_norm():
    from nnviz.experiments.networks import model_from

    for m in (MLP((2, 5, 1), norm="batch", norm_momentum=0.3, loss="bce"), MLP((2, 5, 1), norm="layer"),
              MLP((2, 5, 1))):
        assert model_from(m.config()) == m


def test_the_network_diagram_draws_a_normalised_net_with_its_real_weights_and_says_so():
    from nnviz.render.network import NetworkDiagram

    m = MLP((3, 4, 2), hidden="sigmoid", norm="batch", loss="cce")
    th = _perturbed(m, np.random.default_rng(0))
    d = NetworkDiagram.from_model(m, th)
    np.testing.assert_array_equal(d.layer_weights(th, 2), m.weights(th, 2)[0])   # W2, not γ1/β1
    assert [g.text for g in d.glyphs] == ["BN→σ", "softmax"]  # manim's Text drops spaces


def test_a_layer_norm_landscape_is_the_per_point_loss_and_batch_norm_has_none():
    from nnviz import landscape as LS

    d = data.moons(40, seed=0).split(0.25)
    prob = NetworkProblem(MLP((2, 5, 3, 1), norm="layer", loss="bce"), d)
    th = _perturbed(prob.model, np.random.default_rng(0))
    dirs = LS.random_directions(prob.model, th, seed=1)
    xs, ys = np.linspace(-1, 1, 4), np.linspace(-0.5, 0.5, 3)
    s = LS.surface(prob, dirs, xs, ys)
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            t = th + x * dirs.vectors[0] + y * dirs.vectors[1]
            assert s.loss[j, i] == pytest.approx(prob.model.loss_value(t, d.X, d.Y), rel=1e-12)
            assert s.extra["test_loss"][j, i] == pytest.approx(prob.model.loss_value(t, d.X_test, d.Y_test),
                                                               rel=1e-12)
    p = LS.project(prob, s, np.stack([th, th + 0.3 * dirs.vectors[0]]))
    assert p.true_loss[1] == pytest.approx(prob.model.loss_value(th + 0.3 * dirs.vectors[0], d.X, d.Y), rel=1e-12)
    bn = NetworkProblem(MLP((2, 5, 1), norm="batch", loss="bce"), d)
    th_b = bn.model.init(np.random.default_rng(0))
    with pytest.raises(NNVizError, match="no loss landscape for a batch-norm network"):
        LS.surface(bn, LS.random_directions(bn.model, th_b, seed=1), xs, ys)


@pytest.mark.parametrize("bias", ["zero", "copy", "filter"])
def test_norm_scale_and_shift_get_a_zero_direction_whatever_the_bias_rule(bias):
    from nnviz import landscape as LS

    m = MLP((2, 5, 4, 1), norm="layer", loss="bce")
    th = _perturbed(m, np.random.default_rng(0))
    for v in LS.random_directions(m, th, seed=0, bias=bias).vectors:
        for i in (1, 2):
            np.testing.assert_array_equal(m.layout.view(v, f"gamma{i}"), 0.0)
            np.testing.assert_array_equal(m.layout.view(v, f"beta{i}"), 0.0)
