"""Clip paths to a box *before* they reach manim (pure NumPy, no manim import).

Why: manim 0.22 crashes on NaN vertices in shaded surfaces, raises in MoveAlongPath
on inf paths and silently drops NaN points. A diverging run is something we want
to *show*, so the path is cut into the finite, in-box pieces that can be drawn,
and where it leaves for good we keep the exit point and direction for a marker.

`clip_path(points, bounds, steps)` works in any dimension (2-D plots, 3-D
surfaces): each segment p_k → p_{k+1} with finite ends is clipped to the box
(Liang–Barsky); consecutive visible pieces are chained into polylines, and every
vertex carries its (fractional) step so animations can grow the path by step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ShapeError


@dataclass(frozen=True)
class Exit:
    """Where a path leaves the box for good (or turns non-finite)."""

    point: np.ndarray            # (d,) last drawable point, on the box edge when it left the box
    direction: np.ndarray | None  # (d,) unit vector it was heading in, None if unknown
    step: float                  # the (fractional) step at `point`
    reason: str                  # "left" (went out of the box) or "nonfinite" (NaN/inf)


@dataclass(frozen=True)
class Clipped:
    """Drawable pieces of a path: each a (points (m, d), steps (m,)) pair, all finite and in the box."""

    segments: tuple
    exit: Exit | None
    n_points: int

    @property
    def empty(self) -> bool:
        return not self.segments

    def points(self) -> np.ndarray:
        """All drawable vertices, pieces concatenated (for bounds, tests)."""
        if not self.segments:
            return np.zeros((0, 0))
        return np.concatenate([p for p, _ in self.segments])

    def upto(self, step: float) -> list[np.ndarray]:
        """The drawable pieces up to `step` (the last one ends at an interpolated point)."""
        out = []
        for pts, st in self.segments:
            if st[0] > step:
                break
            k = int(np.searchsorted(st, step, side="right"))
            piece = pts[:k]
            if k < len(st) and st[k] > st[k - 1]:
                u = (step - st[k - 1]) / (st[k] - st[k - 1])
                piece = np.vstack([piece, pts[k - 1] + u * (pts[k] - pts[k - 1])])
            out.append(piece)
        return out

    def between(self, lo: float, hi: float) -> list[np.ndarray]:
        """The drawable pieces from step `lo` to step `hi` (both ends interpolated): a fading trail
        draws its older and newer parts as separate pieces."""
        out = []
        for pts, st in self.segments:
            if st[0] > hi or st[-1] < lo:
                continue
            a, b = max(lo, st[0]), min(hi, st[-1])
            inner = (st > a) & (st < b)
            piece = [self._at(pts, st, a)] + list(pts[inner]) + [self._at(pts, st, b)]
            out.append(np.array(piece))
        return out

    @staticmethod
    def _at(pts, st, step):
        k = int(np.searchsorted(st, step, side="right"))
        if k >= len(st):
            return pts[-1].copy()
        if k == 0:
            return pts[0].copy()
        u = (step - st[k - 1]) / (st[k] - st[k - 1]) if st[k] > st[k - 1] else 0.0
        return pts[k - 1] + u * (pts[k] - pts[k - 1])

    def position(self, step: float) -> np.ndarray | None:
        """Where the path is at `step`, or None when it is outside the box / non-finite then."""
        for pts, st in self.segments:
            if st[0] <= step <= st[-1]:
                k = int(np.searchsorted(st, step, side="right"))
                if k >= len(st):
                    return pts[-1].copy()
                u = (step - st[k - 1]) / (st[k] - st[k - 1]) if st[k] > st[k - 1] else 0.0
                return pts[k - 1] + u * (pts[k] - pts[k - 1])
        return None


def as_bounds(bounds, d: int) -> np.ndarray:
    b = np.asarray(bounds, dtype=float)
    if b.shape != (d, 2) or not np.all(np.isfinite(b)) or np.any(b[:, 0] >= b[:, 1]):
        raise ShapeError(f"bounds must be {d} finite (low, high) pairs with low < high, got {b.tolist()}")
    return b


def segment_windows(p0: np.ndarray, p1: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Liang–Barsky for many segments at once: the parameter window [t0, t1] of each
    segment p0 + t (p1 - p0) that lies inside the box, and whether it is non-empty."""
    lo, hi = bounds[:, 0], bounds[:, 1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        d = p1 - p0
        ta = (lo - p0) / d
        tb = (hi - p0) / d
        flat = d == 0
        inside_flat = (p0 >= lo) & (p0 <= hi)
        tmin = np.where(flat, np.where(inside_flat, -np.inf, np.inf), np.minimum(ta, tb))
        tmax = np.where(flat, np.where(inside_flat, np.inf, -np.inf), np.maximum(ta, tb))
        t0 = np.maximum(tmin.max(axis=1), 0.0)
        t1 = np.minimum(tmax.min(axis=1), 1.0)
    # a finite pair whose difference overflows (±1e308) is treated like a non-finite one
    finite = np.isfinite(p0).all(axis=1) & np.isfinite(p1).all(axis=1) & np.isfinite(d).all(axis=1)
    return t0, t1, finite & (t0 <= t1)


def inside(points: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(points).all(axis=1) & (points >= bounds[:, 0]).all(axis=1) & (points <= bounds[:, 1]).all(axis=1)


def clip_path(points, bounds, steps=None) -> Clipped:
    """Cut `points` (N, d) into drawable pieces inside `bounds` ((d, 2) low/high per axis).

    `steps` (N,) gives the training step of each point (default 0..N-1, must increase).
    The exit is set when the path does not end inside the box: it is the last point
    where the path was drawable, with the direction it left in.
    """
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or pts.shape[0] == 0:
        raise ShapeError(f"points must have shape (N, d) with N ≥ 1, got {pts.shape}")
    n, dim = pts.shape
    b = as_bounds(bounds, dim)
    st = np.arange(n, dtype=float) if steps is None else np.asarray(steps, dtype=float)
    if st.shape != (n,) or not np.all(np.isfinite(st)) or np.any(np.diff(st) < 0):
        raise ShapeError(f"steps must be ({n},) finite and non-decreasing")
    ins = inside(pts, b)

    segments: list[tuple[np.ndarray, np.ndarray]] = []
    cur_p: list[np.ndarray] = []
    cur_s: list[float] = []

    def close():
        if cur_p:
            segments.append((np.array(cur_p), np.array(cur_s)))
            cur_p.clear()
            cur_s.clear()

    if n == 1:
        if ins[0]:
            cur_p.append(pts[0])
            cur_s.append(st[0])
    else:
        t0, t1, vis = segment_windows(pts[:-1], pts[1:], b)
        for k in range(n - 1):
            if not vis[k]:
                close()
                continue
            a, e = pts[k], pts[k + 1]
            start = a + t0[k] * (e - a) if t0[k] > 0 else a
            end = e + 0.0 if t1[k] >= 1 else a + t1[k] * (e - a)
            s_start = st[k] + t0[k] * (st[k + 1] - st[k])
            s_end = st[k] + t1[k] * (st[k + 1] - st[k])
            if t0[k] > 0:
                close()
            if not cur_p:
                cur_p.append(np.clip(start, b[:, 0], b[:, 1]))
                cur_s.append(s_start)
            cur_p.append(np.clip(end, b[:, 0], b[:, 1]))
            cur_s.append(s_end)
            if t1[k] < 1:
                close()
    close()
    if n > 1 and not segments:
        lone = np.flatnonzero(ins)
        if lone.size:
            segments.append((pts[lone[:1]], st[lone[:1]]))

    exit_ = None
    if not ins[-1]:
        exit_ = _exit(pts, st, segments)
    return Clipped(tuple(segments), exit_, n)


def _exit(pts, st, segments) -> Exit | None:
    if not segments:
        return None
    last_p, last_s = segments[-1]
    point, step = last_p[-1], float(last_s[-1])
    # the original index just before the exit point
    k = int(np.searchsorted(st, step, side="right")) - 1
    k = min(max(k, 0), len(pts) - 1)
    nxt = pts[k + 1] if k + 1 < len(pts) else None
    if nxt is not None and np.all(np.isfinite(nxt)):
        d = nxt - pts[k]
        norm = np.linalg.norm(d)
        return Exit(point.copy(), d / norm if norm > 0 else None, step, "left")
    # next point non-finite: direction of the last finite move, if any
    direction = None
    if len(last_p) >= 2:
        d = last_p[-1] - last_p[-2]
        norm = np.linalg.norm(d)
        direction = d / norm if norm > 0 else None
    return Exit(point.copy(), direction, step, "nonfinite")
