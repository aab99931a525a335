"""Seeded data sets: shapes, seeds, class balance, the digits set, splits and bad data."""
import numpy as np
import pytest

from nnviz import data
from nnviz.errors import DataError, ShapeError, UnknownNameError

# name → (kwargs, X shape, Y shape, task)
CASES = {
    "xor": ({}, (4, 2), (4, 1), "binary"),
    "and": ({"n": 8}, (8, 2), (8, 1), "binary"),
    "or": ({"n": 8, "noise": 0.1}, (8, 2), (8, 1), "binary"),
    "blobs": ({"n": 100}, (100, 2), (100, 1), "binary"),
    "moons": ({"n": 101}, (101, 2), (101, 1), "binary"),
    "circles": ({"n": 100}, (100, 2), (100, 1), "binary"),
    "spirals": ({"n": 90, "classes": 3}, (90, 2), (90, 3), "multiclass"),
    "sine": ({"n": 50}, (50, 1), (50, 1), "regression"),
    "line": ({"n": 60}, (60, 1), (60, 1), "regression"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shapes_task_and_seeds(name):
    kw, xs, ys, task = CASES[name]
    a = data.load(name, seed=1, **kw)
    assert a.X.shape == xs and a.Y.shape == ys and a.task == task
    assert a.X.dtype == np.float64 and np.all(np.isfinite(a.X)) and np.all(np.isfinite(a.Y))
    b = data.load(name, seed=1, **kw)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.Y, b.Y)
    if name not in ("xor", "and"):  # exact corners do not depend on the seed
        c = data.load(name, seed=2, **kw)
        assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name,kw,counts", [
    ("blobs", {"n": 100}, [50, 50]), ("moons", {"n": 101}, [50, 51]),
    ("circles", {"n": 100}, [50, 50]), ("spirals", {"n": 90, "classes": 3}, [30, 30, 30]),
    ("spirals", {"n": 100}, [50, 50]),
])
def test_class_balance(name, kw, counts):
    d = data.load(name, **kw)
    assert np.bincount(d.labels).tolist() == counts


def test_logic_gates_truth_tables():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    for name, truth in [("xor", [0, 1, 1, 0]), ("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1])]:
        d = data.load(name)
        np.testing.assert_array_equal(d.X, X)
        np.testing.assert_array_equal(d.Y[:, 0], truth)


def test_line_is_the_two_parameter_regression_set():
    d = data.line(n=2000, w=2.0, b=-1.0, noise=0.1, seed=3)
    A = np.c_[d.X, np.ones(d.n)]
    w, b = np.linalg.lstsq(A, d.Y[:, 0], rcond=None)[0]
    assert w == pytest.approx(2.0, abs=0.02) and b == pytest.approx(-1.0, abs=0.02)
    assert d.meta == {"w": 2.0, "b": -1.0, "noise": 0.1}


def test_moons_look_like_moons():
    d = data.moons(n=400, noise=0.0)
    upper = d.X[d.labels == 0]
    lower = d.X[d.labels == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)                      # unit half circle
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_digits_is_the_full_real_data_set():
    d = data.digits(seed=0)
    assert d.n + d.X_test.shape[0] == 1797
    assert d.X.shape[1] == 64 and d.Y.shape[1] == 10 and d.task == "multiclass"
    assert d.X.min() == 0.0 and d.X.max() == 1.0
    labels = np.r_[d.Y.argmax(1), d.Y_test.argmax(1)]
    counts = np.bincount(labels, minlength=10)
    assert counts.sum() == 1797 and (counts >= 170).all() and (counts <= 190).all()
    assert np.all(d.Y.sum(1) == 1.0)
    assert d.X_test.shape[0] == round(1797 * 0.25)


def test_split_is_disjoint_complete_and_seeded():
    full = data.blobs(n=200, seed=0)
    # make every row unique so we can match rows between parts
    full = data.Dataset("ids", np.c_[np.arange(200.0), full.X], full.Y, "binary")
    s = full.split(0.3, seed=5)
    tr, te = set(s.X[:, 0]), set(s.X_test[:, 0])
    assert len(te) == 60 and len(tr) == 140
    assert tr.isdisjoint(te) and tr | te == set(range(200))
    np.testing.assert_array_equal(s.X_test, full.split(0.3, seed=5).X_test)
    assert not np.array_equal(s.X_test, full.split(0.3, seed=6).X_test)
    # rows keep their targets
    np.testing.assert_array_equal(s.Y_test, full.Y[s.X_test[:, 0].astype(int)])
    d1, d2 = data.digits(seed=0), data.digits(seed=1)
    assert not np.array_equal(d1.X_test, d2.X_test)


def test_bad_data_is_one_clear_error():
    X = np.zeros((5, 2))
    X[3, 1] = np.nan
    with pytest.raises(DataError, match="X contains NaN"):
        data.Dataset("bad", X, np.zeros((5, 1)), "binary")
    with pytest.raises(DataError, match="Y contains NaN"):
        data.Dataset("bad", np.zeros((5, 2)), np.full((5, 1), np.inf), "binary")
    with pytest.raises(ShapeError, match="X has 5 rows but Y has 4"):
        data.Dataset("bad", np.zeros((5, 2)), np.zeros((4, 1)), "binary")
    with pytest.raises(ShapeError, match="must be 2-D"):
        data.Dataset("bad", np.zeros(5), np.zeros((5, 1)), "binary")
    with pytest.raises(DataError, match="empty"):
        data.Dataset("bad", np.zeros((0, 2)), np.zeros((0, 1)), "binary")
    with pytest.raises(DataError, match="too few to split"):
        data.xor().split(0.1)
    with pytest.raises(UnknownNameError, match="unknown dataset 'mnist'; valid: .*digits.*moons"):
        data.load("mnist")
    with pytest.raises(DataError, match="bad options for data set 'moons'.*noise"):
        data.load("moons", nosie=0.2)


def test_three_way_split_is_disjoint_complete_and_seeded():
    d = data.moons(101, seed=2)
    s = d.split3(0.2, 0.25, seed=4)
    rows = np.concatenate([s.rows["train"], s.rows["validation"], s.rows["test"]])
    assert sorted(rows.tolist()) == list(range(101))           # disjoint and complete
    assert (len(s.validation.X), len(s.test.X), len(s.train.X)) == (20, 25, 56)
    for part in ("train", "validation", "test"):
        np.testing.assert_array_equal(getattr(s, part).X, d.X[s.rows[part]])
        np.testing.assert_array_equal(getattr(s, part).Y, d.Y[s.rows[part]])
    again = d.split3(0.2, 0.25, seed=4)
    np.testing.assert_array_equal(again.rows["test"], s.rows["test"])
    assert not np.array_equal(d.split3(0.2, 0.25, seed=5).rows["test"], s.rows["test"])
    held = s.with_test("validation")
    np.testing.assert_array_equal(held.X_test, s.validation.X)
    np.testing.assert_array_equal(held.X, s.train.X)
    with pytest.raises(UnknownNameError, match="split part"):
        s.with_test("train")


@pytest.mark.parametrize("fr", [(0.0, 0.2), (0.5, 0.5), (0.2, 1.2)])
def test_three_way_split_refuses_bad_fractions(fr):
    with pytest.raises(DataError, match="fraction"):
        data.moons(50).split3(*fr)
    with pytest.raises(DataError, match="too few"):
        data.xor().split3(0.1, 0.1)


def test_dataset_from_a_recorded_config_and_grid_axes():
    from nnviz.data import dataset_from, grid_axes, moons

    ds = dataset_from({"name": "moons", "n": 40, "seed": 1, "test": {"seed": 2}})
    assert np.array_equal(ds.X, moons(40, seed=1).X) and np.array_equal(ds.X_test, moons(40, seed=2).X)
    xs, ys = grid_axes(ds.X, 5, margin=0.5)
    span = ds.X.max(0) - ds.X.min(0)
    assert xs[0] == ds.X[:, 0].min() - 0.5 * span[0] and ys[-1] == ds.X[:, 1].max() + 0.5 * span[1]
    assert xs.shape == ys.shape == (5,)
