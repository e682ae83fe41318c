"""The number's throughput, shared by every worker: one send budget per number, kept in the store.

Meta refuses a number's messages with 130429 once it goes over its tier (80 messages a second, or
1,000), and counts the customers' incoming messages against the same tier. Each worker limiting
itself to the tier would let N workers send N times it, so the workers draw send *slots* from one
budget in the store (``Store.reserve_send_slots``): slots are spaced evenly across all workers and
handed out at most ``HORIZON`` ahead, so a worker that dies wastes at most that much of the budget.
A worker asks for as many at a time as it took in the last ``LATE`` (its demand) or has callers
waiting, two at least and half the horizon's worth at most, so the database is asked some tens of
times a second a worker rather than once a send. Incoming messages take their slots too, reported
within ``FLUSH``.

Slots are times on the wall clock, which every worker of a host reads alike: a worker whose answer
from the store came back late finds its slots due rather than shifted behind the others'.

Where the margin goes. Meta counts arrivals in a second; evenly spaced slots put ``rate / SAFETY``
in any second of the store's clock, and what can make a second of Meta's hold more is an event
counted away from its slot: a send that leaves late (at most ``LATE``, later it is given up), an
incoming message charged after slots already handed out (at most ``HORIZON`` early), and a slot
of the ``SLACK_SLOTS`` taken after a lull (none: a lull's slots are lost rather than bunched, which
on a busy number costs nothing measurable). About half of the events are each kind on a busy
number, so ``rate / SAFETY * (1 + (HORIZON + LATE) / 2) + SLACK_SLOTS + 1`` must stay within the
tier: 73.4 + 2.2 + 1 = 76.6 of 80 leaves 3.4 messages, some 90 ms of the way to Meta taking
longer for one message than for the next (a loaded host's scheduler, the network).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

import structlog

__all__ = ["HORIZON", "SAFETY", "SLACK_SLOTS", "SendBudget"]

log = structlog.get_logger(__name__)

#: Slots are spaced ``SAFETY / rate`` apart: 73.4 a second on an 80 tier (91.7%).
SAFETY = 1.09
#: How far ahead a worker may hold slots, in seconds. Customers' messages are charged to the
#: budget after the slots already handed out, so this bounds how far they can bunch with sends;
#: it also covers the store's answer coming back (slots that arrive due are used, up to ``LATE``).
HORIZON = 0.03
#: How soon observed incoming messages are reported to the shared budget, at the latest.
FLUSH = 0.005
#: A slot missed by more than this (the worker was busy) is given up, not used late in a bunch.
LATE = 0.03
#: Slots left unused for up to this many intervals (a lull between two workers' requests) can
#: still be taken: a burst of at most that many over the steady rate. None: each such slot may add
#: a message to a second, and on three workers at 80/s one slot of slack measured no higher rate.
SLACK_SLOTS = 0

#: ``reserve(wanted, observed) -> (first slot's wall-clock time, granted)``, as
#: ``Store.reserve_send_slots`` for one budget.
Reserve = Callable[[int, int], Awaitable[tuple[float, int]]]


class SharedBudgets(Protocol):
    """The store's send budgets and pair budgets, shared by every worker
    (``Store.reserve_send_slots``, ``Store.pace_pair``).

    The one door into the core WhatsApp still takes that is not part of the plugin API
    (docs/plugins.md): a budget across workers needs the store's atomic reservation, and no
    other channel has asked for one yet. ``tests/core/test_plugin_api.py`` lists it.
    """

    shared: bool

    async def reserve_send_slots(
        self, name: str, interval: float, horizon: float, wanted: int, observed: int = 0, slack: float = 0.0
    ) -> tuple[float, int]: ...

    async def pace_pair(self, name: str, interval: float, window: float, burst: int, guard: float) -> float: ...

    async def give_back_pair(self, name: str, interval: float) -> None: ...


class SendBudget:
    def __init__(
        self,
        reserve: Reserve,
        rate: int,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared: Callable[[], bool] = lambda: True,
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1")
        self.rate = rate
        self.interval = SAFETY / rate
        #: Slots asked for at most at once: half of what the horizon holds.
        self.chunk = max(2, min(64, int(HORIZON / self.interval / 2)))
        self._reserve = reserve
        #: Whether other workers draw on the budget too; alone, incoming messages can wait for the
        #: next reservation instead of being reported on their own.
        self._shared = shared
        self._clock = clock
        self._sleep = sleep
        self._slots: deque[float] = deque()  # this worker's slots, on the wall clock
        #: When this worker's last slots were taken: its demand (``_demand``), up to a chunk.
        self._taken: deque[float] = deque(maxlen=self.chunk)
        self._observed: deque[tuple[float, int]] = deque()  # inbound messages not yet reported
        self._unreported = 0
        self._lock = asyncio.Lock()
        self._waiting = 0  # callers of acquire, the one holding the lock included
        self._reserving = False  # a reservation is on its way to the store
        self._flush: asyncio.TimerHandle | None = None
        self._reporting: set[asyncio.Future[None]] = set()

    def observe(self, count: int = 1) -> None:
        """Count customers' messages, which use the number's throughput too. They are reported to
        the shared budget within ``FLUSH`` seconds (with this worker's next reservation, or on their
        own), so that no worker hands out slots as if they had not come."""
        if not count:
            return
        self._observed.append((self._clock(), count))
        self._unreported += count
        # Reported on their own only once they are a noticeable share of the tier (1%; any on an
        # 80/s tier); fewer go with the next reservation, or age out within a second unreported.
        if self._flush is None and self._unreported >= self.rate / 100 and self._shared():
            self._flush = asyncio.get_running_loop().call_later(FLUSH, self._report_soon)

    def _reported(self, now: float) -> int:
        """The messages observed and not yet reported, less those over a second old (no longer counted)."""
        count = sum(n for at, n in self._observed if now - at < 1.0)
        self._observed.clear()
        self._unreported = 0
        return count

    def _report_soon(self) -> None:
        self._flush = None
        if not self._observed:
            return  # a reservation took them along
        if self._reserving:  # it read them before it went: look again once it is back
            self._flush = asyncio.get_running_loop().call_later(FLUSH, self._report_soon)
            return
        # Not left for this worker's next reservation, which may be a while off: every second
        # they wait to be charged is a second in which the budget hands out their slots too.
        task = asyncio.ensure_future(self._report())
        self._reporting.add(task)
        task.add_done_callback(self._reporting.discard)

    async def _report(self) -> None:
        try:
            await self._reserve(0, self._reported(self._clock()))
        except Exception:  # the store is away: the messages are a second old soon and no longer count
            log.debug("whatsapp.budget_report_failed", exc_info=True)

    def _demand(self, now: float) -> int:
        """Slots this worker took in the last ``LATE`` seconds (up to a chunk): about what it will use
        of a reservation made now before its slots go stale. A steady sender then reserves about once
        per ``LATE`` rather than once per two sends, however few callers it has waiting at once (the
        more workers, the fewer); after a lull the demand is back to nothing."""
        return sum(1 for at in self._taken if now - at < LATE)

    async def acquire(self) -> None:
        """Wait for this worker's next slot, reserving more from the shared budget when it has none."""
        self._waiting += 1
        try:
            async with self._lock:  # FIFO: callers go out in the order they came
                while True:
                    now = self._clock()
                    while self._slots and self._slots[0] < now - LATE:
                        self._slots.popleft()  # missed: using it now would bunch it with later ones
                    if self._slots:
                        slot = self._slots.popleft()
                        self._taken.append(now)
                        if slot > now:
                            await self._sleep(slot - now)
                        return
                    # As many as this worker will use before they go stale (its recent demand) or
                    # as are waiting, within the chunk (two at least, to halve the trips): a slot
                    # nobody here uses is lost to all.
                    wanted = min(self.chunk, max(2, self._waiting, self._demand(now)))
                    self._reserving = True
                    try:
                        at, granted = await self._reserve(wanted, self._reported(now))
                    finally:
                        self._reserving = False
                    if granted:
                        self._slots.extend(at + i * self.interval for i in range(granted))
                    else:
                        # until two slots past the next free one are within the horizon
                        await self._sleep(max(at - self._clock() - HORIZON + self.interval, self.interval))
        finally:
            self._waiting -= 1
