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


def executed_flops(model, k=2, plane=True):
    """Multiply-adds (×2) the evaluator really performs per point per example."""
    sizes = model.sizes
    total = 0
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        rows = n_out + (0 if i == len(sizes) - 2 else 1)
        total += 2 * rows * ((k + 1) if (i == 0 and plane) else (n_in + 1))
    return total


def case(name, prob, grid, repeat, loop_points):
    model = prob.model
    th0 = model.init(np.random.default_rng(0))
    dirs = LS.random_directions(model.layout, th0, seed=1)
    xs = np.linspace(-1, 1, grid)
    P = grid * grid
    m = prob.data.n
    flops = 2 * m * sum(a * b for a, b in zip(model.sizes[:-1], model.sizes[1:]))   # per point, plain forward
    res = {"case": name, "points": P, "m": m, "params": prob.dim, "mflop_per_point": flops / 1e6,
           "exec_mflop": {"stack": executed_flops(model, plane=False) * m / 1e6,
                          "plane": executed_flops(model, plane=True) * m / 1e6}}
    pts = dirs.points(np.stack(np.meshgrid(xs, xs), -1).reshape(-1, 2))
    runs = {"stack": lambda dt: LS.evaluate_stack(prob, pts, ("loss",), dtype=dt)["loss"],
            "plane": lambda dt: LS.surface(prob, dirs, xs, xs, extras=(), dtype=dt).loss.ravel()}
    for path, fn in runs.items():
        for dt in ("float64", "float32"):
            t, out, w = best(lambda: fn(dt), repeat)
            res[(path, dt)] = {"s": t, "wall": w, "pts": P / t, "gflops": flops * P / t / 1e9,
                               "exec_gflops": res["exec_mflop"][path] * 1e6 * P / t / 1e9, "loss": out}
    idx = np.linspace(0, P - 1, min(loop_points, P)).astype(int)
    t, ref, w = best(lambda: LS.evaluate_loop(prob, pts[idx]), repeat)
    res["loop_pts"] = len(idx) / t
    res["loop_wall_pts"] = len(idx) / w
    res["loop_points_timed"] = len(idx)
    # the same loop in float32 (MLP.forward computes in θ's dtype): separates batching from dtype
    X32, Y32 = prob.data.X.astype(np.float32), prob.data.Y.astype(np.float32)
    p32 = pts[idx].astype(np.float32)
    t, _, _ = best(lambda: [model.loss_value(th, X32, Y32) for th in p32], repeat)
    res["loop32_pts"] = len(idx) / t
    for key in list(res):
        if isinstance(key, tuple):   # the evaluator must agree with the loop it is compared with
            res[key]["max_rel_err"] = float(np.max(np.abs(res[key]["loss"][idx] - ref) / np.abs(ref)))
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
              f"{r['mflop_per_point']:.2f} MFLOP/point (plain forward)")
        print(f"  per-point loop        {r['loop_pts']:8.0f} points/s   (timed on {r['loop_points_timed']} points; "
              f"wall: {r['loop_wall_pts']:.0f}/s);  the same loop in float32: {r['loop32_pts']:.0f} points/s")
        for path in ("stack", "plane"):
            for dt in ("float64", "float32"):
                q = r[(path, dt)]
                loop = r["loop32_pts"] if dt == "float32" else r["loop_pts"]
                print(f"  {path} {dt}   {q['pts']:8.0f} points/s  x{q['pts'] / r['loop_pts']:4.1f} vs loop "
                      f"(x{q['pts'] / loop:4.1f} vs {dt} loop)  "
                      f"{q['gflops']:6.1f} GFLOP/s = {100 * q['gflops'] / mm[dt]:3.0f}% of matmul"
                      f"{'' if path == 'stack' else '  (executed %.1f)' % q['exec_gflops']}"
                      f"  err {q['max_rel_err']:.0e}  wall {q['wall']:.3f}s")
    print("\nstack = evaluate_stack on an arbitrary (P, d) stack of θ (one batched forward per chunk);"
          "\nplane = surface(): the same, but layer 1 from precomputed bases (exact: it is affine in θ),"
          "\n        so its GFLOP/s counts the plain forward's multiply-adds ('equivalent'); executed in ().")


if __name__ == "__main__":
    main()
