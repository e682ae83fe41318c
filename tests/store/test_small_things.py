"""Provider event dedup, the shared key-value store with expiry, and leases between workers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from chatshop.store.base import StaleConversation, Store
from chatshop.store.codec import utcnow

from .helpers import message, reply


async def test_a_provider_event_is_recorded_once(store: Store) -> None:
    assert await store.event_seen("razorpay", "evt_1") is False
    assert await store.record_event("razorpay", "evt_1") is True
    assert await store.event_seen("razorpay", "evt_1") is True
    assert await store.event_seen("stripe", "evt_1") is False
    assert await store.record_event("razorpay", "evt_1") is False
    assert await store.record_event("stripe", "evt_1") is True


async def test_kv_values_expire(store: Store) -> None:
    now = utcnow()
    await store.kv_set("token", "abc", expires_at=now + timedelta(minutes=5))
    await store.kv_set("forever", "x")
    assert await store.kv_get("token", now) == "abc"
    assert await store.kv_get("token", now + timedelta(minutes=6)) is None
    assert await store.kv_get("forever", now + timedelta(days=999)) == "x"
    assert await store.kv_get("missing", now) is None
    await store.kv_set("token", "def", expires_at=now + timedelta(minutes=10))
    assert await store.kv_get("token", now + timedelta(minutes=6)) == "def"


async def test_a_lease_has_one_holder_and_tells_it_who_asked(store: Store) -> None:
    assert await store.acquire_lease("turns:asha", "worker-a", 30) is True
    assert await store.acquire_lease("turns:asha", "worker-a", 30) is True  # renewing
    assert await store.acquire_lease("turns:asha", "worker-b", 30) is False
    assert await store.acquire_lease("turns:ravi", "worker-b", 30) is True
    assert await store.release_lease("turns:asha", "worker-b") is False  # not its lease
    assert await store.release_lease("turns:asha", "worker-a") is True  # b asked meanwhile
    assert await store.acquire_lease("turns:asha", "worker-b", 30) is True
    assert await store.release_lease("turns:asha", "worker-b") is False  # nobody asked


async def test_a_lease_lapses_when_its_holder_stops_renewing_it(store: Store) -> None:
    assert await store.acquire_lease("send:asha", "dead-worker", 0.05) is True
    await asyncio.sleep(0.1)
    assert await store.acquire_lease("send:asha", "worker-b", 30) is True
    assert await store.acquire_lease("send:asha", "dead-worker", 30) is False
    assert await store.release_lease("send:asha", "dead-worker") is False
    assert await store.release_lease("send:asha", "worker-b") is True


async def test_abandoned_carts_are_idle_conversations_with_lines(store: Store) -> None:
    cart = {"cart": {"lines": [{"product_id": "ghee", "quantity": 1}]}}
    await store.commit_turn("terminal:idle", None, cart, 0, [])
    await store.commit_turn("terminal:empty", None, {"cart": {"lines": []}}, 0, [])
    await store.commit_turn("terminal:nocart", None, {"step": "menu"}, 0, [])
    later = utcnow() + timedelta(minutes=1)
    assert await store.abandoned_carts(later) == 1
    assert await store.abandoned_carts(utcnow() - timedelta(minutes=1)) == 0
    assert await store.abandoned_carts(later, since=later) == 0


async def test_purge_forgets_old_handled_messages_finished_replies_and_expired_values(store: Store) -> None:
    await store.add_inbound(message("asha", "old", "m-old"))
    item = await store.next_inbound("terminal:asha")
    assert item is not None
    (sent, waiting) = await store.commit_turn("terminal:asha", item.id, {}, 0, [reply("sent"), reply("waiting")])
    await store.mark_sent(sent.id, "wamid.1")
    await store.add_inbound(message("asha", "unhandled", "m-new"))
    await store.kv_set("gone", "x", expires_at=utcnow() - timedelta(seconds=1))
    await store.kv_set("kept", "y")
    await store.record_event("razorpay", "evt_old")
    later = utcnow() + timedelta(seconds=1)
    deleted = await store.purge(utcnow(), later)
    assert deleted == 4  # the handled message, the sent reply, the expired value, the old event
    pending = await store.next_inbound("terminal:asha")
    assert pending is not None and pending.inbound.text == "unhandled"  # never purged unhandled
    assert [p.id for p in await store.pending_outbox("terminal:asha", utcnow())] == [waiting.id]
    assert await store.kv_get("kept", utcnow()) == "y"
    assert await store.record_event("razorpay", "evt_old") is True  # forgotten after retention


async def test_two_workers_committing_the_same_turn_one_wins(store: Store, twin: Callable[[], Store]) -> None:
    await store.add_inbound(message("asha", "hi"))
    other = twin()
    await other.open()
    try:
        attempts = [
            s.commit_turn("terminal:asha", None, {"by": n}, 0, [reply(f"from {n}")])
            for n, s in enumerate([store, other] * 5)
        ]
        results = await asyncio.gather(*attempts, return_exceptions=True)
    finally:
        await other.close()
    assert sum(isinstance(r, list) for r in results) == 1
    assert all(isinstance(r, StaleConversation) for r in results if not isinstance(r, list))
    assert len(await store.pending_outbox("terminal:asha", utcnow())) == 1
