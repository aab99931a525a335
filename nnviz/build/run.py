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
import threading
import time
from collections import deque
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import NNVizError, describe_os_error
from ..folders import build_dir, cache_dir, media_dir, records_dir, renders_dir, tmp_dir, typst_dir, use_project
from .keys import Keys
from .manifest import Manifest, ManifestError, import_project_modules, load_manifest
from .scan import content_digest
from .state import State
from .worker import _job


@dataclass
class Planned:
    target: object
    key: str
    fresh: bool
    reason: str
    experiments: tuple
    inputs: dict = field(default_factory=dict)
    watch: dict = field(default_factory=dict)     # {file: sha256} the render must find unchanged


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
        out.append(Planned(t, k, fresh, why, tuple(inputs["experiments"]), inputs,
                           {} if fresh else keys.watch(t)))
    check_overrides(manifest, [(p.target, p.key) for p in out])
    keys.scan.save()
    return out


def check_overrides(manifest: Manifest, targets) -> None:
    """Every `set = {…}` names an existing attribute of the scene class, with a value of its type.

    Knowing the class means importing the scene (and manim), so the verdict is cached per
    target key: a no-op build imports nothing; a changed target is checked before anything
    renders (`build -n` too)."""
    checked = manifest.scan.data.setdefault("checked", {})
    todo = [(t, k) for t, k in targets if t.kind == "scene" and t.overrides and checked.get(t.name) != k]
    if not todo:
        return
    from ..render.runner import load_scene_class, with_overrides

    problems = []
    import_project_modules(manifest.modules)
    for t, k in todo:
        try:
            cls = load_scene_class(t.scene, t.cls)
        except Exception:   # noqa: BLE001 - the scene itself is broken: its render will say how
            continue
        try:
            with_overrides(cls, t.overrides)
        except NNVizError as e:
            problems.append(f"[targets.{t.name}] set: {e}")
            continue
        checked[t.name] = k
        manifest.scan.dirty = True
    if problems:
        raise ManifestError(f"{manifest.path} is invalid:\n  - " + "\n  - ".join(problems))


class _Running:
    def __init__(self, p: Planned, proc: subprocess.Popen, tmp: Path, log: Path, t0: float, reader):
        self.p, self.proc, self.tmp, self.log, self.t0, self.reader = p, proc, tmp, log, t0, reader


class _LogReader(threading.Thread):
    """Copies a worker's output into its log file and keeps the last lines in memory, so the
    reason for a failure is known even when the log could not be written (a full disk)."""

    def __init__(self, stream, log: Path):
        super().__init__(daemon=True)
        self.stream, self.log, self.lines, self.log_error = stream, log, deque(maxlen=40), None

    def run(self):
        try:
            f = open(self.log, "w")
        except OSError as e:
            f, self.log_error = None, e
        for line in iter(self.stream.readline, ""):
            self.lines.append(line.rstrip("\n"))
            if f is not None:
                try:
                    f.write(line)
                    f.flush()
                except OSError as e:
                    self.log_error = e
                    f = None
        if f is not None:
            try:
                f.close()
            except OSError as e:
                self.log_error = e

    def tail(self, n: int = 3) -> str:
        lines = [ln.strip() for ln in self.lines if ln.strip() and not ln.startswith(("Traceback", "  File ", "    "))]
        return " | ".join(lines[-n:])[-500:]


def _why(rc: int, reader: _LogReader, log: Path) -> str:
    """A failed worker's reason: how it ended, the tail of what it said, where the full log is."""
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        how = f"killed by signal {-rc} ({name})" + (" — out of memory?" if -rc == signal.SIGKILL else "")
    else:
        how = f"exit status {rc}"
    tail = reader.tail() or "no output"
    where = f"log: {log}" if reader.log_error is None else \
        f"log: not written ({describe_os_error(reader.log_error)})"
    return f"{how}: {tail} ({where})"


def changed_sources(watch: dict) -> list[str]:
    return [f for f, sha in watch.items() if content_digest(Path(f)) != sha]


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


@contextmanager
def build_lock(root: Path, what: str = "build"):
    """The project's build lock (renders/.cache/build.lock, outside the build state `clean`
    removes): one build — or clean — at a time."""
    lock_path = cache_dir(root) / "build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(lock_path, "a")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if what == "clean":
                raise NNVizError(f"a build is running in {root}; wait for it to finish (or stop it), "
                                 "then run `nnviz clean`") from None
            raise NNVizError(f"another `nnviz build` is running in {root} (lock {lock_path}); "
                             "wait for it to finish") from None
        yield
    finally:
        lock.close()


def _orphans(m: Manifest, state: State) -> list[tuple[str, Path]]:
    produced = {p.resolve() for t in m.targets.values() for p in t.outputs(m.root).values()}
    return state.orphans(produced)


def _remove_orphans(m: Manifest, out) -> None:
    """Delete outputs a previous build wrote that the manifest no longer produces (a dropped
    format, a removed target) — only files the state records as ours and still as written."""
    state = State(m.root)
    gone: dict[str, list[Path]] = {}
    for name, p in _orphans(m, state):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        gone.setdefault(name, []).append(p)
        print(f"  removed  {p.relative_to(m.root)} (no longer in {m.path.name})", file=out)
    if gone:
        for name, paths in gone.items():
            state.drop_outputs(name, paths)
            if name not in m.targets and not state.data["targets"][name]["outputs"]:
                state.data["targets"].pop(name)
        state.save()


def build(names=(), jobs: int = 1, force: bool = False, dry_run: bool = False, manifest=None,
          progress: bool = True, out=sys.stdout) -> list[Outcome]:
    """Bring the selected targets up to date. Returns one Outcome per target."""
    m = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
    root = m.root
    use_project(root)
    t_start = time.perf_counter()
    planned = plan(m, names, force)
    stale = [p for p in planned if not p.fresh]
    outcomes = {p.target.name: Outcome(p.target.name, "skipped", 0.0, p.reason) for p in planned if p.fresh}
    orphans = _orphans(m, State(root))
    if dry_run:
        for p in planned:
            mark = "up to date " if p.fresh else "would build"
            print(f"{mark}  {p.target.name:28s} {p.reason}", file=out)
        for _, p in orphans:
            print(f"would remove {p.relative_to(root)} (no longer in {m.path.name})", file=out)
        print(f"{len(stale)} of {len(planned)} targets would be built", file=out)
        return [outcomes.get(p.target.name, Outcome(p.target.name, "stale", 0.0, p.reason)) for p in planned]
    if not stale and not orphans:
        _summary([outcomes[p.target.name] for p in planned], time.perf_counter() - t_start, out)
        return [outcomes[p.target.name] for p in planned]
    with build_lock(root):
        if orphans:
            _remove_orphans(m, out)
        if not stale:
            _summary([outcomes[p.target.name] for p in planned], time.perf_counter() - t_start, out)
            return [outcomes[p.target.name] for p in planned]
        return _build_locked(m, planned, stale, outcomes, max(1, int(jobs)), progress, out, t_start)


def _start(p: Planned, m: Manifest, tmp_root: Path, logs: Path) -> _Running:
    tmp = Path(tempfile.mkdtemp(dir=_mk(tmp_root), prefix=f"{p.target.name}-{os.getpid()}-"))
    try:
        jf = tmp / "job.json"
        jf.write_text(json.dumps({**_job(p.target, m, tmp), "watch": p.watch}))
        log = logs / f"{p.target.name}.log"
        # same process group: a Ctrl-C or a kill of the group reaches the workers too
        proc = subprocess.Popen([sys.executable, "-m", "nnviz.build", str(jf)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=str(m.root),
                                text=True, errors="replace")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    reader = _LogReader(proc.stdout, log)
    reader.start()
    return _Running(p, proc, tmp, log, time.perf_counter(), reader)


def _finish(r: _Running, rc: int, root: Path, state: State) -> Outcome:
    name, secs = r.p.target.name, time.perf_counter() - r.t0
    r.reader.join(timeout=10)
    if rc != 0 or not (r.tmp / "result.json").exists():
        return Outcome(name, "failed", secs, _why(rc, r.reader, r.log))
    changed = changed_sources(r.p.watch)
    if changed:     # the render may have run other bytes than the key names: keep the old output
        rel = ", ".join(_short(f, root) for f in changed[:3])
        return Outcome(name, "failed", secs, f"{rel} changed during the build; the new output was not kept "
                                             "and the target stays stale — build again")
    try:
        files = json.loads((r.tmp / "result.json").read_text())
        dests = r.p.target.outputs(root)
        for fmt, src in files.items():
            dests[fmt].parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dests[fmt])
        state.record(r.p.target, r.p.key, secs, r.p.inputs)
    except OSError as e:
        return Outcome(name, "failed", secs, f"could not install outputs: {describe_os_error(e)}")
    except (KeyError, ValueError) as e:
        return Outcome(name, "failed", secs, f"could not install outputs: {e}")
    return Outcome(name, "built", secs, "", [str(d.relative_to(root)) for d in dests.values()])


def _short(f: str, root: Path) -> str:
    try:
        return str(Path(f).relative_to(root))
    except ValueError:
        return Path(f).name


def _build_locked(m, planned, stale, outcomes, jobs, progress, out, t_start):
    from tqdm import tqdm

    from .. import experiments

    root = m.root
    state = State(root)
    tmp_root = tmp_dir(root)
    _clean_stale_tmp(tmp_root)
    logs = build_dir(root) / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    # records first, once each, in this process (workers then only read the cache)
    needed = list(dict.fromkeys(n for p in stale for n in p.experiments))
    if needed:
        import_project_modules(m.modules)
    failed_exps: dict[str, str] = {}
    for n in needed:
        # read here even when cached: a damaged entry is recomputed once, here, not in every worker
        cached = experiments.is_cached(n)
        if not cached:
            print(f"computing records: {n} …", file=out, flush=True)
        t0 = time.perf_counter()
        try:
            experiments.run(n)
            if not cached:
                print(f"  {n}: {time.perf_counter() - t0:.1f}s", file=out, flush=True)
        except OSError as e:
            failed_exps[n] = describe_os_error(e)
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
                try:
                    running.append(_start(p, m, tmp_root, logs))
                except OSError as e:
                    outcomes[p.target.name] = Outcome(p.target.name, "failed", 0.0,
                                                      f"could not start the render: {describe_os_error(e)}")
                    bar.update(1)
                    continue
                bar.set_postfix_str(", ".join(r.p.target.name for r in running))
            time.sleep(0.05)
            for r in list(running):
                rc = r.proc.poll()
                if rc is None:
                    continue
                running.remove(r)
                outcomes[r.p.target.name] = _finish(r, rc, root, state)
                shutil.rmtree(r.tmp, ignore_errors=True)
                bar.update(1)
                bar.set_postfix_str(", ".join(x.p.target.name for x in running))
    except (KeyboardInterrupt, _Interrupted) as e:
        for r in running:
            _kill(r.proc)
            shutil.rmtree(r.tmp, ignore_errors=True)
            outcomes[r.p.target.name] = Outcome(r.p.target.name, "failed", time.perf_counter() - r.t0, "interrupted")
        for p in queue:
            outcomes.setdefault(p.target.name, Outcome(p.target.name, "failed", 0.0, "not started (interrupted)"))
        bar.close()
        _summary([outcomes[p.target.name] for p in planned], time.perf_counter() - t_start, out)
        how = str(e) or ("Ctrl-C" if isinstance(e, KeyboardInterrupt) else type(e).__name__)
        raise NNVizError(f"build interrupted ({how}); finished targets were kept, the rest stay stale") from None
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
    """Remove working media, temp folders and build state (and records / built outputs if asked).
    Refused while a build runs (it holds the build lock, which clean never deletes)."""
    removed = []
    with build_lock(root, "clean") if renders_dir(root).is_dir() else nullcontext():
        for p in (media_dir(root), tmp_dir(root), build_dir(root), typst_dir(root)):
            if p.exists():
                shutil.rmtree(p)
                removed.append(p)
        if records and records_dir(root).exists():
            shutil.rmtree(records_dir(root))
            removed.append(records_dir(root))
        if outputs_of is not None:
            for t in outputs_of.targets.values():
                for p in t.outputs(root).values():
                    if p.exists():
                        p.unlink()
                        removed.append(p)
    return removed
