"""Where one character a reader sees ends: a cut there never splits a family emoji, a flag, a skin
tone, an accent from its letter, or a Devanagari vowel sign or conjunct from its consonant.

Unicode's extended grapheme clusters (UAX #29, with the Indic conjuncts of Unicode 15.1), from the
character properties Python's ``unicodedata`` has: general categories stand in for the break
properties it lacks, which holds for the letters, marks and emoji customers and catalogs write.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise

__all__ = ["boundaries", "clusters", "end_before"]

_ZWJ = "\u200d"
_ZWNJ = "\u200c"
#: Viramas that join two consonants into one conjunct (InCB=Linker): Devanagari, Bengali,
#: Gujarati, Oriya, Telugu, Malayalam. क + ् + ष is क्ष, one character to the reader.
_LINKERS = frozenset("\u094d\u09cd\u0acd\u0b4d\u0c4d\u0d4d")
#: Characters written before the letter they belong to (Prepend).
_PREPEND = frozenset(
    [*map(chr, range(0x600, 0x606)), "\u06dd", "\u070f", "\u0890", "\u0891", "\u08e2", "\u0d4e", "\U000110bd"]
)
#: Letters that behave as spacing vowel signs (Thai and Lao SARA AM).
_SPACING = frozenset("\u0e33\u0eb3")


@lru_cache(maxsize=2048)
def _kind(char: str) -> str:
    """The break property of ``char``, as far as these rules need it."""
    code = ord(char)
    if char == "\r":
        return "CR"
    if char == "\n":
        return "LF"
    if char == _ZWJ:
        return "ZWJ"
    if 0x1F1E6 <= code <= 0x1F1FF:
        return "RI"
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return "L"
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return "V"
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return "T"
    if 0xAC00 <= code <= 0xD7A3:
        return "LV" if (code - 0xAC00) % 28 == 0 else "LVT"
    if char in _PREPEND:
        return "Prepend"
    category = unicodedata.category(char)
    if (
        category in ("Mn", "Me")
        or char == _ZWNJ
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tags (the flags of England, Scotland, Wales)
    ):
        return "Extend"
    if category == "Mc" or char in _SPACING:
        return "SpacingMark"
    if category in ("Cc", "Zl", "Zp", "Cf"):
        return "Control"
    return "Other"


def _pictographic(char: str) -> bool:
    """An emoji a zero-width joiner can join to the one before it (Extended_Pictographic, near enough)."""
    code = ord(char)
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or 0x2300 <= code <= 0x23FF
        or 0x2B00 <= code <= 0x2BFF
        or char in "©®‼⁉™ℹ↔↕↖↗↘↙↩↪〰〽㊗㊙"
    )


def _consonant(char: str) -> bool:
    return unicodedata.category(char) == "Lo" and 0x0900 <= ord(char) <= 0x0D7F


_HANGUL_JOINS = {
    "L": frozenset({"L", "V", "LV", "LVT"}),
    "LV": frozenset({"V", "T"}),
    "V": frozenset({"V", "T"}),
    "LVT": frozenset({"T"}),
    "T": frozenset({"T"}),
}


def boundaries(text: str) -> Iterator[int]:
    """The offsets inside ``text`` where one character a reader sees ends and the next begins."""
    before = ""
    regional = 0  # regional indicators in a row so far: a flag is two
    emoji = False  # an emoji and its modifiers so far, which a ZWJ may join to the next
    joined = False  # the ZWJ just seen followed such an emoji
    conjunct = 0  # 1: a consonant (and marks) so far; 2: and a virama after it, of this block
    block = 0
    for i, char in enumerate(text):
        kind = _kind(char)
        if i and not _joins(before, kind, char, regional, joined, conjunct == 2 and ord(char) >> 7 == block):
            yield i
        regional = regional + 1 if kind == "RI" else 0
        joined = kind == "ZWJ" and emoji
        emoji = _pictographic(char) or (emoji and kind == "Extend")
        if _consonant(char):
            conjunct, block = 1, ord(char) >> 7
        elif char in _LINKERS and conjunct and ord(char) >> 7 == block:
            conjunct = 2
        elif not (conjunct and kind in ("Extend", "ZWJ")):
            conjunct = 0
        before = kind


def _joins(before: str, kind: str, char: str, regional: int, joined: bool, conjunct: bool) -> bool:
    """Whether no boundary falls between a character of kind ``before`` and ``char``."""
    if before == "CR":
        return kind == "LF"
    if before in ("LF", "Control") or kind in ("CR", "LF", "Control"):
        return False
    if kind in _HANGUL_JOINS.get(before, ()):
        return True
    if kind in ("Extend", "ZWJ", "SpacingMark") or before == "Prepend":
        return True
    if conjunct and _consonant(char):
        return True
    if before == "ZWJ" and joined and _pictographic(char):
        return True
    return before == "RI" and kind == "RI" and regional % 2 == 1


def clusters(text: str) -> list[str]:
    """``text`` as the characters a reader sees: "👨‍👩‍👧", "🇮🇳", "कि", "é"."""
    starts = [0, *boundaries(text), len(text)] if text else []
    return [text[a:b] for a, b in pairwise(starts)]


def end_before(text: str, end: int) -> int:
    """The last boundary at or before ``end``: where ``text`` may be cut to keep at most ``end``
    code points without splitting a character a reader sees (0 if the first one is longer)."""
    if end >= len(text):
        return len(text)
    if end <= 0:
        return 0
    if text[: end + 1].isascii():  # most titles: every place is a boundary but inside CR LF
        return end - 1 if text[end - 1 : end + 1] == "\r\n" else end
    found = 0
    for at in boundaries(text):
        if at > end:
            break
        found = at
    return found
