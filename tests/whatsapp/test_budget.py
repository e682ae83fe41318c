"""The number's throughput shared by several workers: never over the tier together, nearly all of it used."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable

from chatshop.plugins.whatsapp.budget import HORIZON, SLACK_SLOTS, SendBudget


class Clock:
    """Simulated time shared by the store and every worker: sleepers wake in order of their wake-up
    time, and time jumps to the next wake-up once everyone else is waiting (``run``)."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = 0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._order += 1
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), self._order, future))
        await future

    async def run(self, *work: Awaitable[None]) -> None:
        tasks = [asyncio.ensure_future(w) for w in work]
        while not all(t.done() for t in tasks):
            for _ in range(20):  # let every task run until it waits on the clock
                await asyncio.sleep(0)
            if self._sleepers:
                self.now, _, future = heapq.heappop(self._sleepers)
                future.set_result(None)
        await asyncio.gather(*tasks)


class Store:
    """The slot rule of ``Store.reserve_send_slots``, on the shared clock (the stores' own tests check them)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.next_slot = 0.0
        self.asked = 0
        self.observed = 0  # customers' messages reported

    async def reserve(self, interval: float, wanted: int, observed: int) -> tuple[float, int]:
        self.asked += 1
        self.observed += observed
        now = self.clock()
        start = max(self.next_slot, now - SLACK_SLOTS * interval) + observed * interval
        room = int((now + HORIZON - start) / interval) + 1 if start <= now + HORIZON else 0
        granted = min(wanted, room)
        self.next_slot = start + granted * interval
        return start, granted  # a time on the shared clock, as ``Store.reserve_send_slots`` answers


def _workers(store: Store, clock: Clock, count: int, rate: int) -> list[SendBudget]:
    budgets: list[SendBudget] = []
    for _ in range(count):

        async def reserve(wanted: int, observed: int, budget_index: int = len(budgets)) -> tuple[float, int]:
            return await store.reserve(budgets[budget_index].interval, wanted, observed)

        budgets.append(SendBudget(reserve, rate, clock=clock, sleep=clock.sleep))
    return budgets


def _busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))


async def test_three_workers_together_stay_within_the_tier_and_use_most_of_it() -> None:
    clock = Clock()
    store = Store(clock)
    workers = _workers(store, clock, 3, rate=80)
    sent: list[float] = []

    async def sender(budget: SendBudget) -> None:
        for _ in range(200):
            await budget.acquire()
            sent.append(clock())

    await clock.run(*(sender(budget) for budget in workers))
    assert len(sent) == 600
    assert _busiest_second(sent) <= 80
    assert 600 / (max(sent) - min(sent)) >= 0.9 * 80
    # Three workers contend for a 30 ms horizon (two slots of an 80 tier): a worker often gets one
    # slot, or none and asks again, but never costs the store two trips a send.
    assert store.asked < 1.5 * 600


async def test_incoming_messages_take_their_share_of_the_tier() -> None:
    clock = Clock()
    store = Store(clock)
    (budget,) = _workers(store, clock, 1, rate=80)
    budget.observe(74)  # a second's worth of customers' messages arrived
    await clock.run(budget.acquire())
    assert clock() >= 74 * budget.interval - 0.01


async def test_a_worker_that_stops_leaves_the_budget_to_the_others() -> None:
    clock = Clock()
    store = Store(clock)
    dead, alive = _workers(store, clock, 2, rate=80)
    await clock.run(dead.acquire())  # it holds a few slots ahead, then dies
    sent = []

    async def sender() -> None:
        for _ in range(150):
            await alive.acquire()
            sent.append(clock())

    await clock.run(sender())
    assert 150 / (max(sent) - min(sent)) >= 0.9 * 80  # all of the tier, less the dead one's few slots


async def test_incoming_messages_are_reported_at_once_while_a_send_waits_for_its_slot() -> None:
    """Not left for the worker's next reservation, which may be a while off: until they are charged
    the budget hands their slots to sends too."""
    clock = Clock()
    store = Store(clock)
    (budget,) = _workers(store, clock, 1, rate=80)
    store.next_slot = 10.0  # the budget is spoken for: the send below waits for a reservation
    waiting = asyncio.ensure_future(budget.acquire())
    await asyncio.sleep(0.02)  # it asked, got nothing, and sleeps on the simulated clock
    asked = store.asked
    budget.observe(3)
    await asyncio.sleep(0.05)  # more than FLUSH, in the loop's own time
    assert store.observed == 3 and store.asked == asked + 1
    waiting.cancel()


def _recording_worker(store: Store, clock: Clock, rate: int) -> tuple[SendBudget, list[int]]:
    """One worker on ``store`` whose reservations' ``wanted`` are recorded, in order."""
    wanted: list[int] = []

    async def reserve(count: int, observed: int) -> tuple[float, int]:
        if count:
            wanted.append(count)
        return await store.reserve(budget.interval, count, observed)

    budget = SendBudget(reserve, rate, clock=clock, sleep=clock.sleep)
    return budget, wanted


async def _steady(budget: SendBudget, clock: Clock, sends: int, every: float) -> None:
    for _ in range(sends):
        await budget.acquire()
        await clock.sleep(every)


async def test_a_steady_worker_reserves_what_it_uses_before_its_next_reservation() -> None:
    """Not two at a time while one caller waits: on a wide tier that cost a round trip per two sends."""
    clock = Clock()
    store = Store(clock)
    budget, wanted = _recording_worker(store, clock, rate=10_000)
    assert budget.chunk > 8
    await clock.run(_steady(budget, clock, 200, HORIZON / 8.5))  # 8 sends in the horizon before each reservation
    assert max(wanted) <= budget.chunk
    assert all(7 <= w <= 9 for w in wanted[3:])  # once the worker has sent for a horizon
    assert store.asked < 200 / 6  # about one reservation per 8 sends (was 100)


async def test_a_worker_sending_flat_out_reserves_no_more_than_its_chunk() -> None:
    clock = Clock()
    store = Store(clock)
    budget, wanted = _recording_worker(store, clock, rate=1_000)  # 13 slots a chunk, 27 in a horizon

    async def sender() -> None:
        for _ in range(100):
            await budget.acquire()

    await clock.run(*(sender() for _ in range(5)))
    assert max(wanted) == budget.chunk


async def test_after_a_lull_a_worker_reserves_the_minimum_again() -> None:
    """A slot nobody uses is lost to every worker: a worker back from a lull does not take a chunk."""
    clock = Clock()
    store = Store(clock)
    budget, wanted = _recording_worker(store, clock, rate=10_000)
    await clock.run(_steady(budget, clock, 60, HORIZON / 8.5))
    assert wanted[-1] >= 7
    reservations = len(wanted)
    await clock.run(clock.sleep(2 * HORIZON))  # no sends: the slots still held go stale too
    await clock.run(budget.acquire())
    assert len(wanted) == reservations + 1 and wanted[-1] == 2


async def test_an_80_tier_still_reserves_two_slots_at_a_time() -> None:
    clock = Clock()
    store = Store(clock)
    budget, wanted = _recording_worker(store, clock, rate=80)
    assert budget.chunk == 2
    await clock.run(_steady(budget, clock, 40, 0.0), *(_steady(budget, clock, 40, 0.005) for _ in range(3)))
    assert len(wanted) >= 160 / 2 and set(wanted) == {2}
