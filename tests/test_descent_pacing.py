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
from nnviz.experiments import descent as X
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
    warp = mod.race_warp(surf, runs, scene.run_time)
    assert warp.run_time == scene.run_time and warp.last_step == surf.meta["steps"]
    assert_paced(warp, drawn_progress(runs.values(), surf))


def test_race_tuning_sweep_is_paced():
    mod = scene_module("descent_race")
    tun = E.load("descent_race")["rosenbrock__tuning"]
    warp = mod.tuning_warp(tun, mod.DescentRaceTuning.run_time)
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
