"""The perceptron trick, recorded visit by visit.

A perceptron predicts ŷ = step(w·x + b) (1 when w·x + b ≥ 0). The trick (lecture
notes): visit the points one at a time; a misclassified point pulls the line
toward itself — a false negative *adds* η·(x, 1) to (w, b), a false positive
*subtracts* it — and η damps the move. It stops once an epoch makes no mistake,
which happens only when a line can separate the classes (AND, OR — never XOR).
Every visit is recorded so a scene can show exactly which point moved the line.
"""
from __future__ import annotations

import numpy as np

from .errors import DataError, NNVizError, ShapeError
from .records import PerceptronRun


predict = PerceptronRun.line_predict   # step(w·x + b): 1 on the line and on its positive side


def trick(w: np.ndarray, b: float, x: np.ndarray, label: int, lr: float) -> tuple[np.ndarray, float, int]:
    """One visit: move (w, b) toward a misclassified x by η·(x, 1). Returns (w, b, update)."""
    pred = int(predict(w, b, np.asarray(x)[None, :])[0])   # the one rule, round-off ties on the line
    if pred == label:
        return w, b, 0
    sign = 1 if label == 1 else -1  # false negative: add the point; false positive: subtract it
    return w + sign * lr * x, b + sign * lr, sign


def run(X, y, *, lr: float = 0.1, epochs: int = 20, w0=None, b0: float = 0.0,
        seed: int = 0, shuffle: bool = True, name: str = "") -> PerceptronRun:
    """Apply the trick epoch by epoch (a seeded visiting order each epoch) until no mistakes."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ShapeError(f"X must be (m, n) and y (m,), got {X.shape} and {y.shape}")
    if not np.all(np.isfinite(X)):
        raise DataError("X contains NaN or infinite values")
    if not np.all(np.isin(y, (0, 1))):
        raise DataError("perceptron labels must be 0 or 1")
    if lr <= 0 or epochs < 1:
        raise NNVizError("lr must be > 0 and epochs ≥ 1")
    rng = np.random.default_rng(seed)
    w = np.zeros(X.shape[1]) if w0 is None else np.asarray(w0, dtype=float).copy()
    if w.shape != (X.shape[1],):
        raise ShapeError(f"w0 must have shape ({X.shape[1]},), got {w.shape}")
    b = float(b0)
    ws, bs, pts, ups, eps = [w.copy()], [b], [-1], [0], [-1]
    errors, converged = [], -1
    for e in range(epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        n_err = 0
        for i in order:
            w, b, u = trick(w, b, X[i], int(y[i]), lr)
            n_err += u != 0
            ws.append(w.copy()); bs.append(b); pts.append(int(i)); ups.append(u); eps.append(e)
        errors.append(n_err)
        if n_err == 0:
            converged = e
            break
    cfg = {"name": name, "lr": lr, "epochs": epochs, "w0": None if w0 is None else list(map(float, w0)),
           "b0": float(b0), "seed": seed, "shuffle": shuffle}
    return PerceptronRun(cfg, X, y.astype(np.int64), np.array(ws), np.array(bs), np.array(pts, np.int64),
                         np.array(ups, np.int64), np.array(eps, np.int64), np.array(errors, np.int64),
                         converged)


# --- geometry for drawing the line (pure NumPy) ------------------------------------------------
def halfplane_polygon(w, b: float, box) -> np.ndarray:
    """The part of the box (x0, x1, y0, y1) where w·x + b ≥ 0, as polygon vertices (k, 2).

    Sutherland–Hodgman against one half-plane; empty (0, 2) when the side misses the box.
    """
    x0, x1, y0, y1 = box
    poly = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
    w = np.asarray(w, dtype=float)
    s = poly @ w + b
    out = []
    for k in range(4):
        p, q, sp, sq = poly[k], poly[(k + 1) % 4], s[k], s[(k + 1) % 4]
        if sp >= 0:
            out.append(p)
        if (sp >= 0) != (sq >= 0):
            out.append(p + (q - p) * (sp / (sp - sq)))
    return np.array(out).reshape(-1, 2)


def line_in_box(w, b: float, box) -> tuple[np.ndarray, np.ndarray] | None:
    """The two ends of the segment of w·x + b = 0 inside the box, or None if it misses it."""
    x0, x1, y0, y1 = box
    w = np.asarray(w, dtype=float)
    if np.linalg.norm(w) <= 1e-9 * max(1.0, abs(b)):  # w ≈ 0 (e.g. 0.1 − 0.1 in floats): no line
        return None
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
    s = corners @ w + b
    pts = []
    for k in range(4):
        p, q, sp, sq = corners[k], corners[(k + 1) % 4], s[k], s[(k + 1) % 4]
        if sp == 0:
            pts.append(p)
        elif sp * sq < 0:
            pts.append(p + (q - p) * (sp / (sp - sq)))
    if len(pts) < 2:
        return None
    pts = np.array(pts)
    # the two points farthest apart (a corner on the line can appear twice)
    d = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    return (pts[i], pts[j]) if d[i, j] > 0 else None
