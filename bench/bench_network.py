"""Decision-boundary heatmap under manim's Cairo camera: one ImageMobject whose pixels are
swapped per frame vs one coloured Square per grid cell (the two ways issue 6 asked to compare).

Both are timed side by side in one process on the same 64×64 grid frames of the recorded
moons run, drawing each frame with Camera.capture_mobjects at 854×480 (-ql size), repeated,
minimum taken. CPU time (time.process_time) because the dev machine is shared.

    .venv/bin/python bench/bench_network.py [--frames 30] [--repeat 3] [--grid 64]
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--grid", type=int, default=64)
    args = ap.parse_args()

    import manim as mn

    from nnviz import experiments as E
    from nnviz.render.planes import DecisionPlane, boundary_rgba

    mn.config.pixel_width, mn.config.pixel_height = 854, 480
    bd = E.load("network_training_moons")["boundary"]
    probs = bd.prob[:: max(1, len(bd.prob) // args.frames)][: args.frames]
    if args.grid != probs.shape[1]:
        idx = np.linspace(0, probs.shape[1] - 1, args.grid).round().astype(int)
        probs = probs[:, idx][:, :, idx]
    n = probs.shape[1]

    plane = DecisionPlane(np.linspace(0, 1, n), np.linspace(0, 1, n), size=4.0, prob=probs[0])
    side = 4.0 / n
    squares = mn.VGroup(*[mn.Square(side, stroke_width=0).move_to([(i - n / 2 + 0.5) * side, (j - n / 2 + 0.5) * side, 0])
                          for j in range(n) for i in range(n)])

    def image_frame(p, cam):
        plane.set_prob(p)
        cam.reset()
        cam.capture_mobjects([plane.image])

    def squares_frame(p, cam):
        rgb = boundary_rgba(p)[::-1].reshape(-1, 4)[:, :3] / 255.0
        for sq, c in zip(squares, rgb):
            sq.set_fill(mn.rgb_to_color(c), opacity=1.0)
        cam.reset()
        cam.capture_mobjects([squares])

    best = {}
    for _ in range(args.repeat):
        for name, fn in (("image", image_frame), ("squares", squares_frame)):
            cam = mn.Camera()
            t0 = time.process_time()
            for p in probs:
                fn(p, cam)
            dt = (time.process_time() - t0) / len(probs)
            best[name] = min(best.get(name, np.inf), dt)
    print(f"{n}×{n} grid, {len(probs)} frames at 854×480, min of {args.repeat} (CPU ms per frame):")
    for k, v in best.items():
        print(f"  {k:8s} {1e3 * v:8.1f} ms")
    print(f"  squares / image = {best['squares'] / best['image']:.1f}×")


if __name__ == "__main__":
    main()
