"""Training with a live decision boundary: the network's weights evolve over the recorded run
beside the input plane, whose heatmap is the network's P(class 1) at that step; the loss curve
grows, and each first-layer neuron is drawn as its own feature map (what it responds to over the
plane, TensorFlow-Playground style).

Time follows visible change (nnviz/render/pacing.py): video time is spent where the boundary
moves and the log-loss falls, and the animation stops when the boundary stops changing. The first
frame is the untrained network's boundary, captioned.

Records: experiments "network_training_{xor,moons,spirals}" (nnviz/experiments/networks.py).
Variants: TrainingXOR (default), TrainingMoons, TrainingSpirals.
"""
from manim import DOWN, LEFT, ValueTracker, VGroup, linear

from nnviz import experiments, theme
from nnviz.render.fades import fade_in, fade_out
from nnviz.display import input_names, sizes_text
from nnviz.experiments.networks import model_from
from nnviz.render.network import NetworkDiagram
from nnviz.render.pacing import TimeWarp
from nnviz.render.planes import DecisionPlane, FeatureTiles, flip_progress, frame_index
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedScene, heading, label, text
from nnviz.render.widgets import Readout, StepCounter


class TrainingXOR(ThemedScene):
    experiment = "network_training_xor"
    title = "Training on XOR"
    run_time = 6.0          # seconds while the boundary changes
    tail_time = 0.8         # then the rest of the run, fast-forwarded
    tile = 0.42             # side of a first-layer neuron's feature map

    @classmethod
    def warp(cls, bd) -> TimeWarp:
        """Video time ↦ training step while the boundary changes (grid cells changing class),
        ending where less than 1 % of that change remains."""
        w = TimeWarp.from_progress(flip_progress(bd.steps, bd.prob), cls.run_time, floor=0.15,
                                   clock="log", tol=1e-2)
        return TimeWarp(w.times, w.steps)            # ends on the visible end, not the run's last step

    @classmethod
    def step_at_time(cls, run, bd):
        """The scene's whole step-at-time mapping (paced part, then the fast-forwarded tail):
        (times, steps) arrays, what the pacing test measures."""
        import numpy as np

        w = cls.warp(bd)
        t = np.linspace(0, w.run_time, 400)
        tail_t = w.run_time + np.linspace(0, cls.tail_time, 40)[1:]
        tail_s = w.end_step + (float(run.steps[-1]) - w.end_step) * np.linspace(0, 1, 40)[1:]
        return np.concatenate([t, tail_t]), np.concatenate([w.step_at(t), tail_s])

    def construct(self):
        recs = experiments.load(self.experiment)
        run, bd = recs["run"], recs["boundary"]
        model = model_from(run.config["problem"]["model"])
        total = int(run.steps[-1])
        tracker = ValueTracker(0)
        warp = self.warp(bd)

        title = heading(self.title, size=34)
        sub = label(f"{sizes_text(model.sizes)} network · {run.config['optimizer']['name']} η = {run.lr[0]:g}"
                    f" · full batch · {len(bd.X)} points", size=20).next_to(title, DOWN, buff=0.12)

        hidden = "h1" in bd.hidden
        d = NetworkDiagram.from_model(model, run.thetas[0], width=3.3, height=4.0, radius=self.tile / 2,
                                      max_neurons=8, input_labels=input_names(model.sizes[0]), label_size=22,
                                      strong_per_neuron=3)
        d.move_to([-4.85, -0.05, 0])
        tiles = None
        if hidden:
            for c in d.layers[1]:
                c.set_stroke(opacity=0.0)        # the tile is the neuron
            tiles = FeatureTiles.on_layer(bd.hidden["h1"][0], d, 1)
        plane = DecisionPlane(bd.xs, bd.ys, bd.X, bd.labels, size=4.4, dot_radius=0.06,
                              prob=bd.prob[0]).move_to([0.55, -0.3, 0])
        pcap = label("colour: the class the network predicts there", size=18).next_to(plane, DOWN, buff=0.1)
        tcap = VGroup(*[label(t, size=18) for t in ("squares: first-layer neurons,", "each drawn as its response",
                                                    "over the plane (blue > 0, red < 0)")])
        tcap.arrange(DOWN, aligned_edge=LEFT, buff=0.06).next_to(d, DOWN, buff=0.12).align_to(d, LEFT)
        if not hidden:
            tcap = VGroup()

        loss = LossPlot({"train loss": run.loss}, colors={"train loss": theme.SPLIT["train"]}, width=3.0, height=2.3,
                        legend=False, tracker=tracker, x_label="step", y_label="loss", log_y=True,
                        x_ticks=3).move_to([5.05, 0.55, 0])
        counter = StepCounter(tracker, total=total, size=22).next_to(loss, DOWN, buff=0.35).align_to(loss, LEFT)
        acc = Readout(tracker, lambda s: f"train accuracy {run.train_acc[frame_index(run.eval_steps, s)]:.0%}",
                      size=22).next_to(counter, DOWN, buff=0.15).align_to(counter, LEFT)
        state = text("step 0: untrained, random weights", size=22, color=theme.ACTIVE)
        state.next_to(pcap, DOWN, buff=0.12).align_to(plane, LEFT)

        def follow(_m):
            d.set_weights(run.thetas[frame_index(bd.steps, tracker.get_value())])

        # the first frame is already the picture: untrained boundary, captioned
        self.add(plane.image)
        if tiles is not None:
            self.add(d, tiles)
        else:
            self.add(d)
        self.add(title, sub, plane.frame, plane.dots, pcap, tcap, loss, counter, acc, state)
        self.wait(1.2)
        self.pause("training")
        training = text("training: the boundary bends as the loss falls", size=22, color=theme.ACTIVE)
        training.move_to(state).align_to(plane, LEFT)
        self.play(fade_out(state), run_time=0.2)
        self.play(fade_in(training), run_time=0.2)
        d.add_updater(follow)
        plane.follow(tracker, bd.prob, bd.steps)
        if tiles is not None:
            tiles.follow(tracker, bd.hidden["h1"], bd.steps)
        tracker.set_value(warp.first_step)
        self.play(warp.animate(tracker))
        if warp.end_step < total:   # the boundary has stopped changing: say so, and show the rest quickly
            ff = text(f"steps {int(warp.end_step)}–{total}: the boundary barely changes (fast-forward)",
                      size=20, color=theme.MUTED).move_to(state).align_to(plane, LEFT)
            self.play(fade_out(training), run_time=0.15)
            self.play(fade_in(ff), run_time=0.15)
            self.play(tracker.animate(run_time=self.tail_time, rate_func=linear).set_value(total))
            training = ff
        d.remove_updater(follow)
        plane.unfollow()
        if tiles is not None:
            tiles.unfollow()
        k = frame_index(run.eval_steps, total)
        done = text(f"step {total}: loss {run.loss[-1]:.2g}, {run.train_acc[k]:.0%} of points right",
                    size=22, color=theme.ACTIVE).move_to(state).align_to(plane, LEFT)
        self.play(fade_out(training), run_time=0.2)
        self.play(fade_in(done), run_time=0.3)
        self.wait(1.2)
        self.diagram, self.plane, self.tracker, self.tiles, self.warp_used = d, plane, tracker, tiles, warp  # for tests


class TrainingMoons(TrainingXOR):
    experiment = "network_training_moons"
    title = "Training on two moons"


class TrainingSpirals(TrainingXOR):
    experiment = "network_training_spirals"
    title = "Training on spirals"
    run_time = 8.0
