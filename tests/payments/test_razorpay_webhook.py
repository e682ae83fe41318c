"""Razorpay webhooks, at a real running shop: verified over the raw body first, then applied to the order."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.payments.payment_helpers import moves, place, stored, untouched

URL = "/webhooks/payments/razorpay"


async def send(h: ShopHarness, fake: FakeRazorpay, event: dict[str, Any], **kw: Any) -> int:
    """POST the event to the shop as Razorpay does; returns once the shop has done what it does."""
    status = await fake.send_webhook(h.client.session, h.url(URL), event, **kw)
    await h.shop.idle()
    return status


async def paid_event(h: ShopHarness, fake: FakeRazorpay) -> dict[str, Any]:
    order = await place(h)
    return fake.pay(order.payment_ref or "")


async def test_a_signed_paid_event_pays_the_order(razorpay_shop: ShopHarness, fake: FakeRazorpay) -> None:
    h = razorpay_shop
    event = await paid_event(h, fake)
    assert await send(h, fake, event, event_id="evt_paid_1") == 200
    order = await stored(h)
    assert order.status is OrderStatus.PAID and order.paid_amount == 49000
    (payment_id,) = fake.payments
    assert moves(order)[-1] == ("paid", f"razorpay {payment_id}")
    link = order.payment_ref
    assert await h.shop.store.event_seen("razorpay", f"payment_link.paid:{link}/{payment_id}")
    (receipt,) = h.texts_to("terminal:alice")
    assert "Payment of ₹490.00 received for order K7M-4QX" in receipt


@pytest.mark.parametrize("how", ["wrong secret", "no signature", "garbage signature", "body altered after signing"])
async def test_a_wrongly_signed_event_is_refused_and_changes_nothing(
    how: str, razorpay_shop: ShopHarness, fake: FakeRazorpay
) -> None:
    h = razorpay_shop
    event = await paid_event(h, fake)
    if how == "wrong secret":
        status = await send(h, fake, event, secret="not-the-webhook-secret", event_id="evt_bad")
    elif how == "no signature":
        status = await send(h, fake, event, signature="", event_id="evt_bad")
    elif how == "garbage signature":
        status = await send(h, fake, event, signature="zz" * 32, event_id="evt_bad")
    else:
        _, good = fake.signed(event)
        event["payload"]["payment_link"]["entity"]["amount_paid"] = 1
        status = await send(h, fake, event, signature=good, event_id="evt_bad")
    assert status == 401
    assert await untouched(h)
    assert not await h.shop.store.event_seen("razorpay", "evt_bad")  # it never reached the core


async def test_the_signature_is_checked_over_the_raw_bytes(razorpay_shop: ShopHarness, fake: FakeRazorpay) -> None:
    """A body re-serialized with other whitespace is different bytes: the signature fails."""
    h = razorpay_shop
    event = await paid_event(h, fake)
    body, good = fake.signed(event)
    respaced = json.dumps(json.loads(body), indent=2).encode()
    headers = {
        "X-Razorpay-Signature": good,
        "x-razorpay-event-id": "evt_x",
        "Content-Type": "application/json",
    }
    async with h.client.session.post(h.url(URL), data=respaced, headers=headers) as response:
        assert response.status == 401
    assert await untouched(h)
    async with h.client.session.post(h.url(URL), data=body, headers=headers) as response:
        assert response.status == 200
    await h.shop.idle()
    assert (await stored(h)).status is OrderStatus.PAID


@pytest.mark.parametrize("header", ["the same", "a fresh"])
async def test_a_replayed_event_is_applied_once(razorpay_shop: ShopHarness, fake: FakeRazorpay, header: str) -> None:
    """Known by the ids inside the signed body: x-razorpay-event-id is not signed, so a fresh one
    on a captured body changes nothing."""
    h = razorpay_shop
    event = await paid_event(h, fake)
    for n in range(2):
        assert await send(h, fake, event, event_id="evt_same" if header == "the same" else f"evt_{n}") == 200
    order = await stored(h)
    assert order.status is OrderStatus.PAID and order.paid_amount == 49000
    assert [new for new, _ in moves(order)] == ["pending_payment", "paid"]
    assert not await h.shop.store.event_seen("razorpay", "evt_same")  # the header names nothing
    assert len(h.texts_to("terminal:alice")) == 1  # one receipt


async def test_an_expired_link_cancels_the_order(razorpay_shop: ShopHarness, fake: FakeRazorpay) -> None:
    h = razorpay_shop
    order = await place(h)
    assert await send(h, fake, fake.expire(order.payment_ref or "")) == 200
    cancelled = await stored(h)
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.paid_amount == 0
    (told,) = h.texts_to("terminal:alice")
    assert "The payment for order K7M-4QX expired" in told


async def test_a_link_cancelled_on_the_dashboard_cancels_the_order(
    razorpay_shop: ShopHarness, fake: FakeRazorpay
) -> None:
    h = razorpay_shop
    order = await place(h)
    link = fake.links[order.payment_ref or ""]
    link["status"] = "cancelled"
    assert await send(h, fake, fake.event("payment_link.cancelled", link), event_id="evt_cancel") == 200
    assert (await stored(h)).status is OrderStatus.CANCELLED
    assert await h.shop.store.event_seen("razorpay", f"payment_link.cancelled:{order.payment_ref}")


async def test_an_expiry_after_payment_is_acknowledged_and_the_order_stays_paid(
    razorpay_shop: ShopHarness, fake: FakeRazorpay
) -> None:
    h = razorpay_shop
    event = await paid_event(h, fake)
    assert await send(h, fake, event) == 200
    link = event["payload"]["payment_link"]["entity"]
    late = fake.event("payment_link.expired", {**link, "status": "expired"})
    assert await send(h, fake, late) == 200  # Razorpay disables webhooks that keep failing
    assert (await stored(h)).status is OrderStatus.PAID


async def test_events_we_do_not_use_are_acknowledged_without_effect(
    razorpay_shop: ShopHarness, fake: FakeRazorpay
) -> None:
    h = razorpay_shop
    order = await place(h)
    link = fake.links[order.payment_ref or ""]
    partially = fake.event("payment_link.partially_paid", {**link, "status": "partially_paid", "amount_paid": 100})
    refund = {
        "entity": "event",
        "event": "refund.processed",
        "payload": {"refund": {"entity": {"id": "rfnd_1"}}},
    }
    for number, event in enumerate((partially, refund)):
        assert await send(h, fake, event, event_id=f"evt_unused_{number}") == 200
    assert await untouched(h)
    for number in range(2):
        assert not await h.shop.store.event_seen("razorpay", f"evt_unused_{number}")


async def test_an_unreadable_body_with_a_valid_signature_is_a_bad_request(
    razorpay_shop: ShopHarness, fake: FakeRazorpay
) -> None:
    h = razorpay_shop
    await place(h)
    body = b"not json"
    sig = hmac.new(fake.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    async with h.client.session.post(h.url(URL), data=body, headers={"X-Razorpay-Signature": sig}) as response:
        assert response.status == 400
    assert await untouched(h)


async def test_a_refund_failed_sent_again_with_a_fresh_event_id_is_owed_once(
    razorpay_shop: ShopHarness, fake: FakeRazorpay
) -> None:
    """x-razorpay-event-id is not covered by the signature: the same signed ``refund.failed`` with a
    new header must not make the amount owed a second time (which a second refund would then pay)."""
    h = razorpay_shop
    assert await send(h, fake, await paid_event(h, fake)) == 200
    await h.shop.move_order("K7M-4QX", OrderStatus.CANCELLED)  # refunded through Razorpay
    ((_, refund),) = fake.refunds.values()
    (payment,) = fake.payments.values()
    payment["amount_refunded"] = 0  # the bank sent it back to the merchant
    failed = {
        "entity": "event",
        "event": "refund.failed",
        "contains": ["refund", "payment"],
        "payload": {"refund": {"entity": {**refund, "status": "failed"}}, "payment": {"entity": payment}},
    }
    for n in range(3):
        assert await send(h, fake, failed, event_id=f"evt_fresh_{n}") == 200
    order = await stored(h)
    assert order.refunded_amount == 0 and order.paid_amount == 49000  # owed once: 490, not 1470
    order = await h.shop.refund_order("K7M-4QX")  # the owner pays what is owed, once
    assert order.refunded_amount == 49000 and len(fake.refunds) == 2
    for n in range(3, 5):  # and a replay after that owes nothing again
        assert await send(h, fake, failed, event_id=f"evt_fresh_{n}") == 200
    assert (await stored(h)).refunded_amount == 49000


@pytest.mark.parametrize("odd_id", [12345, ["pay_1"], {"id": "pay_1"}, True])
async def test_a_signed_event_whose_payment_id_is_no_text_is_answered_not_a_500(
    razorpay_shop: ShopHarness, fake: FakeRazorpay, odd_id: object
) -> None:
    """The same payment told again with its id as a number, a list, an object: Razorpay's ids are
    text ("pay_..."), so such an id names no payment; the order stays paid once."""
    h = razorpay_shop
    event = await paid_event(h, fake)
    assert await send(h, fake, event, event_id="evt_paid_1") == 200
    again = json.loads(json.dumps(event))
    again["payload"]["payment"]["entity"]["id"] = odd_id
    assert await send(h, fake, again, event_id="evt_paid_2") < 500
    order = await stored(h)
    assert order.status is OrderStatus.PAID and order.paid_amount == 49000 and order.refunded_amount == 0
