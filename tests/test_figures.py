"""Still-figure machinery: save() formats and determinism, and the shared drawing helper."""
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
        ax.contour(xs, ys, Z, levels=14, colors=theme.MUTED, linewidths=0.6)
        ax.plot(np.linspace(-1.5, 0, 20), np.linspace(1.5, 0, 20), color=theme.OPTIMIZER["adam"], lw=1.6)

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


def test_decision_boundary_draws_both_classes():
    import matplotlib.pyplot as plt
    from matplotlib.collections import PathCollection, QuadMesh
    from matplotlib.colors import to_hex
    from matplotlib.contour import ContourSet

    gx = np.linspace(-1, 1, 30)
    G = np.meshgrid(gx, gx)
    prob = 1 / (1 + np.exp(-6 * G[0]))
    X = np.array([[-0.5, 0.2], [0.6, -0.1], [0.7, 0.5]])
    y = np.array([0, 1, 1])
    fig, ax = plt.subplots()
    try:
        common.decision_boundary(ax, gx, gx, prob, X, y)
        field = [c for c in ax.collections if isinstance(c, QuadMesh)]
        [line] = [c for c in ax.collections if isinstance(c, ContourSet)]
        dots = [c for c in ax.collections if isinstance(c, PathCollection) and not isinstance(c, ContourSet)]
        assert len(field) == 1 and list(line.levels) == [0.5]              # the field and its p = 0.5 line
        assert [to_hex(d.get_facecolor()[0]) for d in dots] == [theme.CLASS[0].lower(), theme.CLASS[1].lower()]
        assert [len(d.get_offsets()) for d in dots] == [1, 2]              # each point in its class colour
        assert (ax.get_xlim(), ax.get_ylim()) == ((-1.0, 1.0), (-1.0, 1.0))
    finally:
        plt.close(fig)


def test_helpers_reject_bad_shapes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        with pytest.raises(ShapeError):
            common.decision_boundary(ax, np.arange(3), np.arange(3), np.zeros((2, 2)))
    finally:
        plt.close(fig)

