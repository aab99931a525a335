"""The torch adapter against real PyTorch (skipped where torch is not installed, as in CI: the
arrays behind the adapter are tested in test_pytorch_arrays.py)."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional; CI has none)")

from nnviz import data, landscape, problems  # noqa: E402
from nnviz.pytorch import Recorder, flat_params, from_torch  # noqa: E402


def test_sequential_converts_and_predicts_like_torch():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.ReLU(),
                              torch.nn.Linear(8, 1), torch.nn.Sigmoid()).double()
    model, theta = from_torch(net, loss="bce")
    X = np.random.default_rng(0).normal(size=(16, 2))
    with torch.no_grad():
        want = net(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(model.predict(theta, X), want, rtol=1e-12, atol=1e-12)
    model2, theta2 = from_torch(net.state_dict(), hidden="relu", loss="bce")
    np.testing.assert_array_equal(theta, theta2)


def test_recorded_torch_loop_matches_nnviz_losses_and_gradients():
    d = data.moons(64, seed=1)
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.Tanh(), torch.nn.Linear(6, 1)).double()
    model, theta0 = from_torch(net, loss="bce")
    X, Y = torch.from_numpy(d.X), torch.from_numpy(d.Y)
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    rec = Recorder(model, data=d, name="torch-sgd", optimizer={"name": "sgd", "lr": 0.5})
    lossf = torch.nn.BCEWithLogitsLoss()
    for _ in range(15):
        loss = lossf(net(X), Y)
        opt.zero_grad()
        loss.backward()
        grad = np.concatenate([p.grad.numpy().ravel() for p in net.parameters()])
        # nnviz computes the same loss and gradient at the recorded θ
        nn_loss, nn_grad = model.loss_and_grad(flat_params(net)[rec.perm], d.X, d.Y)
        assert nn_loss == pytest.approx(loss.item(), rel=1e-10)
        np.testing.assert_allclose(nn_grad, grad[rec.perm], rtol=1e-8, atol=1e-12)
        rec.step(flat_params(net), loss.item(), grad=grad, lr=0.5)
        opt.step()
    run = rec.finish(flat_params(net))
    assert run.n_steps == 15 and run.thetas.shape == (16, model.n_params)
    assert run.loss[-1] < run.loss[0]
    dirs = landscape.pca_directions(run.thetas)
    surf = landscape.surface(problems.NetworkProblem(model, d), dirs, np.linspace(-1, 1, 4), np.linspace(-1, 1, 3))
    assert np.all(np.isfinite(surf.loss))
