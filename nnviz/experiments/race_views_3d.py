"""The 3-D races' own lines, read off the race records and their probes (NumPy only; like `race_views`, outside
every record key): the mid-race stops (`velocity_mid_text`, `escape_text`, `gd_escape_text`), the Rosenbrock end
card (the stability chart's rows `limit_rows` and their words `limit_text`, the rule's two bounces, the zigzag
and AdaGrad close-ups' spans and lines, the winner's neighbours, the fragile verdict, the takeaway) and the saddle
end card (the ranking by arrival `arrivals`, why Adam, Momentum and Nesterov reach ★ late or never, the
takeaway). The 2-D races', the tuning scene's and the stills' lines, and the helpers these share, are in
`race_views`; `tests/test_race_words.py` recomputes every number in both."""
from __future__ import annotations

import numpy as np

from ..tuning import ATOL
from .descent import RACE_NAMES, finish_order, first_below, momentum_gain, ordinal, step_lengths, zigzag
from .race_views import (Broke, chosen_index, gain_span, num, place_among, place_of, probe, ridge_step, rule_how, stability_limit,
                         upper_minimum, verdict_text)


# --- Rosenbrock: the race's stop and the lit end card ----------------------------------------------------
def below_step(run, level: float = 1.0):
    hit = np.flatnonzero(np.asarray(run.train_loss, float) < level)
    return int(run.steps[hit[0]]) if hit.size else None


def limit_rows(runs, tuning, probes, names=("gd", "momentum", "nesterov"), steps: int = 10) -> dict:
    """Per method: its stability limit (`stability_limit`), and the largest η·λ_max over the first `steps`
    steps of its own probe runs at the chosen η ("now") and at the next grid η up ("next"), the step each
    peaks at, and the next η's loss peak over the start (×). The same measure, at the same place (the steep
    start: every one of these peaks within its first steps), for every method."""
    out = {}
    start = probes.meta["start_loss"]
    for n in names:
        i = tuning.meta["names"].index(n)
        k = int(tuning.chosen[i])
        beta = float(runs[n].meta["hyper"].get("beta", 0.9))
        row = {"limit": stability_limit(n, beta), "beta": beta}
        for key, j in (("now", k), ("next", k + 1)):
            p = probe(probes, n, j)
            s = p["lr"] * p["lam_max"][:steps]
            L = p["loss"]
            w = probes.meta["warmup_step"]
            how = rule_how(tuning, probes, n, j, p).how
            top_ = int(np.nanargmax(L))
            back = np.flatnonzero(L[top_:] < L[0])  # the first step its loss is below the start again
            row[key] = {"lr": p["lr"], "index": int(j), "peak": float(np.nanmax(s)), "step": int(np.nanargmax(s)),
                        "loss_x": float(np.nanmax(L) / start), "stable": bool(tuning.stable[i, j]), "how": how,
                        "back": int(top_ + back[0]) if back.size else None, "check": int(w),
                        "at_check": float(L[w] / L[0]), "final": float(tuning.final_loss[i, j])}
        out[n] = row
    return out


def fragile_verdict(tuning) -> str:
    """The robustness verdict in few words for the 3-D race's side column: a fragile win names what
    the winner's neighbouring rates give (unstable, or its place among all six); else `verdict_text`."""
    m = tuning.meta
    if m["verdict"] != "within noise":
        return verdict_text(tuning)
    w = m["winner"][0]
    k = chosen_index(tuning, w)
    parts = []
    for side, j in (("higher", k + 1), ("lower", k - 1)):
        f = m["neighbours"][side]
        at = f" (η = {tuning.lrs[j]:.2g})" if 0 <= j < len(tuning.lrs) else ""
        parts.append(f"one {'grid step ' if not parts else ''}{side}{at} it " + (
            "is unstable (dropped)" if not np.isfinite(f) else f"ends {ordinal(place_among(m, w, f))} ({f:.2g})"))
    return f"{RACE_NAMES[w]}'s win is fragile: " + "; ".join(parts) + "."


def velocity_mid_text(surf, runs, name: str, k: int) -> str:
    """The race's stop: the step the velocity winner's loss first drops below 1, with GD's loss then; the
    reason in a clause each (a velocity adds up steps; GD's η is capped by the steep start)."""
    gd = float(runs["gd"].train_loss[k])
    return f"Step {k}: {RACE_NAMES[name]} below loss 1, GD at {gd:.1f}: {RACE_NAMES[name]}'s velocity adds up steps."


def bounce_text(surf, lim: dict) -> str:
    """What the rule makes of the two bounces: GD one grid η up still over the start at the check step, by
    its margin (dropped; where it would have ended, and its place then), Nesterov at its η under the start
    again from an early step (kept)."""
    gd, ne = lim["gd"]["next"], lim["nesterov"]["now"]
    return (f"The rule: GD's × is {gd['at_check']:.3f}× the start at step {gd['check']}: dropped, by a hair (it "
            f"would end {gd['final']:.2g}, {ordinal(gd['place'])}). Nesterov's ● is under it from step {ne['back']}: kept.")


def neighbour_rows(tuning, name: str, lim: dict | None = None) -> list[str]:
    """The winner at its η and one grid step either side, one line each: where each ends (its place among the
    others' chosen runs) or that the rule drops it (and how), its own η marked ●."""
    m = tuning.meta
    i = m["names"].index(name)
    k = int(tuning.chosen[i])
    rows = []
    for j in (k - 1, k, k + 1):
        f = float(tuning.final_loss[i, j])
        if not tuning.stable[i, j]:
            how = lim[name]["next"] if lim and j == k + 1 else None
            end = "dropped (×)" + (f": loss ×{how['loss_x']:.0f}" if how and how["how"] is Broke.PEAK else "")
        else:
            end = f"ends {f:.2g}, {ordinal(place_among(m, name, f))}" + (" (●)" if j == k else "")
        rows.append(f"η = {num(tuning.lrs[j])}: {end}")
    return rows


def zigzag_span(run) -> tuple:
    """The steps the zigzag close-ups show: five steps, fifty into the last half (where `zigzag` measures)."""
    s0, _ = gain_span(run)
    return s0 + 50, s0 + 55


def adagrad_span(run) -> int:
    """The first step from which AdaGrad's steps stay within 1.5× its last one."""
    s = step_lengths(np.asarray(run.thetas, float))
    big = np.flatnonzero(s > 1.5 * s[-1])
    return int(big[-1]) + 1 if big.size else 0


def limit_text(name: str, lim: dict, place: int) -> str:
    """One stability-chart row in words: what its limit means (GD) or what moves it (Momentum, Nesterov), its
    η kept (●) and the next grid η dropped (×) with how that one breaks the rule; Nesterov's ● past its limit
    bounces once and is back under the start within the rule's first steps."""
    r = lim[name]
    now, nxt = r["now"], r["next"]
    fate = {Broke.LATE: f"its loss is still over the start at step {nxt['check']}",
            Broke.PEAK: f"its loss spikes ×{nxt['loss_x']:.0f}", Broke.DIVERGES: "it diverges",
            None: "it stays stable"}
    if name == "gd":
        return (f"GD, {ordinal(place)}: limit 2 (past it, a step overshoots). {num(now['lr'])} stays under (●); "
                f"at {num(nxt['lr'])} (×) {fate[nxt['how']]}.")
    if name == "momentum":
        return (f"Momentum's velocity lifts its limit to 3.8: {num(now['lr'])} fits (●); at {num(nxt['lr'])} (×) "
                f"{fate[nxt['how']]}: dropped.")
    past = now["peak"] > r["limit"]
    return (f"Nesterov, {ordinal(place)}: look-ahead lowers its limit to ≈ {r['limit']:.1f}; at {num(nxt['lr'])} (×) "
            f"{fate[nxt['how']]}. Its {num(now['lr'])} (●) is "
            + ("past it too, yet kept: next." if past else "under it."))


def zigzag_text(surf, runs) -> str:
    """RMSprop's zigzag against Adam's straight walk, measured (path over progress, the last half)."""
    a, b = gain_span(runs["rmsprop"])
    return (f"RMSprop, {ordinal(place_of(surf, 'rmsprop'))}, zigzags: {zigzag(runs['rmsprop'].thetas):.0f}× more "
            f"path than progress (steps {a}–{b}). Adam, {ordinal(place_of(surf, 'adam'))}, adds m, a mean of g "
            f"that cancels it: {zigzag(runs['adam'].thetas):.1f}×.")


def adagrad_steps_text(surf, runs) -> str:
    """Why AdaGrad stalls: its sum of g² is set by the steep start, so its steps shrink within a few steps
    and stay small (first step, last step, their ratio, from its record)."""
    s = step_lengths(np.asarray(runs["adagrad"].thetas, float))
    k = adagrad_span(runs["adagrad"])
    return (f"AdaGrad, {ordinal(place_of(surf, 'adagrad'))}, divides by all past g² summed; the steep start "
            f"made that huge: from step {k + 1} on its steps are {s[0] / s[-1]:.0f}× shorter than its first.")


def velocity_end_text(surf, runs) -> str:
    """The winner's velocity, measured: its steps are ~N× its own η·|g| (the median over the last half of its
    steps, `momentum_gain`): a velocity adds up past steps."""
    w = surf.meta["ranking"][0][0]
    b = runs[w].meta["hyper"]["beta"]
    return (f"{RACE_NAMES[w]}, {ordinal(place_of(surf, w))}: its velocity (β = {b:g}) adds up past steps: on the "
            f"floor each is ~{momentum_gain(runs[w]):.0f}× a plain GD step with the same η and gradient.")


def race_takeaway(surf, runs, tuning=None) -> str:
    """The one sentence the Rosenbrock race ends on: the two velocity methods lead (their order within
    noise when the tuning verdict says so), and the adaptive ones, each at its own best η, end behind GD."""
    lead = [n for names in surf.meta["ranking"][:2] for n in names]
    gd = runs["gd"].meta["final_loss"]
    behind = [n for n in ("adagrad", "rmsprop", "adam") if runs[n].meta["final_loss"] > gd]
    noise = tuning is not None and tuning.meta["verdict"] == "within noise"
    if surf.meta["ranking"][0] == ["momentum"] and surf.meta["ranking"][-1] == ["gd"]:
        return ("Takeaway: here Momentum's velocity wins" + (", on a fragile η" if noise else "") +
                "; GD, its η capped by the steep start, crawls to last.")
    if set(lead) == {"momentum", "nesterov"} and len(behind) == 3:
        return ("Takeaway: in a long, curved valley, velocity wins (Momentum, Nesterov" +
                ("; their order is within noise" if noise else "") +
                "); the adaptive methods, each at its best η, end behind plain GD.")
    return f"Takeaway: here {' and '.join(RACE_NAMES[n] for n in lead)} lead, each at its best η on one shared grid."


# --- the saddle: the race's two stops and the end card ---------------------------------------------------
def escape_text(surf, runs) -> str:
    """Why the adaptive methods leave the ridge at step 1: each coordinate is divided by its own
    gradient size, so the tiny slope across the ridge still gives a full step across it."""
    return (f"AdaGrad, RMSprop, Adam divide each coordinate by its own gradient size: at step "
            f"{max(ridge_step(runs[o]) for o in ('adagrad', 'rmsprop', 'adam'))} the tiny slope across the "
            f"ridge already gives a full step off it.")


def gd_escape_text(surf, runs) -> str:
    """GD's escape from the ridge, measured on its run: its distance off the ridge grows by 1 + 2η a
    step (f's slope across the ridge is −2y there), passing 0.5 at step k."""
    gd = np.asarray(runs["gd"].thetas, float)[:, 1]
    k = ridge_step(runs["gd"])
    return (f"GD steps η × slope. Across the ridge the slope is 2 × the distance off it, so each step multiplies "
            f"that distance by only 1 + 2η = {gd[1] / gd[0]:.2g}: {gd[0]:g} → {gd[k]:.2f} by step {k}.")


def arrivals(surf, runs, min_value: float) -> tuple[list, list]:
    """The saddle race ranked by arrival: [(name, first step within 10⁻¹² of f*)] for the runs that get
    there, earliest first (the recorded ranking's tie-break), then [(name, final f − f*)] for the others,
    in the recorded ranking's order."""
    order = finish_order(surf)
    first = {n: first_below(runs[n], min_value, ATOL) for n in order}
    there = sorted((n for n in order if first[n] is not None), key=lambda n: (first[n], order.index(n)))
    return [(n, first[n]) for n in there], [(n, runs[n].meta["final_loss"]) for n in order if first[n] is None]


def swing_decay(run, centre, lo: int | None = None) -> float:
    """How much a run's distance to `centre` shrinks per step over the second half of its steps: the
    exponential fit (least squares on log distance) of steps n/2 … n."""
    d = np.linalg.norm(np.asarray(run.thetas, float)[:, :2] - np.asarray(centre, float), axis=1)
    k = np.arange(len(d))[(len(d) - 1) // 2 if lo is None else lo:]
    return float(np.exp(np.polyfit(k, np.log(d[k]), 1)[0]))


def adam_swing_text(surf, runs, centre, k: int = 12) -> str:
    """Why Adam, off the ridge at step 1, does not reach ★: its m is a velocity (β₁), and round a minimum a
    velocity's swing shrinks only by about √β₁ a step (the heavy ball's rate), measured on its run (the
    top view then shows its last k steps)."""
    a = runs["adam"]
    b1 = float(a.meta["hyper"]["beta1"])
    r = swing_decay(a, centre)
    return (f"Adam keeps a velocity (β₁ = {b1:g}): it swings round ★ (top view: its last {k} steps), its "
            f"distance to ★ shrinking only ×{r:.2f} a step (≈ √β₁).")


def momentum_late_text(surf, runs, tuning) -> str:
    """Why Momentum is last on the saddle: the same velocity as Nesterov (β) but no look-ahead, so at
    Nesterov's η its swing round ★ has not died down by the last step (its f − f* there, from the tuning grid);
    its best η is the smallest of the six, it leaves the ridge last (the step |y| > 0.5), and at its last step it is
    swinging past ★ (just past its closest approach, moving away)."""
    m, hn = runs["momentum"], runs["nesterov"].meta["hyper"]
    i = tuning.meta["names"].index("momentum")
    j = int(np.flatnonzero(np.isclose(tuning.lrs, hn["lr"]))[0])
    return (f"Momentum's best η is only {num(m.meta['hyper']['lr'])} (at Nesterov's {num(hn['lr'])} it ends "
            f"f − f* = {num(float(tuning.final_loss[i, j]))}): it leaves the ridge last (step {ridge_step(m)}), "
            f"swinging past ★.")


def overshoot_step(run, surf) -> int:
    """The step a run is farthest past ★ once off the ridge (its velocity's overshoot)."""
    star = upper_minimum(surf)
    th = np.asarray(run.thetas, float)[:, :2]
    k0 = ridge_step(run)
    return k0 + int(np.argmax(np.linalg.norm(th[k0:] - star, axis=1) * (th[k0:, 1] > star[1])))


def nesterov_overshoot_text(surf, runs, tuning, arrived=None) -> str:
    """Why Nesterov, off the ridge long before GD at the same η, reaches ★ after it: its velocity carries
    it past ★ (its farthest point beyond ★, in plane distance), and the swing takes steps to die out (its
    arrival step; GD's is in the ranking beside it; `arrived`: `arrivals(...)`, when computed already)."""
    nv = runs["nesterov"]
    star = upper_minimum(surf)
    k = overshoot_step(nv, surf)
    d = float(np.linalg.norm(np.asarray(nv.thetas, float)[k, :2] - star))
    there = dict((arrivals(surf, runs, tuning.meta["min_value"]) if arrived is None else arrived)[0])
    return (f"Nesterov is off the ridge at step {ridge_step(nv)} (GD: {ridge_step(runs['gd'])}), but its "
            f"velocity carries it {d:.2f} past ★ by step {k}, and it swings back and forth until step "
            f"{there['nesterov']}.")


def saddle_takeaway(surf, runs, min_value: float | None = None, arrived=None) -> str:
    """The saddle race's one sentence: the saddle only delays GD, which reaches ★ k steps after the
    first run and ahead of the others (by arrival, the ranking beside it; `arrived`: `arrivals(...)` at
    `min_value`, when computed already)."""
    tied = surf.meta["ranking"][0]
    if min_value is not None and "gd" in tied and len(tied) > 1:
        there, rest = arrivals(surf, runs, min_value) if arrived is None else arrived
        steps = dict(there)
        behind = [n for n, _ in there if steps[n] > steps["gd"]] + [n for n, _ in rest]
        off = abs(float(surf.meta["start"][1]) - float(surf.meta["saddles"][0][1]))
        k = ridge_step(runs["gd"])
        return (f"Takeaway: a saddle only delays GD: {k} steps to leave the ridge from {off:g} off it, "
                f"{steps['gd'] - k} more to ★; {steps['gd'] - there[0][1]} after {RACE_NAMES[there[0][0]]}, ahead of "
                f"{', '.join(RACE_NAMES[n] for n in behind)}.")
    gd = np.asarray(runs["gd"].thetas, float)[:, 1]
    if "gd" in tied and len(tied) > 1:
        return (f"Takeaway: a saddle only delays plain GD (×{gd[1] / gd[0]:.1f} a step off the ridge): it too "
                f"ends on ★, tied first.")
    return f"Takeaway: from next to a saddle, {' and '.join(RACE_NAMES[n] for n in tied)} reach ★ first."
