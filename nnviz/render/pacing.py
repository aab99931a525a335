"""Pacing: map video time to training *progress*, not to raw steps (pure NumPy, no manim import).

Why: most of a training run is dead time on screen (a descent path covers most of its length in
the first few steps; a loss curve flattens). Playing steps linearly spends seconds where nothing
visible changes. A time warp spends video time where the picture changes and stops when it stops.

Three pieces, each importable without manim (this module imports NumPy only):

1. **Progress** — what is drawn, measured cumulatively per training step:
       path_progress(points, steps=None, bounds=None, scale=None) -> Progress
           cumulative drawn path length; frozen where the path leaves `bounds` or turns non-finite
           (a diverging run stops adding progress when it exits the view). `scale` (d,) divides each
           axis (e.g. the panel's data span) so lengths are comparable to what the eye sees.
       loss_progress(loss, steps=None, log=True, floor=None) -> Progress
           cumulative |Δ log10 loss| (or |Δ loss| with log=False); frozen at the first non-finite value.
       combine(progresses, weights=None) -> Progress
           several runs drawn together: the weighted mean of their *normalised* progress (each run
           counts by its share of its own total, so a short path is not drowned by a long one).
   A `Progress` has `.steps` (increasing), `.value` (cumulative, non-decreasing), `.total`,
   `.fraction(steps)` (0..1, interpolated) and `.visible_end(tol)` (first step with ≥ 1 − tol of it).

2. **TimeWarp** — the step-at-time mapping a scene feeds its step tracker:
       warp = TimeWarp.from_progress(progress, run_time, floor=0.15, clock="log", tol=2e-3)
   Video time is spent in proportion to a blend: (1 − floor) · progress + floor · clock, where the
   clock is log-step ("log") or linear in steps ("linear") — so even a stretch with no visible change
   ticks the step counter rather than jumping. The animation ends at `warp.end_step`, the first step
   after which less than `tol` of the progress remains ("stops when nothing visible changes"); at
   t = run_time the mapping lands on `warp.last_step` (the run's last step) so the final frame shows
   the final state and counter.
       warp.step_at(t)          training step shown at video time t ∈ [0, run_time] (vectorised)
       warp.time_at(step)       its inverse: the video time a step is first shown (to hold on a named step)
       warp.rate_func(alpha)    manim rate function for a tracker animated from first_step to last_step:
           self.play(warp.animate(tracker))      # == tracker.animate(run_time=warp.run_time,
                                                 #      rate_func=warp.rate_func).set_value(warp.last_step)
       warp.first_step, warp.end_step, warp.last_step, warp.run_time
   `TimeWarp(times, steps)` also accepts any explicit monotone table (e.g. a hand-made warp).

3. **Measurement** — what the pacing tests check, from a warp and an independent progress measure:
       measure_pacing(warp, progress, n=2001) -> Pacing(first_half, slow_time, run_time)
           first_half: share of the total progress covered in the first half of the animated time;
           slow_time: share of animated time during which progress runs below `slow_rate` (default
           1 % of the total per second of video).
       Pacing.ok(lo=0.25, hi=0.75, max_slow=0.25) and Pacing.problems(...) -> list of one-line reasons.
   The rule every descent scene meets: 0.25 ≤ first_half ≤ 0.75 and slow_time ≤ 0.25.

Convention: steps are the recorded training steps (run.steps), fractional steps interpolate
linearly between recorded points, exactly as `paths.Clipped.upto` draws them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ShapeError

__all__ = ["Progress", "path_progress", "loss_progress", "combine", "TimeWarp", "Pacing", "measure_pacing"]


# --------------------------------------------------------------------------------------
# progress measures
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """Cumulative visible change per training step: `value[k]` is the change drawn by `steps[k]`."""

    steps: np.ndarray
    value: np.ndarray

    def __post_init__(self):
        s = np.asarray(self.steps, float)
        v = np.asarray(self.value, float)
        if s.ndim != 1 or v.shape != s.shape or len(s) < 1:
            raise ShapeError(f"progress needs steps and values of one shape (N,), got {s.shape} and {v.shape}")
        if not (np.all(np.isfinite(s)) and np.all(np.isfinite(v))):
            raise ShapeError("progress steps and values must be finite")
        if np.any(np.diff(s) < 0) or np.any(np.diff(v) < -1e-12):
            raise ShapeError("progress steps must increase and values must not decrease")
        object.__setattr__(self, "steps", s)
        object.__setattr__(self, "value", np.maximum.accumulate(v - v[0]))

    @property
    def total(self) -> float:
        return float(self.value[-1])

    def fraction(self, steps) -> np.ndarray:
        """Share of the total progress reached by `steps` (0..1; 0 everywhere if nothing moves)."""
        at = np.interp(np.asarray(steps, float), self.steps, self.value)
        return at / self.total if self.total > 0 else np.zeros_like(at)

    def visible_end(self, tol: float = 2e-3) -> float:
        """First recorded step at which at least 1 − tol of the total progress is reached."""
        if self.total <= 0:
            return float(self.steps[0])
        k = int(np.argmax(self.value >= (1.0 - tol) * self.total))
        return float(self.steps[k])


def _steps_for(n: int, steps) -> np.ndarray:
    st = np.arange(n, dtype=float) if steps is None else np.asarray(steps, float)
    if st.shape != (n,):
        raise ShapeError(f"steps must have shape ({n},), got {st.shape}")
    return st


def path_progress(points, steps=None, bounds=None, scale=None) -> Progress:
    """Cumulative length of the drawn path: `points` (N, d) (e.g. run.thetas), `steps` (N,).

    The path stops adding length at its first point outside `bounds` ((d, 2) low/high) or its first
    non-finite point: what leaves the view is not drawn. `scale` (d,) divides each coordinate first
    (e.g. the axes' data spans), so length is measured as the eye sees it on a non-square panel."""
    pts = np.asarray(points, float)
    if pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2 or len(pts) < 1:
        raise ShapeError(f"points must have shape (N, d), got {pts.shape}")
    st = _steps_for(len(pts), steps)
    if scale is not None:
        pts = pts / np.asarray(scale, float)
        if bounds is not None:
            bounds = np.asarray(bounds, float) / np.asarray(scale, float)[:, None]
    with np.errstate(invalid="ignore"):
        ok = np.all(np.isfinite(pts), axis=1)
        if bounds is not None:
            b = np.asarray(bounds, float)
            ok &= np.all((pts >= b[:, 0]) & (pts <= b[:, 1]), axis=1)
    first_bad = int(np.argmin(ok)) if not ok.all() else len(pts)
    seg = np.zeros(len(pts))
    if first_bad > 1:
        seg[1:first_bad] = np.linalg.norm(np.diff(pts[:first_bad], axis=0), axis=1)
    return Progress(st, np.cumsum(seg))


def loss_progress(loss, steps=None, log: bool = True, floor: float | None = None) -> Progress:
    """Cumulative change of a drawn loss curve: Σ|Δ log10 loss| (or Σ|Δ loss| with log=False),
    frozen at the first non-finite value. `floor` clamps the loss from below first (a log axis
    drawn down to `floor` shows nothing of the change beneath it)."""
    y = np.asarray(loss, float).ravel()
    st = _steps_for(len(y), steps)
    if floor is not None:
        y = np.maximum(y, floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log10(y) if log else y.copy()
    ok = np.isfinite(v)
    first_bad = int(np.argmin(ok)) if not ok.all() else len(v)
    seg = np.zeros(len(v))
    if first_bad > 1:
        seg[1:first_bad] = np.abs(np.diff(v[:first_bad]))
    return Progress(st, np.cumsum(seg))


def combine(progresses, weights=None) -> Progress:
    """Several runs drawn together: weighted mean of each run's normalised progress on the union of
    their steps (a run that has ended holds its final share)."""
    ps = list(progresses)
    if not ps:
        raise ShapeError("combine needs at least one progress")
    w = np.ones(len(ps)) if weights is None else np.asarray(weights, float)
    if w.shape != (len(ps),) or np.any(w < 0) or w.sum() <= 0:
        raise ShapeError(f"weights must be {len(ps)} non-negative numbers with a positive sum")
    moving = [(p, wi) for p, wi in zip(ps, w) if p.total > 0 and wi > 0]
    steps = np.unique(np.concatenate([p.steps for p in ps]))
    if not moving:
        return Progress(steps, np.zeros_like(steps))
    total_w = sum(wi for _, wi in moving)
    value = sum(wi * p.fraction(steps) for p, wi in moving) / total_w
    return Progress(steps, value)


# --------------------------------------------------------------------------------------
# the time warp
# --------------------------------------------------------------------------------------
class TimeWarp:
    """A monotone map from video time (seconds, 0..run_time) to training step.

    Built from a table `times` (increasing, from 0 to run_time) → `steps` (non-decreasing);
    between rows it is linear. `last_step` (≥ steps[-1]) is where it lands at exactly t = run_time.
    """

    def __init__(self, times, steps, last_step: float | None = None):
        t = np.asarray(times, float)
        s = np.asarray(steps, float)
        if t.ndim != 1 or t.shape != s.shape or len(t) < 2:
            raise ShapeError("a time warp needs ≥ 2 (time, step) rows of one shape")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(s))) or t[0] != 0 or np.any(np.diff(t) <= 0):
            raise ShapeError("warp times must be finite, start at 0 and increase")
        if np.any(np.diff(s) < 0):
            raise ShapeError("warp steps must not decrease")
        self.times, self.steps = t, s
        self.run_time = float(t[-1])
        self.first_step = float(s[0])
        self.end_step = float(s[-1])
        self.last_step = float(self.end_step if last_step is None else max(last_step, self.end_step))

    @classmethod
    def from_progress(cls, progress: Progress, run_time: float, floor: float = 0.15, clock: str = "log",
                      tol: float = 2e-3, last_step: float | None = None) -> "TimeWarp":
        """Spend video time ∝ (1 − floor)·progress + floor·clock, from the first recorded step to the
        progress's visible end (`tol`); land on `last_step` (default: the last recorded step) at the end."""
        if run_time <= 0:
            raise ShapeError(f"run_time must be positive, got {run_time}")
        if not 0.0 <= floor <= 1.0:
            raise ShapeError(f"floor must be in [0, 1], got {floor}")
        s = progress.steps
        s0, end = float(s[0]), progress.visible_end(tol)
        if end <= s0:  # nothing moves: a plain clock over the whole run
            end, floor = float(s[-1]), 1.0
            if end <= s0:
                return cls([0.0, run_time], [s0, s0], last_step=last_step)
        knots = s[(s >= s0) & (s <= end)]
        span = end - s0
        if clock == "log":
            u = np.log1p(knots - s0) / np.log1p(span)
        elif clock == "linear":
            u = (knots - s0) / span
        else:
            raise ShapeError(f"clock must be 'log' or 'linear', got {clock!r}")
        p = progress.fraction(knots)
        p = p / p[-1] if p[-1] > 0 else p
        tau = (1.0 - floor) * p + floor * u
        # strictly increasing times: merge rows that take no time (flat progress with floor 0)
        keep = np.concatenate([[True], np.diff(tau) > 1e-12])
        tau, knots = tau[keep], knots[keep]
        if len(tau) < 2:
            tau, knots = np.array([0.0, 1.0]), np.array([s0, end])
        tau = (tau - tau[0]) / (tau[-1] - tau[0])
        return cls(tau * run_time, knots, last_step=float(s[-1]) if last_step is None else last_step)

    def step_at(self, t):
        """Training step shown at video time `t` (scalar or array); t ≥ run_time gives last_step."""
        t = np.asarray(t, float)
        out = np.interp(t, self.times, self.steps)
        out = np.where(t >= self.run_time, self.last_step, out)
        return float(out) if out.ndim == 0 else out

    def time_at(self, step):
        """Video time at which the warp first shows `step` (scalar or array): the inverse of step_at,
        0 before first_step and run_time from end_step on (a scene holding on a step it names)."""
        s, t = self.steps, self.times
        x = np.asarray(step, float)
        rises = np.diff(s) > 0
        last = np.concatenate([rises, [True]])    # between steps: interpolate from a hold's end …
        out = np.interp(x, s[last], t[last])
        first = np.concatenate([[True], rises])   # … but a held step itself is shown from the hold's start
        out = np.where(np.isin(x, s[first]), np.interp(x, s[first], t[first]), out)
        return float(out) if out.ndim == 0 else out

    def with_tail(self, tail_time: float, final_step: float, n: int = 400, n_tail: int = 40):
        """(times, steps) of the paced part followed by a linear fast-forward from `end_step` to
        `final_step` over `tail_time` seconds: a scene's whole step-at-time mapping, as the pacing
        tests measure it."""
        t = np.linspace(0, self.run_time, n)
        u = np.linspace(0, 1, n_tail)[1:]
        tail_t = self.run_time + tail_time * u
        tail_s = self.end_step + (float(final_step) - self.end_step) * u
        return np.concatenate([t, tail_t]), np.concatenate([self.step_at(t), tail_s])

    def rate_func(self, alpha: float) -> float:
        """manim rate function for a tracker animated from first_step to last_step over run_time."""
        span = self.last_step - self.first_step
        if span <= 0:
            return float(alpha)
        return (self.step_at(float(alpha) * self.run_time) - self.first_step) / span

    def animate(self, tracker, **kwargs):
        """`tracker` (a manim ValueTracker holding the step) animated along the warp; set the tracker
        to first_step before playing. Extra keyword arguments go to the animation."""
        return tracker.animate(run_time=self.run_time, rate_func=self.rate_func, **kwargs).set_value(self.last_step)

    def segment(self, tracker, t0: float, t1: float, **kwargs):
        """The warp's part from video time `t0` to `t1` as one animation of `tracker` (which must hold
        step_at(t0)): a scene plays its warp in pieces, with captions changing between them, and the
        pieces together are the whole warp."""
        if not 0.0 <= t0 < t1:
            raise ShapeError(f"a warp segment needs 0 ≤ t0 < t1, got {t0}, {t1}")
        at = lambda t: float(self.step_at(t)) if t < self.run_time else self.last_step  # noqa: E731
        s0, s1 = at(t0), at(t1)
        span = s1 - s0

        def rate(alpha: float) -> float:
            return float(alpha) if span <= 0 else (at(t0 + float(alpha) * (t1 - t0)) - s0) / span

        return tracker.animate(run_time=t1 - t0, rate_func=rate, **kwargs).set_value(s1)

    def __repr__(self):
        return (f"TimeWarp(run_time={self.run_time:g}, steps {self.first_step:g}→{self.end_step:g}"
                f" (last {self.last_step:g}), {len(self.times)} rows)")


# --------------------------------------------------------------------------------------
# measurement (what the pacing tests check)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pacing:
    first_half: float   # share of the total progress covered in the first half of the animated time
    slow_time: float    # share of the animated time with progress below slow_rate per second
    run_time: float

    def problems(self, lo: float = 0.25, hi: float = 0.75, max_slow: float = 0.25) -> list[str]:
        out = []
        if not lo <= self.first_half <= hi:
            out.append(f"first half of the animation covers {self.first_half:.0%} of the progress "
                       f"(want {lo:.0%}–{hi:.0%})")
        if self.slow_time > max_slow:
            out.append(f"{self.slow_time:.0%} of the animated time is dead (want ≤ {max_slow:.0%})")
        return out

    def ok(self, lo: float = 0.25, hi: float = 0.75, max_slow: float = 0.25) -> bool:
        return not self.problems(lo, hi, max_slow)


def measure_pacing(warp, progress: Progress, n: int = 2001, slow_rate: float = 0.01) -> Pacing:
    """Measure a step-at-time mapping against a progress measure.

    `warp`: a TimeWarp, or a pair (times, steps) sampled from any scene's mapping. Progress at video
    time t is `progress.fraction(step_at(t))`; `slow_rate` is a share of the total progress per
    second of video (default 1 %/s)."""
    if isinstance(warp, TimeWarp):
        T = warp.run_time
        t = np.linspace(0.0, T, n)
        st = warp.step_at(t)
    else:
        t, st = (np.asarray(a, float) for a in warp)
        T = float(t[-1] - t[0])
        t = t - t[0]
    q = progress.fraction(st)
    total = q[-1] - q[0]
    if total <= 0 or T <= 0:
        return Pacing(first_half=0.0, slow_time=1.0, run_time=T)
    half = float(np.interp(T / 2, t, q))
    dt = np.diff(t)
    rate = np.diff(q) / total / np.where(dt > 0, dt, np.inf)
    slow = float(np.sum(dt[rate < slow_rate]) / T)
    return Pacing(first_half=float((half - q[0]) / total), slow_time=slow, run_time=float(T))
