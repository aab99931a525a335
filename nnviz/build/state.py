"""Build state: the key and output stamps of every built target, in
renders/.cache/build/state.json (written atomically), and why a target is stale."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ..atomic import write_atomic
from ..folders import build_dir, cache_dir  # noqa: F401  (cache_dir: scan and worker read it from here)

BUILD_VERSION = 2   # 2: content-confirmed scan, code digests, output paths in the state


def changed_inputs(old: dict | None, new: dict) -> str:
    """A short human reason: which inputs differ between two `Keys.inputs` dicts."""
    if not old:
        return "inputs changed"
    parts = []
    if old.get("spec") != new["spec"]:
        keys = sorted(k for k in set(old.get("spec", {})) | set(new["spec"])
                      if old.get("spec", {}).get(k) != new["spec"].get(k))
        parts.append("settings: " + ", ".join(keys))
    srcs = sorted(k for k in set(old.get("sources", {})) | set(new["sources"])
                  if old.get("sources", {}).get(k) != new["sources"].get(k))
    if srcs:
        parts.append("source: " + ", ".join(srcs[:3]) + (f" (+{len(srcs) - 3})" if len(srcs) > 3 else ""))
    exps = sorted(k for k in set(old.get("experiments", {})) | set(new["experiments"])
                  if old.get("experiments", {}).get(k) != new["experiments"].get(k))
    if exps:
        parts.append("experiment: " + ", ".join(exps))
    return "; ".join(parts) or "inputs changed"


class State:
    """Keys and output stamps of built targets (renders/.cache/build/state.json), written
    atomically. A state file of the wrong shape (or a damaged entry) is dropped: those
    targets are simply stale and get rebuilt."""

    def __init__(self, root: Path):
        self.root = root
        self.path = build_dir(root) / "state.json"
        self.data = {"v": BUILD_VERSION, "targets": {}}
        try:
            d = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return
        if isinstance(d, dict) and d.get("v") == BUILD_VERSION and isinstance(d.get("targets"), dict):
            self.data["targets"] = {n: e for n, e in d["targets"].items() if _valid_entry(e)}

    def fresh(self, t, key: str, inputs: dict | None = None) -> tuple[bool, str]:
        e = self.data["targets"].get(t.name)
        if e is None:
            return False, "never built"
        if e.get("key") != key:
            return False, changed_inputs(e.get("inputs"), inputs) if isinstance(e.get("inputs"), dict) and inputs \
                else "inputs changed"
        for fmt, p in t.outputs(self.root).items():
            st = e["outputs"].get(fmt)
            try:
                s = p.stat()
            except FileNotFoundError:
                return False, f"{p.name} missing"
            if not isinstance(st, list) or st[:2] != [s.st_size, s.st_mtime_ns]:
                return False, f"{p.name} changed on disk"
        return True, "up to date"

    def record(self, t, key: str, seconds: float, inputs: dict | None = None) -> None:
        outs = {}
        for fmt, p in t.outputs(self.root).items():
            s = p.stat()
            outs[fmt] = [s.st_size, s.st_mtime_ns, _relpath(p, self.root)]
        self.data["targets"][t.name] = {"key": key, "outputs": outs, "seconds": round(seconds, 3),
                                        "built": time.strftime("%Y-%m-%dT%H:%M:%S"), "inputs": inputs}
        self.save()

    def forget(self, name: str) -> None:
        if self.data["targets"].pop(name, None) is not None:
            self.save()

    def orphans(self, produced: set) -> list[tuple[str, Path]]:
        """(target, file) for outputs this build wrote (still exactly as written) that no
        target of the manifest produces any more: a dropped format or a removed target."""
        out = []
        for name, e in self.data["targets"].items():
            for fmt, st in e["outputs"].items():
                if not (isinstance(st, list) and len(st) == 3 and isinstance(st[2], str)):
                    continue
                p = (self.root / st[2]).resolve()
                if p in produced or not _inside(p, self.root / "renders"):
                    continue
                try:
                    s = p.stat()
                except OSError:
                    continue
                if [s.st_size, s.st_mtime_ns] == st[:2]:     # ours, untouched since: never another file
                    out.append((name, p))
        return out

    def drop_outputs(self, name: str, paths) -> None:
        e = self.data["targets"].get(name)
        if e is None:
            return
        gone = {str(p) for p in paths}
        e["outputs"] = {f: st for f, st in e["outputs"].items()
                        if not (isinstance(st, list) and len(st) == 3 and str((self.root / st[2]).resolve()) in gone)}

    def save(self) -> None:
        write_atomic(self.path, json.dumps(self.data, indent=1, sort_keys=True))


def _valid_entry(e) -> bool:
    return isinstance(e, dict) and isinstance(e.get("key"), str) and isinstance(e.get("outputs"), dict)


def _relpath(p: Path, root: Path) -> str:
    return str(Path(os.path.relpath(p.resolve(), root.resolve())))


def _inside(p: Path, folder: Path) -> bool:
    try:
        p.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False
