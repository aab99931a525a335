"""Loss-surface evaluation speed: the vectorised grid evaluator vs a per-point loop, and vs matmul.

    .venv/bin/python bench/bench_landscape.py [--repeat 3] [--grid 51]

Two 51×51 grids through a random filter-normalised plane:
  (a) a 2-16-16-1 tanh/BCE MLP on 1,000 moons points
  (b) a 64-32-10 tanh/CCE MLP on the digits training set (1,347 images)
For each: points/s of `landscape.surface` (float64 and float32) and of a plain loop of
`MLP.loss_value` over the same points, in the same process; their ratio; and achieved
GFLOP/s (the forward pass's multiply-adds, 2·m·Σ nᵢnᵢ₊₁ per point) against a plain
large matrix product of the same dtype timed here too (the practical limit).
Best of `repeat` timings each. BLAS runs on ONE thread for every measurement (threadpoolctl):
on a shared 2-core machine a threaded GEMM waiting for a busy core made small products 30x
slower and the numbers meaningless. Times are CPU seconds of this process (`time.process_time`,
robust to other users' load; equal to wall time on an idle machine, since everything is
single-threaded) and wall seconds alongside.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from nnviz import data
from nnviz import landscape as LS
from nnviz.nn import MLP
from nnviz.problems import NetworkProblem


CLOCK = {"cpu": time.process_time, "wall": time.perf_counter}


def best(fn, repeat, clock="cpu"):
    """(best CPU-or-wall seconds, the result, best wall seconds)."""
    out, times, walls = None, [], []
    for _ in range(repeat):
        t, w = CLOCK[clock](), time.perf_counter()
        out = fn()
        times.append(CLOCK[clock]() - t)
        walls.append(time.perf_counter() - w)
    return min(times), out, min(walls)


def matmul_gflops(dtype, n=2048, repeat=3):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n)).astype(dtype)
    B = rng.standard_normal((n, n)).astype(dtype)
    A @ B
    t, _, _ = best(lambda: A @ B, repeat)
    return 2 * n ** 3 / t / 1e9


def case(name, prob, grid, repeat, loop_points):
    model = prob.model
    th0 = model.init(np.random.default_rng(0))
    dirs = LS.random_directions(model.layout, th0, seed=1)
    xs = np.linspace(-1, 1, grid)
    P = grid * grid
    m = prob.data.n
    flops = 2 * m * sum(a * b for a, b in zip(model.sizes[:-1], model.sizes[1:]))   # per point
    res = {"case": name, "points": P, "m": m, "params": prob.dim, "mflop_per_point": flops / 1e6}
    for dt in ("float64", "float32"):
        t, s, w = best(lambda: LS.surface(prob, dirs, xs, xs, extras=(), dtype=dt), repeat)
        res[f"vec_{dt}_s"] = t
        res[f"vec_{dt}_wall"] = w
        res[f"vec_{dt}_pts"] = P / t
        res[f"vec_{dt}_gflops"] = flops * P / t / 1e9
        res[f"surface_{dt}"] = s
    pts = dirs.points(np.stack(np.meshgrid(xs, xs), -1).reshape(-1, 2))
    sub = pts[np.linspace(0, P - 1, min(loop_points, P)).astype(int)]
    t, ref, w = best(lambda: LS.evaluate_loop(prob, sub), repeat)
    res["loop_s"] = t * P / len(sub)
    res["loop_wall_pts"] = len(sub) / w
    res["loop_pts"] = len(sub) / t
    res["loop_points_timed"] = len(sub)
    # the evaluator must agree with the loop it is compared with
    idx = np.linspace(0, P - 1, min(loop_points, P)).astype(int)
    res["max_rel_err_f64"] = float(np.max(np.abs(res["surface_float64"].loss.ravel()[idx] - ref) / np.abs(ref)))
    res["max_rel_err_f32"] = float(np.max(np.abs(res["surface_float32"].loss.ravel()[idx] - ref) / np.abs(ref)))
    return res


def main(argv=None):
    from threadpoolctl import threadpool_limits  # ships with scikit-learn, already a dependency

    with threadpool_limits(1):
        _main(argv)


def _main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--grid", type=int, default=51)
    ap.add_argument("--loop-points", type=int, default=2601, help="points timed in the per-point loop")
    args = ap.parse_args(argv)
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs visible, BLAS limited to 1 thread, "
          f"load average {os.getloadavg()[0]:.2f}; rates from CPU time, best of {args.repeat}")
    mm = {dt: matmul_gflops(dt, repeat=args.repeat) for dt in ("float64", "float32")}
    print(f"matmul 2048²: float64 {mm['float64']:.1f} GFLOP/s, float32 {mm['float32']:.1f} GFLOP/s")
    moons = data.moons(n=1000, seed=0, noise=0.2)
    a = NetworkProblem(MLP((2, 16, 16, 1), hidden="tanh", loss="bce"), moons)
    digits = data.digits(seed=0)
    b = NetworkProblem(MLP((64, 32, 10), hidden="tanh", loss="cce"), digits)
    for name, prob in (("(a) 2-16-16-1, 1000 moons", a), ("(b) 64-32-10, digits", b)):
        r = case(name, prob, args.grid, args.repeat, args.loop_points)
        print(f"\n{name}: {r['points']} grid points, m={r['m']}, d={r['params']}, "
              f"{r['mflop_per_point']:.2f} MFLOP/point")
        print(f"  per-point loop     {r['loop_pts']:10.0f} points/s   (timed on {r['loop_points_timed']} points; "
              f"wall: {r['loop_wall_pts']:.0f}/s)")
        for dt in ("float64", "float32"):
            print(f"  vectorised {dt}  {r[f'vec_{dt}_pts']:10.0f} points/s   {r[f'vec_{dt}_s']:.3f} s/grid "
                  f"(wall {r[f'vec_{dt}_wall']:.3f})   "
                  f"x{r[f'vec_{dt}_pts'] / r['loop_pts']:.1f} vs loop   "
                  f"{r[f'vec_{dt}_gflops']:.1f} GFLOP/s = {100 * r[f'vec_{dt}_gflops'] / mm[dt]:.0f}% of {dt} matmul")
        print(f"  max rel. difference from the loop: float64 {r['max_rel_err_f64']:.1e}, "
              f"float32 {r['max_rel_err_f32']:.1e}")


if __name__ == "__main__":
    main()
