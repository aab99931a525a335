"""Render one scene class with explicit manim config: the single mechanism behind
`nnviz render`, `nnviz build` workers and the test fixture.

Why explicit: manim looks for a manim.cfg beside the scene file or the cwd; we pass
quality, size, fps, media and Typst-cache folders ourselves so a render does the
same thing from any directory. Outputs are written into `out_dir` (a temp folder);
callers move them into renders/ only when everything succeeded.
"""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import NNVizError

QUALITIES = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality",
             "production": "production_quality", "fourk": "fourk_quality"}
QUALITY_FLAGS = {"l": "low", "m": "medium", "h": "high", "p": "production", "k": "fourk"}
FORMATS = ("mp4", "gif", "webm", "png")
VIDEO_FORMATS = ("mp4", "webm", "gif")


def normalize_quality(q: str) -> str:
    q = str(q).strip().lower()
    q = QUALITY_FLAGS.get(q, q)
    q = q.removesuffix("_quality")
    if q not in QUALITIES:
        raise NNVizError(f"unknown quality {q!r}; valid: {', '.join(QUALITIES)} (or -ql/-qm/-qh/-qp/-qk)")
    return q


def parse_resolution(s) -> tuple[int, int] | None:
    if s is None or s == "":
        return None
    if isinstance(s, (list, tuple)) and len(s) == 2:
        w, h = s
    else:
        parts = str(s).lower().replace("x", ",").split(",")
        if len(parts) != 2:
            raise NNVizError(f"resolution must look like 1280x720 (or 1280,720), got {s!r}")
        w, h = parts
    try:
        w, h = int(w), int(h)
    except ValueError:
        raise NNVizError(f"resolution must be two integers like 1280x720, got {s!r}") from None
    if w < 16 or h < 16 or w % 2 or h % 2:
        raise NNVizError(f"resolution {w}x{h}: width and height must be even and ≥ 16")
    return (w, h)


@dataclass(frozen=True)
class GifOptions:
    """Small, looping GIFs: frame rate, width (height follows), palette size, dither."""

    fps: float | None = 12.0
    width: int | None = 480
    colors: int = 128
    dither: str = "none"        # none (flat colours, smallest) | floyd_steinberg (smooth gradients)
    loop: int = 0               # 0 = forever

    def __post_init__(self):
        if not 2 <= int(self.colors) <= 256:
            raise NNVizError(f"gif colors must be in 2..256, got {self.colors}")
        if self.dither not in ("none", "floyd_steinberg"):
            raise NNVizError(f"gif dither {self.dither!r}; valid: none, floyd_steinberg")
        if self.fps is not None and not 0 < float(self.fps) <= 50:
            raise NNVizError(f"gif fps must be in (0, 50], got {self.fps}")


@dataclass(frozen=True)
class RenderOptions:
    quality: str = "low"
    formats: tuple[str, ...] = ("mp4",)
    fps: float | None = None
    resolution: tuple[int, int] | None = None
    transparent: bool = False
    gif: GifOptions = field(default_factory=GifOptions)
    poster: str = "auto"        # which frame the png is: auto | last | "2.5s" | "40%" (nnviz.render.poster)
    theme: str | None = None    # None: the active theme (dark by default) | "dark" | "light"

    def __post_init__(self):
        from .poster import parse_poster

        object.__setattr__(self, "poster", parse_poster(self.poster))
        if self.theme not in (None, "dark", "light"):
            from ..errors import did_you_mean

            raise NNVizError(f"unknown theme {self.theme!r}; valid: dark, light"
                             f"{did_you_mean(self.theme, ('dark', 'light'))}")
        object.__setattr__(self, "quality", normalize_quality(self.quality))
        fmts = tuple(dict.fromkeys(str(f).lower().lstrip(".") for f in self.formats))
        bad = [f for f in fmts if f not in FORMATS]
        if bad or not fmts:
            raise NNVizError(f"unknown format {', '.join(bad) or '(none)'}; valid: {', '.join(FORMATS)}")
        if self.transparent and "mp4" in fmts:
            raise NNVizError("mp4 cannot hold transparency; use -t with --format webm, gif or png")
        object.__setattr__(self, "formats", fmts)
        object.__setattr__(self, "resolution", parse_resolution(self.resolution))
        if self.fps is not None and not (0 < float(self.fps) <= 240):
            raise NNVizError(f"fps must be in (0, 240], got {self.fps}")

    def to_json(self) -> dict:
        d = asdict(self)
        d["formats"] = list(self.formats)
        d["resolution"] = list(self.resolution) if self.resolution else None
        return d


def use_theme(name: str | None) -> None:
    """Make `name` the active theme before a scene (and with it the kit) is imported. The kit reads
    colours at import, so switching after that is refused in one line instead of half-applied."""
    from .. import theme

    if name is None or theme.ACTIVE_THEME == name:
        return
    if "nnviz.render.style" in sys.modules:
        raise NNVizError(f"theme {name!r} must be chosen before the render kit is imported: set NNVIZ_THEME={name} "
                         "in the environment, or use nnviz render/build --theme")
    theme.use(name)


# --- scene loading --------------------------------------------------------------

def scene_classes(path) -> list[str]:
    """Top-level class names in a scene file, found without importing it (fast, no manim)."""
    path = Path(path)
    try:
        tree = ast.parse(path.read_text(), filename=str(path))
    except FileNotFoundError:
        raise NNVizError(f"scene file not found: {path}") from None
    except SyntaxError as e:
        raise NNVizError(f"scene file {path} does not parse: {e}") from None
    return [n.name for n in tree.body if isinstance(n, ast.ClassDef)]


def load_scene_class(path, class_name: str | None = None) -> type:
    """Import a scene file under a private module name and return the scene class."""
    import manim as mn

    path = Path(path).resolve()
    names = scene_classes(path)
    mod_name = "nnviz_scene_" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
    spec = importlib.util.spec_from_file_location(mod_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))   # scene files may import siblings
    # compiled from the bytes read here, never from a cached .pyc: Python trusts a .pyc whose
    # source has the same (mtime, size), so a same-size edit with a restored mtime would run old code
    source = path.read_bytes()
    module.__dict__["__source_sha256__"] = hashlib.sha256(source).hexdigest()
    exec(compile(source, str(path), "exec", dont_inherit=True), module.__dict__)
    scenes = [n for n in names if isinstance(getattr(module, n, None), type)
              and issubclass(getattr(module, n), mn.Scene)]
    if class_name is None:
        if len(scenes) != 1:
            raise NNVizError(f"{path.name} defines {len(scenes)} scenes ({', '.join(scenes) or 'none'}); name one")
        class_name = scenes[0]
    if class_name not in scenes:
        raise NNVizError(f"no scene class {class_name!r} in {path}; valid: {', '.join(scenes) or '(none)'}")
    return getattr(module, class_name)


def parse_value(s: str):
    """`--set` values: Python literals (0.3, 10, True, "adam", [1, 2]); anything else is a string."""
    try:
        return ast.literal_eval(s)
    except (ValueError, SyntaxError):
        return s


def with_overrides(cls: type, overrides: dict) -> type:
    """A subclass of `cls` with class attributes replaced (the 3b1b variant pattern).

    Only existing public, non-callable attributes may be overridden, and numbers stay numbers."""
    if not overrides:
        return cls
    valid = sorted(overridable(cls))
    clean = {}
    for k, v in overrides.items():
        if k not in valid:
            raise NNVizError(f"{cls.__name__} has no class attribute {k!r} to override; valid: {', '.join(valid) or '(none)'}")
        old = getattr(cls, k)
        if isinstance(old, bool) != isinstance(v, bool) and old is not None:
            raise NNVizError(f"{cls.__name__}.{k} is {type(old).__name__}, got {v!r}")
        if isinstance(old, (int, float)) and not isinstance(old, bool):
            if not isinstance(v, (int, float)):
                raise NNVizError(f"{cls.__name__}.{k} is a number, got {v!r}")
            v = float(v) if isinstance(old, float) else v
        elif isinstance(old, (list, tuple)) and isinstance(v, (list, tuple)):
            v = type(old)(v)
        elif isinstance(old, (str, dict, list, tuple)) and v is not None and not isinstance(v, type(old)):
            kind = {str: "a string", dict: "a table/dict", list: "a list", tuple: "a list"}[type(old)]
            raise NNVizError(f"{cls.__name__}.{k} is {kind} (default {old!r}), got {v!r}")
        clean[k] = v
    return type(cls.__name__, (cls,), {**clean, "__module__": cls.__module__, "__qualname__": cls.__qualname__})


def overridable(cls: type) -> set[str]:
    """Public data attributes the scene (or its nnviz bases) define, not manim's own."""
    out = set()
    for k in cls.__mro__:
        if k.__module__.split(".")[0] in ("manim", "builtins"):
            continue
        for n, v in vars(k).items():
            if not n.startswith("_") and not callable(v) and not isinstance(v, (property, classmethod, staticmethod)):
                out.add(n)
    return out


# --- rendering ------------------------------------------------------------------

@dataclass
class RenderResult:
    files: dict          # format → Path inside out_dir
    frame: np.ndarray    # the last frame, (H, W, 4) uint8 RGBA
    seconds: float
    poster: np.ndarray | None = None      # the frame written as png (options.poster)
    sections: list = field(default_factory=list)   # [(label, clip Path or None, last frame)] when asked


def render(scene_cls: type, out_dir, name: str, options: RenderOptions, media_dir, tex_dir=None,
           progress: bool = False, sections: bool = False) -> RenderResult:
    """Render `scene_cls` with `options`; write `<out_dir>/<name>.<fmt>` for every format.

    manim encodes at most one video (mp4, else webm); every other format comes from frames tapped
    from the renderer (GIF: nnviz's writer, also for -t; png: the poster) or from re-encoding that
    video with correct timestamps. The mp4 is rewritten fast-start. With `sections=True` manim also
    writes one clip per section (self.pause(label)), moved to `<out_dir>/<name>.sections/`."""
    import time

    import manim as mn

    from .gif import GifTap, encoder_options, faststart, transcode
    from .poster import PosterTap, SectionTap

    t0 = time.perf_counter()
    use_theme(options.theme)
    out_dir, media_dir = Path(out_dir), Path(media_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fmts = options.formats
    videos = [f for f in fmts if f in VIDEO_FORMATS]
    if options.transparent:
        primary = "webm" if "webm" in videos else None
    else:
        primary = "mp4" if "mp4" in videos else ("webm" if "webm" in videos else None)
    if sections and primary is None:
        primary = "webm" if options.transparent else "mp4"      # section clips need a video; dropped below
    files: dict[str, Path] = {}
    with mn.tempconfig({}):
        cfg = mn.config
        cfg.quality = QUALITIES[options.quality]
        if options.resolution:
            w, h = options.resolution
            cfg.pixel_width, cfg.pixel_height = w, h
            cfg.frame_width = cfg.frame_height * w / h
        if options.fps:
            cfg.frame_rate = float(options.fps)
        cfg.media_dir = str(media_dir)
        cfg.tex_dir = str(tex_dir or media_dir / "Tex")
        cfg.disable_caching = True
        cfg.video_encoder_options = encoder_options()
        cfg.verbosity = "WARNING"
        cfg.progress_bar = "display" if progress else "none"
        cfg.transparent = bool(options.transparent)
        cfg.output_file = name
        cfg.save_sections = bool(sections)
        if primary:
            cfg.format = primary
            cfg.write_to_movie = True
            cfg.save_last_frame = False
        elif "gif" in fmts or options.poster != "last":   # frames are rendered and tapped, manim writes no file
            cfg.format = "none"
            cfg.write_to_movie = False
            cfg.save_last_frame = False
        else:
            cfg.format = "png"
            cfg.write_to_movie = False
            cfg.save_last_frame = True
        scene = scene_cls()
        writer = scene.renderer.file_writer
        taps = []
        gif_tap = GifTap(cfg.frame_rate, options.gif, transparent=options.transparent) if "gif" in fmts else None
        poster_tap = PosterTap(options.poster, cfg.frame_rate, None if options.transparent
                               else lambda: mn.ManimColor(scene.camera.background_color).to_int_rgb())
        section_tap = SectionTap(writer) if sections else None
        taps = [t for t in (gif_tap, poster_tap) if t is not None]
        if sections:
            next_section = scene.next_section

            def capture_and_break(*args, **kw):
                scene.renderer.update_frame(scene, ignore_skipping=True)
                section_tap.capture(np.array(scene.renderer.get_frame()))
                next_section(*args, **kw)

            scene.next_section = capture_and_break
        write_frame = writer.write_frame

        def write_and_tap(frame, *args, **kw):
            repeat = kw.get("repeat", args[0] if args else 1)
            for tap in taps:                       # before the encoder owns the frame
                tap(frame, repeat)
            write_frame(frame, *args, **kw)

        writer.write_frame = write_and_tap
        scene.render()
        # the last *state* (a play's final alpha=1 state is applied but never drawn as a frame)
        scene.renderer.update_frame(scene, ignore_skipping=True)
        frame = np.array(scene.renderer.get_frame())
        if sections:
            section_tap.capture(frame)
        movie = None
        if primary:
            movie = Path(writer.movie_file_path)
            if not movie.exists():
                raise NNVizError(f"{scene_cls.__name__} produced no video (does construct() play any animation? "
                                 "use --format png for a still)")
        section_list = []
        if sections:
            sdir = out_dir / f"{name}.sections"
            sdir.mkdir(exist_ok=True)
            last = dict(section_tap.frames())
            for i, s in enumerate(writer.sections):
                if s.name not in last:
                    continue
                clip = None
                if s.video is not None:
                    src = writer.sections_output_dir / s.video
                    if src.exists():
                        clip = sdir / f"{len(section_list):02d}-{s.name}.{primary}"
                        shutil.move(str(src), clip)
                section_list.append((s.name, clip, last[s.name]))
    if gif_tap is not None and not gif_tap.frames:
        raise NNVizError(f"{scene_cls.__name__} rendered no frames for the GIF (does construct() play any animation?)")
    if movie is not None:
        dst = out_dir / f"{name}.{primary}"
        shutil.move(str(movie), dst)
        if primary == "mp4":
            faststart(dst)
        if primary in fmts:
            files[primary] = dst
        for f in videos:
            if f == primary or f == "gif":
                continue
            target = out_dir / f"{name}.{f}"
            transcode(dst, target, f)
            files[f] = target
        if primary not in fmts:
            dst.unlink()
    if gif_tap is not None:
        files["gif"] = gif_tap.write(out_dir / f"{name}.gif")
    poster = poster_tap.pick(frame)
    if "png" in fmts:
        from PIL import Image

        target = out_dir / f"{name}.png"
        img = Image.fromarray(np.asarray(poster) if options.transparent else np.asarray(poster)[..., :3])
        img.save(target, optimize=False)
        files["png"] = target
    return RenderResult({f: files[f] for f in fmts}, frame, time.perf_counter() - t0,
                        poster=np.asarray(poster), sections=section_list)
