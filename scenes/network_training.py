"""Training with a live decision boundary: the network's weights evolve over the recorded run
beside the input plane, whose heatmap is the network's P(class 1) at that step; the loss curve
grows, and each shown first-layer neuron is drawn as its own feature map (what it outputs over
the plane, TensorFlow-Playground style), large enough to read.

Time follows visible change (nnviz/render/pacing.py): video time is spent where the boundary
moves, and the paced part stops when the boundary stops changing (the rest is a short, captioned
fast-forward). The first frame is the untrained network's boundary, captioned; motion starts
within a second. One status line under the plane follows the step (no cross-fading texts).

Records: experiments "network_training_{xor,moons,spirals}" (nnviz/experiments/networks.py).
Variants: TrainingXOR (default), TrainingMoons, TrainingSpirals.
"""
import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Square, ValueTracker, VGroup, linear

from nnviz import experiments, theme
from nnviz.display import input_names, sizes_text
from nnviz.experiments.networks import model_from
from nnviz.render.network import NetworkDiagram
from nnviz.render.pacing import TimeWarp, combine
from nnviz.render.planes import (DecisionPlane, FeatureTiles, colour_progress, flip_progress, frame_index,
                                 learning_progress)
from nnviz.render.plots import LossPlot
from nnviz.render.fades import fade_in, fade_out
from nnviz.render.style import ThemedScene, heading, label, text
from nnviz.render.widgets import Readout


class TrainingXOR(ThemedScene):
    experiment = "network_training_xor"
    title = "Training on XOR"
    run_time = 6.0          # seconds while the boundary changes
    tail_time = 0.8         # then the rest of the run, fast-forwarded
    hold = 0.6              # the untrained first frame, before motion starts
    tile = 0.95             # side of a first-layer neuron's feature map
    slots = 5               # hidden units drawn per layer (wider layers: first and last around a "⋮")
    column = 4.2            # height between the centres of the top and bottom hidden slots
    why = "each square is a straight edge; the output weighs and adds them"
    why_deep = "layer 1 draws straight edges; layer 2 bends them into the boundary's shape"
    pace_by = "boundary"    # video time follows the boundary's change ("learning": accuracy and log-loss)
    clock = "log"
    bending = "training: the boundary bends to fit the points"
    swinging = None         # status while accuracy is still near chance (None: no such phase)

    @classmethod
    def visible_end(cls, bd) -> float:
        """The step after which less than 1 % of the boundary's change (cell flips and colour) remains."""
        return combine([flip_progress(bd.steps, bd.prob), colour_progress(bd.steps, bd.prob)]).visible_end(1e-2)

    @classmethod
    def progress(cls, run, bd):
        """The progress measure video time follows, up to the boundary's visible end: the boundary's
        change (grid cells changing class and the heatmap's colour, equally weighted), or with
        pace_by = "learning" what the student reads as learning (accuracy and log-loss)."""
        end = cls.visible_end(bd)
        if cls.pace_by == "learning":
            return learning_progress(run, end)
        p = combine([flip_progress(bd.steps, bd.prob), colour_progress(bd.steps, bd.prob)])
        return type(p)(p.steps[p.steps <= end], p.value[p.steps <= end])

    @classmethod
    def warp(cls, bd, run=None) -> TimeWarp:
        """Video time ↦ training step while the picture changes, ending at the boundary's visible end
        (not the run's last step)."""
        run = run if run is not None else experiments.load(cls.experiment)["run"]
        w = TimeWarp.from_progress(cls.progress(run, bd), cls.run_time, floor=0.15, clock=cls.clock, tol=0.0)
        return TimeWarp(w.times, w.steps)

    @classmethod
    def step_at_time(cls, run, bd):
        """The scene's whole step-at-time mapping (paced part, then the fast-forwarded tail):
        (times, steps) arrays, what the pacing test measures."""
        return cls.warp(bd, run).with_tail(cls.tail_time, run.steps[-1])

    @classmethod
    def status(cls, run, bd, warp, step: float) -> str:
        """The one status line under the plane at a training step (what the video says then)."""
        total = int(run.steps[-1])
        if step <= 0:
            return "step 0: random weights, so a random boundary"
        if step < warp.end_step:
            acc = run.train_acc[frame_index(run.eval_steps, step)]
            return cls.swinging if cls.swinging and acc < 0.6 else cls.bending
        if step < total:
            return f"steps {int(warp.end_step)}–{total}: only confidence grows (fast-forward)"
        k = frame_index(run.eval_steps, total)
        return f"step {total}: loss {run.loss[-1]:.2g}, {run.train_acc[k]:.0%} of the points right"

    @staticmethod
    def key(what: str, hi: str, lo: str, hi_color, lo_color) -> VGroup:
        """A one-line colour key: "<what>: ■ hi  ■ lo" with swatches in the two colours."""
        def swatch(c):
            return Square(side_length=0.26, stroke_width=1.5, stroke_color=theme.FOREGROUND).set_fill(c, 1.0)
        return VGroup(text(f"{what}:", size=24), swatch(hi_color), text(hi, size=24), swatch(lo_color),
                      text(lo, size=24)).arrange(RIGHT, buff=0.12)

    def construct(self):
        recs = experiments.load(self.experiment)
        run, bd = recs["run"], recs["boundary"]
        model = model_from(run.config["problem"]["model"])
        total = int(run.steps[-1])
        tracker = ValueTracker(0)
        warp = self.warp(bd, run)

        title = heading(self.title, size=34, buff=0.3)
        acts = sorted({model.activation(l).name for l in range(1, model.n_layers)})
        sub = label(f"{sizes_text(model.sizes)} {'/'.join(acts)} network · {run.config['optimizer']['name']} "
                    f"η = {run.lr[0]:g} · {len(bd.X)} points", size=24).next_to(title, DOWN, buff=0.12)

        hidden = "h1" in bd.hidden
        slots = [2] + [self.slots] * (len(model.sizes) - 2) + [model.sizes[-1]]
        d = NetworkDiagram.from_model(model, run.thetas[0], width=3.4, height=self.column, radius=0.2,
                                      max_neurons=slots, input_labels=input_names(model.sizes[0]),
                                      label_size=26, strong_per_neuron=2, activations=None)
        d.move_to([-4.65, -0.2, 0])
        tiles = []                               # each hidden layer's shown neurons drawn as their maps
        for l, name in enumerate(sorted(bd.hidden), start=1):
            for c in d.layers[l]:
                c.set_stroke(opacity=0.0)        # the tile is the neuron
            tiles.append(FeatureTiles.on_layer(bd.hidden[name][0], d, l, side=self.tile))
        names = VGroup()                         # "layer 1" "layer 2" over their columns, spread apart
        if len(tiles) > 1:
            for l, t in enumerate(tiles, start=1):
                n = text(f"layer {l}", size=24).move_to([d.layers[l][0].get_x(), t.top + 0.22, 0])
                if l == 1:
                    n.align_to(np.array([d.layers[l][0].get_x() + t.side / 2, 0, 0]), RIGHT)
                elif l == len(tiles):
                    n.align_to(np.array([d.layers[l][0].get_x() - t.side / 2, 0, 0]), LEFT)
                names.add(n)
        width, drawn = model.sizes[1], len(d.shown[1])
        first = (f"squares: {drawn} of {width} per layer" if drawn < width else f"squares: the {width} neurons")
        tcap = VGroup(text(first, size=24), self.key("outputs, edge w", "> 0", "< 0", theme.POSITIVE, theme.NEGATIVE))
        tcap.arrange(DOWN, aligned_edge=LEFT, buff=0.08).to_edge(DOWN, buff=0.25).to_edge(LEFT, buff=0.3)
        if not tiles:
            tcap = VGroup()

        plane = DecisionPlane(bd.xs, bd.ys, bd.X, bd.labels, size=4.4, dot_radius=0.065,
                              prob=bd.prob[0]).move_to([-0.3, -0.3, 0])
        pcap = self.key("predicted class", "1", "0", theme.CLASS[1], theme.CLASS[0]).next_to(plane, UP, buff=0.12)
        state = Readout(tracker, lambda s: self.status(run, bd, warp, s), size=24, color=theme.ACTIVE)
        state.next_to(plane, DOWN, buff=0.18).align_to(plane, LEFT)

        loss = LossPlot({"train loss": run.loss}, colors={"train loss": theme.SPLIT["train"]}, width=3.0,
                        height=2.4, legend=False, tracker=tracker, x_label="step", y_label="loss", log_y=True,
                        x_ticks=2, y_ticks=3)
        loss.next_to(plane, RIGHT, buff=0.3).align_to(pcap, UP)
        if loss.get_right()[0] > 6.8:            # the current-point marker hangs past the axes' end
            loss.shift(LEFT * (loss.get_right()[0] - 6.8))
        shown = lambda s: int(bd.steps[frame_index(bd.steps, s)])   # the recorded frame on screen
        counter = Readout(tracker, lambda s: f"step {shown(s)} / {total}", size=26)
        counter.next_to(loss, DOWN, buff=0.4).align_to(loss.axes.axes, LEFT)
        acc = Readout(tracker, lambda s: f"accuracy {run.train_acc[frame_index(run.eval_steps, shown(s))]:.0%}",
                      size=26).next_to(counter, DOWN, buff=0.2).align_to(counter, LEFT)

        def follow(_m):     # the weights of the step whose boundary is on screen
            d.set_weights(run.thetas[frame_index(run.steps, shown(tracker.get_value()))])

        # the first frame is already the picture: untrained boundary, captioned
        self.add(plane.image, d, *tiles, names)
        self.add(title, sub, plane.frame, plane.dots, pcap, tcap, loss, counter, acc, state)
        self.wait(self.hold)
        self.pause("training")
        d.add_updater(follow)
        plane.follow(tracker, bd.prob, bd.steps)
        for t, name in zip(tiles, sorted(bd.hidden)):
            t.follow(tracker, bd.hidden[name], bd.steps)
        tracker.set_value(warp.first_step)
        self.play(warp.animate(tracker))
        if warp.end_step < total:   # the boundary has stopped changing: say so, and show the rest quickly
            self.play(tracker.animate(run_time=self.tail_time, rate_func=linear).set_value(total))
        d.remove_updater(follow)
        plane.unfollow()
        for t in tiles:
            t.unfollow()
        self.wait(0.5)
        if tiles:                  # why it works, once the picture has settled (the config line makes room)
            why = text(self.why if len(tiles) == 1 else self.why_deep, size=24).move_to(sub)
            self.play(fade_out(sub), run_time=0.3)
            self.play(fade_in(why), run_time=0.4)
        self.wait(1.6)
        self.diagram, self.plane, self.tracker, self.tiles, self.warp_used = d, plane, tracker, tiles, warp  # for tests
        self.state = state


class TrainingMoons(TrainingXOR):
    experiment = "network_training_moons"
    title = "Training on two moons"
    tile = 0.8              # four layers across: narrower tiles


class TrainingSpirals(TrainingXOR):
    """Paced by learning: its first ~25 steps sweep a straight line across the whole plane (thousands
    of cells flip per frame) while accuracy stays near 50 %; counting cells would spend half the video
    there and an eighth on the winding into the arms."""
    experiment = "network_training_spirals"
    title = "Training on spirals"
    tile = 0.8
    run_time = 8.0
    pace_by = "learning"
    clock = "linear"
    swinging = "training: a straight boundary swings; about half right"
    bending = "training: the boundary winds into the spiral arms"
