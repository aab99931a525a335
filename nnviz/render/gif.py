"""Small looping GIFs and format conversion with PyAV (already installed with manim).

Why not manim's gif writer alone: it writes every frame at full render size. Blog
GIFs want a lower frame rate, a smaller width and one palette shared by all frames
(stable colours, small LZW output): decode with PyAV, resample in time, resize and
quantize with Pillow, write with loop=0 (forever).
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


def to_gif(src, dst, options) -> Path:
    """Convert a video to a looping GIF with `options` (GifOptions: fps, width, colors, dither, loop)."""
    from PIL import Image

    frames, rate = _frames(src)
    if not frames:
        raise ValueError(f"{src} has no video frames")
    fps = float(options.fps or rate)
    fps = min(fps, rate)
    # resample in time: pick the source frame nearest each output instant
    duration = len(frames) / rate
    n_out = max(1, int(round(duration * fps)))
    idx = np.minimum((np.arange(n_out) * rate / fps).round().astype(int), len(frames) - 1)
    h, w = frames[0].shape[:2]
    width = min(int(options.width or w), w)
    height = max(2, int(round(h * width / w)))
    imgs = [Image.fromarray(frames[i]) for i in idx]
    if width != w:
        imgs = [im.resize((width, height), Image.LANCZOS) for im in imgs]
    # one global palette from a sample of frames keeps colours stable and the file small
    sample = imgs[:: max(1, len(imgs) // 8)]
    strip = Image.new("RGB", (width, height * len(sample)))
    for i, im in enumerate(sample):
        strip.paste(im, (0, i * height))
    palette = strip.quantize(colors=int(options.colors), method=Image.MEDIANCUT)
    dither = Image.Dither.NONE if options.dither == "none" else Image.Dither.FLOYDSTEINBERG
    q = [im.quantize(palette=palette, dither=dither) for im in imgs]
    dst = Path(dst)
    q[0].save(dst, format="GIF", save_all=True, append_images=q[1:], loop=int(options.loop),
              duration=int(round(1000 / fps)), optimize=True, disposal=1)
    return dst


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
