"""Batches on PostgreSQL against locks, other workers, cancellation and shutdown (found by review).

A long transaction holding one customer's row (a purge, an erasure, a staff action) must not hold
up the other customers' messages; two workers' batches must not deadlock each other or a
redelivered webhook; a turn cancelled at shutdown must not commit after its lease went back; and
the store must close while a batch of cancelled callers is still on its way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from chatshop.costs import SentCount
from chatshop.store.base import StaleConversation
from chatshop.store.codec import utcnow
from chatshop.store.postgres import PostgresStore

from .conftest import _empty
from .helpers import message, reply


class RowLock:
    """A side transaction holding a row lock, as another session (a long transaction) would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.db: asyncpg.Connection | None = None
        self.tx: Any = None

    async def take(self, sql: str, *args: object) -> RowLock:
        self.db = await asyncpg.connect(self.url)
        self.tx = self.db.transaction()
        await self.tx.start()
        await self.db.execute(sql, *args)
        return self

    async def let_go(self) -> None:
        assert self.db is not None and self.tx is not None
        await self.tx.commit()
        await self.db.close()
        self.db = None


Take = Callable[..., Awaitable[RowLock]]


@pytest.fixture
async def row_locks() -> AsyncIterator[Take]:
    """``await take(url, sql, *args)``: a RowLock that is let go at the latest when the test ends,
    so a test failing while it holds one fails rather than hangs its store's teardown. Listed
    after the store fixtures, so it ends before they close."""
    held: list[RowLock] = []

    async def take(url: str, sql: str, *args: object) -> RowLock:
        lock = RowLock(url)
        held.append(lock)
        return await lock.take(sql, *args)

    yield take
    for lock in held:
        if lock.db is not None:
            await lock.db.close()  # rolls back: what waited on the row goes on


async def waiting_on_locks(url: str, at_least: int) -> None:
    """Wait until at least ``at_least`` sessions of this database wait for a lock."""
    db = await asyncpg.connect(url)
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + 5.0
        while True:
            waiting = await db.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if waiting >= at_least:
                return
            if loop.time() > end:
                raise AssertionError(f"only {waiting} sessions wait for a lock")
            await asyncio.sleep(0.02)
    finally:
        await db.close()


@pytest.fixture
def pg(postgres_store: PostgresStore) -> PostgresStore:
    return postgres_store


@pytest.fixture
def pg2(two_postgres_workers: tuple[PostgresStore, PostgresStore]) -> PostgresStore:
    """A second worker's store on the same database."""
    return two_postgres_workers[1]


async def test_a_locked_customer_does_not_hold_up_the_others(pg: PostgresStore, row_locks: Take) -> None:
    added, claim = await pg.receive(message("asha", "hi"), "turns:terminal:asha", "w1", 30)
    assert added and claim is not None and claim[1] is not None
    await pg.commit_turn("terminal:asha", claim[1].id, {"cart": 1}, 0, [])
    await pg.release_lease("turns:terminal:asha", "w1")
    purge = await row_locks(pg.url, "SELECT 1 FROM conversations WHERE customer_key = 'terminal:asha' FOR UPDATE")
    asha = asyncio.create_task(pg.receive(message("asha", "back again"), "turns:terminal:asha", "w1", 30))
    await waiting_on_locks(pg.url, 1)
    try:
        added, _ = await asyncio.wait_for(
            pg.receive(message("ravi", "namaste"), "turns:terminal:ravi", "w1", 30), timeout=3
        )
        assert added
    except TimeoutError:
        pytest.fail("ravi's message waited for asha's locked row")
    finally:
        await purge.let_go()
        await asha


async def test_a_locked_turn_commit_does_not_hold_up_other_customers_commits(
    pg: PostgresStore, row_locks: Take
) -> None:
    claims = {}
    for name in ("asha", "ravi"):
        added, claim = await pg.receive(message(name, "hi"), f"turns:terminal:{name}", "w1", 30)
        assert added and claim is not None and claim[1] is not None and claim[2] is not None
        claims[name] = claim

    def finish(name: str):
        _, item, record = claims[name]
        return pg.finish_turn(
            f"terminal:{name}",
            item.id,
            {"n": 1},
            record.version,
            [],
            f"turns:terminal:{name}",
            "w1",
            f"send:terminal:{name}",
            "w1#0",
            30,
        )

    staff = await row_locks(pg.url, "SELECT 1 FROM conversations WHERE customer_key = 'terminal:asha' FOR UPDATE")
    asha = asyncio.create_task(finish("asha"))
    await waiting_on_locks(pg.url, 1)
    try:
        await asyncio.wait_for(finish("ravi"), timeout=3)
    except TimeoutError:
        pytest.fail("ravi's turn commit waited for asha's locked row")
    finally:
        await staff.let_go()
        await asha


async def test_a_duplicate_delivery_does_not_deadlock_with_a_batch(
    pg: PostgresStore, pg2: PostgresStore, row_locks: Take
) -> None:
    url = pg.url
    # asha and zed have conversations and a lease row each (as after an earlier turn)
    for name in ("asha", "zed"):
        added, claim = await pg.receive(message(name, "earlier"), f"turns:terminal:{name}", "w0", 30)
        assert added and claim is not None and claim[1] is not None
        await pg.commit_turn(f"terminal:{name}", claim[1].id, {}, 0, [])
    # a leader in flight on worker 1 (held up on zed's conversation), so asha's two messages queue
    # behind it and go together once it returns (patient: they would otherwise go on their own)
    pg._receives._patience = 10.0
    hold_zed = await row_locks(url, "SELECT 1 FROM conversations WHERE customer_key = 'terminal:zed' FOR UPDATE")
    leader = asyncio.create_task(pg.receive(message("zed", "hello"), "turns:terminal:zed", "w1", 30))
    await waiting_on_locks(url, 1)
    m1, m2 = message("asha", "hi"), message("asha", "milk")
    first = asyncio.create_task(pg.receive(m1, "turns:terminal:asha", "w1", 30))
    second = asyncio.create_task(pg.receive(m2, "turns:terminal:asha", "w1", 30))
    await asyncio.sleep(0.05)
    # another session briefly holds asha's turn lease row (a worker renewing or releasing it)
    hold_lease = await row_locks(url, "SELECT 1 FROM leases WHERE name = 'turns:terminal:asha' FOR UPDATE")
    await hold_zed.let_go()
    await leader
    await waiting_on_locks(url, 1)  # the batch [m1, m2]: m1 holds asha's conversation, waits for the lease row
    again = asyncio.create_task(pg2.receive(m2, "turns:terminal:asha", "w2", 30))  # Meta's retry of m2
    await waiting_on_locks(url, 2)
    await hold_lease.let_go()
    results = await asyncio.gather(first, second, again, return_exceptions=True)
    failures = {
        who: r
        for who, r in zip(("m1 (batch)", "m2 (batch)", "m2 again (worker 2)"), results, strict=True)
        if isinstance(r, BaseException)
    }
    assert failures == {}, f"receives failed: {failures!r}"


async def _one_pending(store: PostgresStore, name: str, owner: str) -> int:
    key = f"terminal:{name}"
    (item,) = await store.enqueue(key, [reply(f"hello {name}")])
    held, items = await store.claim_outbox(key, f"send:{key}", owner, 30, utcnow())
    assert held and [i.id for i in items] == [item.id]
    return item.id


async def test_two_workers_sent_batches_do_not_deadlock(pg: PostgresStore, pg2: PostgresStore, row_locks: Take) -> None:
    url = pg.url
    day = utcnow().date()
    ids = {}
    for name, store, owner in (
        ("l1", pg, "w1"),
        ("a1", pg, "w1"),
        ("a2", pg, "w1"),
        ("l2", pg2, "w2"),
        ("b1", pg2, "w2"),
        ("b2", pg2, "w2"),
    ):
        ids[name] = await _one_pending(store, name, owner)

    def sent(store: PostgresStore, name: str, owner: str, billing: str):
        key = f"terminal:{name}"
        return asyncio.create_task(
            store.sent_then_pending_or_release(
                ids[name],
                f"wamid.{name}",
                key,
                f"send:{key}",
                owner,
                utcnow(),
                SentCount(day, "terminal", billing, None),
            )
        )

    row = "SELECT 1 FROM outbox WHERE id = $1 FOR UPDATE"
    pg._sents._patience = pg2._sents._patience = 10.0  # queued sends wait for their leader: one batch
    # worker 1: a leader in flight (held up by a lock), a1 and a2 queue behind it: one batch
    hold_l1 = await row_locks(url, row, ids["l1"])
    hold_a2 = await row_locks(url, row, ids["a2"])
    l1 = sent(pg, "l1", "w1", "free")
    await waiting_on_locks(url, 1)
    a1, a2 = sent(pg, "a1", "w1", "service"), sent(pg, "a2", "w1", "utility")
    await asyncio.sleep(0.05)
    await hold_l1.let_go()
    await l1
    await waiting_on_locks(url, 1)  # the batch [a1, a2]: a1 done (holds the 'service' counter), a2 waits
    # worker 2 likewise: its batch [b1, b2]: b1 takes the 'utility' counter, b2 waits for 'service'
    hold_l2 = await row_locks(url, row, ids["l2"])
    l2 = sent(pg2, "l2", "w2", "free")
    await waiting_on_locks(url, 2)
    b1, b2 = sent(pg2, "b1", "w2", "utility"), sent(pg2, "b2", "w2", "service")
    await asyncio.sleep(0.05)
    await hold_l2.let_go()
    await l2
    await asyncio.sleep(0.3)  # worker 2's batch: b1 holds 'utility'; before the fix b2 waited for 'service'
    await hold_a2.let_go()  # a2 goes on to the 'utility' counter: a cycle
    results = await asyncio.gather(a1, a2, b1, b2, return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert pg._sents.calls - pg._sents.batches >= 1 and pg2._sents.calls - pg2._sents.batches >= 1
    pending = await pg.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE id = ANY($1::bigint[]) AND status = 'pending'",
        [ids[n] for n in ("a1", "a2", "b1", "b2")],
    )
    # the replies were handed to the channel; their records rolled back, so they go out again
    assert failures == [] and pending == 0, f"send records failed: {failures!r}; still pending: {pending}"


async def test_a_cancelled_turn_commit_does_not_land_after_its_lease_went_back(
    pg: PostgresStore, pg2: PostgresStore, row_locks: Take
) -> None:
    claims = {}
    for name in ("asha", "zed"):
        added, claim = await pg.receive(message(name, "hi"), f"turns:terminal:{name}", "w1", 30)
        assert added and claim is not None and claim[1] is not None and claim[2] is not None
        claims[name] = claim

    def finish(store: PostgresStore, name: str, owner: str, state: dict, claim=None):
        _, item, record = claim or claims[name]
        return store.finish_turn(
            f"terminal:{name}",
            item.id,
            state,
            record.version,
            [reply(f"from {owner}")],
            f"turns:terminal:{name}",
            owner,
            f"send:terminal:{name}",
            f"{owner}#0",
            30,
        )

    pg._finishes._patience = 10.0  # asha's commit waits behind zed's, as in a batch
    hold_zed = await row_locks(pg.url, "SELECT 1 FROM conversations WHERE customer_key = 'terminal:zed' FOR UPDATE")
    zed = asyncio.create_task(finish(pg, "zed", "w1", {}))
    await waiting_on_locks(pg.url, 1)
    asha = asyncio.create_task(finish(pg, "asha", "w1", {"by": "w1"}))
    await asyncio.sleep(0.05)
    asha.cancel()  # shutdown: the turn is cancelled
    with pytest.raises(asyncio.CancelledError):
        await asha
    await pg.release_lease("turns:terminal:asha", "w1")  # _drain_inbox's finally
    claim2 = await pg2.claim_inbound("terminal:asha", "turns:terminal:asha", "w2", 30)
    assert claim2[0] and claim2[1] is not None  # worker 2 now holds asha's turn, on the same message
    await hold_zed.let_go()
    await zed
    await asyncio.sleep(0.2)  # the queued commit of the cancelled turn runs now
    try:
        await finish(pg2, "asha", "w2", {"by": "w2"}, claim2)
    except StaleConversation:
        pytest.fail("worker 2 held the lease, yet the cancelled turn of worker 1 committed the message")


async def test_close_returns_while_a_cancelled_batch_is_in_flight(postgres_url: str, row_locks: Take) -> None:
    store = PostgresStore(postgres_url)
    await store.open()
    await _empty(postgres_url)
    claims = {}
    for name in ("asha", "ravi", "zed"):
        added, claim = await store.receive(message(name, "hi"), f"turns:terminal:{name}", "w1", 30)
        assert added and claim is not None and claim[1] is not None and claim[2] is not None
        claims[name] = claim

    def finish(name: str):
        _, item, record = claims[name]
        return store.finish_turn(
            f"terminal:{name}",
            item.id,
            {},
            record.version,
            [reply("x")],
            f"turns:terminal:{name}",
            "w1",
            f"send:terminal:{name}",
            "w1#0",
            30,
        )

    zed = asyncio.create_task(finish("zed"))  # the leader, in flight
    await asyncio.sleep(0)
    lock = await row_locks(postgres_url, "SELECT 1 FROM conversations WHERE customer_key = 'terminal:ravi' FOR UPDATE")
    turns = [asyncio.create_task(finish(name)) for name in ("asha", "ravi")]  # queued: one batch
    await zed
    await waiting_on_locks(postgres_url, 1)  # the batch [asha, ravi] is in flight, ravi waits
    for task in turns:  # Shop.stop(): SerialRunner.close() cancels the turns
        task.cancel()
    await asyncio.gather(*turns, return_exceptions=True)

    async def let_go_later() -> None:
        await asyncio.sleep(0.5)
        await lock.let_go()

    letting_go = asyncio.create_task(let_go_later())
    try:
        await asyncio.wait_for(asyncio.shield(store.close()), timeout=5)
    except TimeoutError:
        pytest.fail(f"store.close() hung: {len(store._idle)} connection(s) parked in _idle after close began")
    finally:
        await letting_go
