"""Shortening texts to a limit without breaking words where that can be avoided."""

from __future__ import annotations

import re

__all__ = ["shorten", "template_safe"]

_ELLIPSIS = "…"
_TRAILING = " ,;:-–—/|(&+"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary, ending in an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    room = limit - len(_ELLIPSIS)
    cut = text[: room + 1]
    space = cut.rfind(" ")
    # A word boundary in the last half keeps the words whole; otherwise one long word is cut.
    head = cut[:space] if space >= room // 2 else text[:room]
    return head.rstrip(_TRAILING) + _ELLIPSIS


def template_safe(text: str, limit: int) -> str:
    """Template parameters may not hold new lines, tabs or runs of spaces (Meta error 132018)."""
    return shorten(re.sub(r"\s+", " ", text), limit)
