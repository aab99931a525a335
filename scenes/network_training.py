"""Training with a live decision boundary: the diagram's weights evolve over the recorded
run beside the input plane, whose heatmap is the network's P(class 1) at that step; the
loss curve grows and the first hidden layer's features are shown as small maps.

Records: experiments "network_training_{xor,moons,spirals}" (nnviz/experiments/networks.py).
Variants: TrainingXOR (default), TrainingMoons, TrainingSpirals.
"""
from manim import DOWN, LEFT, FadeIn, ValueTracker, VGroup, linear

from nnviz import experiments, theme
from nnviz.experiments.networks import model_from
from nnviz.render.network import NetworkDiagram
from nnviz.render.planes import DecisionPlane, FeatureTiles, frame_index
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedScene, heading, label
from nnviz.render.widgets import Readout, StepCounter


class TrainingXOR(ThemedScene):
    experiment = "network_training_xor"
    title = "Training on XOR"
    run_time = 8.0

    def construct(self):
        recs = experiments.load(self.experiment)
        run, bd = recs["run"], recs["boundary"]
        model = model_from(run.config["problem"]["model"])
        total = int(run.steps[-1])
        tracker = ValueTracker(0)

        title = heading(self.title, size=34)
        sizes = "-".join(map(str, model.sizes))
        opt = run.config["optimizer"]["name"]
        sub = label(f"{sizes} network · {opt} η = {run.lr[0]:g} · full batch · "
                    f"{len(bd.X)} points").next_to(title, DOWN, buff=0.15)

        d = NetworkDiagram.from_model(model, run.thetas[-1], width=3.6, height=3.0, radius=0.14,
                                      input_labels=["x₁", "x₂"], label_size=20)
        d.set_weights(run.thetas[0]).move_to([-4.6, 0.5, 0])
        plane = DecisionPlane(bd.xs, bd.ys, bd.X, bd.labels, size=4.4, prob=bd.prob[0]).move_to([0.2, -0.45, 0])
        pcap = label("input plane: colour = P(class), dark = boundary").next_to(plane, DOWN, buff=0.12)

        tiles = None
        if "h1" in bd.hidden:
            tiles = FeatureTiles(bd.hidden["h1"][0], d.shown[1], side=0.5).next_to(d, DOWN, buff=0.5)
            tcap = VGroup(*[label(s, size=18) for s in ("hidden layer 1:", "each unit's response", "over the plane")])
            tcap.arrange(DOWN, aligned_edge=LEFT, buff=0.08).next_to(tiles, DOWN, buff=0.12).align_to(d, LEFT)

        loss = LossPlot({"train loss": run.loss}, colors={"train loss": theme.ACTIVE}, width=3.0, height=2.4,
                        legend=False, tracker=tracker, x_label="step", y_label="loss").move_to([4.9, 0.3, 0])
        counter = StepCounter(tracker, total=total, size=22).next_to(loss, DOWN, buff=0.35).align_to(loss, LEFT)
        acc = Readout(tracker, lambda s: f"train accuracy {run.train_acc[frame_index(run.eval_steps, s)]:.1%}",
                      size=22).next_to(counter, DOWN, buff=0.15).align_to(counter, LEFT)

        def follow(_m):
            d.set_weights(run.thetas[frame_index(bd.steps, tracker.get_value())])

        self.add(plane.image)  # ImageMobjects are added, not faded (see render/network.py)
        if tiles is not None:
            self.add(tiles.image)
        self.play(FadeIn(title), FadeIn(sub), FadeIn(d), FadeIn(plane.frame), FadeIn(plane.dots),
                  FadeIn(pcap), FadeIn(loss), FadeIn(counter), FadeIn(acc),
                  *([FadeIn(tiles.frames), FadeIn(tcap)] if tiles is not None else []),
                  run_time=1.0)
        d.add_updater(follow)
        plane.follow(tracker, bd.prob, bd.steps)
        if tiles is not None:
            tiles.follow(tracker, bd.hidden["h1"], bd.steps)
        self.play(tracker.animate.set_value(total), run_time=self.run_time, rate_func=linear)
        d.remove_updater(follow)
        plane.unfollow()
        if tiles is not None:
            tiles.unfollow()
        self.wait(1.0)
        self.diagram, self.plane, self.tracker, self.tiles = d, plane, tracker, tiles  # for tests


class TrainingMoons(TrainingXOR):
    experiment = "network_training_moons"
    title = "Training on two moons"


class TrainingSpirals(TrainingXOR):
    experiment = "network_training_spirals"
    title = "Training on spirals"
    run_time = 10.0
