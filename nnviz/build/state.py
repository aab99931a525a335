"""Build state: the key and output stamps of every built target, in
renders/.cache/build/state.json (written atomically), and why a target is stale."""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

BUILD_VERSION = 1


def cache_dir(root: Path) -> Path:
    return root / "renders" / ".cache"


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
    """Keys and output stamps of built targets (renders/.cache/build/state.json), written atomically."""

    def __init__(self, root: Path):
        self.root = root
        self.path = cache_dir(root) / "build" / "state.json"
        try:
            self.data = json.loads(self.path.read_text())
            if self.data.get("v") != BUILD_VERSION:
                self.data = {"v": BUILD_VERSION, "targets": {}}
        except (FileNotFoundError, ValueError):
            self.data = {"v": BUILD_VERSION, "targets": {}}

    def fresh(self, t, key: str, inputs: dict | None = None) -> tuple[bool, str]:
        e = self.data["targets"].get(t.name)
        if e is None:
            return False, "never built"
        if e.get("key") != key:
            return False, changed_inputs(e.get("inputs"), inputs) if inputs else "inputs changed"
        for fmt, p in t.outputs(self.root).items():
            st = e.get("outputs", {}).get(fmt)
            try:
                s = p.stat()
            except FileNotFoundError:
                return False, f"{p.name} missing"
            if st != [s.st_size, s.st_mtime_ns]:
                return False, f"{p.name} changed on disk"
        return True, "up to date"

    def record(self, t, key: str, seconds: float, inputs: dict | None = None) -> None:
        outs = {}
        for fmt, p in t.outputs(self.root).items():
            s = p.stat()
            outs[fmt] = [s.st_size, s.st_mtime_ns]
        self.data["targets"][t.name] = {"key": key, "outputs": outs, "seconds": round(seconds, 3),
                                        "built": time.strftime("%Y-%m-%dT%H:%M:%S"), "inputs": inputs}
        self.save()

    def forget(self, name: str) -> None:
        if self.data["targets"].pop(name, None) is not None:
            self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".state.", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(self.data, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

