"""The records behind the network scenes hold the real numbers: forward traces equal a
fresh forward pass, gradients equal finite differences, boundary grids equal a plain
per-point loop, perceptron runs solve AND/OR and not XOR, dropout masks are the ones
training drew (and change nothing else)."""
import numpy as np
import pytest

from nnviz import experiments as E
from nnviz import optim
from nnviz.experiments import networks as N
from nnviz.problems import NetworkProblem
from nnviz.train import Recording, train


def test_forward_record_matches_a_fresh_forward_pass():
    rec = E.load("network_forward")["pass"]
    model = rec.model()
    tr = model.forward(rec.theta, rec.x)
    for i, a in enumerate(tr.post):
        assert np.array_equal(rec.post[f"a{i}"], a)
    probs = rec.activation(model.n_layers)
    assert probs.shape == (10,) and probs.sum() == pytest.approx(1.0)
    assert rec.x.shape == (1, 64) and rec.config["test_acc"] > 0.9     # a network worth showing
    assert int(np.argmax(probs)) == int(np.argmax(rec.y))               # the shown example is classified right


def test_backprop_gradient_is_the_finite_difference_gradient():
    rec = E.load("network_backprop")["pass"]
    model = rec.model()
    f = lambda th: model.loss_value(th, rec.x, rec.y)   # noqa: E731
    h = 1e-6
    fd = np.array([(f(rec.theta + h * e) - f(rec.theta - h * e)) / (2 * h) for e in np.eye(len(rec.theta))])
    assert np.allclose(rec.grad, fd, rtol=1e-5, atol=1e-8)
    assert rec.loss == pytest.approx(f(rec.theta))
    assert np.array_equal(rec.theta_next, rec.theta - rec.lr * rec.grad)
    assert rec.meta["loss_next"] == pytest.approx(f(rec.theta_next))
    assert rec.meta["loss_next"] < rec.loss                               # the step helped this example
    # δ of the output layer for softmax + cross-entropy is ŷ − y
    assert np.allclose(rec.deltas[f"d{model.n_layers}"], rec.post[f"a{model.n_layers}"] - rec.y)


@pytest.mark.parametrize("name", ["network_training_xor", "network_training_moons", "network_training_spirals",
                                  "perceptron_xor_net"])
def test_boundary_grids_equal_a_per_point_loop(name):
    recs = E.load(name)
    run, bd = recs["run"], recs["boundary"]
    model = N.model_from(run.config["problem"]["model"])
    frames = E.get(name).config.get("frames")
    if frames:        # log-spaced frames: every step early on, then further apart, ending on the last step
        assert np.array_equal(bd.steps, N.frame_steps(int(run.steps[-1]), frames))
        assert np.array_equal(bd.steps[:10], np.arange(10)) and bd.steps[-1] == run.steps[-1]
    else:
        assert np.array_equal(bd.steps, run.steps)
    assert bd.prob.shape == (len(bd.steps), len(bd.ys), len(bd.xs))
    rng = np.random.default_rng(0)
    for k in (0, len(bd.steps) // 2, len(bd.steps) - 1):
        th = run.thetas[int(np.flatnonzero(run.steps == bd.steps[k])[0])]
        for j, i in rng.integers(0, len(bd.xs), size=(5, 2)):
            p = model.predict(th, np.array([[bd.xs[i], bd.ys[j]]]))[0, 0]
            assert bd.prob[k, j, i] == pytest.approx(p, rel=1e-5, abs=1e-6)
            h = model.forward(th, np.array([[bd.hx[i % len(bd.hx)], bd.hy[j % len(bd.hy)]]])).post[1][0]
            assert np.allclose(bd.hidden["h1"][k, :, j % len(bd.hy), i % len(bd.hx)], h, atol=1e-6)
    assert run.train_acc[-1] >= 0.97        # the boundary the scene ends on really separates the data
    assert run.loss[-1] < run.loss[0] / 5
    # the points drawn on the plane are the ones the run trained on (scenes never rebuild data)
    ds = N.dataset_from(E.get(name).config["data"])
    assert np.array_equal(bd.X, ds.X) and np.array_equal(bd.labels, ds.labels)
    assert model.loss_value(run.thetas[-1], bd.X, ds.Y) == pytest.approx(run.train_loss[-1])


def test_backprop_record_holds_the_batch_loss_before_and_after_the_step():
    rec = E.load("network_backprop")["pass"]
    model = rec.model()
    ds = N.dataset_from(E.get("network_backprop").config["data"])
    assert np.array_equal(rec.batch_X, ds.X) and np.array_equal(rec.batch_Y, ds.Y)
    assert rec.batch_loss == pytest.approx(np.mean([model.loss_value(rec.theta, x[None], y[None])
                                                    for x, y in zip(rec.batch_X, rec.batch_Y)]))
    assert rec.batch_loss_next == pytest.approx(np.mean([model.loss_value(rec.theta_next, x[None], y[None])
                                                         for x, y in zip(rec.batch_X, rec.batch_Y)]))
    # the scene's claim: one example's step fixes that example but raises the loss over all points
    # (why training averages gradients over many examples)
    assert rec.meta["loss_next"] < rec.loss / 2 and rec.batch_loss_next > rec.batch_loss


def test_perceptron_records_solve_and_or_not_xor():
    for gate in ("and", "or", "blobs"):
        r = E.load(f"perceptron_{gate}")["perceptron"]
        assert r.converged_at >= 0 and r.mistakes() == 0 and r.mistakes(0) > 0
    x = E.load("perceptron_xor")["perceptron"]
    assert x.converged_at == -1 and np.all(x.errors >= 1)


def test_dropout_masks_are_the_ones_training_drew():
    recs = E.load("network_dropout")
    cfg = E.get("network_dropout").config
    masks, run = recs["masks"], recs["run_dropout"]
    T = run.n_steps
    assert set(masks.masks) == {"h1", "h2"}
    for m in masks.masks.values():
        assert m.shape == (T, 32) and set(np.unique(m)) <= {0, 1}
        rate = 1 - m.mean()   # Binomial(T·32, 0.5): 6 standard deviations is far outside chance
        assert abs(rate - cfg["dropout"]) < 6 * np.sqrt(0.25 / m.size)
    # replay: the masks the model draws from the same rng stream are the recorded ones
    model = N.model_from({**cfg["model"], "dropout": cfg["dropout"]})
    ds = N.dataset_from(cfg["data"])
    rec = N._MaskRecorder(NetworkProblem(model, ds))
    theta0 = model.init(np.random.default_rng(cfg["init_seed"]))
    replay = train(rec, optim.make(**cfg["optimizer"]), theta0, steps=20, batch_size=cfg["batch_size"],
                   seed=cfg["seed"], record=Recording(every=cfg["every"], eval_every=cfg["eval_every"]))
    assert np.array_equal(np.stack([m[0] for m in rec.masks]), masks.masks["h1"][:20])
    # and recording them changes nothing: the plain NetworkProblem trains bit-identically
    plain = train(NetworkProblem(model, ds), optim.make(**cfg["optimizer"]), theta0, steps=20,
                  batch_size=cfg["batch_size"], seed=cfg["seed"],
                  record=Recording(every=cfg["every"], eval_every=cfg["eval_every"]))
    assert np.array_equal(plain.thetas, replay.thetas) and np.array_equal(plain.loss, replay.loss)
    for tag in ("plain", "dropout"):  # both panels draw the training and held-out points of the record
        bd = recs[f"boundary_{tag}"]
        assert np.array_equal(bd.X, ds.X) and np.array_equal(bd.labels, ds.labels)
        assert np.array_equal(bd.X_test, ds.X_test) and np.array_equal(bd.labels_test, ds.Y_test[:, 0] > 0.5)


def test_dropout_helps_on_held_out_points():
    recs = E.load("network_dropout")
    plain, drop = recs["run_plain"], recs["run_dropout"]
    assert plain.train_loss[-1] < drop.train_loss[-1]              # without dropout it fits the 40 points harder
    assert plain.test_loss[-1] > 1.5 * plain.test_loss.min()       # … and overfits: test loss climbs back
    assert drop.test_loss[-1] < plain.test_loss[-1]                # with dropout, held-out loss ends lower
    # the validation record: each net's loss on fresh held-out points (all units on) at its kept steps
    cfg = E.get("network_dropout").config
    val = N.dataset_from({**{k: v for k, v in cfg["data"].items() if k != "test"}, **cfg["validation"]})
    assert recs["validation"].meta["n"] == len(val.X) and not np.array_equal(val.X[:40], N.dataset_from(cfg["data"]).X_test[:40])
    for tag, run in (("plain", plain), ("dropout", drop)):
        model = N.model_from(run.config["problem"]["model"])
        for k in (0, len(run.steps) // 2, -1):
            z = model.forward(run.thetas[k], val.X).pre[-1][:, 0]          # logits: p saturates to 1.0
            ce = np.mean(np.logaddexp(0, z) - val.Y[:, 0] * z)
            assert recs["validation"].columns[tag][k] == pytest.approx(ce, rel=1e-9)
    # the other-seeds record: replay one seed's dropout run and count its sure test mistakes
    seeds = recs["seeds"]
    sd = int(seeds.columns["seed"][0])
    c = {**cfg, "model": {**cfg["model"], "dropout": cfg["dropout"]}, "init_seed": sd, "seed": sd,
         "every": cfg["steps"], "eval_every": cfg["steps"]}
    model, ds, run = N._train(c)
    p1 = model.predict(run.thetas[-1], ds.X_test)[:, 0]
    wrong_sure = np.where(ds.Y_test[:, 0] > 0.5, p1, 1 - p1) <= 1 - cfg["sure"]
    assert seeds.columns["dropout_sure"][0] == wrong_sure.sum()
    assert seeds.columns["dropout_final_test"][0] == run.test_loss[-1]


def test_network_experiments_are_deterministic():
    a = E.get("network_backprop").fn(dict(E.get("network_backprop").config))
    b = E.get("network_backprop").fn(dict(E.get("network_backprop").config))
    assert all(a[k].equals(b[k]) for k in ("pass",)) and np.array_equal(a["run"].thetas, b["run"].thetas)
