"""The training loop: an independent loop as oracle, reproducibility, recording, divergence, bad input."""
import os
import numpy as np
import pytest

from nnviz import data, optim
from nnviz import schedules as S
from nnviz.errors import DataError, NNVizError, ShapeError, UnknownNameError
from nnviz.nn import MLP
from nnviz.problems import NetworkProblem
from nnviz.records import Run
from nnviz.train import Recording, train


class Quadratic:
    """f(θ) = ½ c |θ|² as a one-example problem: the smallest thing that can diverge."""

    n = 1

    def __init__(self, dim=2, c=1.0, power=2):
        self.dim, self.c, self.power = dim, c, power

    def batch_loss_grad(self, theta, idx, rng):
        p = self.power
        return float(self.c / p * np.sum(np.abs(theta) ** p)), self.c * np.sign(theta) * np.abs(theta) ** (p - 1)

    def evaluate(self, theta):
        return {"train_loss": self.batch_loss_grad(theta, None, None)[0], "test_loss": np.nan,
                "train_acc": np.nan, "test_acc": np.nan}

    def config(self):
        return {"type": "quadratic", "c": self.c, "power": self.power}


def _net_problem(n=50, dropout=0.0, hidden=6, seed=0):
    m = MLP((2, hidden, 1), loss="bce", dropout=dropout)
    return NetworkProblem(m, data.moons(n=n, seed=seed).split(0.2, seed=0)), m.init(np.random.default_rng(seed))


def _all_finite(run: Run) -> bool:
    arrays = [run.thetas, run.loss, run.grad_norm, run.lr, run.train_loss, run.epoch_time,
              *run.grads.values(), *run.state.values()]
    return all(np.all(np.isfinite(a)) for a in arrays)


# ---- the loop against a plain hand-written one ---------------------------------------------
def test_minibatch_sgd_matches_a_plain_loop_bit_for_bit():
    p, th0 = _net_problem(n=50)  # 40 training examples: batches 16, 16, 8 (last partial)
    lr, b, epochs, seed = 0.3, 16, 3, 7
    run = train(p, optim.sgd(lr), th0, epochs=epochs, batch_size=b, seed=seed, record=Recording(every=1))
    X, Y, m = p.data.X, p.data.Y, p.model
    rng = np.random.default_rng(seed)
    theta, expected, losses, sizes = th0.copy(), [th0.copy()], [], []
    for _ in range(epochs):
        perm = rng.permutation(40)
        for s in range(0, 40, b):
            idx = perm[s:s + b]
            sizes.append(len(idx))
            loss, g = m.loss_and_grad(theta, X[idx], Y[idx])
            losses.append(loss)
            theta = theta - lr * g
            expected.append(theta)
    assert sizes == [16, 16, 8] * 3
    assert run.n_steps == 9 and run.config["steps_per_epoch"] == 3
    np.testing.assert_array_equal(run.thetas, np.array(expected))
    np.testing.assert_array_equal(run.loss, losses)
    np.testing.assert_array_equal(run.steps, np.arange(10))
    assert run.diverged_at == -1


def test_full_batch_records_loss_gradient_state_and_lr_at_each_theta():
    p, th0 = _net_problem(n=40)
    sched = S.exponential(0.1, decay=0.05)
    run = train(p, optim.momentum(lr=sched, beta=0.8), th0, steps=12,
                record=Recording(every=1, grads=True, state=True))
    m, X, Y = p.model, p.data.X, p.data.Y
    np.testing.assert_allclose(run.lr, [sched(t) for t in range(12)], rtol=1e-15)
    v = np.zeros_like(th0)
    for t in range(12):
        loss, g = m.loss_and_grad(run.thetas[t], X, Y)
        assert run.loss[t] == loss
        np.testing.assert_array_equal(run.grads["grad"][t], g)
        assert run.grad_norm[t] == pytest.approx(np.linalg.norm(g), rel=1e-14)
        np.testing.assert_array_equal(run.state["velocity"][t], v)  # state *before* update t
        v = 0.8 * v - sched(t) * g
    # the last row is θ_12 with its full-batch gradient and the final velocity
    np.testing.assert_array_equal(run.grads["grad"][12], m.loss_and_grad(run.thetas[12], X, Y)[1])
    np.testing.assert_allclose(run.state["velocity"][12], v, rtol=1e-12)


def test_reshuffles_every_epoch():
    seen = []

    class Spy(Quadratic):
        n = 10

        def batch_loss_grad(self, theta, idx, rng):
            if idx is not None:  # None = the full-batch evaluation
                seen.append(tuple(idx))
            return super().batch_loss_grad(theta, idx, rng)

    train(Spy(), optim.sgd(0.01), np.ones(2), epochs=3, batch_size=4, seed=0)
    assert [len(i) for i in seen] == [4, 4, 2] * 3
    epochs = [sorted(sum(seen[3 * e:3 * e + 3], ())) for e in range(3)]
    assert all(e == list(range(10)) for e in epochs)  # each epoch sees every example once
    orders = [sum(seen[3 * e:3 * e + 3], ()) for e in range(3)]
    assert len(set(orders)) == 3  # a fresh permutation each epoch


# ---- reproducibility ---------------------------------------------------------------------------
def test_same_seed_bit_identical_and_different_seed_differs(tmp_path):
    p, th0 = _net_problem(n=60, dropout=0.2)
    rec = Recording(every=2, eval_every=5, grads=True, state=True)
    kw = dict(epochs=3, batch_size=8, record=rec)
    a = train(p, optim.adam(0.02), th0, seed=3, **kw)
    b = train(p, optim.adam(0.02), th0, seed=3, **kw)
    c = train(p, optim.adam(0.02), th0, seed=4, **kw)
    # measured times differ between runs by nature; everything else must be bit-identical
    assert a.equals(b, ignore=Run.TIMING)
    assert Run(**{**a.__dict__, "wall_time": b.wall_time, "epoch_time": b.epoch_time}).equals(b)
    assert not np.array_equal(a.thetas[1:], c.thetas[1:])
    np.testing.assert_array_equal(a.thetas[0], c.thetas[0])
    a.save(tmp_path / "a")
    assert Run.load(tmp_path / "a").equals(a)


def test_different_seed_gives_a_different_sgd_path_but_full_batch_does_not_depend_on_it():
    p, th0 = _net_problem(n=30)
    s1 = train(p, optim.sgd(0.1), th0, epochs=2, batch_size=1, seed=1)
    s2 = train(p, optim.sgd(0.1), th0, epochs=2, batch_size=1, seed=2)
    assert not np.array_equal(s1.thetas[-1], s2.thetas[-1])
    assert not np.array_equal(s1.loss, s2.loss)
    f1 = train(p, optim.sgd(0.1), th0, epochs=2, seed=1)
    f2 = train(p, optim.sgd(0.1), th0, epochs=2, seed=2)
    np.testing.assert_array_equal(f1.thetas, f2.thetas)


# ---- what gets recorded --------------------------------------------------------------------
def test_theta_every_k_steps_always_first_and_last():
    p = Quadratic()
    r = train(p, optim.sgd(0.1), np.ones(2), steps=23, record=Recording(every=5))
    assert r.steps.tolist() == [0, 5, 10, 15, 20, 23]
    assert r.thetas.shape == (6, 2) and r.n_steps == 23
    np.testing.assert_allclose(r.thetas[:, 0], 0.9 ** r.steps, rtol=1e-12)
    r = train(p, optim.sgd(0.1), np.ones(2), steps=20, record=Recording(every=5))
    assert r.steps.tolist() == [0, 5, 10, 15, 20]
    r = train(p, optim.sgd(0.1), np.ones(2), steps=500)  # default: every θ while it is small
    assert r.config["record"]["every"] == 1 and r.steps.tolist() == list(range(501))
    r = train(p, optim.sgd(0.1), np.ones(2), steps=500, record=Recording(max_values=100))
    assert r.config["record"]["every"] == 10 and r.steps.tolist() == list(range(0, 501, 10))


def test_eval_every_epoch_or_every_n_steps_and_epoch_times():
    p, th0 = _net_problem(n=50)  # 40 train examples, batch 16 → 3 steps per epoch
    r = train(p, optim.sgd(0.1), th0, epochs=4, batch_size=16)
    assert r.eval_steps.tolist() == [0, 3, 6, 9, 12]
    assert np.all(np.isfinite(r.test_loss)) and np.all((r.train_acc >= 0) & (r.train_acc <= 1))
    assert r.train_loss[0] == pytest.approx(p.model.loss_value(th0, p.data.X, p.data.Y))
    assert r.test_loss[-1] == pytest.approx(p.model.loss_value(r.final_theta, p.data.X_test, p.data.Y_test))
    assert r.epoch_time.shape == (4,) and np.all(r.epoch_time > 0) and r.wall_time >= r.epoch_time.sum()
    r = train(p, optim.sgd(0.1), th0, steps=10, batch_size=16, record=Recording(eval_every=4))
    assert r.eval_steps.tolist() == [0, 4, 8, 10]
    assert r.epoch_time.shape == (4,)  # 3 + 3 + 3 + 1 steps: the last epoch is partial
    q = train(Quadratic(), optim.sgd(0.1), np.ones(2), steps=3)
    assert np.isnan(q.test_loss).all() and np.isnan(q.train_acc).all()  # NaN = not applicable
    # `clock` times the epochs. A clock that ticks once per reading: epoch 1 reads it at start and end
    # (1 tick); epochs 2-4 also hold the previous epoch's evaluation (taken at their first step), read
    # twice more, 3 ticks, minus the evaluation's 1 tick = 2. The run is otherwise the same.
    ticks = iter(range(10 ** 6))
    c = train(p, optim.sgd(0.1), th0, epochs=4, batch_size=16, clock=lambda: float(next(ticks)))
    assert c.epoch_time.tolist() == [1.0, 2.0, 2.0, 2.0]
    assert c.equals(train(p, optim.sgd(0.1), th0, epochs=4, batch_size=16), ignore=Run.TIMING)


def test_full_batch_metrics_equal_a_fresh_evaluation_exactly():
    """At full batch the per-epoch metrics reuse the step's forward pass: must be identical."""
    p, th0 = _net_problem(n=50)
    r = train(p, optim.adam(0.05), th0, epochs=6, record=Recording(every=1))
    m, d = p.model, p.data
    assert r.eval_steps.tolist() == list(range(7))
    for i, t in enumerate(r.eval_steps):
        assert r.train_loss[i] == m.loss_value(r.thetas[t], d.X, d.Y)
        assert r.train_acc[i] == m.accuracy(r.thetas[t], d.X, d.Y)
        assert r.test_loss[i] == m.loss_value(r.thetas[t], d.X_test, d.Y_test)
    # the reused pass belongs to one θ only: any other θ is evaluated afresh
    other = th0 + 0.5
    assert p.evaluate(other)["train_loss"] == m.loss_value(other, d.X, d.Y)


def test_float32_storage_halves_memory_and_keeps_training_in_float64():
    p, th0 = _net_problem(n=40)
    r64 = train(p, optim.adam(0.01), th0, steps=30, record=Recording(grads=True, state=True))
    r32 = train(p, optim.adam(0.01), th0, steps=30, record=Recording(dtype="float32", grads=True, state=True))
    assert r32.thetas.dtype == np.float32 and r32.grads["grad"].dtype == np.float32
    assert r32.state["m"].dtype == np.float32
    assert r32.thetas.nbytes * 2 == r64.thetas.nbytes
    np.testing.assert_array_equal(r32.thetas, r64.thetas.astype(np.float32))
    np.testing.assert_array_equal(r32.loss, r64.loss)


_LONG_RUN = """
import resource, sys
import numpy as np
from nnviz import data, optim
from nnviz.nn import MLP
from nnviz.problems import NetworkProblem
from nnviz.train import Recording, train
rng = np.random.default_rng(0)
m = MLP((100, 100, 1), loss="mse")
d = data.Dataset("tiny", rng.normal(size=(4, 100)), rng.normal(size=(4, 1)), "regression")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
run = train(NetworkProblem(m, d), optim.sgd(1e-3), m.init(rng), steps=10_000,
            record=Recording(dtype=sys.argv[1], eval_every=1000))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(m.n_params, run.n_steps, run.thetas.shape[0], run.steps[0], run.steps[-1],
      run.config["record"]["every"], (after - before) * 1024)
"""


@pytest.mark.parametrize("dtype,itemsize", [("float64", 8), ("float32", 4)])
def test_long_run_of_a_10k_parameter_net_does_not_hold_every_theta(dtype, itemsize):
    """Peak memory measured in a fresh process (ru_maxrss), so other tests cannot mask it."""
    import subprocess
    import sys

    # one BLAS thread: on a busy 2-core machine OpenBLAS's spinning threads cost 10×
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", _LONG_RUN, dtype], capture_output=True, text=True,
                         check=True, env=env)
    d, n_steps, rows, first, last, every, grown = map(int, out.stdout.split())
    assert d > 10_000 and n_steps == 10_000 and (first, last) == (0, 10_000)
    assert every == 11 and rows == 911  # auto `every`: ≤ 10M stored numbers
    every_theta = 10_001 * d * itemsize
    assert grown < 1.3 * rows * d * itemsize < every_theta / 8, f"grew {grown / 1e6:.0f} MB"


# ---- divergence is a result, not a crash -------------------------------------------------------
@pytest.mark.parametrize("factor,reason", [(1e6, "exceeds the bound"), (np.inf, "not finite")])
def test_too_large_learning_rate_on_a_network_finishes_marked_diverged(factor, reason):
    m = MLP((1, 8, 1), hidden="relu", loss="mse")
    p = NetworkProblem(m, data.sine(n=100).split(0.2))
    with np.errstate(all="raise"):  # no floating-point warning may escape the loop either
        run = train(p, optim.momentum(lr=1.0), m.init(np.random.default_rng(0), "he"), epochs=50,
                    batch_size=10, divergence_factor=factor, record=Recording(grads=True, state=True))
    assert run.diverged and 0 < run.diverged_at < 20
    assert reason in run.meta["diverged_reason"]
    assert run.n_steps == run.diverged_at  # the loss of every step before the diverged one
    assert run.steps[-1] == run.diverged_at and run.steps.tolist() == list(range(run.diverged_at + 1))
    assert _all_finite(run) and np.all(np.isfinite(run.test_loss))
    assert run.eval_steps[-1] <= run.diverged_at


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_every_optimizer_diverges_cleanly_on_a_steep_problem(name):
    # |θ|⁴ with a big step overflows to inf within a few steps: the non-finite path.
    # Adaptive methods move at most ~η per step, so they need an absurd η to overflow.
    lr = {"adagrad": 1e200, "rmsprop": 1e200, "adam": 1e200}.get(name, 10.0)
    run = train(Quadratic(power=4), optim.make(name, lr=lr), np.array([1.5, -2.0]), steps=500,
                divergence_factor=np.inf, record=Recording(grads=True, state=True))
    assert run.diverged, run.meta
    assert _all_finite(run)
    assert run.loss.shape[0] <= run.diverged_at
    # θ_0 always; the last kept θ is the diverged one, or the one before if θ itself blew up
    assert run.steps[0] == 0 and run.steps[-1] in (run.diverged_at, run.diverged_at - 1)


def test_divergence_by_bound_keeps_the_loss_up_to_that_step():
    # θ ← θ − 2.5θ = −1.5θ: loss grows ×2.25 per step; bound 1e6 × initial loss
    run = train(Quadratic(), optim.sgd(2.5), np.array([1.0, 1.0]), steps=1000)
    assert run.diverged_at == int(np.ceil(np.log(1e6) / np.log(2.25)))  # first step past the bound
    np.testing.assert_allclose(run.loss, 2.25 ** np.arange(run.diverged_at), rtol=1e-12)
    assert "exceeds the bound" in run.meta["diverged_reason"]
    assert run.steps[-1] == run.diverged_at
    assert train(Quadratic(), optim.sgd(2.5), np.ones(2), steps=5, divergence_bound=1e9).diverged_at == -1
    assert train(Quadratic(), optim.sgd(0.5), np.ones(2), steps=50).diverged_at == -1


def test_non_finite_initial_loss_is_a_diverged_run_not_a_crash():
    run = train(Quadratic(power=400), optim.sgd(0.1), np.array([1e3, 1.0]), steps=10)
    assert run.diverged_at == 0 and run.n_steps == 0 and run.thetas.shape == (1, 2)
    assert run.train_loss.shape == (0,) and _all_finite(run)


# ---- bad input: one clear error, nothing done, nothing written ---------------------------------
def _train_and_save(tmp_path, *args, **kw):
    run = train(*args, **kw)
    run.save(tmp_path / "run")
    return run


@pytest.mark.parametrize("batch_size,match", [
    (0, r"batch size must be an integer in 1\.\.40"), (41, r"in 1\.\.40 .*got 41"),
    (2.5, "got 2.5"), ("8", "got '8'"), (-3, "got -3"),
])
def test_bad_batch_size(tmp_path, batch_size, match):
    p, th0 = _net_problem(n=50)
    with pytest.raises(DataError, match=match):
        _train_and_save(tmp_path, p, optim.sgd(0.1), th0, epochs=1, batch_size=batch_size)
    assert list(tmp_path.iterdir()) == []


def test_bad_theta_and_lengths(tmp_path):
    p, th0 = _net_problem()
    cases = [
        (ShapeError, r"θ0 must have shape \(25,\), got \(24,\)", dict(theta0=th0[:-1], epochs=1)),
        (DataError, "θ0 contains NaN", dict(theta0=np.where(np.arange(25) == 3, np.nan, th0), epochs=1)),
        (NNVizError, "give epochs or steps", dict(theta0=th0)),
        (NNVizError, "epochs must be a positive integer, got 0", dict(theta0=th0, epochs=0)),
        (NNVizError, "steps must be a positive integer, got 1.5", dict(theta0=th0, steps=1.5)),
        (NNVizError, "record.every must be a positive integer", dict(theta0=th0, steps=3, record=Recording(every=0))),
        (NNVizError, "record.eval_every must be", dict(theta0=th0, steps=3, record=Recording(eval_every=-1))),
        (NNVizError, "record.dtype must be 'float64' or 'float32'", dict(theta0=th0, steps=3, record=Recording(dtype="int8"))),
    ]
    for err, match, kw in cases:
        th = kw.pop("theta0")
        with pytest.raises(err, match=match):
            _train_and_save(tmp_path, p, optim.sgd(0.1), th, **kw)
    assert list(tmp_path.iterdir()) == []


def test_bad_names_shapes_and_nan_data(tmp_path):
    def pipeline(hidden="tanh", opt="sgd", X=None):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(20, 2)) if X is None else X
        d = data.Dataset("user", X, (X[:, :1] > 0).astype(float), "binary")
        m = MLP((2, 4, 1), hidden=hidden, loss="bce")
        return _train_and_save(tmp_path, NetworkProblem(m, d), optim.make(opt, lr=0.1), m.init(rng), epochs=1)

    with pytest.raises(UnknownNameError, match="unknown activation 'sigmod'; valid: identity, leaky_relu, relu"):
        pipeline(hidden="sigmod")
    with pytest.raises(UnknownNameError, match="unknown optimizer 'adm'; valid: adagrad, adam"):
        pipeline(opt="adm")
    p, th0 = _net_problem()
    with pytest.raises(UnknownNameError, match="unknown optimizer 'adamw'; valid: adagrad, adam"):
        _train_and_save(tmp_path, p, "adamw", th0, epochs=1)
    with pytest.raises(NNVizError, match="optimizer must be an nnviz Optimizer or a name, got dict"):
        _train_and_save(tmp_path, p, {"lr": 0.1}, th0, epochs=1)
    assert train(p, "adam", th0, steps=2).config["optimizer"] == optim.adam().config()
    X = np.random.default_rng(1).normal(size=(20, 2))
    X[7, 0] = np.nan
    with pytest.raises(DataError, match="user: X contains NaN"):
        pipeline(X=X)
    with pytest.raises(ShapeError, match=r"model \(3, 4, 1\) does not fit data 'moons' \(2 features"):
        NetworkProblem(MLP((3, 4, 1), loss="bce"), data.moons(n=10))
    assert list(tmp_path.iterdir()) == []
    pipeline()  # the same pipeline with good input does write
    assert sorted(f.name for f in tmp_path.iterdir()) == ["run.json", "run.npz"]
