"""When the shop's people answer: ``[support] hours``, per weekday, in the shop's time zone.

A customer who asks for a person outside these hours is told when the team is back, and the
hand-over's idle timeout counts from then rather than from the middle of the night.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DAYS", "OpeningHours", "parse_ranges", "zone"]

#: Weekday keys as ``[support.hours]`` takes them, Monday first (``datetime.weekday()`` order).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _clock(hours: str, minutes: str) -> time | None:
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time.max
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def parse_ranges(text: str) -> tuple[tuple[time, time], ...]:
    """``"09:00-13:00, 14:00-18:00"`` as ranges; ``"closed"`` or ``""`` as none. ValueError says why."""
    if text.strip().casefold() in ("", "closed"):
        return ()
    ranges = []
    for part in text.split(","):
        found = _RANGE.match(part)
        start = _clock(*found.groups()[:2]) if found else None
        end = _clock(*found.groups()[2:]) if found else None
        if found is None or start is None or end is None:
            raise ValueError(f"{part.strip()!r}: expected opening hours such as '09:00-18:00' (or 'closed')")
        if end <= start:
            raise ValueError(f"{part.strip()!r}: the end must be after the start (a day ends at 24:00)")
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in pairwise(ranges):
        if start < end:
            raise ValueError(f"{text!r}: the ranges overlap")
    return tuple(ranges)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Asia/Kolkata``); ValueError for one that does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone: expected a name such as 'Asia/Kolkata'") from None


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Ranges per weekday; a shop without ``[support] hours`` is always open."""

    days: tuple[tuple[tuple[time, time], ...], ...]
    tz: ZoneInfo
    always: bool = False

    @classmethod
    def from_config(cls, hours: Mapping[str, str] | None, timezone: str) -> OpeningHours:
        """``None`` (no ``[support.hours]`` table): always open; a day missing from ``hours`` is closed."""
        tz = zone(timezone)
        if hours is None:
            return cls(days=((),) * 7, tz=tz, always=True)
        return cls(days=tuple(parse_ranges(hours.get(day, "")) for day in DAYS), tz=tz)

    def is_open(self, at: datetime) -> bool:
        if self.always:
            return True
        local = at.astimezone(self.tz)
        now = local.time()
        return any(start <= now < end for start, end in self.days[local.weekday()])

    def next_open(self, at: datetime) -> datetime | None:
        """When the team is next there (``at`` itself while open); None if no day has hours."""
        if self.is_open(at):
            return at
        local = at.astimezone(self.tz)
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            for start, _ in self.days[day.weekday()]:
                opening = datetime.combine(day, start, tzinfo=self.tz)
                if opening > local:
                    return opening
        return None
