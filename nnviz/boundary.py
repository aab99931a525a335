"""Decision boundaries as records: a network's output over the input plane, one frame per
recorded θ — what the live-boundary scenes and stills draw. Public, with every choice an argument
(no config dict): use it on your own runs and data.

    from nnviz.boundary import decision_boundary
    b = decision_boundary(model, run, data, grid=101)        # a Boundary record
    b.save("runs/my_boundary")
"""
from __future__ import annotations

import numpy as np

from .errors import ShapeError


def grid_over(X, n: int, margin: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """xs, ys: n points each over the bounding box of the 2-D points X, widened by `margin` of its size."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ShapeError(f"a decision boundary needs 2-D inputs, got X with shape {X.shape}")
    lo, hi = X.min(0), X.max(0)
    pad = margin * (hi - lo)
    return np.linspace(lo[0] - pad[0], hi[0] + pad[0], n), np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)


def output_grid(model, thetas, xs, ys) -> np.ndarray:
    """The network's first output unit on the grid for each θ: (K, ny, nx) float32."""
    gx, gy = np.meshgrid(xs, ys)
    pts = np.c_[gx.ravel(), gy.ravel()]
    return np.stack([model.predict(th, pts)[:, 0].reshape(gy.shape) for th in thetas]).astype(np.float32)


def hidden_grid(model, thetas, xs, ys, layer: int = 1) -> np.ndarray:
    """Activations of hidden layer `layer` on the grid for each θ: (K, width, ny, nx) float32."""
    gx, gy = np.meshgrid(xs, ys)
    pts = np.c_[gx.ravel(), gy.ravel()]
    return np.stack([model.forward(th, pts).post[layer].T.reshape(-1, *gy.shape) for th in thetas]).astype(np.float32)


def decision_boundary(model, run, data, grid: int = 101, margin: float = 0.25, hidden: int | None = None):
    """A `Boundary` record: P(class 1) (the first output) on a grid×grid lattice over `data`'s 2-D
    inputs for every θ kept in `run` (run.thetas at run.steps), plus the points to draw (training and,
    if any, test). `hidden=n` also keeps hidden layer 1's units on an n×n lattice."""
    from .records import Boundary

    X = np.asarray(data.X, dtype=float)
    xs, ys = grid_over(X, int(grid), margin)
    extra = {}
    if hidden:
        hx, hy = grid_over(X, int(hidden), margin)
        extra = {"hx": hx, "hy": hy, "hidden": {"h1": hidden_grid(model, run.thetas, hx, hy)}}
    if data.X_test is not None and len(data.X_test):
        Yt = data.Y_test
        lt = Yt.argmax(1) if Yt.shape[1] > 1 else (Yt[:, 0] > 0.5).astype(int)
        extra.update(X_test=np.asarray(data.X_test, float), labels_test=lt.astype(int))
    config = {"grid": int(grid), "margin": float(margin), "hidden_grid": int(hidden) if hidden else None}
    return Boundary(config, np.asarray(run.steps).copy(), xs, ys, output_grid(model, run.thetas, xs, ys),
                    X=X, labels=np.asarray(data.labels, dtype=int), **extra)
