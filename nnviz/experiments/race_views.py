"""Why the optimizer race came out as it did, in words and numbers read off the race records (NumPy
only; kept apart from `experiments.descent` so that changing what a scene says does not retrain the
records). The race scenes and stills say these sentences; `tests/test_race_words.py` recomputes
every number in them independently.

Adam's rate: Adam's step is η·m̂/√v̂; its long-run step per unit of gradient is η/√v̂, where v̂ is
the bias-corrected running mean of g² (β₂). Summed over the coordinates that is the running mean of
|g|², which the record holds (`Run.grad_norm`), so `adam_rate` is a lower bound on every coordinate's
own rate, read from the record alone. The momentum methods' long-run step per unit of gradient is
η/(1 − β) (a velocity adds up 1/(1 − β) steps), GD's is η."""
from __future__ import annotations

import numpy as np

from .descent import RACE_NAMES, ordinal, power_of_ten, times, wrap_words


def adam_rate(run) -> np.ndarray:
    """η ÷ √(bias-corrected running mean of |g|²) at every step of an Adam run (its step per unit of
    gradient, all coordinates together)."""
    h = run.meta["hyper"]
    g2 = np.asarray(run.grad_norm, float) ** 2
    b2 = float(h["beta2"])
    v, out = 0.0, []
    for t, x in enumerate(g2, start=1):
        v = b2 * v + (1 - b2) * x
        out.append(float(h["lr"]) / np.sqrt(v / (1 - b2 ** t)))
    return np.array(out)


def fixed_rate(run) -> float:
    """A fixed-η method's long-run step per unit of gradient: η/(1 − β) with momentum, η without."""
    h = run.meta["hyper"]
    return float(h["lr"]) / (1 - float(h.get("beta", 0.0)))


def num(x: float) -> str:
    return f"{x:.2g}"


def probe(probes, name: str, lr_index: int) -> dict:
    """One probe run of the tuning record's grid (optimizer `name` at grid index `lr_index`)."""
    c = probes.columns
    o = probes.meta["names"].index(name)
    k = int(np.flatnonzero((c["optimizer"] == o) & (c["lr_index"] == lr_index))[0])
    return {"lr": float(c["lr"][k]), "loss": np.asarray(c["loss"][k], float),
            "lam_max": np.asarray(c["lam_max"][k], float), "diverged_at": int(c["diverged_at"][k])}


def edge_index(tuning, name: str):
    """Grid index of the first unstable η above the chosen one (None if none)."""
    i = tuning.meta["names"].index(name)
    k = int(tuning.chosen[i])
    bad = np.flatnonzero(~tuning.stable[i].astype(bool) & (np.arange(len(tuning.lrs)) > k))
    return int(bad[0]) if bad.size else None


def gap_indices(tuning, name: str) -> list:
    """Grid indices of the unstable rates between two stable ones (gaps in the tuning curve)."""
    i = tuning.meta["names"].index(name)
    S = tuning.stable[i].astype(bool)
    st = np.flatnonzero(S)
    return [int(j) for j in np.flatnonzero(~S[st[0]:st[-1]]) + st[0]] if st.size else []


def fails_how(tuning, probes, name: str, j: int) -> str:
    """How a run at an unstable grid rate fails, from its recorded curve: "diverges at step N" or
    "above the start at step N"."""
    p = probe(probes, name, j)
    if p["diverged_at"] >= 0:
        return f"diverges at step {p['diverged_at']}"
    w = probes.meta["warmup_step"]
    over = np.flatnonzero(p["loss"][w:] > p["loss"][0])
    return f"above the start at step {int(over[0]) + w}"


# --- Beale: why Adam wins --------------------------------------------------------------------------
def first_move(run) -> np.ndarray:
    """|Δx|, |Δy| of a run's first step."""
    return np.abs(np.diff(np.asarray(run.thetas, float)[:2], axis=0))[0]


def beale_loop_text(runs, width: int = 31) -> str:
    """Adam's first step moves every coordinate by η, whatever |g| is: the wide early loop."""
    m = first_move(runs["adam"])
    return wrap_words(f"Adam's first step: x and y each move η = {num(m.min())}, whatever |g| is: the wide loop.",
                      width)


def memory(beta: float) -> int:
    """Steps a running mean with decay β remembers: 1/(1 − β)."""
    return int(round(1 / (1 - beta)))


def adagrad_rate(run) -> np.ndarray:
    """η ÷ √(sum of |g|² so far) at every step of an AdaGrad run (its step per unit of gradient, all
    coordinates together: the sum never shrinks, so the rate never grows)."""
    g2 = np.asarray(run.grad_norm, float) ** 2
    return float(run.meta["hyper"]["lr"]) / np.sqrt(np.cumsum(g2))


def rates(runs, names=("adam", "momentum", "adagrad")) -> dict:
    """Each run's rate (step per unit of gradient) at every step: Adam's and AdaGrad's from their
    recorded gradients, the fixed-η methods' η/(1 − β) (η without momentum)."""
    out = {}
    for n in names:
        r = runs[n]
        k = len(r.grad_norm)
        out[n] = (adam_rate(r) if n == "adam" else adagrad_rate(r) if n == "adagrad"
                  else np.full(k, fixed_rate(r)))
    return out


def beale_rate_text(runs, width: int = 31) -> str:
    """Adam divides by a bias-corrected *mean* of g²: the steep start keeps its first rate small, then
    small g² dilute the mean and the rate (step ÷ |g|) climbs."""
    a = runs["adam"]
    r = adam_rate(a)
    g0 = float(a.grad_norm[0])
    return wrap_words(f"Adam divides by √(mean of g²). The steep start (|g| = {g0:.0f}) is in that mean: its rate "
                      f"(step per unit |g|) starts at {num(r[0])}. Then small g² dilute the mean: it climbs to "
                      f"{num(r[-1])}.", width)


def beale_adagrad_text(runs, width: int = 31) -> str:
    """AdaGrad divides by a running *sum* of g²: nothing dilutes the steep start, its rate only falls."""
    a = runs["adagrad"]
    r = adagrad_rate(a)
    return wrap_words(f"AdaGrad divides by √(sum of g²). A sum never dilutes: the steep start stays in it, so its "
                      f"rate only falls, {num(r[0])} → {num(r[-1])}, a small fixed η in effect.", width)


def last_moves(run, n: int = 10) -> np.ndarray:
    """Mean |Δx|, |Δy| over a run's last `n` steps."""
    return np.abs(np.diff(np.asarray(run.thetas, float)[-n - 1:], axis=0)).mean(axis=0)


def beale_rmsprop_text(runs, width: int = 31) -> str:
    """RMSprop divides too, but its mean forgets within ~1/(1 − ρ) steps: its step stays ≈ η per coordinate
    to the end, so it bounces around ★ instead of settling."""
    r = runs["rmsprop"]
    rho = r.meta["hyper"]["decay"]
    m = last_moves(r)
    return wrap_words(f"RMSprop's mean of g² forgets in ~{memory(rho)} steps (ρ = {rho:g}): each step stays "
                      f"≈ η = {num(r.meta['hyper']['lr'])} in x and y, to the last ({num(m.mean())}): it bounces "
                      f"around ★.", width)


def beale_fixed_text(runs, tuning, probes, name: str = "momentum", width: int = 31) -> str:
    """Why the fixed-η methods cannot match it: their rate η/(1 − β) is fixed, and the next grid η fails
    on the steep start."""
    j = edge_index(tuning, name)
    g0 = float(runs[name].grad_norm[0])
    how = fails_how(tuning, probes, name, j) if j is not None else "stays stable"
    a = adam_rate(runs["adam"])[-1]
    return wrap_words(f"{RACE_NAMES[name]}'s rate is fixed: η/(1 − β) = {num(fixed_rate(runs[name]))}, "
                      f"{a / fixed_rate(runs[name]):.0f}× below Adam's last {num(a)}. A bigger η? At "
                      f"η = {num(tuning.lrs[j])} the steep start (|g| = {g0:.0f}) makes it "
                      f"{how.replace('diverges', 'diverge')}.", width)


def closer(runs, best: str, others) -> float:
    """How many times closer to f* `best` ends than the best of `others` (round-off counted as 10⁻¹²)."""
    from ..tuning import ATOL
    return min(runs[n].meta["final_loss"] for n in others) / max(runs[best].meta["final_loss"], ATOL)


def takeaway(surface: str, surf, runs, tuning) -> str:
    """The one plain sentence each race video ends on (what this race showed, not a law)."""
    if surface == "beale":
        r = adam_rate(runs["adam"])
        return (f"Adam wins here: the steep start fades from its mean of g², so its rate climbs {num(r[0])} → "
                f"{num(r[-1])}. AdaGrad's sum never fades: its rate only falls.")
    if surface == "saddle":
        late = [n for n in ("momentum", "adam") if last_move(runs[n]) > 0.05]
        return (f"A saddle only delays GD (|y| > 0.5 at step {ridge_step(runs['gd'])}); dividing by |g| leaves "
                f"at step {max(ridge_step(runs[n]) for n in ('adagrad', 'rmsprop', 'adam'))}; velocity can "
                f"overshoot ★ ({' and '.join(RACE_NAMES[n] for n in late)}).")
    a = runs["adam"]
    st = np.sqrt(np.sum(np.diff(np.asarray(a.thetas, float), axis=0) ** 2, axis=1))
    return (f"Here, with only η tuned, velocity wins the walk along the curved floor; Adam's steps stay under "
            f"{num(st.max())}.")


# --- Rosenbrock: why Adam is behind GD --------------------------------------------------------------
def below_step(run, level: float = 1.0):
    hit = np.flatnonzero(np.asarray(run.train_loss, float) < level)
    return int(run.steps[hit[0]]) if hit.size else None


def rosen_adam_text(runs, width: int = 31) -> str:
    """Adam's steps are at most about η, so it walks the whole curved floor; GD's first steps overshoot
    across the plot and land it on the far arm."""
    a, g = runs["adam"], runs["gd"]
    st = np.sqrt(np.sum(np.diff(np.asarray(a.thetas, float), axis=0) ** 2, axis=1))
    return wrap_words(f"Adam behind GD? ÷√(mean g²) keeps its steps under {num(st.max())}, so it walks the whole "
                      f"curved floor (loss < 1 at step {below_step(a)}); GD leaps across (step {below_step(g)}).",
                      width)


def adagrad_text(runs) -> str:
    """AdaGrad's sum of g² only grows, so its steps only shrink (from its record)."""
    a = np.sqrt(np.sum(np.diff(np.asarray(runs["adagrad"].thetas, float), axis=0) ** 2, axis=1))
    return (f"AdaGrad divides by √G, G the sum of every g² so far: G only grows, so its steps shrink "
            f"{a[0] / a[-1]:.0f}× ({a[0]:.2f} → {a[-1]:.3f}): the dots bunch up.")


def rmsprop_zigzag_text(runs) -> str:
    """RMSprop's mean of g² forgets, so its steps stay ≈ η per coordinate: too long for the narrow valley."""
    from .descent import zigzag
    r = runs["rmsprop"]
    rho = r.meta["hyper"]["decay"]
    return (f"RMSprop's mean of g² forgets in ~{memory(rho)} steps, so its steps stay ≈ η per coordinate: too "
            f"long for the narrow valley, it zigzags ({zigzag(r.thetas):.0f}× more path than progress).")


# --- the saddle: why Momentum and Adam are behind ---------------------------------------------------
def ridge_step(run, level: float = 0.5):
    """The first step at which a saddle run is more than `level` off the ridge y = 0 (None: never)."""
    off = np.flatnonzero(np.abs(np.asarray(run.thetas, float)[:, 1]) > level)
    return int(run.steps[off[0]]) if off.size else None


def gd_ridge_text(surf, runs, width: int = 31) -> str:
    """GD on the ridge: f's slope along y near y = 0 is −2y, so GD multiplies y by 1 + 2η a step."""
    g = runs["gd"]
    y = np.asarray(g.thetas, float)[:, 1]
    return wrap_words(f"On the ridge y = 0 the slope in y is tiny (−2y): GD's y grows only 1 + 2η = "
                      f"{y[1] / y[0]:.1f}× a step: |y| > 0.5 at step {ridge_step(g)}.", width)


def adaptive_ridge_text(surf, runs, width: int = 31) -> str:
    """At step 1 the adaptive methods divide by |g| itself: a full step off the ridge at once."""
    names = ("adagrad", "rmsprop", "adam")
    y1 = [abs(float(runs[n].thetas[1, 1])) for n in names]
    return wrap_words(f"At step 1 AdaGrad, RMSprop and Adam divide by |g| itself: even the tiny slope at "
                      f"y = {surf.meta['start'][1]:g} gives a full step (|y| {min(y1):.1f}–{max(y1):.1f}).",
                      width)


def crossings(run, tol: float = 0.01) -> list:
    """Where a path crosses x = 0 (from below −tol to above +tol or back): [(step, (0, y), +1 | −1)],
    y interpolated on the step that crosses; as many as `descent.swings` counts."""
    th = np.asarray(run.thetas, float)
    far = np.flatnonzero(np.abs(th[:, 0]) > tol)
    out = []
    for a, b in zip(far[:-1], far[1:]):
        if np.sign(th[a, 0]) != np.sign(th[b, 0]):
            p, q = th[b - 1], th[b]
            if np.sign(p[0]) == np.sign(q[0]):  # the sign changed earlier, across the skipped steps
                p = th[a]
            s = p[0] / (p[0] - q[0])
            out.append((int(run.steps[b]), (0.0, float(p[1] + s * (q[1] - p[1]))), int(np.sign(q[0]))))
    return out


def swings_text(surf, runs, width: int = 31) -> str:
    h = runs["momentum"].meta["hyper"]
    n = len(crossings(runs["momentum"]))
    return wrap_words(f"Momentum: η/(1 − β) = {num(h['lr'] / (1 - h['beta']))} = GD's η, but its velocity swings it "
                      f"across x = 0 {times(n)} (1–{n}): its last step is still {last_move(runs['momentum']):.2f}.",
                      width)


def last_move(run) -> float:
    th = np.asarray(run.thetas, float)
    return float(np.linalg.norm(th[-1] - th[-2]))


def overshoot(run, minima, near: float = 0.3):
    """(step it first comes within `near` of a minimum, that distance, the step it is farthest from it
    afterwards before turning back, that distance)."""
    th = np.asarray(run.thetas, float)
    m = np.asarray(minima, float)
    d = np.min(np.linalg.norm(th[:, None, :] - m[None], axis=2), axis=1)
    k = int(np.flatnonzero(d < near)[0])
    j = k + 1
    while j + 1 < len(d) and d[j + 1] >= d[j]:
        j += 1
    return k, float(d[k]), j, float(d[j])


def overshoot_text(surf, runs, width: int = 31) -> str:
    a = runs["adam"]
    k, dk, j, dj = overshoot(a, surf.meta["minima"])
    return wrap_words(f"Adam leaves the ridge at once, but β₁ = {a.meta['hyper']['beta1']:g} carries it past ★: "
                      f"{dk:.2f} away at step {k}, {dj:.2f} at step {j} (arrow).", width)


# --- the tuning scene: GD's gap (unstable at a smaller η, stable at a larger one) ----------------------
def gap_story(tuning, probes, name: str = "gd"):
    """GD's gap read off the probe curves: for the gap η and the chosen η, the peak loss, the loss at
    the rule's step (the first one checked) and the largest η·λ_max over the first 10 steps.
    None when the curve has no gap."""
    gaps = gap_indices(tuning, name)
    if not gaps:
        return None
    w = probes.meta["warmup_step"]
    out = {"start": probes.meta["start_loss"], "check": w}
    for key, j in (("gap", gaps[0]), ("chosen", int(tuning.chosen[tuning.meta["names"].index(name)]))):
        p = probe(probes, name, j)
        over = np.flatnonzero(p["loss"][w:] > p["loss"][0])
        out[key] = {"lr": p["lr"], "peak": float(np.nanmax(p["loss"])), "at_check": float(p["loss"][w]),
                    "over": int(over[0]) + w if over.size else None, "loss": p["loss"],
                    "sharp": float(np.nanmax(p["lr"] * p["lam_max"][:10]))}
    return out


def gap_texts(tuning, probes, name: str = "gd", width: int = 38) -> list:
    """Two lines on GD's gap: why the smaller η fails the rule, and why the larger one passes it (its
    early spike is over before the rule starts checking: a lucky leap, said as such)."""
    g = gap_story(tuning, probes, name)
    a, b = g["gap"], g["chosen"]
    return [wrap_words(f"Why a gap? At η = {num(a['lr'])} (dotted) GD bounces on the steep valley wall: its loss is "
                       f"still {a['at_check']:.1f} > {g['start']:g}, the start, at step {g['check']}: rejected by "
                       f"{a['at_check'] - g['start']:.2g} ({(a['at_check'] - g['start']) / g['start']:.1%}).", width),
            wrap_words(f"At η = {num(b['lr'])} (solid) it spikes to {b['peak']:.0f}, but leaps onto the far arm "
                       f"before step {g['check']}, when the rule starts checking: GD's best η is a lucky leap.",
                       width)]


def tuning_takeaway(tuning) -> str:
    """Easy to tune is not the same as best: the widest stable range against where the best finish is."""
    S = tuning.stable.astype(bool)
    names = tuning.meta["names"]
    width = {n: S[names.index(n)].sum() / tuning.config["per_decade"] for n in names}
    wide = max(width, key=width.get)
    best = min(tuning.meta["chosen_final"], key=tuning.meta["chosen_final"].get)
    i = names.index(best)
    k = int(tuning.chosen[i])
    edge = k + 1 < len(tuning.lrs) and not S[i, k + 1]
    F = np.where(S, tuning.final_loss, np.inf)
    low = float(F[names.index(wide)].min())
    return (f"{RACE_NAMES[wide]} is stable over {width[wide]:.1f} decades of η, but its final loss is never below "
            f"{low:.2g}; the best "
            f"finish ({RACE_NAMES[best]}) " + ("needs η one grid step below divergence." if edge else
                                              "needs its η tuned."))


def short_verdict(meta: dict) -> str:
    """The robustness verdict when the strip already shows the neighbours' values (○ / ×)."""
    w = meta["winner"][0]
    if meta["verdict"] == "robust":
        return f"{RACE_NAMES[w]} wins, and stays first with its η one grid step lower or higher (○)."
    if meta["verdict"] == "tie":
        return ""
    others = [f for n, f in meta["chosen_final"].items() if n != w]
    said = []
    for side, word in (("lower", "lower"), ("higher", "higher")):
        f = meta["neighbours"][side]
        if not np.isfinite(f):
            said.append(f"one step {word} (×) unstable")
        else:
            place = 1 + sum(v < f for v in others)
            said.append(f"one step {word} (○) it would be {ordinal(place)} of {len(others) + 1}")
    return f"{RACE_NAMES[w]} is first, but fragile: " + ", ".join(said) + "."


def rosen_adam_rule(runs) -> str:
    """Adam's line on the rules page: what its ÷√ŝ did on Rosenbrock."""
    a = runs["adam"]
    st = np.sqrt(np.sum(np.diff(np.asarray(a.thetas, float), axis=0) ** 2, axis=1))
    return (f"÷√ŝ keeps steps under {num(st.max())}: it walks the whole curved floor (loss < 1 only at step "
            f"{below_step(a)})")
