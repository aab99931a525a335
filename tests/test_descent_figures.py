"""The still twins of the descent scenes draw from their records without error and are not blank."""
import numpy as np
import pytest

from nnviz import figures

NAMES = ["descent_regimes", "descent_variants", "descent_digits", "descent_race", "descent_race_tuning",
         "descent_surface", "descent_wells"]


@pytest.mark.parametrize("name", NAMES)
def test_descent_figure(tmp_path, name):
    import matplotlib.image as mpimg

    assert set(figures.get(name).experiments) <= {"descent_regimes", "descent_variants", "descent_digits",
                                                  "descent_race", "descent_surface", "descent_wells"}
    path = figures.save(name, tmp_path / f"{name}.png", dpi=40)
    img = mpimg.imread(path)[..., :3]
    assert img.shape[0] > 100 and img.shape[1] > 150
    ink = np.mean(np.linalg.norm(img - 1.0, axis=-1) > 0.3)  # share of non-white pixels
    assert 0.02 < ink < 0.9, f"{name}: {ink:.3f} of the figure is drawn"
