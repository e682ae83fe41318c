"""Shortening texts to a limit without breaking words where that can be avoided."""

from __future__ import annotations

import re

from chatshop.fitting import ELLIPSIS
from chatshop.fitting import shorten as fitting_shorten

__all__ = ["keep_ends", "shorten", "template_safe"]

_ELLIPSIS = ELLIPSIS


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary, ending in an ellipsis; never
    inside an emoji, a flag or a vowel sign (the core's one rule, ``chatshop.fitting.shorten``)."""
    return fitting_shorten(text.strip(), limit)


def template_safe(text: str, limit: int) -> str:
    """Template parameters may not hold new lines, tabs or runs of spaces (Meta error 132018)."""
    return shorten(re.sub(r"\s+", " ", text), limit)


def keep_ends(text: str, limit: int) -> str:
    """A long multi-line text cut in the middle, so its first lines and its last ones (a total, a
    question) both stay; falls back to :func:`shorten` when whole lines cannot do it."""
    text = text.strip()
    if len(text) <= limit:
        return text
    lines = text.splitlines()
    marker = _ELLIPSIS
    tail: list[str] = []
    size = len(marker) + 1
    for line in reversed(lines[1:]):
        if size + len(line) + 1 > limit // 2:
            break
        tail.insert(0, line)
        size += len(line) + 1
    head: list[str] = []
    for line in lines[: len(lines) - len(tail)]:
        if size + len(line) + 1 > limit:
            room = limit - size - 1
            if len(line) > limit // 2 and room >= 40:  # a paragraph (a description) is shortened, not lost
                head.append(shorten(line, room))
                marker = ""  # its own "…" marks the cut
            break
        head.append(line)
        size += len(line) + 1
    if not head or not tail:
        return shorten(text, limit)
    return "\n".join([*head, *([marker] if marker else []), *tail])
