"""One render job: what the parent writes for a worker (`python -m nnviz.build JOB`) and
what the worker process does with it."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .manifest import Manifest, import_project_modules
from .state import cache_dir


def _job(t, manifest: Manifest, tmp: Path) -> dict:
    base = {"name": t.name, "kind": t.kind, "out_dir": str(tmp / "out"), "output": t.output,
            "root": str(manifest.root), "modules": [str(p) for p in manifest.modules]}
    if t.kind == "scene":
        return {**base, "scene": str(t.scene), "class": t.cls, "overrides": t.overrides,
                "options": t.options.to_json(), "media_dir": str(tmp / "media"),
                "tex_dir": str(cache_dir(manifest.root) / "typst" / t.name)}
    return {**base, "figure": t.figure, "formats": list(t.formats), "dpi": t.dpi, "theme": t.theme}


def run_job(job: dict) -> dict:
    """What a worker process does: render one target into job['out_dir']. Returns {format: file}."""
    from .. import theme
    from ..render.runner import GifOptions, RenderOptions

    # the theme first: the render kit (imported with the scene) reads colours at import
    theme.use(job["options"].get("theme") if job["kind"] == "scene" else job.get("theme"))
    import_project_modules(job.get("modules", []))
    out_dir = Path(job["out_dir"])
    if job["kind"] == "scene":
        from ..render.runner import load_scene_class, render, with_overrides

        o = dict(job["options"])
        o["gif"] = GifOptions(**o["gif"])
        opts = RenderOptions(**o)
        cls = with_overrides(load_scene_class(job["scene"], job["class"]), job["overrides"])
        # what was just imported is what the key names (the scene file: the very bytes compiled)
        _check_unchanged(job, {str(Path(job["scene"]).resolve()):
                               getattr(sys.modules.get(cls.__module__), "__source_sha256__", None)})
        drop_broken_svgs(Path(job["tex_dir"]))
        res = render(cls, out_dir, job["output"], opts, media_dir=job["media_dir"], tex_dir=job["tex_dir"])
        return {f: str(p) for f, p in res.files.items()}
    from .. import figures

    figures.get(job["figure"])       # imports the figure modules
    _check_unchanged(job)
    files = {}
    for fmt in job["formats"]:
        files[fmt] = str(figures.save(job["figure"], out_dir / f"{job['output']}.{fmt}", fmt, dpi=job["dpi"]))
    return files


def _check_unchanged(job: dict, compiled: dict | None = None) -> None:
    from ..errors import NNVizError
    from .scan import content_digest

    compiled = {f: d for f, d in (compiled or {}).items() if d}

    def now(f: str) -> str:
        return compiled.get(f) or content_digest(Path(f))

    changed = [f for f, sha in job.get("watch", {}).items() if now(f) != sha]
    if changed:
        raise NNVizError(f"{', '.join(Path(f).name for f in changed[:3])} changed after the build planned "
                         f"{job['name']}; build again")


def drop_broken_svgs(tex_dir: Path) -> list[Path]:
    """Delete SVGs in the Typst/LaTeX cache that do not parse (a write cut short): manim
    would otherwise reuse them and fail on every build until `nnviz clean`."""
    import xml.etree.ElementTree as ET

    gone = []
    if tex_dir.is_dir():
        for p in tex_dir.rglob("*.svg"):
            try:
                ET.parse(p)
            except (ET.ParseError, OSError, ValueError):
                p.unlink(missing_ok=True)
                gone.append(p)
    return gone


def _worker_main(argv) -> int:
    job = json.loads(Path(argv[0]).read_text())
    try:
        files = run_job(job)
    except Exception as e:  # reported to the parent through the exit status and the log
        import traceback

        traceback.print_exc()
        msg = f"{type(e).__name__}: {e}"
        if isinstance(e, OSError) and e.errno is not None:
            from ..errors import describe_os_error

            msg = describe_os_error(e)
        print(f"nnviz build: {job['name']} failed: {msg}", file=sys.stderr)
        return 1
    (Path(argv[0]).parent / "result.json").write_text(json.dumps(files))
    return 0

