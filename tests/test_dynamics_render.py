"""Every "how training behaves" scene renders at the lowest quality, and its last frame shows
its subject (pixel checks in plain NumPy: nothing can skip); every still twin draws."""
import numpy as np
import pytest

from nnviz import figures, theme

ALL = (0.0, 0.0, 1.0, 1.0)
LEFT = (0.0, 0.1, 0.5, 0.8)
RIGHT = (0.5, 0.1, 1.0, 0.9)
# scenes without a training animation have no run_time; shorten what they have instead
FAST = {"DynamicsAutodiff": {"step_time": 0.5}, "DynamicsMemory": {"pace": 0.2}}
# (file, class, [(colour, box, minimum pixels of that colour in the box)])
CASES = [
    # the last frame is the β sweep: momentum's dots and theory, the diverging dots, GD's verdict line
    ("dynamics_momentum", "DynamicsMomentum",
     [(theme.MOMENTUM_BETA["best"], LEFT, 20), (theme.REGIME["diverging"], LEFT, 5), (theme.GD, ALL, 10)]),
    # schedules and distances on the left; the zoom on the right keeps the fixed rate's noise-ball circle
    ("dynamics_lr_decay", "DynamicsLRDecay",
     [(theme.SCHEDULE[s], LEFT, 10) for s in theme.SCHEDULE] + [(theme.SCHEDULE["constant"], RIGHT, 10)]),
    ("dynamics_regularization", "DynamicsRegularization", [(theme.PENALTY[p], ALL, 40) for p in theme.PENALTY]),
    ("dynamics_fitting", "DynamicsFitting", [(theme.SPLIT[p], ALL, 20) for p in theme.SPLIT]),
    ("dynamics_autodiff", "DynamicsAutodiff", [(theme.GRADIENT, (0.0, 0.1, 1.0, 0.75), 15)]),  # backward edges
    ("dynamics_memory", "DynamicsMemory", [(theme.MEMORY_BUDGET, LEFT, 10)]
     + [(theme.MEMORY_NET[k], ALL, 20) for k in theme.MEMORY_NET]),
]


@pytest.mark.parametrize("file,cls,checks", CASES, ids=[c[1] for c in CASES])
def test_dynamics_scene_renders(render_scene, file, cls, checks):
    out = render_scene(f"scenes/{file}.py", cls, overrides=FAST.get(cls, {"run_time": 1.0}), width=384, height=216,
                       fps=2)
    assert out.frame.std() > 5, "blank frame"
    assert not out.small_texts, f"{cls}: text under 18 px at 854x480: {out.small_texts}"
    assert not out.overlapping_texts, f"{cls}: texts drawn on top of each other: {out.overlapping_texts}"
    assert not out.clipped_texts, f"{cls}: texts cut by the frame edge: {out.clipped_texts}"
    bg = out.fraction(theme.BACKGROUND, tol=12)
    assert 0.2 < bg < 0.995, f"background share {bg:.2f}"
    for colour, box, pixels in checks:
        got = out.fraction(colour, box, tol=60) * out.region(box).shape[0] * out.region(box).shape[1]
        assert got >= pixels, f"{cls}: colour {colour} covers {got:.0f} px of {box}, expected ≥ {pixels}"


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_dynamics_figure(tmp_path, name):
    import matplotlib.image as mpimg

    assert figures.get(name).experiments == (name,)
    path = figures.save(name, tmp_path / f"{name}.png", dpi=40)
    img = mpimg.imread(path)[..., :3]
    ink = np.mean(np.linalg.norm(img - 1.0, axis=-1) > 0.3)
    assert 0.02 < ink < 0.9, f"{name}: {ink:.3f} of the figure is drawn"
