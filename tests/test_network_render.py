"""Every network scene renders at the lowest quality, and its pixels show what it should
(no frames_comparison: these checks cannot skip)."""
from pathlib import Path

import numpy as np
import pytest

from nnviz import theme
from nnviz.render.planes import boundary_rgba

SCENES = Path(__file__).resolve().parent.parent / "scenes"
RED_SURE = "#" + bytes(boundary_rgba(np.array([[0.0]]))[0, 0, :3]).hex()
BLUE_SURE = "#" + bytes(boundary_rgba(np.array([[1.0]]))[0, 0, :3]).hex()

# (file, class, {colour: least share of the last frame}) — shares about a third of what a
# 384×216 render measured, so a missing layer (edges, heatmap, dots, curves) fails
CASES = [
    ("network_architecture", "NetworkArchitecture", {theme.POSITIVE: 0.001, theme.NEGATIVE: 0.0006}),  # bold (2, 2, 1)
    ("network_forward", "ForwardPass", {theme.ACTIVE: 0.0025, theme.POSITIVE: 0.0025}),
    ("network_backprop", "Backpropagation", {theme.ACTIVE: 0.0003, theme.NEGATIVE: 0.001}),  # bars neutral
    ("network_training", "TrainingXOR", {RED_SURE: 0.02, BLUE_SURE: 0.02}),
    ("network_training", "TrainingMoons", {RED_SURE: 0.02, BLUE_SURE: 0.02}),
    ("network_training", "TrainingSpirals", {RED_SURE: 0.02, BLUE_SURE: 0.02}),
    ("network_perceptron", "PerceptronTrick", {theme.CLASS[0]: 0.0007, theme.CLASS[1]: 0.0007}),
    ("network_perceptron", "PerceptronOR", {theme.CLASS[0]: 0.0002, theme.CLASS[1]: 0.0005}),
    ("network_perceptron", "PerceptronXOR", {RED_SURE: 0.02, BLUE_SURE: 0.02, theme.ACTIVE: 0.0001}),
    ("network_dropout", "Dropout", {RED_SURE: 0.015, BLUE_SURE: 0.015, theme.TEST_LOSS: 0.000004}),  # dashed, thin
    ("showcase_intro", "ShowcaseIntro", {RED_SURE: 0.02, BLUE_SURE: 0.02}),
]


@pytest.mark.parametrize("module,name,colors", CASES, ids=[c[1] for c in CASES])
def test_last_frame(render_scene, module, name, colors):
    out = render_scene(SCENES / f"{module}.py", name, width=384, height=216)
    assert out.fraction(theme.BACKGROUND, tol=12) < 0.95, "frame is (almost) empty"
    for c, share in colors.items():
        assert out.fraction(c, tol=45) >= share, f"{name}: too little {c} on screen"
    # the text audit (nnviz/render/audit.py): every network scene's text ≥ 18 px, none on top of another
    assert not out.small_texts, f"{name}: texts under 18 px: {out.small_texts}"
    assert not out.overlapping_texts, f"{name}: texts on top of each other: {out.overlapping_texts}"
    assert not out.clipped_texts, f"{name}: texts past the frame's edge: {out.clipped_texts}"


def test_training_video_animates_the_boundary(render_scene):
    """Frames *inside* the training animation differ in the heatmap and the loss curve grows
    (an image without an updater would be frozen into manim's static background)."""
    from conftest import video_frames

    out = render_scene(SCENES / "network_training.py", "TrainingXOR", formats=("mp4",), fps=4,
                       overrides={"run_time": 2.0})
    frames = video_frames(out.video)              # 1 s intro, 2 s training, 1 s hold at 4 fps
    assert len(frames) >= 14
    h, w = frames[0].shape[:2]
    plane = (slice(int(0.3 * h), int(0.8 * h)), slice(int(0.38 * w), int(0.65 * w)))
    early, late = frames[5].astype(float), frames[10].astype(float)
    assert np.abs(early[plane] - late[plane]).mean() > 5         # the boundary moved during training
    curve = (slice(int(0.23 * h), int(0.5 * h)), slice(int(0.6 * w), int(0.85 * w)))
    assert np.abs(early[curve] - late[curve]).mean() > 0.5         # the loss curve grew
