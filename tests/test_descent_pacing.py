"""Pacing of every descent scene (issue 9 item 7), from the scene's own step-at-time mapping and
the records it draws: the first half of the animated time covers 25–75 % of the total progress, and
at most 25 % of the animated time passes at under 1 % of the progress per second of video.

Progress is measured here, independently of how a scene built its warp, on what is drawn: the
drawn path length of each run (its share of its own length, until it leaves the panel)."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz import experiments as E
from nnviz import objectives as O
from nnviz.experiments import descent as X
from nnviz.render import race_chart as RC
from nnviz.render.pacing import combine, measure_pacing, path_progress

ROOT = Path(__file__).resolve().parents[1]


def scene_module(name: str):
    path = ROOT / "scenes" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_pacing_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def drawn_progress(runs, surf):
    """Path length as drawn on a panel spanning surf.xs × surf.ys (each axis scaled to the panel)."""
    b = np.array([surf.xs[[0, -1]], surf.ys[[0, -1]]])
    return combine([path_progress(r.thetas[:, :2], r.steps, b, scale=np.ptp(b, axis=1)) for r in runs])


def assert_paced(warp, progress):
    m = measure_pacing(warp, progress)
    assert not m.problems(), m.problems()
    return m


@pytest.mark.parametrize("surface,cls", [("rosenbrock", "DescentRace"), ("beale", "DescentRaceBeale"),
                                         ("saddle", "DescentRaceSaddle")])
def test_race_is_paced(surface, cls):
    mod = scene_module("descent_race")
    surf, runs = mod.race_records(surface)
    scene = getattr(mod, cls)
    warp = RC.race_warp(surf, runs, scene.run_time)
    assert warp.run_time == scene.run_time and warp.last_step == surf.meta["steps"]
    assert_paced(warp, drawn_progress(runs.values(), surf))


def test_race_tuning_sweep_is_paced():
    mod = scene_module("descent_race")
    tun = E.load("descent_race")["rosenbrock__tuning"]
    warp = RC.tuning_warp(tun, mod.DescentRaceTuning.run_time)
    from nnviz.render.pacing import Progress

    # the sweep draws one grid point per step of its tracker: progress = rates drawn
    n = len(tun.lrs)
    assert_paced(warp, Progress(np.arange(n, dtype=float), np.arange(n, dtype=float)))


def test_regimes_are_paced():
    mod = scene_module("descent_regimes")
    rec = E.load("descent_regimes")
    scene = mod.DescentRegimes
    warp = mod.regimes_warp(rec, scene.regimes, scene.run_time)
    assert warp.last_step == max(rec[r].n_steps for r in scene.regimes)
    assert_paced(warp, drawn_progress([rec[r] for r in scene.regimes], rec["surface"]))


def test_variants_panels_are_paced():
    mod = scene_module("descent_variants")
    rec = E.load("descent_variants")
    scene = mod.DescentVariants
    warps = mod.variants_warps(rec, scene.variants, scene.run_time)
    for match, warp in warps.items():
        runs = [rec[f"{v}_{match}"] for v in scene.variants]
        per = [r.config["steps_per_epoch"] if match == "epochs" else 1 for r in runs]
        s = rec["surface"]
        b = np.array([s.xs[[0, -1]], s.ys[[0, -1]]])
        prog = combine([path_progress(r.thetas, r.steps / k, b, scale=np.ptp(b, axis=1)) for r, k in zip(runs, per)])
        assert warp.run_time == scene.run_time
        assert_paced(warp, prog)


def test_digits_phases_are_paced():
    from nnviz.render.pacing import loss_progress

    mod = scene_module("descent_variants")
    from nnviz.experiments.descent_views import digits_runs

    rec = digits_runs(E.load("descent_digits"))  # the three runs the scene draws
    scene = mod.DescentDigits
    warps = mod.digits_warps(rec, scene.variants, scene.run_time)
    spe = {v: rec[v].config["steps_per_epoch"] for v in scene.variants}
    at_ends = {v: rec[v].eval_steps % spe[v] == 0 for v in scene.variants}  # the per-epoch panel's points
    ep = combine([loss_progress(rec[v].test_loss[at_ends[v]], rec[v].eval_steps[at_ends[v]] / spe[v])
                  for v in scene.variants])
    assert_paced(warps["epochs"], ep)
    clock = combine([loss_progress(rec[v].test_loss[1:], np.median(rec[v].epoch_time) * rec[v].eval_steps[1:] / spe[v])
                     for v in scene.variants])
    assert_paced(warps["clock"], clock)


@pytest.mark.parametrize("phase", ["main", "restarts"])
def test_wells_are_paced(phase):
    mod = scene_module("descent_wells")
    rec = E.load("descent_wells")
    names = list(mod.DescentWells.runs) if phase == "main" else mod.restart_keys(rec)
    run_time = mod.DescentWells.run_time * (1.0 if phase == "main" else 0.6)
    warp = mod.wells_warp(rec, names, run_time)
    prog = combine([path_progress(rec[n].thetas[:, 0:1], rec[n].steps) for n in names])
    assert_paced(warp, prog)
    # the old rate function a**1.6 over raw steps left most of the video dead: the measurement sees it
    if phase == "main":
        t = np.linspace(0, run_time, 801)
        old = (t, (t / run_time) ** 1.6 * max(rec[n].n_steps for n in names))
        assert measure_pacing(old, prog).problems()


def test_wells_stop_when_nothing_moves_and_the_hump_splits_the_restarts():
    """The main phase ends at the step the scene names ("no visible change after step N"), well before
    the recorded end: every run stays within the tolerance of its end from N on. Plain GD restarts
    end in the well on their side of the drawn hump."""
    mod = scene_module("descent_wells")
    rec = E.load("descent_wells")
    names = list(mod.DescentWells.runs)
    warp = mod.wells_warp(rec, names, mod.DescentWells.run_time)
    n = int(warp.last_step)
    assert mod.settled_step(rec, names) <= n < 0.75 * max(rec[k].n_steps for k in names)
    far = [np.abs(rec[k].thetas[:, 0] - rec[k].thetas[-1, 0]) for k in names]
    assert all(np.all(d[rec[k].steps >= n] <= 0.01) for d, k in zip(far, names))
    xb = mod.barrier(rec["curve"])
    f = lambda x: x ** 4 / 4 + x ** 3 / 10 - 0.7 * x ** 2 + 0.15 * x  # the recorded formula, by hand
    fp = lambda x: x ** 3 + 0.3 * x ** 2 - 1.4 * x + 0.15
    assert rec["curve"].meta["formula"] == "f(x) = x⁴/4 + x³/10 − 0.7x² + 0.15x"
    assert abs(fp(xb)) < 0.02 and f(xb) > f(xb - 0.05) and f(xb) > f(xb + 0.05)  # a local maximum
    for k in mod.restart_keys(rec):
        side = "deep" if rec[k].thetas[0, 0] < xb else "shallow"  # the deep minimum is left of the hump
        assert rec[k].meta["well"] == side, k


def test_wells_bigger_eta_and_first_steps():
    """What the wells scene says about "just a bigger η": plain GD at η/(1−β) from the same start leaps
    over the hump in one step (the two numbers shown), and momentum's first step equals plain GD's."""
    wells = E.load("descent_wells")
    mo, gd, big = wells["momentum"], wells["gd"], wells["gd_big"]
    beta = mo.config["optimizer"]["beta"]
    assert big.learning_rate == pytest.approx(mo.learning_rate / (1 - beta)) and big.meta["rule"] == "η/(1−β)"
    obj = O.two_wells()
    x0 = big.thetas[0, 0]
    assert big.thetas[1, 0] == pytest.approx(x0 - big.learning_rate * obj.gradient(np.array([x0]))[0])
    xb = sorted(np.roots([1.0, 0.3, -1.4, 0.15]).real)[1]  # f' = 0 between the minima: the hump
    assert big.thetas[1, 0] < xb < x0  # over the hump in one step
    assert mo.thetas[1, 0] == pytest.approx(gd.thetas[1, 0])  # v starts at 0: the first steps agree
    mod = scene_module("descent_wells")
    c = mod.crossing_step(mo, xb)
    assert mo.thetas[c, 0] < xb and np.all(mo.thetas[:c, 0] >= xb)
    # the numbers shown as it passes the hump: the slope there (≈ 0) and the velocity (not 0)
    g, v = mod.hump_numbers(wells, c, xb)
    fp = lambda x: x ** 3 + 0.3 * x ** 2 - 1.4 * x + 0.15
    assert abs(g - fp(mod.barrier(wells["curve"]))) < 0.01 and abs(g) < 0.01
    th, vel = mo.thetas[:, 0], mo.state["velocity"][:, 0]
    assert min(vel[c - 1], vel[c]) <= v <= max(vel[c - 1], vel[c]) and abs(v) > 0.1
    # the first steps: plain GD at η/(1−β) jumps; momentum's steps grow on the slope
    steps = np.abs(np.diff(th))
    assert abs(big.thetas[1, 0] - x0) > 5 * steps[0] and steps[:10].max() > steps[0]
    # from the range's left end (the deep well's side) the same fixed big step leaps into the shallow well,
    # momentum from there stays deep
    left, mleft = wells["gd_big_left"], wells["momentum_left"]
    assert left.thetas[0, 0] == mleft.thetas[0, 0] == O.two_wells().domain[0][0]
    assert left.learning_rate == big.learning_rate and left.thetas[1, 0] > xb
    assert left.meta["well"] == "shallow" and mleft.meta["well"] == "deep"
    assert big.meta["well"] == "deep"  # from 1.9 the same fixed step lands deep ("by luck": from −2.2 it does not)
    # act 2's ball and arrow: momentum's velocity read off the path equals the recorded one, and on the −2.2
    # run it follows the rule v ← βv − η∇J, θ ← θ + v
    from nnviz.experiments import descent_views as V
    assert np.allclose(V.velocity_of(mo), vel) and np.allclose(np.r_[0.0, np.diff(th)], vel, atol=1e-12)
    vl, tl = V.velocity_of(mleft), mleft.thetas[:, 0]
    grad = np.array([obj.gradient(np.array([x]))[0] for x in tl[:-1]])
    assert np.allclose(vl[1:], beta * vl[:-1] - mleft.learning_rate * grad, atol=1e-12)
    # it turns back short of the hump: the highest θ it reaches, and the gap the caption states
    k, top, short = V.turn_back(mleft, xb)
    assert top == tl.max() < xb and short == pytest.approx(xb - tl.max()) and 0 < short < 0.2
    assert vl[k] >= 0 >= vl[k + 1]  # climbing until that step, then falling back
    f = lambda x: x ** 4 / 4 + x ** 3 / 10 - 0.7 * x ** 2 + 0.15 * x  # noqa: E731  (the recorded formula)
    assert f(tl[0]) < f(mo.thetas[0, 0])  # "momentum starts lower" (J at −2.2 vs at 1.9)
    shallow = max(m[0] for m in wells["curve"].meta["minima"])  # the big step's run settles there (caption's θ)
    assert abs(left.final_theta[0] - shallow) < 0.01


def test_restarts_words():
    """Restarts: starts drawn uniformly from the recorded range; the shown share of the range left of the
    hump; the two starts either side of the hump end in different wells."""
    wells = E.load("descent_wells")
    mod = scene_module("descent_wells")
    keys = mod.restart_keys(wells)
    lo, hi = wells[keys[0]].meta["start_range"]
    assert (lo, hi) == O.two_wells().domain[0]
    assert all(lo <= wells[k].thetas[0, 0] <= hi for k in keys)
    xb = mod.barrier(wells["curve"])
    assert mod.basin_share(lo, hi, xb) == pytest.approx((xb - lo) / (hi - lo))
    a, b = mod.straddle(wells, keys, xb)
    assert wells[a].thetas[0, 0] < xb <= wells[b].thetas[0, 0]
    assert wells[a].meta["well"] == "deep" and wells[b].meta["well"] == "shallow"
    from nnviz.experiments import descent_views as V
    finals = {k: float(np.interp(wells[k].final_theta[0], wells["curve"].xs, wells["curve"].loss[0])) for k in keys}
    tied = [k for k in keys if finals[k] <= min(finals.values()) + 1e-6]
    assert ("tie" in V.keep_words(wells)) == (len(tied) > 1)
    assert f"J = {min(finals.values()):.2f}" in V.keep_words(wells)
    others = [wells[k].thetas[0, 0] for k in keys if k not in (a, b)]
    assert all(not (wells[a].thetas[0, 0] < x < wells[b].thetas[0, 0]) for x in others)
