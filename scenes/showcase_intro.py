"""Title card of the showcase: what nnviz is, in one picture.

Compute once (NumPy experiments) → records on disk → draw many times (Manim
scenes, matplotlib figures), with the gradient-descent update every scene is about
and a small loss curve growing on a log axis.

    manim -ql scenes/showcase_intro.py ShowcaseIntro
    nnviz render scenes/showcase_intro.py -ql --format gif
"""
import manim as mn
import numpy as np

from nnviz import theme
from nnviz.render.mathtex import math
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedScene, color, label, text
from nnviz.render.widgets import StepCounter


class ShowcaseIntro(ThemedScene):
    title = "nnviz"
    tagline = "train small networks in NumPy · record everything · animate how they learn"
    steps = 60
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

        # an illustrative curve (two made-up optimizers, no training here: scenes never train)
        s = np.arange(self.steps + 1)
        series = {"sgd": 2.0 * 0.95 ** s + 0.02, "adam": 2.0 * 0.88 ** s + 0.005}
        t = mn.ValueTracker(0)
        plot = LossPlot(series, colors={k: color("optimizer", k) for k in series}, log_y=True,
                        width=3.6, height=1.9, tracker=t)
        plot.to_corner(mn.DL, buff=0.5)
        counter = StepCounter(t, total=self.steps, size=22).next_to(plot.axes.axes, mn.UP, buff=0.15)
        rule = math("theta_(t+1) = theta_t - eta nabla L(theta_t)", size=40).to_corner(mn.DR, buff=0.9)
        rule_cap = label("one rule, many pictures", size=20).next_to(rule, mn.DOWN, buff=0.2)

        self.play(mn.FadeIn(title, shift=0.3 * mn.DOWN), mn.FadeIn(tag), run_time=0.8)
        self.play(mn.LaggedStart(*(mn.FadeIn(b) for b in boxes), lag_ratio=0.4),
                  mn.LaggedStart(*(mn.GrowArrow(a) for a in arrows), lag_ratio=0.5), run_time=1.2)
        self.add(plot, counter)
        self.play(mn.Write(rule), mn.FadeIn(rule_cap),
                  t.animate(run_time=self.run_time, rate_func=mn.linear).set_value(self.steps))
        self.wait(0.5)
