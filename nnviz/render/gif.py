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

from ..atomic import atomic_path


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

    def __init__(self, src_fps: float, options, transparent: bool = False):
        self.src_fps = float(src_fps)
        self.transparent = bool(transparent)
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
                    px = np.asarray(frame)
                    img = _resize(Image.fromarray(px if self.transparent else px[..., :3]), self.options.width)
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
    """Write RGB PIL images (all one size) as a looping GIF with one shared palette.
    RGBA images give a transparent GIF: pixels with alpha < 50 % become the transparent index."""
    from PIL import Image

    width, height = imgs[0].size
    if imgs[0].mode == "RGBA":
        return _write_transparent_gif(imgs, dst, fps, options)
    palette = _palette(imgs, width, height, int(options.colors))
    dither = Image.Dither.NONE if options.dither == "none" else Image.Dither.FLOYDSTEINBERG
    q = [im.quantize(palette=palette, dither=dither) for im in imgs]
    dst = Path(dst)
    q[0].save(dst, format="GIF", save_all=True, append_images=q[1:], loop=int(options.loop),
              duration=frame_durations(len(q), fps), optimize=True, disposal=1)
    return dst


def frame_durations(n: int, fps: float) -> list[int]:
    """Per-frame GIF delays in ms. GIF stores hundredths of a second, so 12 fps cannot be one
    constant delay (8.33 cs): delays alternate (8, 8, 9, ...) so frame i starts within 10 ms
    of i/fps and the GIF lasts as long as the video."""
    cs = [round(100 * i / fps) for i in range(n + 1)]
    return [10 * max(1, b - a) for a, b in zip(cs, cs[1:])]


def _write_transparent_gif(imgs, dst, fps: float, options) -> Path:
    """Transparent GIF through ffmpeg's GIF encoder (PyAV): one shared palette whose last entry is
    transparent, each frame disposed to transparency. (Pillow's writer corrupts a GIF whose frame
    becomes fully transparent after a disposed frame, e.g. a closing fade-out.)"""
    from PIL import Image

    width, height = imgs[0].size
    colors = int(options.colors) - 1          # index `colors` is transparent
    rgb = [im.convert("RGB") for im in imgs]
    palette = _palette(rgb, width, height, colors)
    pal = np.zeros((256, 4), np.uint8)      # PyAV's pal8 palette rows are A, R, G, B
    pal[:, 0] = 255
    pal[:colors, 1:] = np.asarray(palette.getpalette()[: 3 * colors], np.uint8).reshape(-1, 3)
    pal[colors] = 0                          # the one transparent entry
    dither = Image.Dither.NONE if options.dither == "none" else Image.Dither.FLOYDSTEINBERG
    rate = Fraction(fps).limit_denominator(1001)
    dst = Path(dst)
    with av.open(str(dst), mode="w", format="gif", options={"loop": str(int(options.loop))}) as out:
        st = out.add_stream("gif", rate=rate)
        st.width, st.height, st.pix_fmt = width, height, "pal8"
        for i, (im, c) in enumerate(zip(imgs, rgb)):
            idx = np.asarray(c.quantize(palette=palette, dither=dither)).copy()
            idx[np.asarray(im)[..., 3] < 128] = colors
            frame = av.VideoFrame.from_ndarray((idx, pal), format="pal8")
            frame.pts, frame.time_base = i, 1 / rate
            for pkt in st.encode(frame):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
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


def encoder_options(fmt: str = "mp4") -> dict[str, str]:
    """The video encoder's options, for manim's renders (the runner) and `transcode` alike: one thread. With
    x264's own threads, two renders of the same frames decoded differently (the scene's raw frames identical, a
    few fade frames not); one thread costs no time here. (The bytes can still differ in a rare packet that
    decodes to the same frame.) `transcode` to webm adds VP9's quality and speed settings."""
    vp9 = {"crf": "32", "b": "0", "deadline": "realtime", "cpu-used": "8"} if fmt == "webm" else {}
    return {"threads": "1", **vp9}


def transcode(src, dst, fmt: str) -> Path:
    """Re-encode a rendered video to another container (mp4 ↔ webm) without re-rendering.

    Every frame keeps its own timestamp (frame i at i/fps): the encoded file has the same frame
    count and duration as the source. An mp4 is written fast-start (index before the data)."""
    codec, pix = {"mp4": ("libx264", "yuv420p"), "webm": ("libvpx-vp9", "yuv420p")}[fmt]
    opts = {"movflags": "+faststart"} if fmt == "mp4" else {}
    with av.open(str(src)) as inp, av.open(str(dst), mode="w", options=opts) as out:
        ist = inp.streams.video[0]
        rate = Fraction(ist.average_rate or ist.base_rate or 15).limit_denominator(1001)
        ost = out.add_stream(codec, rate=rate)
        ost.width, ost.height, ost.pix_fmt = ist.codec_context.width, ist.codec_context.height, pix
        ost.codec_context.time_base = 1 / rate
        ost.options = encoder_options(fmt)  # one thread, as the renders' own encoder
        for i, frame in enumerate(inp.decode(ist)):
            frame = frame.reformat(format=pix)
            frame.pts, frame.time_base = i, 1 / rate
            for pkt in ost.encode(frame):
                out.mux(pkt)
        for pkt in ost.encode():
            out.mux(pkt)
    return Path(dst)


def faststart(path) -> Path:
    """Rewrite an mp4 in place with its index (`moov`) before the media data (`mdat`), so a
    browser can start playing before the download ends. Packets are copied, not re-encoded."""
    path = Path(path)
    if atoms(path).index("moov") < atoms(path).index("mdat"):
        return path
    with atomic_path(path, suffix=".mp4") as tmp, av.open(str(path)) as inp, \
            av.open(str(tmp), mode="w", options={"movflags": "+faststart"}) as out:
        ist = inp.streams.video[0]
        ost = out.add_stream_from_template(ist)
        for pkt in inp.demux(ist):
            if pkt.dts is None:
                continue
            pkt.stream = ost
            out.mux(pkt)
    return path


def atoms(path) -> list[str]:
    """Names of the top-level boxes of an mp4/mov file, in file order."""
    import struct

    out = []
    with open(path, "rb") as f:
        size_total = f.seek(0, 2)
        pos = 0
        while pos + 8 <= size_total:
            f.seek(pos)
            size, kind = struct.unpack(">I4s", f.read(8))
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0]
            elif size == 0:
                size = size_total - pos
            out.append(kind.decode("latin-1"))
            if size < 8:
                break
            pos += size
    return out


def probe(path) -> dict:
    """Decoded facts of a video or GIF: frames (count), duration (s, from the frames' timestamps:
    last pts + one frame), fps, size. Decodes every frame, so it checks the file is playable."""
    with av.open(str(path)) as c:
        st = c.streams.video[0]
        pts = []
        durs = []
        size = None
        for f in c.decode(st):
            pts.append(float(f.pts * f.time_base) if f.pts is not None else float("nan"))
            durs.append(float(f.duration * f.time_base) if f.duration else 0.0)
            size = (f.width, f.height)
        container = float(c.duration / av.time_base) if c.duration else None
    n = len(pts)
    step = (pts[-1] - pts[0]) / (n - 1) if n > 1 else (durs[-1] if durs else 0.0)
    last = durs[-1] if durs and durs[-1] > 0 else step
    return {"frames": n, "duration": (pts[-1] - pts[0] + last) if n else 0.0, "container_duration": container,
            "fps": 1 / step if step else None, "size": size, "pts": pts}
