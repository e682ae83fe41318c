"""Slowing down wrong dashboard logins per account and address, without ever locking the owner out.

Failures count per (account, client address): someone guessing from one address slows only
themselves, and a proxy's visitors are told apart by ``[server] trusted_proxies``. After a few free
attempts each further failure doubles the wait before the next wrong one is even answered as
"wrong" (429 until then), up to a cap; a right credential is let through at any time, so nobody
can keep the owner out by failing on purpose, from their address or any other. What slows a guess
is the admin token's length (12 characters at least; a long random one is advised).

A staff login costs the shop an Argon2 hash (a known name's and an unknown one's alike, so that the
time taken tells no name). Per (account, address) alone, a new made-up name per attempt would be a
new pair each time, free to be hashed: so the staff logins failed from one address are counted as
well, and past ``ADDRESS_FREE_ATTEMPTS`` that address waits in the same way before its next staff
login is hashed at all. The token login costs no hash and is never held by this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
#: Failed staff logins from one address, whatever the names, answered (each an Argon2 hash) before
#: that address waits: an office behind one address mistypes less than this in an hour.
ADDRESS_FREE_ATTEMPTS = 30


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    wait_until: float = 0.0


class LoginThrottle:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, address_free_attempts: int = ADDRESS_FREE_ATTEMPTS
    ) -> None:
        self.clock = clock
        self.address_free_attempts = address_free_attempts
        self._pairs: dict[tuple[str, str], _Failures] = {}
        self._addresses: dict[str, _Failures] = {}

    def retry_after(self, account: str, address: str) -> float:
        """Seconds before a wrong attempt from this pair is answered again; 0 if it may be now."""
        return self._wait(self._pairs.get((account, address)))

    def failed(self, account: str, address: str) -> int:
        """Count a wrong attempt; the number of failures of this pair so far."""
        return _count(self._pairs, (account, address), FREE_ATTEMPTS, self.clock())

    def succeeded(self, account: str, address: str) -> None:
        self._pairs.pop((account, address), None)

    def staff_retry_after(self, address: str) -> float:
        """Seconds before a staff login from ``address`` is hashed again, whatever its name; 0 if now."""
        return self._wait(self._addresses.get(address))

    def staff_failed(self, address: str) -> int:
        """Count a failed staff login from ``address`` (any name); the number so far. A success
        does not undo them: logging in now and then must not buy an address more hashes."""
        return _count(self._addresses, address, self.address_free_attempts, self.clock())

    def _wait(self, failures: _Failures | None) -> float:
        return 0.0 if failures is None else max(failures.wait_until - self.clock(), 0.0)


def _count(table: dict[Any, _Failures], key: Any, free: int, now: float) -> int:
    """One more failure of ``key``: past ``free`` of them, a wait that doubles with each."""
    _forget(table, now)
    failures = table.pop(key, None) or _Failures()
    failures.count += 1
    failures.last = now
    beyond = failures.count - free
    if beyond >= 0:
        failures.wait_until = now + min(FIRST_WAIT_SECONDS * 2.0 ** min(beyond, 30), LONGEST_WAIT_SECONDS)
    table[key] = failures  # newest last: the oldest go first when full
    return failures.count


def _forget(table: dict[Any, _Failures], now: float) -> None:
    for key in [k for k, f in table.items() if now - f.last > FORGET_AFTER_SECONDS]:
        del table[key]
    while len(table) >= MAX_PAIRS:
        del table[next(iter(table))]
