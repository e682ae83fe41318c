"""Provider event dedup, the shared key-value store with expiry, and leases between workers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from chatshop.store.base import Store
from chatshop.store.codec import utcnow


async def test_a_provider_event_is_recorded_once(store: Store) -> None:
    assert await store.record_event("razorpay", "evt_1") is True
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
