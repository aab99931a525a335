"""Every number and claim the "why gradients behave" scenes and stills show, recomputed from
their records with formulas written out here (not the experiment code)."""
import numpy as np
import pytest

from nnviz import experiments as E
from nnviz.nn import MLP


@pytest.fixture(scope="module")
def act():
    return E.load("gradients_activations")["curves"]


@pytest.fixture(scope="module")
def step():
    return E.load("gradients_step_to_sigmoid")


@pytest.fixture(scope="module")
def soft():
    return E.load("gradients_softmax")


@pytest.fixture(scope="module")
def van():
    return E.load("gradients_vanishing")


@pytest.fixture(scope="module")
def norm():
    return E.load("gradients_normalization")


def _sig(z):
    return 1 / (1 + np.exp(-z))


# --- activations -------------------------------------------------------------------------
def test_activation_curves_and_slopes_match_the_textbook(act):
    v, z = act.values, act.values["z"]
    s = _sig(z)
    np.testing.assert_allclose(v["sigmoid/df"], s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(v["tanh/df"], 1 - np.tanh(z) ** 2, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(v["relu/df"], (z > 0).astype(float))
    np.testing.assert_array_equal(v["step/df"], 0.0)
    # the max slopes on the captions
    assert act.meta["max_slope"]["sigmoid"] == pytest.approx(0.25, abs=1e-6)
    assert act.meta["max_slope"]["tanh"] == pytest.approx(1.0, abs=1e-6)
    assert v["tanh/df"][np.argmin(np.abs(z))] == pytest.approx(1.0)     # "tanh′(0) = 1", at z = 0
    assert act.meta["max_slope"]["relu"] == 1.0
    # the slope ranges on the captions; leaky ReLU's small slope is never shaded as "no gradient"
    for n in act.config["names"]:
        assert act.meta["min_slope"][n] == np.abs(v[f"{n}/df"]).min()
    assert act.meta["min_slope"]["leaky_relu"] == pytest.approx(0.01)
    assert act.meta["min_slope"]["leaky_relu"] >= 2 * act.config["flat_below"]
    assert not v["leaky_relu/flat"].any() and not v["identity/flat"].any()
    # the captions' slope words: "f′ = 1", "f′ = 0", "f′ = 0 or 1", "f′ = 0.01 or 1", "f′ ≤ 0.25", "f′ ≤ 1"
    for n, values in (("identity", [1.0]), ("step", [0.0]), ("relu", [0.0, 1.0]), ("leaky_relu", [0.01, 1.0])):
        np.testing.assert_allclose(np.unique(np.abs(v[f"{n}/df"])), values)
    for n in ("sigmoid", "tanh"):
        assert len(np.unique(v[f"{n}/df"])) > 2
    # the words themselves, video (f′) and still (mathtext), from one rule
    from nnviz.display import slope_words
    for n, words, tex in (("identity", "f′ = 1", "$f' = 1$"), ("relu", "f′ = 0 or 1", "$f' = 0$ or $1$"),
                          ("leaky_relu", "f′ = 0.01 or 1", "$f' = 0.01$ or $1$"),
                          ("sigmoid", "f′ ≤ 0.25", r"$f' \leq 0.25$"), ("tanh", "f′ ≤ 1", r"$f' \leq 1$")):
        assert (slope_words(v[f"{n}/df"]), slope_words(v[f"{n}/df"], mathtext=True)) == (words, tex)
    assert v["relu/flat"].sum() == np.sum(z <= 0) and v["step/flat"].all()
    # the shaded spans are exactly where |f'| < flat_below
    for n in act.config["names"]:
        np.testing.assert_array_equal(v[f"{n}/flat"], np.abs(v[f"{n}/df"]) < act.config["flat_below"])


def test_products_along_a_path(act):
    v, zc, L = act.values, act.config["chain_z"], act.values["depth"]
    s = _sig(zc)
    np.testing.assert_allclose(v["sigmoid/chain"], (s * (1 - s)) ** L, rtol=1e-12)
    np.testing.assert_allclose(v["tanh/chain"], (1 - np.tanh(zc) ** 2) ** L, rtol=1e-12)
    np.testing.assert_array_equal(v["relu/chain"], 1.0)
    np.testing.assert_allclose(v["sigmoid/bound"], 0.25 ** L, rtol=1e-6)
    # the scene's closing line: through 10 sigmoid layers at most 9.5e-07
    assert f"{v['sigmoid/bound'][-1]:.1e}" == "9.5e-07"
    # ordering shown on the plot: ReLU keeps the gradient, tanh shrinks it, sigmoid most
    assert v["relu/chain"][-1] > v["tanh/chain"][-1] > v["sigmoid/chain"][-1]


# --- step → sigmoid → cross-entropy ----------------------------------------------------------
def test_step_loss_is_flat_almost_everywhere_and_cross_entropy_is_not(step):
    v = step["curves"].values
    e, ce, b = v["sweep_errors"], v["sweep_ce"], v["sweep_b"]
    flat = np.diff(e) == 0
    assert flat.mean() > 0.95                       # the error count changes at a few isolated b only
    assert len(np.unique(e)) >= 3                   # …but it does change: a staircase, not a constant
    assert np.all(np.abs(np.diff(ce)) > 0)          # cross-entropy changes at every step of the sweep
    # its slope is the recorded ∂CE/∂b (central differences on the recorded curve)
    fd = np.gradient(ce, b)
    np.testing.assert_allclose(v["sweep_dce"][5:-5], fd[5:-5], rtol=2e-2, atol=1e-4)


def test_charges_are_minus_log_probability_and_training_lowers_the_total(step):
    run, c = step["run"], step["curves"]
    v = c.values
    X, y = v["X"], v["y"]
    for k in (0, len(run.steps) // 2, -1):
        th = run.thetas[k]
        p = _sig(X @ th[:2] + th[2])
        p_own = np.where(y == 1, p, 1 - p)
        np.testing.assert_allclose(v["charge"][k], -np.log(p_own), rtol=1e-9)
        assert v["total"][k] == pytest.approx(run.train_loss[k] if k != -1 else run.train_loss[-1], rel=1e-9)
    assert v["total"][-1] < v["total"][0] / 5
    assert np.all(np.diff(v["total"]) <= 1e-12)      # full-batch descent at this rate: monotone
    assert v["errors"][-1] < v["errors"][0]


def test_mse_gradient_vanishes_on_a_confidently_wrong_point_cross_entropy_does_not(step):
    c = step["curves"]
    v, m = c.values, c.meta
    z = v["sat_z"]
    p = _sig(z)
    np.testing.assert_allclose(v["sat_dmse"], 2 * (p - 1) * p * (1 - p), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(v["sat_dce"], p - 1, rtol=1e-9, atol=1e-15)
    pw = _sig(m["wrong_z"])
    assert m["wrong_dmse"] == pytest.approx(2 * (pw - 1) * pw * (1 - pw), rel=1e-9)
    assert abs(m["wrong_dmse"]) < 0.01 and abs(m["wrong_dce"]) > 0.99
    assert abs(m["wrong_dce"]) / abs(m["wrong_dmse"]) > 100


# --- softmax ---------------------------------------------------------------------------------
def test_softmax_numbers_come_from_the_trained_model(soft):
    run, c = soft["run"], soft["curves"]
    v, m = c.values, c.meta
    from nnviz import data as D

    cfg = run.config["problem"]["model"]
    model = MLP(tuple(cfg["sizes"]), hidden=cfg["hidden"], loss=cfg["loss"])
    ds = D.digits(seed=c.config["data_seed"])
    x = ds.X_test[m["example"]]
    np.testing.assert_allclose(x.reshape(8, 8), v["image"])
    z = model.forward(run.final_theta, x[None]).pre[-1][0]
    np.testing.assert_allclose(v["logits"][-1], z, rtol=1e-12)
    e = np.exp(z - z.max())
    p = e / e.sum()
    np.testing.assert_allclose(v["probs"][-1], p, rtol=1e-12)
    assert p.sum() == pytest.approx(1.0)
    assert int(ds.Y_test[m["example"]].argmax()) == m["label"] == int(p.argmax()) == m["predicted"]
    assert v["ce"][-1] == pytest.approx(-np.log(p[m["label"]]), rel=1e-12)
    onehot = np.eye(10)[m["label"]]
    np.testing.assert_allclose(v["grad"], p - onehot, atol=1e-15)
    assert v["grad"][m["label"]] < 0 and np.all(np.delete(v["grad"], m["label"]) > 0)  # signs as drawn
    assert m["test_acc"] == pytest.approx(model.accuracy(run.final_theta, ds.X_test, ds.Y_test))
    assert m["test_acc"] > 0.9


def test_temperature_sweep(soft):
    v = soft["curves"].values
    z = v["logits"][-1]
    for T, p in zip(v["temperatures"], v["probs_t"]):
        e = np.exp(z / T - (z / T).max())
        np.testing.assert_allclose(p, e / e.sum(), rtol=1e-10, atol=1e-300)
    top = v["probs_t"].max(axis=1)
    assert np.all(np.diff(top) < 0)                 # hotter → flatter
    assert top[0] > 0.95 and top[-1] < 0.3


# --- vanishing gradients -----------------------------------------------------------------------
def _gnorm0(run):
    cfg = run.config["problem"]["model"]
    from nnviz import data as D

    model = MLP(tuple(cfg["sizes"]), hidden=cfg["hidden"], loss=cfg["loss"])
    ds = D.digits(seed=0)
    g = model.backward(run.thetas[0], ds.X, ds.Y).grad
    return np.array([np.linalg.norm(model.layout.view(g, f"W{i}")) for i in range(1, model.n_layers + 1)])


def test_vanishing_claims_at_initialisation(van):
    c = van["curves"]
    assert len(c.config["sizes"]) - 2 >= 6                       # ≥ 6 hidden layers
    sg = _gnorm0(van["sigmoid-glorot"])
    np.testing.assert_allclose(c.values["sigmoid-glorot/gnorm"][0], sg, rtol=1e-10)
    assert sg[-1] / sg[0] >= 10                                  # first layer ≥ 10× smaller than last
    rh = _gnorm0(van["relu-he"])
    np.testing.assert_allclose(c.values["relu-he/gnorm"][0], rh, rtol=1e-10)
    assert max(rh) / min(rh) <= 10                               # ReLU + He: all layers within 10×


def test_the_deep_sigmoid_net_barely_learns_and_the_curves_order_as_shown(van):
    c = van["curves"]
    v = c.values
    # first layer of the deep sigmoid net: relative weight change after training
    assert v["sigmoid-glorot/wchange"][-1][0] < 1e-3
    assert v["relu-he/wchange"][-1][0] > 100 * v["sigmoid-glorot/wchange"][-1][0]
    # the order of the final training losses the scene lists, robust over the last half of training
    order = sorted(c.config["contenders"], key=lambda k: v[f"{k}/loss"][-1])
    half = len(v["epochs"]) // 2
    for a, b in zip(order, order[1:]):
        if a.split("-")[0] == b.split("-")[0] == "sigmoid":
            continue  # both stuck at ln 10: no order claimed between them
        assert np.mean(v[f"{a}/loss"][half:] < v[f"{b}/loss"][half:]) >= 0.8, (a, b)
    assert all(o.startswith("sigmoid") for o in order[-2:])    # the sigmoid nets finish last
    for k in c.config["contenders"]:
        run = van[k]
        np.testing.assert_array_equal(v[f"{k}/loss"], run.train_loss)
        assert c.meta["lr"][k] == run.config["optimizer"]["lr"]["lr"]
        # the rate shown is the best of the grid
        assert v[f"{k}/tuning"].min() == pytest.approx(run.train_loss[-1])


# --- normalisation -----------------------------------------------------------------------------
def test_batch_norm_claims(norm):
    c = norm["curves"]
    v, m = c.values, c.meta
    tgt = c.config["target_loss"]
    for k in c.config["variants"]:
        hit = np.flatnonzero(norm[k].train_loss <= tgt)
        assert m["epochs_to_target"][k] == (int(hit[0]) if hit.size else -1)
    assert m["epochs_to_target"]["batch"] > 0
    assert m["epochs_to_target"]["plain"] == -1           # never within the training budget
    # spread of the last hidden layer's pre-activations across images: collapsed without a norm
    assert v["plain/spread"][0][-1] < 1e-3
    assert v["batch/spread"][0][-1] > 0.5
    # batch norm keeps pre-activations in the sigmoid's non-flat range (σ' ≥ 10 % of its peak)
    edge = m["flat_edge"]
    s = _sig(edge)
    assert s * (1 - s) == pytest.approx(c.config["flat_frac"] * 0.25, rel=1e-9)
    assert v["batch/inrange"].min() >= 0.95
    q = v["batch/quant"]
    assert np.all(q[..., 0] > -edge) and np.all(q[..., -1] < edge)   # the 5–95 % band inside the range
    # running statistics were recorded with the batch-norm run
    assert set(norm["batch"].buffers) == {f"{s}{i}" for s in ("mean", "var") for i in range(1, 7)}
    assert not norm["plain"].buffers


def test_normalised_statistics_recomputed_from_theta(norm):
    c = norm["curves"]
    run = norm["batch"]
    cfg = run.config["problem"]["model"]
    model = MLP(**cfg)
    from nnviz import data as D

    Xp = D.digits(seed=0).X[:c.config["probe"]]
    tr = model.forward(run.thetas[-1], Xp, train=True)
    for h, u in enumerate(tr.pre[:-1]):
        np.testing.assert_allclose(c.values["batch/quant"][-1][h], np.quantile(u, c.values["quantiles"]))
        assert c.values["batch/spread"][-1][h] == pytest.approx(u.std(axis=0).mean())


def test_one_unit_per_layer_as_drawn(norm):
    """The dots: one unit's input u for each probe image, layer by layer; the captions' numbers."""
    c = norm["curves"]
    v, m, cfg = c.values, c.meta, c.config
    from nnviz import data as D

    Xp = D.digits(seed=0).X[:cfg["probe"]]
    for k in cfg["variants"]:
        run = norm[k]
        model = MLP(**run.config["problem"]["model"])
        for i in (0, -1):
            tr = model.forward(run.thetas[i], Xp, train=True)
            for h, u in enumerate(tr.pre[:-1]):
                np.testing.assert_allclose(v[f"{k}/unit"][i][h], u[:, cfg["unit"]], rtol=1e-12)
    H = len(cfg["sizes"]) - 2
    shown = 64                                           # GradientsNormalization.shown
    plain = v["plain/unit"][0, :, :shown]
    # "layer by layer the images squeeze together": the drawn unit's std falls with depth
    assert np.all(np.diff(plain.std(axis=1)) < 0)
    assert plain[H - 1].std() < 1e-3                     # "they differ by 2e-04 (std)" (2 significant)
    # no-norm dots never reach the sigmoid's flat zone: it is collapse, not saturation
    assert np.all(np.abs(v["plain/unit"]) <= m["flat_edge"])
    # batch norm: spread 1 in every layer at initialisation (training-mode statistics of the probe)
    np.testing.assert_allclose(v["batch/unit"][0].std(axis=1), 1.0, atol=1e-3)
    # layer norm cannot re-spread: its last layer stays collapsed at the start and the end
    assert v["layer/unit"][0, -1].std() < 0.01 and v["layer/unit"][-1, -1].std() < 0.01
    # "after 20 epochs only batch norm learned; no norm and layer norm at chance (ln 10)"
    assert norm["batch"].train_loss[-1] < m["target_loss"]
    for k in ("plain", "layer"):
        assert norm[k].train_loss[-1] == pytest.approx(np.log(10), abs=0.01)


def test_softmax_rival_named_on_screen(soft):
    """"it lowers the rivals, most the likeliest wrong one (k)": the largest positive gradient is
    on the wrong class with the highest probability."""
    v, m = soft["curves"].values, soft["curves"].meta
    lab = m["label"]
    others = np.arange(10) != lab
    rival = int(np.argmax(np.where(others, v["grad"], -np.inf)))
    assert rival == int(np.argmax(np.where(others, v["probs"][-1], -np.inf)))


def test_vanishing_ranking_explained_by_the_tuning_records(van):
    """The loss panel's words: the sigmoid nets stay at chance, tanh and ReLU all learn; tanh trains
    stably at a rate where the ReLU nets end far worse, so ReLU's best rate is smaller."""
    c = van["curves"]
    v, m = c.values, c.meta
    lrs = list(v["lrs"])
    for k in c.config["contenders"]:
        if k.startswith("sigmoid"):
            assert v[f"{k}/loss"][-1] == pytest.approx(np.log(10), abs=0.01)
        else:
            assert v[f"{k}/loss"][-1] < 0.5
    # both tanh nets' best rate is the same, larger than both ReLU nets' best rate
    eta_t = m["lr"]["tanh-he"]
    assert m["lr"]["tanh-glorot"] == eta_t
    i_t = lrs.index(eta_t)
    for k in ("relu-he", "relu-glorot"):
        assert m["lr"][k] < eta_t and m["lr"][k] == m["lr"]["relu-he"]
        assert v[f"{k}/tuning"][i_t] > 2 * v[f"{k}/tuning"].min()     # at tanh's rate ReLU ends far worse
    # at initialisation both sigmoid nets starve layer 1 (the He ratio is on screen too)
    for k in ("sigmoid-glorot", "sigmoid-he"):
        g = v[f"{k}/gnorm"][0]
        assert g[-1] / g[0] >= 100 and np.all(np.diff(g) > 0)


def test_normalisation_captions(norm):
    """"each layer squeezes the images about N× closer", layer norm's white row (one image across the
    units) spread to std 1 while its units stay collapsed, and the rate grid: batch norm's best rate
    inside it, no norm and layer norm at chance for every rate."""
    c = norm["curves"]
    v, m, cfg = c.values, c.meta, c.config
    H = len(cfg["sizes"]) - 2
    sp = v["plain/spread"][0]
    shrink = (sp[0] / sp[-1]) ** (1 / (H - 1))
    ratios = sp[:-1] / sp[1:]
    assert np.all(ratios > shrink / 1.5) and np.all(ratios < shrink * 1.5)   # "about N×" at every layer
    img = v["layer/image"][0]                                  # (H, units): one image's row
    np.testing.assert_allclose(img.std(axis=1), 1.0, atol=1e-3)  # layer norm: std 1 across one image's units
    np.testing.assert_allclose(img.mean(axis=1), 0.0, atol=1e-9)
    assert np.all(v["layer/unit"][0, 2:].std(axis=1) < 0.1)    # …while each unit barely varies over the images
    lrs = list(v["lrs"])
    for k in ("plain", "layer"):
        assert np.all(np.abs(v[f"{k}/tuning"] - np.log(10)) < 0.05)
    best = int(np.argmin(v["batch/tuning"]))
    assert 0 < best < len(lrs) - 1 and lrs[best] == m["lr"]["batch"]


def test_temperature_divides_the_gap(soft):
    """"gap z of label − z of rival, divided by T → top p": the rival is the largest other logit,
    and the top probability at each T grows with gap / T."""
    v, m = soft["curves"].values, soft["curves"].meta
    z, lab = v["logits"][-1], m["label"]
    rv = int(np.argmax(np.where(np.arange(10) == lab, -np.inf, z)))
    gap = z[lab] - z[rv]
    assert gap > 0
    top = v["probs_t"].max(axis=1)
    np.testing.assert_array_equal(v["probs_t"].argmax(axis=1), lab)     # the label stays on top at every T
    # p(label) ≤ 1 / (1 + exp(−gap/T)): the rival alone caps it (two-class bound)
    assert np.all(top <= 1 / (1 + np.exp(-gap / v["temperatures"])) + 1e-12)


def test_the_marked_slopes_are_the_dashed_curves_at_the_chain_point(act):
    """The bridge beat's dots sit on each dashed f′ curve at z = chain_z, and their numbers are the
    chart's per-layer factors (its L = 1 points) as printed (3 significant digits)."""
    v, zc = act.values, act.config["chain_z"]
    for n in ("sigmoid", "tanh", "relu"):
        on_curve = np.interp(zc, v["z"], v[f"{n}/df"])
        assert act.meta["chain_value"][n] == pytest.approx(on_curve, rel=1e-3)
        assert act.meta["chain_value"][n] == pytest.approx(v[f"{n}/chain"][0], rel=1e-12)
    assert [f"{act.meta['chain_value'][n]:.3g}" for n in ("sigmoid", "tanh", "relu")] == ["0.197", "0.42", "1"]
