"""The network still figures draw from the records and save in every format."""
import pytest

from nnviz import figures

NAMES = ["network_architecture", "network_forward", "network_backprop", "network_training_xor",
         "network_training_moons", "network_training_spirals", "network_perceptron", "network_dropout"]


@pytest.mark.parametrize("name", NAMES)
def test_figure_saves_png(name, tmp_path):
    out = figures.save(name, tmp_path / f"{name}.png", "png", dpi=60)
    assert out.stat().st_size > 5000
    from PIL import Image
    im = Image.open(out)
    assert im.size[0] > 200 and im.size[1] > 100
    import numpy as np
    img = np.asarray(im.convert("RGB"), dtype=float) / 255
    ink = np.mean(np.linalg.norm(img - 1.0, axis=-1) > 0.3)  # share of non-white pixels: not blank
    assert 0.02 < ink < 0.9, f"{name}: {ink:.3f} of the figure is drawn"


def test_figure_svg_and_pdf(tmp_path):
    for fmt in ("svg", "pdf"):
        out = figures.save("network_perceptron", tmp_path / f"p.{fmt}", fmt)
        assert out.stat().st_size > 1000
        head = out.read_bytes()
        assert head.startswith(b"%PDF-") if fmt == "pdf" else b"<svg" in head


def test_still_and_animation_draw_the_same_units():
    """The still's diagram and the video's diagram elide the same units of every layer."""
    import matplotlib.pyplot as plt

    from nnviz import experiments as E
    from nnviz.figures.network import draw_network
    from nnviz.render.network import NetworkDiagram

    rec = E.load("network_forward")["pass"]
    model = rec.model()
    fig, ax = plt.subplots()
    pos = draw_network(ax, model, rec.theta, max_neurons=8)
    plt.close(fig)
    d = NetworkDiagram.from_model(model, rec.theta, max_neurons=8)
    assert [sorted(p) for p in pos] == d.shown
    assert d.shown[0] == [0, 1, 2, 3, 61, 62, 63]           # 64 inputs: the first and last pixels


def test_training_stills_snapshot_log_spaced_steps():
    """Snapshots at recorded steps nearest 0, 30, 100, 300 and the last — not equal step intervals."""
    import numpy as np

    from nnviz.figures.network import snapshot_frames

    steps = np.arange(0, 1501, 15)
    assert [int(steps[k]) for k in snapshot_frames(steps)] == [0, 30, 105, 300, 1500]
    steps = np.arange(0, 301, 5)                       # 300 is the last step: shown once
    assert [int(steps[k]) for k in snapshot_frames(steps)] == [0, 30, 100, 300]


# --- every number a network still prints, recomputed from the records --------------------------------
def test_architecture_still_neuron_sum_adds_up_from_the_record():
    import numpy as np

    from nnviz import experiments as E
    from nnviz.figures.network import architecture_numbers

    rec = E.load("network_forward")["pass"]
    model = rec.model()
    nums = architecture_numbers(rec)
    j, ns = nums["unit"], nums["sum"]
    W1, b1 = model.weights(rec.theta, 1)
    x = rec.activation(0)
    t = np.abs(W1[:, j] * x)
    assert [i for i, *_ in ns["terms"]] == list(np.argsort(-t, kind="stable")[:7])    # every drawn edge's term
    assert all(w == W1[i, j] and xi == x[i] and p == round(round(w, 2) * round(xi, 2), 2)
               for i, w, xi, p in ns["terms"])
    assert ns["z"] == rec.pre["z1"][0][j] and abs(ns["exact"] - ns["z"]) < 1e-9
    assert abs(ns["rest"] - (W1[:, j] @ x - sum(W1[i, j] * x[i] for i, *_ in ns["terms"]))) < 1e-9
    assert ns["n_rest"] == model.sizes[0] - 7 and abs(ns["shown_rest"] - ns["rest"]) < 0.03
    # the column adds up by hand at two decimals
    assert round(sum(p for *_, p in ns["terms"]) + ns["shown_rest"] + round(ns["b"], 2), 2) == round(ns["z"], 2)
    assert nums["a"] == rec.activation(1)[j] and abs(nums["a"] - np.tanh(ns["z"])) < 1e-9
    assert set(nums["inputs"]) == set(np.argsort(-t, kind="stable")[:7].tolist())
    s = model.sizes
    assert nums["params"] == [s[0] * s[1] + s[1], s[1] * s[2] + s[2], s[2] * s[3] + s[3]]
    assert sum(nums["params"]) == nums["total"] == model.n_params
    assert nums["predicted"] == int(np.argmax(rec.activation(model.n_layers))) == int(np.argmax(nums["p"]))
    assert nums["true"] == int(np.argmax(rec.y))


def test_forward_still_edges_are_this_digits_contributions():
    import numpy as np
    import pytest

    from nnviz import experiments as E
    from nnviz.figures.network import forward_numbers

    rec = E.load("network_forward")["pass"]
    model = rec.model()
    nums = forward_numbers(rec)
    W1 = model.weights(rec.theta, 1)[0]
    x = rec.activation(0)
    push = np.abs(W1 * x[:, None]).sum(axis=1)
    assert sorted(nums["inputs"]) == sorted(np.argsort(-push, kind="stable")[:7].tolist())
    assert all(push[i] > 0 for i in nums["inputs"])                 # only inked pixels push
    for l, u in enumerate(nums["units"]):                         # each layer: the 7 that push the next hardest
        assert u == sorted(np.argsort(-np.abs(nums["contrib"][l]).sum(axis=1), kind="stable")[:7].tolist())
    c = nums["predicted"]
    j, w, a, wa = nums["push"]
    W3 = model.weights(rec.theta, model.n_layers)[0]
    a2 = rec.activation(model.n_layers - 1)
    assert j == max(nums["units"][-1], key=lambda k: abs(W3[k, c] * a2[k]))
    assert w == W3[j, c] and a == a2[j] and wa == W3[j, c] * a2[j]
    for l, C in enumerate(nums["contrib"]):
        W = model.weights(rec.theta, l + 1)[0]
        a = rec.activation(l)
        i, j = 3 % W.shape[0], 5 % W.shape[1]
        assert C[i, j] == W[i, j] * a[i]
        # each neuron's z is the sum of its column of contributions plus its bias
        np.testing.assert_allclose(C.sum(axis=0) + model.weights(rec.theta, l + 1)[1], rec.pre[f"z{l + 1}"][0],
                                   atol=1e-9)
    assert nums["predicted"] == int(np.argmax(rec.activation(model.n_layers)))
    assert nums["true"] == int(np.argmax(rec.y))
    # the winner's logit written as a sum, and the runners-up: from the recorded pre-activations
    zc, dsum, rsum, bc, nr = nums["logit"]
    L = model.n_layers
    z = rec.pre[f"z{L}"][0]
    assert zc == z[c] and abs(dsum + rsum + bc - zc) < 1e-9 and nr == model.sizes[-2] - 7
    assert bc == model.weights(rec.theta, L)[1][c] and dsum == pytest.approx(W3[nums["units"][-1], c] @ a2[nums["units"][-1]])
    assert [k for k, _ in nums["rivals"]] == [k for k in np.argsort(-z) if k != c][:2]
    assert all(zk == z[k] < zc for k, zk in nums["rivals"])


def test_backprop_still_chain_rule_numbers_from_the_record():
    import numpy as np
    import pytest

    from nnviz import experiments as E
    from nnviz.figures.network import backprop_numbers

    rec = E.load("network_backprop")["pass"]
    model = rec.model()
    L = model.n_layers
    nb = backprop_numbers(rec)
    t = nb["target"]
    assert rec.y[0][t] == 1 and nb["yhat"] == rec.activation(L)[t]
    np.testing.assert_allclose(nb["delta_out"], rec.activation(L) - rec.y[0], atol=1e-12)   # δ = ŷ − y
    assert nb["loss"] == pytest.approx(-np.log(nb["yhat"]))
    l, u, f, sm, du = nb["hidden"]
    a = rec.activation(l)[u]
    W = model.layout.view(rec.theta, f"W{L}")
    assert u == int(np.argmax(np.abs(rec.deltas[f"d{l}"][0])))
    assert f == pytest.approx(1 - a * a) and sm == pytest.approx(W[u] @ nb["delta_out"]) and du == pytest.approx(f * sm)
    assert [t_ for t_ in nb["terms"]] == [(W[u, k], nb["delta_out"][k]) for k in range(len(nb["delta_out"]))]
    assert sum(w_ * d_ for w_, d_ in nb["terms"]) == pytest.approx(sm)              # the Σ written out adds up
    assert abs(sum(round(w_, 2) * round(d_, 3) for w_, d_ in nb["terms"]) - sm) < 0.01
    le, i, j, dj, ai, g, wb, wa = nb["edge"]                       # the edge into the ringed unit
    assert (le, j, dj) == (l, u, du)
    G = model.layout.view(rec.grad, f"W{le}")
    Wl = model.layout.view(rec.theta, f"W{le}")
    assert abs(G[i, j]) == np.max(np.abs(G[:, j])) and ai == rec.activation(le - 1)[i]
    assert g == G[i, j] and g == pytest.approx(dj * ai)                                 # ∂ℓ/∂w = δⱼ·aᵢ
    assert wb == Wl[i, j] and wa == pytest.approx(model.layout.view(rec.theta_next, f"W{le}")[i, j])
    # the step's effect: this example from its record, and the training set's mean loss
    p_next = model.predict(rec.theta_next, rec.x)[0]
    np.testing.assert_allclose(nb["p_next"], p_next, atol=1e-12)
    assert nb["loss_next"] == pytest.approx(-np.log(p_next[t]))
    n, b0, b1 = nb["batch"]
    assert n == len(rec.batch_X) and b0 == pytest.approx(model.loss_value(rec.theta, rec.batch_X, rec.batch_Y))
    assert b1 == pytest.approx(model.loss_value(rec.theta_next, rec.batch_X, rec.batch_Y)) and b1 > b0
    for k in (0, 7, n - 1):                                          # each point's loss, before and after
        assert nb["point_loss"][k] == pytest.approx(model.loss_value(rec.theta, rec.batch_X[k:k + 1], rec.batch_Y[k:k + 1]))
        assert nb["point_loss_next"][k] == pytest.approx(
            model.loss_value(rec.theta_next, rec.batch_X[k:k + 1], rec.batch_Y[k:k + 1]))
    assert nb["point_loss"].mean() == pytest.approx(b0) and nb["point_loss_next"].mean() == pytest.approx(b1)
    worse = nb["point_loss_next"] > nb["point_loss"]
    cls = rec.batch_Y.argmax(axis=1)
    assert nb["worse_by_class"] == [int(np.sum(worse & (cls == c))) for c in range(3)]
    assert nb["worse_by_class"][t] == 0 and sum(nb["worse_by_class"]) == worse.sum()   # "favours class t elsewhere"


def test_training_still_numbers_from_the_records():
    import numpy as np

    from nnviz import experiments as E
    from nnviz.figures.network import training_numbers

    recs = E.load("network_training_spirals")
    run, bd = recs["run"], recs["boundary"]
    nums = training_numbers(run, bd)
    assert nums["steps"] == [0, 30, 100, 300, int(bd.steps[-1])]
    for s, v in zip(nums["steps"], nums["loss"]):
        assert v == run.train_loss[list(run.eval_steps).index(s)]
    a, b = bd.prob[nums["frames"][-2]] >= 0.5, bd.prob[nums["frames"][-1]] >= 0.5
    assert nums["changed"] == np.mean(a != b) and nums["changed"] < 0.05     # "hardly moves" …
    assert nums["fall"] == nums["loss"][-2] / nums["loss"][-1] and nums["fall"] > 3   # … yet the loss falls


def test_perceptron_still_w_arrow_is_the_normal_and_clear_of_the_points():
    import numpy as np

    from nnviz import experiments as E
    from nnviz.figures.network import BOX, _seg_dist, normal_arrow, xor_net_numbers

    for gate in ("and", "or"):
        rec = E.load(f"perceptron_{gate}")["perceptron"]
        w, b = np.asarray(rec.w[-1], float), float(rec.b[-1])
        foot, tip, lab = normal_arrow(w, b, rec.X)
        assert abs(w @ foot + b) < 1e-9                                   # starts on the line
        d = tip - foot
        assert abs(d @ w - np.linalg.norm(d) * np.linalg.norm(w)) < 1e-9  # points along w
        assert min(min(_seg_dist(p, foot, tip), np.linalg.norm(p - lab)) for p in rec.X) > 0.12
    rec = E.load("perceptron_or")["perceptron"]         # the still says when a point lies on the line
    w, b = np.asarray(rec.w[-1], float), float(rec.b[-1])
    on = [tuple(x) for x in np.asarray(rec.X, float) if abs(w @ x + b) <= rec.TIE]
    assert on and [tuple(x) for x in rec.X[rec.on_line(w, b, rec.X)]] == on     # the still's helper finds them
    assert all(rec.predict(np.array([x]))[0] == 1 for x in on)      # and that it counts as class 1
    recs = E.load("perceptron_xor_net")
    nx = xor_net_numbers(recs)
    bd = recs["boundary"]
    assert nx["acc"] == recs["run"].train_acc[-1] == 1.0
    # the class between the two hidden lines: at (0.5, 0.5), and the XOR points agree
    c = np.array([0.5, 0.5])
    between = [all(np.sign(w @ x + b) == np.sign(w @ c + b) for w, b in nx["lines"]) for x in bd.X]
    assert sum(between) == 2 and {int(l) for l, k in zip(bd.labels, between) if k} == {nx["between"]}
    assert {int(l) for l, k in zip(bd.labels, between) if not k} == {1 - nx["between"]}
    assert BOX == (bd.xs[0], bd.xs[-1], bd.ys[0], bd.ys[-1])
