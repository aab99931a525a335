"""Learning-rate regimes: λ_max (exact and by power iteration) and labels confirmed by running GD."""
import numpy as np
import pytest

from nnviz import data, optim
from nnviz import objectives as O
from nnviz import regimes as R
from nnviz.errors import NNVizError
from nnviz.nn import MLP
from nnviz.problems import NetworkProblem
from nnviz.train import train


def _fd_hessian(prob, th, h=1e-5):
    H = np.stack([(R.full_gradient(prob, th + h * e) - R.full_gradient(prob, th - h * e)) / (2 * h)
                  for e in np.eye(th.size)])
    return (H + H.T) / 2


def test_exact_lambda_on_quadratic_and_power_iteration_agrees():
    prob = O.ObjectiveProblem(O.get("quadratic", condition=12.0, angle=0.6, scale=0.5))
    c = R.top_curvature(prob, np.array([1.0, -2.0]))
    assert c.method == "exact" and c.value == pytest.approx(6.0)
    p = R.top_curvature(prob, np.array([1.0, -2.0]), method="power")
    assert p.method == "power" and p.converged and p.value == pytest.approx(6.0, rel=1e-6)
    assert abs(p.vector @ c.vector) == pytest.approx(1.0, abs=1e-5)


def test_power_iteration_finds_the_largest_algebraic_eigenvalue_when_all_are_negative():
    obj = O.get("himmelblau")
    th = np.array([-0.270845, -0.923039])        # Himmelblau's local maximum
    w = np.linalg.eigvalsh(obj.hessian(th))
    assert w.max() < 0
    lam = R.lambda_max(O.ObjectiveProblem(obj), th, method="power")
    assert lam == pytest.approx(w.max(), rel=1e-5)


def _trained_net():
    prob = NetworkProblem(MLP((2, 4, 1), loss="bce"), data.moons(n=80, noise=0.2))
    th0 = prob.model.init(np.random.default_rng(0))
    run = train(prob, optim.adam(0.05), th0, steps=1500)
    run = train(prob, optim.sgd(1.0), run.final_theta, steps=1500)
    return prob, run.final_theta


def test_power_iteration_on_a_network_matches_the_finite_difference_hessian():
    prob, th = _trained_net()
    H = _fd_hessian(prob, th)
    lam = R.lambda_max(prob, th)
    assert lam == pytest.approx(np.linalg.eigvalsh(H).max(), rel=1e-4)
    with pytest.raises(NNVizError, match="power"):
        R.lambda_max(prob, th, method="exact")


def test_classify_bands_and_demo_rates():
    lam = 4.0
    assert [R.classify(e, lam) for e in (0.01, 0.1, 0.25, 0.3, 0.49, 0.5, 0.6)] == \
        ["slow", "smooth", "smooth", "oscillating", "oscillating", "diverging", "diverging"]
    rates = R.demo_rates(lam)
    assert list(rates) == list(R.REGIMES)
    assert all(R.classify(eta, lam) == r for r, eta in rates.items())
    assert rates["slow"] < rates["smooth"] < 1 / lam < rates["oscillating"] < 2 / lam < rates["diverging"]
    with pytest.raises(NNVizError, match="positive curvature"):
        R.demo_rates(-1.0)
    with pytest.raises(NNVizError, match="positive"):
        R.classify(0.0, 1.0)
    with pytest.raises(NNVizError, match="band"):
        R.demo_rates(1.0, {"slow": 0.5})


@pytest.mark.parametrize("name,kw,start", [("quadratic", {"condition": 10.0, "angle": 0.5}, (-2.5, 1.5)),
                                           ("parabola", {"a": 1.5}, (1.6,))])
def test_labels_hold_when_gradient_descent_actually_runs(name, kw, start):
    prob = O.ObjectiveProblem(O.get(name, **kw))
    th0 = np.array(start, dtype=float)
    curv = R.top_curvature(prob, th0)
    minimum = np.array(prob.objective.minima[0])
    runs = {r: train(prob, optim.sgd(eta), th0, steps=40) for r, eta in R.demo_rates(curv.value).items()}
    for r in ("slow", "smooth"):
        assert R.is_monotone(runs[r].loss) and runs[r].train_loss[-1] < runs[r].train_loss[0]
        assert R.sign_flips(runs[r].thetas, curv.vector, minimum) == 0
    assert runs["smooth"].train_loss[-1] < runs["slow"].train_loss[-1]
    osc = runs["oscillating"]
    assert R.sign_flips(osc.thetas, curv.vector, minimum) == len(osc.thetas) - 1   # every step crosses the valley
    assert osc.train_loss[-1] < 1e-3 * osc.train_loss[0]                            # and still converges
    div = runs["diverging"]
    assert div.train_loss[-1] > 10 * div.train_loss[0]                              # grows
    top = (div.thetas - minimum) @ curv.vector
    assert np.all(np.abs(top[1:]) > np.abs(top[:-1]))
    # the boundary itself: just above 2/λ grows, just below converges
    assert train(prob, optim.sgd(2.05 / curv.value), th0, steps=200).train_loss[-1] > 1.0 * osc.train_loss[0]
    assert train(prob, optim.sgd(1.95 / curv.value), th0, steps=400).train_loss[-1] < 1e-3


def test_labels_hold_on_a_trained_network_near_its_minimum():
    prob, th = _trained_net()
    curv = R.top_curvature(prob, th)
    rates = R.demo_rates(curv.value)
    start = th + 0.05 * curv.vector
    smooth = train(prob, optim.sgd(rates["smooth"]), start, steps=40)
    assert R.is_monotone(smooth.loss)
    osc = train(prob, optim.sgd(rates["oscillating"]), start, steps=12)
    assert R.sign_flips(osc.thetas, curv.vector, th) >= 10
    div = train(prob, optim.sgd(rates["diverging"]), start, steps=60)
    assert div.train_loss[-1] > 2 * div.train_loss[0] or div.diverged
