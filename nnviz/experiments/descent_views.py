"""What the descent scenes and stills read off their records, in one place (NumPy only; kept apart
from `experiments.descent` so that changing how a record is read does not retrain the records).

Digits (`descent_digits`): the per-epoch view, the measured epoch times (median and quartiles of the
timed epochs), the per-second verdict by its stated rule, and the conclusion in words.
Variants (`descent_variants`): loss above the exact minimum, the zoom on the minimum, each panel's
lesson. Wells (`descent_wells`): the hump between the wells, when the motion stops, when momentum crosses
the hump, the share of the restart range left of the hump, and the two starts either side of it."""
from __future__ import annotations

import numpy as np


def per_epoch(run) -> dict:
    """A digits run's full-data losses at the ends of epochs only (epoch 0 … epochs): the per-epoch
    view and the tuning rule read these; the denser evaluations in between serve the per-second view."""
    spe = run.config["steps_per_epoch"]
    at = run.eval_steps % spe == 0
    return {"epoch": run.eval_steps[at] // spe, "train_loss": run.train_loss[at], "test_loss": run.test_loss[at]}


# the digits trade-off, read from the records (the scene and the still state it in the same words)
QUARTILES = (25, 75)


def epoch_times(run) -> dict:
    """The run's measured seconds per epoch (declared timing field `epoch_time`, one measurement per
    epoch): median, quartiles, min, max and how many epochs were timed."""
    et = np.asarray(run.epoch_time, float)
    q1, q3 = (float(q) for q in np.percentile(et, QUARTILES))
    return {"median": float(np.median(et)), "q1": q1, "q3": q3, "min": float(et.min()), "max": float(et.max()),
            "n": int(et.size)}


def median_clock(run, epoch_time: float | None = None) -> np.ndarray:
    """Seconds of training at each evaluation when every epoch takes the run's median measured epoch
    time (robust to the few epochs a shared CPU slows down), or `epoch_time`; step t of an epoch of
    S steps is at t/S of it. Evaluation 0 is at 0 s."""
    et = float(np.median(run.epoch_time)) if epoch_time is None else epoch_time
    return et * run.eval_steps / run.config["steps_per_epoch"]




def by_batch_size(rec) -> dict:
    """Every trained batch size once (b = 1, the sweep, the full batch), smallest first: name → run."""
    runs = {rec[k].meta["batch_size"]: rec[k] for k in ("stochastic", *_sweep_names(rec), "batch")}
    return dict(sorted(runs.items()))


def digits_runs(rec) -> dict:
    """The three runs the digits scene and still draw as curves: b = 1 ("stochastic"), the batch size
    with the lowest median loss at the time budget ("minibatch" role; the recorded mini-batch run when
    that is b = 1 or the full batch) and the full batch ("batch")."""
    runs = by_batch_size(rec)
    best = budgets(rec)["best"]
    mid = runs[best] if best not in (min(runs), max(runs)) else rec["minibatch"]
    return {"batch": rec["batch"], "minibatch": mid, "stochastic": rec["stochastic"]}


def reached(run, seconds: float, epoch_time: float | None = None) -> int:
    """Index of the last evaluation reached within `seconds` of training (median epoch time, or `epoch_time`)."""
    return int(np.searchsorted(median_clock(run, epoch_time), seconds * (1 + 1e-12), side="right") - 1)


SMOOTH_HALF = 0.05  # decades either side of a time (±12 %): the window of the running median and of the budget read


def window_quartiles(x, y, at, half: float = SMOOTH_HALF) -> np.ndarray:
    """For each time in `at`: the 25th, 50th and 75th percentile of the recorded `y` whose `x` (> 0)
    lies within ±`half` decades of it (NaN where none): rows (q25, median, q75)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = x > 0
    lx, y = np.log10(x[keep]), y[keep]
    out = []
    for t in np.atleast_1d(np.asarray(at, float)):
        w = np.abs(lx - np.log10(t)) <= half + 1e-12
        out.append(np.percentile(y[w], [25, 50, 75]) if w.any() else [np.nan] * 3)
    return np.array(out)


def budgets(rec) -> dict:
    """The trade-off the blog argues, from the records: per batch size, the test loss after all epochs
    and after a time budget. Each run's clock is its median measured epoch time (25 epochs timed);
    the budget is the full-batch run's epochs at its median. A run's loss at the budget (`seconds`)
    is its running median there (the evaluations within ±`SMOOTH_HALF` decades: the bold curve the
    per-second view draws); its bar (`spread`) covers loss noise and timing noise: from the lowest
    25th to the highest 75th percentile of that window, for a budget read anywhere between its
    epoch-time quartiles (a fast epoch gets further in the same seconds). The stated rule for the
    per-second verdict, checkable on the chart: `best` is the lowest loss at the budget;
    `best_seconds` are the batch sizes whose bar overlaps the best one's bar (a tie within noise),
    `best` alone when no other bar reaches its bar. Also per batch size: `updates` made within the
    budget, `per_update` (median epoch time / updates per epoch, s) and `top_lr` (the largest
    stable η on the grid)."""
    runs = by_batch_size(rec)
    full = rec["batch"]
    budget = float(np.median(full.epoch_time) * full.config["epochs"])
    epochs = {b: float(r.test_loss[-1]) for b, r in runs.items()}
    second, spread, updates, times, per_update, top_lr = {}, {}, {}, {}, {}, {}
    for b, r in runs.items():
        times[b] = t = epoch_times(r)
        clock = median_clock(r)
        second[b] = float(window_quartiles(clock, r.test_loss, budget)[0, 1])
        # the budget on the median clock for an epoch time anywhere between the quartiles
        q = window_quartiles(clock, r.test_loss, np.geomspace(budget * t["median"] / t["q3"],
                                                              budget * t["median"] / t["q1"], 9))
        spread[b] = (float(np.nanmin(q[:, 0])), float(np.nanmax(q[:, 2])))
        updates[b] = int(r.eval_steps[reached(r, budget)])
        per_update[b] = t["median"] / r.config["steps_per_epoch"]
        tun = r.meta["tuning"]
        top_lr[b] = max(float(x) for x, ok in zip(tun["lrs"], tun["stable"]) if ok)
    best = min(second, key=second.get)  # the lowest loss at the budget
    within = [b for b, (lo, _) in spread.items() if lo <= spread[best][1]]  # bars overlapping the best's bar
    return {"budget": budget, "epochs": epochs, "seconds": second, "spread": spread, "updates": updates,
            "times": times, "best_epochs": leaders(epochs), "best_seconds": within, "best": best,
            "per_update": per_update, "top_lr": top_lr,
            "n_epochs": int(full.config["epochs"]), "n": int(full.meta["batch_size"]),
            "lr": {b: float(r.meta["lr"]) for b, r in runs.items()}}


def below_while_both(rec, b: int, a: int = 1, points: int = 50):
    """The time span where both runs' running medians are drawn, and whether batch size `b`'s lies
    below `a`'s at every one of `points` log-spaced times in it (compared on the drawn curves)."""
    runs = by_batch_size(rec)
    ca, cb = (smooth_log(median_clock(runs[k])[1:], runs[k].test_loss[1:]) for k in (a, b))
    lo, hi = max(ca[0][0], cb[0][0]), min(ca[0][-1], cb[0][-1])
    g = np.log10(np.geomspace(lo, hi, points))
    ya, yb = (np.interp(g, np.log10(c[0]), c[1]) for c in (ca, cb))
    return (float(lo), float(hi)), bool(np.all(yb < ya))


def leaders(losses: dict, rtol: float = 0.05) -> list:
    """Batch sizes whose loss is within `rtol` of the lowest (differences smaller than that are
    shuffling noise here), smallest b first."""
    best = min(losses.values())
    return [b for b, v in losses.items() if v <= best * (1 + rtol)]


def ms(seconds: float) -> str:
    """Milliseconds in few characters: 151, 1.7, 0.57, 0.085, 0.10 (two significant figures below 1)."""
    v = 1e3 * seconds
    return f"{v:.0f}" if v >= 10 else f"{v:.1f}" if v >= 1 else f"{v:#.2g}"


def time_range(t: dict) -> str:
    """A measured epoch time as 'median (quartile–quartile) ms'."""
    return f"{ms(t['median'])} ms ({ms(t['q1'])}–{ms(t['q3'])})"


def names_of(bs, among=None) -> str:
    """Batch sizes in words: '1', '128, 256', or '128–512' for three or more that are neighbours
    in `among` (every batch size trained; without it, any three or more)."""
    bs = sorted(bs)
    run = among is None or [x for x in sorted(among) if bs[0] <= x <= bs[-1]] == bs
    return ", ".join(str(x) for x in bs) if len(bs) < 3 or not run else f"{bs[0]}–{bs[-1]}"


def out_of_order(losses: dict, rtol: float = 0.05):
    """The neighbouring batch sizes (a < b) where the larger batch ends lowest relative to the smaller
    (the biggest such drop beyond `rtol`), or None when the losses rise with b."""
    bs = sorted(losses)
    drops = [(losses[a] / losses[b], a, b) for a, b in zip(bs, bs[1:]) if losses[b] < losses[a] * (1 - rtol)]
    return max(drops)[1:] if drops else None


def about(a: float, c: float, within: float = 1.5) -> bool:
    """True when two positive amounts are within a factor `within` of each other ("about as many")."""
    return max(a, c) <= within * min(a, c)


def shown_decimals(hi: float, lo: float, most: int = 4) -> int:
    """Decimals (≥ 2) at which `hi` < `lo` still reads as smaller once both are rounded (a reader checks
    "no overlap" on the printed numbers)."""
    for d in range(2, most + 1):
        if round(hi, d) < round(lo, d):
            return d
    return most


def trade_off_words(rec) -> dict:
    """The conclusion in words, every number from `budgets` and the records, one short caption per
    step of the scene (the still prints the same): `epoch` (why b = 1 wins per epoch: updates per
    epoch), `second` (what one update costs: b = 1 against the mid-size batch drawn), `budget` (the
    updates each drawn run made within the budget), `why` (why the mid-size batch's updates are
    better: an average over b examples, stable at a larger η), `after_epochs` (the per-epoch ranking,
    and which batch sizes break its order, with their tuned η), `after_time` (the per-second verdict
    by the stated rule: the lowest, or a tie within noise; and whether the mid-size batch stays below
    b = 1 wherever both ran) and `takeaway`; `open` (the protocol) and `clock` (how epochs were
    timed, what the faint and bold curves are)."""
    b = budgets(rec)
    e, s = b["best_epochs"], b["best_seconds"]
    small, full, mid = min(b["epochs"]), b["n"], digits_runs(rec)["minibatch"].meta["batch_size"]
    best = b["best"]
    odd = out_of_order({k: v for k, v in b["epochs"].items() if k not in e})
    order, why = "", []
    if odd is not None:  # the larger batch ends lower: say which rate the smaller one could not take
        order = f"; b = {odd[0]} trails b = {odd[1]}:"
        tun = by_batch_size(rec)[odd[0]].meta["tuning"]
        k = tun["chosen"]
        if k + 1 < len(tun["lrs"]) and not tun["stable"][k + 1]:
            why = [f"η = {tun['lrs'][k + 1]:g} was unstable for b = {odd[0]}, so it got {b['lr'][odd[0]]:g}; "
                   f"b = {odd[1]} got {b['lr'][odd[1]]:g}."]
        else:
            why = [f"b = {odd[0]} got η = {b['lr'][odd[0]]:g}, b = {odd[1]} got {b['lr'][odd[1]]:g}."]
    spe = {k: by_batch_size(rec)[k].config["steps_per_epoch"] for k in (small, full, mid)}
    every = list(b["epochs"])
    lrs = rec["batch"].meta["tuning"]["lrs"]
    timed = b["times"][full]["n"]
    twice = rec["batch"].meta.get("timing") is not None  # each epoch timed twice, the faster kept
    pu, u = b["per_update"], b["updates"]
    shown = float(ms(pu[mid])), float(ms(pu[small]))  # the numbers as shown: what a reader checks
    extra, r = shown[0] - shown[1], shown[0] / shown[1]
    if not about(pu[small], pu[mid]):
        cost = [f"{mid} examples take {pu[mid] / pu[small]:.1f}× the time of 1."]
    elif r < 0.9:  # the larger batch's step is even cheaper
        cost = [f"a fixed cost per step: about equal, {100 * (1 - r):.0f} % less at b = {mid}."]
    elif r <= 1.1:
        cost = [f"a fixed cost per step: {mid - 1} more examples add about nothing."]
    else:
        cost = [f"a fixed cost per step: {mid - 1} more examples add only {extra:.2g} ms."]
    first = f"b = {small}" if e == [small] else f"b = {names_of(e, every)}"
    many = ("About as many" if about(u[small], u[mid], 1.1) else "More" if u[mid] > u[small] else "Fewer")
    budget = f"{b['budget']:.2g} s"
    others = [x for x in s if x != best]
    (_, t_both), below = below_while_both(rec, mid, small)
    loss, bar = b["seconds"], b["spread"]
    nxt = min((x for x in loss if x != best), key=loss.get)  # the runner-up at the budget
    d = shown_decimals(bar[best][1], bar[nxt][0]) if not others else 2
    head = f"After {budget}: b = {best} lowest, {loss[best]:.{d}f} (bar {bar[best][0]:.{d}f}–{bar[best][1]:.{d}f});"
    if others:
        verdict = [head, f"b = {names_of(others, every)}'s bar overlap{'s' if len(others) == 1 else ''} it: a tie."]
        last = f"in {budget}, b = {names_of(s, every)} tie"
    else:
        verdict = [head, f"next b = {nxt}, {loss[nxt]:.{d}f} (bar {bar[nxt][0]:.{d}f}–{bar[nxt][1]:.{d}f}): "
                         "no overlap."]
        last = f"in {budget}, b = {best} does"
    if below:  # the mid-size run's bold curve under b = 1's at every time both were drawn
        verdict.append(f"b = {mid} is below b = {small} at every time both ran (to {t_both:.2g} s).")
    lr_m, lr_1 = b["lr"][mid], b["top_lr"][small]
    return {"open": [f"8×8 digits; η per b: lowest training loss of {len(lrs)} rates ({lrs[0]:g}–{lrs[-1]:g}).",
                     f"Left: per epoch, then per second · right: all {len(b['epochs'])} batch sizes"],
            "clock": [f"Time = epochs × median of {timed} epoch times" + (" (each the faster of 2)." if twice else "."),
                      f"Faint: each evaluation. Bold: median of those within ±{100 * (10 ** SMOOTH_HALF - 1):.0f} % in time."],
            "epoch": [f"Per epoch, b = {small} wins: {spe[small]} updates per epoch; batch GD makes {spe[full]}."],
            "second": [f"One update: {ms(pu[small])} ms at b = {small}, {ms(pu[mid])} ms at b = {mid}"
                       + (":" if about(pu[small], pu[mid]) else "."), *cost],
            "budget": [f"Dotted: {budget} = batch GD's {b['n_epochs']} epochs. Updates by then:",
                       f"b = {small}: {u[small]}, b = {mid}: {u[mid]}, batch GD: {u[full]}."],
            "why": [f"{many} updates" + ("" if many == "About as many" else f" ({u[mid]} vs {u[small]})") +
                    (", better ones" if many != "Fewer" else ", but better ones") + f": {mid} examples each,",
                    f"stable at η = {lr_m:g}; b = {small} is unstable above η = {lr_1:g}."],
            "after_epochs": [f"After {b['n_epochs']} epochs: b = {names_of(e, every)} lowest{order or '.'}", *why],
            "after_time": verdict,
            "takeaway": [f"Per epoch, {first} learns most; {last}" + (":" if best == mid else "."),
                         ("" if best == mid else f"b = {mid}: ") +
                         (f"about as many updates as b = {small}" if many == "About as many" else
                          f"{many.lower()} updates ({u[mid]} vs {u[small]})") +
                         f", each averaging {mid} examples,",
                         f"so η = {lr_m:g} stays stable (b = {small}: at most {lr_1:g})."]}


FAINT_MOST = 300  # the most raw evaluations of a run drawn faint under its running median (scene and still)


def log_pick(n: int, most: int = FAINT_MOST) -> np.ndarray:
    """At most `most` indices of 1 … n − 1, spaced evenly in log(index) (a log time axis then gets
    its points evenly: the first evaluations of a long run are the ones a log axis spreads out)."""
    if n - 1 <= most:
        return np.arange(1, n)
    return np.unique(np.geomspace(1, n - 1, most).round().astype(int))


def smooth_log(x, y, points: int = 160, half: float = SMOOTH_HALF):
    """A running median of a noisy curve on a log x axis: at `points` log-spaced x, the median of the
    recorded y whose x lies within ±`half` decades (windows with no recorded point are left out).
    Returns (x, y) of the smoothed line (x > 0 only)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = x > 0
    x, y = x[keep], y[keep]
    lx = np.log10(x)
    at = np.linspace(lx[0], lx[-1], points)
    lo, hi = np.searchsorted(lx, at - half, "left"), np.searchsorted(lx, at + half, "right")
    ok = hi > lo
    return 10 ** at[ok], np.array([np.median(y[a:b]) for a, b in zip(lo[ok], hi[ok])])


def _sweep_names(rec) -> list[str]:
    return sorted((k for k in rec if k.startswith("b") and k[1:].isdigit()), key=lambda k: rec[k].meta["batch_size"])


# the wells scene's verdicts (the scene, the still and the claim tests share them)
RESTART = "restart"


def restart_keys(rec) -> list[str]:
    return sorted((k for k in rec if k.startswith(RESTART)), key=lambda k: int(k[len(RESTART):]))


def settled_step(rec, names, tol: float = 0.01) -> int:
    """The last step at which any of the runs is still more than `tol` (in θ) from where it ends:
    after it nothing visible changes, so the animation stops there."""
    last = 1
    for n in names:
        th = rec[n].thetas[:, 0]
        moving = np.flatnonzero(np.abs(th - th[-1]) > tol)
        if moving.size:
            last = max(last, int(rec[n].steps[min(moving[-1] + 1, len(th) - 1)]))
    return last


def barrier(curve) -> float:
    """θ of the hump between the two minima (from the recorded curve): plain GD with a small step
    started left of it ends in the left well, right of it in the right well."""
    xs, fs = curve.xs, curve.loss[0]
    lo, hi = sorted(m[0] for m in curve.meta["minima"])
    inside = (xs > lo) & (xs < hi)
    return float(xs[inside][np.argmax(fs[inside])])


def crossing_step(run, xb: float) -> int:
    """The first recorded step at which a run started right of the hump is left of it."""
    left = np.flatnonzero(run.thetas[:, 0] < xb)
    return int(run.steps[left[0]]) if left.size else int(run.steps[-1])


def velocity_of(run) -> np.ndarray:
    """Momentum's velocity at each recorded step: the recorded state when there is one, else read off the
    path (θ ← θ + v, recorded every step: v_k = θ_k − θ_(k−1), v_0 = 0)."""
    if run.state and "velocity" in run.state:
        return np.asarray(run.state["velocity"][:, 0], float)
    th = run.thetas[:, 0]
    return np.r_[0.0, np.diff(th)]


def turn_back(run, xb: float) -> tuple[int, float, float]:
    """A run started left of the hump: the step at which it gets closest to the hump (its highest θ), that
    θ, and how far short of the hump it turned back (xb − θ; negative if it crossed)."""
    th = run.thetas[:, 0]
    k = int(np.argmax(th))
    return int(run.steps[k]), float(th[k]), float(xb - th[k])


def basin_share(lo: float, hi: float, xb: float) -> float:
    """The share of a uniform start range [lo, hi] left of the hump (where plain GD ends in the deep well)."""
    return float(np.clip((xb - lo) / (hi - lo), 0.0, 1.0))


def straddle(rec, keys, xb: float):
    """The two restarts that start closest to the hump on either side (None when one side has none)."""
    x0 = {k: float(rec[k].thetas[0, 0]) for k in keys}
    left = [k for k in keys if x0[k] < xb]
    right = [k for k in keys if x0[k] >= xb]
    if not left or not right:
        return None
    return max(left, key=x0.get), min(right, key=x0.get)


# the variants scene's numbers (exact line-fit loss above its minimum)
def excess(run, floor: float) -> np.ndarray:
    """The full-data loss above the exact minimum's, L − L* (what the log plots show)."""
    return np.maximum(run.train_loss - floor, 1e-12)


def small(v: float) -> str:
    """A loss gap in few characters: 0.14, 0.019, or 10⁻⁶ for tiny ones (its decade)."""
    if v >= 1e-3:
        return f"{v:.2g}"
    return "10" + str(int(np.round(np.log10(v)))).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def zoom_window(rec, run: str = "stochastic_epochs", share: float = 0.5, margin: float = 1.25) -> float:
    """Half-width of the square zoom around the minimum: `margin` × the farthest SGD strays from it over
    the last `share` of its epochs (its jitter fits inside), rounded up to 0.25."""
    m = np.asarray(rec["surface"].meta["minimum"], float)
    th = rec[run].thetas
    far = float(np.abs(th[int(len(th) * (1 - share)):] - m).max())
    return float(np.ceil(margin * far / 0.25) * 0.25)


def epoch_medians(run, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """A variants run's full-data loss above its minimum, as the median over each epoch's updates
    (epoch 0: the start; epoch k: the median of the losses after updates (k−1)·spe+1 … k·spe). A noisy
    run's level, not the luck of its last update."""
    spe = run.config["steps_per_epoch"]
    e = excess(run, floor)
    n = int(run.eval_steps[-1] // spe)
    med = [e[0]] + [float(np.median(e[(run.eval_steps > (k - 1) * spe) & (run.eval_steps <= k * spe)]))
                    for k in range(1, n + 1)]
    return np.arange(n + 1), np.array(med)


def lesson(rec, variants=("batch", "minibatch", "stochastic")) -> dict:
    """The lesson in words, one short caption (≤ 3 lines) per beat, every number from the records
    (full-data loss above its minimum; per epoch the median over the epoch's updates): the opening,
    epoch 1, why SGD stalls (its level from epoch 1 on), the last epoch, the last step, and the takeaway."""
    floor = rec["surface"].meta["min_loss"]
    e = {v: epoch_medians(rec[f"{v}_epochs"], floor)[1] for v in variants}
    st = {v: excess(rec[f"{v}_steps"], floor) for v in variants}
    n = rec["surface"].config["problem"]["n"]
    sgd, gd, mb = "stochastic", "batch", "minibatch"
    b = rec[f"{mb}_epochs"].meta["batch_size"]
    spe = {v: rec[f"{v}_epochs"].config["steps_per_epoch"] for v in variants}
    epochs, steps = e[gd].size - 1, st[gd].size - 1
    low = min(variants, key=lambda v: e[v][-1])
    name = {gd: "batch GD", mb: "mini-batch", sgd: "SGD"}
    ranked = ", ".join(f"{name[v]} {e[v][-1]:.2g}" for v in sorted(variants, key=lambda v: e[v][-1]))
    lo, hi = e[sgd][1:].min(), e[sgd][1:].max()  # SGD's epoch medians from epoch 1 on
    return {"open": [f"Fit ŷ = w·x + b to {n} points; same start, same η = {rec[f'{gd}_epochs'].lr[0]:g}.",
                     "Right: the loss after every update (thin), each epoch's median (thick)."],
            "one_epoch": [f"Epoch 1: SGD {e[sgd][1]:.2g}, batch GD {e[gd][1]:.2g}. Same data, but",
                          f"SGD made {spe[sgd]} updates and batch GD 1."],
            "stall": [f"From epoch 1 on SGD stays at {lo:.2g}–{hi:.2g}. At ★ the average",
                      "gradient is 0, but one point's is not, so at a fixed η",
                      "every SGD step kicks it off ★ again."],
            "epochs_end": [f"Epoch {epochs}: {ranked}.",
                           f"{name[low].capitalize()} averages {b} points: a smaller kick,",
                           f"and still {spe[mb]} steps per epoch. It ends lowest."],
            "steps_open": [f"Now {steps} steps each: a batch-GD step averages all {n} points'",
                           f"gradients, a mini-batch step {b}, an SGD step 1."],
            "steps_end": [f"After {steps} steps: batch GD {small(st[gd][-1])}, mini-batch {small(st[mb][-1])}, "
                          f"SGD {small(st[sgd][-1])}.",
                          f"Per step the full batch wins, but each step costs {n}× SGD's."],
            "takeaway": ["Takeaway, at one fixed η: per epoch, small batches win (more",
                         "steps) until b = 1's noise stalls; per step, the full batch wins."]}


def lead_step(rec, a: str = "batch", b: str = "stochastic") -> int:
    """The first step from which run `a` stays below run `b` (matched steps, full-data loss)."""
    la, lb = rec[f"{a}_steps"].train_loss, rec[f"{b}_steps"].train_loss
    behind = np.flatnonzero(la >= lb)
    return int(behind[-1] + 1) if behind.size else 0


def keep_words(rec, tol: float = 1e-6) -> str:
    """What "keep the best restart" means here: the best final loss, or that the deep runs tie."""
    c = rec["curve"]
    keys = restart_keys(rec)
    finals = {k: float(np.interp(rec[k].final_theta[0], c.xs, c.loss[0])) for k in keys}
    best = min(finals.values())
    tied = [k for k in keys if finals[k] <= best + tol]
    if len(tied) > 1:
        return f"the {len(tied)} deep runs tie at J = {best:.2f}: keep any"
    return f"keep the best: J = {best:.2f}"


# the network loss sheets (`descent_surface`): how much of the path a sheet holds
def sheet_share(projection) -> float:
    """The share of the path's movement Σ‖θₜ − θ_end‖² that lies in a sheet through θ_end: 1 − Σ off² / Σ dist²
    from the projection record (dist = off / rel). For the fitted (PCA) sheet it is its two explained-variance
    shares; the scenes and the still state it for both sheets in the same words."""
    off, rel = np.asarray(projection.off_plane, float), np.asarray(projection.rel_off_plane, float)
    m = rel > 0
    dist = off[m] / rel[m]
    return float(1.0 - np.sum(off[m] ** 2) / np.sum(dist ** 2))


def start_offsets(projection) -> tuple[float, float]:
    """(distance off the sheet, distance to the end point) of the path's first point, in weight space:
    ‖θ₀ − its projection on the sheet‖ and ‖θ₀ − θ_end‖ (the sheet runs through θ_end, so the in-sheet
    part is √(dist² − off²)). From the projection record (dist = off / rel)."""
    off, rel = float(np.asarray(projection.off_plane, float)[0]), float(np.asarray(projection.rel_off_plane, float)[0])
    return off, (off / rel if rel > 0 else 0.0)
