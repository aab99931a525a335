"""Loss landscapes: vectorised grids vs a plain per-point loop, directions, honest projections."""
import numpy as np
import pytest

from nnviz import data, exact, optim
from nnviz import landscape as LS
from nnviz import objectives as O
from nnviz.errors import NNVizError, ShapeError
from nnviz.nn import MLP
from nnviz.problems import NetworkProblem
from nnviz.records import load
from nnviz.train import Recording, train


def _net(kind):
    if kind == "bce":
        return NetworkProblem(MLP((2, 5, 4, 1), loss="bce"), data.moons(n=60).split())
    if kind == "mse":
        return NetworkProblem(MLP((1, 6, 1), hidden="relu", loss="mse", l2=1e-2), data.sine(n=40))
    return NetworkProblem(MLP((2, 5, 3), hidden="sigmoid", loss="cce", l1=1e-3),
                          data.spirals(n=60, classes=3).split())


def _theta(p, seed=0):
    return p.model.init(np.random.default_rng(seed)) + 0.1 * np.random.default_rng(seed + 1).normal(size=p.dim)


def _loop_metric(p, th, metric):
    m, d = p.model, p.data
    fn = {"loss": lambda t: m.loss_value(t, d.X, d.Y), "test_loss": lambda t: m.loss_value(t, d.X_test, d.Y_test),
          "train_acc": lambda t: m.accuracy(t, d.X, d.Y), "test_acc": lambda t: m.accuracy(t, d.X_test, d.Y_test)}
    return np.array([fn[metric](t) for t in th])


@pytest.mark.parametrize("kind", ["bce", "mse", "cce"])
def test_vectorised_surface_matches_per_point_loop(kind):
    p = _net(kind)
    th0 = _theta(p)
    dirs = LS.random_directions(p.model.layout, th0, seed=3)
    xs, ys = np.linspace(-1.5, 1.0, 7), np.linspace(-0.5, 2.0, 5)
    s = LS.surface(p, dirs, xs, ys)
    assert s.loss.shape == (5, 7) and s.method == "random"
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            th = th0 + x * dirs.vectors[0] + y * dirs.vectors[1]
            assert s.loss[j, i] == pytest.approx(p.model.loss_value(th, p.data.X, p.data.Y), rel=1e-12, abs=1e-14)
    pts = dirs.points(np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2))
    np.testing.assert_allclose(s.loss.ravel(), LS.evaluate_loop(p, pts), rtol=1e-12)
    assert set(s.extra) == set(LS.default_extras(p))
    for name, grid in s.extra.items():
        np.testing.assert_allclose(grid.ravel(), _loop_metric(p, pts, name), rtol=1e-12)


def test_chunking_to_a_memory_budget_changes_nothing():
    p = _net("cce")
    th = _theta(p) + np.random.default_rng(5).normal(size=(37, p.dim))
    big = LS.evaluate_stack(p, th, ("loss", "train_acc", "test_loss"))
    tiny = LS.evaluate_stack(p, th, ("loss", "train_acc", "test_loss"), budget_mb=1e-4)  # one point per chunk
    for k in big:
        np.testing.assert_allclose(big[k], tiny[k], rtol=1e-13)
    np.testing.assert_allclose(big["loss"], LS.evaluate_loop(p, th), rtol=1e-12)


def test_float32_evaluation_is_close():
    p = _net("bce")
    th = _theta(p) + 0.3 * np.random.default_rng(2).normal(size=(20, p.dim))
    f32 = LS.evaluate_stack(p, th, dtype="float32")["loss"]
    np.testing.assert_allclose(f32, LS.evaluate_loop(p, th), rtol=1e-5)


def test_filter_normalisation_per_neuron_and_bias_choice():
    p = _net("bce")
    th0 = _theta(p)
    lay = p.model.layout
    d = LS.random_directions(lay, th0, seed=1).vectors
    for v in d:
        for e in lay.entries:
            blk = v[e.slice].reshape(e.shape)
            ref = th0[e.slice].reshape(e.shape)
            if e.name.startswith("b"):
                assert not blk.any()          # the paper's choice: biases do not move
            else:
                np.testing.assert_allclose(np.linalg.norm(blk, axis=0), np.linalg.norm(ref, axis=0), rtol=1e-12)
    d2 = LS.random_directions(lay, th0, seed=1, bias="filter").vectors[0]
    for e in lay.entries:
        if e.name.startswith("b"):
            assert np.linalg.norm(d2[e.slice]) == pytest.approx(np.linalg.norm(th0[e.slice]))
    d3 = LS.random_directions(p.model, th0, seed=1, bias="copy").vectors[1]
    np.testing.assert_array_equal(d3[lay.entry("b2").slice], th0[lay.entry("b2").slice])
    np.testing.assert_array_equal(d, LS.random_directions(lay, th0, seed=1).vectors)   # seeded
    raw = LS.random_directions(lay, th0, seed=1, normalize=False).vectors
    assert raw[:, lay.entry("b1").slice].any()
    with pytest.raises(NNVizError, match="bias"):
        LS.random_directions(lay, th0, bias="paper")


def test_pca_recovers_a_planar_trajectory_with_explained_variance():
    rng = np.random.default_rng(0)
    d = 30
    Q, _ = np.linalg.qr(rng.normal(size=(d, 2)))
    final = rng.normal(size=d)
    t = np.linspace(0, 1, 40)
    coords = np.c_[3 * (1 - t) * np.cos(6 * t), (1 - t) * np.sin(6 * t)]
    traj = final + coords @ Q.T
    dirs = LS.pca_directions(traj)
    np.testing.assert_allclose(dirs.vectors @ dirs.vectors.T, np.eye(2), atol=1e-12)
    ev = dirs.meta["explained_variance"]
    assert sum(ev) == pytest.approx(1.0) and ev[0] > ev[1] > 0
    c, off = dirs.coordinates(traj)
    assert off.max() < 1e-10
    assert np.all(c[0] >= 0)                                # sign convention
    # a trajectory with a third component: explained variance < 1 and off-plane distance > 0
    traj3 = traj + np.outer(np.sin(20 * t) * 0.05, rng.normal(size=d))
    d3 = LS.pca_directions(traj3)
    assert sum(d3.meta["explained_variance"]) < 1
    assert d3.coordinates(traj3)[1].max() > 1e-3
    assert LS.pca_directions(traj, center=True).meta["center"] is True


def test_pca_bad_input():
    with pytest.raises(NNVizError, match="at least 2"):
        LS.pca_directions(np.zeros((0, 5)))
    with pytest.raises(NNVizError, match="at least 2"):
        LS.pca_directions(np.ones((1, 5)))
    with pytest.raises(NNVizError, match="never moves"):
        LS.pca_directions(np.ones((4, 5)))
    with pytest.raises(NNVizError, match="straight line"):
        LS.pca_directions(np.outer(np.arange(4.0), np.ones(5)))
    with pytest.raises(ShapeError):
        LS.pca_directions(np.ones(5))
    with pytest.raises(NNVizError, match="non-finite"):
        LS.pca_directions(np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0]]))


def test_coordinate_slice_is_exact_and_interpolation_hits_endpoints():
    p = _net("mse")
    th0 = _theta(p)
    i, j = LS.param_index(p.model.layout, "W1", (0, 2)), LS.param_index(p.model.layout, "b2", 0)
    assert th0[i] == p.model.layout.view(th0, "W1")[0, 2]
    dirs = LS.coordinate_directions(th0, i, j)
    xs, ys = np.linspace(-2, 2, 5), np.linspace(-1, 1, 3)
    s = LS.surface(p, dirs, xs, ys)
    th = th0.copy()
    th[i], th[j] = xs[3], ys[0]
    assert s.loss[0, 3] == pytest.approx(p.model.loss_value(th, p.data.X, p.data.Y), rel=1e-13)
    rel = LS.surface(p, LS.coordinate_directions(th0, i, j, absolute=False), [0.0], [0.0])
    assert rel.loss[0, 0] == pytest.approx(p.model.loss_value(th0, p.data.X, p.data.Y), rel=1e-13)
    other = _theta(p, seed=7)
    line = LS.surface(p, LS.line_directions(th0, other), np.linspace(-0.5, 1.5, 9))
    assert line.loss.shape == (1, 9) and line.method == "interpolation"
    assert line.loss[0, 2] == pytest.approx(p.model.loss_value(th0, p.data.X, p.data.Y), rel=1e-12)
    assert line.loss[0, 6] == pytest.approx(p.model.loss_value(other, p.data.X, p.data.Y), rel=1e-12)


def test_projection_is_honest():
    p = _net("bce")
    th0 = _theta(p)
    dirs = LS.random_directions(p.model.layout, th0, seed=2)
    xs = np.linspace(-1, 1, 11)
    s = LS.surface(p, dirs, xs, xs)
    on = dirs.points(np.array([[0.2, -0.6], [0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]))
    normal = np.random.default_rng(0).normal(size=p.dim)
    normal -= np.linalg.lstsq(dirs.vectors.T, normal, rcond=None)[0] @ dirs.vectors   # ⟂ to the plane
    normal *= 0.7 / np.linalg.norm(normal)
    off = on[:1] + normal
    pr = LS.project(p, s, np.vstack([on, off]), steps=[0, 5, 10, 15, 20])
    np.testing.assert_allclose(pr.coords[:4], [[0.2, -0.6], [0, 0], [1, 1], [2, 0]], atol=1e-12)
    np.testing.assert_allclose(pr.coords[4], [0.2, -0.6], atol=1e-12)
    np.testing.assert_allclose(pr.off_plane, [0, 0, 0, 0, 0.7], atol=1e-12)
    np.testing.assert_allclose(pr.true_loss, LS.evaluate_loop(p, np.vstack([on, off])), rtol=1e-12)
    np.testing.assert_allclose(pr.plane_loss[:4], pr.true_loss[:4], rtol=1e-12)
    assert pr.plane_loss[4] == pytest.approx(pr.true_loss[0], rel=1e-12)
    assert pr.true_loss[4] != pytest.approx(pr.plane_loss[4], rel=1e-6)   # honest: off-plane loss differs
    assert pr.grid_loss[1] == pytest.approx(s.loss[5, 5]) and pr.grid_loss[2] == pytest.approx(s.loss[10, 10])
    assert np.isnan(pr.grid_loss[3]) and pr.meta["outside_grid"] == 1
    assert pr.max_off_plane == pytest.approx(0.7)
    with pytest.raises(NNVizError, match="empty"):
        LS.project(p, s, np.zeros((0, p.dim)))
    with pytest.raises(ShapeError):
        LS.project(p, s, np.zeros((3, p.dim + 1)))


def test_overflowing_cells_are_flagged_not_fatal(tmp_path):
    p = NetworkProblem(MLP((1, 4, 1), hidden="relu", loss="mse"), data.sine(n=20))
    th0 = _theta(p)
    dirs = LS.random_directions(p.model.layout, th0, seed=0)
    xs = np.array([0.0, 1.0, 1e80, 1e160])
    s = LS.surface(p, dirs, xs, xs)
    assert s.nonfinite > 0 and s.meta["nonfinite_cells"] == s.nonfinite
    assert np.isfinite(s.loss[0, 0]) and not np.isfinite(s.loss[-1, -1])
    s.save(tmp_path / "s")
    assert load(tmp_path / "s").equals(s)


def test_bad_directions_and_grids_are_clear_errors():
    p = _net("bce")
    th0 = _theta(p)
    with pytest.raises(NNVizError, match="zero vector"):
        LS.Directions(th0, np.stack([np.zeros(p.dim), np.ones(p.dim)]), "random")
    with pytest.raises(NNVizError, match="parallel"):
        LS.Directions(th0, np.stack([np.ones(p.dim), 2 * np.ones(p.dim)]), "random")
    with pytest.raises(ShapeError):
        LS.Directions(th0, np.ones((2, p.dim + 1)), "random")
    with pytest.raises(NNVizError, match="identical"):
        LS.line_directions(th0, th0)
    dirs = LS.random_directions(p.model.layout, th0)
    with pytest.raises(ShapeError, match="ys"):
        LS.surface(p, dirs, [0.0, 1.0])
    with pytest.raises(ShapeError):
        LS.evaluate_stack(p, np.zeros((3, p.dim + 2)))
    with pytest.raises(NNVizError, match="valid: loss"):
        LS.evaluate_stack(p, np.zeros((3, p.dim)), ("los",))
    with pytest.raises(ShapeError):
        LS.random_directions(p.model.layout, np.zeros(p.dim + 1))
    with pytest.raises(ShapeError, match="out of range"):
        LS.coordinate_directions(th0, 0, p.dim)


def test_objective_surface_is_the_function_on_its_domain():
    obj = O.get("rosenbrock")
    s = LS.objective_surface(obj, n=9)
    assert s.method == "analytic" and s.loss.shape == (9, 9)
    assert s.loss[2, 6] == pytest.approx(float(obj.value(np.array([s.xs[6], s.ys[2]]))), rel=1e-15)
    assert s.xs[0] == obj.domain[0][0] and s.ys[-1] == obj.domain[1][1]
    one = LS.objective_surface(O.get("two_wells"), n=7)
    assert one.loss.shape == (1, 7)
    np.testing.assert_allclose(one.loss[0], O.get("two_wells").value(one.xs[:, None]))


@pytest.mark.parametrize("make", [exact.linear_regression, exact.logistic_regression])
@pytest.mark.parametrize("batch", [None, 1, 10])
def test_two_parameter_runs_move_exactly_on_the_wb_surface(make, batch):
    prob = make(n=50, seed=1)
    assert prob.dim == 2
    s = exact.wb_surface(prob, n=21)
    assert s.method == "coordinates" and s.meta["axes"] == ["w", "b"]
    w, b = s.xs[4], s.ys[13]
    assert s.loss[13, 4] == pytest.approx(prob.model.loss_value(np.array([w, b]), prob.data.X, prob.data.Y),
                                          rel=1e-13)
    run = train(prob, optim.sgd(0.1), np.array([s.xs[2], s.ys[18]]), epochs=3, batch_size=batch, seed=2,
                record=Recording(every=1, eval_every=1))
    pr = LS.project(prob, s, run.thetas, run.steps)
    assert np.all(pr.off_plane == 0)
    np.testing.assert_array_equal(pr.coords, run.thetas)        # (w, b) are the plane coordinates
    np.testing.assert_array_equal(pr.plane_loss, pr.true_loss)
    # the surface value at every recorded θ is the run's full-data loss
    np.testing.assert_array_equal(run.eval_steps, run.steps)
    np.testing.assert_allclose(pr.plane_loss, run.train_loss, rtol=1e-13)
    if batch is None:
        np.testing.assert_allclose(pr.plane_loss[:-1], run.loss, rtol=1e-13)


def test_exact_fit_is_the_minimum():
    for prob in (exact.linear_regression(seed=3), exact.logistic_regression(seed=3)):
        th = exact.fit(prob)
        g = prob.model.loss_and_grad(th, prob.data.X, prob.data.Y)[1]
        assert np.abs(g).max() < 1e-10
    s = exact.wb_surface(exact.linear_regression(seed=3), n=31)
    j, i = np.unravel_index(np.argmin(s.loss), s.loss.shape)
    assert abs(s.xs[i] - s.meta["minimum"][0]) < 0.21 and abs(s.ys[j] - s.meta["minimum"][1]) < 0.21


def test_softmax_cross_entropy_survives_huge_and_tiny_logits():
    p = _net("cce")
    th0 = _theta(p)
    dirs = LS.random_directions(p.model.layout, th0, seed=4, bias="filter")
    # far along the plane the logits reach ±1e3…1e5: exp overflows / underflows without the shift
    far = dirs.points(np.array([[0.0, 0.0], [300.0, -200.0], [-3e4, 1e4], [5e3, 5e3]]))
    for dt, rtol in (("float64", 1e-12), ("float32", 1e-5)):
        got = LS.evaluate_stack(p, far, dtype=dt)["loss"]
        ref = LS.evaluate_loop(p, far)
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, ref, rtol=rtol)


@pytest.mark.parametrize("loss", ["mse", "bce", "cce"])
def test_stacked_losses_are_the_losses_mean(loss):
    """Each loss's feature-major form (used by the stacked evaluator) is its per-example mean."""
    from nnviz import losses

    rng = np.random.default_rng(3)
    L = losses.get(loss)
    P, c, m = 4, 3, 7
    z = rng.normal(size=(P, m, c)) * 5
    y = np.eye(c)[rng.integers(0, c, m)] if loss == "cce" else rng.random((m, c)).round()
    a = {"mse": np.tanh, "bce": lambda v: 1 / (1 + np.exp(-v)), "cce": lambda v: np.exp(v) / np.exp(v).sum(-1, keepdims=True)}[loss](z)
    want = L.value(z, a, y).mean(axis=-1)
    got = L.stacked(z.transpose(0, 2, 1).copy(), a.transpose(0, 2, 1).copy(), y.T.copy())
    assert np.allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu"])
def test_inplace_activations_are_the_activations(name):
    from nnviz import activations

    act = activations.get(name)
    z = np.linspace(-40, 40, 101)
    want = act.f(z.copy())
    got = z.copy()
    act.inplace(got)
    assert np.allclose(got, want, rtol=1e-14, atol=1e-15)
