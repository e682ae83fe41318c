"""The outbox keeps a customer's replies in order; one waiting for a retry holds back the rest."""

from __future__ import annotations

from datetime import timedelta

from chatshop.channels import SendContext
from chatshop.messages import DeliveryReport, DeliveryState
from chatshop.reply_context import Replies
from chatshop.store.base import Store
from chatshop.store.codec import utcnow

from .helpers import message, reply

KEY = "terminal:asha"


async def test_replies_come_out_in_the_order_they_were_queued(store: Store) -> None:
    await store.enqueue(KEY, [reply("one"), reply("two")])
    await store.enqueue("terminal:ravi", [reply("for ravi")])
    await store.enqueue(KEY, [reply("three")])
    pending = await store.pending_outbox(KEY, utcnow())
    assert [p.message for p in pending] == [reply("one"), reply("two"), reply("three")]
    assert all(p.customer_key == KEY and p.channel == "terminal" and p.customer_id == "asha" for p in pending)
    assert await store.customers_with_due_outbox(utcnow()) == [KEY, "terminal:ravi"]


async def test_a_message_waiting_for_its_retry_holds_back_the_later_ones(store: Store) -> None:
    first, _second = await store.enqueue(KEY, [reply("first"), reply("second")])
    later = utcnow() + timedelta(minutes=5)
    await store.mark_retry(first.id, later, "503: unavailable")
    assert await store.pending_outbox(KEY, utcnow()) == []
    due = await store.pending_outbox(KEY, later + timedelta(seconds=1))
    assert [d.message for d in due] == [reply("first"), reply("second")]
    assert due[0].attempts == 1


async def test_sent_and_failed_messages_leave_the_queue(store: Store) -> None:
    first, second, third = await store.enqueue(KEY, [reply("a"), reply("b"), reply("c")])
    await store.mark_sent(first.id, "wamid.A")
    await store.mark_failed(second.id, "131009: bad parameter")
    pending = await store.pending_outbox(KEY, utcnow())
    assert [p.id for p in pending] == [third.id]


async def test_delivery_reports_move_a_message_forward_never_back(store: Store) -> None:
    (item,) = await store.enqueue(KEY, [reply("hello")])
    await store.mark_sent(item.id, "wamid.X")

    def report(state: DeliveryState, **kw: str) -> DeliveryReport:
        return DeliveryReport(channel="terminal", provider_message_id="wamid.X", state=state, **kw)

    delivered = await store.record_delivery(report(DeliveryState.DELIVERED))
    assert delivered is not None and delivered.status == "delivered" and delivered.id == item.id
    assert delivered.message == reply("hello") and delivered.provider_message_id == "wamid.X"
    read = await store.record_delivery(report(DeliveryState.READ))
    assert read is not None and read.status == "read"
    late = await store.record_delivery(report(DeliveryState.DELIVERED))  # arrives out of order
    assert late is not None and late.status == "read"
    failed = await store.record_delivery(report(DeliveryState.FAILED, error_code="131047", error_title="window"))
    assert failed is not None and failed.status == "failed"
    unknown = DeliveryReport(channel="terminal", provider_message_id="wamid.nope", state=DeliveryState.READ)
    assert await store.record_delivery(unknown) is None


async def test_queuing_nothing_is_fine(store: Store) -> None:
    assert await store.enqueue(KEY, []) == []
    assert await store.pending_outbox(KEY, utcnow()) == []


async def test_a_reply_keeps_the_context_it_was_queued_with(store: Store) -> None:
    """The customer's language and the message a reply answers live in its row: whoever reads
    the outbox (another worker, the same one after a restart) hands them to the channel."""
    hallo = message("asha", "hallo").reference()
    context = SendContext(customer_key=KEY, locale="de", answers=hallo)
    queued = await store.enqueue(KEY, Replies([reply("Willkommen"), reply("Menü")], context))
    assert [q.context for q in queued] == [context, context]
    await store.enqueue(KEY, [reply("plain")])  # queued without one (a plugin's own enqueue)
    pending = await store.pending_outbox(KEY, utcnow())
    assert [p.message for p in pending] == [reply("Willkommen"), reply("Menü"), reply("plain")]
    assert [p.context for p in pending] == [context, context, None]
    assert pending[0].context is not None and pending[0].context.answers == hallo
    held, claimed = await store.claim_outbox(KEY, "send:" + KEY, "w2", 30, utcnow())
    assert held and [c.context for c in claimed] == [context, context, None]
    entries = await store.transcript(KEY)
    assert [e.outbound for e in entries if e.outbound is not None] == [
        reply("Willkommen"), reply("Menü"), reply("plain")
    ]
