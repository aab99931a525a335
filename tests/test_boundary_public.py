"""The public decision-boundary helper: explicit arguments, per-point oracle, and the network
experiments' records come from it unchanged."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz import data, nn, optim, problems, train
from nnviz.boundary import decision_boundary, grid_over
from nnviz.errors import ShapeError


@pytest.fixture(scope="module")
def trained():
    d = data.moons(80, seed=0).split(0.25)
    model = nn.MLP((2, 6, 1), hidden="tanh", loss="bce")
    run = train.train(problems.NetworkProblem(model, d), optim.adam(0.05), model.init(np.random.default_rng(0)),
                      epochs=5, batch_size=20, seed=0)
    return model, run, d


def test_boundary_matches_a_per_point_loop(trained):
    model, run, d = trained
    b = decision_boundary(model, run, d, grid=7, hidden=5)
    assert b.prob.shape == (len(run.steps), 7, 7) and b.hidden["h1"].shape == (len(run.steps), 6, 5, 5)
    k, j, i = len(run.steps) - 1, 2, 5
    p = model.predict(run.thetas[k], np.array([[b.xs[i], b.ys[j]]]))[0, 0]
    assert b.prob[k, j, i] == pytest.approx(p, rel=1e-6)
    assert np.array_equal(b.X, d.X) and len(b.X_test) == len(d.X_test)
    assert b.config == {"grid": 7, "margin": 0.25, "hidden_grid": 5}
    xs, ys = grid_over(d.X, 7)
    assert np.array_equal(xs, b.xs) and xs[0] < d.X[:, 0].min() and xs[-1] > d.X[:, 0].max()


def test_boundary_needs_two_inputs(trained):
    model, run, _ = trained
    d3 = data.from_arrays(np.zeros((4, 3)), [0, 1, 0, 1])
    with pytest.raises(ShapeError, match="2-D inputs"):
        decision_boundary(model, run, d3)


def test_experiment_records_come_from_the_public_helper(trained):
    from nnviz.experiments.networks import boundary_for

    model, run, d = trained
    old = boundary_for(model, run, d, {"grid": 9, "hidden_grid": 4}, hidden=True)
    new = decision_boundary(model, run, d, grid=9, hidden=4)
    assert old.config == {"grid": 9}            # the experiments' record format is unchanged
    for f in ("xs", "ys", "prob", "X", "labels", "X_test", "labels_test", "hx", "hy"):
        assert np.array_equal(getattr(old, f), getattr(new, f)), f
    assert np.array_equal(old.hidden["h1"], new.hidden["h1"])
