"""Bring a PyTorch model: everything behind the thin torch adapter, checked with plain arrays named
as torch names them (CI has no torch). The adapter itself is exercised with duck-typed stand-ins
here and with real torch in tests/test_pytorch_torch.py where torch is installed."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

from nnviz import data, landscape, optim, problems, records, train
from nnviz.errors import NNVizError
from nnviz.pytorch import Recorder, from_torch, mlp_from_arrays, torch_arrays, torch_order


def torch_like(sizes, seed=0):
    """state_dict-style arrays for Linear layers 0, 2, 4…: weight (out, in), bias (out,)."""
    rng = np.random.default_rng(seed)
    out = OrderedDict()
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        out[f"{2 * i}.weight"] = rng.normal(size=(b, a))
        out[f"{2 * i}.bias"] = rng.normal(size=b)
    return out


def torch_forward(arrays, acts, X):
    """What torch's Sequential computes: x @ weight.T + bias, then the activation."""
    f = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
         "identity": lambda z: z}
    ws = [k[:-7] for k in arrays if k.endswith(".weight")]
    for p, a in zip(ws, acts):
        X = f[a](X @ arrays[p + ".weight"].T + arrays[p + ".bias"])
    return X


@pytest.mark.parametrize("layers, loss, acts", [
    (["Linear", "Tanh", "Linear", "Tanh", "Linear"], "mse", ["tanh", "tanh", "identity"]),
    (["Linear", "ReLU", "Linear", "ReLU", "Linear", "Sigmoid"], "bce", ["relu", "relu", "sigmoid"]),
    (["Linear", "ReLU", "Linear", "ReLU", "Linear"], "bce", ["relu", "relu", "sigmoid"]),   # logits + BCE
])
def test_converted_mlp_computes_what_torch_computes(layers, loss, acts):
    arrays = torch_like((3, 5, 4, 1))
    model, theta = mlp_from_arrays(arrays, layers, loss=loss)
    assert model.sizes == (3, 5, 4, 1) and model.hidden == acts[0]
    X = np.random.default_rng(1).normal(size=(7, 3))
    np.testing.assert_allclose(model.predict(theta, X), torch_forward(arrays, acts, X), rtol=1e-12, atol=1e-12)
    W1, b1 = model.weights(theta, 1)
    np.testing.assert_array_equal(W1, arrays["0.weight"].T)          # transposed into nnviz's (in, out)


def test_state_dict_needs_the_hidden_activation():
    arrays = torch_like((2, 3, 1))
    with pytest.raises(NNVizError, match="hidden='tanh'"):
        mlp_from_arrays(arrays)
    model, theta = mlp_from_arrays(arrays, hidden="tanh")
    X = np.ones((2, 2))
    np.testing.assert_allclose(model.predict(theta, X), torch_forward(arrays, ["tanh", "identity"], X))


@pytest.mark.parametrize("layers, msg", [
    (["Linear", "Tanh", "Linear", "ReLU", "Linear"], "different activations"),
    (["Linear", "Conv2d", "Linear"], "Conv2d is not supported"),
    (["Linear", "Dropout", "Linear"], "Dropout is not supported"),
    (["Linear", "Tanh", "Linear"], "2 Linear layers but the arrays hold 3"),
    (["Linear", "Tanh", "Tanh", "Linear", "Tanh", "Linear"], "followed by 2 activations"),
    (["Linear", "Tanh", "Linear", "Tanh", "Linear", "Sigmoid"], "needs output 'identity'"),
])
def test_unsupported_models_refused_in_one_line(layers, msg):
    with pytest.raises(NNVizError, match=msg):
        mlp_from_arrays(torch_like((3, 5, 4, 1)), layers, loss="mse")


def test_mismatched_shapes_and_extra_arrays_refused():
    a = torch_like((3, 5, 1))
    a["2.weight"] = np.zeros((1, 4))
    with pytest.raises(NNVizError, match="takes 4 inputs"):
        mlp_from_arrays(a, hidden="tanh")
    b = torch_like((3, 5, 1))
    b["1.running_mean"] = np.zeros(5)
    with pytest.raises(NNVizError, match="cannot place: 1.running_mean"):
        mlp_from_arrays(b, hidden="tanh")


def test_torch_order_maps_flat_torch_params_to_theta():
    arrays = torch_like((3, 5, 2))
    model, theta = mlp_from_arrays(arrays, hidden="tanh", loss="mse")
    flat = np.concatenate([v.ravel() for v in arrays.values()])      # parameters_to_vector's order
    np.testing.assert_array_equal(flat[torch_order(model)], theta)


class _Param:
    def __init__(self, a):
        self.a = a

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a


class FakeSequential:
    """Duck-typed stand-in for nn.Sequential: named_children(), state_dict(), parameters()."""

    def __init__(self, layers, arrays):
        self.layers, self.arrays = layers, arrays

    def named_children(self):
        return [(str(i), type(k, (), {"negative_slope": 0.01, "bias": 1})()) for i, k in enumerate(self.layers)]

    def state_dict(self):
        return OrderedDict((k, _Param(v)) for k, v in self.arrays.items())

    def parameters(self):
        return [_Param(v) for v in self.arrays.values()]


def test_adapter_reads_a_module_without_importing_torch():
    arrays = torch_like((2, 4, 1))
    net = FakeSequential(["Linear", "Tanh", "Linear"], arrays)
    got, layers = torch_arrays(net)
    assert layers == ["Linear", "Tanh", "Linear"] and list(got) == list(arrays)
    model, theta = from_torch(net, loss="mse")
    assert model.sizes == (2, 4, 1)
    model2, theta2 = from_torch(net.state_dict(), hidden="tanh")
    np.testing.assert_array_equal(theta, theta2)
    # the adapter itself never imports torch (it reads modules by duck typing):
    import nnviz.pytorch as P
    assert "import torch" not in open(P.__file__).read()


def _numpy_torch_loop(arrays, d, lr, steps):
    """A training loop as a PyTorch user writes it, on flat torch-order parameters: full-batch SGD.
    The gradient comes from nnviz's backprop mapped into torch's order (torch's autograd's job)."""
    model, _ = mlp_from_arrays(arrays, hidden="tanh", loss="bce")
    perm = torch_order(model)
    flat = np.concatenate([v.ravel() for v in arrays.values()])
    rec = Recorder(model, data=d, name="torch-sgd", optimizer={"name": "sgd", "lr": lr}, every=2)
    for _ in range(steps):
        loss, g_theta = model.loss_and_grad(flat[perm], d.X, d.Y)
        g = np.empty_like(flat)
        g[perm] = g_theta
        rec.step(flat, loss, grad=g, lr=lr)
        flat = flat - lr * g
    return rec.finish(flat), model


def test_recorded_loop_equals_nnviz_training_and_works_with_landscapes(tmp_path):
    d = data.moons(60, seed=0)
    arrays = torch_like((2, 6, 1), seed=3)
    run, model = _numpy_torch_loop(arrays, d, lr=0.5, steps=21)
    _, theta0 = mlp_from_arrays(arrays, hidden="tanh", loss="bce")
    ref = train.train(problems.NetworkProblem(model, d), optim.sgd(0.5), theta0, steps=21, seed=0)
    np.testing.assert_allclose(run.loss, ref.loss, rtol=1e-12)
    np.testing.assert_allclose(run.grad_norm, ref.grad_norm, rtol=1e-10)
    np.testing.assert_allclose(run.thetas[-1], ref.thetas[-1], rtol=1e-10)
    assert run.steps.tolist() == list(range(0, 21, 2)) + [21]
    np.testing.assert_allclose(run.train_loss[-1], ref.train_loss[-1], rtol=1e-10)
    assert run.train_acc[-1] == ref.train_acc[-1]
    # a record like any other: round-trips, and a PCA plane of its trajectory can be evaluated
    run.save(tmp_path / "torch_run")
    back = records.load(tmp_path / "torch_run")
    np.testing.assert_array_equal(back.thetas, run.thetas)
    dirs = landscape.pca_directions(run.thetas)
    surf = landscape.surface(problems.NetworkProblem(model, d), dirs, np.linspace(-1, 1, 5), np.linspace(-1, 1, 4))
    assert np.all(np.isfinite(surf.loss))


def test_recorder_stops_at_divergence_and_checks_sizes():
    model, theta = mlp_from_arrays(torch_like((2, 3, 1)), hidden="tanh")
    rec = Recorder(model, order="nnviz")
    rec.step(theta, 1.0)
    rec.step(theta, float("nan"))
    rec.step(theta, 0.5)
    run = rec.finish()
    assert run.diverged_at == 1 and run.n_steps == 1 and "not finite" in run.meta["diverged_reason"]
    with pytest.raises(NNVizError, match="got 3 parameters"):
        Recorder(model).step(np.zeros(3), 1.0)
