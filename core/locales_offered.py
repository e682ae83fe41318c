"""The shop's language for a messenger's language tag (``de-AT`` is German where the shop offers
``de``), or for the script a customer writes in (牛奶 is Chinese where the shop offers ``zh``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["offered_locale", "written_locale"]


def offered_locale(tag: str | None, offered: Sequence[str]) -> str | None:
    """The offered locale ``tag`` names (exactly, or by its language), or None.

    Tags are matched without regard to case or ``_``/``-``: ``pt_BR``, ``pt-br`` and ``pt`` all find
    ``pt-BR`` before ``pt``; ``zh-Hans-CN`` finds ``zh``.
    """
    if not tag:
        return None
    wanted = tag.strip().replace("_", "-").lower()
    by_tag = {locale.replace("_", "-").lower(): locale for locale in offered}
    if wanted in by_tag:
        return by_tag[wanted]
    parts = wanted.split("-")
    for end in range(len(parts) - 1, 0, -1):
        found = by_tag.get("-".join(parts[:end]))
        if found is not None:
            return found
    return None


#: Scripts that name their language, by the first word of Unicode's character names, and the
#: languages written in each. Latin is not here: brands and product names are Latin in every
#: language, and "super" is English and German alike.
_SCRIPTS: dict[str, frozenset[str]] = {
    "CJK": frozenset({"zh", "ja"}),
    "HIRAGANA": frozenset({"ja"}),
    "KATAKANA": frozenset({"ja"}),
    "HANGUL": frozenset({"ko"}),
    "DEVANAGARI": frozenset({"hi", "mr", "ne", "sa"}),
    "BENGALI": frozenset({"bn", "as"}),
    "GURMUKHI": frozenset({"pa"}),
    "GUJARATI": frozenset({"gu"}),
    "ORIYA": frozenset({"or"}),
    "TAMIL": frozenset({"ta"}),
    "TELUGU": frozenset({"te"}),
    "KANNADA": frozenset({"kn"}),
    "MALAYALAM": frozenset({"ml"}),
    "THAI": frozenset({"th"}),
    "ARABIC": frozenset({"ar", "fa", "ur"}),
    "HEBREW": frozenset({"he", "yi"}),
    "GREEK": frozenset({"el"}),
    "CYRILLIC": frozenset({"ru", "uk", "bg", "sr", "mk", "be", "kk"}),
}


def _script(char: str) -> str | None:
    """The script of a letter or vowel sign that names languages; None for Latin, digits, emoji."""
    if not (char.isalpha() or unicodedata.category(char).startswith("M")) or char.isascii():
        return None
    first = unicodedata.name(char, "").split(" ", 1)[0]
    return first if first in _SCRIPTS else None


def written_locale(text: str, offered: Sequence[str], own: str) -> str | None:
    """The offered locale ``text`` is written in when that is not ``own`` and no other offered
    locale writes the same letters, else None.

    Every script in the text narrows the candidates (Han alone may be Chinese or Japanese; with
    kana, Japanese); a script the customer's own language writes keeps it, and two offered locales
    of one language (``zh-CN``, ``zh-TW``) leave the choice to the customer.
    """
    if text.isascii():  # most messages: no script that names a language (and one C call, not one a letter)
        return None
    candidates: frozenset[str] | None = None
    for script in {_script(char) for char in set(text)} - {None}:
        assert script is not None
        candidates = _SCRIPTS[script] if candidates is None else candidates & _SCRIPTS[script]
    if not candidates:
        return None
    writing = [locale for locale in offered if locale.replace("_", "-").split("-")[0].lower() in candidates]
    if own in writing or len(writing) != 1:
        return None
    return writing[0]
