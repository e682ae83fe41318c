"""Send budgets: one rate for every worker, slots handed out a little ahead and never more."""

from __future__ import annotations

import time
from collections.abc import Callable

from chatshop.store.base import Store
from chatshop.store.postgres import PostgresStore


async def test_slots_are_granted_only_up_to_the_horizon(store: Store) -> None:
    started = time.time()  # the budget's clock is the wall clock
    delay, granted = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 1000)
    assert 10 <= granted <= 11 and -0.01 <= delay <= 0.01  # slots 0, 10 ms, ... 100 ms ahead
    delay, more = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 1000)
    passed = time.time() - started
    # The next free slot is after those just granted: 0.1 s after the first call, less the time
    # that passed since (however loaded the host), and only the slots that time freed are granted.
    assert more <= passed / 0.01 + 1 and delay >= 0.1 - passed - 0.01
    _, other = await store.reserve_sends("whatsapp:2", 0.01, 0.1, 5)
    assert other == 5  # each number has its own budget


async def test_observed_messages_use_slots_up_first(store: Store) -> None:
    started = time.time()
    delay, granted = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 5, observed=50)
    assert granted == 0 and delay >= 0.49  # fifty inbound messages took half a second of the budget
    delay, granted = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 5)
    # the same half second, less the time that passed between the calls (a loaded host's too)
    assert granted == 0 and delay >= 0.49 - (time.time() - started)


async def test_slots_a_dead_worker_held_are_free_again_past_the_horizon(store: Store) -> None:
    _, granted = await store.reserve_sends("whatsapp:1", 0.001, 0.02, 10_000)  # then the worker "dies"
    assert granted >= 20
    for _ in range(10_000):  # the store's clock must move past the horizon; nothing is timed here
        _, granted = await store.reserve_sends("whatsapp:1", 0.001, 0.02, 1)
        if granted:
            break
    assert granted == 1


async def test_workers_share_one_budget(store: Store, twin: Callable[[], Store]) -> None:
    if not isinstance(store, PostgresStore):
        return  # SQLite serves one process: its budgets are that process's
    other = twin()
    await other.open()
    try:
        started = time.time()
        _, first = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 1000)
        delay, second = await other.reserve_sends("whatsapp:1", 0.01, 0.1, 1000)
        passed = time.time() - started
        # as above: the other worker finds the first one's slots taken
        assert first >= 10 and second <= passed / 0.01 + 1 and delay >= 0.1 - passed - 0.01
    finally:
        await other.close()
