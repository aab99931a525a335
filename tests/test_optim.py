"""Optimizers against their published rules, computed by hand here, and on two classic problems.

The first steps are written out as plain arithmetic (scalars, `math.sqrt`), never by
calling nnviz. Convergence uses hyperparameters chosen for each problem; they are
listed in PARABOLA and ROSENBROCK below.
"""
import math

import numpy as np
import pytest

from nnviz import optim
from nnviz import schedules as S
from nnviz.errors import NNVizError, UnknownNameError


def steps(opt, grad, theta0, n):
    """θ_0 … θ_n from repeated update; also checks update never mutates its inputs."""
    theta = np.array(theta0, dtype=float)
    state = opt.init(theta)
    out = [theta]
    for _ in range(n):
        g = grad(theta)
        g_copy, th_copy = g.copy(), theta.copy()
        slots_copy = {k: v.copy() for k, v in state.slots.items()}
        step, new_state = opt.update(g, state, theta)
        np.testing.assert_array_equal(g, g_copy)
        np.testing.assert_array_equal(theta, th_copy)
        for k, v in state.slots.items():
            np.testing.assert_array_equal(v, slots_copy[k])
        theta, state = theta + step, new_state
        out.append(theta)
    return out


def g_iso(th):      # f = ½|θ|²
    return th.copy()


def g_aniso(th):    # f = ½(x² + 10 y²)
    return np.array([th[0], 10.0 * th[1]])


def test_sgd_by_hand():
    # θ1 = (1 − 0.1·1, −2 − 0.1·(−20)) = (0.9, 0);  then x shrinks by 0.9 per step
    th = steps(optim.sgd(lr=0.1), g_aniso, [1.0, -2.0], 3)
    np.testing.assert_allclose(th[1:], [[0.9, 0.0], [0.81, 0.0], [0.729, 0.0]], atol=1e-15)


def test_momentum_by_hand():
    # v1 = −0.1·(1, −2) = (−0.1, 0.2); θ1 = (0.9, −1.8)
    # v2 = 0.9·v1 − 0.1·θ1 = (−0.18, 0.36); θ2 = (0.72, −1.44)
    # v3 = 0.9·v2 − 0.1·θ2 = (−0.234, 0.468); θ3 = (0.486, −0.972)
    opt = optim.momentum(lr=0.1, beta=0.9)
    th = steps(opt, g_iso, [1.0, -2.0], 3)
    np.testing.assert_allclose(th[1:], [[0.9, -1.8], [0.72, -1.44], [0.486, -0.972]], rtol=1e-14)
    state = opt.init(np.zeros(2))
    _, state = opt.update(np.array([1.0, -2.0]), state, np.zeros(2))
    np.testing.assert_allclose(state.slots["velocity"], [-0.1, 0.2])  # recordable velocity


def test_nesterov_by_hand_and_equals_the_look_ahead_form():
    # Sutskever et al. (2013): v' = βv − η∇f(x + βv); x' = x + v'. nnviz stores the
    # look-ahead point Θ = x + βv (Bengio et al. 2013), so its iterates must equal that.
    # By hand, f = ½x², η = 0.1, β = 0.9, x0 = 1:
    #   v1 = −0.1·1 = −0.1, x1 = 0.9, Θ1 = 0.9 − 0.09 = 0.81
    #   v2 = 0.9·(−0.1) − 0.1·0.81 = −0.171, x2 = 0.729, Θ2 = 0.729 − 0.1539 = 0.5751
    th = steps(optim.nesterov(lr=0.1, beta=0.9), g_iso, [1.0], 2)
    np.testing.assert_allclose([t[0] for t in th[1:]], [0.81, 0.5751], rtol=1e-14)

    lr, beta = 0.02, 0.8
    x, v = np.array([1.5, -1.0]), np.zeros(2)
    look_ahead = []
    for _ in range(6):
        v = beta * v - lr * g_aniso(x + beta * v)
        x = x + v
        look_ahead.append(x + beta * v)
    th = steps(optim.nesterov(lr=lr, beta=beta), g_aniso, [1.5, -1.0], 6)
    np.testing.assert_allclose(th[1:], look_ahead, rtol=1e-13)


def test_adagrad_by_hand():
    lr, eps = 0.1, 1e-8
    th = steps(optim.adagrad(lr=lr, eps=eps), g_aniso, [1.0, -2.0], 2)
    # step 1: g = (1, −20), G = (1, 400)
    x1 = 1.0 - lr * 1.0 / (math.sqrt(1.0) + eps)
    y1 = -2.0 - lr * (-20.0) / (math.sqrt(400.0) + eps)
    np.testing.assert_allclose(th[1], [x1, y1], rtol=1e-15)
    assert th[1] == pytest.approx([0.9, -1.9], abs=1e-8)
    # step 2: g = (x1, 10·y1), G += g²
    gx, gy = x1, 10 * y1
    x2 = x1 - lr * gx / (math.sqrt(1.0 + gx * gx) + eps)
    y2 = y1 - lr * gy / (math.sqrt(400.0 + gy * gy) + eps)
    np.testing.assert_allclose(th[2], [x2, y2], rtol=1e-15)


def test_rmsprop_by_hand():
    lr, rho, eps = 0.01, 0.9, 1e-8
    th = steps(optim.rmsprop(lr=lr, decay=rho, eps=eps), g_aniso, [1.0, -2.0], 2)
    sx, sy = 0.1 * 1.0, 0.1 * 400.0
    x1 = 1.0 - lr * 1.0 / (math.sqrt(sx) + eps)
    y1 = -2.0 - lr * -20.0 / (math.sqrt(sy) + eps)
    np.testing.assert_allclose(th[1], [x1, y1], rtol=1e-15)
    assert th[1][0] == pytest.approx(1 - 0.01 / math.sqrt(0.1))  # 0.96838…
    gx, gy = x1, 10 * y1
    sx, sy = rho * sx + (1 - rho) * gx * gx, rho * sy + (1 - rho) * gy * gy
    x2 = x1 - lr * gx / (math.sqrt(sx) + eps)
    y2 = y1 - lr * gy / (math.sqrt(sy) + eps)
    np.testing.assert_allclose(th[2], [x2, y2], rtol=1e-15)


def test_adam_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    opt = optim.adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    th = steps(opt, g_aniso, [1.0, -2.0], 3)
    # step 1: bias correction makes m̂ = g, v̂ = g², so the step is −lr·sign(g) (up to ε)
    assert th[1] == pytest.approx([0.9, -1.9], abs=1e-8)
    x, y = 1.0, -2.0
    mx = my = vx = vy = 0.0
    for t in (1, 2, 3):
        gx, gy = x, 10 * y
        mx, my = b1 * mx + (1 - b1) * gx, b1 * my + (1 - b1) * gy
        vx, vy = b2 * vx + (1 - b2) * gx * gx, b2 * vy + (1 - b2) * gy * gy
        mhx, mhy = mx / (1 - b1 ** t), my / (1 - b1 ** t)
        vhx, vhy = vx / (1 - b2 ** t), vy / (1 - b2 ** t)
        x, y = x - lr * mhx / (math.sqrt(vhx) + eps), y - lr * mhy / (math.sqrt(vhy) + eps)
        np.testing.assert_allclose(th[t], [x, y], rtol=1e-14)
    state = opt.init(np.zeros(2))
    assert set(state.slots) == {"m", "v"} and state.count == 0


def test_learning_rate_schedule_drives_the_step():
    # step decay: η = 1, 1, 0.5, 0.5, 0.25 for t = 0..4 (every 2, factor 0.5); g ≡ 1
    opt = optim.sgd(lr=S.step_decay(1.0, decay=0.5, every=2))
    th = steps(opt, lambda th: np.ones(1), [0.0], 5)
    np.testing.assert_allclose([t[0] for t in th], [0, -1, -2, -2.5, -3, -3.25])


# ---- convergence -------------------------------------------------------------------------
# Parabola f = ½(x² + 10y²) from (3, −2), 500 steps, target |θ| < 1e-6.
# Constant-rate RMSprop/Adam hover at a distance ~η from the minimum, so they anneal
# with a cosine schedule to 0.
PARABOLA = {
    "sgd": dict(lr=0.1), "momentum": dict(lr=0.05, beta=0.9), "nesterov": dict(lr=0.05, beta=0.9),
    "adagrad": dict(lr=0.5), "rmsprop": dict(lr=S.cosine(0.1, total=500)),
    "adam": dict(lr=S.cosine(0.1, total=500)),
}
# Rosenbrock f = (1−x)² + 100(y−x²)² from (−1.2, 1), 10,000 steps, target |θ − (1,1)| < 1e-3.
# Plain SGD needs η ≤ ~2e-3 to be stable in the valley; RMSprop's constant-rate
# oscillation is annealed with a cosine schedule again.
ROSENBROCK = {
    "sgd": dict(lr=2e-3), "momentum": dict(lr=5e-4, beta=0.9), "nesterov": dict(lr=5e-4, beta=0.9),
    "adagrad": dict(lr=0.5), "rmsprop": dict(lr=S.cosine(2e-3, total=10_000)), "adam": dict(lr=0.01),
}


def _rosen_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def _run(opt, grad, theta, n):
    state = opt.init(theta)
    for _ in range(n):
        step, state = opt.update(grad(theta), state, theta)
        theta = theta + step
    return theta


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_converges_on_a_parabola(name):
    start = np.array([3.0, -2.0])
    theta = _run(optim.make(name, **PARABOLA[name]), g_aniso, start, 500)
    assert np.linalg.norm(theta) < 1e-6


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_converges_on_rosenbrock(name):
    theta = _run(optim.make(name, **ROSENBROCK[name]), _rosen_grad, np.array([-1.2, 1.0]), 10_000)
    assert np.linalg.norm(theta - 1.0) < 1e-3
    x, y = theta
    assert (1 - x) ** 2 + 100 * (y - x * x) ** 2 < 1e-6


def test_tables_cover_every_optimizer():
    assert set(PARABOLA) == set(ROSENBROCK) == set(optim.OPTIMIZERS)


# ---- registry, config, errors --------------------------------------------------------------
def test_make_and_config_round_trip():
    for name in optim.OPTIMIZERS:
        opt = optim.make(name, lr=S.cosine(0.1, total=50))
        again = optim.from_config(opt.config())
        assert again.name == name and again.config() == opt.config()
        assert opt.rule  # every optimizer carries its rule for captions


def test_unknown_optimizer_lists_valid_names():
    with pytest.raises(UnknownNameError,
                       match="unknown optimizer 'adamw'; valid: adagrad, adam, momentum, nesterov, rmsprop, sgd"):
        optim.make("adamw", lr=0.1)


def test_bad_hyperparameter_is_a_clear_error():
    with pytest.raises(NNVizError, match="bad hyperparameters for 'sgd'.*momentum"):
        optim.make("sgd", lr=0.1, momentum=0.9)
