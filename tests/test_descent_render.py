"""Every descent scene renders at low quality (384×216 — paths are 1 px wide at 192×108 —, 4 fps,
last frame), and its last
frame shows what the scene is about: pixel checks in plain NumPy, so nothing can skip."""
import numpy as np
import pytest

from nnviz import theme

MINE = ("descent_regimes", "descent_variants", "descent_wells")
RACE = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
LEFT = (0.0, 0.0, 0.5, 1.0)

# (file, class, [(colour, box, minimum number of pixels of that colour in the box), ...])
ALL = (0.0, 0.0, 1.0, 1.0)
PANELS = (0.0, 0.15, 0.78, 1.0)
PLOT = (0.1, 0.1, 0.9, 0.8)
AUDITED = ("descent_race", "descent_surface")  # scenes whose every text the audit checks (size, overlap)
CASES = [
    ("descent_regimes", "DescentRegimes",
     [(theme.REGIME[r], PANELS, 5) for r in theme.REGIME] + [(theme.REGIME["diverging"], PANELS, 20)]),
    # the last frame: faded trails, outlined heads, the legend and the loss-per-epoch/step curves
    ("descent_variants", "DescentVariants", [(theme.VARIANT[v], ALL, 20) for v in theme.VARIANT]),
    # last frame: the three plots (under the table, above the caption) with all three variants' curves and
    # their marks among every batch size
    ("descent_variants", "DescentDigits", [(theme.VARIANT[v], (0.0, 0.35, 1.0, 0.8), 20) for v in theme.VARIANT]),
    # at the end the trails are faded and the heads of converged runs sit under the minimum's star: the
    # optimizer colours show in the heads, the start of the trails and the ranking's text
    ("descent_race", "DescentRace", [(theme.OPTIMIZER[o], ALL, 2) for o in RACE]),
    ("descent_race", "DescentRaceRules", [(theme.OPTIMIZER[o], ALL, 8) for o in RACE]),  # full-width rules
    ("descent_race", "DescentRaceTuning", [(theme.OPTIMIZER[o], LEFT, 5) for o in RACE]),
    ("descent_race", "DescentRace3D", [(theme.SURFACE_RAMP_MUTED[2], PLOT, 300),
                                       (theme.OPTIMIZER["nesterov"], PLOT, 20)]),
    # at rest: the grey saddle surface left; right, the top view of ★ (the pie of the four on it, Adam's and
    # Momentum's dots) and the ranking by arrival, each run in its colour
    ("descent_race", "DescentRace3DSaddle", [(theme.SURFACE_RAMP_MUTED[2], LEFT, 300)] +
     [(theme.OPTIMIZER[o], (0.4, 0.0, 1.0, 1.0), 8) for o in RACE]),
    # the surfaces are grey; a path keeps its run's optimizer colour (the moons MLP: momentum; the bowl: GD)
    ("descent_surface", "DescentSurface", [(theme.OPTIMIZER["momentum"], PLOT, 50),
                                           (theme.SURFACE_RAMP_MUTED[-2], PLOT, 300)]),
    ("descent_surface", "DescentSurfaceBowl", [(theme.OPTIMIZER["gd"], PLOT, 15)]),  # a zoomed bowl, seen from above
    # momentum's thin path on the surface and its step-length curve beside it (with 10·η·|gradient| in white)
    ("descent_surface", "DescentSurfaceRosenbrock", [(theme.OPTIMIZER["momentum"], (0.0, 0.2, 0.55, 0.8), 5),
                                                     (theme.OPTIMIZER["momentum"], (0.6, 0.3, 1.0, 0.8), 15)]),
    ("descent_surface", "DescentSurfaceRandom", [(theme.OPTIMIZER["momentum"], PLOT, 20),
                                                 (theme.SURFACE_RAMP_MUTED[-2], PLOT, 300)]),
    # last frame (act 2): momentum from the left end staying in the deep well (yellow, left), plain GD's
    # dashed leap at η/(1−β) over the hump to its hollow landing dot in the shallow well (blue)
    ("descent_wells", "DescentWells", [(theme.OPTIMIZER["momentum"], (0.0, 0.4, 0.35, 1.0), 20),
                                       (theme.OPTIMIZER["gd"], (0.0, 0.2, 0.7, 1.0), 8)]),
    # every restart is plain GD: its dots in both wells (the deep one left, the shallow one right of the hump)
    # (the runs ending in one well share one dot there, with its ×N badge)
    ("descent_wells", "DescentWellsRestarts", [(theme.GD, (0.0, 0.3, 0.35, 1.0), 12),
                                               (theme.GD, (0.35, 0.3, 0.7, 1.0), 12)]),
]


@pytest.mark.parametrize("file,cls,checks", CASES, ids=[c[1] for c in CASES])
def test_descent_scene_renders(render_scene, file, cls, checks):
    # captions and closing lines held briefly
    fast = {"run_time": 1.0, **({"intro_time": 0.2, "hold_time": 0.5, "hold_extra": (), "why_time": 0.5,
                                 "takeaway_time": 0.5}
                                if file == "descent_surface" else {}),
            **({"beat_time": 0.2, "mid_time": 0.2, "intro_time": 0.2} if cls.startswith("DescentRace3D") else {}),
            **({"end_hold": 0.2} if cls == "DescentRace3DSaddle" else {}),
            **({"hold": 0.2} if cls in ("DescentVariants", "DescentWells", "DescentDigits") else {})}
    out = render_scene(f"scenes/{file}.py", cls, overrides=fast, width=384, height=216)
    if file in MINE:  # the text audit (the other descent scenes' owner adds theirs)
        assert not out.small_texts, out.small_texts
        assert not out.overlapping_texts, out.overlapping_texts
    assert out.frame.std() > 5, "blank frame"
    bg = out.fraction(theme.BACKGROUND, tol=12)
    assert 0.2 < bg < 0.995, f"background share {bg:.2f}: nothing drawn, or the theme background is missing"
    for colour, box, pixels in checks:
        got = out.fraction(colour, box, tol=60) * out.region(box).shape[0] * out.region(box).shape[1]
        assert got >= pixels, f"{cls}: colour {colour} covers {got:.0f} px of {box}, expected ≥ {pixels}"
    if file in AUDITED:
        assert not out.small_texts, f"{cls}: text under 18 px at 854x480: {out.small_texts}"
        assert not out.overlapping_texts, f"{cls}: texts drawn on top of each other: {out.overlapping_texts}"
    if cls in ("DescentRace", "DescentRaceRules", "DescentRaceTuning", "DescentRace3D", "DescentRace3DSaddle"):
        assert not out.clipped_texts, f"{cls}: texts past the frame's edge: {out.clipped_texts}"


def test_surface_mobjects_sanitise_nonfinite_values():
    """A diverged grid (NaN / inf cells) must reach manim finite and inside the box."""
    from nnviz.render.surface import ContourMap, LossSurface, box_axes, height_map

    xs = ys = np.linspace(-1, 1, 9)
    Z = np.add.outer(ys ** 2, xs ** 2)
    Z[2, 3], Z[5, 5], Z[0, 8] = np.nan, np.inf, -np.inf
    h = height_map(Z, log=True)
    H = h(Z)
    assert np.all(np.isfinite(H))
    axes = box_axes((-1, 1), (-1, 1), (H.min(), H.max()))
    mesh = LossSurface(axes, xs, ys, H, resolution=6)
    pts = np.concatenate([f.points for f in mesh.surface])
    assert np.all(np.isfinite(pts))
    top = axes.c2p(0, 0, H.max())[2]
    assert pts[:, 2].max() <= top + 1e-9
    raw = LossSurface(box_axes((-1, 1), (-1, 1), (0, 2)), xs, ys, Z, resolution=6)  # unsanitised input
    assert all(np.all(np.isfinite(f.points)) for f in raw.surface)
    import manim as mn

    lines = ContourMap(mn.Axes(x_range=[-1, 1, 1], y_range=[-1, 1, 1]), xs, ys, Z, levels=4)
    assert len(lines) > 0 and all(np.all(np.isfinite(m.points)) for m in lines)


def test_until_exit_cuts_at_first_exit():
    from nnviz.render.surface import until_exit

    p = np.array([[0, 0], [0.5, 0], [2, 0], [0.5, 0], [np.nan, 0]], float)
    pts, st = until_exit(p, [[-1, 1], [-1, 1]])
    assert pts.shape == (3, 2) and np.array_equal(st, [0, 1, 2])
    pts, st = until_exit(p[:2], [[-1, 1], [-1, 1]])
    assert pts.shape == (2, 2)
