"""A limiter that keeps one process's sends under the number's messages-per-second tier.

The channel shares the tier between workers through the store instead (``budget.py``); this one
serves a Graph client used alone.

Meta answers 130429 once a number goes over its throughput; waiting here first is cheaper than
being refused and retried. At most ``rate`` sends start in any ``period``; the default period is a
little over a second because Meta counts arrivals, and requests started one second apart can arrive
closer together than that.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

__all__ = ["Limiter", "RateLimiter"]


class Limiter(Protocol):
    """What the Graph client needs of a limiter: this process's one, or the number's shared
    budget (``budget.SendBudget``, what the channel uses)."""

    def observe(self, count: int = 1) -> None: ...

    async def acquire(self) -> None: ...


class RateLimiter:
    def __init__(
        self,
        rate: int,
        *,
        period: float = 1.1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1")
        self.rate = rate
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()

    def observe(self, count: int = 1) -> None:
        """Count messages that used the number's throughput without us sending them.

        Meta counts the customers' incoming messages against the same tier as our sends.
        """
        now = self._clock()
        self._starts.extend([now] * count)

    async def acquire(self) -> None:
        """Wait until one more send fits in the window, then count it."""
        async with self._lock:  # FIFO: callers go out in the order they came
            while True:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.period:
                    self._starts.popleft()
                if len(self._starts) < self.rate:
                    self._starts.append(now)
                    return
                await self._sleep(self.period - (now - self._starts[len(self._starts) - self.rate]))
