"""Build speed: no-op `nnviz build` time and `-j 2` vs `-j 1` wall time.

    .venv/bin/python bench/bench_build.py [--repeat 5] [--parallel 6] [--pairs 1] [--repo] [--repo-group showcase]

(1) No-op: a synthetic project (12 targets: variants of scenes/showcase_intro.py via
    `set`, mixed formats, 320x180) is built once, then `python -m nnviz build` is timed
    `repeat` times when nothing changed, side by side with the floor it cannot beat:
    the same interpreter running `python -c "import nnviz"`. With --repo the repository's
    own renders.toml is timed the same way (it is built first if anything is stale).
(2) Parallel: `build GROUP --force` at -j 1 and -j 2 on `--parallel N` intro variants at
    the default low quality (854x480, 15 fps, mp4), in the same run; with --repo also on
    the repository's `--repo-group`. Reports the ratio, the CPU count and the load average
    before and after, because on a shared machine other users' work distorts -j timings.
All times are wall-clock seconds of whole subprocesses (what a user waits for).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INTRO = REPO / "scenes" / "showcase_intro.py"


def run(args, cwd, check=True) -> tuple[float, str]:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if check and r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{r.stdout}\n{r.stderr}")
    return wall, r.stdout + r.stderr


def nnviz(manifest: Path, *args) -> tuple[float, str]:
    return run(["-m", "nnviz", "--manifest", str(manifest), *args, "--no-progress"], cwd=manifest.parent)


def counts(out: str) -> tuple[int, int, int]:
    m = re.search(r"built (\d+), skipped (\d+) \(up to date\), failed (\d+)", out)
    return tuple(int(x) for x in m.groups()) if m else (-1, -1, -1)


def synthetic(root: Path, n_noop: int = 12, n_par: int = 6) -> Path:
    (root / "scenes").mkdir(parents=True)
    shutil.copy(INTRO, root / "scenes" / "showcase_intro.py")
    lines = ['[settings]', 'quality = "low"', 'formats = ["mp4"]', '',
             '[groups]', f'noop = [{", ".join(f"{chr(34)}t{i:02d}{chr(34)}" for i in range(n_noop))}]',
             f'par = [{", ".join(f"{chr(34)}p{i:02d}{chr(34)}" for i in range(n_par))}]', '']
    fmts = ['["png"]', '["mp4"]', '["mp4", "png"]', '["gif"]']
    for i in range(n_noop):
        lines += [f'[targets.t{i:02d}]', 'scene = "scenes/showcase_intro.py"', 'class = "ShowcaseIntro"',
                  f'formats = {fmts[i % len(fmts)]}', 'resolution = "320x180"', 'fps = 10',
                  f'set = {{ tagline = "variant {i}" }}', '']
    for i in range(n_par):
        lines += [f'[targets.p{i:02d}]', 'scene = "scenes/showcase_intro.py"', 'class = "ShowcaseIntro"',
                  f'set = {{ tagline = "parallel variant {i}" }}', '']
    (root / "renders.toml").write_text("\n".join(lines))
    return root / "renders.toml"


def noop(manifest: Path, group: str | None, repeat: int) -> dict:
    sel = [group] if group else []
    w, out = nnviz(manifest, "build", *sel, "-j", "2")
    b, s, f = counts(out)
    if f:
        raise SystemExit(f"warm-up build failed:\n{out}")
    walls, floors = [], []
    for _ in range(repeat):   # interleaved with the floor, so load changes hit both alike
        w, out = nnviz(manifest, "build", *sel)
        assert counts(out)[0] == 0, out
        walls.append(w)
        floors.append(run(["-c", "import nnviz"], cwd=manifest.parent)[0])
    return {"targets": s + b, "warmup_built": b, "noop_median": statistics.median(walls), "noop_best": min(walls),
            "floor_median": statistics.median(floors)}


def parallel(manifest: Path, group: str) -> dict:
    load0 = os.getloadavg()
    t1, out1 = nnviz(manifest, "build", group, "--force", "-j", "1")
    t2, out2 = nnviz(manifest, "build", group, "--force", "-j", "2")
    load1 = os.getloadavg()
    n = counts(out1)[0]
    if counts(out1)[2] or counts(out2)[2]:
        raise SystemExit(f"parallel builds failed:\n{out1}\n{out2}")
    return {"targets": n, "j1": t1, "j2": t2, "speedup": t1 / t2, "load_before": load0, "load_after": load1}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--parallel", type=int, default=6, help="intro variants for the -j comparison")
    ap.add_argument("--pairs", type=int, default=1, help="interleaved -j 1 / -j 2 pairs (median reported)")
    ap.add_argument("--repo", action="store_true", help="also time the repository's renders.toml")
    ap.add_argument("--repo-group", default="showcase")
    a = ap.parse_args(argv)
    print(f"cpus: {os.cpu_count()}  load average: {os.getloadavg()}  python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="nnviz-bench-") as d:
        env_cache = Path(d) / "records"
        os.environ["NNVIZ_CACHE"] = str(env_cache)
        m = synthetic(Path(d) / "proj", 12, a.parallel)
        r = noop(m, "noop", a.repeat)
        print(f"no-op build, synthetic manifest ({r['targets']} targets): median {r['noop_median']:.2f}s, "
              f"best {r['noop_best']:.2f}s;  floor `python -c 'import nnviz'` median {r['floor_median']:.2f}s  "
              f"(ratio {r['noop_median'] / r['floor_median']:.1f}x)")
        ratios = []
        for _ in range(a.pairs):
            p = parallel(m, "par")
            ratios.append(p["speedup"])
            print(f"-j 1 vs -j 2, {p['targets']} intro renders at low quality: {p['j1']:.1f}s vs {p['j2']:.1f}s "
                  f"→ {p['speedup']:.2f}x  (load before {p['load_before'][0]:.1f}, after {p['load_after'][0]:.1f})")
        if a.pairs > 1:
            print(f"-j 2 speed-up over {a.pairs} interleaved pairs: median {statistics.median(ratios):.2f}x, "
                  f"range {min(ratios):.2f}-{max(ratios):.2f}x")
    os.environ.pop("NNVIZ_CACHE", None)
    if a.repo:
        man = REPO / "renders.toml"
        r = noop(man, None, a.repeat)
        print(f"no-op build, repository manifest ({r['targets']} targets, {r['warmup_built']} built in warm-up): "
              f"median {r['noop_median']:.2f}s, best {r['noop_best']:.2f}s; floor {r['floor_median']:.2f}s")
        p = parallel(man, a.repo_group)
        print(f"-j 1 vs -j 2 on {a.repo_group!r} ({p['targets']} targets): {p['j1']:.1f}s vs {p['j2']:.1f}s "
              f"→ {p['speedup']:.2f}x  (load before {p['load_before'][0]:.1f}, after {p['load_after'][0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
