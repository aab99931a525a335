"""Training-step throughput of nnviz's NumPy trainer, with and without recording, vs PyTorch.

    .venv/bin/python bench/bench_train.py [--repeat 5] [--quick] [--threads 1]

Cases (toolkit scale): 2-16-16-1 (tanh, BCE) on two moons (1,000 points) at batch 1,
32 and full; 64-32-10 (tanh, softmax + CCE) on the digits training split (1,348 images)
at batch 32 and full. Plain SGD, η = 0.05, everywhere.

Each timed unit is one whole `train(...)` call (or the equivalent torch loop) of a fixed
number of steps. All variants of a case run interleaved, `--repeat` times, in this
process; we report the minimum per variant (least disturbed by other processes), in
CPU time of this process (`time.process_time`: on a shared machine, time spent
descheduled is not ours) and, for comparison, in wall time.

  nnviz off : θ kept only first and last, metrics only at start and end. Per-step loss,
              gradient norm and learning rate are always recorded (they are the Run).
  nnviz rec : θ every step (Recording(every=1)) - the trajectory scenes animate.
  nnviz rec+eval : as rec, plus full train/test loss and accuracy every epoch (the
              default); at full batch an epoch is one step, so this adds a forward pass
              over train + test per step: reported separately, it is computation, not recording.
  torch f64 / f32 : torch.nn.Sequential + torch.optim.SGD, same init, reshuffling with
              torch.randperm each epoch, loss.item() every step (what recording losses
              costs there). float64 is the equivalent computation; float32 is torch's default.

BLAS/torch threads are pinned (default 1) for both sides: at these sizes extra threads
only add contention on a shared machine.
"""
from __future__ import annotations

import argparse
import os
import sys


def _pin_threads(argv) -> int:
    n = 1
    if "--threads" in argv:
        n = int(argv[argv.index("--threads") + 1])
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    return n


THREADS = _pin_threads(sys.argv)  # before numpy/torch are imported

import time  # noqa: E402

import numpy as np  # noqa: E402

from nnviz import data, optim  # noqa: E402
from nnviz.nn import MLP  # noqa: E402
from nnviz.problems import NetworkProblem  # noqa: E402
from nnviz.train import Recording, train  # noqa: E402

try:
    import torch

    torch.set_num_threads(THREADS)
except ImportError:  # torch is optional: only for the side-by-side ratio
    torch = None

LR = 0.05


def cases(quick: bool):
    moons = data.moons(n=1000, seed=0)
    digits = data.digits(seed=0)
    s = 0.25 if quick else 1.0
    # (label, dataset, sizes, loss, batch, steps)
    return [
        ("2-16-16-1 moons b=1", moons, (2, 16, 16, 1), "bce", 1, int(3000 * s)),
        ("2-16-16-1 moons b=32", moons, (2, 16, 16, 1), "bce", 32, int(1280 * s)),
        ("2-16-16-1 moons full", moons, (2, 16, 16, 1), "bce", None, int(600 * s)),
        ("64-32-10 digits b=32", digits, (64, 32, 10), "cce", 32, int(1290 * s)),
        ("64-32-10 digits full", digits, (64, 32, 10), "cce", None, int(300 * s)),
    ]


def nnviz_runner(problem, theta0, batch, steps, mode):
    rec = {
        "off": Recording(every=steps, eval_every=steps),
        "rec": Recording(every=1, eval_every=steps),
        "rec+eval": Recording(every=1),
    }[mode]

    def go():
        return train(problem, optim.sgd(LR), theta0, steps=steps, batch_size=batch, seed=0, record=rec)

    return go


def torch_runner(problem, theta0, batch, steps, dtype):
    m = problem.model
    layers = []
    for i in range(1, m.n_layers + 1):
        layers.append(torch.nn.Linear(m.sizes[i - 1], m.sizes[i], dtype=dtype))
        if i < m.n_layers:
            layers.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for i, lin in enumerate(net[::2], start=1):
            W, b = m.weights(theta0, i)
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
            lin.bias.copy_(torch.from_numpy(b))
    init = [p.detach().clone() for p in net.parameters()]
    X = torch.from_numpy(problem.data.X).to(dtype)
    if m.loss == "bce":
        Y = torch.from_numpy(problem.data.Y).to(dtype)
        loss_fn = torch.nn.BCEWithLogitsLoss()
    else:
        Y = torch.from_numpy(problem.data.Y.argmax(1))
        loss_fn = torch.nn.CrossEntropyLoss()
    n = X.shape[0]
    b = n if batch is None else batch

    def go():
        with torch.no_grad():
            for p, p0 in zip(net.parameters(), init):
                p.copy_(p0)
        opt = torch.optim.SGD(net.parameters(), lr=LR)
        gen = torch.Generator().manual_seed(0)
        losses = []
        t = 0
        while t < steps:
            perm = torch.randperm(n, generator=gen) if batch is not None else None
            for s in range(0, n, b):
                if perm is None:
                    xb, yb = X, Y
                else:
                    idx = perm[s:s + b]
                    xb, yb = X[idx], Y[idx]
                opt.zero_grad()
                loss = loss_fn(net(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
                t += 1
                if t >= steps:
                    break
        return losses

    return go


def timed(fn):
    """(CPU seconds of this process, wall seconds, result)."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c0, time.perf_counter() - t0, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="a quarter of the steps (smoke test)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args(argv)
    use_torch = torch is not None and not args.no_torch
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, "
          f"threads {THREADS}, repeat {args.repeat} (min)")
    rows, walls = [], []
    for label, ds, sizes, loss, batch, steps in cases(args.quick):
        model = MLP(sizes, hidden="tanh", loss=loss)
        problem = NetworkProblem(model, ds)
        theta0 = model.init(np.random.default_rng(0))
        runners = {mode: nnviz_runner(problem, theta0, batch, steps, mode) for mode in ("off", "rec", "rec+eval")}
        if use_torch:
            runners["torch f64"] = torch_runner(problem, theta0, batch, steps, torch.float64)
            runners["torch f32"] = torch_runner(problem, theta0, batch, steps, torch.float32)
        best = {k: np.inf for k in runners}
        wall = {k: np.inf for k in runners}
        final = {}
        for fn in runners.values():  # warm-up (imports, caches, allocator)
            fn()
        for _ in range(args.repeat):
            for k, fn in runners.items():  # interleaved: each repeat runs every variant once
                cpu, dt, out = timed(fn)
                best[k] = min(best[k], cpu)
                wall[k] = min(wall[k], dt)
                final[k] = out.loss[-1] if hasattr(out, "loss") else out[-1]
        if batch is None:
            ex = steps * ds.n
        else:  # whole epochs plus the leftover steps; each epoch ends with a partial batch
            spe = -(-ds.n // batch)
            ex = (steps // spe) * ds.n + (steps % spe) * batch
        rows.append((label, steps, ex, best, final))
        print(f"  done {label}", flush=True)
        walls.append(wall)

    print()
    print("throughput from the minimum CPU time of this process (robust to other load);")
    print("wall-clock steps/s (minimum wall time) in the last column for comparison")
    hdr = f"{'case':24s} {'variant':10s} {'steps/s':>10s} {'examples/s':>12s} {'last loss':>10s} {'wall st/s':>10s}"
    print(hdr)
    print("-" * len(hdr))
    for (label, steps, ex, best, final), wall in zip(rows, walls):
        for k, dt in best.items():
            print(f"{label:24s} {k:10s} {steps / dt:10.0f} {ex / dt:12.0f} {final[k]:10.4f} {steps / wall[k]:10.0f}")
        print()
    print("ratios (>1 means the first is slower):")
    for label, steps, ex, best, final in rows:
        parts = [f"rec/off {best['rec'] / best['off']:.3f}", f"rec+eval/off {best['rec+eval'] / best['off']:.3f}"]
        if use_torch:
            parts += [f"nnviz rec / torch f64 {best['rec'] / best['torch f64']:.2f}",
                      f"nnviz rec / torch f32 {best['rec'] / best['torch f32']:.2f}"]
        print(f"  {label:24s} " + ", ".join(parts))


if __name__ == "__main__":
    main()
