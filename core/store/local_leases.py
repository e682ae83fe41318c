"""Leases kept in memory, for a store that only one process uses (the embedded SQLite file).

Within one process the serial runners already keep one task per customer; the table still honours
the lease contract (owners, expiry, "someone wanted it") so the runtime has one code path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from chatshop.store.base import StoreStats

__all__ = ["LocalLeases"]


@dataclass(slots=True)
class _Lease:
    owner: str
    expires: float
    wanted: bool = False


class LocalLeases:
    def __init__(self, stats: StoreStats | None = None) -> None:
        self._held: dict[str, _Lease] = {}
        #: Counts leases taken while another owner's hold had lapsed.
        self._stats = stats or StoreStats()

    def acquire(self, name: str, owner: str, seconds: float) -> bool:
        now = time.monotonic()
        lease = self._held.get(name)
        if lease is None or lease.expires <= now:
            if lease is not None and lease.owner != owner:
                self._stats.lease_takeovers += 1
            self._held[name] = _Lease(owner, now + seconds)
            return True
        if lease.owner == owner:
            lease.expires = now + seconds
            return True
        lease.wanted = True
        return False

    def release(self, name: str, owner: str) -> bool:
        lease = self._held.get(name)
        if lease is None or lease.owner != owner:
            return False
        del self._held[name]
        return lease.wanted


class LocalBudgets:
    """Send budgets kept in memory, for a store that only one process uses: the same slot rule as
    the shared store's (see ``Store.reserve_sends``), on this process's monotonic clock."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}  # name -> time of the next free slot

    def reserve(
        self, name: str, interval: float, horizon: float, wanted: int, observed: int, slack: float
    ) -> tuple[float, int]:
        now = time.monotonic()
        start = max(self._next.get(name, now), now - slack) + observed * interval
        room = max(0, int((now + horizon - start) / interval) + 1) if start <= now + horizon else 0
        granted = min(wanted, room)
        self._next[name] = start + granted * interval
        return start - now, granted
