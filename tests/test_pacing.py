"""The render kit's time warp (nnviz/render/pacing.py): progress measures against hand-computed
values, the warp against its definition, the measurement against known mappings."""
import subprocess
import sys

import numpy as np
import pytest

from nnviz.errors import ShapeError
from nnviz.render.pacing import Progress, TimeWarp, combine, loss_progress, measure_pacing, path_progress


def test_importable_without_manim():
    code = "import sys, nnviz.render.pacing; print('manim' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_path_progress_is_cumulative_length_until_the_path_leaves_the_view():
    pts = np.array([[0, 0], [3, 4], [3, 5], [30, 5], [30, 32]], float)
    p = path_progress(pts)
    np.testing.assert_allclose(p.value, [0, 5, 6, 33, 60])
    q = path_progress(pts, bounds=[[-1, 10], [-1, 10]])
    np.testing.assert_allclose(q.value, [0, 5, 6, 6, 6])  # leaves at index 3: nothing more is drawn
    r = path_progress(np.array([[0, 0], [1, 0], [np.nan, 0], [2, 0]]))
    np.testing.assert_allclose(r.value, [0, 1, 1, 1])
    s = path_progress(np.array([[0, 0], [2, 0], [2, 10]]), scale=[2.0, 10.0])
    np.testing.assert_allclose(s.value, [0, 1, 2])


def test_loss_progress_is_total_variation_of_log_loss():
    p = loss_progress([100.0, 1.0, 10.0, np.inf, 1.0], steps=[0, 1, 2, 3, 4])
    np.testing.assert_allclose(p.value, [0, 2, 3, 3, 3])
    lin = loss_progress([5.0, 3.0, 4.0], log=False)
    np.testing.assert_allclose(lin.value, [0, 2, 3])
    fl = loss_progress([1.0, 1e-6, 1e-9], floor=1e-3)
    np.testing.assert_allclose(fl.value, [0, 3, 3])


def test_combine_weights_each_run_by_its_own_share():
    a = Progress(np.array([0.0, 1, 2]), np.array([0.0, 100, 100]))  # long path, done at step 1
    b = Progress(np.array([0.0, 2, 4]), np.array([0.0, 1, 2]))      # short path, steady
    c = combine([a, b])
    np.testing.assert_allclose(c.steps, [0, 1, 2, 4])
    np.testing.assert_allclose(c.fraction(c.steps), [0, (1 + 0.25) / 2, (1 + 0.5) / 2, 1])


def test_progress_rejects_bad_input():
    with pytest.raises(ShapeError):
        Progress(np.array([0.0, 1]), np.array([0.0, 1, 2]))
    with pytest.raises(ShapeError):
        Progress(np.array([1.0, 0]), np.array([0.0, 1]))
    with pytest.raises(ShapeError):
        TimeWarp([0.0, 1.0], [5.0, 4.0])


def test_warp_of_steady_progress_with_linear_clock_is_linear_in_steps():
    p = Progress(np.arange(101.0), np.arange(101.0))
    w = TimeWarp.from_progress(p, run_time=10.0, clock="linear", tol=0.0)
    t = np.linspace(0, 10, 51)
    np.testing.assert_allclose(w.step_at(t[:-1]), 10 * t[:-1], atol=1e-9)
    assert w.step_at(10.0) == 100.0
    assert w.rate_func(0.0) == 0.0 and w.rate_func(1.0) == 1.0
    np.testing.assert_allclose(w.rate_func(0.3), 0.3)


def test_warp_spends_time_on_progress_and_stops_when_nothing_changes():
    steps = np.arange(301.0)
    value = 1 - np.exp(-steps / 8)  # a path that covers 99.99 % of its length by step 74
    p = Progress(steps, value)
    w = TimeWarp.from_progress(p, run_time=8.0, floor=0.15, tol=2e-3)
    assert w.end_step == p.visible_end(2e-3) < 60
    assert w.last_step == 300.0 and w.step_at(8.0) == 300.0 and w.step_at(7.99) <= w.end_step
    # definition: time fraction at a knot = 0.85 · progress share + 0.15 · log clock, normalised
    k = 20.0
    share = p.fraction(k) / p.fraction(w.end_step)
    tau = 0.85 * share + 0.15 * np.log1p(k) / np.log1p(w.end_step)
    assert w.step_at(tau * 8.0) == pytest.approx(k, abs=1e-9)
    assert w.time_at(k) == pytest.approx(tau * 8.0, abs=1e-9)          # time_at inverts step_at
    np.testing.assert_allclose(w.step_at(w.time_at([3.0, 10.5, 40.0])), [3.0, 10.5, 40.0], atol=1e-9)
    assert w.time_at(-1.0) == 0.0 and w.time_at(w.end_step) == w.time_at(300.0) == 8.0
    flat = TimeWarp([0.0, 1.0, 2.0, 3.0], [0.0, 5.0, 5.0, 9.0])        # a hold: the first time step 5 is shown
    assert flat.time_at(5.0) == 1.0 and flat.time_at(7.0) == 2.5
    m = measure_pacing(w, p)
    assert m.ok() and 0.4 < m.first_half < 0.6 and m.slow_time < 0.2
    linear = measure_pacing((np.linspace(0, 8, 801), np.linspace(0, 300, 801)), p)  # raw steps: dead time
    assert not linear.ok() and linear.first_half > 0.99 and linear.slow_time > 0.8


def test_pacing_measures_known_mappings():
    p = Progress(np.array([0.0, 10.0]), np.array([0.0, 1.0]))
    even = measure_pacing((np.linspace(0, 10, 101), np.linspace(0, 10, 101)), p)
    assert even.first_half == pytest.approx(0.5) and even.slow_time == 0.0
    # holds still for the last 4 of 10 seconds
    t = np.linspace(0, 10, 1001)
    hold = measure_pacing((t, np.minimum(t / 6, 1) * 10), p)
    assert hold.first_half == pytest.approx(5 / 6) and hold.slow_time == pytest.approx(0.4, abs=0.01)
    assert len(hold.problems()) == 2
    nothing = measure_pacing((t, np.zeros_like(t)), p)
    assert not nothing.ok()


def test_warp_drives_a_manim_tracker_to_the_same_steps():
    mn = pytest.importorskip("manim")
    p = Progress(np.arange(51.0), np.sqrt(np.arange(51.0)))
    w = TimeWarp.from_progress(p, run_time=4.0)
    tr = mn.ValueTracker(w.first_step)
    from manim.animation.animation import prepare_animation
    anim = prepare_animation(w.animate(tr))
    anim.begin()
    for a in (0.1, 0.5, 0.9):
        anim.interpolate(a)
        assert tr.get_value() == pytest.approx(w.step_at(a * 4.0), rel=1e-6, abs=1e-6)
    anim.interpolate(1.0)
    assert tr.get_value() == pytest.approx(50.0)


def test_warp_segments_together_are_the_whole_warp():
    """A scene plays its warp in pieces (captions change between them): each piece drives the tracker
    to the warp's own step at every moment, and the last piece lands on last_step."""
    mn = pytest.importorskip("manim")
    from manim.animation.animation import prepare_animation

    p = Progress(np.arange(51.0), np.sqrt(np.arange(51.0)))
    w = TimeWarp.from_progress(p, run_time=4.0, last_step=60.0)
    tr = mn.ValueTracker(w.first_step)
    for t0, t1 in ((0.0, 1.3), (1.3, 1.8), (1.8, 4.0)):
        anim = prepare_animation(w.segment(tr, t0, t1))
        anim.begin()
        for a in (0.0, 0.3, 0.7):
            anim.interpolate(a)
            assert tr.get_value() == pytest.approx(w.step_at(t0 + a * (t1 - t0)), rel=1e-6, abs=1e-6)
        anim.interpolate(1.0)
        assert anim.run_time == pytest.approx(t1 - t0)
    assert tr.get_value() == pytest.approx(60.0)
    with pytest.raises(ShapeError):
        w.segment(tr, 2.0, 2.0)
