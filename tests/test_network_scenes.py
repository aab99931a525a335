"""What each network scene shows equals the recorded numbers: the scenes are built (all
animations skipped to their end state) and their mobjects are read back."""
from pathlib import Path

import numpy as np
import pytest

import manim as mn

from nnviz import experiments as E
from nnviz.experiments.networks import model_from

SCENES = Path(__file__).resolve().parent.parent / "scenes"


def build(module: str, name: str, tmp_path, **attrs):
    """Run a scene's construct with every animation skipped; return the scene object."""
    from nnviz.render.runner import load_scene_class, with_overrides

    cls = with_overrides(load_scene_class(SCENES / f"{module}.py", name), attrs)
    with mn.tempconfig({"save_last_frame": True, "write_to_movie": False, "media_dir": str(tmp_path),
                        "pixel_width": 96, "pixel_height": 54, "frame_rate": 2, "disable_caching": True,
                        "verbosity": "WARNING", "progress_bar": "none"}):
        scene = cls()
        scene.render()
    return scene


def test_forward_scene_fills_and_bars_are_the_recorded_activations(tmp_path):
    s = build("network_forward", "ForwardPass", tmp_path)
    rec = E.load("network_forward")["pass"]
    model = rec.model()
    d = s.diagram
    for l in range(model.n_layers):       # the output layer's probabilities are the bars (checked below)
        assert np.array_equal(d.neuron_values[l], rec.activation(l))
    zL, top2 = s.softmax_numbers           # the softmax beat: the record's logits give the shown probabilities
    L = model.n_layers
    assert np.array_equal(zL, rec.pre[f"z{L}"][0])
    p = np.exp(zL - zL.max()) / np.exp(zL - zL.max()).sum()
    assert np.allclose(p, rec.activation(L), atol=1e-12) and top2[0] == int(np.argmax(p))
    a1 = rec.activation(1)[d.shown[1]]
    hid = np.array([c.get_fill_opacity() for c in d.layers[1]])
    assert np.allclose(hid, np.abs(a1), atol=1e-6)                       # tanh ∈ [-1, 1]: size …
    cols = [mn.ManimColor(c.get_fill_color()).to_hex().lower() for c in d.layers[1]]
    from nnviz import theme
    assert cols == [(theme.POSITIVE if v >= 0 else theme.NEGATIVE).lower() for v in a1]   # … and sign
    # the one neuron worked out on screen: its terms, the rest, the bias, z and tanh(z) are the record's
    p, j = s.panel, s.neuron_unit
    W1, b1 = model.weights(rec.theta, 1)
    x = rec.activation(0)
    t = np.abs(W1[:, j] * x)
    assert [i for i, *_ in p.terms] == list(np.argsort(-t, kind="stable")[:len(p.terms)])
    assert all(w == W1[i, j] and a == x[i] for i, w, a in p.terms)
    rest = [i for i in range(len(x)) if i not in {i for i, *_ in p.terms}]
    assert p.rest == pytest.approx(float(W1[rest, j] @ x[rest])) and p.n_rest == len(x) - len(p.terms)
    assert p.b == b1[j] and p.z == rec.pre["z1"][0][j] and p.out == rec.activation(1)[j]
    assert sum(w * a for _, w, a in p.terms) + p.rest + p.b == pytest.approx(p.z, abs=1e-12)
    assert p.out == pytest.approx(np.tanh(p.z))
    # what a student adds up by hand: each shown product is that of the shown factors, the shown
    # column sums exactly to the shown z, and the shown rest is the exact rest up to rounding
    for (_, w, a), shown in zip(p.terms, p.shown_products):
        assert shown == round(round(w, 3) * round(a, 3), 3)
    total = sum(p.shown_products) + p.shown_rest + round(p.b, 3)
    assert round(total, 3) == round(p.z, 3)
    assert abs(p.shown_rest - p.rest) <= 0.0005 * (len(p.terms) + 2) + 1e-9
    probs = rec.activation(model.n_layers)
    assert np.allclose(s.bars.lengths(), np.maximum(probs * s.bars.max_length, 1e-3))
    assert np.allclose([b.value for b in s.bars], probs)


def test_backprop_scene_pulses_are_the_real_gradients_and_update_is_applied(tmp_path):
    s = build("network_backprop", "Backpropagation", tmp_path)
    rec = E.load("network_backprop")["pass"]
    model = rec.model()
    d = s.diagram
    L = model.n_layers
    scale = max(np.abs(model.layout.view(rec.grad, f"W{l}")).max() for l in range(1, L + 1))
    for ge, l in zip(s.grad_edges, range(L, 0, -1)):           # drawn output → input
        G = model.layout.view(rec.grad, f"W{l}")
        idx = d.edge_index[l - 1]
        assert np.allclose([e.magnitude for e in ge], np.abs(G[idx[:, 0], idx[:, 1]]) / scale)
        assert np.array_equal([e.value for e in ge], G[idx[:, 0], idx[:, 1]])
        cols = [mn.ManimColor(e.get_stroke_color()).to_hex().lower() for e in ge]   # signed colour
        from nnviz import theme
        assert cols == [(theme.GRADIENT if g >= 0 else theme.GRADIENT_NEGATIVE).lower() for g in G[idx[:, 0], idx[:, 1]]]
    # the chain-rule product on screen: ∂ℓ/∂w_ij = δ_j · a_i, all three from the record
    l, i, j, d_j, a_i, g = s.chain
    assert d_j == rec.deltas[f"d{l}"][0][j] and a_i == rec.activation(l - 1)[i]
    assert g == model.layout.view(rec.grad, f"W{l}")[i, j] and g == pytest.approx(d_j * a_i, rel=1e-12)
    # δ labels: one per drawn unit, the recorded δ
    for labels, l in zip(s.delta_labels, range(L, 0, -1)):
        assert len(labels) == len(d.layers[l])
    # the verdict: this example's loss and the mean loss over all training points, before/after
    loss, loss_next, bl, bl_next = s.verdict_numbers
    assert loss == pytest.approx(model.loss_value(rec.theta, rec.x, rec.y))
    assert loss_next == pytest.approx(model.loss_value(rec.theta_next, rec.x, rec.y))
    assert bl == pytest.approx(model.loss_value(rec.theta, rec.batch_X, rec.batch_Y))
    assert bl_next == pytest.approx(model.loss_value(rec.theta_next, rec.batch_X, rec.batch_Y))
    for l in range(1, L + 1):                                   # after θ ← θ − η∇ℓ the edges show θ_next
        idx = d.edge_index[l - 1]
        W = model.layout.view(rec.theta_next, f"W{l}")
        assert np.array_equal(d.edge_values[l - 1], W[idx[:, 0], idx[:, 1]])
        colors = [mn.ManimColor(ln.get_stroke_color()).to_hex().lower() for ln in d.edges[l - 1]]
        from nnviz import theme
        assert colors == [(theme.POSITIVE if w >= 0 else theme.NEGATIVE).lower() for w in W[idx[:, 0], idx[:, 1]]]
    assert np.allclose([b.value for b in s.bars], rec.meta["output_next"])


@pytest.mark.parametrize("variant,exp", [("TrainingXOR", "network_training_xor"),
                                         ("TrainingMoons", "network_training_moons"),
                                         ("TrainingSpirals", "network_training_spirals")])
def test_training_scene_ends_on_the_recorded_final_network(variant, exp, tmp_path):
    s = build("network_training", variant, tmp_path)
    recs = E.load(exp)
    run, bd = recs["run"], recs["boundary"]
    model = model_from(run.config["problem"]["model"])
    assert s.tracker.get_value() == run.steps[-1]
    idx = s.diagram.edge_index[0]
    assert np.array_equal(s.diagram.edge_values[0], model.layout.view(run.thetas[-1], "W1")[idx[:, 0], idx[:, 1]])
    assert np.array_equal(s.plane.prob, bd.prob[-1])
    from nnviz.render.planes import boundary_rgba
    assert np.array_equal(s.plane.image.pixel_array, boundary_rgba(bd.prob[-1]))
    from nnviz.render.style import text                            # every status line fits in the frame
    w = s.warp_used
    for step in (0, (w.first_step + w.end_step) / 2, (w.end_step + run.steps[-1]) / 2, run.steps[-1]):
        line = text(s.status(run, bd, w, step), size=24)
        assert s.state.get_left()[0] + line.width < mn.config.frame_width / 2 - 0.1, line.text


@pytest.mark.parametrize("variant,exp", [("PerceptronAND", "perceptron_and"), ("PerceptronTrick", "perceptron_blobs")])
def test_perceptron_scene_line_is_the_recorded_line(variant, exp, tmp_path):
    s = build("network_perceptron", variant, tmp_path)
    r = E.load(exp)["perceptron"]
    w, b = s.playback.current()
    assert np.array_equal(w, r.w[-1]) and b == r.b[-1]
    line = s.line[2]                       # [side ŷ=0, side ŷ=1, line, labels]: both ends lie on w·x + b = 0
    for p in (line.get_start(), line.get_end()):
        xs, ys = s.plane.xs, s.plane.ys
        c = s.plane.frame.get_center()
        x = xs[0] + (p[0] - c[0] + s.plane.size / 2) / s.plane.size * (xs[-1] - xs[0])
        y = ys[0] + (p[1] - c[1] + s.plane.size / 2) / s.plane.size * (ys[-1] - ys[0])
        assert abs(w @ [x, y] + b) < 1e-6 * (1 + np.abs(w).sum())
    assert s.panel.settled and len(s.panel.arrows()[0]) == 2   # solved: only the final w (and 0) remain
    ups, said = np.asarray(r.update), "".join(t.text for t in s.end_text)   # Text.text drops spaces
    assert ("+ruleneverfired" in said) == (not np.any(ups > 0))
    assert ("−ruleneverfired" in said) == (not np.any(ups < 0))


def test_perceptron_or_says_which_point_lies_on_its_final_line(tmp_path):
    """OR ends with (1, 0) exactly on the line (0.40·1 + 0.50·0 − 0.40 = 0): the scene says the ≥ decides it."""
    s = build("network_perceptron", "PerceptronOR", tmp_path)
    r = E.load("perceptron_or")["perceptron"]
    X = np.asarray(r.X, float)
    on = [tuple(X[i]) for i in range(len(X)) if abs(X[i] @ r.w[-1] + r.b[-1]) < 1e-9]
    assert on == [(1.0, 0.0)] and r.converged_at >= 0
    assert s.on_line.text.startswith("(1,0)ontheline")                   # Text.text drops spaces


def test_perceptron_xor_scene_ends_on_the_recorded_perceptron_and_network(tmp_path):
    s = build("network_perceptron", "PerceptronXOR", tmp_path)
    r = E.load("perceptron_xor")["perceptron"]
    w, b = s.playback.current()
    assert np.array_equal(w, r.w[r.updates[-1]]) and b == r.b[r.updates[-1]]
    recs = E.load("perceptron_xor_net")
    assert np.array_equal(s.net_plane.prob, recs["boundary"].prob[-1])
    idx = s.net_diagram.edge_index[0]
    W = model_from(recs["run"].config["problem"]["model"]).layout.view(recs["run"].thetas[-1], "W1")
    assert np.array_equal(s.net_diagram.edge_values[0], W[idx[:, 0], idx[:, 1]])


@pytest.mark.parametrize("variant,exp", [("TrainingXOR", "network_training_xor"),
                                         ("TrainingMoons", "network_training_moons"),
                                         ("TrainingSpirals", "network_training_spirals")])
def test_training_scene_pacing_follows_the_boundary(variant, exp):
    """The scene's own step-at-time mapping, measured against what the student sees change: the first
    half of the animated time covers 25–75 % of that change, and at most 25 % of the time passes at
    under 1 % of it per second; the paced part stops where the boundary stops changing (the rest is
    a short, captioned fast-forward).

    "What the student sees" is weighted by what teaches. For XOR and moons it is the boundary: the
    grid cells that change class, and the heatmap's colour change. For spirals, counting cells
    over-weights early noise: in its first ~25 steps a straight line sweeps across the whole plane
    (thousands of cells flip per frame) while accuracy stays at 47–56 %. There the measure is the
    learning the student reads, the accuracy readout and the log-axis loss curve
    (`planes.learning_progress`), and the winding into the arms (from the first step with >= 85 %
    of the points right to the boundary's visible end) must get at least half the paced time."""
    from nnviz.render.pacing import measure_pacing
    from nnviz.render.planes import colour_progress, flip_progress, learning_progress
    from nnviz.render.runner import load_scene_class

    cls = load_scene_class(SCENES / "network_training.py", variant)
    recs = E.load(exp)
    run, bd = recs["run"], recs["boundary"]
    times, steps = cls.step_at_time(run, bd)
    flips = flip_progress(bd.steps, bd.prob)
    warp = cls.warp(bd, run)
    if cls.pace_by == "learning":
        measures = [learning_progress(run, warp.end_step)]
        k = int(np.argmax(run.train_acc >= 0.85))
        wind = float(run.eval_steps[k])
        t_wind = np.interp(wind, warp.steps, warp.times)
        assert 0 < wind < warp.end_step and (warp.run_time - t_wind) >= 0.5 * warp.run_time, (wind, t_wind)
    else:
        measures = [flips, colour_progress(bd.steps, bd.prob)]
    for progress in measures:
        m = measure_pacing((times, steps), progress)
        assert m.ok(), m.problems()
    assert flips.fraction([warp.end_step])[0] >= 0.97               # nearly all the change is paced
    assert steps[-1] == run.steps[-1] and times[-1] - warp.run_time <= cls.tail_time + 1e-9


def test_dropout_comparison_pacing_and_dashed_test_curves(tmp_path):
    """The intro shows the recorded masks; the comparison is paced by change (both boundaries' class flips and both test losses), and
    the test curves are dashed overlays drawn up to the step shown, from the record's test loss."""
    from nnviz.render.pacing import combine, measure_pacing
    from nnviz.render.planes import flip_progress
    from nnviz.render.runner import load_scene_class

    cls = load_scene_class(SCENES / "network_dropout.py", "Dropout")
    recs = E.load("network_dropout")
    warp = cls.warp(recs)
    flips = combine([flip_progress(recs[f"boundary_{t}"].steps, recs[f"boundary_{t}"].prob)
                     for t in ("plain", "dropout")])
    m = measure_pacing(warp, flips)
    assert m.ok(), m.problems()
    s = build("network_dropout", "Dropout", tmp_path)
    masks = recs["masks"]                                          # the intro: the masks training drew
    t = int(s.mask_tracker.get_value())
    assert t == s.mask_steps - 1
    for layer, nm in ((1, "h1"), (2, "h2")):
        dropped = [u for u in s.mask_diagram.shown[layer] if masks.masks[nm][t][u] == 0]
        assert s.mask_diagram.dropped_units(layer) == dropped
    assert s.compare_tracker.get_value() == recs["run_dropout"].steps[-1]
    for curve, tag in zip(s.test_curves, ("plain", "dropout")):
        run = recs[f"run_{tag}"]
        assert curve.shown() == len(curve.dashes)                 # at the last step: the whole curve
        assert curve.dash_steps[0] == pytest.approx(run.eval_steps[0], abs=run.eval_steps[-1] / 20)
        curve.show_until(run.eval_steps[-1] / 2)                  # half-way: only the first dashes
        assert 0 < curve.shown() < len(curve.dashes)
    rp, rd = recs["run_plain"], recs["run_dropout"]                # the closing claims, from the records
    assert s.rings and len(s.rings) == 2 * len(s.facts["bent"]) > 0
    for tag, right in (("plain", True), ("dropout", False)):       # circled: fitted without dropout only
        bd = recs[f"boundary_{tag}"]
        for i in s.facts["bent"]:
            x, y = bd.X[i]
            p = bd.prob[-1][np.abs(bd.ys - y).argmin(), np.abs(bd.xs - x).argmin()]
            assert ((p >= 0.5) == bd.labels[i]) == right
    assert f"pockets round {len(s.facts['bent'])} noisy training points: only without dropout." == s.words["bend"]
    assert s.end_labels == {t: f"{recs[f'run_{t}'].test_loss[-1]:.2f}" for t in ("plain", "dropout")}
    for (plane, bd), line in zip(s.planes, s.boundary_lines):      # the white line is the p = 0.5 contour
        pts = np.concatenate([m.points[0::4] for m in line])         # the polylines' corners
        x = bd.xs[0] + (pts[:, 0] - plane.frame.get_left()[0]) / plane.size * (bd.xs[-1] - bd.xs[0])
        y = bd.ys[0] + (pts[:, 1] - plane.frame.get_bottom()[1]) / plane.size * (bd.ys[-1] - bd.ys[0])
        i = np.clip(np.searchsorted(bd.xs, x) - 1, 0, len(bd.xs) - 2)      # bilinear in the recorded grid
        j = np.clip(np.searchsorted(bd.ys, y) - 1, 0, len(bd.ys) - 2)
        u = (x - bd.xs[i]) / (bd.xs[i + 1] - bd.xs[i])
        v = (y - bd.ys[j]) / (bd.ys[j + 1] - bd.ys[j])
        g = bd.prob[-1]
        p = ((1 - u) * (1 - v) * g[j, i] + u * (1 - v) * g[j, i + 1] + (1 - u) * v * g[j + 1, i]
             + u * v * g[j + 1, i + 1])
        assert np.abs(p - 0.5).max() < 1e-6
    assert rp.train_loss[-1] < rd.train_loss[-1]                     # plain fits the training points closer
    assert f"train loss {rp.train_loss[-1]:.2f} → outputs near 0 or 1:" == s.words["fit"] and rp.train_loss[-1] < 0.005
    assert s.words["cost"].endswith("≥ 99% sure costs ≥ −ln 0.01 ≈ 4.6") and recs["seeds"].meta["sure"] == 0.99
    assert f"end at test loss {rp.test_loss[-1]:.2f}?" in s.words["why"]
    # early stopping as it is done: the step of the lowest loss on the recorded validation points
    val = recs["validation"]
    stops = {}
    for tag, run in (("plain", rp), ("dropout", rd)):
        model = model_from(run.config["problem"]["model"])
        assert np.array_equal(val.columns["steps"], run.steps) and np.array_equal(run.steps, run.eval_steps)
        k = int(np.argmin(val.columns[tag]))
        stops[tag] = (int(run.eval_steps[k]), float(run.test_loss[k]))
        f = s.facts[tag]
        assert (f["stop_step"], f["stop_test"]) == stops[tag]
        dot = s.stops[["plain", "dropout"].index(tag)]
        assert np.allclose(dot.get_center(), s.plots[tag].axes.c2p(*stops[tag]), atol=1e-6)
        label = s.stop_words[["plain", "dropout"].index(tag)][0]
        assert [t.text for t in label if isinstance(t, mn.Text)] == ["stop", f"{stops[tag][0]}"]
        vdot = s.val_curves[2 * ["plain", "dropout"].index(tag) + 1]       # the validation minimum, on its curve
        assert np.allclose(vdot.get_center(), s.plots[tag].axes.c2p(stops[tag][0], val.columns[tag].min()), atol=1e-6)
        k = s.stop_k[tag]                                           # the map shown then: the net at its stop
        assert recs[f"boundary_{tag}"].steps[k] == stops[tag][0]
        assert np.array_equal(s.planes[["plain", "dropout"].index(tag)][0].prob, recs[f"boundary_{tag}"].prob[k])
    (sp, tp), (sd, td) = stops["plain"], stops["dropout"]
    assert s.words["stop"] == f"test loss there: {tp:.2f} without (step {sp}), {td:.2f} with (step {sd})"
    assert s.words["early"][1] == f"{val.meta['n']} other held-out points) is lowest; maps at those steps"
    # the takeaway: with dropout the test loss stays low from the plain net's stop on; without it, it
    # climbs far above what stopping there gives
    after = rd.test_loss[rd.eval_steps >= sp]
    assert after.max() < 1.5 * td and after.max() < rp.test_loss[-1] / 3 and rp.test_loss[-1] > 4 * tp
    assert s.words["take"] == (f"With dropout the test loss stayed low to step {int(rp.steps[-1])};",
                               "without it, you must stop at the right step,",
                               f"found with {val.meta['n']} extra held-out points.")
    assert len(s.stops) == 2
    from nnviz import theme
    # the sure mistakes: on each plane, one mark per test point the final net calls wrong at
    # P(wrong class) ≥ 99 %, in the point's TRUE class colour
    centres = [m.get_center() for m in s.marks]
    at = 0
    for (plane, bd), tag in zip(s.planes, ("plain", "dropout")):
        run = recs[f"run_{tag}"]
        p1 = model_from(run.config["problem"]["model"]).predict(run.thetas[-1], bd.X_test)[:, 0]
        p_wrong = np.where(np.asarray(bd.labels_test, bool), 1 - p1, p1)
        sure = np.flatnonzero(p_wrong >= 0.99)
        assert len(sure) > 0
        for i in sure:
            assert np.allclose(centres[at], plane.to_scene(*bd.X_test[i]), atol=1e-6)
            assert mn.ManimColor(s.marks[at][1].get_stroke_color()).to_hex().lower() == \
                theme.CLASS[int(bd.labels_test[i])].lower()
            at += 1
    assert at == len(centres)


@pytest.mark.parametrize("variant,exp", [("PerceptronAND", "perceptron_and"), ("PerceptronXOR", "perceptron_xor")])
def test_perceptron_mistake_bars_are_the_recorded_errors(variant, exp, tmp_path):
    """The bars count the record's mistakes per epoch: AND reaches 0, XOR never does (the claim on
    screen, "never 0 mistakes"), and counting updates per epoch gives the same numbers."""
    s = build("network_perceptron", variant, tmp_path)
    r = E.load(exp)["perceptron"]
    bars = s.bars
    assert np.array_equal(bars.shown(), r.errors)
    assert np.array_equal(np.bincount(np.asarray(r.epoch)[r.updates].astype(int), minlength=len(r.errors)),
                          r.errors)
    heights = np.array([b.height for b in bars.rects])
    assert np.allclose(heights, np.maximum(np.asarray(r.errors) * bars.unit, 1e-3))
    if variant == "PerceptronXOR":
        assert r.converged_at < 0 and min(r.errors) > 0
    else:
        assert r.errors[-1] == 0 and r.converged_at == len(r.errors) - 1
        assert bars.labels[-1].get_fill_opacity() == 1.0           # the "0" of the solving epoch


def test_perceptron_normal_is_w_at_right_angles_to_the_line(tmp_path):
    """w is drawn on the data plane as the normal of the recorded line: the arrow is parallel to w
    and starts on the line (the plane has equal x and y scales, so right angles look right)."""
    s = build("network_perceptron", "PerceptronTrick", tmp_path)
    r = E.load("perceptron_blobs")["perceptron"]
    plane = s.plane
    assert (plane.xs[-1] - plane.xs[0]) == pytest.approx(plane.ys[-1] - plane.ys[0])
    arrow = s.normal[0]
    a, e = arrow.get_start(), arrow.get_end()
    w, b = np.asarray(r.w[-1], float), float(r.b[-1])
    d = (e - a)[:2]
    assert abs(d[0] * w[1] - d[1] * w[0]) < 1e-6 * np.linalg.norm(d) * np.linalg.norm(w) and d @ w > 0
    c = plane.frame.get_center()
    x = plane.xs[0] + (a[0] - c[0] + plane.size / 2) / plane.size * (plane.xs[-1] - plane.xs[0])
    y = plane.ys[0] + (a[1] - c[1] + plane.size / 2) / plane.size * (plane.ys[-1] - plane.ys[0])
    assert abs(w @ [x, y] + b) < 1e-6


def test_perceptron_and_normal_stays_clear_of_the_points(tmp_path):
    """AND's w arrow and its label touch no data point or point tag, at the first frame (before any
    update) and the last (the solved line, whose ŷ = 1 side holds only (1, 1)); the arrow is still
    w's direction, starts on the recorded line, and is at least 45 % of its fixed length."""
    s = build("network_perceptron", "PerceptronAND", tmp_path)
    r = E.load("perceptron_and")["perceptron"]
    plane, pb = s.plane, s.playback
    c = plane.frame.get_center()
    scale = s.arrow_length / float(np.max(np.linalg.norm(np.asarray(r.w, float), axis=1)))
    for u, row in ((0.0, 0), (float(pb.n), -1)):
        pb.pos.set_value(u)
        s.normal.update()
        arrow, lab = s.normal[0], s.normal[1]
        a, e = arrow.get_start(), arrow.get_end()
        w, b = np.asarray(r.w[row], float), float(r.b[row])
        d = (e - a)[:2]
        assert abs(d[0] * w[1] - d[1] * w[0]) < 1e-6 * np.linalg.norm(d) * np.linalg.norm(w) and d @ w > 0
        assert np.linalg.norm(d) >= 0.45 * scale * np.linalg.norm(w) - 1e-9
        x = plane.xs[0] + (a[0] - c[0] + plane.size / 2) / plane.size * (plane.xs[-1] - plane.xs[0])
        y = plane.ys[0] + (a[1] - c[1] + plane.size / 2) / plane.size * (plane.ys[-1] - plane.ys[0])
        assert abs(w @ [x, y] + b) < 1e-6
        seg = a[:2] + np.linspace(0, 1, 50)[:, None] * d
        for m in plane.dots:
            lo, hi = m.get_corner(mn.DL)[:2], m.get_corner(mn.UR)[:2]
            assert not np.any(np.all((seg >= lo) & (seg <= hi), axis=1)), (u, "arrow over a point")
            llo, lhi = lab.get_corner(mn.DL)[:2], lab.get_corner(mn.UR)[:2]
            assert np.any(llo > hi) or np.any(lhi < lo), (u, "label over a point")


def test_intro_draws_the_recorded_run(tmp_path):
    """The title card's picture is a record: the last frame shows the run's last boundary and the
    whole loss curve, the counter at the run's last step."""
    s = build("showcase_intro", "ShowcaseIntro", tmp_path)
    recs = E.load("network_training_spirals")
    run, bd = recs["run"], recs["boundary"]
    assert s.tracker.get_value() == run.steps[-1]
    import sys
    fine = sys.modules[type(s).__module__].refine(bd.prob[-1], 3)    # the record's grid, bilinearly refined
    assert np.array_equal(s.plane.prob, fine) and fine.shape == (3 * bd.prob.shape[1], 3 * bd.prob.shape[2])
    for (i, j), (a, b) in {(0, 0): (0, 0), (-1, -1): (-1, -1), (0, -1): (0, -1)}.items():   # same corners
        assert fine[i, j] == pytest.approx(bd.prob[-1][a, b])
    (name, curve), = s.plot.curves.items()
    assert name == run.config["optimizer"]["name"] and curve.last_step == len(run.loss) - 1


def test_architecture_bold_edges_per_layer(tmp_path):
    """Bold edges: each hidden neuron's two largest |w| among the drawn inputs, each output's one."""
    s = build("network_architecture", "NetworkArchitecture", tmp_path)
    d = s.diagram
    for l, k in enumerate((2, 2, 1)):
        idx, strong, v = d.edge_index[l], d.edge_strong[l], np.abs(d.edge_values[l])
        for b in np.unique(idx[:, 1]):
            sel = np.flatnonzero(idx[:, 1] == b)
            assert strong[sel].sum() == k
            assert v[sel][strong[sel]].min() >= v[sel][~strong[sel]].max()


@pytest.mark.parametrize("module,name,run_exp", [("showcase_intro", "ShowcaseIntro", "network_training_spirals"),
                                                 ("network_perceptron", "PerceptronXOR", "perceptron_xor_net")])
def test_intro_and_xor_net_pacing_follows_the_boundary(module, name, run_exp):
    """The intro's and the XOR network's training are paced like the training scenes: measured against
    the recorded boundary's class flips (first half of the time covers 25–75 %, at most 25 % of the
    time under 1 %/s), the paced part holds nearly all the change, then a short fast-forward."""
    from nnviz.render.pacing import measure_pacing
    from nnviz.render.planes import flip_progress
    from nnviz.render.runner import load_scene_class

    cls = load_scene_class(SCENES / f"{module}.py", name)
    recs = E.load(run_exp)
    run, bd = recs["run"], recs["boundary"]
    times, steps = cls.step_at_time(run, bd)
    flips = flip_progress(bd.steps, bd.prob)
    m = measure_pacing((times, steps), flips)
    assert m.ok(), m.problems()
    warp = cls.warp(bd) if hasattr(cls, "warp") else cls.net_warp(bd)
    assert flips.fraction([warp.end_step])[0] >= 0.97
    assert steps[-1] == run.steps[-1]


def test_backprop_rules_on_screen_recompute_from_the_record(tmp_path):
    """The δ rules shown with numbers: output δ = ŷ − y for the true class; one hidden unit's
    δ = (1 − a²)·Σ w δ (next layer); the worked edge's weight before/after is θ and θ − η·∂ℓ/∂w."""
    s = build("network_backprop", "Backpropagation", tmp_path)
    rec = E.load("network_backprop")["pass"]
    model = rec.model()
    L = model.n_layers
    t, yh, dt = s.why_numbers["output"]
    assert t == int(np.argmax(rec.y[0])) and yh == rec.activation(L)[t]
    assert dt == pytest.approx(yh - 1.0, abs=1e-12) and dt == rec.deltas[f"d{L}"][0][t]
    l, u, f, sm, du = s.why_numbers["hidden"]
    a = rec.activation(l)[u]
    W = model.layout.view(rec.theta, f"W{l + 1}")
    assert f == pytest.approx(1 - a * a) and sm == pytest.approx(W[u] @ rec.deltas[f"d{l + 1}"][0])
    assert du == rec.deltas[f"d{l}"][0][u] and du == pytest.approx(f * sm, rel=1e-9)
    assert abs(round(f, 3) * round(sm, 3) - du) < 2e-3                  # what adds up by hand
    l, i, j, wb, wa = s.update_edge
    g = model.layout.view(rec.grad, f"W{l}")[i, j]
    assert wb == model.layout.view(rec.theta, f"W{l}")[i, j]
    assert wa == pytest.approx(wb - rec.lr * g, abs=1e-12)


def test_architecture_neuron_numbers_are_the_records(tmp_path):
    """The one neuron's numbers: its two largest terms wᵢxᵢ for the recorded digit, z and tanh(z)."""
    s = build("network_architecture", "NetworkArchitecture", tmp_path)
    rec = E.load("network_forward")["pass"]
    model = rec.model()
    W1, _ = model.weights(rec.theta, 1)
    x = rec.activation(0)
    j, z, a = s.neuron_numbers
    t = np.abs(W1[:, j] * x)
    assert [i for i, *_ in s.terms] == list(np.argsort(-t, kind="stable")[:2])
    assert all(w == W1[i, j] and xi == x[i] for i, w, xi in s.terms)
    assert z == rec.pre["z1"][0][j] and a == rec.activation(1)[j] and a == pytest.approx(np.tanh(z))


def test_dropout_verdict_explains_the_test_loss_gap():
    """The closing reason for the plain net's high test loss: the counts of its test mistakes, of the
    sure ones (P(wrong class) >= 99 %), and their share of the recorded final test loss, recomputed
    per point from the final weights; the plain net has more sure mistakes than the dropout net and
    they make most of its test loss."""
    from nnviz.experiments.networks import dropout_summary
    from nnviz.render.runner import load_scene_class

    cls = load_scene_class(SCENES / "network_dropout.py", "Dropout")
    recs = E.load("network_dropout")
    words = cls.verdicts(recs, dropout_summary(recs))
    counts = {}
    for tag in ("plain", "dropout"):
        run, bd = recs[f"run_{tag}"], recs[f"boundary_{tag}"]
        model = model_from(run.config["problem"]["model"])
        losses, wrong, sure = [], 0, 0
        for x, y in zip(bd.X_test, bd.labels_test):
            p1 = float(model.predict(run.thetas[-1], x[None])[0, 0])
            pt = p1 if y else 1 - p1
            losses.append(-np.log(max(pt, 1e-300)))
            wrong += pt < 0.5
            sure += pt <= 0.01
        assert np.mean(losses) == pytest.approx(run.test_loss[-1], rel=1e-6)   # the recorded final test loss
        hit = [l for l in losses if l >= -np.log(0.01)]
        counts[tag] = (wrong, sure, sum(hit) / sum(losses), float(np.mean(hit)))
    assert counts["plain"][1] > counts["dropout"][1] and counts["plain"][2] > 0.5
    n, k = len(recs["boundary_plain"].X_test), counts["plain"][1]
    assert words["sure"] == "wrong yet ≥ 99% sure (ring colour: the true class):"
    seeds = recs["seeds"].columns                  # the same contrast with other training seeds (record)
    assert seeds["plain_sure"].min() > 3 * seeds["dropout_sure"].max() and recs["seeds"].meta["sure"] == 0.99
    assert words["count"] == (f"{k} without dropout, {counts['dropout'][1]} with ({len(seeds['seed'])} other seeds: "
                              f"{seeds['plain_sure'].min()}–{seeds['plain_sure'].max()} vs "
                              f"{seeds['dropout_sure'].min()}–{seeds['dropout_sure'].max()})")
    # the sum adds up on screen: count × mean cost (as written) / test points = the sure part of the loss
    mean = counts["plain"][3]
    part = k * mean / n
    assert words["sum"] == f"each costs ≥ 4.6, on average {mean:.1f}: {k} × {mean:.1f} / {n} = {k * round(mean, 1) / n:.2f}"
    assert f"{k * round(mean, 1) / n:.2f}" == f"{part:.2f}" and mean >= -np.log(0.01)
    assert part / recs["run_plain"].test_loss[-1] == pytest.approx(counts["plain"][2], rel=1e-6)
    assert words["share"] == f"= {counts['plain'][2]:.0%} of the plain net's {recs['run_plain'].test_loss[-1]:.2f}"
