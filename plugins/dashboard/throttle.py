"""Slowing down wrong dashboard logins per account and address, without ever locking the owner out.

Failures count per (account, client address): someone guessing from one address slows only
themselves, and a proxy's visitors are told apart by ``[server] trusted_proxies``. After a few free
attempts each further failure doubles the wait before the next wrong one is even answered as
"wrong" (429 until then), up to a cap; a right credential is let through at any time, so nobody
can keep the owner out by failing on purpose, from their address or any other. What slows a guess
is the admin token's length (12 characters at least; a long random one is advised).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LoginThrottle"]

#: Wrong attempts per (account, address) answered at once before waits begin.
FREE_ATTEMPTS = 10
#: The first wait, doubled by each later failure, up to the cap.
FIRST_WAIT_SECONDS = 1.0
LONGEST_WAIT_SECONDS = 15 * 60.0
#: Failures are forgotten this long after the last one.
FORGET_AFTER_SECONDS = 60 * 60.0
#: Pairs remembered at most (the oldest are dropped): a flood from many addresses costs bounded memory.
MAX_PAIRS = 10_000


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    wait_until: float = 0.0


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._pairs: dict[tuple[str, str], _Failures] = {}

    def retry_after(self, account: str, address: str) -> float:
        """Seconds before a wrong attempt from this pair is answered again; 0 if it may be now."""
        failures = self._pairs.get((account, address))
        if failures is None:
            return 0.0
        return max(failures.wait_until - self.clock(), 0.0)

    def failed(self, account: str, address: str) -> int:
        """Count a wrong attempt; the number of failures of this pair so far."""
        now = self.clock()
        self._forget(now)
        failures = self._pairs.pop((account, address), None) or _Failures()
        failures.count += 1
        failures.last = now
        beyond = failures.count - FREE_ATTEMPTS
        if beyond >= 0:
            failures.wait_until = now + min(FIRST_WAIT_SECONDS * 2.0 ** min(beyond, 30), LONGEST_WAIT_SECONDS)
        self._pairs[(account, address)] = failures  # newest last: the oldest go first when full
        return failures.count

    def succeeded(self, account: str, address: str) -> None:
        self._pairs.pop((account, address), None)

    def _forget(self, now: float) -> None:
        for key in [k for k, f in self._pairs.items() if now - f.last > FORGET_AFTER_SECONDS]:
            del self._pairs[key]
        while len(self._pairs) >= MAX_PAIRS:
            del self._pairs[next(iter(self._pairs))]
