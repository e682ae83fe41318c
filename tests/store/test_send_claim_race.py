"""PostgreSQL: a claim racing the holder's last "sent" record never hands out the reply just sent.

The holder records its send and gives the send lease back in one transaction. A claim that began
before that commit waits on the lease row, then takes the lease; it must read the outbox as the
holder left it, not as it was when the claim began, or the reply goes out twice.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from chatshop.store.codec import utcnow
from chatshop.store.postgres import PostgresStore

from .helpers import message, reply

KEY = "terminal:asha"


@pytest.fixture
def store(postgres_store: PostgresStore) -> PostgresStore:
    """PostgreSQL only: one process owns a SQLite file, and its leases and sends are serial in it."""
    return postgres_store


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


async def test_a_turn_claim_waiting_on_the_holders_release_sees_the_turn_it_committed(store: PostgresStore) -> None:
    await store.add_inbound(message("asha", "one"))
    await store.add_inbound(message("asha", "two"))
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "holder", 30)
    assert held and item is not None and record is not None and item.inbound.text == "one"
    holder = await asyncpg.connect(store.url)
    try:
        # the holder commits its turn on "one" and gives the lease back (as if "two" were not there
        # yet for it), in one transaction
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("UPDATE inbox SET handled_at = now() WHERE id = $1", item.id)
        await holder.execute(
            "UPDATE conversations SET state = '{\"seen\": 1}', version = version + 1 WHERE customer_key = $1", KEY
        )
        await holder.execute("DELETE FROM leases WHERE name = 'turns:asha'")
        claim = asyncio.ensure_future(store.claim_inbound(KEY, "turns:asha", "claimer", 30))
        await asyncio.sleep(0.3)
        assert not claim.done()
        await transaction.commit()
        held, item, record = await asyncio.wait_for(claim, 10)
    finally:
        await holder.close()
    # "one" is not handled again, and "two" continues the conversation the holder left
    assert held and item is not None and item.inbound.text == "two"
    assert record is not None and record.state == {"seen": 1} and record.version == 1
