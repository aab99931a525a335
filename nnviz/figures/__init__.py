"""Still figures (matplotlib) drawn from the same records and theme as the animations.

A figure is a function `fn(fig) -> None` that draws into a ready matplotlib Figure,
registered with `@figure(name, ...)` in a submodule of this package (every
submodule is imported on first lookup). `save(name, path, fmt)` renders it
atomically in png/svg/pdf.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import registry
from ..atomic import atomic_path
from ..errors import NNVizError, lookup

FIGURES: dict[str, "Figure"] = {}
FORMATS = ("png", "svg", "pdf")
# no timestamps: the same records give byte-identical files (clean diffs, honest rebuild checks)
_METADATA = {"png": {"Software": "nnviz"}, "svg": {"Date": None, "Creator": "nnviz"},
             "pdf": {"Creator": "nnviz", "Producer": "nnviz", "CreationDate": None}}


@dataclass(frozen=True)
class Figure:
    name: str
    fn: Callable
    experiments: tuple[str, ...]  # experiments whose records it reads
    size: tuple[float, float] | None = None
    description: str = ""


def figure(name: str, experiments=(), size=None, description: str = ""):
    def deco(fn):
        FIGURES[name] = Figure(name, fn, tuple(experiments), size,
                               description or (fn.__doc__ or "").strip().split("\n")[0])
        return fn
    return deco


def discover() -> dict[str, Figure]:
    """Import every figure module once, so the registry is complete."""
    registry.discover(__name__, "figure")
    return FIGURES


def get(name: str) -> Figure:
    return lookup(discover(), name, "figure")


def _file_mode() -> int:
    """The mode a plain open() would give a new file: 0666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def save(name: str, path, fmt: str = "png", dpi: int | None = None) -> Path:
    """Draw figure `name` and write it to `path` atomically (temp file + rename)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .style import apply_style

    if fmt not in FORMATS:
        raise NNVizError(f"unknown figure format {fmt!r}; valid: {', '.join(FORMATS)}")
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, int) or dpi <= 0):
        raise NNVizError(f"dpi must be a positive integer, got {dpi!r}")
    spec = get(name)
    apply_style()
    from .. import theme

    fig = plt.figure(figsize=spec.size or theme.FIGURE_SIZE)
    try:
        spec.fn(fig)
        path = Path(path)
        with atomic_path(path, suffix=f".{fmt}") as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi or theme.FIGURE_DPI, bbox_inches="tight",
                        metadata=_METADATA[fmt])
            os.chmod(tmp, _file_mode())     # temp files are 0600; a figure is an ordinary file
    finally:
        plt.close(fig)
    return path
