"""Where the project's files are: the folders under a project root (renders/, its caches),
the record cache ($NNVIZ_CACHE), and which of the package's own sources are the NumPy core.

(Not to be confused with `nnviz.render.paths`, which clips drawn paths.)
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent          # .../nnviz
# the package's drawing and tooling: everything else is the NumPy core, which computes records
NOT_CORE = ("render", "figures", "build", "cli.py", "__main__.py", "deck.py")
CACHE_ENV = "NNVIZ_CACHE"


def renders_dir(root) -> Path:
    """Outputs: renders/<target>.<ext>, renders/figures/…"""
    return Path(root) / "renders"


def cache_dir(root) -> Path:
    """Git-ignored caches: records/, build/, typst/."""
    return renders_dir(root) / ".cache"


def records_dir(root) -> Path:
    return cache_dir(root) / "records"


def build_dir(root) -> Path:
    """Build state, scan cache, logs, lock."""
    return cache_dir(root) / "build"


def typst_dir(root) -> Path:
    return cache_dir(root) / "typst"


def media_dir(root) -> Path:
    """Manim's working media."""
    return renders_dir(root) / ".media"


def tmp_dir(root) -> Path:
    """Temp folders of renders in progress."""
    return renders_dir(root) / ".tmp"


def use_project(root) -> Path:
    """Make `root`'s record cache the one this process reads and writes, unless $NNVIZ_CACHE
    already names one. Returns the record cache in use."""
    os.environ.setdefault(CACHE_ENV, str(records_dir(root)))
    return records_cache()


def records_cache() -> Path:
    """Where records live: $NNVIZ_CACHE, else renders/.cache/records beside the repository
    (when nnviz runs from a checkout) or the current directory."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    repo = PACKAGE.parent
    return records_dir(repo if (repo / "pyproject.toml").exists() else Path.cwd())


def is_core(rel) -> bool:
    """Whether a source path relative to the package (e.g. "train.py", "render/plots.py")
    belongs to the NumPy core."""
    return Path(rel).parts[0] not in NOT_CORE


def core_sources(package=None) -> list[Path]:
    """The core's .py files (experiment modules included), sorted."""
    package = Path(package or PACKAGE)
    return [p for p in sorted(package.rglob("*.py")) if is_core(p.relative_to(package))]


# core sources that cannot shape records (colours shape drawings only): left out of record keys
NOT_IN_RECORD_KEYS = ("theme.py",)


def record_sources(package=None) -> list[Path]:
    """The core sources whose code can shape records: what experiment keys hash."""
    package = Path(package or PACKAGE)
    return [p for p in core_sources(package) if p.relative_to(package).parts[0] not in NOT_IN_RECORD_KEYS]


def core_modules() -> list[str]:
    """Dotted names of the core's modules (e.g. "nnviz.train", "nnviz.experiments.descent")."""
    out = []
    for p in core_sources():
        parts = list(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append(".".join(parts))
    return out
