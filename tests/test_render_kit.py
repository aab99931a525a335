"""Render kit: clipping (NaN / inf / off-frame), widgets, math, and real renders checked by pixels."""
from __future__ import annotations

import manim as mn
import numpy as np
import pytest
from PIL import Image

from conftest import hex_rgb, video_frames
from nnviz import theme
from nnviz.errors import NNVizError, ShapeError
from nnviz.render import (DescentPath, LabelledAxes, Legend, LossPlot, StepCounter, ThemedScene, ThemedThreeDScene,
                          clip_path,
                          color, latex_available, math, text, with_overrides)
from nnviz.render.paths import segment_windows

BOX = [[-1.0, 1.0], [-1.0, 1.0]]


def all_finite_in_box(clipped, bounds):
    b = np.asarray(bounds)
    for pts, st in clipped.segments:
        assert np.all(np.isfinite(pts)) and np.all(np.isfinite(st))
        assert np.all(pts >= b[:, 0] - 1e-12) and np.all(pts <= b[:, 1] + 1e-12)
        assert np.all(np.diff(st) >= 0)


# --- clip_path -------------------------------------------------------------------

def test_inside_path_is_unchanged():
    p = np.array([[0, 0], [0.5, 0.2], [-0.3, 0.9]])
    c = clip_path(p, BOX)
    assert len(c.segments) == 1 and c.exit is None
    np.testing.assert_array_equal(c.segments[0][0], p)
    np.testing.assert_array_equal(c.segments[0][1], [0, 1, 2])


def test_leaving_the_frame_ends_on_the_edge_with_direction():
    c = clip_path([[0, 0], [0.5, 0], [3, 0], [9, 0]], BOX, steps=[0, 10, 20, 30])
    pts, st = c.segments[0]
    np.testing.assert_allclose(pts[-1], [1, 0])
    assert st[-1] == pytest.approx(12.0)           # 0.5 → 3 crosses x=1 a fifth of the way
    assert c.exit.reason == "left" and c.exit.step == pytest.approx(12.0)
    np.testing.assert_allclose(c.exit.direction, [1, 0])
    all_finite_in_box(c, BOX)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_cuts_the_path_and_marks_it(bad):
    p = np.array([[0, 0], [0.2, 0.1], [0.4, 0.2], [bad, 0.3], [0.1, 0.1]])
    c = clip_path(p, BOX)
    assert len(c.segments) == 1
    np.testing.assert_array_equal(c.segments[0][0], p[:3])
    # the path ends inside the box, so no exit — but nothing non-finite is kept
    all_finite_in_box(c, BOX)
    c2 = clip_path(p[:4], BOX)
    assert c2.exit.reason == "nonfinite"
    np.testing.assert_array_equal(c2.exit.point, [0.4, 0.2])
    np.testing.assert_allclose(c2.exit.direction, np.array([0.2, 0.1]) / np.hypot(0.2, 0.1))


def test_leave_and_return_gives_two_pieces_and_no_exit():
    c = clip_path([[0, 0], [3, 0], [0, 0.5]], BOX)
    assert len(c.segments) == 2 and c.exit is None
    np.testing.assert_allclose(c.segments[0][0][-1], [1, 0])
    np.testing.assert_allclose(c.segments[1][0][0], [1, 1 / 3])   # x=1 two thirds of the way back
    assert c.position(1.0) is None                 # off-frame at step 1
    np.testing.assert_allclose(c.position(2.0), [0, 0.5])


def test_segment_passing_through_the_box_is_kept():
    c = clip_path([[-3, 0], [3, 0]], BOX)
    np.testing.assert_allclose(c.segments[0][0], [[-1, 0], [1, 0]])
    np.testing.assert_allclose(c.segments[0][1], [1 / 3, 2 / 3])
    assert c.exit.reason == "left"


def test_all_outside_or_all_nan_is_empty_not_an_error():
    assert clip_path([[5, 5], [6, 6]], BOX).empty
    assert clip_path([[np.nan, 0], [np.inf, 1]], BOX).empty
    assert clip_path([[0.5, 0.5]], BOX).segments[0][0].shape == (1, 2)


def test_three_d_and_upto_interpolates():
    p = np.array([[0, 0, 0], [1, 1, 1], [2, 2, 2.0]])
    c = clip_path(p, [[-5, 5], [-5, 5], [-5, 1.5]])
    np.testing.assert_allclose(c.segments[0][0][-1], [1.5, 1.5, 1.5])
    piece = c.upto(0.5)[0]
    np.testing.assert_allclose(piece, [[0, 0, 0], [0.5, 0.5, 0.5]])


def test_bad_input_raises_shape_error():
    with pytest.raises(ShapeError):
        clip_path(np.zeros((3,)), BOX)
    with pytest.raises(ShapeError):
        clip_path(np.zeros((3, 2)), [[1, 0], [0, 1]])
    with pytest.raises(ShapeError):
        clip_path(np.zeros((3, 2)), BOX, steps=[0, 2, 1])


def test_liang_barsky_matches_dense_sampling():
    rng = np.random.default_rng(0)
    p0, p1 = rng.uniform(-3, 3, (300, 2)), rng.uniform(-3, 3, (300, 2))
    b = np.array(BOX)
    t0, t1, vis = segment_windows(p0, p1, b)
    ts = np.linspace(0, 1, 20001)
    for k in range(300):
        q = p0[k] + ts[:, None] * (p1[k] - p0[k])
        inside = np.all((q >= b[:, 0]) & (q <= b[:, 1]), axis=1)
        assert inside.any() == vis[k] or abs(t1[k] - t0[k]) < 1e-3
        if inside.any():
            assert t0[k] == pytest.approx(ts[inside][0], abs=1e-4)
            assert t1[k] == pytest.approx(ts[inside][-1], abs=1e-4)


def test_random_diverging_paths_never_leak_nonfinite_points():
    rng = np.random.default_rng(1)
    for _ in range(50):
        p = rng.normal(0, 1.5, (40, 2)) * np.exp(rng.uniform(0, 0.3) * np.arange(40))[:, None]
        p[rng.integers(0, 40, 3)] = rng.choice([np.nan, np.inf, -np.inf])
        c = clip_path(p, BOX)
        all_finite_in_box(c, BOX)
        for s in np.linspace(0, 39, 17):
            for piece in c.upto(s):
                assert np.all(np.isfinite(piece))


# --- mobjects ----------------------------------------------------------------------

def family_points(mob):
    pts = [m.points for m in mob.family_members_with_points()]
    return np.concatenate(pts) if pts else np.zeros((0, 3))


def test_descent_path_with_blowup_has_only_finite_points_and_a_marker():
    ax = LabelledAxes((-2, 2), (-2, 2))
    p = np.c_[0.1 * 2.0 ** np.arange(30), np.zeros(30)]
    p[25:] = np.nan
    path = DescentPath(p, ax, color=color("optimizer", "sgd"))
    assert path.diverges
    assert np.all(np.isfinite(family_points(path)))
    assert path.trace.marker.get_fill_opacity() == 1.0      # built fully drawn
    path.reset()
    assert path.trace.marker.get_fill_opacity() == 0.0      # hidden before the exit step
    path.set_step(path.last_step)
    assert path.trace.marker.get_fill_opacity() == 1.0


def test_between_returns_the_stretch_of_path_between_two_steps():
    p = np.c_[np.arange(5.0), np.zeros(5)] * 0.2
    c = clip_path(p, BOX)
    (piece,) = c.between(1.5, 3.25)
    np.testing.assert_allclose(piece[:, 0], [0.3, 0.4, 0.6, 0.65])
    assert c.between(10, 12) == [] and len(c.between(-3, 0.5)[0]) == 2


def test_fading_trail_splits_old_and_recent_steps_with_rising_opacity():
    ax = LabelledAxes((-2, 2), (-2, 2))
    p = np.c_[np.linspace(-1, 1, 101), np.zeros(101)]
    path = DescentPath(p, ax, fade=20, fade_floor=0.2, outline=theme.BACKGROUND)
    tr = path.trace
    assert callable(tr.fade)  # the manim method is not shadowed (FadeIn needs it)
    ops = [m.get_stroke_opacity() for m in tr.recent]
    assert tr.line.get_stroke_opacity() == pytest.approx(0.2) and np.all(np.diff(ops) > 0)
    assert ops[-1] == pytest.approx(1.0)
    path.set_step(60)
    old_x = tr.line.points[:, 0]
    assert old_x.max() == pytest.approx(ax.c2p(-1 + 2 * 40 / 100, 0)[0])   # faint up to step 40
    new_x = np.concatenate([m.points[:, 0] for m in tr.recent])
    assert new_x.min() == pytest.approx(old_x.max()) and new_x.max() == pytest.approx(ax.c2p(0.2, 0)[0])
    assert tr.head.get_stroke_width() > 0   # outlined head


def test_log_x_axis_maps_decades():
    ax = LabelledAxes((1e-5, 1.0), (1e-3, 10.0), log_x=True, log_y=True)
    np.testing.assert_allclose(ax.bounds, [[-5, 0], [-3, 1]])
    np.testing.assert_allclose(ax.to_axes([[1e-2, 0.1]]), [[-2, -1]])
    assert ax.c2p(1e-5, 1e-3)[0] < ax.c2p(1e-2, 1e-3)[0] < ax.c2p(1.0, 1e-3)[0]
    with pytest.raises(ShapeError):
        LabelledAxes((0.0, 1.0), (1, 2), log_x=True)


def test_log_axis_decades_written_out_where_the_superscripts_stood():
    """`decades` writes a log axis's ticks as words (0.001 … 1), one glyph per character, right-aligned
    where the 10ⁿ labels end (y) and centred under their ticks (x)."""
    sup = LabelledAxes((1e-2, 10.0), (1e-3, 1.0), log_x=True, log_y=True)
    out = LabelledAxes((1e-2, 10.0), (1e-3, 1.0), log_x=True, log_y=True, decades=lambda v: f"{v:g}")
    assert [t.text for t in sup.tick_labels] == ["10⁻²", "10⁻¹", "10⁰", "10¹", "10⁻³", "10⁻²", "10⁻¹", "10⁰"]
    assert [t.text for t in out.tick_labels] == ["0.01", "0.1", "1", "10", "0.001", "0.01", "0.1", "1"]
    assert all(len(t.submobjects) == len(t.text) for t in out.tick_labels)
    for a, b in zip(sup.tick_labels[4:], out.tick_labels[4:]):  # y: right edges and heights kept
        assert b.get_right()[0] == pytest.approx(a.get_right()[0]) and b.get_y() == pytest.approx(a.get_y())
    for a, b in zip(sup.tick_labels[:4], out.tick_labels[:4]):  # x: under the same tick
        assert b.get_x() == pytest.approx(a.get_x())


def test_descent_path_diverged_at_marks_even_inside_the_frame():
    p = np.c_[np.linspace(0, 1, 10), np.zeros(10)]
    assert not DescentPath(p).diverges
    assert DescentPath(p, diverged_at=9).diverges


def test_descent_path_on_3d_axes_and_inf_loss():
    ax = mn.ThreeDAxes(x_range=[-2, 2, 1], y_range=[-2, 2, 1], z_range=[0, 4, 1])
    p = np.c_[np.linspace(-1, 1, 20), np.zeros(20), np.r_[np.linspace(3, 1, 15), [np.inf] * 5]]
    path = DescentPath(p, ax)
    assert path.diverges and np.all(np.isfinite(family_points(path)))


def test_loss_plot_log_axis_clamps_small_values_and_cuts_blowups():
    loss = {"ok": np.r_[1.0, 0.1, 0.0, 1e-9], "bad": np.r_[1.0, 5.0, 1e6, np.nan]}
    plot = LossPlot(loss, log_y=True)
    assert plot.axes.log_y
    assert np.all(np.isfinite(family_points(plot)))
    assert plot.curves["bad"].trace.marker is not None
    assert plot.curves["ok"].trace.marker is None        # reaching 0 is convergence, not divergence
    with pytest.raises(ShapeError):
        plot.axes.c2p(1.0, np.nan)


def test_step_counter_follows_tracker_without_changing_structure():
    t = mn.ValueTracker(0)
    sc = StepCounter(t, total=100)
    left = sc.get_left().copy()
    n0 = len(sc.get_family())
    assert sc.string == "step 0 / 100"
    t.set_value(42.7)
    sc.update()
    assert sc.string == "step 42 / 100"
    assert len(sc.get_family()) == n0               # glyphs rewritten in place
    np.testing.assert_allclose(sc.get_left()[0], left[0], atol=1e-6)


def test_legend_rows_and_bad_kind():
    lg = Legend({"sgd": theme.OPTIMIZER["sgd"], "adam": theme.OPTIMIZER["adam"]})
    assert list(lg.rows) == ["sgd", "adam"]
    assert lg.rows["sgd"].get_top()[1] > lg.rows["adam"].get_top()[1]
    with pytest.raises(ShapeError):
        Legend({"a": "#ffffff"}, kind="blob")


def test_math_typst_works_and_latex_is_explicit():
    m = math("theta_(t+1) = theta_t - eta nabla L(theta_t)")
    assert m.width > 1.0 and len(m.family_members_with_points()) > 5
    if latex_available():
        assert isinstance(math(r"x^2", engine="latex"), mn.MathTex)
    else:
        with pytest.raises(NNVizError, match="LaTeX"):
            math(r"x^2", engine="latex")
    with pytest.raises(NNVizError, match="valid: typst, latex"):
        math("x", engine="mathjax")


# --- real renders, checked by pixels -----------------------------------------------------

class KitSquare(ThemedScene):
    """A filled square in the left half; its colour is a class attribute (override target)."""

    fill = theme.OPTIMIZER["adam"]

    def construct(self):
        sq = mn.Square(2.5, fill_color=self.fill, fill_opacity=1, stroke_width=0).move_to(3.5 * mn.LEFT)
        self.add(sq, text("nnviz").to_edge(mn.RIGHT))


class KitDiverging(ThemedScene):
    """A descent path that blows up to the right and goes NaN: must render, with the marker."""

    def construct(self):
        t = mn.ValueTracker(0)
        p = np.c_[-5 + 0.2 * 1.6 ** np.arange(30), np.zeros(30)]
        p[20:] = np.nan
        path = DescentPath(p, color=color("optimizer", "sgd"), tracker=t).reset()
        self.add(path, StepCounter(t, total=29).to_corner(mn.UL))
        self.play(t.animate.set_value(29), run_time=1, rate_func=mn.linear)


def test_tiny_scene_last_frame_has_theme_background_and_square(render_scene):
    r = render_scene(KitSquare)
    assert r.fraction(theme.BACKGROUND, (0, 0, 0.12, 0.12), tol=6) > 0.98          # corner = background
    assert r.fraction(theme.OPTIMIZER["adam"], (0.19, 0.4, 0.32, 0.6), tol=30) > 0.95  # the square
    assert r.fraction(theme.OPTIMIZER["adam"], (0.6, 0, 1, 1), tol=30) == 0.0     # nowhere on the right
    assert Image.open(r.files["png"]).size == (192, 108)


def test_override_changes_the_render(render_scene):
    r = render_scene(KitSquare, overrides={"fill": theme.OPTIMIZER["momentum"]})
    assert r.fraction(theme.OPTIMIZER["momentum"], (0.19, 0.4, 0.32, 0.6), tol=30) > 0.95
    with pytest.raises(NNVizError, match="valid: fill"):
        with_overrides(KitSquare, {"learning_rate": 0.3})


def test_diverging_path_renders_video_gif_and_marker(render_scene):
    r = render_scene(KitDiverging, formats=("mp4", "gif", "png"))
    div = theme.REGIME["diverging"]
    assert r.fraction(div, (0.8, 0.3, 1.0, 0.7), tol=60) > 0.003      # arrow + label at the right edge (≥ 5 px)
    assert r.fraction(div, (0.0, 0.3, 0.3, 0.7), tol=60) == 0.0
    frames = video_frames(r.files["mp4"])
    assert len(frames) >= 4 and frames[0].shape == (108, 192, 3)
    # the marker is not there at the start of the video
    first = frames[0][int(0.3 * 108):int(0.7 * 108), int(0.8 * 192):].astype(float)
    assert np.mean(np.linalg.norm(first - hex_rgb(div), axis=-1) <= 60) < 0.001
    gif = Image.open(r.files["gif"])
    assert gif.info.get("loop") == 0 and gif.n_frames >= 4 and gif.size == (192, 108)


class KitThreeD(ThemedThreeDScene):
    """A path lying on a 3-D bowl whose loss blows up to inf: must render (no NaN reaches Cairo)."""

    def construct(self):
        self.set_camera_orientation(phi=60 * mn.DEGREES, theta=-45 * mn.DEGREES)
        ax = mn.ThreeDAxes(x_range=[-2, 2, 1], y_range=[-2, 2, 1], z_range=[0, 4, 1])
        x = np.linspace(-1.5, 1.9, 25)
        z = x ** 2
        z[-4:] = np.inf
        path = DescentPath(np.c_[x, 0.5 * x, z], ax, color=color("optimizer", "momentum"))
        self.add(ax, path)
        path.pin_labels(self)


def test_three_d_path_with_inf_loss_renders(render_scene):
    r = render_scene(KitThreeD, width=384, height=216)     # thin 3-D lines need a few more pixels
    assert r.fraction(theme.OPTIMIZER["momentum"], tol=60) > 0.0005
    assert r.fraction(theme.REGIME["diverging"], tol=60) > 0.0003
    assert r.fraction(theme.OPTIMIZER["momentum"], (0, 0.7, 1, 1), tol=60) == 0.0   # nothing below the bowl


def test_gif_tap_resamples_time_and_keeps_theme_colours_exact(tmp_path):
    from nnviz.render.gif import GifTap
    from nnviz.render.runner import GifOptions

    bg, line = hex_rgb(theme.BACKGROUND).astype(np.uint8), hex_rgb(theme.OPTIMIZER["momentum"]).astype(np.uint8)
    tap = GifTap(30, GifOptions(fps=10, width=64, colors=32))
    for k in range(30):                                   # one second at 30 fps, a line moving right
        f = np.empty((36, 64, 4), np.uint8)
        f[..., :3], f[..., 3] = bg, 255
        f[:, 2 * k, :3] = line                            # a 1 px line
        tap(f, repeat=1 if k < 29 else 31)                # the last frame held for 31 frames (a wait)
    assert len(tap.frames) == 20                          # 61 source frames at 30 fps → 2 s at 10 fps
    out = tap.write(tmp_path / "t.gif")
    g = Image.open(out)
    assert g.info["loop"] == 0 and g.size == (64, 36)
    g.seek(3)
    a = np.asarray(g.convert("RGB")).astype(int)
    assert (np.abs(a - line).sum(axis=-1) == 0).sum() >= 30    # exact theme colour, not a neighbour
    assert (np.abs(a - bg).sum(axis=-1) == 0).mean() > 0.9
