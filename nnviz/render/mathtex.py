"""Math that typesets with no TeX install: MathTypst by default, LaTeX on request.

Why a wrapper: the same scene must render on a laptop without TeX (Typst ships as a
Python wheel) and, when asked, with LaTeX. `math("x^2")` uses Typst syntax;
`math(r"x^{2}", engine="latex")` (or NNVIZ_MATH=latex) uses MathTex and fails with
one clear message if `latex` is not installed. Typst SVGs are cached by manim in
config.tex_dir (the nnviz CLI points it at renders/.cache/typst); identical
formulas in one process are built once and copied (copy ≈ 4 ms vs ≈ 15-30 ms build).
"""
from __future__ import annotations

import os
import shutil
from functools import lru_cache

import manim as mn

from ..errors import NNVizError
from .style import FOREGROUND, LABEL_SIZE

ENGINES = ("typst", "latex")


def default_engine() -> str:
    eng = os.environ.get("NNVIZ_MATH", "typst").strip().lower() or "typst"
    if eng not in ENGINES:
        raise NNVizError(f"NNVIZ_MATH={eng!r} is not a math engine; valid: {', '.join(ENGINES)}")
    return eng


def latex_available() -> bool:
    return shutil.which("latex") is not None and shutil.which("dvisvgm") is not None


def math(expr: str, size: float = LABEL_SIZE, color=FOREGROUND, engine: str | None = None) -> mn.VMobject:
    """Typeset a formula. Typst syntax by default (`theta_(t+1) = theta_t - eta nabla L`)."""
    engine = (engine or default_engine()).lower()
    if engine == "typst":
        try:
            mob = _typst(expr, float(size))
        except ImportError as e:
            raise NNVizError(f"MathTypst needs the 'typst' package (pip install 'manim[typst]'): {e}") from None
        return mob.copy().set_color(color)
    if engine == "latex":
        if not latex_available():
            raise NNVizError("LaTeX math was requested but `latex`/`dvisvgm` are not installed; "
                             "install TeX Live (apt-get install texlive texlive-latex-extra dvisvgm) "
                             "or use the default engine: math(expr) with Typst syntax")
        return mn.MathTex(expr, font_size=size, color=color)
    raise NNVizError(f"unknown math engine {engine!r}; valid: {', '.join(ENGINES)}")


@lru_cache(maxsize=256)
def _typst(expr: str, size: float) -> mn.VMobject:
    return mn.MathTypst(expr, font_size=size)
