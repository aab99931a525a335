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
    return {**base, "figure": t.figure, "formats": list(t.formats), "dpi": t.dpi}


def run_job(job: dict) -> dict:
    """What a worker process does: render one target into job['out_dir']. Returns {format: file}."""
    from ..render.runner import GifOptions, RenderOptions

    import_project_modules(job.get("modules", []))
    out_dir = Path(job["out_dir"])
    if job["kind"] == "scene":
        from ..render.runner import load_scene_class, render, with_overrides

        o = dict(job["options"])
        o["gif"] = GifOptions(**o["gif"])
        opts = RenderOptions(**o)
        cls = with_overrides(load_scene_class(job["scene"], job["class"]), job["overrides"])
        res = render(cls, out_dir, job["output"], opts, media_dir=job["media_dir"], tex_dir=job["tex_dir"])
        return {f: str(p) for f, p in res.files.items()}
    from .. import figures

    files = {}
    for fmt in job["formats"]:
        files[fmt] = str(figures.save(job["figure"], out_dir / f"{job['output']}.{fmt}", fmt, dpi=job["dpi"]))
    return files


def _worker_main(argv) -> int:
    job = json.loads(Path(argv[0]).read_text())
    try:
        files = run_job(job)
    except Exception as e:  # reported to the parent through the exit status and the log
        import traceback

        traceback.print_exc()
        print(f"nnviz build: {job['name']} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    (Path(argv[0]).parent / "result.json").write_text(json.dumps(files))
    return 0

