"""`nnviz slides TARGET|GROUP`: a self-contained slide deck from the scenes' slide breaks.

Each scene target is rendered once with manim sections on (`self.pause(label)` starts one); every
section becomes one slide: its clip, and its last frame as the slide's poster and handout page.
Out comes a folder `renders/slides/<name>/`:

    index.html     the deck: ←/→/space/PageUp/PageDown, Home/End, f = fullscreen, r = replay;
                   deep links #<target>/<label>; no network (plain HTML + JS, files beside it, or
                   everything inside the one HTML file with --embed)
    clips/NN-<target>-<label>.mp4|webm, posters/NN-<target>-<label>.png
    handout.pdf    one page per slide: the section's last frame, captioned
"""
from __future__ import annotations

import base64
import html
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import NNVizError
from .atomic import atomic_path
from .folders import renders_dir, tmp_dir, typst_dir, use_project


@dataclass
class Slide:
    target: str
    label: str
    clip: Path
    poster: Path
    description: str = ""

    @property
    def anchor(self) -> str:
        return f"{self.target}/{self.label}"


def build_deck(manifest, names, out_dir=None, quality: str | None = None, embed: bool = False,
               video: str = "mp4", progress: bool = True, log=None, theme: str | None = None) -> Path:
    """Render the scene targets `names` (targets or groups) with sections and write the deck."""
    from PIL import Image

    from . import experiments
    from .build import import_project_modules
    from .render.runner import load_scene_class, render, use_theme, with_overrides

    if video not in ("webm", "mp4"):
        raise NNVizError(f"deck video must be webm or mp4, got {video!r}")
    targets = [t for t in manifest.select(names) if t.kind == "scene"]
    if not targets:
        raise NNVizError(f"no scene targets in {', '.join(names)}: a deck needs scenes (figures have no slides)")
    themes = {t.options.theme for t in targets}
    if theme is None and len(themes) > 1:
        raise NNVizError(f"the deck's targets use different themes ({', '.join(sorted(map(str, themes)))}): "
                         "pass --theme dark|light for the whole deck")
    theme = theme or themes.pop()
    use_theme(theme)             # before any scene (and the kit) is imported
    from . import theme as T

    T.use(theme)                 # the handout's paper follows the deck (None: white paper)
    root = manifest.root
    import_project_modules(manifest.modules)
    use_project(root)
    name = names[0] if len(names) == 1 else "deck"
    out = Path(out_dir) if out_dir else renders_dir(root) / "slides" / name
    tmp_root = tmp_dir(root)
    tmp_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=tmp_root, prefix=f"slides-{os.getpid()}-"))
    try:
        stage = work / "deck"
        (stage / "clips").mkdir(parents=True)
        (stage / "posters").mkdir()
        slides: list[Slide] = []
        for t in targets:
            for e in t.experiments:
                experiments.run(e)
            opts = replace(t.options, formats=(video,), transparent=False, poster="last",
                           quality=quality or t.options.quality, theme=theme)
            cls = with_overrides(load_scene_class(t.scene, t.cls), t.overrides)
            res = render(cls, work / "r" / t.name, t.name, opts, media_dir=work / "media" / t.name,
                         tex_dir=typst_dir(root) / "slides", progress=progress,
                         sections=True)
            for label, clip, last in res.sections:
                if clip is None:
                    continue
                stem = f"{len(slides):02d}-{t.name}-{label}"
                dst = stage / "clips" / f"{stem}.{video}"
                shutil.move(str(clip), dst)
                poster = stage / "posters" / f"{stem}.png"
                Image.fromarray(last[..., :3]).save(poster)
                slides.append(Slide(t.name, label, dst, poster, t.description))
            (log or _stderr)(f"{t.name}: {len(res.sections)} slides ({', '.join(s[0] for s in res.sections)}) "
                             f"in {res.seconds:.1f}s")
        if not slides:
            raise NNVizError("the scenes rendered no sections")
        write_handout(slides, stage / "handout.pdf", title=name)
        (stage / "index.html").write_text(deck_html(slides, stage, title=name, embed=embed))
        if embed:
            shutil.rmtree(stage / "clips")
            shutil.rmtree(stage / "posters")
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(stage), out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out / "index.html"


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


def write_handout(slides, path, title: str = "") -> Path:
    """One page per slide: the section's last frame (the state the slide arrives at) and its caption."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages
    from PIL import Image

    from . import theme

    with atomic_path(path, suffix=".pdf") as tmp:
        with PdfPages(tmp) as pdf:
            for i, s in enumerate(slides, start=1):
                fig = plt.figure(figsize=(11.69, 8.27))       # A4 landscape
                fig.patch.set_facecolor(theme.PAPER)
                ax = fig.add_axes([0.05, 0.12, 0.9, 0.8])
                ax.imshow(Image.open(s.poster))
                ax.set_axis_off()
                fig.text(0.05, 0.06, f"{i}/{len(slides)}   {s.target} · {s.label}", fontsize=14,
                         color=theme.INK, family=theme.FONT)
                if s.description:
                    fig.text(0.05, 0.03, s.description, fontsize=10, color=theme.INK, family=theme.FONT)
                pdf.savefig(fig, facecolor=theme.PAPER)
                plt.close(fig)
            d = pdf.infodict()
            d["Title"] = f"{title} — handout"
            d["Creator"] = "nnviz slides"
    return Path(path)


def _src(path: Path, stage: Path, embed: bool) -> str:
    if not embed:
        return path.relative_to(stage).as_posix()
    mime = {".png": "image/png", ".mp4": "video/mp4", ".webm": "video/webm"}[path.suffix]
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


def deck_html(slides, stage: Path, title: str, embed: bool = False) -> str:
    data = [{"target": s.target, "label": s.label, "anchor": s.anchor, "clip": _src(s.clip, stage, embed),
             "poster": _src(s.poster, stage, embed), "description": s.description} for s in slides]
    from . import theme

    return _TEMPLATE.replace("__TITLE__", html.escape(title)).replace(
        "__SLIDES__", json.dumps(data).replace("</", "<\\/")).replace(
        "__BG__", theme.BACKGROUND).replace("__FG__", theme.FOREGROUND).replace("__MUTED__", theme.MUTED)


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
  html, body { margin: 0; height: 100%; background: __BG__; color: __FG__;
               font-family: "DejaVu Sans", sans-serif; overflow: hidden; }
  #stage { position: absolute; inset: 0 0 2.2em 0; display: flex; align-items: center; justify-content: center; }
  video { max-width: 100%; max-height: 100%; width: 100%; height: 100%; object-fit: contain; background: __BG__; }
  #bar { position: absolute; left: 0; right: 0; bottom: 0; height: 2.2em; display: flex; align-items: center;
         gap: 1em; padding: 0 1em; color: __MUTED__; font-size: 14px; }
  #bar b { color: __FG__; font-weight: normal; }
  #help { margin-left: auto; }
  :fullscreen #bar { display: none; }
  :fullscreen #stage { inset: 0; }
</style></head>
<body>
<div id="stage"><video id="clip" playsinline muted preload="auto"></video></div>
<div id="bar"><b id="count"></b><span id="where"></span>
  <span id="help">← → space: slides · f: fullscreen · r: replay</span></div>
<script>
"use strict";
const SLIDES = __SLIDES__;
const params = new URLSearchParams(location.search);
const AUTOPLAY = params.get("autoplay") !== "0";
const video = document.getElementById("clip");
let current = -1;

function show(i, play) {
  i = Math.max(0, Math.min(SLIDES.length - 1, i));
  const s = SLIDES[i];
  current = i;
  video.pause();
  video.poster = s.poster;                  // the slide's last frame: what it arrives at
  video.src = s.clip;
  document.getElementById("count").textContent = (i + 1) + " / " + SLIDES.length;
  document.getElementById("where").textContent = s.target + " · " + s.label;
  document.body.dataset.slide = String(i);
  document.body.dataset.anchor = s.anchor;
  history.replaceState(null, "", "#" + s.anchor);
  if (play && AUTOPLAY) {
    video.currentTime = 0;
    video.play().catch(() => {});
  } else {
    video.load();                           // stays on the poster
  }
}

function fromHash() {
  const a = decodeURIComponent(location.hash.slice(1));
  const i = SLIDES.findIndex(s => s.anchor === a);
  return i < 0 ? 0 : i;
}

document.addEventListener("keydown", e => {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const k = e.key;
  if (k === "ArrowRight" || k === " " || k === "PageDown" || k === "ArrowDown" || k === "Enter") {
    show(current + 1, true);
  } else if (k === "ArrowLeft" || k === "PageUp" || k === "ArrowUp" || k === "Backspace") {
    show(current - 1, false);
  } else if (k === "Home") {
    show(0, false);
  } else if (k === "End") {
    show(SLIDES.length - 1, false);
  } else if (k === "r") {
    show(current, true);
  } else if (k === "f") {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen().catch(() => {});
  } else {
    return;
  }
  e.preventDefault();
});
document.getElementById("stage").addEventListener("click", () => show(current + 1, true));
show(fromHash(), true);
</script>
</body></html>
"""
