"""The five "why gradients behave" scenes render at the lowest quality and their last frames show
what they should; their stills save in png/svg/pdf."""
from pathlib import Path

import pytest

from nnviz import figures, theme

SCENES = Path(__file__).resolve().parent.parent / "scenes"

# colours that must be gone from the last frame: the first part's step-error staircase (a cut at a
# slide break once left it drawn under the MSE-vs-CE panel), the activations' shaded flat zones
# (colour: largest share of the frame allowed; a shaded panel covers far more than 1 %, a dark
# line's anti-aliased edge far less)
ABSENT = {"GradientsStepToSigmoid": {theme.LOSS_KIND["step"]: 0.0002},
          "GradientsActivations": {theme.FLAT_ZONE: 0.01},          # the six panels are cut at the slide break
          "GradientsSoftmax": {theme.NEGATIVE: 0.0002, theme.POSITIVE: 0.0002}}  # a gradient has its own colours

CASES = [
    ("gradients_step_to_sigmoid", "GradientsStepToSigmoid",
     {theme.LOSS_KIND["mse"]: 0.001, theme.LOSS_KIND["ce"]: 0.001}),
    ("gradients_softmax", "GradientsSoftmax", {theme.GRADIENT_NEGATIVE: 0.0005, theme.GRADIENT: 0.0005,
                                               theme.ACTIVE: 0.0005}),
    ("gradients_activations", "GradientsActivations", {theme.ACTIVATION["sigmoid"]: 0.001,
                                                       theme.ACTIVATION["relu"]: 0.001, theme.ACTIVATION["tanh"]: 0.001}),
    ("gradients_vanishing", "GradientsVanishing",
     {theme.ACTIVATION["sigmoid"]: 0.001, theme.ACTIVATION["relu"]: 0.001}),
    ("gradients_normalization", "GradientsNormalization", {theme.NORM["batch"]: 0.001}),
]


@pytest.mark.parametrize("module,name,colors", CASES, ids=[c[1] for c in CASES])
def test_last_frame(render_scene, module, name, colors):
    out = render_scene(SCENES / f"{module}.py", name, width=384, height=216, fps=2)
    assert not out.small_texts, f"{name}: text under 18 px at 854x480: {out.small_texts}"
    assert not out.overlapping_texts, f"{name}: texts on top of each other: {out.overlapping_texts}"
    assert out.fraction(theme.BACKGROUND, tol=12) < 0.97, "frame is (almost) empty"
    for c, share in colors.items():
        assert out.fraction(c, tol=45) >= share, f"{name}: too little {c} on screen"
    for c, most in ABSENT.get(name, {}).items():
        assert out.fraction(c, tol=30) < most, f"{name}: {c} is still on screen"


@pytest.mark.parametrize("name", ["gradients_step_to_sigmoid", "gradients_softmax", "gradients_activations",
                                  "gradients_vanishing", "gradients_normalization"])
def test_still_saves_in_every_format(tmp_path, name):
    for fmt in ("png", "svg", "pdf"):
        p = figures.save(name, tmp_path / f"{name}.{fmt}", fmt, dpi=40)
        assert p.stat().st_size > 1000


def test_bars_keep_their_size_when_values_change():
    """Bars(...).set_values never grows the chart: a tall bar is as tall as the box, again and again
    (reading manim's own .height back once made each redraw taller than the last)."""
    from nnviz.render.curves import Bars

    b = Bars([0.2, 0.9, 0.1], width=3.0, height=2.0, labels=["a", "b", "c"], vmax=1.0, ticks=(0, 0.5, 1))
    first = b.rects[1].height
    for _ in range(5):
        b.set_values([0.2, 0.9, 0.1])
    assert b.rects[1].height == pytest.approx(first) == pytest.approx(0.9 * 2.0)
    b.set_values([0.0, 1.0, 0.0])
    assert b.rects[1].height == pytest.approx(2.0)
