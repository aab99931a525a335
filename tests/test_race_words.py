"""Every sentence the race and surface scenes put on screen, recomputed from the records (or the
objective itself) independently of the scene's helpers: the robustness verdict with its neighbouring
rates, who leaves the saddle first, the saddle point,
the tuning scene's "best η at the edge", why the bowl's path bends and why the surface paths stop
short of the star."""
import importlib.util
import re
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nnviz import experiments as E
from nnviz import objectives as O
from nnviz import tuning as T
from nnviz.experiments import descent as XD
from nnviz.experiments import race_views as RV
from nnviz.experiments import race_views_3d as R3
from nnviz.render import race_chart as RC

ROOT = Path(__file__).resolve().parents[1]


def scene_module(name: str):
    path = ROOT / "scenes" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_words_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def race_mod():
    return scene_module("descent_race")


@pytest.fixture(scope="module")
def race():
    return E.load("descent_race")


@pytest.fixture(scope="module")
def surface():
    return E.load("descent_surface")


def numbers(s: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?", s)]


def lengths(th):
    return np.sqrt(np.sum(np.diff(np.asarray(th, float), axis=0) ** 2, axis=1))


def test_rosenbrock_verdict_names_the_neighbours_and_what_they_give(race_mod, race):
    tun = race["rosenbrock__tuning"]
    words = RV.verdict_text(tun)
    names = tun.meta["names"]
    i = names.index("momentum")
    k = int(tun.chosen[i])
    F = np.where(tun.stable.astype(bool), tun.final_loss, np.inf)
    # the winner by final loss among every optimizer's chosen run
    assert min(names, key=lambda n: F[names.index(n), int(tun.chosen[names.index(n)])]) == "momentum"
    assert "Momentum is first, but the ranking is fragile" in words
    # one step up: unstable; one step down: a final loss behind the best other optimizer
    assert not tun.stable[i, k + 1] and f"higher (η={tun.lrs[k + 1]:.2g}) it is unstable" in words
    lower = tun.final_loss[i, k - 1]
    assert tun.stable[i, k - 1] and f"lower (η={tun.lrs[k - 1]:.2g}) it ends at {lower:.2g}" in words
    others = {n: F[names.index(n), int(tun.chosen[names.index(n)])] for n in names if n != "momentum"}
    best = min(others, key=others.get)
    assert lower > others[best] and f"behind {XD.RACE_NAMES[best]}" in words
    # the 3-D race's short form: the same neighbours, and the lower one's place among all six
    short = R3.fragile_verdict(tun)
    place = 1 + sum(v < lower for v in others.values())
    assert short.startswith("Momentum's win is fragile")
    assert f"one grid step higher (η = {tun.lrs[k + 1]:.2g}) it is unstable (dropped)" in short
    assert f"one lower (η = {tun.lrs[k - 1]:.2g}) it ends {XD.ordinal(place)} ({lower:.2g})" in short


def test_saddle_point_is_a_saddle_and_the_tie_is_round_off(race):
    s = race["saddle__surface"]
    obj = O.get("saddle")
    (p,) = s.meta["saddles"]
    assert np.allclose(obj.gradient(np.array(p)), 0)
    h = np.linalg.eigvalsh(obj.hessian(np.array(p)))
    assert h.min() < 0 < h.max()
    tied = s.meta["ranking"][0]
    assert len(tied) > 1
    for n in tied:  # shown as "< 10⁻¹²": really below the tie rule's round-off floor
        assert obj.value(race[f"saddle__{n}"].thetas[-1]) - obj.min_value <= T.ATOL


def test_tie_break_chooses_the_first_to_the_tied_level(race):
    """The stated rule, recomputed from the recorded grid by retraining the tied runs: per optimizer, the
    stable rates whose final loss ties with its lowest (within 1 %, or both within 10⁻¹²) are decided by the
    first step at which f − f* ≤ the tied level (the largest tied final loss, never below 10⁻¹²), then the
    smaller η; optimizers tied in final loss are ranked by the same step of their chosen runs."""
    from nnviz import optim
    from nnviz.train import train

    for surf in ("rosenbrock", "beale", "saddle"):
        obj, tun = O.get(surf), race[f"{surf}__tuning"]
        prob, names = O.ObjectiveProblem(obj), tun.meta["names"]
        F, S = tun.final_loss, tun.stable.astype(bool)

        def first_at(name, lr, level):
            r = train(prob, optim.make(XD.OPTIMIZER_OF.get(name, name), lr=float(lr), **XD.FIXED[name]),
                      np.array(obj.start, float), steps=tun.config["steps"])
            f = np.array([obj.value(th) for th in r.thetas]) - obj.min_value
            return int(np.flatnonzero(f <= level)[0])

        for i, name in enumerate(names):
            best = F[i][S[i]].min()
            group = [k for k in np.flatnonzero(S[i]) if abs(F[i, k] - best) <= max(0.01 * best, 1e-12)]
            level = max(max(F[i, k] for k in group), 1e-12)
            steps = {k: first_at(name, tun.lrs[k], level) for k in group}
            assert {k: int(tun.reach[i, k]) for k in group} == steps, (surf, name)
            assert np.all(tun.reach[i][[k for k in range(len(tun.lrs)) if k not in group]] == -1)
            assert int(tun.chosen[i]) == min(group, key=lambda k: (steps[k], k)), (surf, name)
        # the ranking: places by final loss, ordered inside a place by the chosen runs' first step to its level
        finals = {n: F[i, int(tun.chosen[i])] for i, n in enumerate(names)}
        for place in tun.meta["ranking"]:
            level = max(max(finals[n] for n in place), 1e-12)
            at = [first_at(n, tun.meta["chosen_lr"][n], level) for n in place]
            assert at == sorted(at) and at == [tun.meta["place_reach"][n] for n in place], (surf, place)
        assert tun.config["tie_break"] and "first reaches the tied level" in tun.meta["tie_break"]
    # the cases the rule decides on the saddle: GD's and AdaGrad's floor ties (several η end below 10⁻¹²),
    # and the four optimizers tied at ★
    tun = race["saddle__tuning"]
    names = tun.meta["names"]
    assert all(np.sum(tun.reach[names.index(n)] >= 0) >= 2 for n in ("gd", "adagrad"))
    assert len(tun.meta["ranking"][0]) == 4
    # the still's words for that tie: its order with the steps, and what one grid step up gives each
    tied = tun.meta["ranking"][0]
    steps = [tun.meta["place_reach"][n] for n in tied]
    assert steps == sorted(steps) and RV.tie_words(tun) == (
        f"{', '.join(XD.RACE_NAMES[n] for n in tied[:-1])} and {XD.RACE_NAMES[tied[-1]]} tie at ≤ 10⁻¹², ranked by "
        f"the first step there: {', '.join(map(str, steps))}.")
    edge = RV.tie_edge_text(tun)
    for n in tied:
        i = names.index(n)
        k = int(tun.chosen[i])
        if not tun.stable[i, k + 1]:
            assert f"{XD.RACE_NAMES[n]} is unstable" in edge
        elif tun.final_loss[i, k + 1] <= T.ATOL:  # still tied one step up: only later
            assert f"{XD.RACE_NAMES[n]} still < 10⁻¹² but at step {tun.reach[i, k + 1]} (not {tun.reach[i, k]})" in edge
            assert tun.reach[i, k + 1] > tun.reach[i, k]
        else:
            assert f"{XD.RACE_NAMES[n]} ends at {XD.loss_words(tun.final_loss[i, k + 1])}" in edge
    # the still's point: which tied runs miss the floor one grid step either side (above 10⁻¹² or unstable)
    miss = [n for n in tied if all(not tun.stable[names.index(n), j] or tun.final_loss[names.index(n), j] > 1e-12
                                   for j in (int(tun.chosen[names.index(n)]) - 1, int(tun.chosen[names.index(n)]) + 1))]
    assert RV.knife_edge(tun) == miss and len(miss) >= 2
    said = ", ".join(XD.RACE_NAMES[n] for n in miss[:-1]) + f" and {XD.RACE_NAMES[miss[-1]]}"
    assert RV.knife_edge_text(tun) == (f"A grid step either side, {said} end above 10⁻¹² or are unstable (solid "
                                       f"segments): the order rests on single grid points.")


def test_saddle_words_match_the_runs(race_mod, race):
    surf, runs = race_mod.race_records("saddle")
    tun = race["saddle__tuning"]
    obj = O.get("saddle")
    # GD's growth off the ridge: 1 − η·λ along y, λ the Hessian's negative eigenvalue at the saddle (= 1 + 2η)
    lam = np.linalg.eigvalsh(obj.hessian(np.zeros(2))).min()
    eta = runs["gd"].meta["hyper"]["lr"]
    assert lam == pytest.approx(-2.0)
    assert runs["gd"].thetas[1, 1] / runs["gd"].thetas[0, 1] == pytest.approx(1 - eta * lam, rel=1e-3)
    for n in ("adagrad", "rmsprop", "adam"):  # "a full step": the first step leaves the ridge
        assert abs(runs[n].thetas[1, 1]) > 100 * abs(runs[n].thetas[0, 1])
    # the ranking strip orders a round-off tie by the first step each got within 10⁻¹² of the minimum
    first = {}
    for k in surf.meta["ranking"][0]:
        f = obj.value(runs[k].thetas) - obj.min_value
        first[k] = int(np.flatnonzero(f <= T.ATOL)[0])
    order = XD.finish_order(surf)
    assert order[:len(first)] == sorted(first, key=first.get)
    assert order == [k for k in order if k in first] + [k for p in surf.meta["ranking"][1:] for k in p]
    assert {k: XD.first_below(runs[k], tun.meta["min_value"], T.ATOL) for k in first} == first
    # the 3-D saddle race's closing lines: the adaptive methods are off the ridge (|y| > 0.5) at step 1,
    # GD's y grows by 1 + 2η a step and passes 0.5 at step k, leaving steps − k
    esc = " ".join(R3.escape_text(surf, runs).split())
    gy = np.abs(runs["gd"].thetas[:, 1])
    k = int(np.flatnonzero(gy > 0.5)[0])
    assert all(np.abs(runs[n].thetas[1, 1]) > 0.5 for n in ("adagrad", "rmsprop", "adam"))
    assert "at step 1 the tiny slope across the ridge already gives a full step off it." in esc
    # "each coordinate by its own gradient size": their first step across the ridge is η-sized, not η·|g_y|
    for n in ("adagrad", "rmsprop"):
        assert abs(runs[n].thetas[1, 1] - runs[n].thetas[0, 1]) > 0.5 * runs[n].meta["hyper"]["lr"]
    mid = " ".join(R3.gd_escape_text(surf, runs).split())
    # "the slope across the ridge is 2 × the distance off it": ∂f/∂y ≈ −2y near y = 0 (the objective's gradient)
    for y_ in (1e-3, 1e-2):
        assert obj.gradient(np.array([0.5, y_]))[1] == pytest.approx(-2 * y_, rel=1e-3)
    assert gy[1] / gy[0] == pytest.approx(1 + 2 * runs["gd"].meta["hyper"]["lr"], rel=1e-6)
    assert (f"each step multiplies that distance by only 1 + 2η = {gy[1] / gy[0]:.2g}: {gy[0]:g} → {gy[k]:.2f} by "
            f"step {k}.") in mid
    # wrapped at any width, no caption line starts or ends beside an operator ("1 + 2η = 1.5" stays whole)
    from nnviz.render.race_card import OPERATORS, formula_lines
    for words in (mid, esc):
        for n in range(12, 61):
            lines = formula_lines(words, n).split("\n")
            assert " ".join(lines) == words
            assert not [ln for ln in lines if ln[0] in OPERATORS or ln[-1] in OPERATORS], (n, lines)
        assert any("1 + 2η = " in ln for ln in formula_lines(mid, 12).split("\n"))
    # the 3-D race's end: why Adam (off the ridge at step 1) never reaches ★: its m is a velocity and round a
    # minimum a velocity's swing shrinks by ≈ √β₁ a step (the fit of log distance to ★ over steps 20–40)
    top = np.array(max(surf.meta["minima"], key=lambda m: m[1]))
    ad = runs["adam"]
    d = np.linalg.norm(ad.thetas[:, :2] - top, axis=1)
    ks = np.arange(20, 41)
    r = float(np.exp(np.polyfit(ks, np.log(d[ks]), 1)[0]))
    b1 = ad.meta["hyper"]["beta1"]
    assert R3.adam_swing_text(surf, runs, top, 12) == (
        f"Adam keeps a velocity (β₁ = {b1:g}): it swings round ★ (top view: its last 12 steps), its distance to ★ "
        f"shrinking only ×{r:.2f} a step (≈ √β₁).")
    assert abs(r - np.sqrt(b1)) < 0.01 and XD.swings(ad) >= 2 and d[-1] > 0.02  # "≈ √β₁", "swings", "off"
    # the velocity sets that rate: Adam at the same η from the same start with a smaller β₁ (an oracle run of
    # the published rule) shrinks its swing by ≈ its own √β₁ a step
    from nnviz import optim
    obj_ = O.get("saddle")
    for b in (0.8, 0.5):
        opt, th = optim.adam(lr=ad.meta["hyper"]["lr"], beta1=b), np.asarray(ad.thetas[0], float)
        st, path = opt.init(th), [th]
        for _ in range(40):
            step, st = opt.update(obj_.gradient(th), st, th)
            th = th + step
            path.append(th)
        dd = np.linalg.norm(np.array(path) - top, axis=1)
        assert abs(np.exp(np.polyfit(ks, np.log(dd[ks]), 1)[0]) - np.sqrt(b)) < 0.03
    # Momentum: the smallest best η of the six, off the ridge last, still swinging (crossing x = 0, moving)
    mo = runs["momentum"]
    km_ = int(np.flatnonzero(np.abs(mo.thetas[:, 1]) > 0.5)[0])
    hn_ = runs["nesterov"].meta["hyper"]
    im, jn = tun.meta["names"].index("momentum"), int(np.flatnonzero(tun.lrs == hn_["lr"])[0])
    assert R3.momentum_late_text(surf, runs, tun) == (
        f"Momentum's best η is only {mo.meta['hyper']['lr']:.2g} (at Nesterov's {hn_['lr']:.2g} it ends f − f* = "
        f"{tun.final_loss[im, jn]:.2g}): it leaves the ridge last (step {km_}), swinging past ★.")
    # "swinging past ★": its closest approach is the step before the last (within 0.06), the last step moves away
    # and is not on ★
    dm = np.linalg.norm(np.asarray(mo.thetas) - top, axis=1)
    assert dm[-2] == dm[-6:].min() < 0.06 and dm[-1] > dm[-2] and dm[-1] > 0.05
    assert hn_["beta"] == mo.meta["hyper"]["beta"]  # "Nesterov's β"
    # "at η = 0.25 it still swings at step 40": heavy ball (the published rule) at that η from the same start,
    # re-run here: still moving at step 40 and crossing x = 0 again and again
    from nnviz import optim
    opt_, th_ = optim.momentum(lr=hn_["lr"], beta=hn_["beta"]), np.asarray(mo.thetas[0], float)
    st_, pth = opt_.init(th_), [th_]
    for _ in range(40):
        step_, st_ = opt_.update(O.get("saddle").gradient(th_), st_, th_)
        th_ = th_ + step_
        pth.append(th_)
    pth = np.array(pth)
    assert np.linalg.norm(pth[-1] - pth[-2]) > 0.05 and O.get("saddle").value(pth[-1]) - O.get("saddle").min_value == (
        pytest.approx(tun.final_loss[im, jn], rel=1e-6))
    assert tun.final_loss[im, jn] > mo.meta["final_loss"] and tun.stable[im, jn]  # the larger η: no better
    assert mo.meta["hyper"]["lr"] == min(r_.meta["hyper"]["lr"] for r_ in runs.values())
    assert km_ == max(int(np.flatnonzero(np.abs(r_.thetas[:, 1]) > 0.5)[0]) for r_ in runs.values())
    assert XD.swings(mo) >= 2 and np.linalg.norm(mo.thetas[-1] - mo.thetas[-2]) > 0.05
    # the 2-D saddle race's words: GD off the ridge (|y| > 0.5) at step k, ×(1 + 2η) a step; the adaptive
    # methods' |y| at step 1; the takeaway; the result table's columns
    assert RV.ridge_step(runs["gd"]) == k and all(RV.ridge_step(runs[n]) == 1 for n in ("adagrad", "rmsprop", "adam"))
    assert f"1 + 2η = {1 - eta * lam:.1f}× a step: |y| > 0.5 at step {k}." in RV.gd_ridge_text(surf, runs, width=1000)
    y1 = [abs(runs[n].thetas[1, 1]) for n in ("adagrad", "rmsprop", "adam")]
    assert f"(|y| {min(y1):.1f}–{max(y1):.1f} at step 1)" in RV.adaptive_ridge_text(surf, runs, width=1000)
    hm = runs["momentum"].meta["hyper"]
    km = int(np.flatnonzero(np.abs(runs["momentum"].thetas[:, 1]) > 0.5)[0])
    assert RV.takeaway("saddle", surf, runs, tun) == (
        f"A saddle only delays GD (off the ridge at step {k}); dividing each coordinate by |gᵢ| leaves at step 1; "
        f"Momentum, at its small best η ({hm['lr']:.2g}), leaves last (step {km}).")
    assert km == max(RV.ridge_step(r) for r in runs.values())  # "last"
    # the tie-break under the saddle's protocol (the Rosenbrock/Beale side columns keep theirs)
    proto = " ".join(RV.protocol_lines(surf, tun, tie=race_mod.DescentRaceSaddle.state_tie))
    assert "a tie goes to the η first to get there" in proto
    assert not race_mod.DescentRace.state_tie and not race_mod.DescentRaceBeale.state_tie
    said = object.__new__(race_mod.DescentRaceSaddle).verdict_words(tun)  # (no scene set-up needed)
    tied_names = [XD.RACE_NAMES[n] for n in surf.meta["ranking"][0]]
    assert said == (f"{', '.join(tied_names[:-1])} and {tied_names[-1]} all end at the upper ★ (f − f* < 10⁻¹²): a "
                    f"tie, ranked by who got there first.")
    top = max(surf.meta["minima"], key=lambda m: m[1])
    assert all(np.hypot(*(runs[n].thetas[-1] - top)) < 1e-5 for n in first)  # the tie is at the upper ★
    # Momentum lags GD off the ridge: |y| grows by the root of r² − (1 + β + 2η_m)r + β = 0 (heavy ball on
    # f's −y² direction), recomputed here, against GD's 1 + 2η; its η is its tuned (best) one
    bsum = 1 + hm["beta"] + 2 * hm["lr"]
    root = (bsum + np.sqrt(bsum ** 2 - 4 * hm["beta"])) / 2
    lag = RV.momentum_lag_text(surf, runs, tun, width=1000)
    assert RV.growth(runs["momentum"]) == pytest.approx(root, rel=0.01)
    assert RV.heavy_ball_growth(hm["lr"], hm["beta"]) == pytest.approx(root) and RV.heavy_ball_growth(eta, 0) == 1 + 2 * eta
    assert lag == (f"At its best η = {hm['lr']:.2g} Momentum's |y| grows ×{root:.2f} a step (GD at {eta:.2g}: "
                   f"×{1 - eta * lam:.1f}): its velocity sums past, smaller slopes. Off at step {km}.")
    assert km > k and hm["lr"] == tun.meta["chosen_lr"]["momentum"]
    # Nesterov can use a larger η (Momentum at that η ends off ★, from the tuning grid); a heavy ball at that η
    # grows by its root, the look-ahead (r² − (1 + β)(1 + 2η)r + β(1 + 2η) = 0) by more
    hn = runs["nesterov"].meta["hyper"]
    i, j = tun.meta["names"].index("momentum"), int(np.flatnonzero(tun.lrs == hn["lr"])[0])
    a = 1 + 2 * hn["lr"]
    rn = ((1 + hn["beta"]) * a + np.sqrt(((1 + hn["beta"]) * a) ** 2 - 4 * hn["beta"] * a)) / 2
    b = 1 + hn["beta"] + 2 * hn["lr"]
    hb = (b + np.sqrt(b * b - 4 * hn["beta"])) / 2
    assert rn > hb and RV.growth(runs["nesterov"]) == pytest.approx(rn, rel=0.01)
    kn = int(np.flatnonzero(np.abs(runs["nesterov"].thetas[:, 1]) > 0.5)[0])
    assert tun.stable[i, j] and tun.final_loss[i, j] > 0.01 and runs["nesterov"].meta["final_loss"] <= T.ATOL
    assert int(tun.chosen[tun.meta["names"].index("nesterov")]) == j and hn["beta"] == hm["beta"]
    assert RV.nesterov_ridge_text(surf, runs, tun, width=1000) == (
        f"Look-ahead damps Nesterov's bounce, so η = {hn['lr']:.2g} works (Momentum there: f − f* = "
        f"{tun.final_loss[i, j]:.2g}): |y| ×{rn:.2f} a step (heavy ball ×{hb:.2f}).")
    assert kn == RV.ridge_step(runs["nesterov"])  # (its off-ridge step: the table's)
    table = RC.EscapeTable(surf, runs, tun.meta["min_value"], room=5.5)
    assert table.order == order and table.tied == sorted(first, key=first.get) and table.width <= 5.5 + 1e-9
    cells = [m.text for m in table[0] if hasattr(m, "text")]
    for n in order:
        i = cells.index(XD.RACE_NAMES[n].replace(" ", ""))
        right = (f"step {first[n]}" if n in first else f"no ({XD.loss_words(runs[n].meta['final_loss'])})")
        want = [f"step {int(np.flatnonzero(np.abs(runs[n].thetas[:, 1]) > 0.5)[0])}", right]
        assert cells[i + 1:i + 3] == [w.replace(" ", "") for w in want]  # (manim's Text keeps no spaces)
    take = " ".join(R3.saddle_takeaway(surf, runs).split())
    assert set(surf.meta["ranking"][0]) == {"gd", "adagrad", "rmsprop", "nesterov"}
    assert [p for p in surf.meta["ranking"][1:]] == [["adam"], ["momentum"]]
    assert f"×{1 - eta * lam:.1f} a step off the ridge): it too ends on ★, tied first." in take
    # the 3-D race's end ranks by arrival: the recorded ranking with its tie broken by the first step within
    # 10⁻¹² of f* (recomputed from the objective above), then the others by their recorded final f − f*
    there, rest = R3.arrivals(surf, runs, tun.meta["min_value"])
    assert [n for n, _ in there] == sorted(first, key=first.get) == order[:len(first)]
    assert dict(there) == first and [n for n, _ in rest] == order[len(first):]
    assert [f for _, f in rest] == [runs[n].meta["final_loss"] for n in order[len(first):]]
    assert all(f > T.ATOL for _, f in rest)
    take = R3.saddle_takeaway(surf, runs, tun.meta["min_value"])
    assert take == (f"Takeaway: a saddle only delays GD: {k} steps to leave the ridge from {abs(surf.meta['start'][1]):g} "
                    f"off it, {first['gd'] - k} more to ★; {first['gd'] - min(first.values())} after RMSprop, ahead of "
                    f"Nesterov, Adam, Momentum.")
    assert min(first, key=first.get) == "rmsprop" and first["nesterov"] > first["gd"]
    # the 3-D race: Nesterov has a velocity too yet settles, at its far larger η (the ratio and Momentum's
    # end at that η from the records): within 10⁻¹² of the minimum from its ranking step, its last steps
    # tiny next to Momentum's and Adam's
    nest = R3.nesterov_overshoot_text(surf, runs, tun)
    thn = runs["nesterov"].thetas[:, :2]
    dn_ = np.linalg.norm(thn - top, axis=1)
    kmax = kn + int(np.argmax(dn_[kn:] * (thn[kn:, 1] > top[1])))  # farthest past ★ (beyond it) once off the ridge
    assert R3.overshoot_step(runs["nesterov"], surf) == kmax
    assert nest == (f"Nesterov is off the ridge at step {kn} (GD: {k}), but its velocity carries it {dn_[kmax]:.2f} past "
                    f"★ by step {kmax}, and it swings back and forth until step {first['nesterov']}.")
    assert kn < k and dn_[kmax] > 0.3 and first["nesterov"] > first["gd"]  # "but", "past ★", arrives after GD
    assert XD.swings(runs["nesterov"]) >= 2  # "back and forth" (x crosses 0 repeatedly)
    assert hn["lr"] == runs["gd"].meta["hyper"]["lr"]  # the same η as GD: the velocity is the difference
    # the 3-D saddle race's subtitle: "η: lowest f at step 40 on one grid (tie: first on ★)": on this surface
    # every chosen η has the lowest final loss of its whole grid row (stable or not), and a tie happens only
    # at ★ (several η below 10⁻¹²), broken by the first step there
    for i_, n_ in enumerate(tun.meta["names"]):
        row = np.where(np.isfinite(tun.final_loss[i_]), tun.final_loss[i_], np.inf)
        c_ = int(tun.chosen[i_])
        tied = np.flatnonzero(row <= max(row.min() * 1.01, T.ATOL))
        assert c_ in tied
        if len(tied) > 1:
            assert row[tied].max() <= T.ATOL
    sub = race_mod.DescentRace3DSaddle.subtitle_words(race_mod.DescentRace3DSaddle, surf, tun)
    assert sub == "η: first on ★, else lowest f at step 40 · grid 10⁻⁵…10, 5 per decade"
    assert tun.lrs[0] == pytest.approx(1e-5) and tun.lrs[-1] == pytest.approx(10)
    assert np.allclose(np.diff(np.log10(tun.lrs)), 0.2)  # 5 per decade
    # "first on ★": for each run that reaches ★, its η is the grid's earliest to get within 10⁻¹² of f*
    # (recomputed from the stored first-reach steps), so ranking them by arrival ranks them as tuned
    for i_, n_ in enumerate(tun.meta["names"]):
        fl = tun.final_loss[i_]
        on = np.isfinite(fl) & (fl <= T.ATOL) & tun.stable[i_].astype(bool)
        if on.any():
            assert tun.reach[i_][int(tun.chosen[i_])] == tun.reach[i_][on].min() == first[n_]
    # "damps the swing": once off the ridge its distance to ★ shrinks far faster a step than the √β of a
    # plain velocity (Adam's and, at its η, Momentum's rate above)
    dn = np.linalg.norm(runs["nesterov"].thetas[:, :2] - top, axis=1)
    kk = np.arange(kn, first["nesterov"] + 1)
    assert np.exp(np.polyfit(kk, np.log(dn[kk]), 1)[0]) < np.sqrt(hn["beta"]) - 0.2
    assert 5 < hn["lr"] / hm["lr"] < 7 and runs["nesterov"].meta["hyper"]["beta"] > 0
    k = first["nesterov"]
    assert np.all(obj.value(runs["nesterov"].thetas[k:]) - obj.min_value < 1e-8)  # "stays"
    assert np.linalg.norm(runs["nesterov"].thetas[-1] - runs["nesterov"].thetas[-2]) < 1e-3 * min(
        np.linalg.norm(runs[n].thetas[-1] - runs[n].thetas[-2]) for n in ("momentum", "adam"))


def test_leaders_words_match_the_records(race_mod, race):
    """Momentum's and Nesterov's steps on the valley floor are ~1/(1 − β) × η·|g|, GD's exactly 1×,
    recomputed here from θ and the objective's gradient (not the recorded norms)."""
    obj = O.get("rosenbrock")
    runs = {o: race[f"rosenbrock__{o}"] for o in XD.RACE_ORDER}
    words = XD.leaders_text(runs, width=1000)
    gains = []
    for n in ("momentum", "nesterov", "gd"):
        th = runs[n].thetas
        st = lengths(th)
        g = np.array([np.linalg.norm(obj.gradient(t)) for t in th[:-1]])
        gains.append(float(np.median((st / (runs[n].meta["hyper"]["lr"] * g))[len(st) // 2:])))
    assert f"{gains[0]:.0f}× and {gains[1]:.0f}× η·|g|, GD's {gains[2]:.0f}×" in words
    assert gains[2] == pytest.approx(1.0) and min(gains[:2]) > 5
    # Momentum is first of the recorded ranking, Nesterov third (behind Adam)
    assert [p[0] for p in race["rosenbrock__surface"].meta["ranking"][:3]] == ["momentum", "adam", "nesterov"]
    # the 3-D race's takeaway
    surf = race["rosenbrock__surface"]
    tun = race["rosenbrock__tuning"]
    take = R3.race_takeaway(surf, runs, tun)
    assert ("Takeaway: here Momentum's velocity wins, on a fragile η; GD, its η capped by the steep start, crawls "
            "to last.") in take
    assert tun.meta["verdict"] == "within noise" and surf.meta["ranking"][-1] == ["gd"]
    assert all(runs[n].meta["final_loss"] < runs["gd"].meta["final_loss"] for n in runs if n != "gd")
    # "its η capped by the steep start": GD's chosen η is under 2/λ_max at the start, the next grid rate is not
    # stable (recomputed from the objective's Hessian)
    lam = np.linalg.eigvalsh(obj.hessian(np.array(surf.meta["start"], float))).max()
    g = tun.meta["names"].index("gd")
    assert tun.lrs[tun.chosen[g]] < 2 / lam and not tun.stable[g, tun.chosen[g] + 1]
    # the mid-race stop: the first step Momentum's loss is below 1, GD's loss then (GD's first steps at its
    # tuned η are short: no overshoot to stop for)
    th = race["rosenbrock__gd"].thetas[:5]
    assert lengths(th).max() < 0.2
    k, mid, who = race_mod.DescentRace3D.mid_beat(scene(race_mod.DescentRace3D), surf, runs)
    f = obj.value(runs["momentum"].thetas)
    assert who == "momentum" and f[k] < 1 <= f[k - 1] and np.all(f[:k] >= 1)
    assert f"Step {k}: Momentum below loss 1, GD at {obj.value(runs['gd'].thetas[k]):.1f}: Momentum's velocity" in mid


def test_race3d_end_card_words(race_mod, race):
    """The 3-D race's lit end card, recomputed from θ and the objective (not the scene's helpers): the
    stability chart (each method's quadratic-bowl limit; the largest η·λ_max over the first 10 steps at its η
    (●) and one grid step up (×), from the Hessian along recomputed runs; what the rule makes of each), RMSprop's
    and Adam's path per progress, AdaGrad's shrinking steps, Momentum's velocity gain."""
    from nnviz import optim
    from nnviz.train import train
    obj = O.get("rosenbrock")
    surf, tun, probes = race["rosenbrock__surface"], race["rosenbrock__tuning"], race["rosenbrock__probes"]
    runs = {o: race[f"rosenbrock__{o}"] for o in XD.RACE_ORDER}
    lim = R3.limit_rows(runs, tun, probes)
    start = obj.value(np.array(surf.meta["start"], float))
    check = int(np.ceil(tun.config["warmup"] * tun.config["steps"]))
    got = {}
    for n, rule, limit in (("gd", "sgd", 2.0), ("momentum", "momentum", 3.8), ("nesterov", "nesterov", 3.8 / 2.8)):
        i = tun.meta["names"].index(n)
        k = int(tun.chosen[i])
        assert lim[n]["limit"] == pytest.approx(limit)
        for key, j in (("now", k), ("next", k + 1)):
            kw = {"beta": 0.9} if n != "gd" else {}
            r = train(O.ObjectiveProblem(obj), optim.make(rule, lr=float(tun.lrs[j]), **kw),
                      np.array(obj.start, float), steps=tun.config["steps"])
            sharp = [tun.lrs[j] * np.linalg.eigvalsh(obj.hessian(t_)).max() for t_ in r.thetas[:10]]
            f = obj.value(r.thetas)
            got[n, key] = (max(sharp), f.max() / start, f[check] > start, bool(tun.stable[i, j]))
            assert lim[n][key]["peak"] == pytest.approx(max(sharp), rel=1e-6)
            assert lim[n][key]["loss_x"] == pytest.approx(f.max() / start, rel=1e-6)
        assert got[n, "now"][3] and not got[n, "next"][3]  # its η stable by the rule, one grid step up not
        assert got[n, "next"][0] > limit  # one step up passes its limit
    # GD's and Momentum's chosen η stay under their limits; Nesterov's passes its own for a step, and its loss
    # only rises to < 2× the start (a bounce, not a blow-up)
    assert got["gd", "now"][0] < 2 and got["momentum", "now"][0] < 3.8
    assert got["nesterov", "now"][0] > 3.8 / 2.8 and 1 < got["nesterov", "now"][1] < 2
    # the ways the next rates break the rule: GD above the start at the check step (< 10× the start);
    # Momentum and Nesterov spike past 10× the start
    assert got["gd", "next"][2] and got["gd", "next"][1] < 10
    assert got["momentum", "next"][1] > 10 and got["nesterov", "next"][1] > 10
    words = {n: " ".join(R3.limit_text(n, lim, RV.place_of(surf, n)).split()) for n in ("gd", "momentum", "nesterov")}
    assert ("GD, 6th: limit 2 (past it, a step overshoots). 0.00063 stays under (●); at 0.001 (×) its loss is still "
            f"over the start at step {check}.") == words["gd"]
    assert ("Momentum's velocity lifts its limit to 3.8: 0.001 fits (●); at 0.0016 (×) its loss spikes "
            f"×{got['momentum', 'next'][1]:.0f}: dropped.") == words["momentum"]
    # Nesterov's ● run: its loss back under the start after its one bounce (recomputed)
    r = train(O.ObjectiveProblem(obj), optim.make("nesterov", lr=float(lim["nesterov"]["now"]["lr"]), beta=0.9),
              np.array(obj.start, float), steps=tun.config["steps"])
    f = obj.value(r.thetas)
    back = int(np.argmax(f)) + int(np.flatnonzero(f[np.argmax(f):] < start)[0])
    assert back < check and np.all(f[back:] < start)  # over well before the rule's check, and for good
    assert (f"Nesterov, 3rd: look-ahead lowers its limit to ≈ 1.4; at 0.001 (×) its loss spikes "
            f"×{got['nesterov', 'next'][1]:.0f}. Its 0.00063 (●) is past it too, yet kept: next.") == words["nesterov"]
    assert lim["nesterov"]["now"]["lr"] == lim["gd"]["now"]["lr"]
    # the two bounces the rule tells apart: GD one step up still over the start at the check step, Nesterov's ●
    # under it from an early step on (both recomputed above)
    # GD one grid η up: its loss at the check step over the start by its margin; where it would end, and its
    # place among the others' finals then
    r = train(O.ObjectiveProblem(obj), optim.make("sgd", lr=float(lim["gd"]["next"]["lr"])), np.array(obj.start, float),
              steps=tun.config["steps"])
    fg = obj.value(r.thetas)
    margin, end = fg[check] / fg[0], fg[-1]
    assert 1 < margin < 1.01  # over the start, by a hair
    place = 1 + sum(runs[n].meta["final_loss"] < end for n in runs if n != "gd")
    assert place == 5 and end < runs["gd"].meta["final_loss"]
    lim["gd"]["next"]["place"] = place
    assert (f"The rule: GD's × is {margin:.3f}× the start at step {check}: dropped, by a hair (it would end {end:.2g}, "
            f"5th). Nesterov's ● is under it from step {back}: kept.") == " ".join(R3.bounce_text(surf, lim).split())
    assert got["gd", "next"][1] > got["nesterov", "now"][1] > 1  # both rise over the start first
    # Momentum's neighbours on the grid: one step down ends 3rd (among the others' chosen runs), its own η 1st,
    # one step up dropped by the spike rule
    i = tun.meta["names"].index("momentum")
    k = int(tun.chosen[i])
    others = sorted(runs[n].meta["final_loss"] for n in runs if n != "momentum")
    low = float(tun.final_loss[i, k - 1])
    assert R3.neighbour_rows(tun, "momentum", lim) == [
        f"η = 0.00063: ends {low:.2g}, {XD.ordinal(1 + sum(v < low for v in others))}",
        f"η = 0.001: ends {runs['momentum'].meta['final_loss']:.2g}, 1st (●)",
        f"η = 0.0016: dropped (×): loss ×{got['momentum', 'next'][1]:.0f}"]
    assert not tun.stable[i, k + 1] and tun.stable[i, k - 1] and 1 + sum(v < low for v in others) == 3
    # every ● peaks at step 1, every × within the first 10 steps: at the steep start ○ (the chart's "at ○")
    assert all(lim[n]["now"]["step"] <= 1 and lim[n]["next"]["step"] < 10 for n in lim)
    # RMSprop's zigzag, Adam's straight walk: path length over distance gained, steps 150–300
    zz = {}
    for n in ("rmsprop", "adam"):
        th = runs[n].thetas[150:]
        zz[n] = lengths(th).sum() / np.linalg.norm(th[-1] - th[0])
    z = " ".join(R3.zigzag_text(surf, runs).split())
    assert (f"RMSprop, 4th, zigzags: {zz['rmsprop']:.0f}× more path than progress (steps 150–300). Adam, 2nd, adds "
            f"m, a mean of g that cancels it: {zz['adam']:.1f}×.") == z
    assert R3.zigzag_span(runs["rmsprop"]) == (200, 205)  # the close-ups: inside 150–300
    # AdaGrad: its steps shrink to within 1.5× its last by step k + 1 and stay there; first / last
    a = lengths(runs["adagrad"].thetas)
    k = int(np.flatnonzero(a > 1.5 * a[-1])[-1]) + 1
    assert np.all(a[k:] <= 1.5 * a[-1]) and a[k - 1] > 1.5 * a[-1] and R3.adagrad_span(runs["adagrad"]) == k
    ada = " ".join(R3.adagrad_steps_text(surf, runs).split())
    assert (f"AdaGrad, 5th, divides by all past g² summed; the steep start made that huge: from step {k + 1} on its "
            f"steps are {a[0] / a[-1]:.0f}× shorter than its first.") == ada
    # Momentum, 1st: steps ~N× its own η·|g| (recomputed with the objective's gradient, the last half)
    th = runs["momentum"].thetas
    g = np.array([np.linalg.norm(obj.gradient(t_)) for t_ in th[:-1]])
    gain = float(np.median((lengths(th) / (runs["momentum"].meta["hyper"]["lr"] * g))[len(g) // 2:]))
    assert (f"Momentum, 1st: its velocity (β = 0.9) adds up past steps: on the floor each is ~{gain:.0f}× a plain GD "
            f"step with the same η and gradient.") == " ".join(R3.velocity_end_text(surf, runs).split())


def test_beale_verdict_and_last_digits(race_mod, race):
    surf, runs = race_mod.race_records("beale")
    tun = race["beale__tuning"]
    words = RV.verdict_text(tun)
    i = tun.meta["names"].index("adam")
    k = int(tun.chosen[i])
    lower, higher = tun.final_loss[i, k - 1], tun.final_loss[i, k + 1]
    others = {n: runs[n].meta["final_loss"] for n in runs if n != "adam"}
    best = min(others, key=others.get)
    assert max(lower, higher) < others[best]  # robust: both neighbours still beat the runner-up
    assert f"lower (η={tun.lrs[k - 1]:.2g}: {XD.loss_words(lower)})" in words
    assert f"higher (η={tun.lrs[k + 1]:.2g}: {XD.loss_words(higher)})" in words
    assert f"both below {XD.RACE_NAMES[best]}'s {XD.loss_words(others[best])}" in words
    # the still: Adam's η = 0.4 ends just above the tie floor, so 1.6 is chosen, and either is first
    from nnviz.figures import descent as F
    said = " ".join(F._tuning_words(tun, tun.meta["names"]))
    j = k - 3
    assert 1e-12 < tun.final_loss[i, j] < 1e-11 and tun.final_loss[i, k] <= 1e-12 and tun.stable[i, j]
    assert tun.final_loss[i, j] < min(others.values())
    assert (f"Adam at η = {tun.lrs[j]:.2g} ends at {XD.loss_words(tun.final_loss[i, j])}: just outside the tie "
            f"rule (below 10⁻¹²), so η = {tun.lrs[k]:.2g} is chosen; Adam is first with either η.") in said


def test_tuning_edge_words(race_mod, race):
    tun = race["rosenbrock__tuning"]
    names = tun.meta["names"]
    for n in names:
        i = names.index(n)
        k = int(tun.chosen[i])
        assert XD.at_edge(tun, n) == (k + 1 < len(tun.lrs) and not tun.stable[i, k + 1])
    assert XD.at_edge(tun, "momentum") and XD.at_edge(tun, "nesterov")
    assert not XD.at_edge(tun, "adam")


def test_loss_text_floor(race_mod):
    assert XD.loss_words(2e-16) == "< 10⁻¹²"
    assert XD.loss_words(0.00037) == "0.00037"


@pytest.fixture(scope="module")
def surf_mod():
    return scene_module("descent_surface")


def scene(cls):
    """A scene object for calling its caption methods (no manim set-up)."""
    return cls.__new__(cls)


def test_bowl_bend_words(surf_mod, surface):
    """The bowl's captions: '4× steeper across than along', each step multiplies the steep / flat
    coordinate by 1 − ηλ (recomputed from the objective's Hessian and the run's own θₜ), and after k
    steps the steep coordinate is below a tenth of its start while the flat one keeps x %."""
    s, run = surface["bowl"], surface["bowl_run"]
    bowl = scene(surf_mod.DescentSurfaceBowl)
    cfg = E.get("descent_surface").config["analytic"]["bowl"]
    obj = O.quadratic(**cfg)
    lam, vec = np.linalg.eigh(obj.hessian(np.zeros(2)))
    intro = " ".join(bowl.intro(surface, s).split())
    assert f"{lam[1] / lam[0]:.0f}× steeper across than along" in intro
    eta = run.config["optimizer"]["lr"]["lr"]
    th = np.asarray(run.thetas, float)
    steep, flat = th @ vec[:, 1], th @ vec[:, 0]
    # GD on a quadratic with its minimum at 0: every step multiplies each coordinate by 1 − ηλ
    assert np.allclose(steep[1:] / steep[:-1], 1 - eta * lam[1])
    assert np.allclose(flat[1:] / flat[:-1], 1 - eta * lam[0])
    during = " ".join(bowl.during(surface, s, 0.0).split())
    assert (f"steep coordinate by 1 − η·{lam[1]:g} = {1 - eta * lam[1]:.2f} and the flat one by "
            f"1 − η·{lam[0]:g} = {1 - eta * lam[0]:.2f} (η = {eta:g})") in during
    k = int(np.flatnonzero(np.abs(steep) < 0.1 * abs(steep[0]))[0])
    k2 = int(np.flatnonzero(np.abs(flat) < 0.1 * abs(flat[0]))[0])
    take = " ".join(bowl.takeaway(surface, s, 0.0).split())
    assert f"so the steep one is done in {k} steps; the flat one takes {k2}." in take  # each to a tenth
    why = " ".join(bowl.why(surface, s, 0.0).split())
    assert f"After {k} steps the steep coordinate is below a tenth of its start" in why
    assert f"the flat one still at {abs(flat[k]) / abs(flat[0]):.0%}" in why
    assert abs(flat[k]) / abs(flat[0]) > 0.5  # "then along": most of the flat distance is still ahead
    # "drops across first": the first step runs mostly along the steep axis, and it is the longest
    step = th[1] - th[0]
    assert abs(step @ vec[:, 1]) > abs(step @ vec[:, 0])
    assert np.argmax(lengths(run.thetas)) == 0


def test_pca_sheet_captions(surf_mod, surface):
    """The network sheets' captions, recomputed from the records: the weight count, the start's distance
    to the end point and off the fitted sheet (from θ₀, θ_end and the sheet's directions), the start's two
    losses (the stalk's words), from which step the true loss and the sheet's agree, how far the path
    still strays off the sheet after it, and the random sheet's share of the movement and its end."""
    s, p, run = surface["pca"], surface["pca_path"], surface["run"]
    th = np.asarray(run.thetas, float)
    n = th.shape[1]
    pca = scene(surf_mod.DescentSurface)
    what = " ".join(pca.before(surface, s, 0.0)[0].split())
    fit = " ".join(pca.before(surface, s, 0.0)[1].split())  # read with the dot parked at the start
    assert what.startswith(f"Training moves all {n} weights at once. We can't draw {n}-D")
    # "the two directions the weights moved along most": the PCA plane's are the top two of the path's
    assert s.method == "pca" and sum(s.meta["explained_variance"][:2]) > 0.95
    D = np.asarray(s.directions, float).T
    d = th - th[-1]  # the sheet runs through the end point
    assert np.allclose(s.origin, th[-1])
    off = np.linalg.norm(d - (D @ np.linalg.lstsq(D, d.T, rcond=None)[0]).T, axis=1)
    dist = np.linalg.norm(d, axis=1)
    assert f"the start lies {dist[0]:.1f} from the end, only {off[0]:.1f} off the sheet" in fit
    assert off[0] < 0.25 * dist[0]  # "only"
    steep = " ".join(pca.before(surface, s, 0.0)[2].split())
    assert (f"{off[0]:.1f} off it, the start's true loss is {p.true_loss[0]:.2f}; the sheet under it reads "
            f"{p.plane_loss[0]:.2f} (the stalk)") in steep
    assert p.true_loss[0] > 2 * p.plane_loss[0]  # "steep": 3.2 off the sheet more than doubles the loss
    true = scene(surf_mod.DescentSurfaceTrue)
    gap = np.abs(p.true_loss - p.plane_loss) / p.true_loss
    k = int(np.flatnonzero(gap > 0.07)[-1]) + 1  # from here on within 7 %
    assert np.all(gap[k:] <= 0.07) and gap[k - 1] > 0.07 and k < 0.1 * len(gap)
    assert f"the true loss within 7 % from step {p.steps[k]} on, not at the start." in " ".join(
        pca.takeaway(surface, s, 0.0).split())
    for cls in (pca, true):  # both fitted-sheet scenes hold the path at step k, marked, with this caption
        assert (f"By step {p.steps[k]} (●) the losses agree within 7 %: the path is still {off[k]:.1f} off the sheet"
                in " ".join(cls.during_path(surface, s, 0.0)[1].split()))
        assert cls.during_ends(surface, 2) == [p.steps[k], p.steps[-1]] and cls.marks_during == 1
    # "still strays up to X off the sheet after step k, where the loss is nearly flat": X is the largest
    # distance off the sheet from step k on, rounded up; it is more than a third of the start's, yet the
    # loss gap there stays under 7 % (at the start 3.2 off gave 2.4 times the sheet's loss)
    stray = off[k:].max()
    j = int(p.steps[k + int(np.argmax(off[k:]))])
    after = " ".join(true.after(surface, s, 0.0)[0].split())
    i = k + int(np.argmax(off[k:]))
    assert (f"After step {p.steps[k]} the path strays as far as {stray:.1f} off the sheet (step {j}, ○), yet true "
            f"{p.true_loss[i]:.2f} vs sheet {p.plane_loss[i]:.2f}") in after
    assert abs(p.true_loss[i] - p.plane_loss[i]) / p.true_loss[i] <= 0.07  # "the loss is flat that way"
    assert stray > off[0] / 3 and p.true_loss[0] > 2 * p.plane_loss[0]
    assert np.allclose(off, p.off_plane)
    assert f"from step {p.steps[k]} on." in true.takeaway(surface, s, 0.0)
    start = " ".join(true.before(surface, s, 0.0)[1].split())  # read with the path parked at the start, zoomed
    assert (f"The start lies {off[0]:.1f} off the sheet ({dist[0]:.1f} from the end), where the loss is steep: "
            f"it floats at {p.true_loss[0]:.2f} over the sheet's {p.plane_loss[0]:.2f}") in start
    assert p.rel_off_plane[-1] == pytest.approx(0.0, abs=1e-9)  # the sheet is centred on the final θ
    # the random sheet: its share recomputed from θₜ and the plane (least squares), not from the record's distances
    r, rp = surface["random"], surface["random_path"]
    rnd = scene(surf_mod.DescentSurfaceRandom)
    D = np.asarray(r.directions, float).T
    d = np.asarray(run.thetas, float) - r.origin
    inplane = D @ np.linalg.lstsq(D, d.T, rcond=None)[0]
    mine = 1 - np.sum((d.T - inplane) ** 2) / np.sum(d ** 2)
    assert rnd.movement_share(surface) == pytest.approx(mine, rel=1e-6) and mine < 0.2  # "misses the path"
    roff = np.linalg.norm(d.T - inplane, axis=0)
    rdist = np.linalg.norm(d, axis=1)
    words = " ".join(rnd.during_path(surface, r, 0.0)[0].split())
    assert f"the start lies {rdist[0]:.1f} from the end point, {roff[0]:.1f} off the sheet (bar)" in words
    assert rnd.start_offsets(surface) == pytest.approx((roff[0], rdist[0]), rel=1e-9)  # the bar's two lengths
    assert np.all(roff[:-1] > 0.9 * rdist[:-1])  # "misses": every step lies mostly off the sheet
    assert np.all(rp.plane_loss[:-1] < rp.true_loss[:-1])  # "the sheet reads a lower loss there"
    # "the shadow lies nearer the end point than the path itself": in-plane distance ≤ full distance
    assert np.all(np.linalg.norm(inplane, axis=0) <= np.linalg.norm(d, axis=1) + 1e-12)
    assert rp.plane_loss[-1] == pytest.approx(rp.true_loss[-1], rel=1e-9)  # "at the end both read …"
    end = " ".join(rnd.after(surface, rnd.window(r, surface), 0.0)[0].split())
    assert f"At the end both read {rp.true_loss[-1]:.3g}" in end
    # "★ lies next to it": the window's lowest cell is within 1.5 grid cells of the end point (the centre)
    w = rnd.window(r, surface)
    j, i = np.unravel_index(np.nanargmin(w.loss), w.loss.shape)
    assert np.hypot(w.xs[i], w.ys[j]) <= 1.5 * (w.xs[1] - w.xs[0]) and f"★ ({w.loss[j, i]:.3g})" in end
    for cls in (pca, true, rnd):  # every caption fits in two lines
        texts = [*cls.before(surface, s, 0.0), *cls.during_path(surface, s, 0.0), *cls.after(surface, s, 0.0),
                 cls.takeaway(surface, s, 0.0)]
        assert all(len(textwrap.wrap(t, 68)) <= 2 for t in texts), texts


def test_pca_path_stops_short_words(surf_mod, surface):
    p, s = surface["pca_path"], surface["pca"]
    v = float(np.nanmin(s.loss))
    words = scene(surf_mod.DescentSurface).after(surface, s, v)[0]
    assert np.allclose(p.coords[-1], 0)  # the plane is centred on the final θ
    k = int(np.searchsorted(p.steps, p.steps[-1] - 50))
    assert p.true_loss[-1] < p.true_loss[k]  # still falling
    words = " ".join(words.split())
    assert f"({p.true_loss[k]:.3f} → {p.true_loss[-1]:.3f} in the last 50)" in words
    assert v < p.true_loss[-1] and "★ is the lowest point of the drawn square, on its edge" in words


def test_rosenbrock_surface_words(surf_mod, surface):
    """The Rosenbrock surface's captions, chart and close-up, recomputed from the run (v ← βv − ηg, θ ← θ + v):
    the gradient each step added, recovered from the path, is ∇f at θₜ; the white curve W = η·Σₖ βᵏ·|gₜ₋ₖ| bounds
    every step (equal when the gradients agree); at the zigzag hold the chain of past −gradients folds back and
    ends exactly at the next point, its length W and the step's the close-up's two numbers, their ratio the chart's
    and the caption's; on the floor the step is W within 1.35× and W ≈ 10·η·|gradient|; from the marked step the
    gradient only falls, by the stated factor, and the loss with it."""
    cls = surf_mod.DescentSurfaceRosenbrock
    sc, run, s = scene(cls), surface["rosenbrock_run"], surface["rosenbrock"]
    obj = O.get("rosenbrock")
    th = np.asarray(run.thetas, float)
    grad = obj.gradient(th[:-1])
    g = np.linalg.norm(grad, axis=1)
    assert np.allclose(run.grad_norm, g, rtol=1e-9)
    eta, beta = run.config["optimizer"]["lr"]["lr"], run.config["optimizer"]["beta"]
    k = 1 / (1 - beta)
    n = sc.run_numbers(surface)
    # "update: v ← 0.9·v − η·gradient, θ ← θ + v": the gradient each step added, from the path alone, is ∇f at θₜ
    assert np.allclose(n["G"], grad, rtol=0, atol=1e-9 * np.abs(grad).max())
    L = lengths(th)
    W = np.array([eta * sum(beta ** j * g[t - j] for j in range(t + 1)) for t in range(len(g))])
    assert np.allclose(n["W"], W, rtol=1e-12) and np.allclose(n["L"], L)
    assert np.all(L <= W * (1 + 1e-9))  # white is the step's size if all agreed: the step never exceeds it
    assert L[0] == pytest.approx(W[0])  # step 1: one gradient, nothing to cancel (no warm-up gap)
    # the floor: from step a on each step is within 1.35× of W, not at a − 1
    a = n["steady"]
    assert np.all(L[a:] >= W[a:] / 1.35) and L[a - 1] < W[a - 1] / 1.35 and a == 92  # (today's: the sheet reads it)
    f = max(t for t in range(1, len(g)) if g[t] > g[t - 1])  # the last rise: from f on |g| only falls
    assert 100 < f < 250 and np.all(np.diff(g[f:]) < 0) and n["flat"] == f and n["k"] == pytest.approx(k)
    # "≈ 10·η·|gradient|" on the floor (a … f): W within 1.35× of k·η·|g| at every step, 5 % at the median
    r = W[a:f + 1] / (k * eta * g[a:f + 1])
    assert np.all(np.abs(np.log(r)) < np.log(1.35)) and abs(np.median(r) - 1) < 0.05
    (z, zig), (a_, floor), (step, hold) = sc.path_beats(surface, s, 0.0)
    zig, floor, hold = (" ".join(w.split()) for w in (zig, floor, hold))
    # the zigzag hold at z = a // 2: the chain −η·βʲ·g_{z−j} tip to tail from θ_z ends at θ_{z+1} (the step, where the
    # running sum lands), it folds back (successive terms point against each other, often), its length is W[z]; the
    # close-up's bars "laid end to end 0.19" and "added as arrows 0.02" are the caption's two numbers
    assert z == a // 2 == sc.zig_step(n)
    terms = np.array([-eta * beta ** j * grad[z - j] for j in range(z + 1)])
    assert np.allclose(th[z] + terms.sum(axis=0), th[z + 1], rtol=0, atol=1e-12)
    assert np.allclose(sc.chain_terms(n, z), terms, rtol=0, atol=1e-12)
    assert np.linalg.norm(terms, axis=1).sum() == pytest.approx(W[z])
    assert sum(terms[j] @ terms[j + 1] < 0 for j in range(20)) >= 8  # "flip across the valley"
    assert W[z] / L[z] > 5  # "they cancel"
    assert (f"Step {z} from above: its {z + 1} weighted gradients, tip to tail (white), flip across the valley. "
            f"Yellow: their sum so far.") == zig
    result = " ".join(sc.zig_result(surface).split())
    assert (f"Added as arrows they cancel: the step is {L[z]:.2f} long, not {W[z]:.2f} (the white curve at step {z}): "
            f"{W[z] / L[z]:.1f}× shorter.") == result
    assert f"{W[z] / L[z]:.1f}" == f"{float(f'{W[z]:.2f}') / float(f'{L[z]:.2f}'):.1f}"  # as written, they add up
    assert (f"{L[z]:.2f}", f"{W[z]:.2f}", z + 1) == ("0.02", "0.19", 47)  # (today's: the sheet reads it)
    assert a_ == a and (f"From step {a} the gradients agree: the two curves meet, the step ≈ "
                        f"{k:g}·η·|gradient| ≈ {np.median(L[a:f]):.2g}.") == floor  # meet: within 1.35× (above)
    # "Past it the cross-valley gradients die out and white falls to yellow" (read from z to a): W falls many-fold
    # from its peak (and from z) while the step stays flat (within 1.5×)
    assert " ".join(sc.hold_after(surface, 0).split()) == (
        "The yellow band is the zigzag: long and short steps in turn. Past it the cross-valley gradients die out and "
        "white falls to yellow.")
    # "long and short steps in turn": before z the step length goes up and down from one step to the next (×1.5 or
    # more over 20 of the first 30 steps); past it they even out (consecutive steps within 1.2× from z to a)
    swing = np.abs(np.diff(np.log(L)))
    alt = np.sign(np.diff(L[:z]))
    assert np.sum(swing[:30] > np.log(1.5)) >= 20 and np.sum(alt[1:] != alt[:-1]) >= z // 2
    assert np.all(swing[z:a] < np.log(1.2))
    assert W[:a].max() / W[a] > 20 and W[z] / W[a] > 5 and L[z:a + 1].max() / L[z:a + 1].min() < 1.5
    assert sc.hold_after(surface, 1) is None
    assert step == f and (f"Along the floor the step follows the gradient, which peaks at the bend (step {f}, loss "
                          f"{run.train_loss[f]:.2g}); past it the floor flattens toward ★.") == hold
    r = L[a:] / (k * eta * g[a:])  # "the step follows the gradient": from the floor on, 10·η·|g| within 1.35×
    assert np.all(np.abs(np.log(r)) < np.log(1.35))
    assert g[f] == g[a:].max() and L[f] >= 0.99 * L[a:].max()  # "along the floor … peaks": from a on (the chart's mark)
    assert obj.value(np.array(obj.minima[0])) == pytest.approx(0.0)  # ★ lowest, loss 0
    why = " ".join(sc.why(surface, s, 0.0).split())
    assert (f"From that peak the gradient falls {g[f] / g[-1]:.0f}× and the steps with it, to {L[-1]:.2g}; the loss "
            f"falls from {run.train_loss[f]:.2g} to {run.train_loss[-1]:.2g}.") == why
    assert L[f] / L[-1] > 5 and sc.run_loss(surface)[-1] == run.train_loss[-1]
    during = " ".join(sc.during(surface, s, 0.0).split())
    assert during == (f"Each step sums past gradients, each older one ×{beta:g}: 1 + 0.9 + 0.81 + … = {k:g}. White: "
                      f"its size if all pointed one way.")
    assert sum(beta ** j for j in range(2000)) == pytest.approx(k)  # 1 + 0.9 + 0.81 + … = 10
    # the takeaway: they cancel across the valley (the zigzag's W ≫ step), add up to 10·η·|gradient| on the floor
    # (above), shrink near ★ (the gradient falls from f on, above)
    assert (f"Takeaway: Momentum sums past gradients. They cancel across the valley, add up to {k:g}·η·|gradient| "
            f"on the floor, shrink near ★.") == " ".join(sc.takeaway(surface, s, 0.0).split())
    # no GD in this scene (the race scenes compare optimizers, each tuned)
    texts = [sc.intro(surface, s), during, zig, result, " ".join(sc.hold_after(surface, 0).split()), floor, hold, why,
             sc.takeaway(surface, s, 0.0)]
    assert not any("GD" in t for t in texts)
    assert all(len(textwrap.wrap(t, 66)) <= 2 for t in texts), texts  # two lines inside the frame


def test_rosenbrock_surface_floor_is_flat_and_steps_tiny(surface):
    """"along the valley floor the slope is nearly flat, so each step is tiny": the gradient at the end
    is a small fraction of the start's, and the last steps are far shorter than the first ones."""
    run = surface["rosenbrock_run"]
    obj = O.get("rosenbrock")
    assert np.linalg.norm(obj.gradient(run.thetas[-1])) < np.linalg.norm(obj.gradient(run.thetas[0])) / 100
    assert lengths(run.thetas[-51:]).mean() < lengths(run.thetas[:20]).mean() / 10


def test_adam_still_circles_the_saddle_minimum(race):
    """"Adam's momentum keeps it circling the minimum": its last steps are still long, it ends
    near (not at) the minimum, second in the ranking."""
    run = race["saddle__adam"]
    obj = O.get("saddle")
    assert lengths(run.thetas[-5:]).min() > 0.01
    m = min(obj.minima, key=lambda p: np.linalg.norm(run.thetas[-1] - np.array(p)))
    assert np.linalg.norm(run.thetas[-1] - np.array(m)) < 0.3
    assert race["saddle__surface"].meta["ranking"][1] == ["adam"]


def test_tuning_good_line_is_past_the_bend(race_mod, race):
    """The tuning chart's dashed 'good' line at f − f* = 1 (RV.GOOD) means past the valley's bend, x > 0:
    recounted from f and the runs."""
    tun = race["rosenbrock__tuning"]
    names = tun.meta["names"]
    # "below the dashed 1: past the valley's bend, x > 0": f − f* = (1 − x)² + 100(y − x²)² ≥ (1 − x)², so a
    # final loss under 1 needs 0 < x < 2; the recorded runs that end under 1 do end at x > 0
    obj = O.get("rosenbrock")
    xs, ys = np.meshgrid(np.linspace(-2, 2, 41), np.linspace(-1, 3, 41))
    f = np.array([obj.value(np.array([x, y])) for x, y in zip(xs.ravel(), ys.ravel())]) - obj.min_value
    assert np.all(f >= (1 - xs.ravel()) ** 2 - 1e-12) and RV.GOOD == 1
    for n in names:
        run = race[f"rosenbrock__{n}"]
        if run.meta["final_loss"] < 1:
            assert run.thetas[-1][0] > 0


def test_pca_star_is_at_the_window_edge(surf_mod, surface):
    """"★ lowest: 0.006" and "the valley runs on past ★": the slice's lowest cell is
    on the border of the drawn grid, and the loss still falls toward that border."""
    s = surface["pca"]
    Z = s.loss
    j, i = np.unravel_index(np.nanargmin(Z), Z.shape)
    assert i in (0, Z.shape[1] - 1) or j in (0, Z.shape[0] - 1)
    assert surf_mod.at_window_edge(s)
    assert surf_mod.DescentSurface.minimum_words(None, s, float(Z[j, i])) == f"lowest in view: {Z[j, i]:.3g}"
    inner = (slice(1, -1), slice(1, -1))
    assert np.nanmin(Z[inner]) > Z[j, i]


def test_step_counter_counts_the_step_being_drawn():
    """The race's counter (drawing=True) shows the step whose move is on screen: between θ₃₆ and θ₃₇
    the dots are drawing step 37; on a whole step it shows that step; the default still floors."""
    import manim as mn

    from nnviz.render.widgets import StepCounter

    t = mn.ValueTracker(36.4)
    assert StepCounter(t, total=300, drawing=True).string == "step 37 / 300"
    assert StepCounter(t, total=300).string == "step 36 / 300"
    for v, want in ((0.0, "step 0 / 300"), (37.0, "step 37 / 300"), (0.01, "step 1 / 300")):
        t.set_value(v)
        assert StepCounter(t, total=300, drawing=True).string == want


def test_beale_window_is_the_stills_and_holds_every_path(race_mod, race):
    """The Beale race shows a window of the record's grid; the still shows the same one, and every
    path stays inside it (nothing is cut off by the crop)."""
    from nnviz.figures import descent as F

    assert race_mod.DescentRaceBeale.view == F.RACE_VIEW["beale"]
    (x0, x1), (y0, y1) = F.RACE_VIEW["beale"]
    surf = RC.window(race["beale__surface"], (x0, x1), (y0, y1))
    assert surf.loss.shape == (len(surf.ys), len(surf.xs))
    for o in XD.RACE_ORDER:
        th = race[f"beale__{o}"].thetas
        assert th[:, 0].min() >= surf.xs[0] and th[:, 0].max() <= surf.xs[-1]
        assert th[:, 1].min() >= surf.ys[0] and th[:, 1].max() <= surf.ys[-1]


def test_loss_text_has_no_code_notation(race_mod):
    assert XD.loss_words(4.56e-6) == "4.6×10⁻⁶"
    assert XD.loss_words(0.0022) == "0.0022"


def test_rules_slide_effects_match_the_runs(race_mod, race):
    """The rules slide's second lines: every number recomputed from the Rosenbrock runs."""
    runs = {o: race[f"rosenbrock__{o}"] for o in XD.RACE_ORDER}
    tun, pr = race["rosenbrock__tuning"], race["rosenbrock__probes"]
    did = RV.rule_effects(runs, tun, pr)
    # the rules slide's Nesterov line: its next grid rate retrained here, its peak over the start loss
    from nnviz import optim
    from nnviz.train import train

    obj = O.get("rosenbrock")
    i = tun.meta["names"].index("nesterov")
    j = int(tun.chosen[i]) + 1
    assert not tun.stable[i, j]
    r = train(O.ObjectiveProblem(obj), optim.make("nesterov", lr=float(tun.lrs[j]), beta=0.9),
              np.array(obj.start, float), steps=tun.config["steps"])
    peak, start = float(np.max(r.loss)), float(r.loss[0])
    assert peak > 10 * start
    assert (f"At η = {tun.lrs[j]:.2g} its loss spikes {peak / start:.0f}× (unstable): the look-ahead allows "
            f"η·λₘₐₓ < 2(1+β)/(1+2β) ≈ 1.4") in did["nesterov"]
    lam_start = np.linalg.eigvalsh(obj.hessian(np.array(obj.start, float))).max()
    assert f"here {tun.lrs[j] * lam_start:.1f} at ○." in did["nesterov"] and tun.lrs[j] * lam_start > 2 * 1.9 / 2.8
    k = int(tun.chosen[tun.meta["names"].index("momentum")])
    assert (f"Stable while η·λₘₐₓ < 2(1 + β) = 3.8 (GD: 2): it reaches {RV.sharpness_peak(pr, 'momentum', k):.1f} at "
            f"η = {tun.lrs[k]:.2g}") in did["momentum"] and RV.sharpness_peak(pr, "momentum", k) < 3.8
    lam0 = np.linalg.eigvalsh(obj.hessian(np.array(obj.start, float))).max()
    assert f"2/λₘₐₓ = {2 / lam0:.3g} at ○, less on the wall" in did["gd"]
    gd_next = train(O.ObjectiveProblem(obj), optim.sgd(lr=float(tun.lrs[tun.chosen[0] + 1])), np.array(obj.start, float),
                    steps=10)  # "less on the wall": λₘₐₓ grows as GD moves off the start
    assert max(np.linalg.eigvalsh(obj.hessian(t)).max() for t in gd_next.thetas) > 1.2 * lam0
    # the rules' takeaway: Momentum, Adam, Nesterov (each with a velocity term: v, m, v) are the top 3, and
    # Momentum's η is 1.6× Nesterov's with the next grid η unstable
    take = RV.rules_takeaway(race["rosenbrock__surface"], runs)
    rank = race["rosenbrock__surface"].meta["ranking"]
    assert [p for p in rank[:3]] == [["momentum"], ["adam"], ["nesterov"]]
    eta = runs["momentum"].meta["hyper"]["lr"] / runs["nesterov"].meta["hyper"]["lr"]
    assert (f"velocity (Momentum, Adam, Nesterov) takes the top 3; Momentum leads by taking {eta:.1f}× "
            f"Nesterov's η") in take
    assert not tun.stable[tun.meta["names"].index("momentum"), tun.chosen[tun.meta["names"].index("momentum")] + 1]
    # AdaGrad's beat: "it stalls near the start": its last steps are tiny and it ends far nearer the start than ★
    a = lengths(runs["adagrad"].thetas)
    th = runs["adagrad"].thetas
    assert a[-1] < a[0] / 50
    assert np.linalg.norm(th[-1] - th[0]) < np.linalg.norm(th[-1] - np.array(obj.minima[0])) / 3
    a = lengths(runs["adagrad"].thetas)
    assert f"steps {a[0]:.2f} → {a[-1]:.3f} ({a[0] / a[-1]:.0f}×)" in did["adagrad"] and a[-1] < a[0] / 10
    r = lengths(runs["rmsprop"].thetas)
    assert f"stay near {r[len(r) // 2:].mean():.2f}" in did["rmsprop"]
    for n in ("momentum", "nesterov"):
        assert f"{XD.momentum_gain(runs[n]):.0f}× η·|g|" in did[n]
    g = lengths(runs["gd"].thetas)
    assert f"steps {g[0]:.2g} → {g[-1]:.1g} on the flat floor" in did["gd"] and g[-1] < g[0] / 10
    # Adam's card: its path per progress (second half) against RMSprop's, recomputed here
    def per_progress(th):
        th = np.asarray(th, float)[(len(th) - 1) // 2:]
        return lengths(th).sum() / np.linalg.norm(th[-1] - th[0])
    za, zr = per_progress(runs["adam"].thetas), per_progress(runs["rmsprop"].thetas)
    assert za < 1.5 < 4 < zr
    assert f"averaging g cancels the zigzag ({za:.1f}× path per progress; RMSprop {zr:.0f}×)" in did["adam"]


def test_probe_curves_reproduce_the_tuning_grid(race):
    """The recorded loss curves behind the tuning verdicts agree with the tuning record: the same η, the
    protocol's stability rule read off each curve gives the recorded label, and a diverged curve is
    exactly an unstable grid point with no final loss."""
    for surf in ("rosenbrock", "beale", "saddle"):
        tun, pr = race[f"{surf}__tuning"], race[f"{surf}__probes"]
        c = pr.columns
        start, w = pr.meta["start_loss"], pr.meta["warmup_step"]
        assert pr.meta["names"] == tun.meta["names"] and w == int(np.ceil(tun.config["warmup"] * tun.config["steps"]))
        for o, j, lr, loss, div in zip(c["optimizer"], c["lr_index"], c["lr"], c["loss"], c["diverged_at"]):
            assert lr == tun.lrs[j]
            assert loss[0] == pytest.approx(start)
            stable = (div < 0 and np.all(np.isfinite(loss)) and np.all(loss <= 10 * loss[0])
                      and np.all(loss[w:] <= loss[0]) and np.isfinite(tun.final_loss[o, j]))
            assert bool(tun.stable[o, j]) == bool(stable and tun.final_loss[o, j] <= start - tun.meta["min_value"])
            assert (div >= 0) == (not np.isfinite(tun.final_loss[o, j]))
            # the words' one reading of the rule (`rule_how`): the first part of it the curve breaks
            how = (RV.Broke.DIVERGES if div >= 0 else RV.Broke.PEAK if np.max(loss) > 10 * loss[0]
                   else RV.Broke.LATE if np.any(loss[w:] > loss[0]) else None)
            assert RV.rule_how(tun, pr, pr.meta["names"][o], j).how is how and (how is None) == (div < 0 and stable)


def test_rule_words_say_the_part_of_the_rule_broken():
    """One formatter from a `RuleCheck` to words, for every way a run breaks the rule (hand-made checks):
    a run that only passes the peak line (never late, never diverged) is said by its peak, never as "above
    the start at step None"."""
    peak_only = RV.RuleCheck(RV.Broke.PEAK, diverged_at=-1, peak=250.0, start=20.0, line=10.0, over=None)
    assert RV.rule_words(peak_only) == "loss peaks at 250 > 10× the start 20"
    assert RV.rule_words(peak_only, short=True) == "loss peak 250\n> 10× start 20"
    late = RV.RuleCheck(RV.Broke.LATE, diverged_at=-1, peak=30.0, start=20.0, line=10.0, over=31)
    assert RV.rule_words(late) == "above the start at step 31"
    gone = RV.RuleCheck(RV.Broke.DIVERGES, diverged_at=7, peak=np.inf, start=20.0, line=10.0, over=8)
    assert RV.rule_words(gone) == "diverges at step 7"
    kept = RV.RuleCheck(None, diverged_at=-1, peak=20.0, start=20.0, line=10.0, over=None)
    assert RV.rule_words(kept) == "stays stable"
    assert not any("None" in RV.rule_words(r, s) for r in (peak_only, late, gone, kept) for s in (False, True))


def test_place_among_counts_the_others_chosen_runs():
    """A place among the others, on a hand-made record: the other optimizers' chosen finals only (never the
    asker's own chosen run), strictly lower ones counted (a tie goes to the asker)."""
    meta = {"chosen_final": {"a": 1.0, "b": 0.5, "c": 2.0}}
    assert RV.place_among(meta, "a", 0.4) == 1
    assert RV.place_among(meta, "a", 0.5) == 1        # level with b: not behind it
    assert RV.place_among(meta, "a", 0.7) == 2        # behind b only
    assert RV.place_among(meta, "a", 3.0) == 3        # behind b and c; its own 1.0 is not an "other"
    assert RV.place_among(meta, "c", 0.9) == 2        # behind b, ahead of a's 1.0
    assert RV.place_among(meta, "b", np.inf) == 3


def test_why_words_recomputed_from_the_records(race):
    """The "why" beats: AdaGrad's and RMSprop's steps, Adam's and AdaGrad's step charts, Momentum's edge
    rate failing on the steep start, the saddle crossings and Adam's
    overshoot, GD's gap on Rosenbrock and the fragile/robust verdicts, all read off the records."""
    from nnviz.experiments import race_views as RV

    runs = {s: {o: race[f"{s}__{o}"] for o in XD.RACE_ORDER} for s in ("rosenbrock", "beale", "saddle")}
    a = runs["beale"]["adam"]
    # AdaGrad "divides by √(sum of g²): its rate only falls": every coordinate's own step ÷ |gradient|,
    # recomputed from θ and the objective, never grows; the shown all-coordinates rate falls as stated
    ag = runs["beale"]["adagrad"]
    g = np.array([O.get("beale").gradient(p) for p in ag.thetas[:-1]])
    own = np.abs(np.diff(ag.thetas, axis=0)) / np.abs(g)
    assert np.all(np.diff(own, axis=0) <= 1e-6 * own[:-1])
    # RMSprop forgets (ρ = 0.9: ~10 steps): its last steps still move each coordinate by about η
    r = runs["beale"]["rmsprop"]
    last = np.abs(np.diff(r.thetas[-11:], axis=0)).mean(axis=0)
    assert np.allclose(last, r.meta["hyper"]["lr"], rtol=0.05)
    # the step chart's reading: RMSprop's steps stay on √2·η (dashed) over its second half, never shrinking
    # with |g|; Adam's fall as |g| does (first → last quoted); AdaGrad's are many times shorter than Adam's
    # over the stated window while both are still far from ★
    eta = r.meta["hyper"]["lr"]
    L = lengths(r.thetas)
    assert np.median(L[150:]) == pytest.approx(np.sqrt(2) * eta, rel=0.1) and L[150:].min() > 0.3 * eta
    star = np.asarray(race["beale__surface"].meta["minima"][0], float)
    near = np.linalg.norm(np.asarray(r.thetas, float)[1:] - star, axis=1) < 0.5  # "by ★": within 0.5 of it
    assert np.median(L[near]) == pytest.approx(np.sqrt(2) * eta, rel=0.05)
    assert np.allclose(np.median(np.abs(np.diff(r.thetas, axis=0))[near], axis=0), eta, rtol=0.1)  # x and y: ≈ η
    words = RV.beale_rmsprop_text(runs["beale"], width=1000)
    assert r.meta["hyper"]["decay"] == 0.9 and "forgets in ~10 steps" in words
    assert f"(dashed: √2·η = {np.sqrt(2) * eta:.2g})" in words and "its steps never shrink. By ★ x and y each move ≈ η" in words
    La = lengths(a.thetas)
    ga = np.asarray(a.grad_norm, float)
    assert La[-1] < 1e-5 * La[0] and ga[-1] < 1e-5 * ga[0]  # steps and |g| both fall by > 5 decades
    words = RV.beale_steps_text(runs["beale"], width=1000)
    assert f"shrink with |g|: {La[0]:.2g} → {XD.loss_words(La[-1])}." in words and "(β₂ = 0.999, ~1000 steps)" in words
    Lg = lengths(ag.thetas)
    ratio = np.median(La[10:60]) / np.median(Lg[10:60])
    assert ratio > 3
    star = np.asarray(race["beale__surface"].meta["minima"][0], float)
    far = [np.linalg.norm(np.asarray(x.thetas[60], float) - star) for x in (a, ag)]
    assert min(far) > 0.1  # both still far from ★ over that window
    said = RV.beale_adagrad_steps_text(runs["beale"], width=1000)
    assert f"Over steps 10–60 its steps are {ratio:.0f}× shorter than Adam's." in said and "√t·√(mean g²)" in said
    rr = runs["rosenbrock"]["rmsprop"]
    half = lengths(rr.thetas)[150:]
    assert np.median(half) == pytest.approx(np.sqrt(2) * rr.meta["hyper"]["lr"], rel=0.05)  # ≈ η per coordinate
    step1 = np.abs(a.thetas[1] - a.thetas[0])
    assert np.allclose(step1, a.meta["hyper"]["lr"], rtol=1e-6)  # Adam's first step moves each coordinate by exactly η
    tun, pr = race["beale__tuning"], race["beale__probes"]
    m = runs["beale"]["momentum"]
    words = RV.beale_fixed_text(runs["beale"], tun, pr, width=1000)
    j = RV.edge_index(tun, "momentum")
    assert not tun.stable[tun.meta["names"].index("momentum"), j] and f"at η = {tun.lrs[j]:.2g}" in words
    div = RV.probe(pr, "momentum", j)["diverged_at"]
    assert div >= 0 and f"diverges at step {div}" in words
    place = next(i for i, p in enumerate(race["beale__surface"].meta["ranking"], start=1) if "momentum" in p)
    assert f"keeps η = {m.meta['hyper']['lr']:.2g} on the flat end too: {XD.ordinal(place)}." in words
    # Beale's takeaway, the three cases read off the step chart (checked above), Adam wins
    take = RV.takeaway("beale", None, runs["beale"], tun)
    assert "Adam's do; AdaGrad's shrink from step 1, too early; RMSprop's never do" in take
    assert race["beale__surface"].meta["ranking"][0] == ["adam"] and take.endswith("Adam wins.")
    # the saddle: Adam's overshoot
    sad = race["saddle__surface"]
    k, dk, j2, dj = RV.overshoot(runs["saddle"]["adam"], sad.meta["minima"])
    th = runs["saddle"]["adam"].thetas
    d = np.min([np.hypot(th[:, 0] - x, th[:, 1] - y) for x, y in sad.meta["minima"]], axis=0)
    assert d[k] < 0.3 and np.all(d[:k] >= 0.3) and dj > dk and d[j2 + 1] < d[j2]
    # Rosenbrock: GD's edge. λ_max at the start from the objective's Hessian; the two rates above the chosen
    # one retrained here: 0.0016 spikes past 10× the start, 0.001 climbs (η·λ_max passes 2 as the wall
    # steepens) and is above the start at step 30; the chosen one never rises above the start
    from nnviz import optim
    from nnviz.train import train

    obj = O.get("rosenbrock")
    tr, pr = race["rosenbrock__tuning"], race["rosenbrock__probes"]
    x0 = np.array(obj.start, float)
    lam0 = np.linalg.eigvalsh(obj.hessian(x0)).max()
    beats = RV.edge_beats(tr, pr, width=1000)  # (row, caption): what the tuning scene says, beat by beat
    words = " ".join(" ".join(t for _, t in beats).split())
    g = tr.meta["names"].index("gd")
    k = int(tr.chosen[g])
    # each beat lights its run: the chosen η (row 0), the two unstable rates above it in η order, then all
    assert [r for r, _ in beats] == [0, 1, 2, None]
    assert [r["index"] for r in RV.edge_story(tr, pr)["rows"]] == [k, k + 1, k + 2]
    assert f"λₘₐₓ = {lam0:.0f}, so η < {2 / lam0:.3g}" in words and tr.lrs[k] < 2 / lam0 < tr.lrs[k + 2]
    assert f"● {tr.lrs[k]:.2g} never rises above the start" in words
    curves = {}
    for j in (k, k + 1, k + 2):
        r = train(O.ObjectiveProblem(obj), optim.sgd(lr=float(tr.lrs[j])), x0, steps=tr.config["steps"])
        curves[j] = (np.asarray(r.loss, float), [np.linalg.eigvalsh(obj.hessian(t)).max() * tr.lrs[j]
                                                 for t in r.thetas[:10]])
    L0, L1, L2 = (curves[j][0] for j in (k, k + 1, k + 2))
    assert L0.max() == L0[0]
    assert L2.max() > 10 * L2[0] and tr.lrs[k + 2] * lam0 > 2
    f0, f2 = (obj.value(train(O.ObjectiveProblem(obj), optim.sgd(lr=float(tr.lrs[j])), x0,
                              steps=tr.config["steps"]).thetas[-1]) - obj.min_value for j in (k, k + 2))
    assert (f"At η = {tr.lrs[k + 2]:.2g}, η·λₘₐₓ is {tr.lrs[k + 2] * lam0:.1f} already at the start: the loss spikes "
            f"to {L2.max():.0f}, {L2.max() / L2[0]:.0f}× the start (○ ends at {f2:.2g}).") in words
    assert words.index(f"At η = {tr.lrs[k + 1]:.2g}") < words.index(f"At η = {tr.lrs[k + 2]:.2g}")  # the first × first
    # past the cap GD's ends (○) are erratic, then every larger η diverges (×): the grid row, in η order
    S, Fg = tr.stable.astype(bool), tr.final_loss
    up = [j for j in range(int(np.flatnonzero(S[g]).max()) + 1, len(tr.lrs))]
    assert all(not S[g, j] for j in up) and RV.unstable_ends(tr, "gd") == [(j, float(Fg[g, j])) for j in up]
    fin = [j for j in up if np.isfinite(Fg[g, j])]
    assert fin == up[:len(fin)] and np.all(~np.isfinite(Fg[g, up[len(fin)]:])) and RV.diverged_from(tr, "gd") == up[len(fin)]
    assert f"Past the limit GD's ends jump about: {', '.join(f'{Fg[g, j]:.2g}' for j in fin)} (○), then it diverges (×)." in words
    assert Fg[g, fin[1]] < Fg[g, fin[0]] and Fg[g, fin[1]] < Fg[g, fin[2]]  # not monotone in η: erratic
    # every dropped run that still ends below the winner (the verdict's ○), recounted from the grid, and how
    # each broke the rule (its recorded probe curve peaks past 10× the start)
    best = min(tr.meta["chosen_final"].values())
    assert tr.meta["chosen_final"]["momentum"] == best and f2 < best < f0
    below = sorted([(n, int(j), float(Fg[i, j])) for i, n in enumerate(tr.meta["names"])
                    for j in np.flatnonzero(~S[i]) if np.isfinite(Fg[i, j]) and Fg[i, j] < best], key=lambda r: r[2])
    assert RV.dropped_below(tr) == below and [n for n, _, _ in below] == ["nesterov", "momentum", "gd"]
    assert below[2] == ("gd", k + 2, float(Fg[g, k + 2])) and abs(Fg[g, k + 2] - f2) <= 1e-9 * f2
    for n, j, _ in below:
        p = RV.probe(pr, n, j)
        assert p["diverged_at"] < 0 and np.max(p["loss"]) > 10 * p["loss"][0]
    ends = ", ".join(f"{XD.RACE_NAMES[n]} {f:.2g}" for n, _, f in below)
    head = "Momentum wins under the 10× rule."
    assert RV.rule_takeaway(tr) == head + " Three dropped runs (○) end lower: the rule decides the winner."
    # the verdict recounted: each dropped run broke only the peak part of the rule (its probe curve peaks past 10×
    # the start, never above the start after step 30), so with a line above the lowest one's peak it would count —
    # and it ends below every stable run on the grid: it would win
    w = pr.meta["warmup_step"]
    peaks = []
    for n, j, _ in below:
        L = RV.probe(pr, n, j)["loss"]
        assert not np.any(L[w:] > L[0]) and L.max() > 10 * L[0]
        peaks.append(L.max() / pr.meta["start_loss"])
    assert below[0][2] < Fg[S].min()
    assert RV.rule_takeaway(tr, pr) == (f"{head} The ○ runs spiked {', '.join(f'{p:.0f}×' for p in peaks)}: with a "
                                        f"line above {np.ceil(peaks[0]):.0f}×, Nesterov would win.")
    said = ", ".join(f"{XD.RACE_NAMES[n]} at {tr.lrs[j]:.2g} ({f:.2g})" for n, j, f in below)
    assert RV.dropped_text(tr, pr) == (f"Three dropped runs (○) end below Momentum's {best:.2g}: {said}, each after "
                                       f"its loss passed 10× the start. The ranking rests on the stability rule.")
    assert "(λₘₐₓ = steepest curvature)" in words
    assert tr.meta["chosen_final"]["momentum"] == best
    assert L1.max() < 10 * L1[0] and L1[30] > L1[0] and np.all(L1[31:] <= L1[0] * 10)
    assert max(curves[k + 1][1]) > 2 and tr.lrs[k + 1] * lam0 < 2
    assert (f"At η = {tr.lrs[k + 1]:.2g}, η·λₘₐₓ is {tr.lrs[k + 1] * lam0:.1f} at the start but reaches "
            f"{max(curves[k + 1][1]):.1f} as GD moves: the loss bounces up to {L1.max():.0f}, still above the start at "
            f"step 30 (○ ends at {Fg[g, k + 1]:.2g}).") in words
    # Rosenbrock's fragile verdict: the lower neighbour's place among the others' chosen finals
    meta = race["rosenbrock__tuning"].meta
    others = sorted(f for n, f in meta["chosen_final"].items() if n != meta["winner"][0])
    place = 1 + sum(f < meta["neighbours"]["lower"] for f in others)
    assert f"{XD.ordinal(place)} of 6" in RV.short_verdict(meta) and "(×) unstable" in RV.short_verdict(meta)
    ad, gd = runs["rosenbrock"]["adam"], runs["rosenbrock"]["gd"]
    words = RV.rosen_adam_text(race["rosenbrock__surface"], runs["rosenbrock"], width=1000)
    assert race["rosenbrock__surface"].meta["ranking"][1] == ["adam"] and words.startswith("Adam, 2nd:")
    said = " ".join(RV.rosen_adam_text(race["rosenbrock__surface"], runs["rosenbrock"], width=1000, span=True).split())
    assert (f"Steps 150–300: {XD.zigzag(ad.thetas):.1f}× path per progress, RMSprop {XD.zigzag(rr.thetas):.0f}×."
            in said and XD.zigzag(ad.thetas, start=0.5) == XD.zigzag(ad.thetas))
    assert (f"averaging g cancels the zigzag, {XD.zigzag(ad.thetas):.1f}× path per progress vs RMSprop's "
            f"{XD.zigzag(rr.thetas):.0f}×") in words and ad.meta["hyper"]["beta1"] == 0.9
    # why GD runs at its small η: λ_max at the start (objective's Hessian); at the next grid η, η·λ_max over
    # its first 10 steps (retrained above: curves[k + 1]); GD's last step length
    words = " ".join(RV.gd_cap_text(race["rosenbrock__surface"], runs["rosenbrock"], tr, pr, width=1000).split())
    st = lengths(gd.thetas)
    assert f"λₘₐₓ: steepest curvature, {lam0:.0f} at ○). At η = {tr.lrs[k + 1]:.2g} it reaches {max(curves[k + 1][1]):.1f}" in words
    assert max(curves[k + 1][1]) > 2 and f"so GD runs at {gd.meta['hyper']['lr']:.2g}: steps of {st[-1]:.1g}." in words
    assert st[-1] < st[0] / 50
    mo = runs["rosenbrock"]["momentum"]
    # the 2-D race's version: against its own η·|g| (the chart's dashed line), over the steps it is measured on;
    # the dashed line is η·|g| at every step of its path (recomputed from θ and the objective)
    words = " ".join(RV.velocity_own_text(race["rosenbrock__surface"], runs["rosenbrock"], width=1000).split())
    n = len(mo.thetas) - 1
    own = mo.meta["hyper"]["lr"] * np.linalg.norm([O.get("rosenbrock").gradient(p) for p in mo.thetas[:n]], axis=1)
    gain = np.median(lengths(mo.thetas)[n // 2:] / own[n // 2:])
    xs, ys = RV.own_rule(mo)
    np.testing.assert_allclose(ys, own, rtol=1e-9)
    assert xs[0] == 1 and len(xs) == n
    assert f"Over steps {n // 2}–{n} Momentum's steps are {gain:.0f}× its own η·|g| (dashed)" in words
    assert gain > 1 / (1 - mo.meta["hyper"]["beta"]) and "~1/(1 − β) = 10 past g, which were larger" in words
    # …and larger: over the steps the velocity holds, the earlier |g| exceed the current one (the median ratio)
    g_now = own / mo.meta["hyper"]["lr"]
    assert np.median([g_now[t - 10:t].mean() / g_now[t] for t in range(n // 2, n)]) > 1
    # Nesterov, 3rd: its next grid η spikes past 10× the start (probe), and at its chosen η it beats Momentum
    words = " ".join(RV.nesterov_text(race["rosenbrock__surface"], runs["rosenbrock"], tr, pr, width=1000).split())
    i, m = tr.meta["names"].index("nesterov"), tr.meta["names"].index("momentum")
    kn = int(tr.chosen[i])
    nx = RV.probe(pr, "nesterov", kn + 1)
    assert np.nanmax(nx["loss"]) > 10 * pr.meta["start_loss"] and not tr.stable[i, kn + 1]
    bn = 2 * (1 + 0.9) / (1 + 2 * 0.9)  # Nesterov's quadratic stability bound on η·λ_max at β = 0.9
    assert runs["rosenbrock"]["nesterov"].meta["hyper"]["beta"] == 0.9
    assert tr.lrs[kn] * lam0 < bn < tr.lrs[kn + 1] * lam0  # its η under the bound at ○, the next one over
    assert (f"2(1+β)/(1+2β) ≈ {bn:.1f}. At η = {tr.lrs[kn + 1]:.2g} it is {tr.lrs[kn + 1] * lam0:.1f} at ○: loss "
            f"×{np.nanmax(nx['loss']) / pr.meta['start_loss']:.0f}.") in words
    assert tr.final_loss[i, kn] < tr.final_loss[m, kn]
    assert f"At {tr.lrs[kn]:.2g} it beats Momentum ({tr.final_loss[i, kn]:.2g} vs {tr.final_loss[m, kn]:.2g})" in words
    # the race's takeaway: the top 3 and the winner's neighbours (3rd one step lower, unstable one higher)
    take = RV.takeaway("rosenbrock", race["rosenbrock__surface"], runs["rosenbrock"], tr)
    assert "Velocity terms (Momentum, Adam, Nesterov) take the top 3. Momentum's 1st is fragile: one η step off, it is 3rd or unstable." == take
    low = tr.final_loss[m, int(tr.chosen[m]) - 1]
    others = [f for n, f in tr.meta["chosen_final"].items() if n != "momentum"]
    assert sorted(others + [low]).index(low) == 2 and not tr.stable[m, int(tr.chosen[m]) + 1]  # 3rd, or unstable
    a = lengths(runs["rosenbrock"]["adagrad"].thetas)
    k = 1 + next(i for i, x in enumerate(a) if x <= 1.2 * a[-1])
    assert np.all(a[k - 1:] <= 1.25 * a[-1]) and np.all(a[:k - 1] > 1.2 * a[-1])  # flat from there on
    assert f"shrink {a[0] / a[-1]:.0f}× ({a[0]:.2f} → {a[-1]:.3f}) in {k} steps" in RV.adagrad_text(runs["rosenbrock"])
    assert f"{XD.zigzag(rr.thetas):.0f}× more path" in RV.rmsprop_zigzag_text(runs["rosenbrock"])
    # the tuning takeaway: the widest window of good η (stable, final loss < 1), recounted; the winner's count
    # and its chosen η one grid step below an unstable one
    S = tr.stable.astype(bool)
    good = {n: np.flatnonzero(S[i] & (tr.final_loss[i] < 1)) for i, n in enumerate(tr.meta["names"])}
    wide = max(good, key=lambda n: good[n].size)
    assert wide == "adam" and sorted(len(v) for v in good.values())[-2] < good["adam"].size
    words = RV.tuning_takeaway(tr)
    lo, hi = tr.lrs[good["adam"][[0, -1]]]
    assert f"Adam has the widest window of good η ({good['adam'].size} rates, {lo:.2g}–{hi:.2g})" in words
    m = tr.meta["names"].index("momentum")
    assert not S[m, tr.chosen[m] + 1] and "Momentum wins, but its best η is one grid step below an unstable one" in words


def test_race_still_headline_and_neighbour_marks(race):
    """The race still's headline names each surface's recorded winner (a tie as a tie); the winner's
    η one grid step either way sits on the winner's own strip row (hollow ○ at its final loss), and a
    neighbour that diverged is an × in a separate "diverged" column, never at a final-loss value."""
    import matplotlib
    import matplotlib.pyplot as plt

    from nnviz import figures, theme
    from nnviz.figures import descent as F

    fig = plt.figure(figsize=figures.get("descent_race").size)
    try:
        figures.get("descent_race").fn(fig)
        head = fig.headline.get_text()
        for surf in XD.RACES:
            first = race[f"{surf}__surface"].meta["ranking"][0]
            v = race[f"{surf}__tuning"].meta["verdict"]
            said = (f"{len(first)}-way tie on {surf.capitalize()}" if len(first) > 1 else
                    f"{F.OPT_LABEL[first[0]]} on {surf.capitalize()}" if v == "robust" else
                    f"no robust winner on {surf.capitalize()} ({F.OPT_LABEL[first[0]]} first, fragile)")
            assert said in head or said[0].upper() + said[1:] in head
        strips = [ax for ax in fig.axes if ax.get_xscale() == "log"]
        assert len(strips) == len(XD.RACES)
        for ax, surf in zip(strips, XD.RACES):
            tun = race[f"{surf}__tuning"]
            labels = [t.get_text() for t in ax.get_xticklabels()]
            nb = tun.meta.get("neighbours") if tun.meta["verdict"] != "tie" else None
            gone = bool(nb) and not all(np.isfinite([nb["lower"], nb["higher"]]))
            assert ("unstable" in labels) == gone and "diverged" not in labels
            if not nb:
                continue
            rows = [t.get_text().split(" η=")[0] for t in ax.get_yticklabels()]
            k = rows.index(F.OPT_LABEL[tun.meta["winner"][0]])
            rings = [ln for ln in ax.lines if ln.get_marker() == "D" and ln.get_markerfacecolor() == "none"]
            crosses = [ln for ln in ax.lines if ln.get_marker() == "x"]
            assert len(rings) == sum(np.isfinite([nb["lower"], nb["higher"]])) and len(crosses) == int(gone)
            for ln in rings + crosses:
                assert ln.get_ydata()[0] == k  # on the winner's row, not between rows
            xs = sorted(float(ln.get_xdata()[0]) for ln in rings)
            want = sorted(max(v, T.ATOL) for v in (nb["lower"], nb["higher"]) if np.isfinite(v))
            np.testing.assert_allclose(xs, want)
            if gone:  # the × right of every drawn final loss and of the axis' last labelled decade
                assert crosses[0].get_xdata()[0] > max(float(t) for t in ax.get_xticks()[:-1])
                # how it broke the rule, recomputed from its recorded probe curve
                pr = race[f"{surf}__probes"]
                o, j = pr.meta["names"].index(tun.meta["winner"][0]), int(tun.chosen[tun.meta["names"].index(
                    tun.meta["winner"][0])]) + 1
                c = pr.columns
                loss = np.asarray(c["loss"][int(np.flatnonzero((c["optimizer"] == o) & (c["lr_index"] == j))[0])], float)
                if loss.max() > 10 * loss[0]:
                    assert f"loss peak {loss.max():.3g}\n> 10× start {loss[0]:.3g}" in [t.get_text() for t in ax.texts]
        # the maps: ends on one spot with about one loss tagged "A ≈ B"; on the saddle, the tied runs named
        # once and each untied end near ★ on top of it, named with its loss, on a dark leader
        maps = [ax for ax in fig.axes if ax.get_title().endswith("steps")]
        for ax, surf in zip(maps, XD.RACES):
            runs = {n: race[f"{surf}__{n}"] for n in XD.RACE_ORDER}
            texts = {t.get_text(): t for t in ax.texts}
            for a, b in [(a, b) for i, a in enumerate(XD.RACE_ORDER) for b in XD.RACE_ORDER[i + 1:]]:
                fa, fb = runs[a].meta["final_loss"], runs[b].meta["final_loss"]
                same = (np.linalg.norm(runs[a].thetas[-1] - runs[b].thetas[-1]) < 0.05 and min(fa, fb) > T.ATOL
                        and abs(fa - fb) <= 0.1 * max(fa, fb))
                pair = {f"{F.OPT_LABEL[a]} ≈\n{F.OPT_LABEL[b]}", f"{F.OPT_LABEL[b]} ≈\n{F.OPT_LABEL[a]}"}
                assert bool(pair & set(texts)) == same
            done = [n for n in XD.RACE_ORDER if runs[n].meta["final_loss"] <= T.ATOL]
            if surf == "saddle":
                assert len(done) == 4 and "Adam ≈\nNesterov" in [t.get_text() for t in maps[0].texts]
                key = [t for t in texts if t.startswith(f"{len(done)} tied on ★:")]
                assert len(key) == 1 and all(F.OPT_LABEL[n] in key[0] for n in done)
                star = max(ln.get_zorder() for ln in ax.lines if ln.get_marker() == "*")
                for n in ("adam", "momentum"):
                    v = runs[n].meta["final_loss"]
                    assert v > T.ATOL
                    t = texts[f"{F.OPT_LABEL[n]}\n$f - f^*$ = {v:.2g}"]
                    assert t.arrow_patch.get_edgecolor()[:3] == matplotlib.colors.to_rgb(theme.INK)
                    dots = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_zorder() > star
                            and np.allclose([ln.get_xdata()[0], ln.get_ydata()[0]], runs[n].thetas[-1])]
                    assert len(dots) == 1
    finally:
        plt.close(fig)


def test_race_still_points_recomputed(race):
    """The race still's three short lines per panel, their numbers recomputed from the records: AdaGrad's
    step shrink on Rosenbrock; on the saddle the first tied run to reach f − f* < 10⁻¹² (from its loss
    curve), the step the adaptive runs and GD first get |y| > 0.5 off the ridge, who ends still moving."""
    surfs = {s: race[f"{s}__surface"] for s in XD.RACES}
    runs = {s: {o: race[f"{s}__{o}"] for o in XD.RACE_ORDER} for s in XD.RACES}
    pts = {s: RV.still_points(s, surfs[s], runs[s], race[f"{s}__tuning"]) for s in XD.RACES}
    assert all(len(p) <= 4 for p in pts.values())
    a = lengths(runs["rosenbrock"]["adagrad"].thetas)
    assert pts["rosenbrock"][1] == f"AdaGrad: its sum of g² only grows; steps shrink {a[0] / a[-1]:.0f}× from step 1 to 300."
    assert [n for p in surfs["rosenbrock"].meta["ranking"][:3] for n in p] == ["momentum", "adam", "nesterov"]
    assert pts["rosenbrock"][0] == "The top 3 carry a velocity (Adam's m: a running mean of g)."
    rr = runs["rosenbrock"]["rmsprop"]
    assert np.median(lengths(rr.thetas)[150:]) == pytest.approx(np.sqrt(2) * rr.meta["hyper"]["lr"], rel=0.05)
    b = runs["beale"]
    assert b["adam"].meta["hyper"]["beta2"] == 0.999 and "Adam (~1000-step mean)" in pts["beale"][1]
    assert b["rmsprop"].meta["hyper"]["decay"] == 0.9 and pts["beale"][3].startswith("RMSprop (~10-step mean)")
    assert surfs["beale"].meta["ranking"][-1] == ["rmsprop"] and pts["beale"][3].endswith(", last.")
    sad = runs["saddle"]
    tied = surfs["saddle"].meta["ranking"][0]
    fmin = race["saddle__tuning"].meta["min_value"]
    when = {n: int(np.flatnonzero(np.asarray(sad[n].train_loss, float) - fmin < T.ATOL)[0]) for n in tied}
    first = min(when, key=when.get)
    assert pts["saddle"][0] == f"Tied at ★ (< 10⁻¹²); {XD.RACE_NAMES[first]} first, step {when[first]}."
    assert pts["saddle"][1] == f"Start y = {surfs['saddle'].meta['start'][1]:g}, a hair above the saddle line."
    off = {n: int(np.flatnonzero(np.abs(np.asarray(sad[n].thetas, float)[:, 1]) > 0.5)[0]) for n in sad}
    assert f"off y = 0 at step {max(off[n] for n in ('adagrad', 'rmsprop', 'adam'))}; GD only at step {off['gd']}" in pts["saddle"][2]
    moving = [n for n in ("momentum", "adam") if np.linalg.norm(np.diff(sad[n].thetas[-2:], axis=0)) > 0.05]
    assert moving and pts["saddle"][3].startswith(", ".join(XD.RACE_NAMES[n] for n in moving))
    assert all(sad[n].meta["final_loss"] > T.ATOL for n in moving)  # not among the tied


def test_momentum_cap_words(race):
    """Why Momentum may run at an η that makes GD bounce: η·λ_max along its own probe runs (λ_max from the
    objective's Hessian at the recorded points) at its chosen η stays under 2(1 + β), the next grid η passes it
    and is unstable; GD's limit 2 is passed at that same chosen η (GD's probe)."""
    tr, pr = race["rosenbrock__tuning"], race["rosenbrock__probes"]
    mo = race["rosenbrock__momentum"]
    b = mo.meta["hyper"]["beta"]
    i = tr.meta["names"].index("momentum")
    k = int(tr.chosen[i])
    obj = O.get("rosenbrock")
    from nnviz import optim
    from nnviz.train import train

    peaks = []
    for j in (k, k + 1):
        r = train(O.ObjectiveProblem(obj), optim.momentum(lr=float(tr.lrs[j]), beta=b), np.array(obj.start, float),
                  steps=10)
        peaks.append(max(np.linalg.eigvalsh(obj.hessian(t)).max() * tr.lrs[j] for t in r.thetas[:10]))
    assert peaks[0] < 2 * (1 + b) < peaks[1] and tr.stable[i, k] and not tr.stable[i, k + 1]
    g = tr.meta["names"].index("gd")
    assert not tr.stable[g, k] and RV.sharpness_peak(pr, "gd", k) > 2  # GD at Momentum's η: past its limit 2
    words = RV.momentum_cap_text({"momentum": mo}, tr, pr, width=1000)
    assert (f"Heavy-ball Momentum (β = {b:g}) stays stable while η·λₘₐₓ < 2(1 + β) = {2 * (1 + b):.1f}, not GD's 2: "
            f"it reaches {peaks[0]:.1f} at η = {tr.lrs[k]:.2g}, {peaks[1]:.1f} at {tr.lrs[k + 1]:.2g} (×).") in words
