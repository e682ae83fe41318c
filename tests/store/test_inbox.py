"""The inbox keeps every accepted message once, per customer in arrival order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from chatshop.store.base import StaleConversation, Store
from chatshop.store.codec import utcnow

from .helpers import message, reply


async def test_a_message_is_recorded_once(store: Store) -> None:
    first = message("asha", "hi", "wamid.1")
    assert await store.add_inbound(first) is True
    assert await store.add_inbound(first) is False
    assert await store.add_inbound(message("asha", "hi again", "wamid.1")) is False
    item = await store.next_inbound("terminal:asha")
    assert item is not None and item.inbound.text == "hi"
    await store.commit_turn("terminal:asha", item.id, {}, 0, [])
    assert await store.next_inbound("terminal:asha") is None


async def test_the_same_id_on_two_channels_is_two_messages(store: Store) -> None:
    assert await store.add_inbound(message("asha", "hi", "m-1"))
    other = message("asha", "hi", "m-1").model_copy(update={"channel": "whatsapp"})
    assert await store.add_inbound(other)


async def test_messages_come_back_per_customer_in_arrival_order(store: Store) -> None:
    for text in ["one", "two", "three"]:
        await store.add_inbound(message("asha", text))
        await store.add_inbound(message("ravi", text.upper()))
    await store.add_inbound(message("meera", "late"))
    assert await store.customers_with_pending_inbound() == ["terminal:asha", "terminal:ravi", "terminal:meera"]
    seen = []
    version = (await store.load_conversation("terminal:asha")).version
    while (item := await store.next_inbound("terminal:asha")) is not None:
        seen.append(item.inbound.text)
        await store.commit_turn("terminal:asha", item.id, {"n": len(seen)}, version, [])
        version += 1
    assert seen == ["one", "two", "three"]
    assert await store.customers_with_pending_inbound() == ["terminal:ravi", "terminal:meera"]
    ravi = await store.next_inbound("terminal:ravi")
    assert ravi is not None and ravi.inbound.text == "ONE"


async def test_a_turn_commits_state_replies_and_the_handled_mark_together(store: Store) -> None:
    await store.add_inbound(message("asha", "hi"))
    item = await store.next_inbound("terminal:asha")
    assert item is not None
    record = await store.load_conversation("terminal:asha")
    queued = await store.commit_turn(
        "terminal:asha", item.id, {"step": "menu"}, record.version, [reply("Welcome"), reply("Menu")]
    )
    assert [q.message for q in queued] == [reply("Welcome"), reply("Menu")]
    after = await store.load_conversation("terminal:asha")
    assert after.state == {"step": "menu"} and after.version == record.version + 1
    assert await store.next_inbound("terminal:asha") is None
    pending = await store.pending_outbox("terminal:asha", utcnow())
    assert [p.message for p in pending] == [reply("Welcome"), reply("Menu")]


async def test_a_stale_turn_changes_nothing(store: Store) -> None:
    await store.add_inbound(message("asha", "hi"))
    item = await store.next_inbound("terminal:asha")
    assert item is not None
    record = await store.load_conversation("terminal:asha")
    await store.commit_turn("terminal:asha", None, {"step": "other worker"}, record.version, [])
    with pytest.raises(StaleConversation):
        await store.commit_turn("terminal:asha", item.id, {"step": "late"}, record.version, [reply("late")])
    after = await store.load_conversation("terminal:asha")
    assert after.state == {"step": "other worker"}
    assert await store.next_inbound("terminal:asha") == item  # still to be handled
    assert await store.pending_outbox("terminal:asha", utcnow()) == []


async def test_a_new_customer_without_inbox_row_can_commit_once(store: Store) -> None:
    await store.commit_turn("terminal:new", None, {"a": 1}, 0, [])
    with pytest.raises(StaleConversation):
        await store.commit_turn("terminal:new", None, {"a": 2}, 0, [])
    assert (await store.load_conversation("terminal:new")).state == {"a": 1}


async def test_an_unknown_customer_has_an_empty_conversation(store: Store) -> None:
    record = await store.load_conversation("terminal:nobody")
    assert record.state == {} and record.version == 0


async def test_migrations_are_idempotent(store: Store, twin: Callable[[], Store]) -> None:
    version = await store.schema_version()
    assert version >= 1
    await store.add_inbound(message("asha", "kept"))
    again = twin()
    await again.open()
    try:
        await again.open()  # opening (and migrating) twice is harmless
        assert await again.schema_version() == version
        item = await again.next_inbound("terminal:asha")
        assert item is not None and item.inbound.text == "kept"
    finally:
        await again.close()


async def test_a_burst_of_messages_is_recorded_together_each_once(store: Store) -> None:
    burst = [message(f"c{i % 7}", f"m{i}", f"burst-{i % 40}") for i in range(60)]  # 20 repeats
    added = await asyncio.gather(*(store.add_inbound(m) for m in burst))
    assert sum(added) == 40
    assert len(await store.customers_with_pending_inbound()) == 7
