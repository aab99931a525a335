"""Which frame stands for a video: the poster (`renders/<name>.png`, the deck's and the blog's
still) and the last frame of each slide section, taken from the renderer while it renders.

poster = "auto" (default) | "last" | "2.5s" | "40%"
  last   the scene's final state;
  2.5s   the frame shown at 2.5 s (the last one if the video is shorter);
  40%    the frame at 40 % of the duration (the nearest of ≥ 16 evenly spaced kept frames);
  auto   the final state, unless the scene clears the screen at the end (a closing fade-out): when
         the last frame shows less than 60 % of the most the scene ever showed, the frame where
         the final decline began (the last frame before the fade).
"""
from __future__ import annotations

import re

import numpy as np

from ..errors import NNVizError

_SPEC = re.compile(r"^(?:(auto|last)|(\d+(?:\.\d+)?)s|(\d+(?:\.\d+)?)%)$")
BUDGET_BYTES = 128 << 20     # memory for the frames kept for a "N%" poster


def parse_poster(spec) -> str:
    """Normalized poster spec, or NNVizError saying what is valid."""
    s = str(spec).strip().lower().replace(" ", "")
    m = _SPEC.match(s)
    if not m or (m.group(3) and float(m.group(3)) > 100):
        raise NNVizError(f"poster {spec!r}: use \"auto\", \"last\", a time like \"2.5s\" or a share like \"40%\"")
    return s


def content(frame, background) -> float:
    """How much the frame shows: the mean distance of its (subsampled) pixels from the background
    (or their mean alpha), in 0..1. A fading object counts in proportion to its opacity."""
    px = np.asarray(frame)[::4, ::4]
    if background is None:
        return float(px[..., 3].mean() / 255) if px.shape[-1] == 4 else 0.0
    return float(np.abs(px[..., :3].astype(np.int16) - background).max(axis=-1).mean() / 255)


class PosterTap:
    """Fed every frame (with its repeat count) while manim renders; `pick(last)` returns the poster."""

    def __init__(self, spec: str, fps: float, background=None, budget: int = BUDGET_BYTES):
        self.spec = parse_poster(spec)
        self.fps = float(fps)
        self._background = background     # RGB, or a callable giving it at the first frame, or None (alpha)
        self.background = None
        self.budget = budget
        self.n = 0
        self.kept = None              # the chosen frame for "Ns"; for "auto" where the final decline began
        self.max_content = 0.0
        self._prev = -1.0
        self._peak = 0.0
        self.reservoir = {}           # frame index → frame, for "N%"
        self.stride = 1
        self.capacity = None
        if self.spec.endswith("s") and self.spec != "last":
            self.target = int(round(float(self.spec[:-1]) * self.fps))

    def __call__(self, frame, repeat: int = 1):
        repeat = max(1, int(repeat))
        if self.n == 0 and self._background is not None:
            bg = self._background() if callable(self._background) else self._background
            self.background = np.asarray(bg, dtype=np.int16)[:3]
        s = self.spec
        if s == "auto":
            c = content(frame, self.background)
            self.max_content = max(self.max_content, c)
            # keep the latest frame that is not part of a decline: as full as the fullest frame since
            # the scene last held still (within 3 %), or itself held still (a wait, a repeated frame)
            if c >= 0.97 * self._peak or repeat > 1 or c == self._prev:
                self.kept = frame
                self._peak = max(self._peak, c) if c >= 0.97 * self._peak else c
            self._prev = c
        elif s.endswith("%"):
            if self.capacity is None:
                self.capacity = max(16, self.budget // max(1, np.asarray(frame).nbytes))
            first = -(-self.n // self.stride) * self.stride        # first kept index in [n, n+repeat)
            if first < self.n + repeat:
                self.reservoir[first] = frame
                if len(self.reservoir) > self.capacity:
                    self.stride *= 2
                    self.reservoir = {i: f for i, f in self.reservoir.items() if i % self.stride == 0}
        elif s != "last":
            if self.n <= self.target:        # the block holding the target frame, or the last one
                self.kept = frame
        self.n += repeat

    def pick(self, last):
        """The poster, given the scene's final state `last` (used for "last" and when nothing was kept)."""
        s = self.spec
        if s == "last" or self.n == 0:
            return last
        if s == "auto":
            if content(last, self.background) >= 0.6 * self.max_content:
                return last
            return self.kept if self.kept is not None else last
        if s.endswith("%"):
            want = float(s[:-1]) / 100 * (self.n - 1)
            best = min(self.reservoir, key=lambda i: (abs(i - want), -i))
            return self.reservoir[best]
        return self.kept if self.kept is not None else last


class SectionTap:
    """The state each manim section (slide) ends on, keyed by the section object.

    A play's final state is applied but never written as a frame, so the last *written* frame of a
    section is short of its end. `capture(frame)` is called at each slide break with the state drawn
    right then (and once more at the end of the scene): that is the slide's poster."""

    def __init__(self, writer):
        self.writer = writer
        self.last = {}

    def capture(self, frame) -> None:
        if self.writer.sections:
            self.last[id(self.writer.sections[-1])] = frame

    def frames(self) -> list:
        """[(section name, end state)] for the sections manim kept, in order."""
        return [(s.name, self.last[id(s)]) for s in self.writer.sections if id(s) in self.last]
