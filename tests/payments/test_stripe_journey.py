"""End to end: a customer pays a Stripe Checkout Session from the terminal chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.stripe import FakeStripe
from tests.payments.journey_shops import CATALOG, INDIA, STRIPE
from tests.payments.test_razorpay_journey import checkout_online, stock

WEBHOOK = "/webhooks/payments/stripe"


@pytest.fixture
async def harness(
    stripe_api: FakeStripe, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(stripe_api.app())
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_api.secret_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", stripe_api.webhook_secret)
    toml = INDIA + STRIPE.format(api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


async def test_pay_by_checkout_session_and_get_the_receipt(harness: ShopHarness, stripe_api: FakeStripe) -> None:
    order, reply = await checkout_online(harness)
    session = stripe_api.sessions[order.payment_ref or ""]
    assert session["amount_total"] == 27500 and session["client_reference_id"] == order.number
    assert session["url"] in reply

    event = stripe_api.pay(session["id"])
    stale = int(event["created"]) - 400
    url, http = harness.url(WEBHOOK), harness.client.session
    assert await stripe_api.send_webhook(http, url, event, timestamp=stale) == 401
    assert await stripe_api.send_webhook(http, url, event) == 200
    await harness.shop.idle()
    paid = await harness.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID
    assert "Payment of ₹275.00 received" in harness.texts_to("terminal:asha")[-1]

    await harness.choose("asha", f"cancel:{order.number}")
    await harness.choose("asha", f"cancelyes:{order.number}")
    await harness.shop.idle()
    refunded = await harness.shop.store.get_order(order.number)
    assert refunded is not None and refunded.status is OrderStatus.REFUNDED
    (refund,) = stripe_api.refunds
    assert refund["amount"] == 27500 and refund["payment_intent"] == session["payment_intent"]


async def test_an_expired_session_cancels_and_releases_stock(harness: ShopHarness, stripe_api: FakeStripe) -> None:
    order, _ = await checkout_online(harness)
    assert order.payment_expires_at is not None
    await harness.shop.ordering.expire_due(order.payment_expires_at + timedelta(minutes=2))
    await harness.shop.idle()
    cancelled = await harness.shop.store.get_order(order.number)
    assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED
    assert stripe_api.sessions[order.payment_ref or ""]["status"] == "expired"
    assert await stock(harness) == 40


async def test_paid_just_before_the_sweep_is_kept(harness: ShopHarness, stripe_api: FakeStripe) -> None:
    """The webhook was lost; the sweeper asks Stripe before cancelling and finds it paid."""
    order, _ = await checkout_online(harness)
    stripe_api.pay(order.payment_ref or "")
    assert order.payment_expires_at is not None
    await harness.shop.ordering.expire_due(order.payment_expires_at + timedelta(minutes=2))
    await harness.shop.idle()
    paid = await harness.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID
    assert await stock(harness) == 39


async def test_a_payment_still_settling_is_said_to_be_processing(harness: ShopHarness, stripe_api: FakeStripe) -> None:
    """A bank debit completes Checkout unpaid and settles days later: "Pay online" again tells the
    customer their payment is being processed (not that the order "is already placed")."""
    order, _ = await checkout_online(harness)
    stripe_api.pay(order.payment_ref or "", delayed=True)
    reply = await harness.choose("asha", f"paylink:{order.number}")
    assert f"Your payment for order {order.number} is being processed" in reply, reply
    assert "already placed" not in reply and len(stripe_api.sessions) == 1
