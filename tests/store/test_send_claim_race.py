"""PostgreSQL: a claim racing the holder's last "sent" record never hands out the reply just sent.

The holder records its send and gives the send lease back in one transaction. A claim that began
before that commit waits on the lease row, then takes the lease; it must read the outbox as the
holder left it, not as it was when the claim began, or the reply goes out twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from chatshop.store.codec import utcnow
from chatshop.store.postgres import PostgresStore

from .conftest import _empty as empty
from .helpers import reply

KEY = "terminal:asha"


@pytest.fixture
async def store(postgres_url: str) -> AsyncIterator[PostgresStore]:
    """PostgreSQL only: one process owns a SQLite file, and its leases and sends are serial in it."""
    await empty(postgres_url)
    opened = PostgresStore(postgres_url)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


async def test_a_claim_waiting_on_the_holders_release_sees_what_it_sent(store: PostgresStore) -> None:
    (first,) = await store.enqueue(KEY, [reply("one")])
    held, items = await store.claim_outbox(KEY, "send:asha", "holder", 30, utcnow())
    assert held and [i.id for i in items] == [first.id]
    holder = await asyncpg.connect(store.url)
    try:
        # the holder sent "one" and is recording it, releasing the lease in the same transaction
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("UPDATE outbox SET status = 'sent', sent_at = now() WHERE id = $1", first.id)
        await holder.execute("DELETE FROM leases WHERE name = 'send:asha'")
        claim = asyncio.ensure_future(store.claim_outbox(KEY, "send:asha", "claimer", 30, utcnow()))
        await asyncio.sleep(0.3)  # the claim has begun and waits on the lease row
        assert not claim.done()
        await transaction.commit()
        held, items = await asyncio.wait_for(claim, 10)
    finally:
        await holder.close()
    assert held and items == []  # nothing is due: "one" went out already
