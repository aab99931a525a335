"""The fast 3-D surface (`nnviz.render.surface3d`): looks like manim.Surface, hides what lies
behind a ridge and nothing else, survives non-finite heights, and draws identical frames twice.
Frames come from `surface3d.snapshot` (one camera capture, no scene) or the `render_scene` fixture."""
import manim as mn
import numpy as np
import pytest

from nnviz import theme
from nnviz.render.surface import box_axes
from nnviz.render.surface3d import SurfaceMesh, SurfaceScene, manim_surface, sanitise_heights, snapshot

PATH = "#00ff66"  # a test colour far from every colour of the surface ramp


def rgb(h):
    return np.array([int(h.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)], float)


def share(frame, colour, tol=60.0):
    return np.linalg.norm(frame.astype(float) - rgb(colour), axis=-1) <= tol


def bump():
    xs = np.linspace(-2, 2, 33)
    X, Y = np.meshgrid(xs, xs)
    Z = 1.5 * np.exp(-(X ** 2 * 4 + Y ** 2 / 2)) + 0.1 * Y
    return xs, Z


def ridge(height=2.0):
    """A ridge along x at y = 0, seen from −y (theta = −90°): y > 0 is behind it."""
    xs = np.linspace(-2, 2, 41)
    X, Y = np.meshgrid(xs, xs)
    return xs, height * np.exp(-(Y / 0.35) ** 2) + 0 * X


def line_on(axes, xs, Z, y, n=60, x=(-1.6, 1.6)):
    """A path at constant y lying on the surface (heights interpolated from the grid)."""
    from nnviz.render.surface import bilinear
    f = bilinear(xs, xs, Z)
    t = np.linspace(*x, n)
    pts = np.array([axes.c2p(a, y, float(f(a, y))) for a in t])
    return mn.VMobject(stroke_color=mn.ManimColor(PATH), stroke_width=10).set_points_as_corners(pts)


def test_matches_manim_surface_pixels():
    """Same mesh (12×12 faces), camera, colours and light: mean |Δ| ≤ 4 of 255 per channel and
    ≥ 93 % of pixels within 30 (RGB distance) — manim's per-face gradients and its anti-aliasing
    seams between faces are the remaining differences (measured: mean 1.9, 96 % within 30)."""
    xs, Z = bump()
    ax = box_axes((-2, 2), (-2, 2), (Z.min(), Z.max()))
    ours = snapshot([SurfaceMesh(ax, xs, xs, Z, resolution=12)], 320, 180)
    ref = snapshot([manim_surface(ax, xs, xs, Z, 12)], 320, 180, camera_class=mn.ThreeDCamera)
    bg = share(ref, theme.BACKGROUND, 8)
    assert 0.3 < bg.mean() < 0.9, "the reference surface should cover part of the frame"
    d = np.abs(ours.astype(int) - ref.astype(int))
    assert d.mean() <= 4.0, d.mean()
    assert np.mean(np.linalg.norm(d, axis=-1) <= 30) >= 0.93


def occlusion_frames(y):
    xs, Z = ridge()
    ax = box_axes((-2, 2), (-2, 2), (0, Z.max()))
    path = line_on(ax, xs, Z, y)
    alone = snapshot([path], 320, 180, phi=70, theta=-90)
    mesh = SurfaceMesh(ax, xs, xs, Z).occlude(path)
    both = snapshot([mesh, path], 320, 180, phi=70, theta=-90)
    flat = SurfaceMesh(ax, xs, xs, 0 * Z)
    return share(alone, PATH), share(both, PATH), snapshot([flat], 320, 180, phi=70, theta=-90), both


def test_path_behind_a_ridge_is_hidden():
    alone, both, _, frame = occlusion_frames(y=1.0)
    assert alone.sum() > 150, "the path alone should be visible"
    assert both.sum() <= 0.02 * alone.sum(), f"{both.sum()} of {alone.sum()} path pixels show through the ridge"


def test_path_on_the_visible_side_is_fully_shown():
    alone, both, _, _ = occlusion_frames(y=-1.0)
    assert alone.sum() > 150
    assert (both & alone).sum() >= 0.95 * alone.sum(), f"{(both & alone).sum()} of {alone.sum()} shown"


def test_path_is_cut_exactly_where_a_half_ridge_covers_it():
    """A ridge only on the left half (x < 0), a path behind it across the whole width: its left half
    is hidden, its right half shows — manim.Surface's whole-mobject sort could do only all or none."""
    xs = np.linspace(-2, 2, 41)
    X, Y = np.meshgrid(xs, xs)
    Z = 2.0 * np.exp(-(Y / 0.35) ** 2) / (1 + np.exp(X / 0.12))
    ax = box_axes((-2, 2), (-2, 2), (0, Z.max()))
    path = line_on(ax, xs, Z, 1.0)
    seen = share(snapshot([SurfaceMesh(ax, xs, xs, Z).occlude(path), path], 320, 180, phi=70, theta=-90), PATH)
    alone = share(snapshot([path], 320, 180, phi=70, theta=-90), PATH)
    cols = np.flatnonzero(alone.any(axis=0))
    mid = (cols.min() + cols.max()) // 2
    left, right = alone[:, :mid - 8], alone[:, mid + 8:]
    assert left.sum() > 50 and right.sum() > 50
    assert (seen[:, :mid - 8] & left).sum() <= 0.05 * left.sum(), "the part behind the ridge shows"
    assert (seen[:, mid + 8:] & right).sum() >= 0.9 * right.sum(), "the part beside the ridge is hidden"


def test_nonfinite_heights_are_drawn_inside_the_box():
    xs = np.linspace(-1, 1, 17)
    Z = np.add.outer(xs ** 2, xs ** 2)
    Z[2, 3], Z[5, 5], Z[0, 8], Z[9, 9] = np.nan, np.inf, -np.inf, np.nan
    ax = box_axes((-1, 1), (-1, 1), (0, 2))
    mesh = SurfaceMesh(ax, xs, xs, Z, resolution=24, floor_levels=5, mesh_every=4)
    assert np.all(np.isfinite(mesh.points))
    top, bottom = ax.c2p(0, 0, 2)[2], ax.c2p(0, 0, 0)[2]
    v = mesh.vertices[:, 2]
    assert v.max() <= top + 1e-9 and v.min() >= bottom - 1e-9
    H = sanitise_heights(Z, (0, 2))
    assert H[2, 3] == 2 and H[5, 5] == 2 and H[0, 8] == 0
    frame = snapshot([mesh], 192, 108)
    assert frame.std() > 5
    allnan = SurfaceMesh(ax, xs, xs, np.full_like(Z, np.nan))
    assert np.all(np.isfinite(allnan.points))
    snapshot([allnan], 96, 54)


def test_long_jumps_are_dashed():
    """A segment longer than `jump` is drawn as dashes (about half its pixels), thinner and fainter
    (a jump's chord is not where the run went)."""
    xs = np.linspace(-2, 2, 21)
    ax = box_axes((-2, 2), (-2, 2), (0, 1))
    Z = np.zeros((21, 21))
    bare = snapshot([SurfaceMesh(ax, xs, xs, Z)], 320, 180, phi=40, theta=-90).astype(float)

    def change(jump):
        path = line_on(ax, xs, Z, 0.0, n=2)
        mesh = SurfaceMesh(ax, xs, xs, Z).occlude(path, jump=jump)
        d = np.abs(snapshot([mesh, path], 320, 180, phi=40, theta=-90).astype(float) - bare).sum(axis=-1)
        return d > 30, d

    (solid, ds), (dashed, dd) = change(None), change(1.0)
    assert share(snapshot([SurfaceMesh(ax, xs, xs, Z).occlude(p := line_on(ax, xs, Z, 0.0, n=2)), p], 320, 180,
                          phi=40, theta=-90), PATH).sum() > 200  # the solid path in its own colour
    assert 0.1 * solid.sum() < dashed.sum() < 0.6 * solid.sum()
    assert dd[dashed].mean() < 0.8 * ds[solid].mean()  # fainter


def test_same_frame_twice_byte_identical():
    xs, Z = bump()
    ax = box_axes((-2, 2), (-2, 2), (Z.min(), Z.max()))
    a = SurfaceMesh(ax, xs, xs, Z, resolution=40, floor_levels=6, mesh_every=5)
    p = line_on(ax, xs, Z, 0.3)
    a.occlude(p)
    f1 = snapshot([a, p], 320, 180, theta=-40)
    b = SurfaceMesh(ax, xs, xs, Z, resolution=40, floor_levels=6, mesh_every=5)
    q = line_on(ax, xs, Z, 0.3)
    b.occlude(q)
    f2 = snapshot([b, q], 320, 180, theta=-40)
    assert f1.tobytes() == f2.tobytes()


class _Orbit(mn.ThreeDScene):
    """A surface with a path under every camera move the scenes use."""

    def construct(self):
        from nnviz.render.style import apply_theme
        apply_theme(self)
        xs, Z = bump()
        ax = mn.ThreeDAxes(x_range=[-2, 2, 1], y_range=[-2, 2, 1], z_range=[Z.min(), Z.max(), 1],
                           x_length=5, y_length=5, z_length=2.5)
        mesh = SurfaceMesh(ax, xs, xs, Z, resolution=24, floor_levels=4)
        path = line_on(ax, xs, Z, -0.6)
        mesh.occlude(path)
        title = mn.Text("title", font_size=30).to_corner(mn.UL)
        self.add_fixed_in_frame_mobjects(title)
        self.set_camera_orientation(phi=60 * mn.DEGREES, theta=-70 * mn.DEGREES, zoom=0.8)
        self.add(ax, mesh, path)
        self.begin_ambient_camera_rotation(rate=0.4)
        self.wait(0.5)
        self.stop_ambient_camera_rotation()
        self.move_camera(phi=45 * mn.DEGREES, theta=-30 * mn.DEGREES, zoom=1.1, run_time=0.5)


class Orbit(SurfaceScene, _Orbit):
    """The same under the SurfaceCamera (what ThemedThreeDScene does)."""


def test_scene_with_camera_moves_is_deterministic(render_scene):
    a = render_scene(Orbit, formats=("mp4",), width=192, height=108, fps=4)
    b = render_scene(Orbit, formats=("mp4",), width=192, height=108, fps=4)
    assert a.frame.tobytes() == b.frame.tobytes()
    from tests.conftest import video_frames
    fa, fb = video_frames(a.video), video_frames(b.video)
    assert len(fa) == len(fb) >= 3 and all(x.tobytes() == y.tobytes() for x, y in zip(fa, fb))
    assert a.fraction(PATH, tol=80) > 0.002, "the path in front of the bump must show after the camera moves"
    assert a.frame.std() > 5


def test_a_marker_keeps_its_colour_among_faces():
    """Markers are drawn by manim's own VMobject code inside the face loop; its stroke leaves the
    cairo path open, which once filled the next face's colour into the marker."""
    xs = np.linspace(-2, 2, 21)
    Z = np.zeros((21, 21))
    ax = box_axes((-2, 2), (-2, 2), (0, 1))
    dot = mn.Dot(ax.c2p(0, 0.5, 0), radius=0.25, color=mn.ManimColor(PATH))
    mesh = SurfaceMesh(ax, xs, xs, Z).occlude(dot)
    frame = snapshot([mesh, dot], 320, 180, phi=10, theta=-90)
    alone = share(snapshot([dot], 320, 180, phi=10, theta=-90), PATH)
    assert alone.sum() > 40
    assert (share(frame, PATH) & alone).sum() >= 0.9 * alone.sum()


@pytest.mark.parametrize("cls", ["DescentSurface", "DescentSurfaceTrue", "DescentSurfaceRandom",
                                 "DescentSurfaceBowl", "DescentSurfaceRosenbrock"])
def test_surface_scenes_are_paced(cls):
    """Issue 9's pacing rule on the 3-D scenes' own step-at-time mapping: the first half of the
    animated time covers 25–75 % of the drawn path length, ≤ 25 % of it passes at < 1 %/s."""
    import importlib.util
    from pathlib import Path

    from nnviz import experiments as E
    from nnviz.render.pacing import measure_pacing, path_progress

    path = Path(__file__).resolve().parents[1] / "scenes" / "descent_surface.py"
    spec = importlib.util.spec_from_file_location("_paced_descent_surface", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    scene = getattr(mod, cls)
    rec = E.load(scene.experiment)
    surf = rec[scene.plane]
    me = scene.__new__(scene)  # no camera needed to read the path
    xy, h, steps, _ = scene.path(me, rec, surf)
    if me.is_network(rec):  # a network sheet's own warp (the true-loss sheet's re-times its floating start)
        from nnviz.render.surface import height_map
        warp = me.net_warp(rec, xy, height_map(surf.loss, log=True, floor=scene.log_floor)(h), steps, surf)
    else:
        warp = scene.warp(xy, steps, surf)
    b = np.array([surf.xs[[0, -1]], surf.ys[[0, -1]]])
    m = measure_pacing(warp, path_progress(xy, steps, b, scale=np.ptp(b, axis=1)))
    assert not m.problems(), m.problems()


def test_no_ghost_of_the_previous_frame():
    """manim leaves its last stroked path (a counter's glyphs) in the cached cairo context; the next
    frame's first face must not fill it. Frame 2 of one camera = frame 2 of a fresh camera."""
    from nnviz.render.surface3d import SurfaceCamera

    xs, Z = bump()
    ax = box_axes((-2, 2), (-2, 2), (Z.min(), Z.max()))
    mesh = SurfaceMesh(ax, xs, xs, Z, resolution=16)
    sq = mn.Square(2.0, color=mn.ManimColor(PATH), stroke_width=8)

    def cam():
        c = SurfaceCamera(pixel_width=160, pixel_height=90, phi=60 * mn.DEGREES, theta=-60 * mn.DEGREES)
        c.reset()
        return c

    a = cam()
    a.capture_mobjects([mesh, sq])
    sq.shift(2 * mn.RIGHT)
    a.reset()
    a.capture_mobjects([mesh, sq])
    b = cam()
    b.capture_mobjects([mesh, sq])
    assert np.asarray(a.pixel_array).tobytes() == np.asarray(b.pixel_array).tobytes()


def test_height_scale_ticks_and_rings_sit_at_their_loss():
    """The loss axis and the iso-loss rings put a value v exactly at the height the surface gives v:
    ticks at whole decades (with 0 where a shifted log map's grid reaches f* = 0, none among the
    flattened decades below δ), rings at their own height and on the grid's contour of v."""
    from nnviz.render.surface import height_map
    from nnviz.display import loss_tick_text
    from nnviz.render.surface3d import decade_ticks, level_rings

    xs = np.linspace(-2, 2, 41)
    X, Y = np.meshgrid(xs, xs)
    Z = 100 * (X ** 2 + Y ** 2) ** 2            # 0 … 6400: a shifted log map with f* = 0 on the grid
    h = height_map(Z, log=True, floor=1e-5)      # δ = 0.064
    ticks = decade_ticks(h, (float(h(Z).min()), float(h(Z).max())), most=8)
    vals = [v for v, _ in ticks]
    assert vals[0] == 0 and all(v >= 2 * h.delta for v in vals[1:])
    assert vals[1:] == [0.1 * 10.0 ** k for k in range(1, len(vals))]  # every decade from 1 up
    for v, z in ticks:
        assert z == pytest.approx(float(h(np.array([v]))[0]))
    assert [loss_tick_text(v) for v in (0.0, 0.01, 1.0, 1000.0, 1e4, 1e-5)] == ["0", "0.01", "1", "1000", "10⁴", "10⁻⁵"]
    axes = box_axes((-2, 2), (-2, 2), (float(h(Z).min()), float(h(Z).max())))
    rings = level_rings(axes, xs, xs, Z, h, [1.0, 100.0])
    assert len(rings) == 2  # one closed ring per level around the single minimum
    for ring, v in zip(rings, (1.0, 100.0)):
        p = ring.points
        z = float(h(np.array([v]))[0])
        assert np.allclose([axes.p2c(q)[2] for q in p[::8]], z, atol=1e-6)
        r = np.hypot(*np.array([axes.p2c(q)[:2] for q in p[::8]]).T)
        assert np.allclose(r, (v / 100) ** 0.25, rtol=0.05)  # on the contour 100 r⁴ = v (up to the grid)
    lin = height_map(Z, log=False)
    assert [v for v, _ in decade_ticks(lin, (0, 6400), most=4)] == [0, 2000, 4000, 6000]


def test_end_zoom_fans_out_stacked_ends_and_keeps_the_others_apart():
    """The close-up of ★: ends on one point are one group (fanned out, one tag), an end 0.1 away has
    its own dot and tag, a path ending outside the window is left out; the window is a round number."""
    from nnviz.render.style import text
    from nnviz.render.surface3d import EndZoom, zoom_half

    star = np.array([0.0, 1.0])
    paths = {"a": np.array([[1.0, 0.0], [0.05, 1.0], [0.0, 1.0]]), "b": np.array([[0.5, 1.0], [0.0, 1.0]]),
             "c": np.array([[0.3, 1.2], [0.1, 1.05]]), "far": np.array([[2.0, 2.0], [1.5, 1.5]])}
    assert zoom_half(star, [paths[n][-1] for n in "abc"]) == 0.2  # 1.25 × 0.1 → 0.2
    z = EndZoom(star, 0.2, paths, {n: theme.OPTIMIZER["gd"] for n in paths}, {"a": "2 tied", "b": "2 tied", "c": "2",
                                                                            "far": "4"}, text)
    assert sorted(map(sorted, z.groups)) == [["a", "b"], ["c"]]
    assert len(z.dots) == 3 and len(z.words) == 2
    centres = [d.get_center() for d in z.dots]
    assert min(np.linalg.norm(p - q) for i, p in enumerate(centres) for q in centres[i + 1:]) > 2 * 0.085
    # different places ending on one spot: fanned, each dot tagged in its own colour (no shared "3, 2")
    mixed = EndZoom(star, 0.2, {"a": paths["a"], "b": paths["b"]}, {"a": theme.OPTIMIZER["adam"],
                    "b": theme.OPTIMIZER["nesterov"]}, {"a": "2", "b": "3"}, text, key=False)
    assert [sorted(g) for g in mixed.groups] == [["a", "b"]] and len(mixed.words) == 2
    for w, d in zip(mixed.words, mixed.dots):  # beside its own dot, not the other's
        others = [e for e in mixed.dots if e is not d]
        assert np.linalg.norm(w.get_center() - d.get_center()) < min(np.linalg.norm(w.get_center() - e.get_center())
                                                                     for e in others) + 1e-9
    # rings=True keeps them to scale: the better place a dot at the common end, the other a ring round it
    ringed = EndZoom(star, 0.2, {"a": paths["a"], "b": paths["b"]}, {"a": theme.OPTIMIZER["adam"],
                     "b": theme.OPTIMIZER["nesterov"]}, {"a": "2", "b": "3"}, text, key=False, rings=True)
    assert len(ringed.dots) == 2 and len(ringed.words) == 2
    dot_, ring_ = ringed.dots
    assert np.allclose(dot_.get_center(), ring_.get_center()) and ring_.width > dot_.width + 0.05
    for w in z.words:  # tags stay inside the box
        assert np.all(w.get_corner(mn.DL)[:2] >= z.box.get_corner(mn.DL)[:2] - 1e-6)
        assert np.all(w.get_corner(mn.UR)[:2] <= z.box.get_corner(mn.UR)[:2] + 1e-6)


def test_a_run_is_ringed_only_when_it_ends_on_the_covering_dot():
    """The 3-D races' ring rule (`covering_head`) on the saddle race's recorded ends, in the scene's own
    box: a ring round a dot means a run on that dot's spot (the key: 'a run under it'). The tied first
    (GD, AdaGrad, Nesterov round RMSprop's dot) are ringed; Adam (2nd, f − f* = 0.0015) and Momentum (3rd),
    which end near ★ but not on it, are not, though Adam is under RMSprop's dot on screen."""
    import importlib.util
    from pathlib import Path

    from nnviz.experiments import race_views_3d as R3
    from nnviz.render.surface import box_axes
    from nnviz.render.surface3d import covering_head

    path = Path(__file__).resolve().parents[1] / "scenes" / "descent_race.py"
    spec = importlib.util.spec_from_file_location("_rings_descent_race", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    scene = mod.DescentRace3DSaddle
    surf, runs = mod.race_records("saddle", scene.optimizers)
    axes = box_axes(surf.xs[[0, -1]], surf.ys[[0, -1]], (0.0, 1.0), 6.8, 6.8, scene.z_length)
    f0 = runs[scene.optimizers[0]].meta["final_loss"]  # the heights: the ends' losses (all near 0) on one scale
    ends = {o: np.asarray(axes.c2p(*runs[o].thetas[-1][:2], runs[o].meta["final_loss"] - f0), float)
            for o in scene.optimizers}
    order = [n for names in surf.meta["ranking"] for n in names]
    ringed = {}
    for k, o in enumerate(order):
        # seen from straight above, every end within a dot's radius is "near on screen"
        better = [(b, ends[b][:2], ends[b]) for b in order[:k]]
        by = covering_head((ends[o][:2], ends[o]), better, 0.13, scene.halo_cover)
        if by is not None:
            ringed[o] = by
            assert np.linalg.norm(ends[o] - ends[by]) < scene.halo_cover  # only on the covering dot's spot
    assert ringed == {"adagrad": "rmsprop", "gd": "rmsprop", "nesterov": "rmsprop"}
    # Adam is under RMSprop's dot on screen (within a dot's radius), yet not on its spot: its own dot
    assert np.linalg.norm(ends["adam"][:2] - ends["rmsprop"][:2]) < 0.13
    assert np.linalg.norm(ends["adam"] - ends["rmsprop"]) > 2 * scene.halo_cover
    # at rest the surface drops every head and ring; the top view beside it carries who ends where, to scale
    # and turned like the surface: ONE pie dot on ★ for exactly the runs within round-off of it (the four that
    # reached it, in arrival order), every other run's dot at the image of its recorded end
    tun = mod.tuning_record("saddle")
    sc = object.__new__(scene)
    star = scene.end_centre(surf, runs)
    for turn in (0.0, 0.7, -2.3):
        v = sc.top_view(surf, runs, tun, turn)
        there, rest = R3.arrivals(surf, runs, tun.meta["min_value"])
        assert [n for n, _ in there] == [n for n in order if runs[n].meta["final_loss"] < 1e-12]
        assert len(v.pie) == 1 + len(there) and np.allclose(v.pie.get_center(), v.at(star))
        assert all(np.linalg.norm(runs[n].thetas[-1] - star) < scene.halo_cover for n, _ in there)
        assert set(v.dots) == {n for n, _ in rest} == {"adam", "momentum"}  # both inside the window
        for n, d in v.dots.items():
            e = runs[n].thetas[-1][:2]
            assert np.allclose(d.get_center(), v.at(e))
            # to scale: distances from ★ keep their ratio to the window (a turn, no stretch)
            assert np.linalg.norm(v.at(e) - v.at(star)) == pytest.approx(
                np.linalg.norm(e - star) * scene.top_side / 2 / scene.top_half)
        # no tag on a dot or on the pie; every tag inside the box
        marks = [(d.get_center(), d.radius) for d in v.dots.values()] + [(v.at(star), v.pie.width / 2)]
        for w in v.words.values():
            lo_, hi_ = w.get_corner(mn.DL)[:2], w.get_corner(mn.UR)[:2]
            assert np.all(lo_ >= v.box.get_corner(mn.DL)[:2] - 1e-6) and np.all(hi_ <= v.box.get_corner(mn.UR)[:2] + 1e-6)
            for c_, rad in marks:
                assert np.linalg.norm(np.maximum(np.abs(c_[:2] - (lo_ + hi_) / 2) - (hi_ - lo_) / 2, 0)) > rad
    assert v.words["★"].text.replace(" ", "") == f"1–{len(there)}on★"
    assert np.allclose(v.star.get_center(), v.at(star)) and v.bar is not None  # ★ on the pie; a scale bar
    # each closing line's top view: that run's iterates (dots, the last one tagged with its step) at the
    # images of its recorded θ, in the steps the line names
    sc.path_steps = scene.path_steps
    for words, who, steps in sc.end_beats(surf, runs, tun)[:-1]:
        pv = sc.path_view(surf, runs, who, steps[0], steps[1], 0.7, mark=(steps[2:] or [None])[0])
        th = runs[who].thetas[steps[0]:steps[1] + 1]
        if len(steps) > 2:  # the measured step: its dot at its iterate, the distance from ★ the line quotes
            k_ = steps[2]
            d_ = np.linalg.norm(runs[who].thetas[k_] - star)
            assert np.allclose(pv.ruler.dot.get_center(), pv.at(runs[who].thetas[k_]))
            assert pv.ruler.tag.text == f"{d_:.2f}" and f"{d_:.2f} past ★ by step {k_}" in words
            # the ruler is as long as the distance it states (to the box's scale) and its label is off it
            bar_ = pv.ruler[2][3]  # (the white line between the ticks)
            assert bar_.get_length() == pytest.approx(d_ * scene.top_side / 2 / scene.path_half, rel=1e-6)
            lo_, hi_ = pv.ruler.tag.get_corner(mn.DL)[:2], pv.ruler.tag.get_corner(mn.UR)[:2]
            pts = [bar_.point_from_proportion(t_)[:2] for t_ in np.linspace(0, 1, 30)]
            assert min(np.linalg.norm(np.maximum(np.abs(p_ - (lo_ + hi_) / 2) - (hi_ - lo_) / 2, 0)) for p_ in pts) > 0.1
        assert np.allclose(pv.dots[who].get_center(), pv.at(th[-1])) and pv.words[who].text == f"step{steps[1]}"
        small = [m.get_center() for m in pv.lines if isinstance(m, mn.Dot)]
        inner = [pv.at(p) for p in th[1:-1] if pv.inside(p)]
        assert len(small) == len(inner) > 3 and np.allclose(small, inner[-len(small):])
    assert [b[1] for b in sc.end_beats(surf, runs, tun)] == ["adam", "momentum", "nesterov", "gd"]  # the takeaway lights GD
    # the turn is the camera's: a view that turns the plane by α and squashes depth gives back α
    class Cam:
        def __init__(self, a):
            self.a = a

        def project_points(self, P):
            c, s_ = np.cos(self.a), np.sin(self.a)
            q = P[:, :2] @ np.array([[c, s_], [-s_, c]])
            return np.column_stack([q[:, 0], 0.6 * q[:, 1], P[:, 2]])
    for a in (0.3, -1.2, 2.9):
        assert mod.screen_turn(Cam(a), axes, star, 0.0) == pytest.approx(a)
    # a screen-near but off-spot head is never covered; an on-spot head beyond `near` on screen neither
    p = np.zeros(3)
    assert covering_head((p[:2], p), [("x", p[:2], p + [0, 0, 0.1])], 0.1, 0.02) is None
    assert covering_head((p[:2], p), [("x", p[:2] + 0.2, p)], 0.1, 0.02) is None
    assert covering_head((p[:2], p), [("x", p[:2], p + [0, 0, 0.1])], 0.1) == "x"  # no `cover`: screen only
    assert covering_head((p[:2], p), [("x", p[:2], p + 0.1), ("y", p[:2] + 0.01, p + 0.001),
                                      ("z", p[:2], p)], 0.1, 0.02) == "y"  # the best placed on the spot


def test_build_counts_lay_every_link_in_whole_frames():
    """The Rosenbrock close-up's build schedule: counts never fall, the first link after one beat, the newest
    `slow` one beat apart, the last frame whole; the build's frames plus the rest are a plain wait's."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scenes" / "descent_surface.py"
    spec = importlib.util.spec_from_file_location("_counts_descent_surface", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for fps in (15.0, 30.0, 60.0):
        seconds = 0.55 * 8.5
        c = mod.build_counts(47, 8, seconds, fps)
        assert len(c) == int(round(seconds * fps)) and c[-1] == 47
        assert all(b >= a for a, b in zip(c, c[1:]))
        beat = seconds / 9.5
        assert c[int(beat * fps) - 2] == 0 and c[int(round(beat * fps))] >= 1  # nothing before the first beat
        assert c[int(round(8 * beat * fps)) + 1] >= 8  # the 8 newest down after 8 beats
        assert c[int(round(7 * beat * fps)) - 1] <= 7
        assert int(8.5 * fps + 1e-9) - len(c) > 0  # time left to read the whole chain
    assert mod.build_counts(47, 8, 0.01, 4.0) == [47]  # a test render's short hold: one frame, whole
