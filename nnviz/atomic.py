"""Atomic file writes: a file is whole or absent, never half-written.

Every writer of the project (records, build state, figures, the record cache) goes
through here: write into a temp file beside the target, flush it to disk, then
rename it over the target (a rename within one folder is atomic on POSIX).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target, suffix: str = ".tmp"):
    """Yield a temp path beside `target`; when the block succeeds it replaces `target`
    (flushed to disk first), when it raises the temp file is removed and `target` is
    untouched. For writers that want a file name (e.g. matplotlib's savefig)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(target, data) -> Path:
    """Write `data` (bytes or str, str as UTF-8) to `target` atomically; returns `target`."""
    if isinstance(data, str):
        data = data.encode()
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


@contextmanager
def atomic_dir(target, keep_existing=None):
    """Yield a temp folder beside `target`; when the block succeeds it becomes `target`
    (an existing `target` is replaced), when it raises the temp folder is removed.

    If the rename fails because another process put a `target` there meanwhile, theirs is
    kept (and this copy dropped) when `keep_existing(target)` says it is whole."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        yield tmp
        if target.exists():
            stale = target.with_name(f".{target.name}.stale.{os.getpid()}")
            os.replace(target, stale)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if keep_existing is None or not keep_existing(target):
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
