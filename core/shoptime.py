"""The shop's own time zone (``[shop] timezone``): every time a customer or the staff is shown, every
day the dashboard counts, and the night when the shop sends no reminders are in it.

The shop stores and compares instants in UTC; this module only says what an instant is on the
shop's wall clock. A day is from local midnight to the next local midnight, so a day with a
daylight-saving change has 23 or 25 hours, as it does for the people in that shop.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = ["Day", "ShopTime", "parse_moment", "zone_problem"]


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def zone_problem(name: str) -> str | None:
    """Why ``name`` is not a time zone the shop can use (None: it is one)."""
    if name in _known():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
        else:
            return None
    known = sorted(_known())
    close = [k for k in known if k.casefold() == name.casefold()] or difflib.get_close_matches(
        name, known, n=1, cutoff=0.75
    )
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{name!r} is not a time zone: expected an IANA name such as 'Asia/Kolkata' or 'Europe/Berlin'{hint}"


@dataclass(frozen=True, slots=True)
class Day:
    """One day on the shop's calendar, from its local midnight (``start``) to the next (``end``)."""

    date: date
    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


class ShopTime:
    """Instants as the shop's wall clock shows them."""

    def __init__(self, name: str = "UTC") -> None:
        self.name = name
        self.zone = ZoneInfo(name)

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the shop's clock (a naive one is taken as UTC, as the stores keep it)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)

    def clock(self, moment: datetime) -> str:
        """The time of day with the zone's short name: ``14:30 IST``, ``09:05 CET``, ``14:30 UTC``."""
        local = self.local(moment)
        return f"{local:%H:%M} {self._abbreviation(local)}"

    def stamp(self, moment: datetime | str | None, *, year: bool = True) -> str:
        """A date and time for staff: ``25 Nov 2026 14:30 IST`` (``—`` for none)."""
        parsed = parse_moment(moment)
        if parsed is None:
            return "—"
        local = self.local(parsed)
        shape = "%d %b %Y %H:%M" if year else "%d %b %H:%M"
        return f"{local.strftime(shape)} {self._abbreviation(local)}"

    def _abbreviation(self, local: datetime) -> str:
        name = local.tzname() or self.name
        # Zones without a letter abbreviation print an offset ("+04"); say it as one.
        return f"UTC{name}" if name[:1] in "+-" else name

    def day(self, moment: datetime) -> Day:
        """The shop's day that holds ``moment``."""
        return self.day_of(self.local(moment).date())

    def day_of(self, when: date) -> Day:
        start = datetime.combine(when, time(0), tzinfo=self.zone)
        end = datetime.combine(when + timedelta(days=1), time(0), tzinfo=self.zone)
        return Day(when, start.astimezone(UTC), end.astimezone(UTC))

    def last_days(self, moment: datetime, count: int) -> list[Day]:
        """The ``count`` days up to and including the one holding ``moment``, oldest first."""
        today = self.local(moment).date()
        return [self.day_of(today - timedelta(days=back)) for back in range(count - 1, -1, -1)]

    def quiet_until(self, moment: datetime, start: time, end: time) -> datetime | None:
        """When the quiet hours from ``start`` to ``end`` (the shop's clock; over midnight when
        ``start`` is later than ``end``) that hold ``moment`` end; None when ``moment`` is not in them."""
        if start == end:
            return None
        local = self.local(moment)
        now = local.time()
        if start < end:
            quiet, ends = start <= now < end, local.date()
        else:
            quiet = now >= start or now < end
            ends = local.date() + timedelta(days=1) if now >= start else local.date()
        if not quiet:
            return None
        return datetime.combine(ends, end, tzinfo=self.zone).astimezone(UTC)

    def at(self, moment: datetime, wall: time) -> datetime:
        """The instant of the wall-clock time ``wall`` on the shop's day that holds ``moment``."""
        local = self.local(moment)
        return datetime.combine(local.date(), wall, tzinfo=self.zone).astimezone(UTC)


def parse_moment(value: datetime | str | None) -> datetime | None:
    """A stored time (an aware datetime, or the ISO text SQLite keeps) as an aware datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
