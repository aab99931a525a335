"""The claim each descent scene makes, checked on the records the scene draws.

Oracles are independent of the experiment code where possible: Hessians via
eigvalsh, losses recomputed point by point, rankings re-sorted from θ.
"""
import numpy as np
import pytest

from nnviz import data as D
from nnviz import experiments as E
from nnviz import exact
from nnviz import objectives as O
from nnviz import regimes as R
from nnviz.experiments import descent as X
from nnviz.nn import MLP


@pytest.fixture(scope="module")
def regimes():
    return E.load("descent_regimes")


@pytest.fixture(scope="module")
def variants():
    return E.load("descent_variants")


@pytest.fixture(scope="module")
def race():
    return E.load("descent_race")


@pytest.fixture(scope="module")
def surface():
    return E.load("descent_surface")


@pytest.fixture(scope="module")
def wells():
    return E.load("descent_wells")


# ---------------------------------------------------------------- 1. regimes
def _regime_setup():
    cfg = E.get("descent_regimes").config
    obj = O.quadratic(**cfg["objective"])
    lam, vec = np.linalg.eigh(obj.hessian(np.zeros(2)))
    return obj, lam[-1], vec[:, -1]


def test_regime_labels_match_lambda_max(regimes):
    obj, lam, _ = _regime_setup()
    for name in X.REGIME_ORDER:
        m = regimes[name].meta
        assert m["lambda_max"] == pytest.approx(lam)
        assert m["lr"] * lam == pytest.approx(m["eta_lambda"])
        assert R.classify(m["lr"], lam) == name == m["regime"]


def test_slow_decreases_monotonically(regimes):
    loss = regimes["slow"].loss
    assert np.all(np.diff(loss) < 0) and R.is_monotone(loss)
    assert loss[-1] > 1e-2 * loss[0]  # and is still far from done: that is what 'slow' means


def test_oscillating_flips_across_the_valley_and_converges(regimes):
    _, _, top = _regime_setup()
    run = regimes["oscillating"]
    across = run.thetas @ top  # signed position across the valley (minimum at 0)
    assert np.all(np.sign(across[1:]) == -np.sign(across[:-1]))
    assert abs(across[-1]) < abs(across[0])
    assert run.loss[-1] < 1e-3 * run.loss[0]
    smooth = regimes["smooth"].thetas @ top
    big = np.abs(smooth) > 1e-12 * abs(smooth[0])  # below that it is round-off, not a crossing
    assert np.all(np.sign(smooth[big]) == np.sign(smooth[0]))  # smooth never crosses


def test_diverging_grows(regimes):
    run = regimes["diverging"]
    assert np.all(np.diff(run.loss[5:]) > 0)
    assert run.loss[-1] > 100 * run.loss[0]
    assert np.all(np.isfinite(run.thetas))


# ---------------------------------------------------------------- 2. variants
def test_line_surface_is_exact(variants):
    cfg = E.get("descent_variants").config
    prob = exact.linear_regression(**cfg["data"])
    data, model = prob.data, prob.model
    s = variants["surface"]
    for j, i in [(0, 0), (10, 70), (40, 40), (80, 3)]:
        theta = model.layout.flatten({"W1": np.array([[s.xs[i]]]), "b1": np.array([s.ys[j]])})
        assert s.loss[j, i] == pytest.approx(model.loss_value(theta, data.X, data.Y), rel=1e-12)


def test_variants_are_matched(variants):
    cfg = E.get("descent_variants").config
    n = cfg["data"]["n"]
    for v in X.VARIANT_ORDER:
        ep, st = variants[f"{v}_epochs"], variants[f"{v}_steps"]
        assert ep.n_steps * ep.meta["batch_size"] == cfg["epochs"] * n  # same examples seen
        assert st.n_steps == cfg["steps"]
        assert np.array_equal(ep.thetas[0], variants["batch_epochs"].thetas[0])


@pytest.mark.parametrize("match", ["epochs", "steps"])
def test_roughness_orders_sgd_minibatch_batch(variants, match):
    r = {v: X.roughness(variants[f"{v}_{match}"].thetas) for v in X.VARIANT_ORDER}
    assert r["stochastic"] > r["minibatch"] > r["batch"]
    for v in X.VARIANT_ORDER:
        assert variants[f"{v}_{match}"].meta["roughness"] == r[v]


def test_roughness_oracle():
    line = np.stack([np.linspace(0, 1, 10), np.linspace(0, 2, 10)], 1)
    assert X.roughness(line) == pytest.approx(0.0, abs=1e-7)
    zig = np.array([[0, 0], [1, 0], [1, 1], [2, 1], [2, 2]], float)
    assert X.roughness(zig) == pytest.approx(np.pi / 2)
    back = np.array([[0, 0], [1, 0], [0, 0]], float)
    assert X.roughness(back) == pytest.approx(np.pi)


def test_digits_records_curves_and_epoch_times():
    rec = E.load("descent_digits")
    cfg = E.get("descent_digits").config
    for name in ["batch", "stochastic", "minibatch"] + [f"b{b}" for b in cfg["sweep"]]:
        run = rec[name]
        assert run.eval_steps.size == cfg["epochs"] + 1  # epoch 0 .. epochs
        assert np.all(np.isfinite(run.test_loss)) and np.all(np.isfinite(run.train_loss))
        assert run.epoch_time.size == cfg["epochs"] and np.all(run.epoch_time > 0)
        assert run.meta["mean_epoch_time"] == pytest.approx(run.epoch_time.mean())
    # at matched epochs, more updates per epoch means lower training loss here (the blog's observation)
    assert rec["stochastic"].train_loss[-1] < rec["minibatch"].train_loss[-1] < rec["batch"].train_loss[-1]


# ---------------------------------------------------------------- 3. race
@pytest.mark.parametrize("surf", list(X.RACES))
def test_race_protocol_and_stated_ranking(race, surf):
    obj = O.get(surf)
    runs = {n: race[f"{surf}__{n}"] for n in X.RACE_ORDER}
    for r in runs.values():
        assert np.array_equal(r.thetas[0], np.array(obj.start))
        assert r.n_steps == X.RACES[surf]["steps"]
    finals = {n: float(obj.value(r.thetas[-1])) for n, r in runs.items()}
    stated = race[f"{surf}__surface"].meta["ranking"]
    flat = [n for place in stated for n in place]
    assert sorted(flat) == sorted(X.RACE_ORDER)
    assert [finals[n] for n in flat] == sorted(finals.values())
    assert all(len(p) == 1 for p in stated)  # no ties in the chosen set-ups: the ranking is meaningful


def test_ranking_ties():
    assert X.ranking({"a": 1.0, "b": 0.5, "c": 1.0}) == [["b"], ["a", "c"]]


# ---------------------------------------------------------------- 4. surface
def _moons():
    cfg = E.get("descent_surface").config
    return MLP(**cfg["model"]), D.moons(**cfg["data"])


@pytest.mark.parametrize("which", ["pca", "random"])
def test_slice_heights_are_what_they_say(surface, which):
    """The scene draws the path at `true_loss` or `plane_loss` as labelled: both recomputed here."""
    model, data = _moons()
    s, p, run = surface[which], surface[f"{which}_path"], surface["run"]
    for t in [0, 7, len(run.thetas) // 2, len(run.thetas) - 1]:
        theta = run.thetas[t]
        assert p.true_loss[t] == pytest.approx(model.loss_value(theta, data.X, data.Y), rel=1e-9)
        a, b = p.coords[t]
        on_plane = s.origin + a * s.directions[0] + b * s.directions[1]
        assert p.plane_loss[t] == pytest.approx(model.loss_value(on_plane, data.X, data.Y), rel=1e-9)
        assert p.off_plane[t] == pytest.approx(np.linalg.norm(theta - on_plane), abs=1e-9)
    for j, i in [(0, 0), (20, 20), (40, 13)]:
        q = s.origin + s.xs[i] * s.directions[0] + s.ys[j] * s.directions[1]
        assert s.loss[j, i] == pytest.approx(model.loss_value(q, data.X, data.Y), rel=1e-9)
    assert np.array_equal(X.path_heights(p, "true"), p.true_loss)
    assert np.array_equal(X.path_heights(p, "slice"), p.plane_loss)
    with pytest.raises(KeyError, match="valid: slice, true"):
        X.path_heights(p, "grid")


def test_pca_plane_is_honest(surface):
    s, p = surface["pca"], surface["pca_path"]
    ev = np.array(s.meta["explained_variance"])
    assert np.all(ev > 0) and ev.sum() <= 1 + 1e-12 and ev[0] >= ev[1]
    assert s.directions @ s.directions.T == pytest.approx(np.eye(2), abs=1e-10)
    # the trajectory's own PCA plane fits it better than a random plane does
    assert p.rel_off_plane.max() < surface["random_path"].rel_off_plane.max()
    # the final θ (the plane's origin) lies on it, and the whole path lies inside the drawn grid
    assert p.off_plane[-1] == pytest.approx(0.0, abs=1e-9)
    assert not np.any(np.isnan(p.grid_loss))


def test_analytic_path_heights(surface):
    cfg = E.get("descent_surface").config
    bowl = O.quadratic(**cfg["analytic"]["bowl"])
    run = surface["bowl_run"]
    np.testing.assert_allclose(run.loss, bowl.value(run.thetas[:-1]), rtol=1e-12)
    assert np.all(np.diff(run.loss) < 0)


# ---------------------------------------------------------------- 5. wells
def test_gd_stops_shallow_momentum_reaches_deep(wells):
    obj = O.two_wells()
    deep, shallow = obj.minima[0][0], obj.minima[1][0]
    assert obj.min_value < float(obj.value(np.array([shallow])))
    barrier = max((r for r in np.roots([1.0, 0.3, -1.4, 0.15]).real if deep < r < shallow))  # f'(x)=0 between
    gd, mo = wells["gd"].thetas[:, 0], wells["momentum"].thetas[:, 0]
    assert gd[0] == mo[0]
    assert abs(gd[-1] - shallow) < 1e-3 and np.all(gd > barrier)
    assert abs(mo[-1] - deep) < 1e-3 and np.any(mo < barrier)


def test_random_restarts_find_the_deep_well(wells):
    obj = O.two_wells()
    deep, shallow = obj.minima[0][0], obj.minima[1][0]
    ends = [wells[k].thetas[-1, 0] for k in wells if k.startswith("restart")]
    assert all(min(abs(e - deep), abs(e - shallow)) < 1e-3 for e in ends)
    assert any(abs(e - deep) < 1e-3 for e in ends) and any(abs(e - shallow) < 1e-3 for e in ends)


# ---------------------------------------------------------------- determinism
@pytest.mark.parametrize("name", ["descent_regimes", "descent_variants", "descent_race", "descent_wells"])
def test_same_seed_same_records(name):
    exp = E.get(name)
    a, b = exp.fn(dict(exp.config)), exp.fn(dict(exp.config))
    assert a.keys() == b.keys()
    for k in a:
        if hasattr(a[k], "thetas"):
            assert np.array_equal(a[k].thetas, b[k].thetas) and np.array_equal(a[k].loss, b[k].loss)
        else:
            assert a[k].equals(b[k])
