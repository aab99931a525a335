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


def test_figure_svg_and_pdf(tmp_path):
    for fmt in ("svg", "pdf"):
        out = figures.save("network_perceptron", tmp_path / f"p.{fmt}", fmt)
        assert out.stat().st_size > 1000


def test_elision_rule_is_shared_with_the_animation():
    from nnviz.figures.network import shown_units
    from nnviz.render import network as R

    assert R.shown_units is shown_units
