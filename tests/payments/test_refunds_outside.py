"""Refunds and disputes made outside chatshop reach the order: recorded, the shop alerted, the
customer told of a refund, and nothing refunded twice.

The shop owner refunds in the Stripe or Razorpay Dashboard, or the customer disputes the charge
with their bank; before, the events were acknowledged and forgotten, and the order's own Refund
then paid the customer a second time.
"""

from __future__ import annotations

import pytest
import structlog.testing

from chatshop.orders import OrderStatus
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
    assert await api.send_webhook(h.client.session, h.url(STRIPE), event) == 200
    await h.shop.idle()
    assert (await stored(h)).status is OrderStatus.PAID
    return str(event["data"]["object"]["payment_intent"])


async def stripe_send(h: ShopHarness, api: FakeStripe, event: dict[str, object]) -> None:
    assert await api.send_webhook(h.client.session, h.url(STRIPE), event) == 200
    await h.shop.idle()


async def test_a_full_refund_in_the_stripe_dashboard_is_recorded_and_never_refunded_again(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    intent = await stripe_paid(h, stripe_api)
    with structlog.testing.capture_logs() as logs:
        await stripe_send(h, stripe_api, stripe_api.dashboard_refund(intent, 49000))
    order = await stored(h)
    assert order.status is OrderStatus.REFUNDED and order.refunded_amount == 49000
    assert "refunded 490.00 INR at stripe" in str(order.history[-1]["note"])
    assert [e for e in logs if e["event"] == "payment.refunded_outside" and e.get("alert")]
    assert "We refunded ₹490.00 for order K7M-4QX" in h.texts_to("terminal:alice")[-1]
    with pytest.raises(ValueError, match="refundable"):
        await h.shop.refund_order("K7M-4QX")
    assert len(stripe_api.refunds) == 1  # only the Dashboard's


async def test_a_partial_refund_outside_leaves_only_the_rest_for_the_cancel_to_refund(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    intent = await stripe_paid(h, stripe_api)
    event = stripe_api.dashboard_refund(intent, 10000)
    for _ in range(2):  # Stripe sends it again: counted once
        await stripe_send(h, stripe_api, event)
    order = await stored(h)
    assert order.status is OrderStatus.PAID and order.refunded_amount == 10000
    order = await h.shop.move_order("K7M-4QX", OrderStatus.CANCELLED)
    assert [r["amount"] for r in stripe_api.refunds] == [10000, 39000]  # the rest, not the whole again
    assert order.refunded_amount == 49000 and order.status is OrderStatus.REFUNDED


async def test_our_own_refund_reported_back_changes_nothing(stripe_shop: ShopHarness, stripe_api: FakeStripe) -> None:
    h = stripe_shop
    intent = await stripe_paid(h, stripe_api)
    await h.shop.move_order("K7M-4QX", OrderStatus.CANCELLED)  # refunded by chatshop
    await h.shop.idle()
    told = len(h.texts_to("terminal:alice"))
    await stripe_send(h, stripe_api, stripe_api.event("charge.refunded", stripe_api.charge(intent)))
    order = await stored(h)
    assert order.refunded_amount == 49000 and len(h.texts_to("terminal:alice")) == told
    assert not any("at stripe" in str(entry["note"]) for entry in order.history)


async def test_a_refund_updated_to_failed_and_its_refund_failed_owe_the_amount_once(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    await stripe_paid(h, stripe_api)
    await h.shop.move_order("K7M-4QX", OrderStatus.CANCELLED)
    (refund,) = stripe_api.refunds
    failed = {**refund, "status": "failed", "failure_reason": "expired_or_canceled_card"}
    await stripe_send(h, stripe_api, stripe_api.event("refund.updated", failed))
    await stripe_send(h, stripe_api, stripe_api.event("refund.failed", failed))
    order = await stored(h)
    assert order.refunded_amount == 0  # 490 owed again, not 980
    assert sum(1 for e in order.history if str(e["note"]).startswith(f"refund {refund['id']} failed")) == 1


async def test_a_dispute_is_recorded_alerted_and_blocks_a_second_payout(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    intent = await stripe_paid(h, stripe_api)
    with structlog.testing.capture_logs() as logs:
        event = stripe_api.dispute(intent)
        await stripe_send(h, stripe_api, event)
        await stripe_send(h, stripe_api, event)
    order = await stored(h)
    disputes = [e for e in order.history if str(e["note"]).startswith("dispute ")]
    assert len(disputes) == 1 and "fraudulent" in str(disputes[0]["note"])
    assert [e for e in logs if e["event"] == "payment.disputed" and e.get("alert")]
    with pytest.raises(PaymentError, match="disputed"):
        await h.shop.refund_order("K7M-4QX")
    with pytest.raises(PaymentError, match="disputed"):
        await h.shop.move_order("K7M-4QX", OrderStatus.CANCELLED)
    assert stripe_api.refunds == [] and (await stored(h)).status is OrderStatus.PAID


async def razorpay_paid(h: ShopHarness, api: FakeRazorpay) -> None:
    order = await place(h)
    assert await api.send_webhook(h.client.session, h.url(RAZORPAY), api.pay(order.payment_ref or "")) == 200
    await h.shop.idle()


async def test_a_refund_processed_in_the_razorpay_dashboard_is_recorded_once(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    h = razorpay_shop
    order = await place(h)
    assert (
        await razorpay_api.send_webhook(h.client.session, h.url(RAZORPAY), razorpay_api.pay(order.payment_ref or ""))
        == 200
    )
    await h.shop.idle()
    (payment_id,) = razorpay_api.payments
    event = razorpay_api.dashboard_refund(payment_id, 49000)
    for n in range(2):
        assert await razorpay_api.send_webhook(h.client.session, h.url(RAZORPAY), event, event_id=f"evt_{n}") == 200
    await h.shop.idle()
    order = await stored(h)
    assert order.status is OrderStatus.REFUNDED and order.refunded_amount == 49000
    assert sum(1 for e in order.history if "at razorpay" in str(e["note"])) == 1
    with pytest.raises(ValueError, match="refundable"):
        await h.shop.refund_order("K7M-4QX")
    assert razorpay_api.refunds == {}


async def test_our_razorpay_refund_processed_changes_nothing(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    h = razorpay_shop
    order = await place(h)
    assert (
        await razorpay_api.send_webhook(h.client.session, h.url(RAZORPAY), razorpay_api.pay(order.payment_ref or ""))
        == 200
    )
    await h.shop.idle()
    await h.shop.move_order("K7M-4QX", OrderStatus.CANCELLED)
    await h.shop.idle()
    ((_, refund),) = razorpay_api.refunds.values()
    told = len(h.texts_to("terminal:alice"))
    event = razorpay_api.refund_event("refund.processed", refund)
    assert await razorpay_api.send_webhook(h.client.session, h.url(RAZORPAY), event) == 200
    await h.shop.idle()
    order = await stored(h)
    assert order.refunded_amount == 49000 and len(h.texts_to("terminal:alice")) == told
