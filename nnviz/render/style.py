"""Theme for manim scenes: background, colours, text and headings, all from `nnviz.theme`.

One place, so every scene looks the same and matches the matplotlib figures.
Scenes either subclass `ThemedScene` / `ThemedThreeDScene` or call
`apply_theme(self)` in `setup()`; either works under plain `manim -ql`.
"""
from __future__ import annotations

from functools import lru_cache

import manim as mn

from .. import theme
from .audit import TextAudit
from .slides import SlideBreaks
from .surface3d import SurfaceScene

OPENGL_REFUSAL = ("nnviz: error: the nnviz render kit needs manim's Cairo renderer; "
                  "run without --renderer=opengl (its mobject types differ)")


def require_cairo() -> None:
    """Exit with one line under manim's OpenGL renderer: the kit's VMobjects are Cairo ones, and
    OpenGL's VGroup refuses them with a TypeError deep inside a scene."""
    if str(getattr(mn.config.renderer, "value", mn.config.renderer)).lower() == "opengl":
        raise SystemExit(OPENGL_REFUSAL)


require_cairo()     # `manim --renderer=opengl scene.py` sets the renderer before importing the scene file


def forget_svg_paths() -> None:
    """Let each glyph drop the parsed SVG path it was built from, once its points exist.

    manim's VMobjectFromSVGPath (every glyph of a Text, a Typst/TeX formula, a Brace) keeps the
    svgelements path it read its points from. Nothing reads it again (the points are generated once,
    in __init__), yet every copy of the glyph deep-copies it: every FadeIn, Transform and `.animate`
    of a text copies it, which was about half of a text-heavy scene's render time. Frames are the
    same. Called once when the kit is imported; idempotent."""
    from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

    made = VMobjectFromSVGPath.generate_points
    if getattr(made, "forgets_path", False):
        return

    def generate_points(self):
        out = made(self)
        self.path_obj = None
        return out

    generate_points.forgets_path = True
    generate_points.__doc__ = made.__doc__
    VMobjectFromSVGPath.generate_points = generate_points


forget_svg_paths()

BACKGROUND = mn.ManimColor(theme.BACKGROUND)
FOREGROUND = mn.ManimColor(theme.FOREGROUND)
MUTED = mn.ManimColor(theme.MUTED)
GRID = mn.ManimColor(theme.GRID)
DIVERGING = mn.ManimColor(theme.REGIME["diverging"])
LABEL_SIZE = theme.FONT_SIZE
TITLE_SIZE = theme.TITLE_SIZE
SMALL_SIZE = 24          # the smallest text the rubric allows: 19 px tall at 854×480 (see render/audit.py)
_MANIM_DEFAULT_BG = mn.ManimColor("#000000")


def color(kind_or_hex: str, name: str | None = None) -> mn.ManimColor:
    """A theme colour as a ManimColor: `color("#ff0000")`, `color("optimizer", "adam")`,
    `color("regime", "diverging")`, `color("class", 1)`; unknown names get the foreground."""
    if name is None:
        return mn.ManimColor(kind_or_hex)
    if kind_or_hex == "class":
        return mn.ManimColor(theme.CLASS[int(name) % len(theme.CLASS)])
    return mn.ManimColor(theme.color_for(kind_or_hex, str(name)))


def apply_theme(scene: mn.Scene) -> mn.Scene:
    """Paint the scene background with the theme colour, unless the caller set a
    background explicitly (config.background_color ≠ manim's default black)."""
    require_cairo()
    if mn.ManimColor(mn.config.background_color) == _MANIM_DEFAULT_BG:
        scene.camera.background_color = BACKGROUND
    return scene


class ThemedScene(TextAudit, SlideBreaks, mn.Scene):
    """A Scene with the nnviz background and `self.pause(label)` slide breaks. Override `construct` (and call super().setup() if you override setup)."""

    def setup(self):
        super().setup()
        apply_theme(self)


class ThemedThreeDScene(TextAudit, SlideBreaks, SurfaceScene, mn.ThreeDScene):
    """A ThreeDScene with the nnviz background, `self.pause(label)` slide breaks and the
    `surface3d.SurfaceCamera` (fast, depth-sorted `SurfaceMesh` surfaces; otherwise a ThreeDCamera)."""

    def setup(self):
        super().setup()
        apply_theme(self)


def text(s: str, size: float = LABEL_SIZE, color=FOREGROUND, weight: str = mn.NORMAL, **kw) -> mn.Text:
    """Plain text in the theme font (no TeX needed). Identical calls reuse one glyph layout."""
    # manim lays out (and wraps) Text at the current pixel width: a layout is reused only at that width
    args = (str(s), float(size), mn.ManimColor(color).to_hex(), weight, tuple(sorted(kw.items())),
            int(mn.config.pixel_width))
    try:
        hash(args)
    except TypeError:  # e.g. t2c={...}: build it directly
        return _text.__wrapped__(*args)
    return _text(*args).copy()


@lru_cache(maxsize=512)
def _text(s, size, hex_color, weight, kw, pixel_width=None):
    return mn.Text(s, font=theme.FONT, font_size=size, color=hex_color, weight=weight, **dict(kw))


def label(s: str, size: float = SMALL_SIZE, color=MUTED, **kw) -> mn.Text:
    """A small muted label (axis names, annotations)."""
    return text(s, size=size, color=color, **kw)


def heading(s: str, size: float = TITLE_SIZE, color=FOREGROUND, edge=mn.UP, buff: float = 0.4) -> mn.Text:
    """A title placed at the top edge of the frame."""
    return text(s, size=size, color=color, weight=mn.BOLD).to_edge(edge, buff=buff)
