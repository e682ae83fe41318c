"""How the SQLite store writes times: one fixed-width UTC text form, so that they compare as text."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["parse", "stamp"]


def stamp(value: datetime | None) -> str | None:
    """``2026-11-25T06:10:01.123456Z``: what ``strftime("%Y-%m-%dT%H:%M:%S.%fZ")`` gives, made by
    ``isoformat``, which costs a fraction of it (several timestamps are written per message)."""
    if not value:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")[:-6] + "Z"


def parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
