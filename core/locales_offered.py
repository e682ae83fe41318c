"""The shop's language for a messenger's language tag: ``de-AT`` is German where the shop offers ``de``."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["offered_locale"]


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
