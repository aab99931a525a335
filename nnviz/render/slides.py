"""Slide breaks: one call marks a natural pause in a scene.

`pause(label)` ends the current part and starts a new manim section named `label` (the label
names what comes next) (so `manim --save_sections` writes one clip per
section, and `nnviz slides` can build a deck from them) and, when the scene also runs under
manim-slides' `Slide` class, calls its `next_slide()`. Labels are stable names that decks and
posts link to, so they are validated: lowercase letters, digits, '-' and '_' only.
"""
from __future__ import annotations

import re

from ..errors import NNVizError

_LABEL = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def check_label(label: str) -> str:
    """The label itself, or NNVizError naming the rule it breaks."""
    if not isinstance(label, str) or not _LABEL.match(label):
        raise NNVizError(f"slide label {label!r} must be lowercase letters, digits, '-' or '_'"
                         " (it names a section file and a deck anchor)")
    return label


class SlideBreaks:
    """Mixin for Scene subclasses: `self.pause("label")` at each natural pause."""

    def pause(self, label: str) -> None:
        label = check_label(label)
        used = self.__dict__.setdefault("_slide_labels", [])
        if label in used:
            raise NNVizError(f"slide label {label!r} used twice in {type(self).__name__}")
        used.append(label)
        self.next_section(name=label)
        nxt = getattr(self, "next_slide", None)
        if callable(nxt):
            nxt()

    @property
    def slide_labels(self) -> tuple:
        """The labels passed to pause() so far, in order."""
        return tuple(self.__dict__.get("_slide_labels", ()))
