"""A worker's hold on one customer's work, shared through the store so it holds across processes.

Turns and sends of one customer must not run on two workers at once (order, and no double send).
The serial runners keep that within a process; a :class:`Lease` keeps it across processes. It is
renewed as work goes on and lapses by itself if its worker dies, so nothing waits on a dead worker
for longer than ``seconds``.
"""

from __future__ import annotations

import time

from chatshop.store.base import Store

__all__ = ["Lease"]


class Lease:
    def __init__(self, store: Store, name: str, owner: str, seconds: float) -> None:
        self.store = store
        self.name = name
        self.owner = owner
        self.seconds = seconds
        self._renewed = 0.0

    async def acquire(self) -> bool:
        """Take the lease; False if another worker holds it (it will be told that we asked)."""
        if await self.store.acquire_lease(self.name, self.owner, self.seconds):
            self._renewed = time.monotonic()
            return True
        return False

    def taken(self) -> None:
        """Note that the lease was just taken by a store call that did more at the same time."""
        self._renewed = time.monotonic()

    async def keep(self) -> bool:
        """Renew the lease once a third of its time has passed; False if it was lost meanwhile."""
        if time.monotonic() - self._renewed < self.seconds / 3:
            return True
        return await self.acquire()

    async def release(self) -> bool:
        """Give the lease back; True if another worker asked for it, so there is new work to see."""
        return await self.store.release_lease(self.name, self.owner)
