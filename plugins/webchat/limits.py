"""How much one customer, and one client address, may send and open at once.

A limit per tab alone is bypassed by opening more tabs (or clearing the cookie for a new customer
each time), so messages are counted per customer *and* per client address, and so are open sockets.
The address is the client's (:func:`chatshop.addresses.client_address`): behind a reverse proxy
named in ``[server] trusted_proxies``, the one it writes in X-Forwarded-For; behind any other,
every customer shares the proxy's address (docs/web.md).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

__all__ = ["Window"]


class Window:
    """At most ``limit`` events per key within ``seconds``, counted over a sliding window."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            return deque()
        while events and now - events[0] >= self.seconds:
            events.popleft()
        if not events:
            del self._events[key]  # so idle keys (addresses long gone) cost no memory
        return events

    def full(self, key: str) -> bool:
        return len(self._recent(key, self.clock())) >= self.limit

    def add(self, key: str) -> None:
        now = self.clock()
        self._recent(key, now)
        self._events.setdefault(key, deque()).append(now)
        if len(self._events) > 10_000:  # many one-off addresses: forget those whose window has passed
            for stale in [k for k, v in self._events.items() if now - v[-1] >= self.seconds]:
                del self._events[stale]
