"""Everything that imports manim: the render kit for nnviz scenes.

Import in scenes as `from nnviz.render import *` (or name what you use). All
colours come from `nnviz.theme`; nothing here needs LaTeX.

Style (`style.py`)
    ThemedScene, ThemedThreeDScene      Scene bases painting the theme background (override construct;
                                        if you override setup call super().setup()).
    apply_theme(scene)                  same, for any Scene subclass (call in setup()).
    color("#hex") / color("optimizer"|"regime"|"variant", name) / color("class", i) -> ManimColor
    text(s, size=LABEL_SIZE, color=FOREGROUND, weight=NORMAL)   theme-font Text (cached layout)
    label(s, size=SMALL_SIZE, color=MUTED)                     small muted Text
    heading(s)                          bold title at the top edge
    BACKGROUND, FOREGROUND, MUTED, GRID, DIVERGING, LABEL_SIZE, TITLE_SIZE, SMALL_SIZE

Math (`mathtex.py`)
    math(expr, size=LABEL_SIZE, color=FOREGROUND, engine=None)  Typst syntax by default
        (e.g. math("theta_(t+1) = theta_t - eta nabla L(theta_t)")); engine="latex" or
        NNVIZ_MATH=latex uses MathTex and raises NNVizError with install hints if LaTeX is missing.
        Cost measured here: first Typst call in a process ≈ 0.2 s, then ≈ 0.03 s per new formula,
        repeats ≈ 4 ms (in-process cache + manim's SVG cache in config.tex_dir).

Plots (`plots.py`)
    LabelledAxes(x_range, y_range, x_label="", y_label="", log_y=False, width=6, height=4,
                 n_ticks=5, font_size, color, grid=False, frame="corner"|"box"|"origin")
        .axes (manim Axes), .bounds (2,2) in axis coords, .to_axes(data_pts) (log10 y),
        .to_scene(axis_pts)->(M,3), .c2p(x, y) (raises on non-finite).
    Legend(entries: dict name->colour | [(name, colour)], kind="line"|"dot"|"box", font_size)  .rows[name]
    LossCurve(axes, values, steps=None, color, stroke_width=3, tracker=None, head=True,
              diverged_at=-1, max_points=800)   grows with a step tracker; values under the floor are
              clamped, NaN/inf/above-top cut the curve with a "diverges" marker.
    LossPlot(series: dict name->values, colors=None, steps=None, log_y=False, x_label="step",
             y_label="loss", y_range=None, width=6, height=4, legend=True, tracker=None, diverged_at=None)
        .axes, .curves[name], .legend, .tracker, .reset(), .grow(run_time=3)
    nice_ticks(lo, hi, n), auto_y_range(values, log_y)

Time-driven widgets (`widgets.py`) — one convention: a ValueTracker holds the current *training
step*; share one tracker between mobjects to keep them in sync. Built fully drawn (tracker at the
last step); `.reset()` rewinds, `.grow(run_time=..)` returns the animation to the end, `.set_step(s)`.
    DescentPath(points (N,2)|(N,3), axes=None|LabelledAxes|Axes|ThreeDAxes, steps=None, color,
                stroke_width=3, tracker=None, diverged_at=-1, bounds=None, head=True,
                head_radius=0.07, start_marker=True, marker_text="diverges")
        .clipped (paths.Clipped), .tracker, .diverges, .last_step, .pin_labels(scene) (3-D: keep the
        label facing the camera). Non-finite / off-axes points are clipped before manim sees them;
        where the run leaves for good an arrow + "diverges" appears (arrow ≤ 22 % of the panel).
    Hazard (measured): manim 0.22 flattens the mobject family once per play(); an updater that adds
        or removes submobjects mid-animation leaves stale copies on screen. Kit widgets only rewrite
        points / opacity in place — do the same in your own updaters.
    PathTrace(clipped, to_scene, ...)  the growing polyline + head + marker used by both of the above.
    DivergenceMarker(point, direction=None, label="diverges")  arrow (or a cross if direction unknown).
    StepCounter(tracker, total=None, label="step", size, color)   "step 37 / 200"
    Readout(tracker, fmt: step -> str, size, color)               any text following the step.

Paths (`paths.py`, NumPy only)
    clip_path(points (N,d), bounds (d,2), steps=None) -> Clipped(segments=((pts, steps), ...), exit, n_points)
        Clipped.upto(step) -> pieces, .position(step) -> point | None, .exit: Exit(point, direction, step,
        reason "left"|"nonfinite") | None.

Pacing (`pacing.py`, NumPy only) — map video time to training progress, stop when nothing changes:
    path_progress(points, steps, bounds=None, scale=None) / loss_progress(loss, steps, log=True) -> Progress
    combine([progress, ...]) -> Progress (mean of each run's share);  Progress.fraction(steps), .visible_end(tol)
    TimeWarp.from_progress(progress, run_time, floor=0.15, clock="log", tol=2e-3)
        .step_at(t), .time_at(step) (its inverse), .rate_func, .animate(tracker) (play it),
        .first_step/.end_step/.last_step/.run_time
    measure_pacing(warp | (times, steps), progress) -> Pacing(first_half, slow_time).ok() / .problems()

Slides (`slides.py`)
    self.pause("label") in any ThemedScene / ThemedThreeDScene: a slide break at a natural pause; starts
        manim section "label" (`--save_sections`), and calls next_slide() under manim-slides' Slide.

Networks (`network.py`) and surfaces (`surface.py`)
    NetworkDiagram, ProbabilityBars (network); DecisionPlane, FeatureTiles, frame_index, boundary_rgba,
    signed_rgba (planes); PerceptronPlayback, WeightPanel (perceptron);
    ContourMap, LossSurface, box_axes, height_map, contour_paths, ramp_color, until_exit.
    Every name a scene in this repository imports from the kit is importable from `nnviz.render`
    (tests/test_imports.py checks it).

Rendering (`runner.py`, `gif.py`, `poster.py`) — used by the CLI, builds and tests/conftest.py:
    RenderOptions(quality="low", formats=("mp4",), fps=None, resolution=None, transparent=False, gif=GifOptions(),
                  poster="auto"|"last"|"2.5s"|"40%")
    render(..., sections=True) also returns [(label, clip, end-state frame)] per self.pause section;
    probe(video) → frames, duration; atoms(mp4) → top-level boxes; faststart(mp4).
    GifOptions(fps=12, width=480, colors=128, dither="none", loop=0)
    load_scene_class(path, class_name=None), with_overrides(cls, {"attr": value}), scene_classes(path)
    render(scene_cls, out_dir, name, options, media_dir, tex_dir=None) -> RenderResult(files, frame, seconds)
    GifTap (collects exact-colour GIF frames from the renderer during render()), write_gif,
    to_gif(src_video, dst, GifOptions) (lossy source: prefer the tap), transcode(src, dst, "mp4"|"webm")
    Tests: the `render_scene` fixture in tests/conftest.py wraps render() at 192x108, 4 fps and
    returns the last frame as pixels (`.fraction(colour, box)`, `.mean(box)`, `.files`).
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

# Lazy: `import nnviz.render.runner` (the CLI, builds) must not pay for importing manim.
# Names resolve on first use; `from nnviz.render import *` loads everything.
_WHERE = {
    "GifTap": "gif", "to_gif": "gif", "transcode": "gif", "write_gif": "gif",
    "latex_available": "mathtex", "math": "mathtex",
    "Clipped": "paths", "Exit": "paths", "clip_path": "paths",
    "LabelledAxes": "plots", "Legend": "plots", "LossCurve": "plots", "LossPlot": "plots",
    "auto_y_range": "plots", "nice_ticks": "plots",
    "Pacing": "pacing", "Progress": "pacing", "TimeWarp": "pacing", "combine": "pacing",
    "loss_progress": "pacing", "measure_pacing": "pacing", "path_progress": "pacing",
    "SlideBreaks": "slides", "check_label": "slides",
    "GifOptions": "runner", "RenderOptions": "runner", "load_scene_class": "runner", "render": "runner",
    "scene_classes": "runner", "with_overrides": "runner",
    "BACKGROUND": "style", "DIVERGING": "style", "FOREGROUND": "style", "GRID": "style", "LABEL_SIZE": "style",
    "MUTED": "style", "SMALL_SIZE": "style", "TITLE_SIZE": "style", "ThemedScene": "style",
    "ThemedThreeDScene": "style", "apply_theme": "style", "color": "style", "heading": "style",
    "label": "style", "text": "style",
    "DescentPath": "widgets", "DivergenceMarker": "widgets", "PathTrace": "widgets", "Readout": "widgets",
    "StepCounter": "widgets", "TraceDriven": "widgets",
    "NetworkDiagram": "network", "ProbabilityBars": "network",
    "DecisionPlane": "planes", "FeatureTiles": "planes", "boundary_rgba": "planes", "frame_index": "planes",
    "signed_rgba": "planes", "flip_progress": "planes", "colour_progress": "planes", "PerceptronPlayback": "perceptron", "WeightPanel": "perceptron",
    "ContourMap": "surface", "LossSurface": "surface", "box_axes": "surface", "contour_paths": "surface",
    "height_map": "surface", "ramp_color": "surface", "until_exit": "surface",
    "FadingTail": "marks", "curve": "marks", "dots": "marks", "hline": "marks", "vline": "marks",
    "GraphDiagram": "graph",
    "Bars": "curves", "polyline": "curves", "shade_spans": "curves",
    "SurfaceMesh": "surface3d", "EndZoom": "surface3d", "zoom_half": "surface3d", "grid_minimum": "surface3d", "marker": "surface3d", "outline": "surface3d",
    "PosterTap": "poster", "parse_poster": "poster", "atoms": "gif", "faststart": "gif", "probe": "gif",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    mod = _WHERE.get(name)
    if mod is None and not name.startswith("_"):
        mod = _find(name)        # a kit name not listed above yet: still importable (listed ones are scanned)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def _find(name: str):
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        m = import_module(f".{info.name}", __name__)
        if name in getattr(m, "__dict__", {}) and getattr(getattr(m, name), "__module__", m.__name__) == m.__name__:
            return info.name
    return None


def __dir__():
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # also tells `nnviz build`'s import scanner what this package re-exports
    from .gif import GifTap, to_gif, transcode, write_gif
    from .mathtex import latex_available, math
    from .paths import Clipped, Exit, clip_path
    from .plots import LabelledAxes, Legend, LossCurve, LossPlot, auto_y_range, nice_ticks
    from .pacing import Pacing, Progress, TimeWarp, combine, loss_progress, measure_pacing, path_progress
    from .slides import SlideBreaks, check_label
    from .runner import GifOptions, RenderOptions, load_scene_class, render, scene_classes, with_overrides
    from .style import (BACKGROUND, DIVERGING, FOREGROUND, GRID, LABEL_SIZE, MUTED, SMALL_SIZE, TITLE_SIZE,
                        ThemedScene, ThemedThreeDScene, apply_theme, color, heading, label, text)
    from .widgets import DescentPath, DivergenceMarker, PathTrace, Readout, StepCounter, TraceDriven
    from .network import NetworkDiagram, ProbabilityBars
    from .planes import (DecisionPlane, FeatureTiles, boundary_rgba, colour_progress, flip_progress, frame_index,
                         signed_rgba)
    from .perceptron import PerceptronPlayback, WeightPanel
    from .surface import (ContourMap, LossSurface, box_axes, contour_paths, height_map, ramp_color,
                          until_exit)
    from .marks import FadingTail, curve, dots, hline, vline
    from .graph import GraphDiagram
    from .curves import Bars, polyline, shade_spans
    from .surface3d import EndZoom, SurfaceMesh, zoom_half, grid_minimum, marker, outline
    from .poster import PosterTap, parse_poster
    from .gif import atoms, faststart, probe
