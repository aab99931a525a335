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
from nnviz import tuning as T
from nnviz.experiments import descent as X
from nnviz.experiments import descent_views as TR
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
    for name in R.REGIMES:
        m, lr = regimes[name].meta, regimes[name].learning_rate
        assert m["lambda_max"] == pytest.approx(lam)
        assert lr * lam == pytest.approx(m["eta_lambda"])
        assert R.classify(lr, lam) == name == m["regime"] == m["band"]


def test_optimal_rate_and_per_direction_factors(regimes):
    """The why on screen: one step scales the distance along the steep / flat eigen-direction by
    |1 − ηλ_max| / |1 − ηλ_min|; the larger sets the pace, so final losses follow it; the best fixed
    rate 2/(λ_min + λ_max) makes both equal and beats every other converging rate."""
    obj = O.quadratic(**E.get("descent_regimes").config["objective"])
    lmin, lmax = np.linalg.eigvalsh(obj.hessian(np.zeros(2)))
    opt = regimes["optimal"].meta
    assert regimes["optimal"].learning_rate == pytest.approx(2 / (lmin + lmax))
    assert opt["lambda_min"] == pytest.approx(lmin)
    assert opt["factors"]["steep"] == pytest.approx(opt["factors"]["flat"])
    converging = [n for n in X.REGIME_ORDER if n != "diverging"]
    for n in X.REGIME_ORDER:
        m, lr = regimes[n].meta, regimes[n].learning_rate
        f = {"steep": abs(1 - lr * lmax), "flat": abs(1 - lr * lmin)}
        assert m["factors"] == pytest.approx(f) and m["rate"] == pytest.approx(max(f.values()))
    for n in converging:  # the measured decay per step approaches rate² (loss is quadratic in distance)
        loss = regimes[n].loss
        assert loss[-1] / loss[-2] == pytest.approx(regimes[n].meta["rate"] ** 2, rel=0.02)
        assert regimes[n].meta["rate"] >= opt["rate"] - 1e-12
    finals = {n: regimes[n].loss[-1] for n in converging}
    by_rate = sorted(converging, key=lambda n: regimes[n].meta["rate"])
    assert sorted(converging, key=finals.get) == by_rate
    # the surprise the scene explains: oscillating ends lower than smooth, the flat axis is why
    assert finals["oscillating"] < finals["smooth"]
    assert regimes["smooth"].meta["factors"]["flat"] > regimes["oscillating"].meta["factors"]["steep"]


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


def test_variants_lesson_on_screen_is_what_the_records_say(variants):
    """The words the scene shows: per epoch (median over the epoch's updates) SGD is close after one epoch,
    then stalls while batch GD keeps falling and mini-batch ends lowest; per step batch GD ends lowest."""
    e = {v: variants[f"{v}_epochs"] for v in X.VARIANT_ORDER}
    st = {v: variants[f"{v}_steps"] for v in X.VARIANT_ORDER}
    prob = exact.linear_regression(**E.get("descent_variants").config["data"])
    for runs in (e, st):  # the full-data loss the scene draws is the exact loss at the recorded θ, every update
        for r in runs.values():
            assert np.array_equal(r.eval_steps, np.arange(r.n_steps + 1))
            for k in (1, r.n_steps // 2, r.n_steps):
                theta = r.thetas[np.searchsorted(r.steps, k)]
                assert r.train_loss[k] == pytest.approx(prob.model.loss_value(theta, prob.data.X, prob.data.Y),
                                                        rel=1e-9)
    floor = variants["surface"].meta["min_loss"]
    med = {}
    for v, r in e.items():  # the thick per-epoch line: the median of each epoch's losses, by hand
        spe, ex = r.config["steps_per_epoch"], np.maximum(r.train_loss - floor, 1e-12)
        med[v] = np.r_[ex[0], [np.median(ex[k * spe + 1:(k + 1) * spe + 1]) for k in range(r.config["epochs"])]]
        ep, got = TR.epoch_medians(r, floor)
        assert np.array_equal(ep, np.arange(r.config["epochs"] + 1)) and np.allclose(got, med[v], rtol=0, atol=0)
    assert med["stochastic"][1] < 0.1 * med["batch"][1]
    lo, hi = med["stochastic"][1:].min(), med["stochastic"][1:].max()
    assert hi < 1.7 * lo  # stalls: from epoch 1 on its level stays within a factor 1.7 …
    assert np.all(np.diff(med["batch"]) < 0) and med["batch"][-1] < 0.1 * med["batch"][1]  # … batch GD keeps falling
    assert med["minibatch"][-1] < med["stochastic"][-1] < med["batch"][-1]  # mini-batch ends lowest, named
    assert st["batch"].train_loss[-1] < st["minibatch"].train_loss[-1] < st["stochastic"].train_loss[-1]
    # the captions' numbers, recomputed
    words = TR.lesson(variants)
    n = variants["surface"].config["problem"]["n"]
    assert words["open"][0] == f"Fit ŷ = w·x + b to {n} points; same start, same η = {e['batch'].lr[0]:g}."
    assert words["one_epoch"][0].startswith(f"Epoch 1: SGD {med['stochastic'][1]:.2g}, batch GD {med['batch'][1]:.2g}.")
    assert f"SGD made {e['stochastic'].config['steps_per_epoch']} updates and batch GD 1." in words["one_epoch"][1]
    assert words["stall"][0].startswith(f"From epoch 1 on SGD stays at {lo:.2g}–{hi:.2g}.")
    assert words["epochs_end"][0] == (f"Epoch {e['batch'].config['epochs']}: mini-batch {med['minibatch'][-1]:.2g}, "
                                      f"SGD {med['stochastic'][-1]:.2g}, batch GD {med['batch'][-1]:.2g}.")
    assert f"averages {e['minibatch'].meta['batch_size']} points" in words["epochs_end"][1]
    assert f"{e['minibatch'].config['steps_per_epoch']} steps per epoch. It ends lowest." in words["epochs_end"][2]
    gap = st["batch"].train_loss[-1] - floor
    assert gap < 1e-3 and f"batch GD 10{TR.small(gap)[2:]}" in words["steps_end"][0]
    assert f"mini-batch {st['minibatch'].train_loss[-1] - floor:.2g}" in words["steps_end"][0]
    assert f"SGD {st['stochastic'].train_loss[-1] - floor:.2g}" in words["steps_end"][0]
    assert e["batch"].meta["batch_size"] == n and f"each step costs {n}× SGD's" in words["steps_end"][1]
    assert words["steps_open"] == [f"Now {st['batch'].n_steps} steps each: a batch-GD step averages all {n} points'",
                                   f"gradients, a mini-batch step {e['minibatch'].meta['batch_size']}, an SGD step 1."]
    assert all(len(lines) <= 3 and all(len(x) <= 72 for x in lines) for lines in words.values())
    # per step batch GD stays below SGD from the caption's moment on, and not before
    k = TR.lead_step(variants)
    assert np.all(st["batch"].train_loss[k:] < st["stochastic"].train_loss[k:])
    assert k == 0 or st["batch"].train_loss[k - 1] >= st["stochastic"].train_loss[k - 1]
    # the zoom holds SGD's last half-run jitter; the shared η is stable for batch GD (η·λ_max < 2)
    h = TR.zoom_window(variants)
    m = np.asarray(variants["surface"].meta["minimum"])
    tail = e["stochastic"].thetas[len(e["stochastic"].thetas) // 2:]
    assert np.all(np.abs(tail - m) <= h)
    prob = exact.linear_regression(**E.get("descent_variants").config["data"])
    X_ = np.c_[prob.data.X[:, 0], np.ones(prob.data.n)]
    lam = np.linalg.eigvalsh(2 * X_.T @ X_ / prob.data.n).max()  # MSE's Hessian in (w, b), by hand
    assert variants["surface"].meta["lambda_max"] == pytest.approx(lam, rel=1e-4)
    assert e["batch"].lr[0] * lam < 2


def test_digits_eta_is_tuned_per_batch_size():
    """Chosen η = argmin of the final training loss over the recorded stable grid points; the chosen
    run (trained again with denser evaluation: the same trajectory) passes the stability rule on its
    per-epoch losses; the timing the wall-clock view uses is the declared timing field."""
    from nnviz.records import Run
    from nnviz.render.pacing import Progress  # noqa: F401  (NumPy only: importable in claim tests)

    rec = E.load("descent_digits")
    for name, run in rec.items():
        tun = run.meta["tuning"]
        f = np.where(tun["stable"], tun["final_train_loss"], np.inf)
        assert tun["chosen"] == int(np.argmin(f)) and run.meta["lr"] == tun["lrs"][tun["chosen"]]
        assert run.lr[0] == run.meta["lr"] and run.train_loss[-1] == tun["final_train_loss"][tun["chosen"]]
        loss = TR.per_epoch(run)["train_loss"]
        assert T.stable_curve(loss) and not run.diverged
        # the stated jump rule, recomputed: after the first 10 % of epochs never above jump × the best so far
        w = int(np.ceil(0.1 * loss.size))
        assert np.all(loss[w:] <= tun["jump"] * np.minimum.accumulate(loss)[w - 1:-1])
        assert X.steady(loss, tun["jump"])
        assert not X.steady(np.r_[2.0, 1.0, 0.1, 0.01, 0.9, 0.005, 0.004, 0.003, 0.002, 0.001], 5.0)  # a 90× spike
        assert 0 < tun["chosen"] < len(tun["lrs"]) - 1, f"{name}: chosen η at the edge of the grid"
        assert run.meta["timing"] == X.TIMING_RULE  # each epoch timed twice, the faster kept
    assert "epoch_time" in Run.TIMING
    assert np.array_equal(X.faster_epochs([3.0, 1.0, 2.0], [1.0, 2.0, 2.0]), [1.0, 1.0, 2.0])
    with pytest.raises(ValueError):
        X.faster_epochs([1.0, 2.0], [1.0])


def test_digits_trade_off_on_screen_is_what_the_records_say():
    """The scene's conclusion (per epoch vs per second), recomputed from the records by hand: each
    run's clock is its median epoch time (step t of an epoch of S steps at t/S of it); the budget is
    the full batch's 25 epochs at its median; a run's loss there is the median of its evaluations
    within ±0.05 decade of it, its bar the lowest 25th to the highest 75th percentile of such windows
    for a budget read at any epoch time between its quartiles; a batch size ties the lowest when its
    bar overlaps the lowest one's bar (neither loss noise nor timing noise can order them)."""
    rec = E.load("descent_digits")
    runs = {r.meta["batch_size"]: r for r in rec.values()}
    assert sorted(runs) == [1, 16, 32, 64, 128, 256, 512, max(runs)]
    full = runs[max(runs)]
    budget = float(np.median(full.epoch_time)) * full.config["epochs"]

    def loss_at(r, epoch_time):
        k = 0
        while k + 1 < r.eval_steps.size and epoch_time * r.eval_steps[k + 1] / r.config["steps_per_epoch"] <= budget * (1 + 1e-12):
            k += 1
        return k, float(r.test_loss[k])

    def window(r, t):  # (q25, median, q75) of the evaluations (t > 0) within ±0.05 decade of t, by a loop
        med = float(np.median(r.epoch_time))
        ys = [float(y) for s_, y in zip(r.eval_steps, r.test_loss)
              if s_ > 0 and abs(np.log10(med * s_ / r.config["steps_per_epoch"]) - np.log10(t)) <= 0.05 + 1e-12]
        return np.percentile(ys, [25, 50, 75]) if ys else np.full(3, np.nan)

    final = {b: float(r.test_loss[-1]) for b, r in runs.items()}
    at = {b: loss_at(r, float(np.median(r.epoch_time))) for b, r in runs.items()}
    mid_at = {b: float(window(r, budget)[1]) for b, r in runs.items()}
    rng = {}
    for b, r in runs.items():
        q1, q3 = np.percentile(r.epoch_time, [25, 75])
        assert r.epoch_time.size >= 5  # every time shown is a median of at least 5 measured epochs
        med = float(np.median(r.epoch_time))
        w = np.array([window(r, t) for t in np.geomspace(budget * med / q3, budget * med / q1, 9)])
        rng[b] = (np.nanmin(w[:, 0]), np.nanmax(w[:, 2]))
        assert rng[b][0] <= mid_at[b] <= rng[b][1]  # the mark sits on its bar
    got = TR.budgets(rec)
    assert got["budget"] == pytest.approx(budget)
    assert got["epochs"] == pytest.approx(final) and got["seconds"] == pytest.approx(mid_at)
    assert sorted(got["spread"]) == sorted(rng)
    assert all(got["spread"][b] == pytest.approx(rng[b]) for b in rng)
    best_e = sorted(b for b in final if final[b] <= 1.05 * min(final.values()))
    best = min(mid_at, key=mid_at.get)  # the lowest loss at the budget
    best_s = sorted(b for b in rng if rng[b][0] <= rng[best][1])  # bars overlapping its bar: a tie
    assert got["best"] == best and got["best_epochs"] == best_e and got["best_seconds"] == best_s
    # the mechanism on screen: what one update costs, how many each run made by the budget, the largest stable η
    med = {b: float(np.median(r.epoch_time)) for b, r in runs.items()}
    spe = {b: r.config["steps_per_epoch"] for b, r in runs.items()}
    assert got["per_update"] == pytest.approx({b: med[b] / spe[b] for b in runs})
    assert got["updates"] == {b: int(r.eval_steps[at[b][0]]) for b, r in runs.items()}
    assert all(got["updates"][b] <= budget / (med[b] / spe[b]) * (1 + 1e-9) for b in runs)  # no update past it
    top = {b: max(x for x, ok in zip(r.meta["tuning"]["lrs"], r.meta["tuning"]["stable"]) if ok)
           for b, r in runs.items()}
    assert got["top_lr"] == top
    words = TR.trade_off_words(rec)
    bs_all = sorted(runs)

    def name(bs):  # a range only for three or more neighbouring batch sizes
        return ", ".join(map(str, bs)) if len(bs) < 3 or bs != [x for x in bs_all if bs[0] <= x <= bs[-1]] \
            else f"{bs[0]}–{bs[-1]}"

    assert words["after_epochs"][0].startswith(f"After {full.config['epochs']} epochs: b = {name(best_e)} lowest")
    rest = {b: v for b, v in final.items() if b not in best_e}
    drops = [(rest[a] / rest[c], a, c) for a, c in zip(sorted(rest), sorted(rest)[1:]) if rest[c] < 0.95 * rest[a]]
    if drops:  # the pair named: the larger batch ends lower, each at its own tuned η
        _, a, c = max(drops)
        assert words["after_epochs"][0].endswith(f"b = {a} trails b = {c}:")
        tun = runs[a].meta["tuning"]
        nxt = tun["chosen"] + 1  # the reason: the next rate up on the grid was unstable for the smaller batch
        if nxt < len(tun["lrs"]) and not tun["stable"][nxt]:
            assert words["after_epochs"][1] == (f"η = {tun['lrs'][nxt]:g} was unstable for b = {a}, so it got "
                                                f"{runs[a].meta['lr']:g}; b = {c} got {runs[c].meta['lr']:g}.")
        else:
            assert words["after_epochs"][1] == f"b = {a} got η = {runs[a].meta['lr']:g}, b = {c} got {runs[c].meta['lr']:g}."
    else:
        assert "trails" not in words["after_epochs"][0]
    others = [b for b in best_s if b != best]
    mid = TR.digits_runs(rec)["minibatch"]  # the drawn mid-size run: the batch size best at the budget
    m = mid.meta["batch_size"]
    assert m == (best if best not in (1, max(runs)) else rec["minibatch"].meta["batch_size"])
    # the mid-size run's drawn curve (running median) against b = 1's wherever both are drawn, by a loop
    c1, cm = (TR.smooth_log(TR.median_clock(runs[k])[1:], runs[k].test_loss[1:]) for k in (1, m))
    lo_t, hi_t = max(c1[0][0], cm[0][0]), min(c1[0][-1], cm[0][-1])
    below = all(np.interp(np.log10(g), np.log10(cm[0]), cm[1]) < np.interp(np.log10(g), np.log10(c1[0]), c1[1])
                for g in np.geomspace(lo_t, hi_t, 50))
    assert TR.below_while_both(rec, m, 1) == ((pytest.approx(lo_t), pytest.approx(hi_t)), below)
    nxt = min((x for x in mid_at if x != best), key=mid_at.get)  # the runner-up at the budget
    d = 2  # decimals: the fewest (≥ 2) at which the printed bars still do not overlap
    while not others and d < 4 and not round(rng[best][1], d) < round(rng[nxt][0], d):
        d += 1
    head = f"After {budget:.2g} s: b = {best} lowest, {mid_at[best]:.{d}f} (bar {rng[best][0]:.{d}f}–{rng[best][1]:.{d}f});"
    if others:  # a tie within noise: named as such
        verdict = [head, f"b = {name(others)}'s bar overlap{'s' if len(others) == 1 else ''} it: a tie."]
    else:
        verdict = [head, f"next b = {nxt}, {mid_at[nxt]:.{d}f} (bar {rng[nxt][0]:.{d}f}–{rng[nxt][1]:.{d}f}): no overlap."]
    if below:
        verdict.append(f"b = {m} is below b = 1 at every time both ran (to {hi_t:.2g} s).")
    assert words["after_time"] == verdict
    assert words["budget"][0] == f"Dotted: {budget:.2g} s = batch GD's {full.config['epochs']} epochs. Updates by then:"
    pu, u = {b: med[b] / spe[b] for b in runs}, got["updates"]
    assert words["epoch"] == [f"Per epoch, b = 1 wins: {spe[1]} updates per epoch; batch GD makes {spe[max(runs)]}."]
    same = max(pu[1], pu[m]) <= 1.5 * min(pu[1], pu[m])
    extra = float(TR.ms(pu[m])) - float(TR.ms(pu[1]))  # the difference of the two numbers shown
    r = float(TR.ms(pu[m])) / float(TR.ms(pu[1]))
    assert words["second"][0] == f"One update: {TR.ms(pu[1])} ms at b = 1, {TR.ms(pu[m])} ms at b = {m}" + \
        (":" if same else ".")
    assert words["second"][1] == (f"{m} examples take {pu[m] / pu[1]:.1f}× the time of 1." if not same else
                                  f"a fixed cost per step: about equal, {100 * (1 - r):.0f} % less at b = {m}."
                                  if r < 0.9 else f"a fixed cost per step: {m - 1} more examples add about nothing."
                                  if r <= 1.1 else f"a fixed cost per step: {m - 1} more examples add only {extra:.2g} ms.")
    assert words["budget"][1] == f"b = 1: {u[1]}, b = {m}: {u[m]}, batch GD: {u[max(runs)]}."
    many = "About as many" if max(u[1], u[m]) <= 1.1 * min(u[1], u[m]) else "More" if u[m] > u[1] else "Fewer"
    counted = "" if many == "About as many" else f" ({u[m]} vs {u[1]})"  # a real difference is said, with its numbers
    assert words["why"] == [f"{many} updates{counted}, {'but ' if many == 'Fewer' else ''}better ones: {m} examples each,",
                            f"stable at η = {runs[m].meta['lr']:g}; b = 1 is unstable above η = {top[1]:g}."]
    assert runs[m].meta["lr"] > top[1]  # the mid-size batch's rate is one b = 1 cannot take
    lrs = full.meta["tuning"]["lrs"]
    assert words["open"][0] == f"8×8 digits; η per b: lowest training loss of {len(lrs)} rates ({lrs[0]:g}–{lrs[-1]:g})."
    assert words["open"][1].endswith(f"right: all {len(runs)} batch sizes")
    assert words["clock"] == [f"Time = epochs × median of {full.epoch_time.size} epoch times (each the faster of 2).",
                              "Faint: each evaluation. Bold: median of those within ±12 % in time."]
    first = "b = 1" if best_e == [1] else f"b = {name(best_e)}"
    last = f"in {budget:.2g} s, b = {name(best_s)} tie" if others else f"in {budget:.2g} s, b = {best} does"
    assert words["takeaway"] == [f"Per epoch, {first} learns most; {last}" + (":" if best == m else "."),
                                 ("" if best == m else f"b = {m}: ") +
                                 (f"about as many updates as b = 1" if many == "About as many" else
                                  f"{many.lower()} updates{counted}") + f", each averaging {m} examples,",
                                 f"so η = {runs[m].meta['lr']:g} stays stable (b = 1: at most {top[1]:g})."]
    # the legend's times: median (quartiles) of the run's measured epochs
    t = TR.epoch_times(full)
    assert TR.time_range(t) == f"{TR.ms(med[max(runs)])} ms ({TR.ms(np.percentile(full.epoch_time, 25))}–" \
                               f"{TR.ms(np.percentile(full.epoch_time, 75))})"
    # the trade-off itself: the per-epoch winner is not a per-second leader, and per example the full
    # batch's epoch costs less time than b = 1's (the reason in words)
    assert not set(best_e) & set(best_s)
    assert med[max(runs)] < med[1]


def test_digits_records_curves_and_epoch_times():
    rec = E.load("descent_digits")
    cfg = E.get("descent_digits").config
    full = rec["batch"]
    budget = float(np.median(full.epoch_time)) * cfg["epochs"]
    for name in ["batch", "stochastic", "minibatch"] + [f"b{b}" for b in cfg["sweep"]]:
        run = rec[name]
        pe = TR.per_epoch(run)
        assert np.array_equal(pe["epoch"], np.arange(cfg["epochs"] + 1))  # epoch 0 .. epochs
        spe = run.config["steps_per_epoch"]
        k = np.diff(run.eval_steps)
        assert np.all(k == k[0]) and spe % k[0] == 0 and (spe // k[0] >= cfg["evals_per_epoch"] or k[0] == 1)
        assert np.all(np.isfinite(run.test_loss)) and np.all(np.isfinite(run.train_loss))
        assert run.epoch_time.size == cfg["epochs"] and np.all(run.epoch_time > 0)
        assert run.mean_epoch_time == pytest.approx(run.epoch_time.mean()) and "mean_epoch_time" not in run.meta
    # b = 1 has a measured loss inside the budget (evaluated within its first epoch), not only at epoch 0
    assert TR.reached(rec["stochastic"], budget) > 0
    # at matched epochs (each at its tuned η), more updates per epoch still means lower training loss here
    assert rec["stochastic"].train_loss[-1] < rec["minibatch"].train_loss[-1] < rec["batch"].train_loss[-1]


# ---------------------------------------------------------------- 3. race
def _excess(obj, theta):
    return float(obj.value(np.asarray(theta, float))) - obj.min_value


@pytest.mark.parametrize("surf", list(X.RACES))
def test_race_protocol_and_stated_ranking(race, surf):
    """Same start and budget for all; the stated ranking is the ranking of final losses recomputed
    from the recorded θ (ties within 1 %)."""
    obj = O.get(surf)
    runs = {n: race[f"{surf}__{n}"] for n in X.RACE_ORDER}
    for r in runs.values():
        assert np.array_equal(r.thetas[0], np.array(obj.start))
        assert r.n_steps == X.RACES[surf]["steps"]
    finals = {n: _excess(obj, r.thetas[-1]) for n, r in runs.items()}
    for n, r in runs.items():
        assert r.meta["final_loss"] == pytest.approx(finals[n], rel=1e-12, abs=1e-15)
    stated = race[f"{surf}__surface"].meta["ranking"]
    assert stated == race[f"{surf}__tuning"].meta["ranking"]
    flat = [n for place in stated for n in place]
    assert sorted(flat) == sorted(X.RACE_ORDER)
    # independent grouping: sorted by final loss, a value within 1 % (or 1e-12) of its place's best joins it
    expect = []
    for n in sorted(finals, key=finals.get):
        if expect and abs(finals[n] - finals[expect[-1][0]]) <= max(0.01 * finals[expect[-1][0]], 1e-12):
            expect[-1].append(n)
        else:
            expect.append([n])
    # the places as sets: inside a tie the tuning's tie-break orders them (recomputed in test_race_words)
    assert [sorted(p) for p in stated] == [sorted(p) for p in expect]


@pytest.mark.parametrize("surf", list(X.RACES))
def test_race_uses_the_chosen_rate_from_the_recorded_grid(race, surf):
    """Chosen η = argmin of the final loss over the recorded *stable* grid points (tie-break: first to the
    tied level, then smaller η), and that is the η the
    race ran with; the grid is shared, ≥ 5 per decade, covers 1e-5…1, and brackets every choice."""
    tun = race[f"{surf}__tuning"]
    lrs, F, S = tun.lrs, tun.final_loss, tun.stable.astype(bool)
    per = np.diff(np.log10(lrs))
    assert np.allclose(per, per[0]) and 1 / per[0] >= 5 - 1e-9
    assert lrs[0] <= 1e-5 * (1 + 1e-9) and lrs[-1] >= 1.0 * (1 - 1e-9)
    for i, name in enumerate(tun.meta["names"]):
        k = int(tun.chosen[i])
        # the lowest stable final loss (ties within 1 % or 1e-12 broken by the tuning's recorded step to
        # the tied level, then the smaller η: recomputed by retraining in test_race_words)
        best = F[i][S[i]].min()
        tied = [j for j in np.flatnonzero(S[i]) if abs(F[i, j] - best) <= max(0.01 * best, 1e-12)]
        assert S[i].any() and k == min(tied, key=lambda j: (int(tun.reach[i, j]), j))
        assert 2 <= k <= len(lrs) - 3, f"{name}: chosen η within 2 grid points of an end of the grid"
        run = race[f"{surf}__{name}"]
        assert run.meta["hyper"]["lr"] == lrs[k] == tun.meta["chosen_lr"][name]
        assert run.meta["final_loss"] == pytest.approx(F[i, k], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("surf", list(X.RACES))
def test_stability_labels_by_retraining(race, surf):
    """Independent oracle for the stability rule: retrain the chosen η and its two neighbours and
    check 'never diverges, loss never above 10 × the start loss, loss ≤ start loss after the first
    10 % of steps'."""
    from nnviz import optim
    from nnviz.train import train

    obj = O.get(surf)
    prob = O.ObjectiveProblem(obj)
    tun = race[f"{surf}__tuning"]
    steps = tun.config["steps"]
    for i, name in enumerate(tun.meta["names"]):
        k = int(tun.chosen[i])
        for j in (k - 1, k, k + 1):
            hyper = {"lr": float(tun.lrs[j]), **X.FIXED[name]}
            r = train(prob, optim.make(X.OPTIMIZER_OF.get(name, name), **hyper), np.array(obj.start, float),
                      steps=steps)
            losses = np.append(r.loss, obj.value(r.thetas[-1]))
            ok = (not r.diverged and np.all(np.isfinite(losses)) and np.all(losses <= 10 * losses[0])
                  and np.all(losses[int(np.ceil(0.1 * steps)):] <= losses[0]))
            assert bool(tun.stable[i, j]) == ok, (name, tun.lrs[j])
            if ok:
                assert tun.final_loss[i, j] == pytest.approx(_excess(obj, r.thetas[-1]), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("surf", list(X.RACES))
def test_robustness_verdict_matches_recorded_neighbours(race, surf):
    tun = race[f"{surf}__tuning"]
    names = tun.meta["names"]
    F = np.where(tun.stable.astype(bool), tun.final_loss, np.inf)
    chosen = {n: F[i, int(tun.chosen[i])] for i, n in enumerate(names)}
    order = sorted(chosen, key=chosen.get)
    first, second = order[0], order[1]
    tie = abs(chosen[second] - chosen[first]) <= max(0.01 * chosen[first], 1e-12)
    verdict = tun.meta["verdict"]
    if tie:
        assert verdict == "tie"
        return
    i = names.index(first)
    k = int(tun.chosen[i])
    neigh = [F[i, j] if 0 <= j < F.shape[1] else np.inf for j in (k - 1, k + 1)]
    holds = all(f < chosen[second] and abs(f - chosen[second]) > max(0.01 * min(f, chosen[second]), 1e-12)
                for f in neigh)
    assert verdict == ("robust" if holds else "within noise")
    assert tun.meta["winner"] == [first]
    np.testing.assert_allclose([tun.meta["neighbours"]["lower"], tun.meta["neighbours"]["higher"]], neigh)


def test_rosenbrock_top_places_are_within_noise(race):
    """The issue's expectation at 300 steps: the winner's (Momentum's) first place does not survive a
    one-step change of η, and the scene's words say so."""
    meta = race["rosenbrock__tuning"].meta
    assert meta["verdict"] == "within noise"
    assert "fragile" in X.race_verdict(meta)  # "within noise" in words: the win does not survive a one-step η change


def test_stability_rule_bounds_the_peak_and_the_late_loss():
    """stable ⇔ finite, never above 10 × the start, and after the first 10 % never above the start: an
    early rise under the bound passes (momentum's natural overshoot), a blow-up that lands low does not."""
    calm = list(np.linspace(10.0, 1.0, 20))                    # 20 steps: the first 2 are the first 10 %
    assert T.stable_curve(calm)
    assert T.stable_curve([10.0, 90] + calm[2:])                 # 9× in the first 10 %: allowed
    assert not T.stable_curve([10.0, 110] + calm[2:])            # 11×: blew up, though it lands low
    assert not T.stable_curve(calm[:5] + [10.5] + calm[6:])      # above the start after the first 10 %
    assert not T.stable_curve(calm[:5] + [np.nan] + calm[6:])
    assert T.PEAK == 10 and "10× the start loss" in T.RULE.format(peak=T.PEAK, warmup=0.1, rtol=0.01)


def test_ranking_ties():
    assert T.ranking({"a": 1.0, "b": 0.5, "c": 1.0}) == [["b"], ["a", "c"]]
    assert T.ranking({"a": 1.0, "b": 1.009, "c": 1.02}) == [["a", "b"], ["c"]]
    assert T.ranking({"a": 1e-16, "b": 3e-14}) == [["a", "b"]]  # both at the minimum to round-off


def test_tuning_protocol_on_a_bowl_with_known_stability_edge():
    """GD on f = λx²/2 is stable iff η < 2/λ (|1 − ηλ| < 1, the loss falls every step); the protocol
    must label exactly those rates stable, choose the one with the lowest final loss, and extend the
    grid when the best rate is at its edge."""
    lam = 30.0
    obj = O.quadratic(condition=1.0, angle=0.0, scale=lam)
    prob = O.ObjectiveProblem(obj)
    h = np.linalg.eigvalsh(obj.hessian(np.zeros(2)))
    assert np.allclose(h, h[0])
    lam = float(h[0])
    t = T.tune(prob, [1.0, 0.5], 20, {"sgd": {}}, lambda th: float(obj.value(th)), lo=1e-3, hi=1.0)
    expect = t.lrs < 2 / lam * (1 - 1e-9)
    assert np.array_equal(t.stable[0].astype(bool), expect)
    k = int(t.chosen[0])
    assert abs(1 - t.lrs[k] * lam) == min(abs(1 - t.lrs[expect] * lam))  # fastest contraction wins
    # best η at the low edge of the grid: extend downwards by a decade
    slow = T.tune(prob, [1.0, 0.5], 20, {"sgd": {}}, lambda th: float(obj.value(th)), lo=1.5 / lam, hi=1e3)
    assert slow.meta["extended"]["low"] == 1 and slow.lrs[0] < 1.5 / lam
    assert 2 <= int(slow.chosen[0]) and abs(slow.lrs[int(slow.chosen[0])] * lam - 1) < 0.3
    assert T.lr_grid(1e-5, 1.0, 5).size == 26


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


def test_wells_verdicts_in_the_records(wells):
    """The scene and still print each run's recorded well: it is the nearer minimum of its last θ, and
    the momentum run's recorded velocity is the step it takes."""
    obj = O.two_wells()
    deep, shallow = obj.minima[0][0], obj.minima[1][0]
    for k, r in wells.items():
        if k == "curve":
            continue
        x = r.thetas[-1, 0]
        assert r.meta["well"] == ("deep" if abs(x - deep) < abs(x - shallow) else "shallow")
    assert wells["gd"].meta["well"] == "shallow" and wells["momentum"].meta["well"] == "deep"
    m = wells["momentum"]
    np.testing.assert_allclose(np.diff(m.thetas[:, 0]), m.state["velocity"][1:, 0], atol=1e-12)


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
    cfg = dict(exp.config)
    if name == "descent_race":  # the whole η grid twice takes long: one surface checks the same code
        cfg["races"] = {"saddle": cfg["races"]["saddle"]}
    a, b = exp.fn(dict(cfg)), exp.fn(dict(cfg))
    assert a.keys() == b.keys()
    for k in a:
        if hasattr(a[k], "thetas"):
            assert np.array_equal(a[k].thetas, b[k].thetas) and np.array_equal(a[k].loss, b[k].loss)
        else:
            assert a[k].equals(b[k])


def test_variants_loss_floor_is_the_exact_minimum(variants):
    """The scene plots L − L*: L* is the exact least-squares minimum's loss, below every recorded loss."""
    s = variants["surface"]
    prob = exact.linear_regression(**E.get("descent_variants").config["data"])
    X_, y = prob.data.X[:, 0], prob.data.Y[:, 0]
    A = np.c_[X_, np.ones_like(X_)]
    w, b = np.linalg.lstsq(A, y, rcond=None)[0]  # the normal equations, independently of exact.fit
    assert s.meta["minimum"] == pytest.approx([w, b], abs=1e-9)
    assert s.meta["min_loss"] == pytest.approx(prob.model.loss_value(np.array([w, b]), prob.data.X, prob.data.Y))
    for k, r in variants.items():
        if k != "surface":
            assert np.all(r.train_loss >= s.meta["min_loss"] - 1e-12), k
