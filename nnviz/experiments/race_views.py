"""Why the optimizer race came out as it did, in words and numbers read off the race records (NumPy
only; kept apart from `experiments.descent` so that changing what a scene says does not retrain the
records): the 2-D races' "why" lines per surface, the tuning grid's probe curves and the stability rule
read off them (`rule_how`, said by `rule_words`), the tuning scene's and the stills' lines, the verdicts, and
the helpers the 3-D races' lines (`race_views_3d`) share. `tests/test_race_words.py` recomputes every
number in them independently."""
from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from ..tuning import ATOL, PEAK
from .descent import (RACE_NAMES, first_below, loss_words, momentum_gain, ordinal, power_of_ten, race_verdict,
                      step_lengths, wrap_words, zigzag)


def num(x: float) -> str:
    return f"{x:.2g}"


def probe(probes, name: str, lr_index: int) -> dict:
    """One probe run of the tuning record's grid (optimizer `name` at grid index `lr_index`)."""
    c = probes.columns
    o = probes.meta["names"].index(name)
    k = int(np.flatnonzero((c["optimizer"] == o) & (c["lr_index"] == lr_index))[0])
    return {"lr": float(c["lr"][k]), "loss": np.asarray(c["loss"][k], float),
            "lam_max": np.asarray(c["lam_max"][k], float), "diverged_at": int(c["diverged_at"][k])}


def chosen_index(tuning, name: str) -> int:
    """The grid index of `name`'s chosen η in the tuning record (−1: no stable rate)."""
    return int(tuning.chosen[tuning.meta["names"].index(name)])


def edge_index(tuning, name: str):
    """Grid index of the first unstable η above the chosen one (None if none)."""
    i = tuning.meta["names"].index(name)
    k = int(tuning.chosen[i])
    bad = np.flatnonzero(~tuning.stable[i].astype(bool) & (np.arange(len(tuning.lrs)) > k))
    return int(bad[0]) if bad.size else None


class Broke(enum.Enum):
    """Which part of the stability rule (`nnviz.tuning.stable_curve`) a run breaks first, in the rule's order."""
    DIVERGES = "diverges"  # its loss is no longer finite
    PEAK = "peak"          # its loss passes PEAK × the start at some step
    LATE = "late"          # after the first 10 % of the steps its loss is still above the start


@dataclass(frozen=True)
class RuleCheck:
    """The stability rule read off one probe curve: `how` it breaks the rule (None: it keeps to it), and the
    numbers each part is checked on."""
    how: Broke | None
    diverged_at: int    # the step it diverged at (−1: never)
    peak: float         # its largest loss
    start: float        # its loss at step 0
    line: float         # the peak part's line, a multiple of the start (PEAK)
    over: int | None    # the first step after the warm-up with the loss above the start (None: none)


def rule_how(tuning, probes, name: str, j: int, p: dict | None = None) -> RuleCheck:
    """The stability rule on the recorded probe curve of `name` at grid index `j` (`p`: that curve, when the
    caller has it from `probe` already): the one place its three parts (diverges, passes PEAK × the start,
    above the start after the first 10 % of the steps) are checked for the scenes' and stills' words."""
    p = probe(probes, name, j) if p is None else p
    L = p["loss"]
    w = int(probes.meta["warmup_step"])
    start, line = float(L[0]), float(tuning.config.get("peak", 10.0))
    peak = float(np.nanmax(L))
    late = np.flatnonzero(L[w:] > L[0])
    over = int(late[0]) + w if late.size else None
    how = (Broke.DIVERGES if p["diverged_at"] >= 0 else Broke.PEAK if peak > line * start
           else Broke.LATE if over is not None else None)
    return RuleCheck(how, p["diverged_at"], peak, start, line, over)


def rule_words(r: RuleCheck, short: bool = False) -> str:
    """A `RuleCheck` in a few words, by the part of the rule the run breaks first: "diverges at step N",
    "loss peaks at P > 10× the start S", "above the start at step N", or "stays stable"; `short`: the peak case
    on two short lines (the still's strip)."""
    if r.how is Broke.DIVERGES:
        return f"diverges at step {r.diverged_at}"
    if r.how is Broke.PEAK:
        return (f"loss peak {r.peak:.3g}\n> {r.line:g}× start {r.start:.3g}" if short else
                f"loss peaks at {r.peak:.3g} > {r.line:g}× the start {r.start:.3g}")
    if r.how is Broke.LATE:
        return f"above the start at step {r.over}"
    return "stays stable"


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


def steps_of(run) -> np.ndarray:
    """|θₜ − θₜ₋₁| for t = 1 … T: the step lengths the Beale chart draws."""
    return step_lengths(run.thetas)


def step_words(x: float) -> str:
    """A step length as the chart's words quote it: 2.2, 0.022, 3.0×10⁻⁷."""
    return loss_words(x) if x < 1e-3 else num(x)


BEALE_EARLY = (10, 60)  # the steps over which AdaGrad's and Adam's step lengths are compared (both still far from ★)


def early_ratio(runs, window=BEALE_EARLY) -> float:
    """How many times longer Adam's steps are than AdaGrad's over `window` (median step lengths)."""
    a, b = window
    return float(np.median(steps_of(runs["adam"])[a:b]) / np.median(steps_of(runs["adagrad"])[a:b]))


def beale_steps_text(runs, width: int = 31) -> str:
    """Adam's slow mean of g² barely moves late on, so its steps shrink as |g| does (the chart's green line)."""
    a = runs["adam"]
    b2 = float(a.meta["hyper"]["beta2"])
    L = steps_of(a)
    return wrap_words(f"Adam's slow mean of g² (β₂ = {b2:g}, ~{memory(b2)} steps) barely moves late on, so its "
                      f"steps shrink with |g|: {step_words(L[0])} → {step_words(L[-1])}.", width)


def beale_adagrad_steps_text(runs, width: int = 31) -> str:
    """AdaGrad's sum of g² keeps the steep start for good: its steps shrink from the first one, many times
    shorter than Adam's while both are still far from ★."""
    a, b = BEALE_EARLY
    return wrap_words(f"AdaGrad divides by √(sum of g²) = √t·√(mean g²): an extra ÷√t that Adam's mean lacks. Over "
                      f"steps {a}–{b} its steps are {early_ratio(runs):.0f}× shorter than Adam's.", width)


def beale_rmsprop_text(runs, width: int = 31) -> str:
    """RMSprop's mean forgets within ~1/(1 − ρ) steps: it divides by about the current |g|, so each coordinate
    still moves ≈ η (steps ≈ √2·η, the chart's dashed line) to the end: it bounces around ★, never settles."""
    r = runs["rmsprop"]
    rho = r.meta["hyper"]["decay"]
    eta = float(r.meta["hyper"]["lr"])
    return wrap_words(f"RMSprop's mean forgets in ~{memory(rho)} steps: its steps never shrink. By ★ x and y each "
                      f"move ≈ η (dashed: √2·η = {num(np.sqrt(2) * eta)}): it bounces (box).", width)


def beale_fixed_text(runs, tuning, probes, name: str = "momentum", width: int = 31) -> str:
    """Why the fixed-η methods cannot match it: one η for the steep start and the flat end, and the next grid
    η fails on the steep start."""
    j = edge_index(tuning, name)
    g0 = float(runs[name].grad_norm[0])
    how = broke_rule(tuning, probes, name, j) if j is not None else "stays stable"
    place = place_of(tuning, name)
    return wrap_words(f"{RACE_NAMES[name]}'s η is fixed, and the steep start (|g| = {g0:.0f}) caps it: at η = "
                      f"{num(tuning.lrs[j])} it {how}. So it keeps "
                      f"η = {num(runs[name].meta['hyper']['lr'])} on the flat end too: {ordinal(place)}.", width)


def takeaway(surface: str, surf, runs, tuning) -> str:
    """The one plain sentence each race video ends on (what this race showed, not a law)."""
    if surface == "beale":
        return ("Steps should shrink as |g| does: Adam's do; AdaGrad's shrink from step 1, too early; RMSprop's "
                "never do. Adam wins.")
    if surface == "saddle":
        m = runs["momentum"]
        return (f"A saddle only delays GD (off the ridge at step {ridge_step(runs['gd'])}); dividing each coordinate "
                f"by |gᵢ| leaves at step {max(ridge_step(runs[n]) for n in ('adagrad', 'rmsprop', 'adam'))}; "
                f"Momentum, at its small best η ({num(m.meta['hyper']['lr'])}), leaves last (step {ridge_step(m)}).")
    top = [n for p in surf.meta["ranking"][:3] for n in p]
    if set(top) == {"momentum", "nesterov", "adam"} and len(top) == 3:
        w = top[0]
        nb = tuning.meta["neighbours"]
        place = place_among(tuning.meta, w, nb["lower"])
        return (f"Velocity terms ({', '.join(RACE_NAMES[n] for n in top)}) take the top 3. {RACE_NAMES[w]}'s 1st "
                f"is fragile: one η step off, it is {ordinal(place)}"
                + (" or unstable." if not np.isfinite(nb["higher"]) else "."))
    a = runs["adam"]
    st = steps_of(a)
    return (f"Here, with only η tuned, velocity wins the walk along the curved floor; Adam's steps stay under "
            f"{num(st.max())}.")


# --- Rosenbrock: why Momentum wins, GD crawls, Adam walks -------------------------------------------
def place_of(surf, name: str) -> int:
    """An optimizer's place in the recorded ranking (1 = first; tied runs share a place)."""
    return next(i for i, p in enumerate(surf.meta["ranking"], start=1) if name in p)


def place_among(meta: dict, name: str, final: float) -> int:
    """The place a final loss `final` of `name` (at some grid η, its chosen one or not) would take among the
    others: 1 + how many of the other optimizers end strictly lower. "The others" are always the other
    optimizers' chosen runs, each at its chosen η: the tuning record's `meta["chosen_final"]` (the race's runs
    are those runs). A tie with another's final loss goes to `name`."""
    return 1 + sum(f < final for n, f in meta["chosen_final"].items() if n != name)


def start_sharpness(probes) -> float:
    """λ_max, the largest Hessian eigenvalue, at the start θ₀ (read off the probe curves: every probe
    run starts there)."""
    return float(probes.columns["lam_max"][0][0])


def rosen_adam_text(surf, runs, width: int = 31, span: bool = False) -> str:
    """What separates Adam from RMSprop (same ÷√(mean g²)): Adam's m, a running mean of g (β₁), averages away
    the sign flips across the valley; path length per unit of progress over the second half, from the runs
    (`span`: that range of steps named)."""
    a = runs["adam"]
    if span:  # the 2-D race: the steps the ratio is measured over named (as for Momentum's gain), fewer words
        s0, s1 = gain_span(a)
        return wrap_words(f"Adam, {ordinal(place_of(surf, 'adam'))}: RMSprop's ÷√(mean g²) plus Momentum's m, "
                          f"which averages out the zigzag. Steps {s0}–{s1}: {zigzag(a.thetas):.1f}× path per "
                          f"progress, RMSprop {zigzag(runs['rmsprop'].thetas):.0f}×.", width)
    return wrap_words(f"Adam, {ordinal(place_of(surf, 'adam'))}: RMSprop's ÷√(mean g²) plus Momentum's m "
                      f"(β₁ = {a.meta['hyper']['beta1']:g}): averaging g cancels the zigzag, {zigzag(a.thetas):.1f}× "
                      f"path per progress vs RMSprop's {zigzag(runs['rmsprop'].thetas):.0f}×.", width)


def gd_cap_text(surf, runs, tuning, probes, width: int = 31) -> str:
    """Why GD runs at its small η: it is stable only while η·λ_max < 2; λ_max is 1912 at the start and grows
    on the wall as GD moves, so the next grid η passes 2 there (from the probe curves)."""
    lam = start_sharpness(probes)
    j = edge_index(tuning, "gd")
    nxt = probe(probes, "gd", j)
    peak = float(np.nanmax(nxt["lr"] * nxt["lam_max"][:10]))
    g = step_lengths(runs["gd"].thetas)
    return wrap_words(f"GD needs η·λₘₐₓ < 2 (λₘₐₓ: steepest curvature, {lam:.0f} at ○). At η = "
                      f"{num(nxt['lr'])} it reaches {peak:.1f} on the wall, so GD runs at "
                      f"{num(runs['gd'].meta['hyper']['lr'])}: steps of {g[-1]:.1g}.", width)


def gain_span(run) -> tuple:
    """Where `descent.momentum_gain` measures (the last half of the steps), from θ at the first step counted
    to θ at the last: (first, last), the span `descent.zigzag` measures over too."""
    n = min(len(run.thetas) - 1, len(run.grad_norm))
    return int(run.steps[n // 2]), int(run.steps[n])


def own_rule(run) -> tuple:
    """(step t, ηₜ₋₁·|gₜ₋₁|) along a run's own path: the step GD's rule would take from where it is, paired
    with the step it did take (as `descent.momentum_gain` pairs them)."""
    n = min(len(run.thetas) - 1, len(run.grad_norm))
    return (np.asarray(run.steps[1:n + 1], float),
            np.asarray(run.lr, float)[:n] * np.asarray(run.grad_norm, float)[:n])


def sharpness_peak(probes, name: str, j: int, steps: int = 10) -> float:
    """The largest η·λ_max over the first `steps` steps of a probe run (η at grid index `j`)."""
    p = probe(probes, name, j)
    return float(np.nanmax(p["lr"] * p["lam_max"][:steps]))


def momentum_cap_text(runs, tuning, probes, name: str = "momentum", width: int = 31) -> str:
    """Why Momentum may run at an η that makes GD bounce: on a quadratic, heavy-ball momentum is stable while
    η·λ_max < 2(1 + β) (GD: 2); what its own probe runs reach over their first steps at its η and the next one."""
    k = chosen_index(tuning, name)
    b = float(runs[name].meta["hyper"]["beta"])
    now, nxt = sharpness_peak(probes, name, k), sharpness_peak(probes, name, k + 1)
    return wrap_words(f"Heavy-ball {RACE_NAMES[name]} (β = {b:g}) stays stable while η·λₘₐₓ < 2(1 + β) = "
                      f"{stability_limit('momentum', b):.1f}, "
                      f"not GD's 2: it reaches {now:.1f} at η = {num(tuning.lrs[k])}, {nxt:.1f} at "
                      f"{num(tuning.lrs[k + 1])} (×).", width)


def velocity_own_text(surf, runs, width: int = 31) -> str:
    """The winner's steps against its own η·|g| (the dashed line on the chart), where the gain is measured;
    above 1/(1 − β) because the gradients its velocity still holds were larger than today's."""
    w = surf.meta["ranking"][0][0]
    b = runs[w].meta["hyper"]["beta"]
    a, z = gain_span(runs[w])
    return wrap_words(f"Over steps {a}–{z} {RACE_NAMES[w]}'s steps are {momentum_gain(runs[w]):.0f}× its own η·|g| "
                      f"(dashed): v adds up ~1/(1 − β) = {1 / (1 - b):.0f} past g, which were larger.", width)


def nesterov_text(surf, runs, tuning, probes, width: int = 31) -> str:
    """Why Nesterov is behind Momentum: its next grid η spikes past the bound, so it runs one grid step lower;
    at that same η it beats Momentum (the tuning grid), so Momentum's win is the larger η it can take."""
    names = tuning.meta["names"]
    i, m = names.index("nesterov"), names.index("momentum")
    k = int(tuning.chosen[i])
    j = edge_index(tuning, "nesterov")
    p = probe(probes, "nesterov", j)
    start = probes.meta["start_loss"]
    b = float(runs["nesterov"].meta["hyper"]["beta"])
    bound = stability_limit("nesterov", b)  # Nesterov's look-ahead on a quadratic: stable while η·λ_max < this
    return wrap_words(f"Nesterov's look-ahead is stricter: η·λₘₐₓ < 2(1+β)/(1+2β) ≈ {bound:.1f}. At η = "
                      f"{num(p['lr'])} it is {p['lr'] * start_sharpness(probes):.1f} at ○: loss "
                      f"×{np.nanmax(p['loss']) / start:.0f}. At {num(tuning.lrs[k])} it beats Momentum "
                      f"({num(tuning.final_loss[i, k])} vs {num(tuning.final_loss[m, k])}).", width)


def step_series(runs, names) -> dict:
    """Per optimizer: (step t, |θₜ − θₜ₋₁|) for t = 1 … T and its median step length (the step-length
    chart of the Rosenbrock race: GD crawls at ~η·|g|, velocity makes the steps many times longer)."""
    out = {}
    for n in names:
        L = step_lengths(runs[n].thetas)
        out[n] = (np.asarray(runs[n].steps[1:len(L) + 1], float), L, float(np.median(L)))
    return out


def adagrad_text(runs) -> str:
    """AdaGrad's sum of g² only grows, so its steps only shrink (from its record)."""
    a = steps_of(runs["adagrad"])
    k = int(np.flatnonzero(a <= 1.2 * a[-1])[0]) + 1  # the steps it takes to get there (the steep start fills the sum)
    return (f"AdaGrad divides by √(sum of all g²), which only grows: its steps shrink {a[0] / a[-1]:.0f}× "
            f"({a[0]:.2f} → {a[-1]:.3f}) in {k} steps, then it stalls.")


def still_points(surface: str, surf, runs, tuning) -> list:
    """The race still's words under one panel: a few short points, each fact once, each naming what it is
    about and what follows (the verdict and the winner's neighbours are on the strip above them, the winner
    in the headline)."""
    if surface == "rosenbrock":
        top = [n for p in surf.meta["ranking"][:3] for n in p]
        a = steps_of(runs["adagrad"])
        first = ("The top 3 carry a velocity (Adam's m: a running mean of g)." if set(top) == {"momentum", "nesterov", "adam"}
                 else f"Top 3: {', '.join(RACE_NAMES[n] for n in top)}.")
        return [first, f"AdaGrad: its sum of g² only grows; steps shrink {a[0] / a[-1]:.0f}× from step 1 to {len(a)}.",
                "RMSprop: ≈ √2·η steps bounce across the floor."]
    if surface == "beale":
        b2 = runs["adam"].meta["hyper"]["beta2"]
        rho = runs["rmsprop"].meta["hyper"]["decay"]
        last = RACE_NAMES[surf.meta["ranking"][-1][-1]]
        return ["Each coordinate moves ≈ η·g / √(g² so far):",
                f"Adam (~{memory(b2)}-step mean): steps shrink with |g|.",
                "AdaGrad (sum: an extra ÷√t): they shrink from step 1.",
                f"RMSprop (~{memory(rho)}-step mean): stay ≈ √2·η" + (", last." if last == "RMSprop" else ".")]
    tied = surf.meta["ranking"][0]
    when = {n: first_below(runs[n], tuning.meta["min_value"], ATOL) for n in tied}
    fast = min(when, key=when.get)
    adaptive = ("adagrad", "rmsprop", "adam")
    late = [n for n in ("momentum", "adam") if last_move(runs[n]) > 0.05]
    return [f"Tied at ★ (< {power_of_ten(ATOL)}); {RACE_NAMES[fast]} first, step {when[fast]}.",
            f"Start y = {surf.meta['start'][1]:g}, a hair above the saddle line.",
            f"{', '.join(RACE_NAMES[n] for n in adaptive)} ÷ each |gᵢ|: off y = 0 at step "
            f"{max(ridge_step(runs[n]) for n in adaptive)}; GD only at step {ridge_step(runs['gd'])}.",
            f"{', '.join(RACE_NAMES[n] for n in late)}: velocity overshoots ★."]


def rmsprop_zigzag_text(runs) -> str:
    """RMSprop's mean of g² forgets, so its steps stay ≈ η per coordinate: too long for the narrow valley."""
    r = runs["rmsprop"]
    rho = r.meta["hyper"]["decay"]
    return (f"RMSprop forgets old g² in ~{memory(rho)} steps: x and y each keep moving ≈ η, too far for the narrow "
            f"valley: {zigzag(r.thetas):.0f}× more path than progress.")


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


def growth(run, lo: float = 0.003, hi: float = 0.5) -> float:
    """The median factor by which a saddle run's |y| grows per step while lo < |y| < hi (on the ridge,
    before the quartic term matters)."""
    y = np.abs(np.asarray(run.thetas, float)[:, 1])
    m = (y[:-1] > lo) & (y[1:] < hi)
    return float(np.median(y[1:][m] / y[:-1][m]))


def heavy_ball_growth(lr: float, beta: float) -> float:
    """|y|'s growth a step for a heavy ball on the ridge's −y² direction (f_y ≈ −2y): the larger root of
    r² − (1 + β + 2η)r + β = 0 (plain GD: β = 0, 1 + 2η)."""
    b = 1 + beta + 2 * lr
    return float((b + np.sqrt(b * b - 4 * beta)) / 2)


def momentum_lag_text(surf, runs, tuning, width: int = 31) -> str:
    """Why Momentum leaves the ridge last: at its tuned η its velocity (a sum of past, smaller slopes) trails
    a slope that grows every step, so |y| grows by less a step than GD's (the measured factors, side by side
    on the |y| chart)."""
    m, g = runs["momentum"], runs["gd"]
    return wrap_words(f"At its best η = {num(m.meta['hyper']['lr'])} Momentum's |y| grows ×{growth(m):.2f} a step (GD at "
                      f"{num(g.meta['hyper']['lr'])}: ×{growth(g):.1f}): its velocity sums past, smaller slopes. Off at "
                      f"step {ridge_step(m)}.", width)


def nesterov_ridge_text(surf, runs, tuning, width: int = 31) -> str:
    """Why Nesterov, a velocity method too, leaves the ridge early: its look-ahead damps the bounce at ★, so
    it can use a larger η (Momentum at that η ends off ★: the tuning record); at that η a heavy ball would
    grow |y| by `heavy_ball_growth`, the look-ahead makes it the measured factor."""
    n = runs["nesterov"]
    h = n.meta["hyper"]
    i = tuning.meta["names"].index("momentum")
    k = int(np.flatnonzero(np.isclose(tuning.lrs, h["lr"]))[0])
    return wrap_words(f"Look-ahead damps Nesterov's bounce, so η = {num(h['lr'])} works (Momentum there: f − f* = "
                      f"{loss_words(float(tuning.final_loss[i, k]))}): |y| ×{growth(n):.2f} a step (heavy ball "
                      f"×{heavy_ball_growth(h['lr'], h['beta']):.2f}).", width)


def adaptive_ridge_text(surf, runs, width: int = 31) -> str:
    """At step 1 the adaptive methods divide each coordinate by its own |gᵢ| (not by the whole |g|, which
    g_x dominates): the tiny y-slope still gives a full step in y, off the ridge at once."""
    names = ("adagrad", "rmsprop", "adam")
    y1 = [abs(float(runs[n].thetas[1, 1])) for n in names]
    return wrap_words(f"AdaGrad, RMSprop, Adam divide each coordinate by its own |gᵢ|: the tiny y-slope at "
                      f"y = {surf.meta['start'][1]:g} gives a full step (|y| {min(y1):.1f}–{max(y1):.1f} at step 1).",
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


# --- the tuning scene: GD's edge (why its stable rates stop where they do) ------------------------------
def edge_story(tuning, probes, name: str = "gd"):
    """The chosen η and the first two unstable rates above it, read off the probe curves: per rate the
    loss curve, its peak (value, step), the loss at the rule's first checked step, the first checked step
    above the start, η·λ_max at the start and its largest value over the first 10 steps, and how the
    rule rejects it (`rule_how`'s `Broke`, None: stable). None when there is no unstable rate above the chosen
    one."""
    i = tuning.meta["names"].index(name)
    k = int(tuning.chosen[i])
    above = np.flatnonzero(~tuning.stable[i].astype(bool) & (np.arange(len(tuning.lrs)) > k))[:2]
    if not above.size:
        return None
    w = probes.meta["warmup_step"]
    start = probes.meta["start_loss"]
    rows = []
    for j in (k, *above):
        p = probe(probes, name, int(j))
        L = p["loss"]
        rule = rule_how(tuning, probes, name, int(j), p)
        rows.append({"lr": p["lr"], "index": int(j), "loss": L, "peak": rule.peak,
                     "peak_step": int(np.nanargmax(L)), "at_check": float(L[w]), "over": rule.over, "how": rule.how,
                     "sharp0": float(p["lr"] * p["lam_max"][0]), "sharp": float(np.nanmax(p["lr"] * p["lam_max"][:10]))})
    return {"start": start, "check": w, "bound": tuning.config.get("peak", 10.0) * start,
            "lam0": float(probes.columns["lam_max"][0][0]), "rows": rows}


def unstable_ends(tuning, name: str) -> list:
    """(grid index, final f − f*) of every unstable rate of `name` above its stable ones, in η order
    (inf where the run diverged): where each dropped run ended."""
    i = tuning.meta["names"].index(name)
    S = tuning.stable[i].astype(bool)
    top = np.flatnonzero(S).max() if S.any() else -1
    return [(int(j), float(tuning.final_loss[i, j])) for j in np.flatnonzero(~S) if j > top]


def diverged_from(tuning, name: str):
    """The grid index from which `name` diverged at every larger rate up to the grid's end (None if its
    largest rate did not diverge)."""
    ends = unstable_ends(tuning, name)
    if not ends or np.isfinite(ends[-1][1]) or ends[-1][0] != len(tuning.lrs) - 1:
        return None
    out = ends[-1][0]
    for j, f in reversed(ends[:-1]):
        if np.isfinite(f) or j != out - 1:
            break
        out = j
    return out


def edge_beats(tuning, probes, name: str = "gd", width: int = 38, story=None) -> list:
    """Why GD's stable rates stop where they do, as (row, caption) pairs, `row` indexing
    `edge_story(...)["rows"]` (the run the caption is about, None: all of them): the steep start caps η
    (η·λ_max < 2 at the start); the first rate over the cap, 1.9 at the start, reaches more as the wall
    steepens and bounces; the next is over it at the start and spikes; past the cap the ends (○) are
    erratic, so the rule, fixed before any run, drops them all. η·λ_max is quoted at the start for every
    rate (and, for the bouncing one, also its largest over the first 10 steps). `story`: `edge_story(...)`, when
    the caller has it already."""
    e = edge_story(tuning, probes, name) if story is None else story
    lam = e["lam0"]
    chosen = e["rows"][0]
    out = [(0, f"GD is stable only while η·λₘₐₓ < 2 (λₘₐₓ = steepest curvature). At the start λₘₐₓ = {lam:.0f}, "
               f"so η < {2 / lam:.3g} (dashed). ● {num(chosen['lr'])} never rises above the start.")]
    i = tuning.meta["names"].index(name)
    for n, r in sorted(enumerate(e["rows"][1:], start=1), key=lambda nr: nr[1]["lr"]):  # the first × first
        end = float(tuning.final_loss[i, r["index"]])
        ends = f" (○ ends at {num(end)})" if np.isfinite(end) else ""
        if r["how"] is Broke.LATE:
            out.append((n, f"At η = {num(r['lr'])}, η·λₘₐₓ is {r['sharp0']:.1f} at the start but reaches "
                           f"{r['sharp']:.1f} as GD moves: the loss bounces up to {r['peak']:.0f}, still above the "
                           f"start at step {e['check']}{ends}."))
        elif r["how"] is Broke.PEAK:
            out.append((n, f"At η = {num(r['lr'])}, η·λₘₐₓ is {r['sharp0']:.1f} already at the start: the loss "
                           f"spikes to {r['peak']:.0f}, {r['peak'] / e['start']:.0f}× the start{ends}."))
        elif r["how"] is Broke.DIVERGES:
            out.append((n, f"At η = {num(r['lr'])} it diverges."))
    finite = [num(f) for _, f in unstable_ends(tuning, name) if np.isfinite(f)]
    if len(finite) > 1:
        tail = ", then it diverges (×)" if diverged_from(tuning, name) is not None else ""
        out.append((None, f"Past the limit {RACE_NAMES[name]}'s ends jump about: {', '.join(finite)} (○){tail}. "
                          f"The rule, fixed before any run, drops them all."))
    return [(n, wrap_words(t, width)) for n, t in out]


GOOD = 1.0  # final f − f* below this on Rosenbrock: on the valley floor, past its bend at x = 0 ((1 − x)² < 1)


def good_rates(tuning, name: str, good: float = GOOD) -> np.ndarray:
    """Grid indices of the stable rates whose final loss is below `good` (the window of good η)."""
    i = tuning.meta["names"].index(name)
    return np.flatnonzero(tuning.stable[i].astype(bool) & (tuning.final_loss[i] < good))


def tuning_takeaway(tuning, good: float = GOOD, winner: bool = True) -> str:
    """Easy to tune is not the same as best: the optimizer with the widest window of good η (final loss
    below `good`) against the winner, whose chosen η sits just under an unstable one (`winner=False`: the
    window alone, where the winner's fragility is said already)."""
    names = tuning.meta["names"]
    count = {n: good_rates(tuning, n, good).size for n in names}
    wide = max(count, key=count.get)
    best = min(tuning.meta["chosen_final"], key=tuning.meta["chosen_final"].get)
    i = names.index(best)
    k = int(tuning.chosen[i])
    edge = k + 1 < len(tuning.lrs) and not tuning.stable[i, k + 1]
    lo, hi = (tuning.lrs[j] for j in good_rates(tuning, wide, good)[[0, -1]])
    easy = (f"{RACE_NAMES[wide]} has the widest window of good η ({count[wide]} rates, {num(lo)}–{num(hi)})")
    if best == wide:
        return easy + ", and it wins."
    if not winner:
        return easy + "."
    return easy + (f". {RACE_NAMES[best]} wins, but its best η is one grid step below an unstable one." if edge else
                   f". {RACE_NAMES[best]} wins, at {count[best]} of its rates.")


def tie_words(tuning) -> str:
    """A tie for first at the floor in words, with the tie-break's order: the first step each tied run is
    at or below the tied level (the tuning record's `place_reach`)."""
    tied = tuning.meta["ranking"][0]
    at = tuning.meta["place_reach"]
    names = [RACE_NAMES[n] for n in tied]
    return (f"{', '.join(names[:-1])} and {names[-1]} tie at ≤ {power_of_ten(ATOL)}, ranked by the first step "
            f"there: {', '.join(str(at[n]) for n in tied)}.")


def tie_edge_text(tuning) -> str:
    """A tie for first is knife-edge when one grid step up changes it: what each tied optimizer's next
    rate gives (its final loss, still tied but later — the step it reaches the tied level —, or unstable)."""
    names = tuning.meta["names"]
    parts = []
    for n in tuning.meta["ranking"][0]:
        i = names.index(n)
        k = int(tuning.chosen[i])
        j = k + 1
        if j >= len(tuning.lrs):
            continue
        if not tuning.stable[i, j]:
            parts.append(f"{RACE_NAMES[n]} is unstable")
        elif int(tuning.reach[i, j]) >= 0:  # in the same tie: it only gets there later
            parts.append(f"{RACE_NAMES[n]} still {loss_words(float(tuning.final_loss[i, j]))} but at step "
                         f"{int(tuning.reach[i, j])} (not {int(tuning.reach[i, k])})")
        else:
            parts.append(f"{RACE_NAMES[n]} ends at {loss_words(float(tuning.final_loss[i, j]))}")
    return "One grid step up: " + ", ".join(parts) + "."


def dropped_below(tuning) -> list:
    """Every unstable grid run that still ends below the winner's final loss (finite), lowest first:
    [(name, grid index, final f − f*)] — the runs that would change the ranking without the rule."""
    finals = tuning.meta["chosen_final"]
    best = finals[tuning.meta["ranking"][0][0]]
    out = []
    for i, n in enumerate(tuning.meta["names"]):
        for j in np.flatnonzero(~tuning.stable[i].astype(bool)):
            f = float(tuning.final_loss[i, j])
            if np.isfinite(f) and f < best:
                out.append((n, int(j), f))
    return sorted(out, key=lambda r: r[2])


def dropped_words(tuning) -> str:
    """The dropped runs that end below the winner, as "Nesterov at 0.001 (0.00037), …"."""
    return ", ".join(f"{RACE_NAMES[n]} at {num(tuning.lrs[j])} ({num(f)})" for n, j, f in dropped_below(tuning))


def count_words(n: int) -> str:
    return {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five"}.get(n, str(n))


def dropped_text(tuning, probes) -> str:
    """The still's bullet: the dropped runs that end below the winner, how each broke the rule, and that
    the ranking rests on it ("" when none)."""
    d = dropped_below(tuning)
    if not d:
        return ""
    w = tuning.meta["ranking"][0][0]
    try:
        how = {rule_how(tuning, probes, n, j).how for n, j, _ in d}
    except IndexError:  # a rate without a recorded probe curve: say no more than the grid does
        how = set()
    why = f" after its loss passed {tuning.config.get('peak', 10.0):g}× the start" if how == {Broke.PEAK} else ""
    return (f"{count_words(len(d))} dropped runs (○) end below {RACE_NAMES[w]}'s "
            f"{num(tuning.meta['chosen_final'][w])}: {dropped_words(tuning)}, each{why}. The ranking rests on the "
            f"stability rule.")


def rule_takeaway(tuning, probes=None) -> str:
    """The tuning video's last line, a verdict: who wins under the rule fixed before any run, the dropped
    runs' spikes (their probe curves' peaks over the start, when `probes` holds every one), and who
    would win with a looser line — the lowest dropped run, once the line is above its own peak ("" when
    no dropped run ends lower)."""
    d = dropped_below(tuning)
    if not d:
        return ""
    w = tuning.meta["ranking"][0][0]
    line = tuning.config.get("peak", 10)
    head = f"{RACE_NAMES[w]} wins under the {line:g}× rule."
    try:
        peaks = [] if probes is None else [float(np.max(probe(probes, n, j)["loss"])) / float(probes.meta["start_loss"])
                                           for n, j, _ in d]
    except IndexError:  # a rate without a recorded probe curve
        peaks = []
    if peaks and min(peaks) > line:
        n = d[0][0]
        return (f"{head} The ○ runs spiked {', '.join(f'{p:.0f}×' for p in peaks)}: with a line above "
                f"{np.ceil(peaks[0]):.0f}×, {RACE_NAMES[n]} would win.")
    return f"{head} {count_words(len(d))} dropped run{'s' if len(d) > 1 else ''} (○) end lower: the rule decides the winner."


def knife_edge(tuning) -> list:
    """The runs tied for first (at the floor) that miss the tie level one grid step either side of their
    chosen η: both neighbours end above 10⁻¹² or are unstable (or off the grid)."""
    names, out = tuning.meta["names"], []
    for n in tuning.meta["ranking"][0]:
        i = names.index(n)
        k = int(tuning.chosen[i])
        miss = [not (0 <= j < len(tuning.lrs)) or not tuning.stable[i, j] or tuning.final_loss[i, j] > ATOL
                for j in (k - 1, k + 1)]
        if all(miss):
            out.append(n)
    return out


def knife_edge_text(tuning) -> str:
    """The saddle's point in one sentence: which tied runs miss the floor a grid step either side."""
    miss = [RACE_NAMES[n] for n in knife_edge(tuning)]
    if not miss:
        return ""
    who = miss[0] if len(miss) == 1 else f"{', '.join(miss[:-1])} and {miss[-1]}"
    return (f"A grid step either side, {who} end above {power_of_ten(ATOL)} or are unstable (solid "
            f"segments): the order rests on single grid points.")


def short_verdict(meta: dict) -> str:
    """The robustness verdict when the strip already shows the neighbours' values (○ / ×)."""
    w = meta["winner"][0]
    if meta["verdict"] == "robust":
        return f"{RACE_NAMES[w]} wins, and stays first with its η one grid step lower or higher (○)."
    if meta["verdict"] == "tie":
        return ""
    said = []
    for side, word in (("lower", "lower"), ("higher", "higher")):
        f = meta["neighbours"][side]
        if not np.isfinite(f):
            said.append(f"one step {word} (×) unstable")
        else:
            said.append(f"one step {word} (○) it would be {ordinal(place_among(meta, w, f))} of "
                        f"{len(meta['chosen_final'])}")
    return f"{RACE_NAMES[w]} is first, but fragile: " + ", ".join(said) + "."


def rosen_adam_rule(runs) -> str:
    """Adam's line on the rules page: the same ÷√ŝ as RMSprop, plus m, which averages away the zigzag."""
    return (f"same ÷√ŝ as RMSprop, plus m: averaging g cancels the zigzag ({zigzag(runs['adam'].thetas):.1f}× path per "
            f"progress; RMSprop {zigzag(runs['rmsprop'].thetas):.0f}×)")


def rules_takeaway(surf, runs) -> str:
    """The rules video's closing sentence: which term of which rule decided this race (measured)."""
    top = [n for p in surf.meta["ranking"][:3] for n in p]
    w = top[0]
    eta = {n: runs[n].meta["hyper"]["lr"] for n in ("momentum", "nesterov")}
    return (f"Only η tuned: velocity ({', '.join(RACE_NAMES[n] for n in top)}) takes the top 3; {RACE_NAMES[w]} "
            f"leads by taking {eta['momentum'] / eta['nesterov']:.1f}× Nesterov's η.")


def same_spot(runs, a: str, b: str, reach: float = 0.05, rel: float = 0.1) -> bool:
    """Two runs that end on one spot with about the same final loss (ends within `reach`, losses within
    `rel` of the larger): the still tags them "A ≈ B" rather than drawing one ahead of the other."""
    ea, eb = runs[a].thetas[-1], runs[b].thetas[-1]
    fa, fb = float(runs[a].meta["final_loss"]), float(runs[b].meta["final_loss"])
    return bool(np.linalg.norm(ea - eb) < reach and abs(fa - fb) <= rel * max(fa, fb))


def broke_rule(tuning, probes, name: str, j: int, short: bool = False) -> str:
    """Why the grid rate `j` of `name` is unstable, in a few words from its recorded curve (`rule_how`, said
    by `rule_words`); `short`: the peak case on two short lines for the still's strip."""
    return rule_words(rule_how(tuning, probes, name, j), short)


def stability_limit(name: str, beta: float = 0.9) -> float:
    """The largest η·λ_max at which a method stays stable on a quadratic bowl: GD 2, heavy-ball Momentum
    2(1 + β), Nesterov's look-ahead 2(1 + β)/(1 + 2β)."""
    return {"gd": 2.0, "momentum": 2 * (1 + beta), "nesterov": 2 * (1 + beta) / (1 + 2 * beta)}[name]


# --- the race scenes' own lines (2-D race, tuning, rules; the 3-D end cards' are in race_views_3d) ---------
def verdict_text(tuning) -> str:
    """The robustness verdict in words, naming the winner's neighbouring rates."""
    m = tuning.meta
    w = m["winner"][0]
    return race_verdict(m, RACE_NAMES.get, tuning.lrs, chosen_index(tuning, w))


SUPER = {1: "", 2: "²", 3: "³", 4: "⁴"}


def formula_text(formula: str) -> str:
    """The record's formula as shown: a sum over constants written out term by term
    ("f = Σᵢ(cᵢ − x + xyⁱ)², c = 1.5, 2.25" → "f = (1.5 − x + xy)²\n  + (2.25 − x + xy²)²"), one term a line."""
    if "Σᵢ(cᵢ" not in formula or ", c = " not in formula:
        return formula.replace(", c = ", "\nc = ")
    body, cs = formula.split(", c = ")
    inner = body[body.index("Σᵢ(cᵢ") + len("Σᵢ("):body.rindex(")")]
    terms = [f"({inner.replace('cᵢ', c.strip()).replace('yⁱ', 'y' + SUPER[i])})²"
             for i, c in enumerate(cs.split(","), start=1)]
    return "f = " + "\n   + ".join(terms)


def protocol_lines(surf, tuning, width: int = 32, tie: bool = False) -> list[str]:
    """The fairness claim, wrapped for the side column; `tie`: with the tie-break (tied final losses go to
    the run that first reaches the tied level)."""
    start = ", ".join(f"{v:g}" for v in surf.meta["start"])
    c = tuning.config
    grid = f"{power_of_ten(tuning.lrs[0])} … {power_of_ten(tuning.lrs[-1])}"
    words = (f"same start ○ ({start}), same {surf.meta['steps']} steps; η per optimizer: the best stable "
             f"final loss on one grid, {grid}, {c['per_decade']} per decade")
    if tie:
        words += "; a tie goes to the η first to get there"
    return wrap_words(words, width).split("\n")


def rule_effects(runs, tuning=None, probes=None) -> dict:
    """What each update rule did in this race, in numbers from its run (the rules slide's second lines);
    with the tuning record and its probes, Nesterov's line says what its next grid rate did."""
    a = step_lengths(runs["adagrad"].thetas)
    r = step_lengths(runs["rmsprop"].thetas)
    g = step_lengths(runs["gd"].thetas)
    m = {n: momentum_gain(runs[n]) for n in ("momentum", "nesterov")}
    h = len(r) // 2
    nest = f"θ is the look-ahead point (g taken a step ahead); its steps are {m['nesterov']:.0f}× η·|g|."
    gd = f"steps = η·|g|: tiny where the valley floor is flat ({g[0]:.2g} → {g[-1]:.1g})"
    if probes is not None:
        gd = (f"η must stay under 2/λₘₐₓ (λₘₐₓ: steepest curvature; 2/λₘₐₓ = {2 / start_sharpness(probes):.3g} "
              f"at ○, less on the wall): steps {g[0]:.2g} → {g[-1]:.1g} on the flat floor")
    if tuning is not None and probes is not None:
        j = edge_index(tuning, "nesterov")
        if j is not None:
            p = probe(probes, "nesterov", j)
            start = probes.meta["start_loss"]
            b = float(runs["nesterov"].meta["hyper"]["beta"])
            nest += (f" At η = {p['lr']:.2g} its loss spikes {np.nanmax(p['loss']) / start:.0f}× (unstable): the "
                     f"look-ahead allows η·λₘₐₓ < 2(1+β)/(1+2β) ≈ {stability_limit('nesterov', b):.1f}, here "
                     f"{p['lr'] * start_sharpness(probes):.1f} at ○.")
    return {"gd": gd,
            "momentum": f"v adds up past steps: {m['momentum']:.0f}× η·|g| on the valley floor"
                        + (f". Stable while η·λₘₐₓ < 2(1 + β) = {stability_limit('momentum', runs['momentum'].meta['hyper']['beta']):.1f} "
                           f"(GD: 2): it reaches {sharpness_peak(probes, 'momentum', chosen_index(tuning, 'momentum')):.1f}"
                           f" at η = {runs['momentum'].meta['hyper']['lr']:.2g}" if tuning is not None and probes is not None else ""),
            "nesterov": nest,
            "adagrad": f"G only grows, so its rate η/√G only falls: steps {a[0]:.2f} → {a[-1]:.3f} ({a[0] / a[-1]:.0f}×)",
            "rmsprop": f"s forgets old g: steps stay near {r[h:].mean():.2f}, zigzagging across the valley",
            "adam": rosen_adam_rule(runs)}


def gd_reading(tuning, name: str = "gd", width: int = 38) -> str:
    """How to read one curve, on GD's own numbers: lower is better, ● the best stable η, ○ an unstable η
    at its final loss (the protocol's rule in words), × where every larger η diverges."""
    warm = tuning.config.get("warmup", 0.1)
    check = int(np.ceil(warm * tuning.config["steps"]))
    peak = tuning.config.get("peak", PEAK)
    words = (f"Lower is better. ● {RACE_NAMES[name]}'s best stable η. ○ unstable η, at its final loss: its loss passed "
             f"{peak:g}× the start, or was above it after step {check}.")
    if diverged_from(tuning, name) is not None:
        words += " ×: diverges, there and at every larger η."
    return wrap_words(words, width)


def upper_minimum(surf) -> np.ndarray:
    """The saddle's upper ★ (the tie is there; the 3-D end card's overshoots are measured from it)."""
    return np.asarray(max(surf.meta["minima"], key=lambda m: m[1]), float)

