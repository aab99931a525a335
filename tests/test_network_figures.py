"""The network still figures draw from the records and save in every format."""
import pytest

from nnviz import figures

NAMES = ["network_architecture", "network_forward", "network_backprop", "network_training_xor",
         "network_training_moons", "network_training_spirals", "network_perceptron", "network_dropout"]


@pytest.mark.parametrize("name", NAMES)
def test_figure_saves_png(name, tmp_path):
    out = figures.save(name, tmp_path / f"{name}.png", "png", dpi=60)
    assert out.stat().st_size > 5000
    from PIL import Image
    im = Image.open(out)
    assert im.size[0] > 200 and im.size[1] > 100
    import numpy as np
    img = np.asarray(im.convert("RGB"), dtype=float) / 255
    ink = np.mean(np.linalg.norm(img - 1.0, axis=-1) > 0.3)  # share of non-white pixels: not blank
    assert 0.02 < ink < 0.9, f"{name}: {ink:.3f} of the figure is drawn"


def test_figure_svg_and_pdf(tmp_path):
    for fmt in ("svg", "pdf"):
        out = figures.save("network_perceptron", tmp_path / f"p.{fmt}", fmt)
        assert out.stat().st_size > 1000
        head = out.read_bytes()
        assert head.startswith(b"%PDF-") if fmt == "pdf" else b"<svg" in head


def test_still_and_animation_draw_the_same_units():
    """The still's diagram and the video's diagram elide the same units of every layer."""
    import matplotlib.pyplot as plt

    from nnviz import experiments as E
    from nnviz.figures.network import draw_network
    from nnviz.render.network import NetworkDiagram

    rec = E.load("network_forward")["pass"]
    model = rec.model()
    fig, ax = plt.subplots()
    pos = draw_network(ax, model, rec.theta, max_neurons=8)
    plt.close(fig)
    d = NetworkDiagram.from_model(model, rec.theta, max_neurons=8)
    assert [sorted(p) for p in pos] == d.shown
    assert d.shown[0] == [0, 1, 2, 3, 61, 62, 63]           # 64 inputs: the first and last pixels


def test_training_stills_snapshot_log_spaced_steps():
    """Snapshots at recorded steps nearest 0, 30, 100, 300 and the last — not equal step intervals."""
    import numpy as np

    from nnviz.figures.network import snapshot_frames

    steps = np.arange(0, 1501, 15)
    assert [int(steps[k]) for k in snapshot_frames(steps)] == [0, 30, 105, 300, 1500]
    steps = np.arange(0, 301, 5)                       # 300 is the last step: shown once
    assert [int(steps[k]) for k in snapshot_frames(steps)] == [0, 30, 100, 300]
