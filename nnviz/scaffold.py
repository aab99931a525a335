"""`nnviz init DIR`: a project folder of your own, outside this repository, that builds as it is.

    DIR/renders.toml      targets + [settings] modules (your experiment and figure files)
    DIR/my_experiments.py one @experiment: SGD vs Adam on the Rosenbrock valley (seeded, cached)
    DIR/my_scene.py       one scene reading those records only (with slide breaks)
    DIR/my_figures.py     its still twin
    DIR/README.md         what to run and what to change

Records are cached next to renders.toml (DIR/renders/.cache/records); outputs go to DIR/renders/.
"""
from __future__ import annotations

from pathlib import Path

from .errors import NNVizError

FILES = {
    "renders.toml": '''# nnviz project: `nnviz build` renders every target below into renders/ (only what changed).
#   nnviz list            what is here          nnviz train my_race    compute (or reuse) the records
#   nnviz build           videos + stills       nnviz slides my_race   an HTML deck + PDF handout
[settings]
modules = ["my_experiments.py", "my_figures.py"]   # files registering @experiment / @figure
quality = "low"                                    # low | medium | high (854x480 … 1920x1080)
# theme = "light"                                  # dark (default for videos) | light (projectors, print)

[targets.my_race]
scene = "my_scene.py"
class = "MyRace"
formats = ["mp4", "webm", "png"]                   # + "gif"; png = the poster
poster = "auto"                                    # or "last", "2.5s", "40%"

[figures.my_race_still]
figure = "my_race"
formats = ["png", "svg"]
''',
    "my_experiments.py": '''"""Experiments: named, seeded configs that compute records once. Every hyperparameter lives in
the decorator; change one and `nnviz build` recomputes the records, then re-renders what reads them."""
import numpy as np

from nnviz import objectives, optim, train
from nnviz.experiments import experiment


@experiment("my_race", description="SGD vs Adam in the Rosenbrock valley",
            lr_sgd=0.001, lr_adam=0.1, steps=300, start=[-1.2, 1.0], seed=0)
def my_race(cfg):
    problem = objectives.ObjectiveProblem(objectives.rosenbrock())
    start = np.array(cfg["start"], dtype=float)
    return {
        "sgd": train.train(problem, optim.sgd(cfg["lr_sgd"]), start, steps=cfg["steps"], seed=cfg["seed"],
                           name="sgd"),
        "adam": train.train(problem, optim.adam(cfg["lr_adam"]), start, steps=cfg["steps"], seed=cfg["seed"],
                            name="adam"),
    }
''',
    "my_scene.py": '''"""A thin scene: load records, build mobjects from the kit, play. Everything shown comes from the
records (names, learning rates, paths, losses). `nnviz build` renders it; so does plain manim:
`manim -ql my_scene.py MyRace`."""
import manim as mn
import numpy as np

import my_experiments  # noqa: F401  (registers "my_race" when run with plain manim)
from nnviz import experiments
from nnviz.render import DescentPath, LabelledAxes, LossPlot, ThemedScene, color, heading, label


class MyRace(ThemedScene):
    experiment = "my_race"
    run_time = 5.0          # variants: subclasses (or --set run_time=8) change class attributes

    def construct(self):
        runs = experiments.load(self.experiment)
        names = [f"{n} (η = {r.lr[0]:g})" for n, r in runs.items()]
        objective = next(iter(runs.values())).config["problem"]["name"]
        title = heading(" vs ".join(names))
        sub = label(f"{objective}: where each optimizer goes, and its loss").next_to(title, mn.DOWN, buff=0.15)
        pts = np.concatenate([r.thetas for r in runs.values()])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = 0.1 * (hi - lo) + 1e-3
        plane = LabelledAxes((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]), "θ₁", "θ₂",
                             width=5.0, height=4.0)
        step = mn.ValueTracker(0)
        paths = [DescentPath(r.thetas, axes=plane, steps=r.steps, color=color("optimizer", n), tracker=step)
                 for n, r in runs.items()]
        plot = LossPlot({n: r.loss for n, r in runs.items()}, colors={n: color("optimizer", n) for n in runs},
                        log_y=True, width=5.0, height=3.4, tracker=step)
        mn.VGroup(mn.VGroup(plane, *paths), plot).arrange(mn.RIGHT, buff=0.8).next_to(sub, mn.DOWN, buff=0.4)
        for p in paths:
            p.reset()
        plot.reset()
        self.play(mn.FadeIn(title), mn.FadeIn(sub), mn.FadeIn(plane), mn.FadeIn(plot), *map(mn.FadeIn, paths))
        self.pause("race")
        last = max(r.n_steps for r in runs.values())
        self.play(step.animate.set_value(last), run_time=self.run_time, rate_func=mn.linear)
        self.pause("result")
        self.wait(1.5)
''',
    "my_figures.py": '''"""A still twin of the scene (png / svg / pdf), drawn from the same records."""
from nnviz import experiments
from nnviz.figures import figure
from nnviz.figures.common import color_of


@figure("my_race", experiments=("my_race",))
def my_race(fig):
    runs = experiments.load("my_race")
    paths, losses = fig.subplots(1, 2)
    for name, run in runs.items():
        paths.plot(run.thetas[:, 0], run.thetas[:, 1], color=color_of(name), lw=1.5, label=name)
        losses.semilogy(run.loss, color=color_of(name), label=name)
    paths.set_xlabel("θ₁")
    paths.set_ylabel("θ₂")
    losses.set_xlabel("step")
    losses.set_ylabel("loss")
    losses.legend()
    fig.tight_layout()
''',
    "README.md": '''# My nnviz project

```bash
nnviz build                 # records, then renders/my_race.mp4 .webm .png and renders/figures/my_race_still.png .svg
nnviz slides my_race        # renders/slides/my_race/index.html + handout.pdf
```

- Change a learning rate in `my_experiments.py`: the next `nnviz build` recomputes the records and
  re-renders the scene and the figure that read them; nothing else.
- Add a scene: a class in `my_scene.py` (or a new file) + a `[targets.NAME]` table in `renders.toml`.
- Records are cached in `renders/.cache/records/` here; `nnviz clean --records` drops them.
''',
}


def init(folder) -> list[Path]:
    """Write the scaffold into `folder` (created if missing); refuses to overwrite any file."""
    folder = Path(folder)
    clash = [n for n in FILES if (folder / n).exists()]
    if clash:
        raise NNVizError(f"{folder} already has {', '.join(clash)}; choose an empty or new folder")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in FILES.items():
        p = folder / name
        p.write_text(text)
        out.append(p)
    return out
