"""Every number and claim the "how training behaves" scenes show, recomputed from their records."""
import numpy as np
import pytest

from nnviz import experiments as E
from nnviz.experiments import dynamics as X


# --------------------------------------------------------------------------- momentum
@pytest.fixture(scope="module")
def momentum():
    return E.load("dynamics_momentum")


def test_momentum_optimum_formulas_match_the_record(momentum):
    m = momentum["sweep"].meta
    lmin, lmax = m["lambda_min"], m["lambda_max"]
    kappa = lmax / lmin
    assert m["kappa"] == pytest.approx(kappa)
    assert m["eta_star"] == pytest.approx((2 / (np.sqrt(lmin) + np.sqrt(lmax))) ** 2, rel=1e-12)
    assert m["beta_star"] == pytest.approx(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2, rel=1e-12)
    assert m["rho_star"] == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rel=1e-12)
    # the Hessian of the recorded bowl has exactly these eigenvalues
    from nnviz import objectives as O
    H = O.quadratic(**momentum["sweep"].config["objective"]).hessian(np.zeros(2))
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [lmin, lmax], rtol=1e-12)
    # the runs used the recorded hyperparameters
    assert momentum["optimum"].config["optimizer"]["lr"]["lr"] == pytest.approx(m["eta_star"])
    assert momentum["optimum"].config["optimizer"]["beta"] == pytest.approx(m["beta_star"])


def _rate(run, critical=False, start=10):
    return X.fit_rate(X.distances(run, (0.0, 0.0)), start, critical=critical)


def test_momentum_rates_recomputed_from_the_paths(momentum):
    sw = momentum["sweep"]
    assert sw.meta["fit_start"] == 10
    for i, beta in enumerate(sw.columns["beta"]):
        for which in ("star", "gd"):
            run = momentum[f"{which}_{i}"]
            assert run.meta["beta"] == beta
            assert _rate(run) == sw.columns[f"rate_{which}"][i]
    assert momentum["optimum"].meta["rate"] == _rate(momentum["optimum"], critical=True)
    assert momentum["gd_tuned"].meta["rate"] == _rate(momentum["gd_tuned"])


def test_momentum_best_at_the_grid_point_nearest_beta_star(momentum):
    sw = momentum["sweep"]
    beta, rate = sw.columns["beta"], sw.columns["rate_star"]
    nearest = int(np.argmin(np.abs(beta - sw.meta["beta_star"])))
    assert int(np.argmin(rate)) == nearest
    # the measured rates follow the theory curve the scene draws (dashed), point by point
    theory = np.array([X.heavy_ball_rate(b, sw.meta["eta_star"], (sw.meta["lambda_min"], sw.meta["lambda_max"]))
                       for b in beta])
    np.testing.assert_allclose(rate, theory, rtol=0.03)
    # below the stability edge at η* every run diverges (ρ > 1), which the scene says
    assert np.all(rate[beta < sw.meta["stable_beta_min"]] > 1)
    assert np.all(rate[beta > sw.meta["beta_star"]] < 1)


def test_momentum_rate_at_the_optimum_within_5_percent_of_theory(momentum):
    m = momentum["sweep"].meta
    rho = _rate(momentum["optimum"], critical=True)
    assert abs(rho - m["rho_star"]) <= 0.05 * m["rho_star"]
    # and it beats plain GD at its own best η, whose rate is (κ−1)/(κ+1)
    gd = momentum["gd_tuned"].meta["rate"]
    assert gd == pytest.approx(m["gd_theory_rate"], rel=0.01)
    assert m["gd_theory_rate"] == pytest.approx((m["kappa"] - 1) / (m["kappa"] + 1), rel=1e-12)  # the formula shown
    assert rho < gd


def test_fit_rate_recovers_known_rates():
    k = np.arange(200.0)
    assert X.fit_rate(3 * 0.9 ** k) == pytest.approx(0.9, rel=1e-12)
    assert X.fit_rate((k + 1) * 0.8 ** k, critical=True) == pytest.approx(0.8, rel=2e-3)
    assert X.fit_rate(0.5 * 1.5 ** k[:20]) == pytest.approx(1.5, rel=1e-12)


# --------------------------------------------------------------------------- learning-rate decay
@pytest.fixture(scope="module")
def decay():
    return E.load("dynamics_lr_decay")


def test_lr_decay_schedules_are_what_the_curves_show(decay):
    m = decay["tails"].meta
    for kind in m["order"]:
        run = decay[f"{kind}_{m['shown_seed']}"]
        assert run.n_steps == m["steps"] and run.lr[0] == m["lr"]
        assert np.all(np.diff(run.lr) <= 0) and (kind == "constant") == (run.lr[-1] == m["lr"])


def test_lr_decay_every_decayed_run_ends_closer_than_the_fixed_rate(decay):
    tails = decay["tails"]
    m = tails.meta
    from nnviz import exact
    wmin = np.asarray(m["minimum"])
    np.testing.assert_allclose(exact.fit(exact.linear_regression(**tails.config["data"])), wmin, rtol=1e-12)
    for kind in m["order"]:
        for i, seed in enumerate(tails.config["seeds"]):
            run = decay[f"{kind}_{seed}"]
            d = np.linalg.norm(run.thetas - wmin, axis=1)[-m["tail"]:].mean()   # recomputed from the path
            assert d == pytest.approx(tails.columns[kind][i], rel=1e-12)
    base = tails.columns["constant"]
    for kind in m["order"]:
        if kind != "constant":
            assert np.all(tails.columns[kind] < base), kind   # same step budget, same seed, every seed
    # the trailing mean the scene plots ends at the same number
    run = decay[f"step_{m['shown_seed']}"]
    assert X.trailing_mean(X.distances(run, wmin), m["tail"])[-1] == pytest.approx(
        tails.columns["step"][m["shown_seed"]], rel=1e-12)


# --------------------------------------------------------------------------- regularisation
@pytest.fixture(scope="module")
def reg():
    return E.load("dynamics_regularization")


def _kkt_l1(A, b, w, lam):
    """Largest violation of the L1 optimality conditions at w (0 when w is the exact optimum)."""
    g = A @ w - b
    nz = w != 0
    return max(np.max(np.abs(g[nz] + lam * np.sign(w[nz])), initial=0.0),
               np.max(np.abs(g[~nz]) - lam, initial=-np.inf), 0.0)


def test_regularization_l1_path_hits_zero_at_the_recorded_lambda_with_kkt(reg):
    p = reg["path"]
    A, b = np.array(p.meta["A"]), np.array(p.meta["b"])
    lams, W = p.columns["lambda"], p.columns["l1"]
    lam0, j = p.meta["lambda_zero"], p.meta["zero_index"]
    i0 = int(np.flatnonzero(lams == lam0)[0])                      # the breakpoint is on the path
    assert W[i0, j] == 0.0 and np.all(W[i0:, j] == 0.0)            # exactly zero from λ0 on
    assert np.all(W[:i0, j] != 0.0)                                # and not before
    g = A @ W[i0] - b
    assert abs(abs(g[j]) - lam0) <= 1e-12 * lam0                   # KKT: |∂J/∂w_j| = λ at the kink
    for lam, w in zip(lams, W):                                    # every point: the exact optimum
        assert _kkt_l1(A, b, w, lam) <= 1e-12


def test_regularization_optima_match_an_independent_proximal_solver(reg):
    p = reg["path"]
    A, b = np.array(p.meta["A"]), np.array(p.meta["b"])
    L = np.linalg.eigvalsh(A).max()
    for i in (5, 40, 60, 100, len(p.columns["lambda"]) - 1):
        lam = p.columns["lambda"][i]
        w = np.zeros(2)
        for _ in range(5000):                                      # ISTA: prox of λ|·| is soft-thresholding
            z = w - (A @ w - b) / L
            w = np.sign(z) * np.maximum(np.abs(z) - lam / L, 0.0)
        np.testing.assert_allclose(p.columns["l1"][i], w, atol=1e-12)
        np.testing.assert_allclose((A + 2 * lam * np.eye(2)) @ p.columns["l2"][i], b, atol=1e-13)


def test_regularization_l2_shrinks_the_weights_and_zeroes_neither(reg):
    p = reg["path"]
    W = p.columns["l2"]
    np.testing.assert_allclose(W[0], p.meta["w_ls"], rtol=1e-12)
    assert np.all(np.diff(np.linalg.norm(W, axis=1)) < 0)           # ‖w‖ shrinks with every step of λ
    assert np.all(np.abs(W[-1]) < np.abs(W[0]))                     # both weights end smaller
    assert np.all(W != 0)                                           # and neither reaches zero
    # what the scene's note adds: with correlated features one weight first grows
    assert np.abs(W[:, 1]).max() > abs(W[0, 1])


def test_regularization_network_histograms_and_numbers(reg):
    from nnviz import data as D
    from nnviz.nn import MLP

    h = reg["histogram"]
    edges, st = h.columns["edges"], h.meta["stats"]
    d = D.digits(seed=0)
    for name in h.meta["order"]:
        run = reg[f"net_{name}"]
        cfg = run.config["problem"]["model"]
        model = MLP(tuple(cfg["sizes"]), cfg["hidden"], cfg["output"], cfg["loss"], cfg["l1"], cfg["l2"])
        assert cfg.get(name, 0.0) == st[name]["lambda"] or name == "none"
        w = X.weights_of(model, run.final_theta)
        assert len(w) == h.meta["n_weights"]
        np.testing.assert_array_equal(np.histogram(np.clip(w, edges[0], edges[-1]), edges)[0], h.columns[name])
        assert st[name]["rms"] == pytest.approx(np.sqrt(np.mean(w ** 2)), rel=1e-12)
        assert st[name]["small"] == np.mean(np.abs(w) < h.meta["small"])
        assert st[name]["test_acc"] == model.accuracy(run.final_theta, d.X_test, d.Y_test)
    assert st["l2"]["rms"] < st["none"]["rms"] and st["l1"]["rms"] < st["none"]["rms"]
    assert st["l1"]["small"] > 2 * st["l2"]["small"] > 2 * st["none"]["small"]


# --------------------------------------------------------------------------- fitting, early stopping
@pytest.fixture(scope="module")
def fitting():
    return E.load("dynamics_fitting")


def test_fitting_losses_and_curves_recomputed_from_the_records(fitting):
    from nnviz import data as D
    from nnviz.nn import MLP

    dcfg = fitting["data"].config
    split = D.sine(**dcfg["data"]).split3(**dcfg["split"])
    for p in ("train", "validation", "test"):                      # the points drawn are the split's
        np.testing.assert_array_equal(fitting["data"].columns[f"x_{p}"], getattr(split, p).X[:, 0])
    for name in X.FIT_ORDER:
        run, c = fitting[name], fitting[f"curves_{name}"]
        model = MLP(tuple(c.meta["sizes"]), hidden="tanh", loss="mse")
        np.testing.assert_array_equal(c.columns["step"], run.steps)
        for k in (0, len(run.steps) // 2, len(run.steps) - 1):
            th = run.thetas[k]
            for p in ("train", "validation", "test"):
                part = getattr(split, p)
                assert c.columns[p][k] == model.loss_value(th, part.X, part.Y)
            np.testing.assert_array_equal(c.columns["fit"][k], model.predict(th, fitting["data"].columns["grid"][:, None])[:, 0])
        # the trainer's held-out metric is the validation part (test never touched training or choice)
        np.testing.assert_allclose(run.test_loss[-1], c.columns["validation"][-1], rtol=1e-12)


def test_fitting_early_stop_is_the_validation_minimum_and_train_keeps_falling(fitting):
    c = fitting["curves_over"]
    val, tr = c.columns["validation"], c.columns["train"]
    i = c.meta["stop_index"]
    assert i == int(np.argmin(val)) and np.all(val[i] <= val)
    assert c.meta["stop_step"] == c.columns["step"][i]
    assert np.all(tr[i + 1:] < tr[i]) and tr[-1] < 0.5 * tr[i]      # train keeps falling after the stop
    assert val[-1] > val[i]                                           # while validation has risen
    assert c.meta["test_min_index"] == int(np.argmin(c.columns["test"]))
    assert c.columns["test"][i] < c.columns["test"][-1]               # stopping early helped on test too
    # capacity: the linear model underfits (highest train loss), the big one fits train best
    finals = {n: fitting[f"curves_{n}"].columns["train"][-1] for n in X.FIT_ORDER}
    assert finals["under"] > finals["right"] > finals["over"]


# --------------------------------------------------------------------------- autodiff
@pytest.fixture(scope="module")
def autodiff_rec():
    return E.load("dynamics_autodiff")


def test_autodiff_every_adjoint_shown_equals_a_finite_difference(autodiff_rec):
    from nnviz import autodiff as AD

    g = autodiff_rec["graph"]
    L = AD.evaluate(g, {})
    assert L == g.nodes[g.output]["value"]
    for i, nd in enumerate(g.nodes):                     # every box's ḡ, leaves and interior nodes
        h = 1e-6 * max(1.0, abs(nd["value"]))
        fd = (AD.evaluate(g, {i: nd["value"] + h}) - AD.evaluate(g, {i: nd["value"] - h})) / (2 * h)
        assert nd["grad"] == pytest.approx(fd, rel=1e-6, abs=1e-9), nd["name"]
    # each adjoint is the sum over its edges of child adjoint × local derivative (what the scene says)
    for p in range(len(g.nodes)):
        total = sum(nd["grad"] * d for nd in g.nodes for q, d in zip(nd["parents"], nd["local"]) if q == p)
        if p != g.output:
            assert g.nodes[p]["grad"] == pytest.approx(total, rel=1e-15, abs=1e-15)
    # the backward pass visited every node after all of its consumers
    pos = {i: k for k, i in enumerate(g.order)}
    assert all(pos[c] < pos[p] for c, nd in enumerate(g.nodes) for p in nd["parents"])


def test_autodiff_matches_the_mlp_backprop_and_the_record(autodiff_rec):
    from nnviz.experiments.dynamics import neuron_graph
    from nnviz.nn import MLP

    g, chk = autodiff_rec["graph"], autodiff_rec["check"]
    cfg = g.config
    model = MLP((2, 1), output="sigmoid", loss="mse")
    theta = chk.columns["theta"]
    np.testing.assert_array_equal(theta, [*cfg["w"], cfg["b"]])
    X, Y = np.array([cfg["x"]]), np.array([[cfg["y"]]])
    gm = model.backward(theta, X, Y)
    np.testing.assert_array_equal(chk.columns["mlp"], gm.grad)
    assert g.nodes[g.output]["value"] == pytest.approx(gm.loss, rel=1e-15)
    ad = [g.nodes[g.index(n)]["grad"] for n in chk.meta["names"]]
    np.testing.assert_array_equal(chk.columns["autodiff"], ad)
    np.testing.assert_allclose(ad, gm.grad, rtol=1e-14)            # module == MLP, to rounding
    np.testing.assert_allclose(chk.columns["finite_difference"], gm.grad, rtol=1e-7)
    # a fresh graph from the same config gives the recorded one
    out = neuron_graph(cfg["x"], cfg["w"], cfg["b"], cfg["y"])
    out.backward()
    assert out.value == g.nodes[g.output]["value"]


# --------------------------------------------------------------------------- memory vs batch size
@pytest.fixture(scope="module")
def memory():
    return E.load("dynamics_memory")["memory"]


def test_memory_slope_matches_the_prediction_from_widths_and_dtype(memory):
    c, m = memory.columns, memory.meta
    for net in ("digits", "mnist"):
        sizes = m[net]["sizes"]
        slope, intercept = np.polyfit(c["batch"], c[f"peak_{net}"], 1)          # recomputed from the points
        assert slope == pytest.approx(m[net]["slope"], rel=1e-9)
        parts = X.predicted_floats_per_example(sizes)
        assert parts == m[net]["predicted_floats"]
        predicted = 8 * sum(parts.values())                                      # float64
        assert m[net]["predicted_bytes"] == predicted
        assert abs(slope - predicted) <= 0.10 * predicted                        # the 10 %
        # linear in the batch: the fit leaves little unexplained
        resid = c[f"peak_{net}"] - (intercept + slope * c["batch"])
        assert np.max(np.abs(resid)) < 0.02 * c[f"peak_{net}"].max()
    # the parts as stated: inputs+targets, z and a per layer, backprop's δs
    assert X.predicted_floats_per_example((784, 128, 10)) == {"batch": 794, "forward": 276, "backward": 394}


def test_memory_budget_numbers_on_screen(memory):
    c, m = memory.columns, memory.meta
    mn = m["mnist"]
    assert m["budget_bytes"] == memory.config["budget_mib"] * 2 ** 20
    b = m["max_batch_in_budget"]
    assert mn["intercept"] + mn["slope"] * b <= m["budget_bytes"] < mn["intercept"] + mn["slope"] * (b + 1)
    assert m["full_batch_bytes"] == pytest.approx(mn["intercept"] + mn["slope"] * m["full_batch_mnist"])
    over = c["peak_mnist"] > m["budget_bytes"]
    assert over.any() and not over.all()                   # the budget line cuts the measured range
    assert np.all(c["batch"][over] > b) and np.all(c["batch"][~over] <= b)


def test_memory_measurement_is_reproducible_and_counts_a_known_allocation():
    from nnviz.nn import MLP

    model = MLP((64, 32, 10), hidden="tanh", loss="cce")
    theta = model.init(np.random.default_rng(0))
    rng = np.random.default_rng(1)
    Xa, Ya = rng.random((512, 64)), np.eye(10)[rng.integers(0, 10, 512)]
    a = X.step_peak_bytes(model, theta, Xa, Ya, 256)
    assert abs(a - X.step_peak_bytes(model, theta, Xa, Ya, 256)) <= 1024   # a few Python objects at most
    # 256 more examples cost 256 × the predicted bytes per example (540 KB), within 1 %
    d = X.step_peak_bytes(model, theta, Xa, Ya, 512) - a
    assert d == pytest.approx(256 * 8 * sum(X.predicted_floats_per_example((64, 32, 10)).values()), rel=0.01)


# --------------------------------------------------------------------------- numbers added in the re-layout
def test_lr_decay_circles_and_verdict_numbers(decay):
    """The zoom's circles have the plotted radius (trailing mean distance); the verdict's fixed-η
    number and the decays' range are the shown seed's tails."""
    tails = decay["tails"]
    m = tails.meta
    wmin, seed = np.asarray(m["minimum"]), m["shown_seed"]
    for kind in m["order"]:
        r = X.trailing_mean(X.distances(decay[f"{kind}_{seed}"], wmin), m["tail"])
        assert r[-1] == pytest.approx(tails.columns[kind][seed], rel=1e-12)
    decays = [tails.columns[k][seed] for k in m["order"] if k != "constant"]
    assert max(decays) < tails.columns["constant"][seed]
    # the zoom shows the fixed rate's last circle whole (it fits the surface's window)
    surf = decay["surface"]
    assert tails.columns["constant"][seed] < min(np.ptp(surf.xs), np.ptp(surf.ys)) / 2 * 0.97
    assert np.ptp(surf.xs) == pytest.approx(np.ptp(surf.ys))          # equal ranges: circles are circles


def test_regularization_l1_leaves_most_weights_near_zero(reg):
    st = reg["histogram"].meta["stats"]
    assert st["l1"]["small"] > 0.5 > st["l2"]["small"]                # "under L1 most weights end near 0"


def test_fitting_early_stopped_big_network_beats_the_small_ones_best(fitting):
    """The scene's explanation: stopped at its validation minimum, the 1-64-64-1 network has a lower
    validation loss than the small network ever reaches (its best is its last), and on test too."""
    over, small = fitting["curves_over"], fitting["curves_right"]
    i = over.meta["stop_index"]
    best_small = float(np.min(small.columns["validation"]))
    assert over.columns["validation"][i] < best_small
    k = int(np.argmin(small.columns["validation"]))
    assert over.columns["test"][i] < small.columns["test"][k]
    d = fitting["data"].columns
    assert len(d["x_validation"]) == len(d["x_test"])                   # "15 points each"
    # at the end (no early stop) the big network is worse than the small one on validation: it bent into the noise
    assert over.columns["validation"][-1] > small.columns["validation"][-1]


def test_autodiff_backward_arithmetic_checks_by_hand(autodiff_rec):
    """Every backward equation on screen: the two factors as shown multiply (by hand) to the result as
    shown, that result is the parent's ḡ in its box (each parent here has one consumer), and the
    closing line's 6 decimals are the same for autodiff, the MLP's backprop and finite differences."""
    from nnviz.autodiff import chain_terms, chain_text

    g, chk = autodiff_rec["graph"], autodiff_rec["check"]
    n_terms = 0
    for i in g.order:
        for t in chain_terms(g, i):
            n_terms += 1
            assert f"{float(t['grad']) * float(t['local']):.3f}" == t["result"], chain_text(t)
            assert float(t["grad"]) == pytest.approx(g.nodes[i]["grad"], abs=0.5 * 10 ** -(len(t["grad"].split(".")[1])))
            if not t["accumulates"]:
                assert t["result"] == f"{g.nodes[t['parent']]['grad']:.3f}"
    assert n_terms == sum(len(nd["parents"]) for nd in g.nodes)
    for k in range(len(chk.meta["names"])):
        shown = {f"{chk.columns[c][k]:+.6f}" for c in ("autodiff", "mlp", "finite_difference")}
        assert len(shown) == 1


def test_memory_epoch_sizes_on_screen(memory):
    from nnviz import data as D

    m = memory.meta
    assert m["digits"]["n_train"] == D.digits(seed=0).n
    assert m["mnist"]["n_train"] == E.get("dynamics_memory").config["synthetic_n"]


def test_momentum_distances_after_the_paths(momentum):
    """The line after the paths (same start and step budget for all three): at the end momentum at
    (η*, β*) is closest, too much β next, plain GD (at its best η) farthest."""
    m = momentum["sweep"].meta
    shown = int(np.argmin(np.abs(momentum["sweep"].columns["beta"] - m["shown"][0])))
    runs = [momentum["gd_tuned"], momentum["optimum"], momentum[f"star_{shown}"]]
    d = [X.distances(r, (0.0, 0.0)) for r in runs]
    assert d[0][0] == d[1][0] == d[2][0]
    assert len({r.n_steps for r in runs}) == 1
    assert d[1][-1] < d[2][-1] < d[0][-1]


def test_autodiff_forward_arithmetic_checks_by_hand(autodiff_rec):
    """Every forward equation on screen: the operation on the inputs as shown gives the node's value as
    its box shows it (3 decimals), and the inputs shown round to their boxes' values."""
    from nnviz.autodiff import forward_text

    g = autodiff_rec["graph"]
    ops = {"×": lambda a, b: a * b, "+": lambda a, b: a + b, "−": lambda a, b: a - b}
    seen = 0
    for i, nd in enumerate(g.nodes):
        line = forward_text(g, i)
        if not nd["parents"]:
            assert line == ""
            continue
        seen += 1
        lhs, expr, result = [part.strip() for part in line.split(" = ")]
        assert lhs == nd["name"] and result == f"{nd['value']:.3f}"
        if nd["op"] in ops:
            a, b = (float(t) for t in expr.split(f" {nd['op']} "))
            assert f"{ops[nd['op']](a, b):.3f}" == result
            for shown, p in zip((a, b), nd["parents"]):
                assert f"{shown:.3f}" == f"{g.nodes[p]['value']:.3f}"
        elif nd["op"] == "σ":
            x = float(expr[2:-1])
            assert f"{1 / (1 + np.exp(-x)):.3f}" == result
        elif nd["op"] == "^2":
            x = float(expr[1:expr.index(")")])
            assert expr.endswith("²") and f"{x * x:.3f}" == result
        else:
            raise AssertionError(f"forward equation for op {nd['op']!r} not checked")
    assert seen == sum(1 for nd in g.nodes if nd["parents"])


def test_autodiff_local_derivative_words_match_the_numbers(autodiff_rec):
    """The symbolic line above each backward product says which number the edge multiplies by; it
    names exactly the recorded local derivative: × → the other factor's value, + → 1, − → ±1,
    σ → a(1 − a), square → 2·(input)."""
    from nnviz.autodiff import local_text

    g = autodiff_rec["graph"]
    for i in g.order:
        nd = g.nodes[i]
        if not nd["parents"]:
            assert local_text(g, i) == ""
            continue
        words, (p0, *rest), loc = local_text(g, i), nd["parents"], nd["local"]
        v = [g.nodes[p]["value"] for p in nd["parents"]]
        if nd["op"] == "×":
            assert loc == [v[1], v[0]] or tuple(loc) == (v[1], v[0])
            assert words.endswith(f"= {g.nodes[p0]['name']}")
        elif nd["op"] == "+":
            assert list(loc) == [1.0, 1.0] and words.endswith("= 1")
        elif nd["op"] == "−":
            assert list(loc) == [1.0, -1.0] and words.endswith("= −1")
        elif nd["op"] == "σ":
            assert loc[0] == pytest.approx(nd["value"] * (1 - nd["value"]), rel=1e-12) and "(1 − " in words
        elif nd["op"] == "^2":
            assert loc[0] == pytest.approx(2 * v[0], rel=1e-12) and "= 2·" in words
        else:
            raise AssertionError(f"local derivative words for op {nd['op']!r} not checked")


def test_memory_time_knee_by_the_stated_rule(memory):
    """The time panel: dots = medians of the recorded repeats, bars = min–max; the dashed fit
    t(B) = a·(n/B) + c (a fixed cost a per step, n/B steps per epoch, work c the same for every B),
    refitted here from the medians by least squares; 'fixed cost: a ms a step', '× 512 steps = … s at 16';
    the ring and 'from batch B on, it is under 10 % of the epoch': the first batch where a·n/B ≤ 10 % of
    the fitted epoch. Everything recomputed from the record; nothing asserted about the timings
    themselves (whatever the machine measured, the words must be what the rule gives)."""
    c, m = memory.columns, memory.meta
    tb, times = c["time_batch"], c["epoch_times_mnist"]
    assert np.all(np.diff(tb) > 0) and times.shape == (len(tb), memory.config["time_repeats"])
    assert memory.config["time_repeats"] >= 5 and np.all(np.isfinite(times)) and np.all(times > 0)
    s = X.memory_story(memory)
    med = np.array([sorted(row)[len(row) // 2] for row in times])        # odd count: the middle one
    np.testing.assert_array_equal(s["median"], med)
    np.testing.assert_array_equal(s["lo"], times.min(axis=1))
    np.testing.assert_array_equal(s["hi"], times.max(axis=1))
    n = m["mnist"]["n_train"]
    steps = n / tb
    # least squares by the normal equations (independent of the module's lstsq call)
    A = np.c_[steps, np.ones_like(steps)]
    a, work = np.linalg.solve(A.T @ A, A.T @ med)
    assert s["step_cost"] == pytest.approx(a, rel=1e-6, abs=1e-12) and s["work"] == pytest.approx(work, rel=1e-6)
    share = memory.config["knee_share"]
    ok = [a * k <= share * (work + a * k) for k in steps]
    B = int(tb[ok.index(True)]) if any(ok) else int(tb[-1])
    assert s["knee"] == B
    assert s["why"] == [f"fixed cost: {a * 1e3:.2f} ms a step",
                        f"× {n // int(tb[0]):,} steps = {a * n / tb[0]:.2f} s at {int(tb[0]):,}"]
    assert s["knee_from"] == f"from batch {B:,} on, it is"
    assert s["knee_line"] == f"under {round(100 * share)} % of the epoch"
    # the step counts under the first and last tick: an epoch of n examples is n / B steps
    assert s["steps"][0] == f"{n // int(tb[0]):,} steps" and s["steps"][-1] == "1 step" and int(tb[-1]) == n
    # 'median of 5 epochs (they spread ≤ x %)': the widest min–max bar as a share of its median
    assert s["spread"] == (f"median of {times.shape[1]} epochs (they spread ≤ "
                           f"{int(np.ceil(100 * max((times.max(1) - times.min(1)) / med)))} %)")
    assert s["fit_key"] == f"- - fit: {a * 1e3:.2f} ms × steps + {work:.3f} s"
    # the trade-off: past B, among the timed batches that fit the budget, the most time saved, and the
    # memory at the largest batch that fits vs at B (the measured straight line)
    cap, mn = m["max_batch_in_budget"], m["mnist"]
    assert s["cap_label"] == f"fits {m['budget_bytes'] / 2 ** 20:g} MiB up to {cap:,}"
    past = [t for b_, t in zip(tb, med) if B < b_ <= cap]
    gain = int(np.ceil(100 * (1 - min(past) / med[list(tb).index(B)]))) if past else 0
    ratio = (mn["intercept"] + mn["slope"] * cap) / (mn["intercept"] + mn["slope"] * B)
    assert s["takeaway"] == [f"past {B:,}: " + (f"≤ {gain} % faster," if gain > 0 else "no faster,"),
                             f"≈ {ratio:.0f}× the memory at {cap:,}"]
    # the timing lives only in the declared timing field (kept out of any exactness check)
    assert m["timing"] == ["epoch_times_mnist"]


def test_memory_knee_rule_on_made_up_timings():
    """The fit and the rule on made-up medians with a known answer (not timings): t = 1 ms · n/B + 0.05 s."""
    b = np.array([16, 64, 256, 1024, 4096])
    n = 4096
    t = 1e-3 * n / b + 0.05
    a, c = X.step_cost_fit(b, t, n)
    assert a == pytest.approx(1e-3) and c == pytest.approx(0.05)
    # fixed cost per epoch: 0.256, 0.064, 0.016, 0.004, 0.001 s; 10 % of the epoch first holds at 1,024
    assert X.knee(b, a, c, n, 0.10) == 1024 and X.knee(b, a, c, n, 0.30) == 256 and X.knee(b, a, c, n, 0.9) == 16
    assert X.knee(b, -1e-3, c, n, 0.10) == 16                     # no fixed cost: nothing to level off from
    med, lo, hi = X.timing_summary([[3, 1, 2], [5, 4, 6]])
    assert list(med) == [2, 5] and list(lo) == [1, 4] and list(hi) == [3, 6]


def test_memory_fixed_cost_is_the_gradient(memory):
    """'+ 0.78 MiB: the gradient (101,770 weights × 8 B, once)': the fitted intercept of the straight
    line is one float64 per weight (the gradient `backward` allocates, whatever the batch), within a
    few Python objects, for both nets; the weight count follows from the widths."""
    c, m = memory.columns, memory.meta
    for net in ("digits", "mnist"):
        sizes = m[net]["sizes"]
        n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        assert m[net]["n_params"] == n_params
        assert m[net]["predicted_fixed_bytes"] == 8 * n_params
        slope, intercept = np.polyfit(c["batch"], c[f"peak_{net}"], 1)
        assert intercept == pytest.approx(m[net]["intercept"], rel=1e-9)
        assert abs(intercept - 8 * n_params) <= 4096
    assert m["mnist"]["n_params"] == 101_770
    s = X.memory_story(memory)
    assert s["fixed"] == f"+ {m['mnist']['intercept'] / 2 ** 20:.2f} MiB: the gradient"
    assert s["fixed_why"] == "(101,770 weights × 8 B, once)"


def test_memory_per_example_sum_as_written(memory):
    """The sum on screen, term by term from the widths: input + target, 2 × (hidden + output) for z and a,
    output δ + 3 × hidden for backprop; their total × 8 B is the predicted slope."""
    mn = memory.meta["mnist"]
    n0, h, nl = mn["sizes"]
    f = mn["predicted_floats"]
    assert f["batch"] == n0 + nl and f["forward"] == 2 * (h + nl) and f["backward"] == nl + 3 * h
    assert mn["predicted_bytes"] == mn["bytes_per_float"] * (f["batch"] + f["forward"] + f["backward"])
    # the lines as written: each row's arithmetic, the explicit sum, × 8 B
    s = X.memory_story(memory)
    for row in s["rows"] + [s["sum"]]:
        lhs, rhs = row.split(": ")[-1].split(" = ")
        assert eval(lhs.replace("×", "*")) == int(rhs.replace(",", ""))
    assert s["rows"] == [f"x, y: {n0} + {nl} = {f['batch']}", f"z, a: 2 × ({h} + {nl}) = {f['forward']}",
                         f"δs: {nl} + 3 × {h} = {f['backward']}"]
    total = f["batch"] + f["forward"] + f["backward"]
    assert s["sum"] == f"{f['batch']} + {f['forward']} + {f['backward']} = {total:,}"
    assert s["bytes"] == f"× 8 B = {8 * total:,} B" and 8 * total == mn["predicted_bytes"] == 11_712
    assert s["delta_notes"] == [f"{nl}: δ at the output", f"3 × {h}: δ·Wᵀ, f′(z), δ hidden"]


def test_momentum_why_line(momentum):
    """The 'why' under the sweep: η* exceeds plain GD's stability limit 2/λmax (so too little β diverges),
    and above β* the measured rate at η* is the ringing rate √β."""
    sw = momentum["sweep"]
    m, c = sw.meta, sw.columns
    assert m["eta_star"] > 2 / m["lambda_max"]
    above = c["beta"] > m["beta_star"]
    assert above.sum() >= 3
    np.testing.assert_allclose(c["rate_star"][above], np.sqrt(c["beta"][above]), rtol=0.01)


def test_regularization_drawn_contour_is_the_level_set_through_the_optimum(reg):
    """The white curve in each panel: every point has the data loss of the current optimum, and the
    optimum itself lies on it (so the contour and the penalty's ball meet at w)."""
    p = reg["path"]
    A, b, c = np.array(p.meta["A"]), np.array(p.meta["b"]), p.meta["c"]
    J = lambda v: 0.5 * np.einsum("...i,ij,...j->...", v, A, v) - v @ b + c
    for kind in ("l2", "l1"):
        for w in p.columns[kind][[1, len(p.columns[kind]) // 2, -1]]:
            pts = X.level_ellipse(A, p.meta["w_ls"], w)
            np.testing.assert_allclose(J(pts), J(w), rtol=1e-9, atol=1e-12)
            assert np.min(np.linalg.norm(pts - w, axis=1)) < 0.05 * np.linalg.norm(w - np.array(p.meta["w_ls"])) + 1e-9


def test_momentum_race_runs_ringed_on_the_sweep(momentum):
    """The rings on the sweep: plain GD is the β = 0 point of the η = GD's-best series, the too-much-β
    run is the sweep's point at its β, and the (η*, β*) run is the large dot at β*."""
    sw = momentum["sweep"]
    c, m = sw.columns, sw.meta
    i0 = int(np.flatnonzero(c["beta"] == 0.0)[0])
    assert c["rate_gd"][i0] == momentum["gd_tuned"].meta["rate"]
    assert sw.meta["eta_gd"] == pytest.approx(momentum["gd_tuned"].config["optimizer"]["lr"]["lr"])
    ih = int(np.argmin(np.abs(c["beta"] - m["shown"][0])))
    assert c["beta"][ih] == m["shown"][0] and momentum[f"star_{ih}"].meta["beta"] == m["shown"][0]
    assert momentum["optimum"].meta["rate"] < c["rate_star"].min()      # the big dot is below every grid point


def test_memory_budget_arithmetic_adds_up_as_written(memory):
    """'(64 − 0.78) MiB / 11,712 B = 5,660 examples fit' and 'full batch 60,000: 671 MiB': the numbers a
    student reads, with their rounding, give the numbers on screen (and the record's)."""
    m = memory.meta
    s = X.memory_story(memory)
    mib = 2 ** 20
    fixed = float(s["fixed"].split()[1])                   # as written, e.g. 0.78
    slope = round(m["mnist"]["slope"])
    budget = m["budget_bytes"] / mib
    assert s["cap"] == f"({budget:g} − {fixed:.2f}) MiB / {slope:,} B"
    cap = int((budget - fixed) * mib // slope)
    assert cap == m["max_batch_in_budget"] and s["cap_value"] == f"= {cap:,} examples fit"
    full = m["full_batch_mnist"]
    assert s["full"] == f"full batch {full:,}: {round(fixed + full * slope / mib):,} MiB"
    assert s["full"] == f"full batch {full:,}: {m['full_batch_bytes'] / mib:,.0f} MiB"

def test_memory_slopes_on_screen_are_the_straight_lines_drawn(memory):
    """'N B per example' beside each net: the measured slope on the linear batch axis, within 10 % of
    the dashed prediction drawn through the dots (so the dots lie on a straight line of that slope)."""
    c, m = memory.columns, memory.meta
    for net in ("digits", "mnist"):
        slope = np.polyfit(c["batch"], c[f"peak_{net}"], 1)[0]
        assert f"{slope:,.0f}" == f"{m[net]['slope']:,.0f}"
        assert abs(m[net]["slope"] - m[net]["predicted_bytes"]) <= 0.10 * m[net]["predicted_bytes"]


def test_autodiff_closing_lines_on_screen(autodiff_rec):
    """'* central difference (L(θ+h) − L(θ−h)) / 2h with h = 10⁻⁶' is how the finite-difference column
    was computed (recomputed here from the MLP), and 'one backward pass gives all 3 gradients': every
    parameter's adjoint comes from the single recorded backward visit order."""
    from nnviz.nn import MLP

    g, chk = autodiff_rec["graph"], autodiff_rec["check"]
    h = chk.meta["h"]
    assert 10.0 ** round(np.log10(h)) == h == 1e-6
    model = MLP((2, 1), output="sigmoid", loss="mse")
    theta = chk.columns["theta"]
    cfg = E.get("dynamics_autodiff").config
    X, Y = np.array([cfg["x"]], float), np.array([[cfg["y"]]], float)
    fd = [(model.loss_value(theta + h * e, X, Y) - model.loss_value(theta - h * e, X, Y)) / (2 * h)
          for e in np.eye(theta.size)]
    np.testing.assert_array_equal(chk.columns["finite_difference"], fd)
    names = chk.meta["names"]
    assert len(names) == 3 and names == g.meta["params"]
    for nm, v in zip(names, chk.columns["autodiff"]):
        i = g.index(nm)
        assert i in g.order or not g.nodes[i]["parents"]
        assert g.nodes[i]["grad"] == v
