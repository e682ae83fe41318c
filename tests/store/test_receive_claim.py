"""Recording a message and claiming the turn it starts in one step, and what a store counts about itself."""

from __future__ import annotations

from datetime import timedelta

from chatshop.store.base import Store
from chatshop.store.codec import utcnow

from .helpers import message, reply

KEY = "terminal:asha"


async def test_recording_a_message_claims_the_turn_it_starts(store: Store) -> None:
    first = message("asha", "hi")
    added, claim = await store.receive(first, "turns:asha", "w1", 30)
    assert added and claim is not None
    held, item, record = claim
    assert held and item is not None and item.inbound == first
    assert record is not None and record.state == {} and record.version == 0
    # the lease is w1's now: another worker is refused, and w1 learns on release that it was asked for
    assert (await store.claim_inbound(KEY, "turns:asha", "w2", 30))[0] is False
    finished = await store.finish_turn(KEY, item.id, {"n": 1}, 0, [], "turns:asha", "w1", "send:asha", "w1#0", 30)
    assert finished.item is None and finished.wanted is True


async def test_a_duplicate_is_neither_recorded_nor_claimed(store: Store) -> None:
    first = message("asha", "hi", message_id="wamid.1")
    assert (await store.receive(first, "turns:asha", "w1", 30))[0] is True
    assert await store.receive(first, "turns:asha", "w2", 30) == (False, None)
    assert (await store.claim_inbound(KEY, "turns:asha", "w2", 30))[0] is False  # still w1's


async def test_a_claim_while_another_worker_holds_the_turn_leaves_it_and_asks(store: Store) -> None:
    assert (await store.acquire_lease("turns:asha", "w2", 30)) is True
    added, claim = await store.receive(message("asha", "hi"), "turns:asha", "w1", 30)
    assert added and claim == (False, None, None)
    assert await store.release_lease("turns:asha", "w2") is True  # w2 is told to look again


async def test_the_claim_starts_from_the_oldest_unhandled_message_and_the_latest_conversation(store: Store) -> None:
    await store.add_inbound(message("asha", "one"))
    held, item, record = await store.claim_inbound(KEY, "turns:asha", "w1", 30)
    assert held and item is not None and record is not None
    await store.commit_turn(KEY, None, {"step": "browse"}, record.version, [])
    await store.release_lease("turns:asha", "w1")
    added, claim = await store.receive(message("asha", "two"), "turns:asha", "w1", 30)
    assert added and claim is not None
    held, item, record = claim
    assert held and item is not None and item.inbound.text == "one"  # "one" is not handled yet
    assert record is not None and record.state == {"step": "browse"} and record.version == 1


async def test_the_message_path_costs_three_round_trips_a_message(store: Store) -> None:
    """Record and claim, commit the turn and claim its replies, record the send: one step each."""
    before = store.stats.round_trips
    added, claim = await store.receive(message("asha", "hi"), "turns:asha", "w1", 30)
    assert added and claim is not None and claim[1] is not None and claim[2] is not None
    finished = await store.finish_turn(
        KEY, claim[1].id, {"n": 1}, claim[2].version, [reply("hello")], "turns:asha", "w1", "send:asha", "w1#0", 30
    )
    assert finished.sends is not None and [s.message for s in finished.sends] == [reply("hello")]
    items, wanted = await store.sent_then_pending_or_release(
        finished.sends[0].id, "wamid.out", KEY, "send:asha", "w1#0", utcnow()
    )
    assert items == [] and wanted is False
    assert store.stats.round_trips - before == 3


async def test_queue_depths_count_what_waits(store: Store) -> None:
    assert (await store.queue_depths(utcnow())).inbox == 0
    await store.add_inbound(message("asha", "one"))
    await store.add_inbound(message("ravi", "two"))
    await store.enqueue(KEY, [reply("a"), reply("b")])
    depths = await store.queue_depths(utcnow() + timedelta(seconds=90))
    assert depths.inbox == 2 and depths.outbox == 2
    assert 89 <= depths.oldest_unsent_seconds <= 120


async def test_taking_over_a_lapsed_lease_is_counted(store: Store) -> None:
    assert await store.acquire_lease("turns:asha", "dead", 0.01) is True
    assert store.stats.lease_takeovers == 0
    lapsed = utcnow() + timedelta(seconds=1)
    while utcnow() < lapsed:  # the lease's own clock (the server's) must pass its end; no timing asserted
        assert (await store.acquire_lease("turns:asha", "alive", 30)) in (True, False)
        if store.stats.lease_takeovers:
            break
    assert store.stats.lease_takeovers == 1
    assert await store.acquire_lease("turns:asha", "alive", 30) is True
    assert store.stats.lease_takeovers == 1  # renewing one's own lease is no takeover
