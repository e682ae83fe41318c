"""Two partial refunds of one order asked at the same moment (two owners on the dashboard, a
script and a click): each used to write only what it refunded itself, so the order said less was
refunded than had gone back, and its Refund then offered the difference again."""

from __future__ import annotations

import asyncio

import pytest

from chatshop.money import Money
from chatshop.orders import OrderStatus
from chatshop.payments import PaymentError
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.stripe import FakeStripe
from tests.payments.payment_helpers import place, stored

WEBHOOK = "/webhooks/payments/stripe"


async def test_two_partial_refunds_at_once_never_leave_the_order_saying_less_than_went_back(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    order = await place(h, method="stripe")
    paid = stripe_api.pay(order.payment_ref or "")
    assert await stripe_api.send_webhook(h.client.session, h.url(WEBHOOK), paid) == 200
    await h.shop.idle()
    results = await asyncio.gather(
        h.shop.refund_order("K7M-4QX", Money(10000, "INR")),
        h.shop.refund_order("K7M-4QX", Money(20000, "INR")),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, PaymentError) for r in refused), refused
    order = await stored(h)
    assert order.refunded_amount == sum(r["amount"] for r in stripe_api.refunds)
    assert order.status is OrderStatus.PAID


async def test_a_refund_of_nothing_is_refused_not_taken_for_a_full_refund(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    order = await place(h, method="stripe")
    paid = stripe_api.pay(order.payment_ref or "")
    assert await stripe_api.send_webhook(h.client.session, h.url(WEBHOOK), paid) == 200
    await h.shop.idle()
    with pytest.raises(ValueError, match="cannot refund"):
        await h.shop.refund_order("K7M-4QX", Money(0, "INR"))
    assert stripe_api.refunds == [] and (await stored(h)).refunded_amount == 0
