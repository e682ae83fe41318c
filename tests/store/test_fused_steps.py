"""The fused steps of the message path agree with the steps they stand for, on every store."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from chatshop.store.base import OutboxItem, StaleConversation, Store
from chatshop.store.codec import utcnow
from chatshop.store.sqlite import SQLiteStore

from .helpers import message, reply

KEY = "terminal:asha"


async def test_claiming_the_inbox_takes_the_lease_and_reads_message_and_conversation(store: Store) -> None:
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "w1", 30)
    assert held and item is None and record is None  # nothing to do yet, but the lease is ours
    assert await store.release_lease("turns:asha", "w1") is False
    await store.add_inbound(message("asha", "one"))
    await store.add_inbound(message("asha", "two"))
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "w1", 30)
    assert held and item is not None and item.inbound.text == "one"
    assert record is not None and record.version == 0 and record.state == {}
    other = await store.claim_inbound(KEY, "turns:asha", "w2", 30)
    assert other == (False, None, None)
    await store.commit_turn(KEY, item.id, {"seen": 1}, record.version, [])
    item, record, wanted = await store.next_inbound_or_release(KEY, "turns:asha", "w1")
    assert item is not None and item.inbound.text == "two"
    assert record is not None and record.state == {"seen": 1} and record.version == 1 and not wanted
    await store.commit_turn(KEY, item.id, {"seen": 2}, record.version, [])
    item, record, wanted = await store.next_inbound_or_release(KEY, "turns:asha", "w1")
    assert item is None and record is None and wanted is True  # w2 asked while w1 held it
    assert (await store.claim_inbound(KEY, "turns:asha", "w2", 30))[0] is True


async def test_claiming_the_outbox_reads_what_is_due_and_releases_when_nothing_is(store: Store) -> None:
    now = utcnow()
    assert await store.claim_outbox(KEY, "send:asha", "w1", 30, now) == (False, [])  # nothing due: not taken
    assert await store.acquire_lease("send:asha", "w0", 30)
    assert await store.release_lease("send:asha", "w0") is False  # nobody asked for it either
    first, _ = await store.enqueue(KEY, [reply("one"), reply("two")])
    held, items = await store.claim_outbox(KEY, "send:asha", "w1", 30, utcnow())
    assert held and [i.message for i in items] == [reply("one"), reply("two")]
    assert all(item.created_at is not None and item.created_at <= utcnow() for item in items)
    assert await store.claim_outbox(KEY, "send:asha", "w2", 30, utcnow()) == (False, [])
    await store.mark_retry(first.id, utcnow() + timedelta(minutes=5), "503")
    items, wanted = await store.pending_outbox_or_release(KEY, "send:asha", "w1", utcnow())
    assert items == [] and wanted is True  # the first waits for its retry: nothing is due
    assert await store.claim_outbox(KEY, "send:asha", "w3", 30, utcnow()) == (False, [])  # still waiting
    held, items = await store.claim_outbox(KEY, "send:asha", "w2", 30, utcnow() + timedelta(minutes=6))
    assert held and [i.message for i in items] == [reply("one"), reply("two")]
    items, wanted = await store.pending_outbox_or_release(KEY, "send:asha", "w2", utcnow() + timedelta(minutes=6))
    assert len(items) == 2 and wanted is False  # still due: the lease is kept
    for item in items:
        await store.mark_sent(item.id, None)
    assert await store.pending_outbox_or_release(KEY, "send:asha", "w2", utcnow()) == ([], False)
    assert await store.claim_outbox(KEY, "send:asha", "w3", 30, utcnow()) == (False, [])  # all sent
    assert await store.acquire_lease("send:asha", "w4", 30)  # and w3 left the lease free


async def test_committing_a_turn_reads_the_next_message_only_after_the_commit(store: Store) -> None:
    await store.add_inbound(message("asha", "one"))
    await store.add_inbound(message("asha", "two"))
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "w1", 30)
    assert held and item is not None and record is not None
    item, record, wanted = await store.commit_turn_then_next(
        KEY, item.id, {"seen": 1}, record.version, [reply("hello")], "turns:asha", "w1"
    )
    assert item is not None and item.inbound.text == "two" and not wanted
    assert record is not None and record.state == {"seen": 1} and record.version == 1  # the committed turn
    assert [i.message for i in await store.pending_outbox(KEY, utcnow())] == [reply("hello")]
    assert await store.claim_inbound(KEY, "turns:asha", "w2", 30) == (False, None, None)  # still held by w1
    item, record, wanted = await store.commit_turn_then_next(
        KEY, item.id, {"seen": 2}, record.version, [], "turns:asha", "w1"
    )
    assert item is None and record is None and wanted is True  # none left: released, and w2 had asked
    assert (await store.claim_inbound(KEY, "turns:asha", "w2", 30))[0] is True


async def test_a_stale_turn_commits_nothing_and_keeps_the_lease(store: Store) -> None:
    await store.add_inbound(message("asha", "one"))
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "w1", 30)
    assert held and item is not None and record is not None
    await store.commit_turn(KEY, None, {"elsewhere": True}, record.version, [])  # another worker won
    with pytest.raises(StaleConversation):
        await store.commit_turn_then_next(KEY, item.id, {"seen": 1}, record.version, [reply("x")], "turns:asha", "w1")
    assert (await store.load_conversation(KEY)).state == {"elsewhere": True}
    assert await store.pending_outbox(KEY, utcnow()) == []
    assert (await store.next_inbound(KEY)) is not None  # the message is still to be handled
    assert await store.claim_inbound(KEY, "turns:asha", "w2", 30) == (False, None, None)


async def test_recording_the_last_send_reads_what_was_queued_meanwhile(store: Store) -> None:
    first, second = await store.enqueue(KEY, [reply("one"), reply("two")])
    held, items = await store.claim_outbox(KEY, "send:asha", "w1", 30, utcnow())
    assert held and len(items) == 2
    await store.mark_sent(first.id, "wamid.1")
    await store.enqueue(KEY, [reply("three")])  # queued while "two" was being sent
    items, wanted = await store.sent_then_pending_or_release(second.id, "wamid.2", KEY, "send:asha", "w1", utcnow())
    assert [i.message for i in items] == [reply("three")] and wanted is False
    assert await store.claim_outbox(KEY, "send:asha", "w2", 30, utcnow()) == (False, [])
    items, wanted = await store.sent_then_pending_or_release(items[0].id, None, KEY, "send:asha", "w1", utcnow())
    assert items == [] and wanted is True  # nothing due: released, and w2 had asked
    assert await store.pending_outbox(KEY, utcnow()) == []
    assert await store.acquire_lease("send:asha", "w2", 30)  # released


async def test_a_claim_sees_turns_committed_after_the_message_was_recorded(store: Store) -> None:
    await store.add_inbound(message("asha", "one"))
    await store.add_inbound(message("asha", "two"))
    first = await store.next_inbound(KEY)
    assert first is not None
    await store.commit_turn(KEY, first.id, {"seen": 1}, 0, [])  # handled elsewhere, before the claim
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "w1", 30)
    assert held and item is not None and item.inbound.text == "two"
    assert record is not None and record.state == {"seen": 1} and record.version == 1


async def test_a_claim_takes_the_oldest_unhandled_message_not_the_newest(store: Store) -> None:
    await store.add_inbound(message("asha", "one"))
    await store.add_inbound(message("asha", "two"))
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "w1", 30)
    assert held and item is not None and item.inbound.text == "one"
    assert record is not None and record.version == 0 and record.last_inbound_at is not None


async def _turn_with_next(store: Store) -> tuple[int, int]:
    await store.add_inbound(message("asha", "one"))
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "w1", 30)
    assert held and item is not None and record is not None
    return item.id, record.version


async def test_finishing_a_turn_claims_its_replies_for_sending(store: Store) -> None:
    inbox_id, version = await _turn_with_next(store)
    finished = await store.finish_turn(
        KEY, inbox_id, {"seen": 1}, version, [reply("a"), reply("b")], "turns:asha", "w1", "send:asha", "t1", 30
    )
    assert finished.item is None and finished.record is None and finished.wanted is False
    assert finished.sends is not None and [i.message for i in finished.sends] == [reply("a"), reply("b")]
    assert all(item.created_at is not None for item in finished.sends)  # the sender ages them
    # held for the turn's own owner: no other sender (not even this worker's plain one) takes them
    assert await store.claim_outbox(KEY, "send:asha", "w1", 30, utcnow()) == (False, [])
    await store.mark_sent(finished.sends[0].id, "wamid.a")
    items, wanted = await store.sent_then_pending_or_release(
        finished.sends[1].id, "wamid.b", KEY, "send:asha", "t1", utcnow()
    )
    assert items == [] and wanted is True  # w1 asked while the hand-over held the lease
    assert await store.pending_outbox(KEY, utcnow()) == []


async def test_finishing_a_turn_leaves_replies_to_a_sender_that_is_at_work(store: Store) -> None:
    inbox_id, version = await _turn_with_next(store)
    assert await store.acquire_lease("send:asha", "w1", 30)  # a sender at work
    finished = await store.finish_turn(
        KEY, inbox_id, {"seen": 1}, version, [reply("a")], "turns:asha", "w1", "send:asha", "t1", 30
    )
    assert finished.sends is None and finished.send_wanted is False
    # the sender at work learns that someone asked, and finds the new reply
    items, wanted = await store.pending_outbox_or_release(KEY, "send:asha", "w1", utcnow())
    assert [i.message for i in items] == [reply("a")] and wanted is False
    await store.mark_sent(items[0].id, None)
    assert await store.pending_outbox_or_release(KEY, "send:asha", "w1", utcnow()) == ([], True)


async def test_finishing_a_turn_with_nothing_due_gives_the_send_lease_back(store: Store) -> None:
    inbox_id, version = await _turn_with_next(store)
    finished = await store.finish_turn(
        KEY, inbox_id, {"seen": 1}, version, [], "turns:asha", "w1", "send:asha", "t1", 30
    )
    assert finished.sends is None and finished.send_wanted is False
    assert await store.acquire_lease("send:asha", "w2", 30)  # the send lease is free


async def test_a_reply_waiting_for_its_retry_holds_back_the_turns_replies(store: Store) -> None:
    (waiting,) = await store.enqueue(KEY, [reply("earlier")])
    await store.mark_retry(waiting.id, utcnow() + timedelta(minutes=5), "503")
    await store.add_inbound(message("asha", "one"))
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "w1", 30)
    assert held and item is not None and record is not None
    # the customer wrote: a reply held back may go out now (the window reopened), in order
    finished = await store.finish_turn(
        KEY, item.id, {"seen": 1}, record.version, [reply("a")], "turns:asha", "w1", "send:asha", "t1", 30
    )
    assert finished.sends is not None and [i.message for i in finished.sends] == [reply("earlier"), reply("a")]


async def test_a_stale_finish_commits_nothing_and_leaves_the_send_lease_free(store: Store) -> None:
    inbox_id, version = await _turn_with_next(store)
    await store.commit_turn(KEY, None, {"elsewhere": True}, version, [])  # another worker won
    with pytest.raises(StaleConversation):
        await store.finish_turn(
            KEY, inbox_id, {"seen": 1}, version, [reply("x")], "turns:asha", "w1", "send:asha", "t1", 30
        )
    assert await store.pending_outbox(KEY, utcnow()) == []
    assert await store.acquire_lease("send:asha", "w2", 30)  # the send lease is free


class _ClaimFails(SQLiteStore):
    """The steps composed as a networked store composes them, with a claim that fails (a dropped
    connection) after the turn committed."""

    finish_turn = Store.finish_turn

    async def claim_outbox(
        self, customer_key: str, lease: str, owner: str, seconds: float, now: datetime
    ) -> tuple[bool, list[OutboxItem]]:
        raise ConnectionResetError("the connection dropped")


async def test_a_claim_failing_after_the_commit_leaves_the_turn_committed(tmp_path: Path) -> None:
    store = _ClaimFails(tmp_path / "shop.db")
    await store.open()
    try:
        inbox_id, version = await _turn_with_next(store)
        finished = await store.finish_turn(
            KEY, inbox_id, {"seen": 1}, version, [reply("a")], "turns:asha", "w1", "send:asha", "t1", 30
        )
        assert finished.sends is None and finished.send_wanted is True  # the sender looks itself
        assert (await store.load_conversation(KEY)).state == {"seen": 1}
        assert [i.message for i in await store.pending_outbox(KEY, utcnow())] == [reply("a")]
    finally:
        await store.close()


async def test_finishing_a_turn_keeps_the_hand_over_for_the_team_inbox(store: Store) -> None:
    """The message path's own commit (not only ``commit_turn``) writes the hand-over's column: the
    team inbox lists the conversation while a person has it, and an ended hand-over takes its
    assignee with it."""
    since = utcnow().replace(microsecond=0)
    inbox_id, version = await _turn_with_next(store)
    await store.finish_turn(
        KEY, inbox_id, {"handover_since": since.isoformat()}, version, [], "turns:asha", "w1", "send:asha", "t1", 30
    )
    (waiting,) = await store.waiting_conversations()
    assert waiting.customer_key == KEY and waiting.since == since
    assert await store.assign(KEY, "anna", utcnow()) == "anna"
    inbox_id, version = await _turn_with_next(store)
    await store.finish_turn(KEY, inbox_id, {}, version, [], "turns:asha", "w1", "send:asha", "t1", 30)
    assert await store.waiting_conversations() == []
    inbox_id, version = await _turn_with_next(store)
    await store.finish_turn(
        KEY, inbox_id, {"handover_since": since.isoformat()}, version, [], "turns:asha", "w1", "send:asha", "t1", 30
    )
    assert [w.assigned_to for w in await store.waiting_conversations()] == [None]  # not anna's any more
