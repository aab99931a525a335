"""Shared fixtures. `render_scene` is the one way tests render a scene: the same
`nnviz.render.runner.render` the CLI and builds use, at 192x108 and 4 fps into a tmp
dir, returning the last frame as pixels. Pixel checks here are plain NumPy
comparisons: nothing can skip (manim's frames_comparison skips on cairo < 1.18).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest


def hex_rgb(color) -> np.ndarray:
    """'#rrggbb' (or a ManimColor) → array([r, g, b]) in 0..255."""
    h = color if isinstance(color, str) else color.to_hex()
    h = h.lstrip("#")[:6]
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


@dataclass
class Rendered:
    """What a test render produced: the last frame (H, W, 3) uint8, the files by format, and the
    text audit's findings (nnviz.render.audit): texts under 18 px at 854×480 ({words: px}) and
    pairs of texts seen on top of each other, texts running past the frame's edge."""

    frame: np.ndarray
    files: dict = field(default_factory=dict)
    small_texts: dict = field(default_factory=dict)
    overlapping_texts: set = field(default_factory=set)
    clipped_texts: set = field(default_factory=set)

    @property
    def video(self) -> Path | None:
        for f in ("mp4", "webm", "gif"):
            if f in self.files:
                return Path(self.files[f])
        return None

    def region(self, box=(0.0, 0.0, 1.0, 1.0)) -> np.ndarray:
        """Pixels inside box = (x0, y0, x1, y1) as fractions of width/height, y from the top."""
        h, w = self.frame.shape[:2]
        x0, y0, x1, y1 = box
        sub = self.frame[int(round(y0 * h)):max(int(round(y1 * h)), int(round(y0 * h)) + 1),
                         int(round(x0 * w)):max(int(round(x1 * w)), int(round(x0 * w)) + 1), :3]
        assert sub.size, f"empty region {box}"
        return sub

    def fraction(self, color, box=(0.0, 0.0, 1.0, 1.0), tol: float = 40.0) -> float:
        """Share of pixels in `box` within `tol` (Euclidean RGB distance) of `color`."""
        sub = self.region(box).astype(float)
        return float(np.mean(np.linalg.norm(sub - hex_rgb(color), axis=-1) <= tol))

    def mean(self, box=(0.0, 0.0, 1.0, 1.0)) -> np.ndarray:
        return self.region(box).reshape(-1, 3).mean(axis=0)


def video_frames(path) -> list[np.ndarray]:
    """All frames of a video/gif as RGB arrays (PyAV)."""
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(c.streams.video[0])]


@pytest.fixture(scope="session")
def typst_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("typst")


@pytest.fixture
def render_scene(tmp_path, typst_cache):
    """render_scene(SceneClass | "path/to/scene.py", class_name=None, formats=("png",),
    width=192, height=108, fps=4, overrides=None, transparent=False) -> Rendered."""
    from nnviz.render.runner import RenderOptions, load_scene_class, render, with_overrides

    def _render(scene, class_name: str | None = None, formats=("png",), width: int = 192, height: int = 108,
                fps: float = 4, overrides: dict | None = None, transparent: bool = False, **gif) -> Rendered:
        cls = load_scene_class(scene, class_name) if isinstance(scene, (str, Path)) else scene
        cls = with_overrides(cls, overrides or {})
        from nnviz.render import audit
        from nnviz.render.runner import GifOptions

        opts = RenderOptions("low", tuple(formats), fps=fps, resolution=(width, height), transparent=transparent,
                             gif=GifOptions(**gif) if gif else GifOptions(fps=fps, width=width),
                             poster="last")    # png = the final state, without rendering every frame
        found = audit.enable()
        try:
            res = render(cls, tmp_path / "out", cls.__name__, opts, media_dir=tmp_path / "media", tex_dir=typst_cache)
        finally:
            audit.enable(False)
        frame = res.frame[..., :3] if not transparent else res.frame
        assert frame.shape[:2] == (height, width), f"rendered {frame.shape}, asked {width}x{height}"
        return Rendered(np.ascontiguousarray(frame), dict(res.files), dict(found.small), set(found.overlapping),
                        set(found.clipped))

    return _render
