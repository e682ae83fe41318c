"""A Stripe bank debit (SEPA, ACH, BECS) completes Checkout unpaid and settles days later. The
sweeper used to cancel such an order when its 30-minute window passed: stock back on the shelf, the
customer told their payment "expired" (though the debit was running), and the money refunded when
it arrived. An order whose payment is being processed waits for it, and is asked about again."""

from __future__ import annotations

from datetime import timedelta

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.stripe import FakeStripe
from tests.payments.payment_helpers import place, stored

WEBHOOK = "/webhooks/payments/stripe"


async def test_a_payment_still_settling_keeps_its_order_past_the_window(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    order = await place(h, method="stripe")
    session = order.payment_ref or ""
    stripe_api.pay(session, delayed=True)  # checkout.session.completed, payment_status "unpaid"
    assert order.payment_expires_at is not None
    later = order.payment_expires_at + timedelta(minutes=2)
    assert await h.shop.ordering.expire_due(later) == 0
    await h.shop.idle()
    waiting = await stored(h)
    assert waiting.status is OrderStatus.PENDING_PAYMENT and stripe_api.refunds == []
    assert not any("expired" in text for text in h.texts_to("terminal:alice"))
    assert waiting.payment_expires_at is not None and waiting.payment_expires_at > later  # asked again later

    days = later + timedelta(days=3)
    settled = stripe_api.settle(session)
    assert await h.shop.ordering.expire_due(days) == 0  # its webhook lost: the sweep finds it paid
    paid = await stored(h)
    assert paid.status is OrderStatus.PAID and paid.paid_amount == 49000
    assert await stripe_api.send_webhook(h.client.session, h.url(WEBHOOK), settled) == 200
    await h.shop.idle()
    assert (await stored(h)).status is OrderStatus.PAID and stripe_api.refunds == []


async def test_a_settling_payment_that_fails_lets_the_order_expire(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    order = await place(h, method="stripe")
    session = order.payment_ref or ""
    stripe_api.pay(session, delayed=True)
    failed = stripe_api.settle(session, succeeded=False)
    assert await stripe_api.send_webhook(h.client.session, h.url(WEBHOOK), failed) == 200
    await h.shop.idle()
    assert order.payment_expires_at is not None
    swept = await h.shop.ordering.expire_due(order.payment_expires_at + timedelta(minutes=2))
    assert swept == 1 and (await stored(h)).status is OrderStatus.CANCELLED


async def test_after_a_failed_bank_debit_paying_again_gets_a_new_session(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    """Not "your payment is being processed" for ever: the debit failed, so there is a new page."""
    h = stripe_shop
    order = await place(h, method="stripe")
    first = order.payment_ref or ""
    stripe_api.pay(first, delayed=True)
    failed = stripe_api.settle(first, succeeded=False)
    assert await stripe_api.send_webhook(h.client.session, h.url(WEBHOOK), failed) == 200
    await h.shop.idle()
    (message,) = await h.shop.ordering.start_payment(await stored(h))
    again = await stored(h)
    assert again.payment_ref != first and len(stripe_api.sessions) == 2
    assert stripe_api.sessions[again.payment_ref or ""]["url"] in str(message)
