"""Transcripts and hand-overs in both stores: both directions in order, who wrote what, kept as
long as the retention keeps messages, erased with the customer; the conversations waiting for a
person, and one of two staff taking one conversation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from chatshop.messages import Inbound, InboundKind, ProductCard
from chatshop.money import Money
from chatshop.store.base import Store
from chatshop.store.codec import utcnow

from .helpers import message, reply

KEY = "terminal:asha"


def with_person(since: str | None) -> dict[str, object]:
    state: dict[str, object] = {"locale": "en", "cart": {"currency": "INR", "lines": []}, "name": "Asha"}
    if since:
        state["handover_since"] = since
    return state


async def turn(store: Store, text: str, *answers: str) -> None:
    await store.add_inbound(message("asha", text))
    item = await store.next_inbound(KEY)
    assert item is not None
    record = await store.load_conversation(KEY)
    state = record.state or with_person(None)
    await store.commit_turn(KEY, item.id, state, record.version, [reply(a) for a in answers])


async def test_a_transcript_holds_both_directions_in_order_with_their_authors(store: Store) -> None:
    await turn(store, "hi", "Welcome!", "What would you like?")
    await turn(store, "agent", "A person will answer.")
    card = ProductCard(product_id="atta", title="Atta", body="5 kg", price=Money(24500, "INR"))
    await store.enqueue(KEY, [reply("Hello Asha, Anna here."), card], author="anna")
    await turn(store, "thanks")
    entries = await store.transcript(KEY)
    shown = [(e.source, e.inbound.text if e.inbound else getattr(e.outbound, "body", None), e.author) for e in entries]
    assert shown == [
        ("in", "hi", None),
        ("out", "Welcome!", None),
        ("out", "What would you like?", None),
        ("in", "agent", None),
        ("out", "A person will answer.", None),
        ("out", "Hello Asha, Anna here.", "anna"),
        ("out", "5 kg", "anna"),
        ("in", "thanks", None),
    ]
    assert isinstance(entries[6].outbound, ProductCard)
    assert entries[1].status == "pending"
    assert [e.key for e in entries][:2] == [f"in-{entries[0].id}", f"out-{entries[1].id}"]
    assert await store.transcript("terminal:nobody") == []


async def test_a_transcript_shows_the_newest_messages_when_it_is_long(store: Store) -> None:
    for i in range(6):
        await turn(store, f"q{i}", f"a{i}")
    entries = await store.transcript(KEY, limit=4)
    assert [e.inbound.text if e.inbound else getattr(e.outbound, "body", None) for e in entries] == [
        "q4",
        "a4",
        "q5",
        "a5",
    ]


async def test_the_shops_own_messages_do_not_open_the_customers_window(store: Store) -> None:
    echo = Inbound(
        channel="whatsapp",
        customer_id="919800000001",
        message_id="wamid.echo1",
        kind=InboundKind.SHOP,
        event="echo",
        text="Hi, this is the owner",
        author="WhatsApp Business app",
    )
    assert await store.add_inbound(echo)
    assert (await store.load_conversation("whatsapp:919800000001")).last_inbound_at is None
    customer = Inbound(
        channel="whatsapp", customer_id="919800000001", message_id="wamid.c1", kind=InboundKind.TEXT, text="hello"
    )
    await store.add_inbound(customer)
    wrote = (await store.load_conversation("whatsapp:919800000001")).last_inbound_at
    assert wrote is not None
    await store.add_inbound(echo.model_copy(update={"message_id": "wamid.echo2"}))
    assert (await store.load_conversation("whatsapp:919800000001")).last_inbound_at == wrote
    (entry, _, _) = await store.transcript("whatsapp:919800000001")
    assert entry.inbound is not None and entry.inbound.author == "WhatsApp Business app"


async def test_conversations_with_a_person_wait_oldest_first_and_leave_with_the_hand_over(store: Store) -> None:
    now = utcnow()
    for who, minutes in (("late", 5), ("early", 30), ("bot", None)):
        since = (now - timedelta(minutes=minutes)).isoformat() if minutes else None
        await store.commit_turn(f"terminal:{who}", None, with_person(since), 0, [])
    waiting = await store.waiting_conversations()
    assert [w.customer_key for w in waiting] == ["terminal:early", "terminal:late"]
    assert waiting[0].name == "Asha" and waiting[0].assigned_to is None
    assert abs(waiting[0].since - (now - timedelta(minutes=30))) < timedelta(milliseconds=1)
    assert await store.assign("terminal:early", "anna", now) == "anna"
    one = await store.waiting_conversation("terminal:early")  # one, however many wait
    assert one is not None and one.assigned_to == "anna" and one.name == "Asha" and one.since == waiting[0].since
    assert await store.waiting_conversation("terminal:bot") is None
    assert await store.waiting_conversation("terminal:nobody") is None
    # The bot has the conversation again: it leaves the list, and so does its assignee.
    await store.commit_turn("terminal:early", None, with_person(None), 1, [])
    assert [w.customer_key for w in await store.waiting_conversations()] == ["terminal:late"]
    await store.commit_turn("terminal:early", None, with_person(now.isoformat()), 2, [])
    assert (await store.waiting_conversations())[1].assigned_to is None


async def test_of_two_staff_taking_one_conversation_one_gets_it(store: Store, twin: object) -> None:
    await store.commit_turn(KEY, None, with_person(utcnow().isoformat()), 0, [])
    other: Store = twin()  # type: ignore[operator]
    await other.open()
    try:
        results = await asyncio.gather(
            *(s.assign(KEY, name, utcnow()) for s, name in ((store, "anna"), (other, "ravi")) for _ in range(5))
        )
    finally:
        await other.close()
    assert len(set(results)) == 1 and results[0] in ("anna", "ravi")
    holder = results[0]
    assert (await store.waiting_conversations())[0].assigned_to == holder
    assert await store.assign(KEY, "meera", utcnow()) == holder  # taken: no
    assert await store.assign(KEY, "meera", utcnow(), force=True) == "meera"  # an owner takes it over
    assert not await store.unassign(KEY, holder)
    assert await store.unassign(KEY, "meera")
    assert (await store.waiting_conversations())[0].assigned_to is None
    assert await store.assign("terminal:nobody", "anna", utcnow()) is None


async def test_a_staff_member_may_take_a_conversation_before_its_hand_over_begins(store: Store) -> None:
    await store.commit_turn(KEY, None, with_person(None), 0, [])
    assert await store.assign(KEY, "anna", utcnow()) == "anna"
    await store.commit_turn(KEY, None, with_person(None), 1, [])  # a bot turn in between keeps it
    await store.commit_turn(KEY, None, with_person(utcnow().isoformat()), 2, [])
    assert (await store.waiting_conversations())[0].assigned_to == "anna"


async def test_transcripts_follow_the_retention_and_forget(store: Store) -> None:
    await turn(store, "my address is 12 Hill Road", "Thanks")
    await store.enqueue(KEY, [reply("Anna here")], author="anna")
    for item in await store.pending_outbox(KEY, utcnow()):
        await store.mark_sent(item.id, f"p{item.id}")
    await store.record_audit("anna", "reply", KEY)
    assert await store.purge(utcnow(), utcnow() - timedelta(days=1)) == 0
    assert len(await store.transcript(KEY)) == 3
    await store.purge(utcnow(), utcnow() + timedelta(seconds=1))
    assert await store.transcript(KEY) == []
    await turn(store, "again", "yes")
    await store.forget_customer(KEY)
    assert await store.transcript(KEY) == []
    (entry,) = await store.audit_log()
    assert (entry.actor, entry.action, entry.subject) == ("anna", "reply", "forgotten")
