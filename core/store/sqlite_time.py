"""How the SQLite store writes times: one fixed-width UTC text form, so that they compare as text."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["parse", "stamp"]

#: The text of the second a time falls in (``2026-11-25T06:10:01``), by that second. Several times
#: are written per message and nearly all fall in the last second or two: ``isoformat`` formats
#: each of its fields with C ``sprintf`` (~15,000 instructions a call, a few per cent of a message),
#: so the second's text is made once and only the microseconds per call.
_SECONDS: dict[tuple[int, int, int, int, int, int], str] = {}
_SECONDS_KEPT = 64


def stamp(value: datetime | None) -> str | None:
    """``2026-11-25T06:10:01.123456Z``: what ``strftime("%Y-%m-%dT%H:%M:%S.%fZ")`` gives."""
    if not value:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    second = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    head = _SECONDS.get(second)
    if head is None:
        if len(_SECONDS) >= _SECONDS_KEPT:
            _SECONDS.clear()
        head = _SECONDS[second] = value.replace(microsecond=0, tzinfo=None).isoformat()
    return f"{head}.{value.microsecond:06d}Z"


def parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
