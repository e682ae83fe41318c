"""A refund or a dispute told before the payment it is about: providers do not promise the order of
their events, and retry. Before, such news found an order with nothing paid and was dropped as
"known" for good (or as an unknown order): the money given back in the provider's dashboard was
never recorded, and the order's own Refund paid the customer a second time. Now it waits (503,
the provider delivers it again) while the order waits for its payment, and counts once that is in;
news of a payment that is not the shop's is still acknowledged at once.
"""

from __future__ import annotations

from typing import Any

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe
from tests.payments.payment_helpers import place, stored

STRIPE = "/webhooks/payments/stripe"
RAZORPAY = "/webhooks/payments/razorpay"


async def stripe_send(h: ShopHarness, api: FakeStripe, event: dict[str, Any]) -> int:
    status = await api.send_webhook(h.client.session, h.url(STRIPE), event)
    await h.shop.idle()
    return status


async def test_a_refund_told_before_its_payment_waits_for_it_and_counts_once(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    order = await place(h, method="stripe")
    completed = stripe_api.pay(order.payment_ref or "")  # on its way, not here yet
    intent = str(completed["data"]["object"]["payment_intent"])
    refunded = stripe_api.dashboard_refund(intent, 49000)
    assert refunded["data"]["object"]["metadata"] == {"order_number": "K7M-4QX"}  # the PaymentIntent's
    assert await stripe_send(h, stripe_api, refunded) == 503
    assert await stripe_send(h, stripe_api, refunded) == 503  # Stripe's retry, still too early
    assert (await stored(h)).status is OrderStatus.PENDING_PAYMENT
    assert await stripe_send(h, stripe_api, completed) == 200
    assert await stripe_send(h, stripe_api, refunded) == 200  # the retry after the payment
    order = await stored(h)
    assert order.status is OrderStatus.REFUNDED and order.refunded_amount == 49000
    assert sum("We refunded ₹490.00" in text for text in h.texts_to("terminal:alice")) == 1
    assert stripe_api.refunds and all(r["metadata"] == {} for r in stripe_api.refunds)  # only the Dashboard's


async def test_a_dispute_told_before_its_payment_waits_for_it(stripe_shop: ShopHarness, stripe_api: FakeStripe) -> None:
    """A dispute names only the charge: its order is known once the payment was applied."""
    h = stripe_shop
    order = await place(h, method="stripe")
    completed = stripe_api.pay(order.payment_ref or "")
    opened = stripe_api.dispute(str(completed["data"]["object"]["payment_intent"]))
    assert await stripe_send(h, stripe_api, opened) == 200  # no order named, none paid by it: not held
    assert await stripe_send(h, stripe_api, completed) == 200
    assert await stripe_send(h, stripe_api, stripe_api.event("charge.dispute.created", opened["data"]["object"])) == 200
    assert (await stored(h)).disputed


async def test_a_refund_of_a_payment_that_is_not_the_shops_is_acknowledged_at_once(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    """Another shop's payment on the same account: 200, never retried for days."""
    order = await place(stripe_shop, method="stripe")
    stripe_api.pay(order.payment_ref or "")
    (intent,) = stripe_api.intents
    stripe_api.intents[intent]["metadata"] = {"order_number": "NOT-OURS"}
    assert await stripe_send(stripe_shop, stripe_api, stripe_api.dashboard_refund(intent, 100)) == 200
    stripe_api.intents[intent]["metadata"] = {}
    assert await stripe_send(stripe_shop, stripe_api, stripe_api.dashboard_refund(intent, 100)) == 200
    assert (await stored(stripe_shop)).refunded_amount == 0


async def test_a_razorpay_refund_naming_no_order_and_no_known_payment_is_acknowledged(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    h = razorpay_shop
    link = (await place(h)).payment_ref or ""
    razorpay_api.pay(link)  # paid, its event not sent: a payment the shop does not know yet
    (payment_id,) = razorpay_api.payments
    event = razorpay_api.dashboard_refund(payment_id, 49000)  # neither notes nor a known payment
    assert await razorpay_api.send_webhook(h.client.session, h.url(RAZORPAY), event) == 200
