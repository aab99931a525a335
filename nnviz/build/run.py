"""Running a build: plan (which targets are stale and why), compute the records they need
once in this process, then render each stale target in its own worker process into a temp
folder and install its files only when the worker succeeded; and `clean`."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import NNVizError
from .keys import Keys
from .manifest import Manifest, import_project_modules, load_manifest
from .state import State, cache_dir
from .worker import _job


@dataclass
class Planned:
    target: object
    key: str
    fresh: bool
    reason: str
    experiments: tuple
    inputs: dict = field(default_factory=dict)


@dataclass
class Outcome:
    name: str
    status: str              # built | skipped | failed
    seconds: float = 0.0
    message: str = ""
    files: list = field(default_factory=list)


def plan(manifest: Manifest, names=(), force: bool = False) -> list[Planned]:
    keys = Keys(manifest, manifest.scan)
    state = State(manifest.root)
    out = []
    for t in manifest.select(names):
        k, inputs = keys.key(t)
        fresh, why = state.fresh(t, k, inputs)
        if force:
            fresh, why = False, "forced"
        out.append(Planned(t, k, fresh, why, tuple(inputs["experiments"]), inputs))
    keys.scan.save()
    return out



class _Running:
    def __init__(self, p: Planned, proc: subprocess.Popen, tmp: Path, log: Path, t0: float):
        self.p, self.proc, self.tmp, self.log, self.t0 = p, proc, tmp, log, t0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _clean_stale_tmp(tmp_root: Path) -> None:
    """Remove temp folders left by builds that died (their pid is in the folder name)."""
    if not tmp_root.is_dir():
        return
    for d in tmp_root.iterdir():
        try:
            pid = int(d.name.rsplit("-", 2)[-2])
        except (ValueError, IndexError):
            continue
        if not _pid_alive(pid):
            shutil.rmtree(d, ignore_errors=True)


class _Interrupted(Exception):
    pass


def build(names=(), jobs: int = 1, force: bool = False, dry_run: bool = False, manifest=None,
          progress: bool = True, out=sys.stdout) -> list[Outcome]:
    """Bring the selected targets up to date. Returns one Outcome per target."""
    m = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
    root = m.root
    os.environ.setdefault("NNVIZ_CACHE", str(cache_dir(root) / "records"))
    t_start = time.perf_counter()
    planned = plan(m, names, force)
    stale = [p for p in planned if not p.fresh]
    outcomes = {p.target.name: Outcome(p.target.name, "skipped", 0.0, p.reason) for p in planned if p.fresh}
    if dry_run:
        for p in planned:
            mark = "up to date " if p.fresh else "would build"
            print(f"{mark}  {p.target.name:28s} {p.reason}", file=out)
        print(f"{len(stale)} of {len(planned)} targets would be built", file=out)
        return [outcomes.get(p.target.name, Outcome(p.target.name, "stale", 0.0, p.reason)) for p in planned]
    if not stale:
        _summary([outcomes[p.target.name] for p in planned], time.perf_counter() - t_start, out)
        return [outcomes[p.target.name] for p in planned]

    lock_path = cache_dir(root) / "build" / "lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(lock_path, "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise NNVizError(f"another `nnviz build` is running in {root} (lock {lock_path})") from None
    try:
        return _build_locked(m, planned, stale, outcomes, max(1, int(jobs)), progress, out, t_start)
    finally:
        lock.close()


def _build_locked(m, planned, stale, outcomes, jobs, progress, out, t_start):
    from tqdm import tqdm

    from .. import experiments

    root = m.root
    state = State(root)
    tmp_root = root / "renders" / ".tmp"
    _clean_stale_tmp(tmp_root)
    logs = cache_dir(root) / "build" / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    # records first, once each, in this process (workers then only read the cache)
    needed = list(dict.fromkeys(n for p in stale for n in p.experiments))
    if needed:
        import_project_modules(m.modules)
    failed_exps: dict[str, str] = {}
    for n in needed:
        if experiments.is_cached(n):
            continue
        print(f"computing records: {n} …", file=out, flush=True)
        t0 = time.perf_counter()
        try:
            experiments.run(n)
            print(f"  {n}: {time.perf_counter() - t0:.1f}s", file=out, flush=True)
        except Exception as e:  # the dependent targets fail; the others still build
            failed_exps[n] = f"{type(e).__name__}: {e}"
    queue = []
    for p in stale:
        bad = [n for n in p.experiments if n in failed_exps]
        if bad:
            outcomes[p.target.name] = Outcome(p.target.name, "failed", 0.0, f"experiment {bad[0]} failed: {failed_exps[bad[0]]}")
        else:
            queue.append(p)

    running: list[_Running] = []
    bar = tqdm(total=len(queue), desc="rendering", unit="target", disable=not progress, file=sys.stderr,
               dynamic_ncols=True, leave=False)

    def on_signal(signum, frame):
        raise _Interrupted(signal.Signals(signum).name)

    old = signal.signal(signal.SIGTERM, on_signal)
    try:
        while queue or running:
            while queue and len(running) < jobs:
                p = queue.pop(0)
                tmp = Path(tempfile.mkdtemp(dir=_mk(tmp_root), prefix=f"{p.target.name}-{os.getpid()}-"))
                jf = tmp / "job.json"
                jf.write_text(json.dumps(_job(p.target, m, tmp)))
                log = logs / f"{p.target.name}.log"
                lf = open(log, "w")
                # same process group: a Ctrl-C or a kill of the group reaches the workers too
                proc = subprocess.Popen([sys.executable, "-m", "nnviz.build", str(jf)], stdout=lf,
                                        stderr=subprocess.STDOUT, cwd=str(root))
                lf.close()
                running.append(_Running(p, proc, tmp, log, time.perf_counter()))
                bar.set_postfix_str(", ".join(r.p.target.name for r in running))
            time.sleep(0.05)
            for r in list(running):
                rc = r.proc.poll()
                if rc is None:
                    continue
                running.remove(r)
                name, secs = r.p.target.name, time.perf_counter() - r.t0
                if rc == 0 and (r.tmp / "result.json").exists():
                    try:
                        files = json.loads((r.tmp / "result.json").read_text())
                        dests = r.p.target.outputs(root)
                        for fmt, src in files.items():
                            dests[fmt].parent.mkdir(parents=True, exist_ok=True)
                            os.replace(src, dests[fmt])
                        state.record(r.p.target, r.p.key, secs, r.p.inputs)
                        outcomes[name] = Outcome(name, "built", secs, "",
                                                 [str(d.relative_to(root)) for d in dests.values()])
                    except (OSError, KeyError, ValueError) as e:
                        outcomes[name] = Outcome(name, "failed", secs, f"could not install outputs: {e}")
                else:
                    outcomes[name] = Outcome(name, "failed", secs, _tail(r.log) + f" (log: {r.log})")
                shutil.rmtree(r.tmp, ignore_errors=True)
                bar.update(1)
                bar.set_postfix_str(", ".join(x.p.target.name for x in running))
    except (KeyboardInterrupt, _Interrupted) as e:
        for r in running:
            _kill(r.proc)
            shutil.rmtree(r.tmp, ignore_errors=True)
            outcomes[r.p.target.name] = Outcome(r.p.target.name, "failed", time.perf_counter() - r.t0, "interrupted")
        for p in queue:
            outcomes[p.target.name] = Outcome(p.target.name, "failed", 0.0, "not started (interrupted)")
        bar.close()
        _summary([outcomes[p.target.name] for p in planned], time.perf_counter() - t_start, out)
        raise NNVizError(f"build interrupted ({e or 'Ctrl-C'}); finished targets were kept, the rest stay stale") from None
    finally:
        signal.signal(signal.SIGTERM, old)
        bar.close()
    result = [outcomes[p.target.name] for p in planned]
    _summary(result, time.perf_counter() - t_start, out)
    return result


def _mk(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def _kill(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _tail(log: Path, n: int = 4) -> str:
    try:
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    except FileNotFoundError:
        return "worker died without a log"
    return " | ".join(lines[-n:])[-600:]


def _summary(outcomes: list[Outcome], wall: float, out) -> None:
    built = [o for o in outcomes if o.status == "built"]
    failed = [o for o in outcomes if o.status == "failed"]
    skipped = [o for o in outcomes if o.status == "skipped"]
    for o in built:
        print(f"  built    {o.name:28s} {o.seconds:6.1f}s  {', '.join(o.files)}", file=out)
    for o in failed:
        print(f"  FAILED   {o.name:28s} {o.seconds:6.1f}s  {o.message}", file=out)
    print(f"built {len(built)}, skipped {len(skipped)} (up to date), failed {len(failed)} "
          f"in {wall:.1f}s", file=out, flush=True)


def clean(root: Path, records: bool = False, outputs_of: Manifest | None = None) -> list[Path]:
    """Remove working media, temp folders and build state (and records / built outputs if asked)."""
    removed = []
    for p in (root / "renders" / ".media", root / "renders" / ".tmp", cache_dir(root) / "build",
              cache_dir(root) / "typst"):
        if p.exists():
            shutil.rmtree(p)
            removed.append(p)
    if records and (cache_dir(root) / "records").exists():
        shutil.rmtree(cache_dir(root) / "records")
        removed.append(cache_dir(root) / "records")
    if outputs_of is not None:
        for t in outputs_of.targets.values():
            for p in t.outputs(root).values():
                if p.exists():
                    p.unlink()
                    removed.append(p)
    return removed

