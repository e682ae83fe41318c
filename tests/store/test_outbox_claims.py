"""A claim with nothing due takes no send lease, and no due reply is ever left without a sender.

A sender woken by a release that said "wanted" often finds the reply that asked already sent (two
workers answering one customer), so a claim takes the lease only when something is due; a reply
committed after it looked takes the free lease with its own turn, or marks the holder's as wanted.
These tests (from an adversarial review) race claims against each other, against retries falling
due between two claimers' clocks, and, on PostgreSQL, two workers' whole send loops.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from chatshop.store.base import OutboxItem
from chatshop.store.codec import utcnow
from chatshop.store.postgres import PostgresStore
from chatshop.store.sqlite import SQLiteStore

from .helpers import reply

KEY = "terminal:asha"
LEASE = "send:terminal:asha"
Claimed = tuple[bool, list[OutboxItem]]


class Interleaved(SQLiteStore):
    """The base default of claim_outbox, with another claimer's step landing at its ``at``-th look
    at the outbox, as it would on a store shared by workers."""

    meanwhile: Callable[[], Awaitable[None]] | None = None
    at = 1

    async def pending_outbox(self, customer_key: str, now: datetime) -> list[OutboxItem]:
        self.at -= 1
        if self.at == 0 and self.meanwhile is not None:
            await self.meanwhile()
        return await super().pending_outbox(customer_key, now)


@pytest.mark.parametrize(("at", "a_is_later"), [(1, False), (2, True)])
async def test_a_retry_falling_due_between_two_claimers_clocks_gets_one_sender(
    tmp_path: Path, at: int, a_is_later: bool
) -> None:
    store = Interleaved(tmp_path / "shop.db")
    await store.open()
    try:
        (item,) = await store.enqueue(KEY, [reply("your order shipped")])
        earlier = utcnow()
        retry_at = earlier + timedelta(milliseconds=50)
        await store.mark_retry(item.id, retry_at, "429: throttled")
        later = retry_at + timedelta(milliseconds=1)
        now_a, now_b = (later, earlier) if a_is_later else (earlier, later)
        got_b: list[Claimed] = []

        async def b_claims() -> None:  # B's retry timer fired (or A's, on another worker)
            got_b.append(await store.claim_outbox(KEY, LEASE, "worker-b", 30, now_b))

        store.meanwhile, store.at = b_claims, at
        got_a = await store.claim_outbox(KEY, LEASE, "worker-a", 30, now_a)
        holders = [claimed for claimed in (got_a, *got_b) if claimed[0]]
        assert len(holders) == 1, (got_a, got_b)  # one sender, not none (the reply would wait for the sweeper)
        assert [i.id for i in holders[0][1]] == [item.id]
    finally:
        await store.close()


class Sender:
    """core/outbox.py's send loop for one customer against a store: a kick during a run runs it
    once more, a refused send is retried on a timer, a release that says "wanted" kicks."""

    def __init__(self, name: str, store: PostgresStore, sent: list[int], chance: random.Random) -> None:
        self.name, self.store, self.sent, self.chance = name, store, sent, chance
        self.task: asyncio.Task[None] | None = None
        self.again = False
        self.timers: set[asyncio.Task[None]] = set()
        self.refusing = True

    def kick(self) -> None:
        if self.task is not None and not self.task.done():
            self.again = True
            return
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            self.again = False
            await self._send_pending()
            if not self.again:
                return

    def _later(self, delay: float) -> None:
        async def fire() -> None:
            await asyncio.sleep(delay)
            self.kick()

        timer = asyncio.ensure_future(fire())
        self.timers.add(timer)
        timer.add_done_callback(self.timers.discard)

    async def _send_pending(self) -> None:
        store = self.store
        held, items = await store.claim_outbox(KEY, LEASE, self.name, 30, utcnow())
        if not held:
            return
        released = wanted = False
        try:
            while items:
                unrecorded = None
                for item in items:
                    if unrecorded is not None:
                        await store.mark_sent(unrecorded, None)
                        unrecorded = None
                    await asyncio.sleep(self.chance.random() * 0.003)  # the messenger answering
                    if self.refusing and self.chance.random() < 0.1:
                        delay = self.chance.random() * 0.05
                        await store.mark_retry(item.id, utcnow() + timedelta(seconds=delay), "429")
                        self._later(delay)
                        return
                    self.sent.append(item.id)
                    unrecorded = item.id
                if unrecorded is not None:
                    items, wanted = await store.sent_then_pending_or_release(
                        unrecorded, None, KEY, LEASE, self.name, utcnow()
                    )
                else:
                    items, wanted = await store.pending_outbox_or_release(KEY, LEASE, self.name, utcnow())
                released = not items
        finally:
            if not released:
                wanted = await store.release_lease(LEASE, self.name)
            if wanted:
                self.kick()

    async def settled(self) -> None:
        while self.timers or (self.task is not None and not self.task.done()):
            await asyncio.gather(*self.timers, *([self.task] if self.task else []), return_exceptions=True)


@pytest.mark.parametrize("seed", [54, 1, 2])
async def test_two_workers_queueing_and_kicking_send_every_reply_once(
    seed: int, two_postgres_workers: tuple[PostgresStore, PostgresStore]
) -> None:
    two_workers = two_postgres_workers
    chance = random.Random(seed)
    sent: list[int] = []
    senders = [Sender("worker-a", two_workers[0], sent, chance), Sender("worker-b", two_workers[1], sent, chance)]
    queued: list[int] = []
    for _ in range(300):
        sender = chance.choice(senders)
        (item,) = await sender.store.enqueue(KEY, [reply("x")])  # a notify(): queued, then a kick
        queued.append(item.id)
        sender.kick()
        await asyncio.sleep(chance.random() * 0.004)
    for sender in senders:
        sender.refusing = False
    await asyncio.wait_for(asyncio.gather(*(sender.settled() for sender in senders)), 30)
    unsent = [i.id for i in await two_workers[0].pending_outbox(KEY, utcnow() + timedelta(days=1))]
    assert unsent == [], f"{len(unsent)} replies left with no sender at work and no retry due"
    assert sorted(sent) == sorted(set(sent)) == sorted(queued)  # each once, none twice
