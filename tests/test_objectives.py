"""Analytic objectives: derivatives vs finite differences, minima, and the trainer running on them."""
import numpy as np
import pytest

from nnviz import objectives as O
from nnviz import optim
from nnviz.errors import NNVizError, ShapeError, UnknownNameError
from nnviz.train import Recording, train

NAMES = sorted(O.OBJECTIVES)
VARIANTS = [(n, {}) for n in NAMES] + [("quadratic", {"condition": 25.0, "angle": 0.7, "scale": 0.5}),
                                       ("parabola", {"a": 3.0}), ("rosenbrock", {"a": 0.5, "b": 10.0})]


def _points(obj, n=25, seed=0):
    rng = np.random.default_rng(seed)
    lo = np.array([d[0] for d in obj.domain])
    hi = np.array([d[1] for d in obj.domain])
    return lo + (hi - lo) * rng.random((n, obj.dim))


def _fd_grad(f, p, h=1e-6):
    out = np.zeros_like(p)
    for i in range(p.size):
        e = np.zeros_like(p)
        e[i] = h * max(1.0, abs(p[i]))
        out[i] = (f(p + e) - f(p - e)) / (2 * e[i])
    return out


@pytest.mark.parametrize("name,kw", VARIANTS)
def test_gradient_matches_finite_differences(name, kw):
    obj = O.get(name, **kw)
    P = _points(obj)
    G = obj.gradient(P)                        # vectorised over the whole stack
    for p, g in zip(P, G):
        fd = _fd_grad(lambda q: float(obj.value(q)), p)
        scale = max(1.0, np.abs(fd).max())
        np.testing.assert_allclose(g, fd, atol=1e-5 * scale, rtol=1e-6)


@pytest.mark.parametrize("name,kw", VARIANTS)
def test_hessian_matches_finite_differences_of_gradient(name, kw):
    obj = O.get(name, **kw)
    P = _points(obj, seed=1)
    H = obj.hessian(P)
    assert H.shape == (len(P), obj.dim, obj.dim)
    for p, h in zip(P, H):
        fd = np.stack([_fd_grad(lambda q, i=i: float(obj.gradient(q)[i]), p) for i in range(obj.dim)])
        scale = max(1.0, np.abs(fd).max())
        np.testing.assert_allclose(h, fd, atol=1e-5 * scale, rtol=1e-6)
        np.testing.assert_array_equal(h, h.T)


@pytest.mark.parametrize("name,kw", VARIANTS)
def test_known_minima_are_stationary_with_psd_hessian(name, kw):
    obj = O.get(name, **kw)
    assert obj.minima
    for m in obj.minima:
        m = np.array(m)
        assert np.abs(obj.gradient(m)).max() < 1e-9, (name, m, obj.gradient(m))
        assert np.linalg.eigvalsh(obj.hessian(m)).min() > 0
        for lo_hi, x in zip(obj.domain, m):
            assert lo_hi[0] <= x <= lo_hi[1]
    # the global minimum is listed first
    vals = [float(obj.value(np.array(m))) for m in obj.minima]
    assert vals[0] <= min(vals) + 1e-9
    # a start inside the domain that is not already a minimum
    s = np.array(obj.start)
    assert all(lo <= x <= hi for (lo, hi), x in zip(obj.domain, s))
    assert np.abs(obj.gradient(s)).max() > 1e-3


def test_two_wells_has_a_shallow_and_a_deep_minimum():
    obj = O.get("two_wells")
    (deep,), (shallow,) = obj.minima
    assert obj.value(np.array([deep])) < obj.value(np.array([shallow])) - 0.5
    # the start is right of the shallow well, so plain GD falls into the shallow one
    assert obj.start[0] > shallow > 0 > deep


def test_quadratic_condition_and_rotation():
    angle = 0.4
    obj = O.get("quadratic", condition=20.0, angle=angle, scale=0.5)
    w, V = np.linalg.eigh(obj.hessian(np.zeros(2)))
    np.testing.assert_allclose(w, [0.5, 10.0])
    steep = V[:, 1]
    np.testing.assert_allclose(abs(steep @ [-np.sin(angle), np.cos(angle)]), 1.0, atol=1e-12)
    assert obj.config() == {"type": "objective", "name": "quadratic",
                            "params": {"condition": 20.0, "angle": angle, "scale": 0.5}}
    with pytest.raises(NNVizError, match="condition"):
        O.get("quadratic", condition=0.5)


def test_grid_and_vectorisation_agree_with_pointwise_values():
    obj = O.get("himmelblau")
    X, Y, Z = obj.grid(11)
    assert Z.shape == (11, 11)
    assert Z[3, 7] == pytest.approx(float(obj.value(np.array([X[3, 7], Y[3, 7]]))), rel=1e-15)
    assert X[0, 0] == obj.domain[0][0] and Y[-1, 0] == obj.domain[1][1]


def test_bad_input_is_one_clear_error():
    with pytest.raises(UnknownNameError, match="valid: .*rosenbrock"):
        O.get("rosenbrok")
    with pytest.raises(ShapeError, match=r"\(\.\.\., 2\)"):
        O.get("beale").value(np.zeros(3))
    with pytest.raises(NNVizError, match="bad parameters"):
        O.get("beale", nope=1)
    with pytest.raises(NNVizError, match="noise"):
        O.ObjectiveProblem(O.get("beale"), noise=-1.0)


RATES = {"sgd": 0.02, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.3, "rmsprop": 0.02, "adam": 0.05}


@pytest.mark.parametrize("opt", sorted(optim.OPTIMIZERS))
def test_every_optimizer_descends_every_objective_through_train(opt):
    for name in NAMES:
        obj = O.get(name)
        prob = O.ObjectiveProblem(obj)
        run = train(prob, optim.make(opt, lr=RATES[opt]), np.array(obj.start), steps=150, name=name)
        assert run.thetas.shape[1] == obj.dim
        assert np.all(np.isfinite(run.thetas)) and np.all(np.isfinite(run.loss))
        assert run.config["problem"]["name"] == name
        # the recorded loss is the objective at the recorded θ
        np.testing.assert_allclose(run.loss[0], obj.value(run.thetas[0]))
        if name in ("quadratic", "parabola", "himmelblau", "six_hump_camel"):
            assert run.train_loss[-1] < run.train_loss[0], (opt, name)


def test_gradient_noise_is_seeded():
    prob = O.ObjectiveProblem(O.get("quadratic"), noise=0.5)
    th0 = np.array([-2.5, 1.5])
    a = train(prob, optim.sgd(0.05), th0, steps=30, seed=3, record=Recording(grads=True))
    b = train(prob, optim.sgd(0.05), th0, steps=30, seed=3, record=Recording(grads=True))
    c = train(prob, optim.sgd(0.05), th0, steps=30, seed=4, record=Recording(grads=True))
    np.testing.assert_array_equal(a.thetas, b.thetas)
    assert not np.array_equal(a.thetas, c.thetas)
    clean = prob.objective.gradient(a.thetas[:-1])
    noise = a.grads["grad"][:-1] - clean
    assert 0.3 < noise.std() < 0.7            # σ = 0.5 really was added
    assert a.config["problem"]["noise"] == 0.5
