"""Send budgets: one rate for every worker, slots handed out a little ahead and never more."""

from __future__ import annotations

from collections.abc import Callable

from chatshop.store.base import Store
from chatshop.store.postgres import PostgresStore


async def test_slots_are_granted_only_up_to_the_horizon(store: Store) -> None:
    delay, granted = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 1000)
    assert 10 <= granted <= 11 and -0.01 <= delay <= 0.01  # slots 0, 10 ms, ... 100 ms ahead
    delay, more = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 1000)
    # The next free slot is after those just granted: ~0.1 s ahead, less whatever time passed
    # between the two calls (up to 50 ms allowed for a loaded host; the slots are 10 ms apart).
    assert more <= 5 and delay >= 0.05
    _, other = await store.reserve_sends("whatsapp:2", 0.01, 0.1, 5)
    assert other == 5  # each number has its own budget


async def test_observed_messages_use_slots_up_first(store: Store) -> None:
    delay, granted = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 5, observed=50)
    assert granted == 0 and delay >= 0.49  # fifty inbound messages took half a second of the budget
    delay, granted = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 5)
    assert granted == 0 and delay >= 0.48


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
        _, first = await store.reserve_sends("whatsapp:1", 0.01, 0.1, 1000)
        delay, second = await other.reserve_sends("whatsapp:1", 0.01, 0.1, 1000)
        assert first >= 10 and second <= 5 and delay >= 0.05  # as above: up to 50 ms between calls
    finally:
        await other.close()
