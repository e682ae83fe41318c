"""A dispute ends, and the order follows: won (or an inquiry closed), its refunds are allowed again;
lost, the money the bank gave back counts as refunded, never refunded on top, alerted once.

Before, the first "dispute ..." note blocked the order's refunds for good: a dispute the shop won
left an order no one could refund, and a lost one left an order that still offered its whole
amount, so a later cancel paid the customer a second time (as far as the provider allowed).
"""

from __future__ import annotations

from typing import Any

import pytest
import structlog.testing

from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentError
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe
from tests.payments.payment_helpers import place, stored

STRIPE = "/webhooks/payments/stripe"
RAZORPAY = "/webhooks/payments/razorpay"


async def stripe_paid(h: ShopHarness, api: FakeStripe) -> str:
    """An order of ₹490.00 paid through Stripe Checkout; its PaymentIntent."""
    order = await place(h, method="stripe")
    event = api.pay(order.payment_ref or "")
    await stripe_send(h, api, event)
    assert (await stored(h)).status is OrderStatus.PAID
    return str(event["data"]["object"]["payment_intent"])


async def stripe_send(h: ShopHarness, api: FakeStripe, event: dict[str, Any]) -> None:
    assert await api.send_webhook(h.client.session, h.url(STRIPE), event) == 200
    await h.shop.idle()


def dispute_id(event: dict[str, Any]) -> str:
    return str(event["data"]["object"]["id"])


def notes(order: Order, start: str) -> list[str]:
    return [str(e["note"]) for e in order.history if str(e["note"]).startswith(start)]


@pytest.mark.parametrize("status", ["won", "warning_closed"])
async def test_a_dispute_the_shop_won_lets_the_order_be_refunded_again(
    stripe_shop: ShopHarness, stripe_api: FakeStripe, status: str
) -> None:
    h = stripe_shop
    intent = await stripe_paid(h, stripe_api)
    opened = stripe_api.dispute(intent)
    await stripe_send(h, stripe_api, opened)
    with pytest.raises(PaymentError, match="disputed"):
        await h.shop.refund_order("K7M-4QX")
    await stripe_send(h, stripe_api, stripe_api.close_dispute(dispute_id(opened), status))
    order = await stored(h)
    assert not order.disputed and order.refunded_amount == 0 and order.status is OrderStatus.PAID
    assert notes(order, f"dispute {dispute_id(opened)} over at stripe ({status})")
    order = await h.shop.move_order("K7M-4QX", OrderStatus.CANCELLED)  # the customer's cancel refunds
    assert [r["amount"] for r in stripe_api.refunds] == [49000]
    assert order.status is OrderStatus.REFUNDED


async def test_a_lost_dispute_counts_as_refunded_once_and_is_never_refunded_on_top(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    intent = await stripe_paid(h, stripe_api)
    opened = stripe_api.dispute(intent)
    await stripe_send(h, stripe_api, opened)
    with structlog.testing.capture_logs() as logs:
        closed = stripe_api.close_dispute(dispute_id(opened), "lost")
        await stripe_send(h, stripe_api, closed)
        await stripe_send(h, stripe_api, closed)  # Stripe's retry: the same event
        await stripe_send(h, stripe_api, stripe_api.event("charge.dispute.closed", closed["data"]["object"]))
    order = await stored(h)
    assert order.status is OrderStatus.REFUNDED and order.refunded_amount == 49000
    assert len(notes(order, f"dispute {dispute_id(opened)} lost at stripe: 490.00 INR")) == 1
    assert len([e for e in logs if e["event"] == "payment.dispute_lost" and e.get("alert")]) == 1
    with pytest.raises(ValueError, match="refundable"):
        await h.shop.refund_order("K7M-4QX")
    assert stripe_api.refunds == []
    told = h.texts_to("terminal:alice")
    assert not any("refunded" in text for text in told)  # the bank gave it back, not the shop


async def test_a_partly_lost_dispute_leaves_the_rest_paid(stripe_shop: ShopHarness, stripe_api: FakeStripe) -> None:
    h = stripe_shop
    intent = await stripe_paid(h, stripe_api)
    opened = stripe_api.dispute(intent, amount=10000)
    await stripe_send(h, stripe_api, opened)
    await stripe_send(h, stripe_api, stripe_api.close_dispute(dispute_id(opened), "lost"))
    order = await stored(h)
    assert order.status is OrderStatus.PAID and order.refunded_amount == 10000 and not order.disputed


async def test_an_order_stays_blocked_while_any_of_its_disputes_is_open(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    intent = await stripe_paid(h, stripe_api)
    first = stripe_api.dispute(intent, amount=10000)
    await stripe_send(h, stripe_api, first)
    await stripe_send(h, stripe_api, stripe_api.close_dispute(dispute_id(first), "won"))
    second = stripe_api.dispute(intent, reason="product_not_received")
    await stripe_send(h, stripe_api, second)
    assert (await stored(h)).open_disputes == {dispute_id(second)}
    with pytest.raises(PaymentError, match="disputed"):
        await h.shop.refund_order("K7M-4QX")
    await stripe_send(h, stripe_api, stripe_api.close_dispute(dispute_id(first), "won"))  # told again
    assert (await stored(h)).disputed
    await stripe_send(h, stripe_api, stripe_api.close_dispute(dispute_id(second), "won"))
    order = await h.shop.refund_order("K7M-4QX")
    assert order.status is OrderStatus.REFUNDED and [r["amount"] for r in stripe_api.refunds] == [49000]


async def test_a_dispute_told_out_of_order_ends_all_the_same(stripe_shop: ShopHarness, stripe_api: FakeStripe) -> None:
    """Stripe does not promise the order of its events: the end before the start, the funds'
    withdrawal before the dispute; the reinstatement of the funds is only noted."""
    h = stripe_shop
    intent = await stripe_paid(h, stripe_api)
    opened = stripe_api.dispute(intent)
    withdrawn = stripe_api.dispute_funds(dispute_id(opened))
    closed = stripe_api.close_dispute(dispute_id(opened), "won")
    with structlog.testing.capture_logs() as logs:
        await stripe_send(h, stripe_api, withdrawn)
        assert (await stored(h)).disputed
        await stripe_send(h, stripe_api, closed)
        await stripe_send(h, stripe_api, opened)  # late: the dispute is over already
        await stripe_send(h, stripe_api, stripe_api.dispute_funds(dispute_id(opened), reinstated=True))
    order = await stored(h)
    assert not order.disputed
    assert len([e for e in logs if e["event"] == "payment.disputed"]) == 1
    assert notes(order, f"dispute {dispute_id(opened)} update at stripe: funds reinstated")


async def razorpay_paid(h: ShopHarness, api: FakeRazorpay) -> str:
    order = await place(h)
    assert await api.send_webhook(h.client.session, h.url(RAZORPAY), api.pay(order.payment_ref or "")) == 200
    await h.shop.idle()
    (payment_id,) = api.payments
    return payment_id


async def razorpay_send(h: ShopHarness, api: FakeRazorpay, event: dict[str, Any]) -> None:
    assert await api.send_webhook(h.client.session, h.url(RAZORPAY), event) == 200
    await h.shop.idle()


async def test_a_razorpay_dispute_under_review_then_lost_is_counted_once(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    h = razorpay_shop
    payment_id = await razorpay_paid(h, razorpay_api)
    await razorpay_send(h, razorpay_api, razorpay_api.dispute(payment_id))
    (dispute,) = razorpay_api.disputes
    await razorpay_send(h, razorpay_api, razorpay_api.decide_dispute(dispute, "under_review"))
    order = await stored(h)
    assert order.disputed and notes(order, f"dispute {dispute} update at razorpay: under_review")
    with structlog.testing.capture_logs() as logs:
        await razorpay_send(h, razorpay_api, razorpay_api.decide_dispute(dispute, "lost"))
        await razorpay_send(h, razorpay_api, razorpay_api.decide_dispute(dispute, "closed"))  # over already
    order = await stored(h)
    assert order.status is OrderStatus.REFUNDED and order.refunded_amount == 49000
    assert [e["event"] for e in logs if e.get("alert")] == ["payment.dispute_lost"]
    with pytest.raises(ValueError, match="refundable"):
        await h.shop.refund_order("K7M-4QX")
    assert razorpay_api.refunds == {}


@pytest.mark.parametrize("end", ["won", "closed"])
async def test_a_razorpay_dispute_won_or_closed_lets_the_order_be_refunded(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay, end: str
) -> None:
    h = razorpay_shop
    payment_id = await razorpay_paid(h, razorpay_api)
    await razorpay_send(h, razorpay_api, razorpay_api.dispute(payment_id))
    (dispute,) = razorpay_api.disputes
    with pytest.raises(PaymentError, match="disputed"):
        await h.shop.refund_order("K7M-4QX")
    await razorpay_send(h, razorpay_api, razorpay_api.decide_dispute(dispute, end))
    order = await h.shop.refund_order("K7M-4QX")
    assert order.status is OrderStatus.REFUNDED and len(razorpay_api.refunds) == 1
