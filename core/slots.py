"""Delivery slots: the windows of ``[delivery.slots]`` on the coming days, in the shop's time zone.

A slot is one window on one day ("Tue 2 June, 09:00-12:00"); it is offered until its cut-off
before it starts, and while orders hold fewer than its capacity. Its place is taken with the order
(a :class:`chatshop.orders.Claim` keyed ``slot:2026-06-02T09:00``), so the last place raced by two
customers goes to one of them, and a cancelled order frees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chatshop.config import WEEKDAYS, SlotsSection

__all__ = ["PREFIX", "Slot", "parse_key", "upcoming"]

PREFIX = "slot:"


@dataclass(frozen=True, slots=True)
class Slot:
    day: date
    start: time
    end: time

    @property
    def key(self) -> str:
        """``2026-06-02T09:00``: the slot's identity in choices, claims and orders."""
        return f"{self.day.isoformat()}T{self.start.strftime('%H:%M')}"

    def starts_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.start, tzinfo=zone)

    def to_json(self) -> dict[str, str]:
        return {
            "key": self.key,
            "date": self.day.isoformat(),
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
        }


def upcoming(section: SlotsSection, zone: ZoneInfo, now: datetime) -> list[Slot]:
    """The slots a customer may still pick at ``now``, in time order (before their capacity)."""
    today = now.astimezone(zone).date()
    cutoff = timedelta(minutes=section.cutoff_minutes)
    closed = set(section.closed)
    days = {WEEKDAYS.index(d) for d in section.days}
    out = []
    for offset in range(section.days_ahead):
        day = today + timedelta(days=offset)
        if day.weekday() not in days or day in closed:
            continue
        for start, end in sorted(section.parsed()):
            slot = Slot(day, start, end)
            if slot.starts_at(zone) - cutoff > now:
                out.append(slot)
    return out


def parse_key(section: SlotsSection, key: str) -> Slot | None:
    """The slot a choice id names, if it is one of the shop's windows (any day)."""
    try:
        day = date.fromisoformat(key[:10])
        start = time.fromisoformat(key[11:16])
    except ValueError:
        return None
    if len(key) != 16 or key[10] != "T":
        return None
    for window_start, window_end in section.parsed():
        if window_start == start:
            return Slot(day, start, window_end)
    return None
