"""3-D surface drawing speed: manim.Surface vs the render kit's SurfaceMesh, side by side in one process.

    .venv/bin/python bench/bench_surface.py            # frames at 24², 48², 64² faces × 480p, 1080p + scenes at -qh
    .venv/bin/python bench/bench_surface.py --quick    # fewer repeats, scenes at -ql (≤ 2 minutes)

1. Frame time: one camera capture of the same surface (a two-bump loss-like height field), same
   face count, same colours (theme ramp at each face's centre), same light and camera (phi 62°,
   theta −105°, as DescentSurface): `manim.Surface` through manim's `ThreeDCamera` vs `SurfaceMesh`
   through `SurfaceCamera`. Best of `--repeat` CPU times of this process (`time.process_time`: the
   development machine is shared, and both run single-threaded), wall time alongside.
2. A whole scene: DescentSurface as it was before (`manim.Surface`, the 24² mesh the scene used)
   and as it is (`SurfaceMesh`, the record's 64² grid), rendered one after the other in this process
   at -qh (--quick: -ql); CPU and wall seconds.

The last line is `surface speed-up: <N>x at <F> faces` for the 64×64 mesh at 1920×1080.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import manim as mn  # noqa: E402

from nnviz.render.surface import box_axes  # noqa: E402
from nnviz.render.surface3d import SurfaceCamera, SurfaceMesh, manim_surface  # noqa: E402

SIZES = {"480p": (854, 480), "1080p": (1920, 1080)}


def field(n=129):
    xs = np.linspace(-2, 2, n)
    X, Y = np.meshgrid(xs, xs)
    Z = (np.log1p((X - 0.7) ** 2 + 2 * (Y + 0.4) ** 2) + 0.8 * np.exp(-((X + 0.8) ** 2 + (Y - 0.6) ** 2) * 3)
         - 0.6 * np.exp(-((X + 0.9) ** 2 + (Y + 0.9) ** 2) * 4))
    return xs, Z


def frame_time(mob, camera_cls, size, repeat):
    cam = camera_cls(pixel_width=size[0], pixel_height=size[1], phi=62 * mn.DEGREES, theta=-105 * mn.DEGREES,
                     zoom=0.9)
    cpu, wall = [], []
    for _ in range(repeat):
        cam.reset()
        t, w = time.process_time(), time.perf_counter()
        cam.capture_mobjects([mob])
        cpu.append(time.process_time() - t)
        wall.append(time.perf_counter() - w)
    return min(cpu), min(wall)


def frames(repeat, sizes=(24, 48, 64)):
    xs, Z = field()
    ax = box_axes((-2, 2), (-2, 2), (Z.min(), Z.max()), z_length=4.0)
    rows = []
    print(f"{'faces':>9} {'size':>6} {'manim.Surface ms':>17} {'SurfaceMesh ms':>15} {'speed-up':>9}   (CPU; wall)")
    for n in sizes:
        ref = manim_surface(ax, xs, xs, Z, n)
        new = SurfaceMesh(ax, xs, xs, Z, resolution=n)
        for name, size in SIZES.items():
            rc, rw = frame_time(ref, mn.ThreeDCamera, size, max(1, repeat // 2) if n >= 48 else repeat)
            nc, nw = frame_time(new, SurfaceCamera, size, repeat)
            rows.append((n, name, rc, nc))
            print(f"{n:>4}×{n:<4} {name:>6} {rc * 1e3:>10.1f} ({rw * 1e3:5.0f}) {nc * 1e3:>8.1f} ({nw * 1e3:4.0f}) "
                  f"{rc / nc:>8.1f}x", flush=True)
    return rows


def scene_times(quality):
    from nnviz.render.runner import RenderOptions, render
    from nnviz.render.surface import LossSurface

    sys.path.insert(0, str(ROOT / "scenes"))
    import descent_surface as ds

    class DescentSurfaceBefore(ds.DescentSurface):
        """The scene as it was drawn before: manim.Surface at 24 faces a side, paths on top."""

        def mesh(self, axes, xs, ys, H):
            return LossSurface(axes, xs, ys, H, resolution=24, opacity=0.75)

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, cls in (("before (manim.Surface 24²)", DescentSurfaceBefore), ("after (SurfaceMesh 64²)", ds.DescentSurface)):
            t, w = time.process_time(), time.perf_counter()
            render(cls, Path(tmp) / "out", cls.__name__, RenderOptions(quality, ("mp4",)), media_dir=Path(tmp) / "media")
            out[name] = (time.process_time() - t, time.perf_counter() - w)
            print(f"DescentSurface -q{quality[0]} {name}: {out[name][0]:.1f} s CPU, {out[name][1]:.1f} s wall",
                  flush=True)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats; scenes at -ql (≤ 2 minutes)")
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--no-scene", action="store_true", help="frame times only")
    a = ap.parse_args(argv)
    repeat = a.repeat or (2 if a.quick else 5)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores", flush=True)
    rows = frames(repeat)
    if not a.no_scene:
        scene_times("low" if a.quick else "high")
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    n, _, rc, nc = next(r for r in rows if r[0] == 64 and r[1] == "1080p")
    print(f"surface speed-up: {rc / nc:.1f}x at {n * n} faces")


if __name__ == "__main__":
    main()
