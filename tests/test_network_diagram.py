"""NetworkDiagram and the plane/bar mobjects draw exactly the numbers they are given."""
import numpy as np
import pytest

from manim import ManimColor  # noqa: E402

from nnviz import theme  # noqa: E402
from nnviz.nn import MLP  # noqa: E402
from nnviz.display import fixed, shown_units  # noqa: E402
from nnviz.render.network import NetworkDiagram, ProbabilityBars  # noqa: E402
from nnviz.render.planes import DecisionPlane, boundary_rgba  # noqa: E402


def _hex(c):
    return ManimColor(c).to_hex().lower()


@pytest.fixture
def net():
    model = MLP((3, 12, 5, 2), hidden="tanh", loss="cce")
    theta = model.init(np.random.default_rng(0))
    return model, theta


def test_shown_units_elides_the_middle():
    assert shown_units(5, 8) == ([0, 1, 2, 3, 4], None)
    units, dots = shown_units(64, 8)
    assert units == [0, 1, 2, 3, 61, 62, 63] and dots == 4 and len(units) + 1 == 8


def test_any_depth_and_elision(net):
    model, theta = net
    d = NetworkDiagram.from_model(model, theta, max_neurons=6)
    assert [len(l) for l in d.layers] == [3, 5, 5, 2]
    assert len(d.ellipses) == 1                                   # only the 12-wide layer is elided
    assert [len(e) for e in d.edges] == [3 * 5, 5 * 5, 5 * 2]
    with pytest.raises(KeyError, match="elided"):
        d.neuron(1, 6)
    deep = NetworkDiagram((2, 3, 3, 3, 3, 3, 1))                  # no θ: grey edges, still drawable
    assert len(deep.layers) == 7 and len(deep.edges) == 6


def test_edges_show_sign_and_size_of_the_real_weights(net):
    model, theta = net
    d = NetworkDiagram.from_model(model, theta, max_neurons=6)
    for l in range(1, model.n_layers + 1):
        W = model.weights(theta, l)[0]
        vals = d.edge_values[l - 1]
        idx = d.edge_index[l - 1]
        assert np.array_equal(vals, W[idx[:, 0], idx[:, 1]])
        for ln, w in zip(d.edges[l - 1], vals):
            assert _hex(ln.get_stroke_color()) == (theme.POSITIVE if w >= 0 else theme.NEGATIVE).lower()
        widths = np.array([ln.get_stroke_width() for ln in d.edges[l - 1]])
        assert np.allclose(widths, d.stroke_for(vals))
        order = np.argsort(np.abs(vals))
        assert np.all(np.diff(widths[order]) >= -1e-12)            # wider edge ⇔ larger |w|


def test_restyle_methods_return_self_and_weights_animation_targets_new_theta(net):
    model, theta = net
    d = NetworkDiagram.from_model(model, theta)
    assert d.set_weights(theta) is d and d.set_activations(0, [0.1, 0.5, 0.9]) is d
    assert d.clear_activations() is d and d.set_dropped(1, np.ones(12)) is d
    new = -theta
    d.weights_to(new)
    assert np.array_equal(d.edge_values[0], -model.weights(theta, 1)[0][d.edge_index[0][:, 0], d.edge_index[0][:, 1]])


def test_activation_fill_follows_the_values(net):
    model, theta = net
    d = NetworkDiagram.from_model(model, theta, max_neurons=6)
    a = np.linspace(-1, 1, 12)
    d.set_activations(1, a, "tanh")
    ops = np.array([c.get_fill_opacity() for c in d.layers[1]])
    assert np.allclose(ops, np.abs(a[d.shown[1]]))                      # size: |a| …
    cols = [_hex(c.get_fill_color()) for c in d.layers[1]]
    assert cols == [(theme.POSITIVE if v >= 0 else theme.NEGATIVE).lower() for v in a[d.shown[1]]]  # … sign: hue
    d.set_activations(2, np.array([0.0, 2.0, -4.0, 1.0, 0.5]))          # no bound known: scaled by max |a|
    assert np.allclose([c.get_fill_opacity() for c in d.layers[2]], [0.0, 0.5, 1.0, 0.25, 0.125])


def test_deltas_fill_units_in_the_gradient_colours(net):
    model, theta = net
    d = NetworkDiagram.from_model(model, theta, max_neurons=6)
    delta = np.array([0.2, -0.4, 0.0, 0.1, -0.1])
    d.set_deltas(2, delta)
    assert np.allclose([c.get_fill_opacity() for c in d.layers[2]], np.abs(delta) / 0.4)
    assert [_hex(c.get_fill_color()) for c in d.layers[2]] == [
        (theme.GRADIENT if v >= 0 else theme.GRADIENT_NEGATIVE).lower() for v in delta]


def test_gradient_pulses_are_sized_by_the_gradient(net):
    model, theta = net
    X, Y = np.random.default_rng(1).normal(size=(1, 3)), np.array([[0.0, 1.0]])
    g = model.backward(theta, X, Y).grad
    d = NetworkDiagram.from_model(model, theta, max_neurons=6)
    edges = d.gradient_edges(2, g)
    G = model.layout.view(g, "W2")
    mags = np.abs(G[d.edge_index[1][:, 0], d.edge_index[1][:, 1]])
    assert np.allclose([e.magnitude for e in edges], mags / mags.max())
    widths = np.array([e.get_stroke_width() for e in edges])
    assert np.argmax(widths) == np.argmax(mags)
    # pulses run backward: from the layer-2 unit to the layer-1 unit
    assert np.allclose(edges[0].get_start(), d.edges[1][0].get_end())


def test_dropout_greys_units_and_hides_their_edges(net):
    model, theta = net
    d = NetworkDiagram.from_model(model, theta, max_neurons=6)
    keep = np.ones(12)
    keep[[0, 11]] = 0
    d.set_dropped(1, keep)
    assert d.dropped_units(1) == [0, 11]
    for ln, (a, b) in zip(d.edges[0], d.edge_index[0]):
        assert (ln.get_stroke_opacity() == 0) == (b in (0, 11))
    for ln, (a, b) in zip(d.edges[1], d.edge_index[1]):
        assert (ln.get_stroke_opacity() == 0) == (a in (0, 11))
    d.set_weights(theta).set_dropped(1, np.ones(12))
    assert d.dropped_units(1) == []


def test_probability_bars_are_as_long_as_the_probabilities(net):
    model, theta = net
    d = NetworkDiagram.from_model(model, theta)
    bars = ProbabilityBars(d, [0.25, 0.75], max_length=2.0)
    assert np.allclose(bars.lengths(), [0.5, 1.5])


def test_boundary_colours_and_plane_mapping():
    img = boundary_rgba(np.array([[0.0, 0.5, 1.0]]))
    assert img.dtype == np.uint8 and img.shape == (1, 3, 4)
    bg = np.array([int(theme.BACKGROUND[i:i + 2], 16) for i in (1, 3, 5)])
    lo = np.array([int(theme.CLASS[0][i:i + 2], 16) for i in (1, 3, 5)])
    hi = np.array([int(theme.CLASS[1][i:i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(img[0, 1, :3] - (bg + 0.18 * (hi - bg))).max() <= 1      # the boundary stays dark
    assert np.abs(img[0, 0, :3] - (bg + 0.80 * (lo - bg))).max() <= 1      # sure of class 0: red
    assert np.abs(img[0, 2, :3] - (bg + 0.80 * (hi - bg))).max() <= 1      # sure of class 1: blue
    flipped = boundary_rgba(np.array([[0.0], [1.0]]))                       # row 0 = lowest y → bottom row
    assert np.array_equal(flipped[1], boundary_rgba(np.array([[0.0]]))[0])
    plane = DecisionPlane(np.linspace(-1, 1, 5), np.linspace(0, 2, 5), size=4.0)
    c = plane.frame.get_center()
    assert np.allclose(plane.to_scene(1.0, 2.0), c + [2.0, 2.0, 0])
    assert np.allclose(plane.to_scene(0.0, 1.0), c)


def test_camera_draws_and_fades_images_with_the_pinned_pillow():
    """manim 0.22's camera builds images with Image.fromarray(float canvas, mode="RGBA"), which
    Pillow ≥ 12 rejects; pyproject pins pillow<12. Draw an image and a half-faded copy and check
    the pixels arrive."""
    import manim as mn

    red = np.zeros((4, 4, 4), np.uint8)
    red[..., 0] = 255
    red[..., 3] = 255
    cam = mn.Camera(pixel_width=32, pixel_height=32, frame_width=2, frame_height=2)
    img = mn.ImageMobject(red)
    img.height = 2
    cam.capture_mobject(img)
    px = cam.get_image()
    assert np.asarray(px)[16, 16, 0] > 200 and np.asarray(px)[16, 16, 2] < 50
    cam.reset()
    img.set_opacity(0.5)
    cam.capture_mobject(img)
    half = np.asarray(cam.get_image())[16, 16, 0]
    assert 60 < half < 200


def test_bad_sizes_are_one_clear_error():
    with pytest.raises(ValueError, match="≥ 2 layers"):
        NetworkDiagram((3,))


def test_feature_tiles_atlas_holds_each_units_map():
    from nnviz.render.planes import FeatureTiles, signed_rgba

    maps = np.random.default_rng(0).uniform(-1, 1, size=(5, 6, 6))
    tiles = FeatureTiles(maps, [0, 3, 4], side=0.6, buff=0.12)
    atlas = tiles.image.pixel_array
    g = tiles.gap
    for k, u in enumerate([0, 3, 4]):
        assert np.array_equal(atlas[:, k * (6 + g):k * (6 + g) + 6], signed_rgba(maps[u]))
    assert len(tiles.frames) == 3
    tiles.set_maps(-maps)
    assert np.array_equal(tiles.image.pixel_array[:, :6], signed_rgba(-maps[0]))


def test_perceptron_playback_walks_the_recorded_updates():
    """Position u = i + a interpolates update i; whole positions are the recorded lines, and the
    on-screen step w ← w ± η·x uses the record's own numbers."""
    from nnviz import experiments as E
    from nnviz.render.perceptron import PerceptronPlayback

    rec = E.load("perceptron_and")["perceptron"]
    plane = DecisionPlane(np.array([-0.5, 1.5]), np.array([-0.5, 1.5]), rec.X, rec.y)
    pb = PerceptronPlayback(rec, plane)
    ups = rec.updates
    assert pb.n == len(ups) > 2
    for i, k in enumerate(ups):
        _, _, w, b = pb.at(float(i))
        assert np.array_equal(w, rec.w[k - 1]) and b == rec.b[k - 1]       # before update i …
        _, _, w, b = pb.at(i + 0.5)
        assert np.allclose(w, (rec.w[k - 1] + rec.w[k]) / 2)               # … halfway …
        x = rec.X[rec.point[k]]
        assert np.allclose(rec.w[k], rec.w[k - 1] + rec.update[k] * rec.config["lr"] * x)
        fmt = lambda p: "({}, {})".format(*[("0.00" if abs(round(c, 2)) == 0 else f"{c:.2f}").replace("-", "−")
                                              for c in p])   # noqa: E731
        assert pb.step_text(i + 0.5) == (f"w ← {fmt(rec.w[k - 1])} {'+' if rec.update[k] > 0 else '−'} "
                                         f"{rec.config['lr']:g}·{fmt(x)}\n   = {fmt(rec.w[k])},  b: {fixed(rec.b[k - 1])} → {fixed(rec.b[k])}")
    _, _, w, b = pb.at(float(pb.n))
    assert np.array_equal(w, rec.w[-1]) and b == rec.b[-1]                 # … and the final line


def test_strongest_edges_per_neuron_are_drawn_in_full_the_rest_faint(net):
    model, theta = net
    d = NetworkDiagram.from_model(model, theta, max_neurons=6, strong_per_neuron=2)
    for l in range(1, model.n_layers + 1):
        vals, idx, strong = d.edge_values[l - 1], d.edge_index[l - 1], d.edge_strong[l - 1]
        for b in np.unique(idx[:, 1]):
            sel = np.flatnonzero(idx[:, 1] == b)
            top = sel[np.argsort(-np.abs(vals[sel]))[:2]]
            assert set(sel[strong[sel]]) == set(top)                           # exactly the 2 largest |w|
        op = np.array([ln.get_stroke_opacity() for ln in d.edges[l - 1]])
        assert op[~strong].max() < op[strong].min()                          # faint ones recede
        for ln, w in zip(d.edges[l - 1], vals):                              # sign is kept either way
            assert _hex(ln.get_stroke_color()) == (theme.POSITIVE if w >= 0 else theme.NEGATIVE).lower()


def test_signed_numbers_never_show_minus_zero():
    from nnviz.display import fixed, signed

    assert signed(-0.001) == "+0.00" and fixed(-0.004) == "0.00" and signed(-0.37) == "−0.37"
    assert signed(1.2) == "+1.20" and fixed(-1.239, 3) == "−1.239"
