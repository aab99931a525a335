"""The perceptron trick (nnviz.perceptron): the rule itself, AND/OR solved, XOR never,
line geometry for drawing, bad input."""
import numpy as np
import pytest

from nnviz import data as D
from nnviz import perceptron as P
from nnviz.errors import DataError, ShapeError


def test_trick_moves_line_toward_misclassified_point():
    w, b, x = np.array([1.0, -1.0]), 0.0, np.array([0.5, 2.0])   # w·x + b = -1.5 → predicted 0
    w1, b1, u = P.trick(w, b, x, 1, 0.1)                          # a false negative: add η·(x, 1)
    assert u == 1 and np.allclose(w1, w + 0.1 * x) and b1 == pytest.approx(0.1)
    # the score of the point rises by exactly η(|x|² + 1): the line moved toward it
    assert (w1 @ x + b1) - (w @ x + b) == pytest.approx(0.1 * (x @ x + 1))
    w2, b2, u2 = P.trick(w, b, -x, 0, 0.1)                         # score 1.5 ≥ 0 but label 0: false positive
    assert u2 == -1 and np.allclose(w2, w + 0.1 * x) and b2 == pytest.approx(-0.1)
    assert P.trick(w, b, x, 0, 0.1)[2] == 0                        # correct: nothing moves


@pytest.mark.parametrize("gate", ["and", "or"])
def test_and_or_are_solved(gate):
    ds = D.load(gate)
    r = P.run(ds.X, ds.labels, lr=0.1, epochs=100, w0=[0.5, -0.5], b0=0.3, seed=1)
    assert r.converged_at >= 0 and r.errors[-1] == 0
    assert np.array_equal(r.predict(ds.X), ds.labels)


def test_a_point_on_the_line_is_reported_and_called_1_by_one_rule():
    """A point on the line (w·x + b = 0 up to TIE) is class 1 (step(0) = 1) and is the one `on_line`
    reports — at the bound too: a point at exactly −TIE is called 1, so it must be reported."""
    from nnviz.records import PerceptronRun as R

    w, b = np.array([1.0, 0.0]), 0.0
    X = np.array([[0.0, 3.0], [-R.TIE, 0.0], [R.TIE, 0.0], [-2 * R.TIE, 0.0], [0.4 - 0.4 - 1e-16, 1.0], [1.0, 0.0]])
    assert list(R.line_predict(w, b, X)) == [1, 1, 1, 0, 1, 1]
    assert list(R.on_line(w, b, X)) == [0, 1, 2, 4]          # −2·TIE: off the line, on the 0 side


def test_xor_is_never_solved_by_one_line():
    ds = D.load("xor")
    for seed in range(5):
        r = P.run(ds.X, ds.labels, lr=0.1, epochs=60, seed=seed)
        assert r.converged_at == -1 and np.all(r.errors >= 1)


def test_every_recorded_update_follows_the_rule():
    ds = D.blobs(n=30, seed=4, sep=2.2, std=0.6)
    r = P.run(ds.X, ds.labels, lr=0.2, epochs=20, w0=[0.3, -1.0], b0=0.5, seed=0)
    for k in range(1, len(r.w)):
        x, lab = r.X[r.point[k]], r.y[r.point[k]]
        w, b, u = P.trick(r.w[k - 1], r.b[k - 1], x, lab, 0.2)
        assert u == r.update[k] and np.array_equal(w, r.w[k]) and b == r.b[k]
    assert len(r.updates) == np.count_nonzero(r.update)


def test_same_seed_bit_identical_and_record_round_trip(tmp_path):
    ds = D.load("xor")
    a = P.run(ds.X, ds.labels, lr=0.1, epochs=5, seed=3)
    b = P.run(ds.X, ds.labels, lr=0.1, epochs=5, seed=3)
    assert a.equals(b)
    a.save(tmp_path / "p")
    assert P.PerceptronRun.load(tmp_path / "p").equals(a)


def test_line_in_box_and_half_plane():
    box = (-1.0, 1.0, -1.0, 1.0)
    a, e = P.line_in_box([1.0, 1.0], 0.0, box)          # x + y = 0: the anti-diagonal
    assert {tuple(np.round(a, 9)), tuple(np.round(e, 9))} == {(-1.0, 1.0), (1.0, -1.0)}
    assert P.line_in_box([1.0, 0.0], 5.0, box) is None  # x = -5 misses the box
    poly = P.halfplane_polygon([1.0, 0.0], 0.0, box)     # x ≥ 0: the right half
    assert poly[:, 0].min() == pytest.approx(0.0) and poly[:, 0].max() == pytest.approx(1.0)
    area = 0.5 * abs(np.dot(poly[:, 0], np.roll(poly[:, 1], 1)) - np.dot(poly[:, 1], np.roll(poly[:, 0], 1)))
    assert area == pytest.approx(2.0)
    assert len(P.halfplane_polygon([1.0, 0.0], -5.0, box)) == 0


def test_bad_input_is_one_clear_error():
    with pytest.raises(DataError, match="0 or 1"):
        P.run([[0, 0], [1, 1]], [0, 2])
    with pytest.raises(ShapeError):
        P.run([[0, 0], [1, 1]], [0, 1, 1])
    with pytest.raises(DataError, match="NaN"):
        P.run([[0, np.nan], [1, 1]], [0, 1])


@pytest.mark.parametrize("gate", ["and", "or", "xor"])
def test_recorded_gate_runs_match_exact_decimal_arithmetic(gate):
    """The scenes print each update as decimals (w ← (0.40, 0.40) + 0.1·(1, 0)); a student checking
    them by hand must reach the same decisions. Oracle: the same run in exact rational arithmetic
    (Fraction of the decimal config), visit by visit; float round-off (0.4 − 0.4 = −1.1e-16) must not
    turn a point on the line into a mistake."""
    from fractions import Fraction as F

    from nnviz import experiments as E

    r = E.load(f"perceptron_{gate}")["perceptron"]
    lr = F(str(r.config["lr"]))
    w = [F(str(v)) for v in r.config["w0"]]
    b = F(str(r.config["b0"]))
    for k in range(1, len(r.w)):
        i = int(r.point[k])
        x, label = [F(str(v)) for v in r.X[i]], int(r.y[i])
        pred = int(w[0] * x[0] + w[1] * x[1] + b >= 0)
        sign = 0 if pred == label else (1 if label == 1 else -1)
        assert r.update[k] == sign, (gate, k)
        w, b = [w[j] + sign * lr * x[j] for j in (0, 1)], b + sign * lr
        assert np.allclose(r.w[k], [float(v) for v in w], atol=1e-12) and abs(r.b[k] - float(b)) < 1e-12
