"""SQLite's text form of times: fixed width and UTC, so times compare as text, whatever the second."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from chatshop.store.sqlite_time import parse, stamp


def test_a_time_is_written_as_strftime_would_write_it_in_utc() -> None:
    rng = random.Random(18)
    india = timezone(timedelta(hours=5, minutes=30))
    start = datetime(2026, 12, 6, tzinfo=UTC)
    for i in range(5000):
        # runs of times within one second (the usual case: several stamps per message), and jumps
        moment = start + timedelta(seconds=rng.randint(-(10**9), 10**9) if i % 7 == 0 else i // 7,
                                   microseconds=rng.randint(0, 999_999))  # fmt: skip
        if i % 3 == 0:
            moment = moment.astimezone(india)  # the same instant in another zone
        assert stamp(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert parse(stamp(moment)) == moment
    assert stamp(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00.000000Z"
    assert stamp(None) is None and parse(None) is None


def test_stamps_sort_as_their_times() -> None:
    moments = [datetime(2026, 12, 6, 8, 0, 59, 999_999, tzinfo=UTC) + timedelta(microseconds=n) for n in range(3)]
    moments += [moments[0] - timedelta(days=400), moments[0] + timedelta(hours=30)]
    assert sorted(moments, key=lambda m: stamp(m) or "") == sorted(moments)
