"""Small looping GIFs and format conversion with PyAV (already installed with manim).

Why not manim's gif writer alone: it writes every frame at full render size. Blog
GIFs want a lower frame rate, a smaller width and one palette shared by all frames
(stable colours, small LZW output). Frames are tapped from the renderer (GifTap),
resampled in time, resized and quantized with Pillow, and written with loop=0 (forever).
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def _frames(src):
    with av.open(str(src)) as c:
        stream = c.streams.video[0]
        rate = stream.average_rate or stream.base_rate or Fraction(15)
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(stream)]
    return frames, float(rate)


class GifTap:
    """Collects frames for a GIF while manim renders, straight from the camera.

    Why not convert the finished mp4: H.264's 4:2:0 chroma halves colour resolution, so
    1-2 px coloured lines come out grey (measured on the intro: a #56B4E9 box border read
    back as #688BA2). Tapping the renderer keeps exact colours; only every k-th frame is
    kept (GIF fps), resized at once, so memory stays at one small image per GIF frame.
    """

    def __init__(self, src_fps: float, options):
        self.src_fps = float(src_fps)
        self.fps = min(float(options.fps or src_fps), self.src_fps)
        self.options = options
        self.frames = []
        self._n = 0
        self._next = 0.0

    def __call__(self, frame, repeat: int = 1):
        from PIL import Image

        img = None
        for _ in range(max(1, int(repeat))):
            if self._n >= self._next - 1e-9:
                if img is None:
                    img = _resize(Image.fromarray(np.asarray(frame)[..., :3]), self.options.width)
                self.frames.append(img)
                self._next += self.src_fps / self.fps
            self._n += 1

    def write(self, dst) -> Path:
        if not self.frames:
            raise ValueError("no frames were rendered for the GIF")
        return write_gif(self.frames, dst, self.fps, self.options)


def _resize(img, width):
    w, h = img.size
    width = min(int(width or w), w)
    if width == w:
        return img
    from PIL import Image

    return img.resize((width, max(2, int(round(h * width / w)))), Image.LANCZOS)


def write_gif(imgs, dst, fps: float, options) -> Path:
    """Write RGB PIL images (all one size) as a looping GIF with one shared palette."""
    from PIL import Image

    width, height = imgs[0].size
    palette = _palette(imgs, width, height, int(options.colors))
    dither = Image.Dither.NONE if options.dither == "none" else Image.Dither.FLOYDSTEINBERG
    q = [im.quantize(palette=palette, dither=dither) for im in imgs]
    dst = Path(dst)
    q[0].save(dst, format="GIF", save_all=True, append_images=q[1:], loop=int(options.loop),
              duration=int(round(1000 / fps)), optimize=True, disposal=1)
    return dst


def to_gif(src, dst, options) -> Path:
    """Convert an existing video to a looping GIF with `options` (GifOptions: fps, width, colors,
    dither, loop). Prefer GifTap during rendering: a lossy video has already lost thin colours."""
    frames, rate = _frames(src)
    if not frames:
        raise ValueError(f"{src} has no video frames")
    tap = GifTap(rate, options)
    for f in frames:
        tap(f)
    return tap.write(dst)


def theme_colors() -> list[tuple[int, int, int]]:
    """Every colour named in nnviz.theme: thin lines in these colours cover few pixels, so
    an adaptive palette alone maps them to a neighbouring hue; reserving them keeps them exact."""
    from .. import theme

    hexes = [theme.BACKGROUND, theme.FOREGROUND, theme.MUTED, theme.GRID, theme.POSITIVE, theme.NEGATIVE,
             theme.NEURON, theme.ACTIVE, theme.GRADIENT, theme.DROPPED, *theme.OPTIMIZER.values(),
             *theme.REGIME.values(), *theme.VARIANT.values(), *theme.CLASS, *theme.SURFACE_RAMP]
    out = []
    for h in dict.fromkeys(x.lower() for x in hexes):
        out.append(tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)))
    return out


def _palette(imgs, width: int, height: int, colors: int):
    """One palette for all frames (stable colours, small file): the theme colours plus an
    adaptive median-cut palette of a sample of frames for the rest (anti-aliasing, gradients)."""
    from PIL import Image

    fixed = theme_colors()[: max(0, colors - 16)]
    sample = imgs[:: max(1, len(imgs) // 8)] + [imgs[-1]]
    strip = Image.new("RGB", (width, height * len(sample)))
    for i, im in enumerate(sample):
        strip.paste(im, (0, i * height))
    adaptive = strip.quantize(colors=colors - len(fixed), method=Image.Quantize.MEDIANCUT)
    flat = [c for rgb in fixed for c in rgb] + adaptive.getpalette()[: 3 * (colors - len(fixed))]
    flat += [0] * (768 - len(flat))
    pal = Image.new("P", (1, 1))
    pal.putpalette(flat)
    return pal


def transcode(src, dst, fmt: str) -> Path:
    """Re-encode a rendered video to another container (mp4 ↔ webm) without re-rendering."""
    codec, pix = {"mp4": ("libx264", "yuv420p"), "webm": ("libvpx-vp9", "yuv420p")}[fmt]
    with av.open(str(src)) as inp, av.open(str(dst), mode="w") as out:
        ist = inp.streams.video[0]
        ost = out.add_stream(codec, rate=ist.average_rate or 15)
        ost.width, ost.height, ost.pix_fmt = ist.codec_context.width, ist.codec_context.height, pix
        if fmt == "webm":
            ost.options = {"crf": "32", "b": "0", "deadline": "realtime", "cpu-used": "8"}
        for frame in inp.decode(ist):
            frame.pts = None
            for pkt in ost.encode(frame):
                out.mux(pkt)
        for pkt in ost.encode():
            out.mux(pkt)
    return Path(dst)
