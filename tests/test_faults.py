"""Fault injection: try to break builds, records and the cache as a user (and bad luck) would.

Every case runs the real command (`python -m nnviz …`) in a temporary project whose
record cache lives in renders/.cache/records, renders 192x108 stills, and asserts the
outcome: nothing lost, a correct rebuild, one clear line. Read-only and full disks are
small tmpfs mounts over the project's renders/ (skipped, with the reason, where this
process may not mount).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from cliproject import SCENE_FROM_RECORDS, SETTINGS, TINY_FIGURE, counts, pixel, run, write
from conftest import hex_rgb

PKG = Path(__file__).resolve().parent.parent / "nnviz"

SCENE_A = '''
import manim as mn
from nnviz.render.style import ThemedScene


class Still(ThemedScene):
    fill = "#D55E00"
    runs = {"gd": "sgd"}

    def construct(self):
        self.add(mn.Square(3, fill_color=self.fill, fill_opacity=1, stroke_width=0))
'''

SCENE_B = SCENE_FROM_RECORDS

SCENE_GATE = '''
import os, time
from pathlib import Path
import manim as mn
from nnviz.render.style import ThemedScene


class Gate(ThemedScene):
    """Blocks mid-render until the test creates MARK.go (when NNVIZ_TEST_GATE=MARK)."""

    def construct(self):
        mark = os.environ.get("NNVIZ_TEST_GATE")
        if mark:
            Path(mark).write_text(str(os.getpid()))
            t0 = time.time()
            while not Path(mark + ".go").exists() and time.time() - t0 < 60:
                time.sleep(0.05)
        self.add(mn.Square(3, fill_color="#009E73", fill_opacity=1, stroke_width=0))
'''

SCENE_DIE = '''
import os, signal
from nnviz.render.style import ThemedScene


class Die(ThemedScene):
    how = "kill"

    def construct(self):
        if self.how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(3)
'''

SCENE_MATH = '''
from nnviz.render.mathtex import math
from nnviz.render.style import ThemedScene


class Mathy(ThemedScene):
    def construct(self):
        self.add(math("x^2 + y"))
'''

EXPS = '''
import os, time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from nnviz.experiments import experiment
from nnviz.figures import figure
from nnviz.records import Record


@dataclass(frozen=True)
class Numbers(Record):
    kind: ClassVar[str] = "fault_numbers"
    values: np.ndarray
    meta: dict = field(default_factory=dict)


class Hook:
    """Serialising it blocks (while NNVIZ_TEST_HOOK names this record): a kill mid-write."""

    def __init__(self, name):
        self.name = name

    def to_json(self):
        mark = os.environ.get("NNVIZ_TEST_MARK")
        if mark and os.environ.get("NNVIZ_TEST_HOOK") == self.name:
            Path(mark).write_text(str(os.getpid()))
            time.sleep(60)
        return self.name


def _count():
    c = os.environ.get("NNVIZ_TEST_COUNTER")
    if c:
        with open(c, "a") as f:
            f.write("x\\n")


@experiment("tiny_exp", value=0.2)
def tiny(config):
    _count()
    return {"numbers": Numbers(np.array([config["value"]]))}


@experiment("other_exp", value=1)
def other(config):
    return {"numbers": Numbers(np.array([float(config["value"])]))}


@experiment("slow_exp", seconds=1.5)
def slow(config):
    _count()
    time.sleep(config["seconds"])
    return {"numbers": Numbers(np.array([1.0]))}


@experiment("big_exp", n=400_000)
def big(config):
    return {"numbers": Numbers(np.arange(config["n"], dtype=float))}


@experiment("hooked_exp", n=3)
def hooked(config):
    return {"first": Numbers(np.arange(config["n"]), {"h": Hook("first")}),
            "second": Numbers(np.arange(config["n"]), {"h": Hook("second")})}
''' + TINY_FIGURE

MANIFEST = SETTINGS + '''gif = { width = 96 }

[targets.gate]
scene = "scenes/gate.py"
class = "Gate"

[targets.still]
scene = "scenes/a.py"
class = "Still"

[targets.records]
scene = "scenes/b.py"
class = "FromRecords"

[targets.mathy]
scene = "scenes/m.py"
class = "Mathy"

[targets.die_kill]
scene = "scenes/die.py"
class = "Die"

[targets.die_exit]
scene = "scenes/die.py"
class = "Die"
set = { how = "exit" }

[figures.tiny]
figure = "tiny_fig"
formats = ["png", "svg"]
dpi = 40
'''


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    for name, src in (("a", SCENE_A), ("b", SCENE_B), ("gate", SCENE_GATE), ("die", SCENE_DIE),
                      ("m", SCENE_MATH), ("exps", EXPS)):
        write(root / "scenes" / f"{name}.py", src)
    write(root / "renders.toml", MANIFEST)
    return root


def env_for(root: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NNVIZ_")}
    env.update(extra)        # records live in the project's renders/.cache/records
    if env.get("PYTHONDONTWRITEBYTECODE") == "":
        del env["PYTHONDONTWRITEBYTECODE"]      # write .pyc files, as on a user's machine
    return env


def nnviz(root: Path, *args, check: bool = True, **extra) -> subprocess.CompletedProcess:
    return run(root, args, env_for(root, **extra), check)


def _as_in_a_terminal() -> None:
    """Ctrl-C as a user's terminal delivers it: a test run started in the background (`cmd &`)
    inherits SIGINT ignored, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(root: Path, *args, **extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nnviz", "--manifest", str(root / "renders.toml"), *args],
                            cwd=root, env=env_for(root, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, preexec_fn=_as_in_a_terminal)


def wait_for(mark: Path, proc: subprocess.Popen, what: str = "mark", timeout: float = 120) -> int:
    deadline = time.time() + timeout
    while not (mark.exists() and mark.read_text().strip()):
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, f"{what} never reached"
        time.sleep(0.05)
    return int(mark.read_text())


def reap(proc: subprocess.Popen, *pids) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):
            pass




def near(path: Path, rgb) -> bool:
    rgb = hex_rgb(rgb) if isinstance(rgb, str) else np.asarray(rgb, float) * 255
    return bool(np.linalg.norm(pixel(path) - rgb) < 20)


def one_line_error(r: subprocess.CompletedProcess, *needles: str) -> str:
    """The command failed with exactly one `nnviz: error:` line, no traceback, naming `needles`."""
    assert r.returncode != 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    errs = [ln for ln in r.stderr.splitlines() if ln.startswith("nnviz: error:")]
    assert len(errs) == 1, r.stderr
    for n in needles:
        assert n.lower() in r.stderr.lower(), (n, r.stderr)
    return errs[0]


def snapshot(d: Path) -> dict:
    """{relative path: sha256} of every file under d except the build's own working folders."""
    out = {}
    for p in sorted(d.rglob("*")):
        rel = p.relative_to(d)
        if p.is_file() and not {".tmp", ".media", "build", "typst"} & set(rel.parts) and p.suffix != ".lock":
            out[str(rel)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def same_size_edit(p: Path, old: str, new: str) -> None:
    """Replace `old` by `new` (same length) and put the old mtime back: a stat-only check misses it."""
    assert len(old) == len(new)
    st = p.stat()
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new))
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert p.stat().st_size == st.st_size and p.stat().st_mtime_ns == st.st_mtime_ns


def leftovers(folder: Path) -> list[Path]:
    """Hidden temp folders and temp files of interrupted writes under `folder`."""
    return [p for p in folder.rglob(".*") if p.is_dir() or p.name.endswith(".tmp")]


def record_files(root: Path, exp: str) -> list[Path]:
    return sorted((root / "renders" / ".cache" / "records" / exp).glob("*/*.json"))


# --- mounts (read-only and full disks) ----------------------------------------------------

def _mount(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN): {r.stderr.strip()}")


@pytest.fixture
def tmpfs_renders(project):
    """Mount a small tmpfs over the project's renders/; returns a function to remount it
    read-only or fill it up; unmounted afterwards."""
    where = project / "renders"
    mounted = []

    class Disk:
        def mount(self, size="16m"):
            _mount(where, size)
            mounted.append(where)

        def read_only(self):
            subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)

        def fill(self):
            with open(where / "filler", "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            try:   # also eat the last partial block
                with open(where / "filler2", "wb") as f:
                    while True:
                        f.write(b"\0" * 512)
                        f.flush()
            except OSError:
                pass

    yield Disk()
    for w in mounted:
        subprocess.run(["umount", "-l", str(w)], capture_output=True)


# === 1. an output is recorded fresh only if it was made from exactly the inputs its key names =====

def test_scene_edited_while_its_target_is_queued_is_not_recorded_fresh(project):
    nnviz(project, "build", "still", "--no-progress")
    a = project / "scenes" / "a.py"
    original = a.read_text()
    mark = project / "gate.mark"
    proc = start(project, "build", "gate", "still", "--force", "-j", "1", "--no-progress",
                 NNVIZ_TEST_GATE=str(mark))
    try:
        wait_for(mark, proc, "the gate render")     # `still` is planned (key taken) and queued
        a.write_text(original.replace("#D55E00", "#CC79A7"))
        Path(str(mark) + ".go").write_text("go")
        out, err = proc.communicate(timeout=120)
    finally:
        reap(proc)
    a.write_text(original)                          # undo the edit: today's inputs are the key's
    r = nnviz(project, "build", "still", "--no-progress")
    assert near(project / "renders" / "still.png", "#D55E00"), (out, r.stdout)


# === 2. same-size edits with a restored mtime ===========================================

def test_same_size_scene_edit_with_restored_mtime_rebuilds(project):
    nnviz(project, "build", "still", "--no-progress", PYTHONDONTWRITEBYTECODE="")
    same_size_edit(project / "scenes" / "a.py", "#D55E00", "#56B4E9")
    r = nnviz(project, "build", "still", "--no-progress", PYTHONDONTWRITEBYTECODE="")
    assert counts(r.stdout)[0] == 1, r.stdout
    assert near(project / "renders" / "still.png", "#56B4E9")


def test_same_size_scene_edit_with_restored_mtime_renders_the_new_bytes(project):
    args = ("render", "scenes/a.py", "Still", "--format", "png", "--resolution", "192x108", "--no-progress")
    nnviz(project, *args, PYTHONDONTWRITEBYTECODE="")
    assert near(project / "renders" / "Still.png", "#D55E00")
    same_size_edit(project / "scenes" / "a.py", "#D55E00", "#56B4E9")
    nnviz(project, *args, PYTHONDONTWRITEBYTECODE="")   # Python's own .pyc check is (mtime, size) only
    assert near(project / "renders" / "Still.png", "#56B4E9")


def test_same_size_experiment_edit_with_restored_mtime_recomputes(project):
    nnviz(project, "build", "records", "--no-progress", PYTHONDONTWRITEBYTECODE="")
    same_size_edit(project / "scenes" / "exps.py", "value=0.2", "value=0.9")
    r = nnviz(project, "build", "records", "--no-progress", PYTHONDONTWRITEBYTECODE="")
    assert counts(r.stdout)[0] == 1, r.stdout
    assert near(project / "renders" / "records.png", (0.9, 0.0, 0.1))


# === 3. every byte of a record is checked ================================================

def test_edited_record_json_is_refused_on_load(tmp_path):
    from nnviz.errors import RecordError
    from nnviz.records import Surface, load

    s = Surface({"seed": 1}, "grid", np.arange(3.0), np.arange(2.0), np.ones((2, 3)), np.zeros(2),
                np.eye(2), meta={"scale": 0.25})
    js = s.save(tmp_path / "s")
    load(js)
    js.write_text(js.read_text().replace("0.25", "0.75"))
    with pytest.raises(RecordError, match="checksum|do not match|changed"):
        load(js)


def test_edited_record_json_warns_once_and_recomputes(project):
    nnviz(project, "train", "tiny_exp")
    [js] = [p for p in record_files(project, "tiny_exp") if p.name == "numbers.json"]
    doc = json.loads(js.read_text())
    doc["fields"]["meta"] = {"edited": True}              # valid JSON, valid record, wrong content
    js.write_text(json.dumps(doc, indent=1))
    r = nnviz(project, "train", "tiny_exp")
    warn = [ln for ln in r.stderr.splitlines() if "warning" in ln.lower()]
    assert len(warn) == 1 and str(js.parent.name) in warn[0], r.stderr
    assert "cached" not in r.stdout and "computed" in r.stdout, r.stdout
    assert "edited" not in js.read_text()


def test_damaged_npz_warns_and_recomputes(project):        # already held: keep it held
    nnviz(project, "train", "tiny_exp")
    [npz] = [p for p in (project / "renders/.cache/records/tiny_exp").glob("*/numbers.npz")]
    npz.write_bytes(npz.read_bytes()[:-7])
    r = nnviz(project, "train", "tiny_exp")
    assert "recomputing" in r.stderr and "computed" in r.stdout and "cached" not in r.stdout
    from nnviz.records import load  # noqa: F401  (the record is whole again)
    assert npz.stat().st_size > 0


# === 4. one clear line for every fault, previous outputs intact ==========================

READ_ONLY_COMMANDS = [
    ("build", "still", "tiny", "--force", "--no-progress"),
    ("render", "scenes/a.py", "Still", "--format", "png", "--resolution", "192x108", "--no-progress"),
    ("clean",),
    ("clean", "--records"),
    ("figure", "tiny_fig"),
    ("train", "tiny_exp", "--force"),
]


def test_read_only_renders_is_one_line_and_nothing_lost(project, tmpfs_renders):
    tmpfs_renders.mount()
    nnviz(project, "build", "still", "tiny", "--no-progress")
    before = snapshot(project / "renders")
    assert "still.png" in before and "figures/tiny.svg" in before
    tmpfs_renders.read_only()
    for cmd in READ_ONLY_COMMANDS:
        r = nnviz(project, *cmd, check=False)
        one_line_error(r, "read-only")
        assert snapshot(project / "renders") == before, cmd


def test_full_disk_train_is_one_line(project, tmpfs_renders):
    tmpfs_renders.mount("1m")
    nnviz(project, "train", "tiny_exp")
    before = snapshot(project / "renders")
    r = nnviz(project, "train", "big_exp", check=False)        # 3.2 MB of arrays on a 1 MB disk
    one_line_error(r, "no space left")
    assert snapshot(project / "renders") == before
    assert not leftovers(project / "renders/.cache/records"), "temp files left"


def test_full_disk_build_is_one_line_and_says_why(project, tmpfs_renders):
    tmpfs_renders.mount("4m")
    nnviz(project, "build", "still", "tiny", "--no-progress")
    before = snapshot(project / "renders")
    tmpfs_renders.fill()
    r = nnviz(project, "build", "still", "tiny", "--force", "--no-progress", check=False)
    assert r.returncode != 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
    text = r.stdout + r.stderr
    assert "no space left" in text.lower(), text
    assert "()" not in text, text
    for p in ("filler", "filler2"):
        (project / "renders" / p).unlink(missing_ok=True)
    assert {k: v for k, v in snapshot(project / "renders").items() if not k.startswith("filler")} == before


BAD_MANIFEST = {
    "fps string": ('fps = 4', 'fps = "abc"', "fps"),
    "gif colors string": ('gif = { width = 96 }', 'gif = { colors = "x" }', "colors"),
    "transparent string": ('class = "Still"\n', 'class = "Still"\ntransparent = "no"\n', "transparent"),
    "set wrong type": ('class = "Still"\n', 'class = "Still"\nset = { runs = 5 }\n', "runs"),
    "set unknown attribute": ('class = "Still"\n', 'class = "Still"\nset = { colour = "#fff" }\n', "colour"),
    "absolute output": ('class = "Still"\n', 'class = "Still"\noutput = "/elsewhere/still"\n', "output"),
    "output outside": ('class = "Still"\n', 'class = "Still"\noutput = "../../still"\n', "output"),
    "figure dpi negative": ('dpi = 40', 'dpi = -5', "dpi"),
    "formats number": ('formats = ["png", "svg"]', 'formats = 5', "formats"),
    "quality number": ('quality = "low"', 'quality = 5', "quality"),
}


@pytest.mark.parametrize("dry", [True, False], ids=["build-n", "build"])
@pytest.mark.parametrize("case", sorted(BAD_MANIFEST))
def test_wrong_manifest_types_are_caught_before_rendering(project, case, dry):
    old, new, needle = BAD_MANIFEST[case]
    m = project / "renders.toml"
    assert old in m.read_text()
    m.write_text(m.read_text().replace(old, new, 1))
    r = nnviz(project, "build", *(["-n"] if dry else []), "still", "tiny", "--no-progress", check=False)
    one_line_error(r, needle)
    assert r.returncode == 2
    assert not (project / "renders").exists() or not list((project / "renders").rglob("*.png"))


@pytest.mark.parametrize("args,needle", [
    (("render", "scenes/a.py", "Still", "--set", "runs=5", "--format", "png"), "runs"),
    (("render", "scenes/a.py", "Still", "--set", "fill=5", "--format", "png"), "fill"),
    (("figure", "tiny_fig", "--dpi", "-5"), "dpi"),
    (("figure", "tiny_fig", "--dpi", "0"), "dpi"),
])
def test_bad_command_values_are_one_line(project, args, needle):
    r = nnviz(project, *args, check=False)
    one_line_error(r, needle)
    assert not list(project.rglob("*.png"))


DAMAGED_STATE = [
    ("state.json", "[]"),
    ("state.json", '{"v": 2, "targets": []}'),
    ("state.json", '{"v": 2, "targets": {"tiny": {"key": 3, "outputs": []}}}'),
    ("scan.json", "[]"),
    ("scan.json", '{"v": 2, "files": [], "experiments": 5}'),
    ("scan.json", '{"v": 2, "files": {"x": 1}, "experiments": {"sig": "s", "keys": 5}}'),
]


def test_wrong_shape_internal_state_is_rebuilt(project):
    nnviz(project, "build", "tiny", "--no-progress")
    before = snapshot(project / "renders")
    for which, content in DAMAGED_STATE:
        (project / "renders" / ".cache" / "build" / which).write_text(content)
        r = nnviz(project, *(["build", "-n", "tiny"] if which == "scan.json" else ["build", "tiny", "--no-progress"]),
                  check=False)
        assert r.returncode == 0 and "Traceback" not in r.stderr, (which, content, r.stdout + r.stderr)
        assert "failed 0" in r.stdout or "targets would be built" in r.stdout, r.stdout
        assert near(project / "renders" / "figures" / "tiny.png", (0.2, 0.0, 0.8))
        assert snapshot(project / "renders").keys() == before.keys()
    assert "0 of 1 targets would be built" in nnviz(project, "build", "-n", "tiny").stdout


def test_truncated_typst_svg_in_the_cache_is_rebuilt(project):
    nnviz(project, "build", "mathy", "--no-progress")
    svgs = list((project / "renders" / ".cache" / "typst").rglob("*.svg"))
    assert svgs, "the Typst cache is where this test expects it"
    for s in svgs:
        s.write_bytes(s.read_bytes()[: len(s.read_bytes()) // 2])
    r = nnviz(project, "build", "mathy", "--force", "--no-progress", check=False)
    assert r.returncode == 0 and counts(r.stdout) == (1, 0, 0), r.stdout + r.stderr


def test_record_schema_messages_are_not_misleading(tmp_path):
    from nnviz.errors import RecordError
    from nnviz.records import SCHEMA_VERSION, Surface, load

    s = Surface({}, "grid", np.arange(2.0), np.arange(2.0), np.ones((2, 2)), np.zeros(2), np.eye(2))
    js = s.save(tmp_path / "s")
    doc = json.loads(js.read_text())
    doc["schema"] = str(SCHEMA_VERSION)                  # not a number: damaged, not "newer"
    js.write_text(json.dumps(doc))
    with pytest.raises(RecordError) as e:
        load(js)
    assert "newer" not in str(e.value) and "schema" in str(e.value)
    doc["schema"] = SCHEMA_VERSION + 5
    js.write_text(json.dumps(doc))
    with pytest.raises(RecordError, match=f"schema {SCHEMA_VERSION + 5}, newer than this nnviz"):
        load(js)


def test_interrupted_build_names_the_interrupt(project):
    mark = project / "gate.mark"
    proc = start(project, "build", "gate", "--no-progress", NNVIZ_TEST_GATE=str(mark))
    worker = None
    try:
        worker = wait_for(mark, proc, "the gate render")
        os.kill(proc.pid, signal.SIGINT)              # Ctrl-C reaches the build itself
        out, err = proc.communicate(timeout=60)
    finally:
        reap(proc, worker)
    assert proc.returncode != 0
    assert "interrupted" in err and "()" not in err and "Traceback" not in err, err


# === 5. a failed worker says why =====================================================

@pytest.mark.parametrize("target,why", [("die_kill", r"signal 9|SIGKILL"), ("die_exit", r"exit status 3")])
def test_failed_worker_says_why(project, target, why):
    r = nnviz(project, "build", target, "--no-progress", check=False)
    assert r.returncode == 1
    [line] = [ln for ln in r.stdout.splitlines() if "FAILED" in ln]
    assert re.search(why, line), line
    assert "log:" in line and "()" not in line, line


# === 6. concurrency ================================================================

def test_concurrent_trains_compute_once(project):
    counter = project / "counter"
    procs = [start(project, "train", "slow_exp", NNVIZ_TEST_COUNTER=str(counter)) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert counter.read_text().count("x") == 1, outs
    entries = [p for p in (project / "renders/.cache/records/slow_exp").iterdir() if not p.name.startswith(".")]
    assert len(entries) == 1, entries


def test_clean_during_a_build_keeps_the_build_lock(project):
    mark = project / "gate.mark"
    proc = start(project, "build", "gate", "--no-progress", NNVIZ_TEST_GATE=str(mark))
    worker = None
    try:
        worker = wait_for(mark, proc, "the gate render")
        r = nnviz(project, "clean", check=False)
        one_line_error(r, "build is running")
        second = nnviz(project, "build", "still", "--force", "--no-progress", check=False)
        one_line_error(second, "another")                # the lock still keeps builds apart
        Path(str(mark) + ".go").write_text("go")
        out, err = proc.communicate(timeout=120)
    finally:
        reap(proc, worker)
    assert proc.returncode == 0, out + err
    assert (project / "renders" / "gate.png").is_file()


@pytest.mark.parametrize("hook", ["first", "second"])
def test_kill_during_record_write_leaves_nothing_the_next_run_keeps(project, hook):
    mark = project / "write.mark"
    proc = start(project, "train", "hooked_exp", NNVIZ_TEST_MARK=str(mark), NNVIZ_TEST_HOOK=hook)
    try:
        wait_for(mark, proc, "the record write")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        reap(proc)
    folder = project / "renders" / ".cache" / "records" / "hooked_exp"
    assert leftovers(folder), "the kill left no temp folder?"
    assert not [p for p in folder.iterdir() if not p.name.startswith(".")], "a half entry looks whole"
    r = nnviz(project, "train", "hooked_exp")
    assert "computed" in r.stdout
    assert not leftovers(folder), sorted(folder.iterdir())
    assert "cached" in nnviz(project, "train", "hooked_exp").stdout


def test_concurrent_builds_are_refused_in_one_line(project):   # already held: keep it held
    mark = project / "gate.mark"
    proc = start(project, "build", "gate", "--no-progress", NNVIZ_TEST_GATE=str(mark))
    worker = None
    try:
        worker = wait_for(mark, proc, "the gate render")
        r = nnviz(project, "build", "still", "--no-progress", check=False)
        one_line_error(r, "another")
        Path(str(mark) + ".go").write_text("go")
        proc.communicate(timeout=120)
    finally:
        reap(proc, worker)
    assert proc.returncode == 0


# === 7. outputs ======================================================================

def test_dropped_format_and_target_outputs_are_removed_and_nothing_else(project):
    nnviz(project, "build", "tiny", "still", "--no-progress")
    figs = project / "renders" / "figures"
    mine = figs / "mine.svg"
    mine.write_text("<svg/>")                             # the user's own file
    m = project / "renders.toml"
    m.write_text(m.read_text().replace('formats = ["png", "svg"]', 'formats = ["png"]'))
    nnviz(project, "build", "tiny", "--no-progress")
    assert (figs / "tiny.png").is_file() and not (figs / "tiny.svg").exists()
    assert mine.read_text() == "<svg/>"
    m.write_text(m.read_text().replace('[targets.still]\nscene = "scenes/a.py"\nclass = "Still"\n', ""))
    nnviz(project, "build", "tiny", "--no-progress")
    assert not (project / "renders" / "still.png").exists()
    assert mine.exists() and (figs / "tiny.png").is_file()


def test_outputs_get_the_umask_mode(project):
    nnviz(project, "build", "tiny", "still", "--no-progress")
    nnviz(project, "figure", "tiny_fig", "-o", str(project / "adhoc"))
    umask = os.umask(0)
    os.umask(umask)
    want = 0o666 & ~umask
    for p in (project / "renders/still.png", project / "renders/figures/tiny.png",
              project / "renders/figures/tiny.svg", project / "adhoc.png"):
        assert p.stat().st_mode & 0o777 == want, (p, oct(p.stat().st_mode))


# === 8. no needless rebuilds =========================================================

def test_comment_only_scene_edit_rebuilds_nothing(project):
    nnviz(project, "build", "still", "--no-progress")
    a = project / "scenes" / "a.py"
    a.write_text(a.read_text().replace("    def construct", "    # a note for readers\n    def construct"))
    assert "0 of 1 targets would be built" in nnviz(project, "build", "-n", "still").stdout


def test_another_experiments_config_edit_keeps_records(project):
    nnviz(project, "build", "records", "--no-progress")
    e = project / "scenes" / "exps.py"
    e.write_text(e.read_text().replace('@experiment("other_exp", value=1)', '@experiment("other_exp", value=2)'))
    assert "0 of 1 targets would be built" in nnviz(project, "build", "-n", "records").stdout
    assert "cached" in nnviz(project, "train", "tiny_exp").stdout


def test_gif_settings_do_not_touch_targets_without_gif(project):
    nnviz(project, "build", "still", "--no-progress")
    m = project / "renders.toml"
    m.write_text(m.read_text().replace("gif = { width = 96 }", "gif = { width = 64 }"))
    assert "0 of 1 targets would be built" in nnviz(project, "build", "-n", "still").stdout


def test_theme_edit_keeps_every_experiment_key(tmp_path):
    pkg = tmp_path / "nnviz"
    shutil.copytree(PKG, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import json; from nnviz import experiments as E; "
            "print(json.dumps({n: e.key() for n, e in sorted(E.discover().items())}))")

    def keys():
        env = {**env_for(tmp_path), "PYTHONPATH": str(tmp_path)}
        r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    before = keys()
    with open(pkg / "theme.py", "a") as f:
        f.write("\nEXTRA_COLOUR = '#123456'\n")
    assert keys() == before


# === 9. one discovery for every command ================================================

def test_render_knows_the_projects_experiments(project):
    r = nnviz(project, "render", "scenes/b.py", "FromRecords", "--format", "png", "--resolution", "192x108",
              "--no-progress", check=False)
    assert r.returncode == 0, r.stderr
    assert near(project / "renders" / "FromRecords.png", (0.2, 0.0, 0.8))


# === 10. timing lives only in declared timing fields ====================================

def test_same_seed_records_differ_only_in_timing_fields():
    from nnviz import experiments
    from nnviz.records import Run

    exp = experiments.get("descent_digits")
    cfg = {**exp.config, "epochs": 1, "sweep": (256,), "lr_grid": (0.1, 1.0)}  # two rates keep it quick
    a, b = exp.fn(dict(cfg)), exp.fn(dict(cfg))
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].equals(b[k], ignore=Run.TIMING), k
