"""Still-figure machinery: save() formats and determinism, and the shared drawing helpers."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from PIL import Image

from conftest import hex_rgb
from nnviz import figures, theme
from nnviz.errors import NNVizError, ShapeError, UnknownNameError
from nnviz.figures import common, figure


def share(png, color, tol=40.0) -> float:
    a = np.asarray(Image.open(png).convert("RGB"), dtype=float)
    return float(np.mean(np.linalg.norm(a - hex_rgb(color), axis=-1) <= tol))


@pytest.fixture
def registered():
    made = []

    def reg(name, fn, **kw):
        figure(name, **kw)(fn)
        made.append(name)
        return name

    yield reg
    for n in made:
        figures.FIGURES.pop(n, None)


def bowl():
    xs = np.linspace(-2, 2, 41)
    ys = np.linspace(-2, 2, 41)
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, X ** 2 + 3 * Y ** 2


def test_save_png_svg_pdf_and_deterministic(tmp_path, registered):
    xs, ys, Z = bowl()

    def draw(fig):
        ax = fig.add_subplot()
        common.contour_with_paths(ax, xs, ys, Z, {"adam": np.c_[np.linspace(-1.5, 0, 20), np.linspace(1.5, 0, 20)]})

    name = registered("_t_contour", draw, size=(4, 3))
    for fmt in figures.FORMATS:
        a = figures.save(name, tmp_path / f"a.{fmt}", fmt, dpi=60)
        b = figures.save(name, tmp_path / f"b.{fmt}", fmt, dpi=60)
        assert a.read_bytes() == b.read_bytes(), f"{fmt} output is not deterministic"
    assert (tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"
    assert b"<svg" in (tmp_path / "a.svg").read_bytes()
    assert share(tmp_path / "a.png", theme.OPTIMIZER["adam"]) > 0.0005     # the path is drawn in adam's colour
    with pytest.raises(NNVizError, match="valid: png, svg, pdf"):
        figures.save(name, tmp_path / "x.bmp", "bmp")
    with pytest.raises(UnknownNameError, match="_t_contour"):
        figures.get("_t_contour_typo")


def test_failed_figure_leaves_previous_file(tmp_path, registered):
    def bad(fig):
        raise RuntimeError("boom")

    name = registered("_t_bad", bad)
    out = tmp_path / "f.png"
    out.write_bytes(b"previous")
    with pytest.raises(RuntimeError):
        figures.save(name, out, "png")
    assert out.read_bytes() == b"previous" and len(list(tmp_path.iterdir())) == 1


def test_contour_cuts_diverging_path_and_marks_it(tmp_path, registered):
    xs, ys, Z = bowl()
    blow = np.c_[0.3 * 1.8 ** np.arange(12), np.zeros(12)]
    blow[9:] = np.nan
    Zn = Z.copy()
    Zn[0, 0] = np.inf
    Zn[1, 1] = np.nan
    seen = {}

    def draw(fig):
        ax = fig.add_subplot()
        common.contour_with_paths(ax, xs, ys, Zn, {"diverging": blow, "smooth": np.c_[[-1, -0.5, 0], [1, 0.5, 0]]})
        seen["texts"] = [t.get_text() for t in ax.texts]
        seen["xlim"] = ax.get_xlim()
        seen["lines"] = [ln.get_xydata() for ln in ax.lines]

    figures.save(registered("_t_div", draw), tmp_path / "d.png", "png", dpi=60)
    assert "diverges" in seen["texts"]
    assert seen["xlim"] == (-2.0, 2.0)                          # the blow-up did not stretch the axes
    for xy in seen["lines"]:
        assert np.all(np.isfinite(xy)) and np.all(np.abs(xy) <= 2.0 + 1e-9)


def test_loss_curves_log_axis_and_blowup_marker(tmp_path, registered):
    seen = {}

    def draw(fig):
        ax = fig.add_subplot()
        common.loss_curves(ax, {"sgd": np.r_[1.0, 0.5, 0.25, 0.0], "diverging": np.r_[1.0, 10.0, 1e5, np.inf]})
        seen["scale"] = ax.get_yscale()
        seen["markers"] = [ln.get_marker() for ln in ax.lines]
        seen["ymax"] = ax.get_ylim()[1]

    out = figures.save(registered("_t_loss", draw), tmp_path / "l.png", "png", dpi=60)
    assert seen["scale"] == "log" and "x" in seen["markers"] and np.isfinite(seen["ymax"])
    assert share(out, theme.OPTIMIZER["sgd"]) > 0.001
    assert share(out, theme.REGIME["diverging"]) > 0.0005


def test_surface3d_decision_boundary_and_bars(tmp_path, registered):
    xs, ys, Z = bowl()
    Z = Z.copy()
    Z[5, 5] = np.nan
    gx = np.linspace(-1, 1, 30)
    G = np.meshgrid(gx, gx)
    prob = 1 / (1 + np.exp(-6 * G[0]))
    X = np.array([[-0.5, 0.2], [0.6, -0.1]])
    y = np.array([0, 1])

    def draw(fig):
        common.surface3d(fig.add_subplot(1, 3, 1, projection="3d"), xs, ys, Z,
                         path=np.c_[[-1.5, -0.5, 0], [1, 0.3, 0]], path_loss=np.r_[5.0, 0.5, 0.0])
        common.decision_boundary(fig.add_subplot(1, 3, 2), gx, gx, prob, X, y)
        common.bar_compare(fig.add_subplot(1, 3, 3), [1, 32, 1000], [0.3, 0.1, np.nan], ylabel="final loss")

    out = figures.save(registered("_t_misc", draw, size=(9, 3)), tmp_path / "m.png", "png", dpi=60)
    assert share(out, theme.CLASS[0], tol=60) > 0.001 and share(out, theme.CLASS[1], tol=60) > 0.001
    assert share(out, theme.SURFACE_RAMP[0], tol=50) > 0.001


def test_helpers_reject_bad_shapes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        with pytest.raises(ShapeError):
            common.contour_with_paths(ax, np.arange(3), np.arange(4), np.zeros((3, 3)))
        with pytest.raises(ShapeError):
            common.path_in_box(np.zeros((3, 3)), (0, 1), (0, 1))
        with pytest.raises(ShapeError):
            common.decision_boundary(ax, np.arange(3), np.arange(3), np.zeros((2, 2)))
    finally:
        plt.close(fig)


def test_path_in_box():
    p = np.array([[0, 0], [0.5, 0.5], [3, 0], [0, 0]])
    shown, left = common.path_in_box(p, (-1, 1), (-1, 1))
    assert left and shown.shape == (2, 2)
    shown, left = common.path_in_box(p[:2], (-1, 1), (-1, 1))
    assert not left and shown.shape == (2, 2)
