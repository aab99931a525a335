"""Title card of the showcase: what nnviz is, in one picture.

Compute once (NumPy experiments) → records on disk → draw many times (Manim
scenes, matplotlib figures), with the gradient-descent update every scene is about
and a small loss curve growing on a log axis — a real one, read from a record (the spirals
network's training run), like everything else nnviz draws. The first frame is already the
whole card (it is the GIF's poster).

    manim -ql scenes/showcase_intro.py ShowcaseIntro
    nnviz render scenes/showcase_intro.py -ql --format gif
"""
import manim as mn

from nnviz import experiments, theme
from nnviz.display import sizes_text
from nnviz.experiments.networks import model_from
from nnviz.render.mathtex import math
from nnviz.render.pacing import TimeWarp, loss_progress
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedScene, color, label, text
from nnviz.render.widgets import StepCounter


class ShowcaseIntro(ThemedScene):
    title = "nnviz"
    tagline = "train small networks in NumPy · record everything · animate how they learn"
    experiment = "network_training_spirals"
    run_time = 2.5

    def construct(self):
        title = text(self.title, size=72, weight=mn.BOLD).to_edge(mn.UP, buff=0.6)
        tag = label(self.tagline, size=24).next_to(title, mn.DOWN, buff=0.2)

        boxes = mn.VGroup()
        for name, sub, col in (("experiments", "seeded NumPy", theme.VARIANT["batch"]),
                               ("records", ".npz + .json", theme.VARIANT["minibatch"]),
                               ("scenes · figures", "Manim · matplotlib", theme.VARIANT["stochastic"])):
            box = mn.RoundedRectangle(width=3.1, height=1.1, corner_radius=0.15, color=col, stroke_width=3)
            words = mn.VGroup(text(name, size=26), label(sub, size=18)).arrange(mn.DOWN, buff=0.08)
            boxes.add(mn.VGroup(box, words.move_to(box)))
        boxes.arrange(mn.RIGHT, buff=0.9).shift(0.8 * mn.UP)  # room for the step counter above the plot
        arrows = mn.VGroup(*(mn.Arrow(a.get_right(), b.get_left(), buff=0.1, color=theme.MUTED, stroke_width=4)
                             for a, b in zip(boxes[:-1], boxes[1:])))

        # a real curve: the loss of a recorded training run (scenes never train)
        run = experiments.load(self.experiment)["run"]
        opt = run.config["optimizer"]["name"]
        total = int(run.n_steps)
        t = mn.ValueTracker(0)
        plot = LossPlot({opt: run.loss}, colors={opt: color("optimizer", opt)}, log_y=True,
                        width=3.6, height=1.9, tracker=t, legend=False, x_ticks=3)
        plot.to_corner(mn.DL, buff=0.5)
        counter = StepCounter(t, total=total, size=22).next_to(plot.axes.axes, mn.UP, buff=0.15)
        model = model_from(run.config["problem"]["model"])
        src = label(f"a recorded run: {sizes_text(model.sizes)} net on spirals, {opt}", size=18)
        src.next_to(plot, mn.DOWN, buff=0.1).align_to(plot, mn.LEFT)
        rule = math("theta_(t+1) = theta_t - eta nabla L(theta_t)", size=40).to_corner(mn.DR, buff=0.9)
        rule_cap = label("one rule, many pictures", size=20).next_to(rule, mn.DOWN, buff=0.2)

        # the first frame is the whole card (the GIF's poster); then the recorded curve grows
        self.add(title, tag, boxes, arrows, rule, rule_cap, plot, counter, src)
        self.wait(0.8)
        warp = TimeWarp.from_progress(loss_progress(run.loss), self.run_time, floor=0.15, clock="log",
                                      last_step=total)
        self.play(warp.animate(t))
        self.wait(0.8)
