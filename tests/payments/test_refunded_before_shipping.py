"""A paid order refunded in full before it ships (the dashboard's Refund, or a refund made in the
provider's dashboard) ends as "refunded" and never ships: its goods go back on the shelf and its
coupon use comes back, as for a cancel. They used to stay reserved for good."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.stripe import FakeStripe
from tests.operations import hears_orders
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
    plugin = '\n[plugins]\nmodules = ["tests.operations.hears_orders"]\n'
    hears_orders.REFUNDS.clear()
    async with running_shop(INDIA + STRIPE.format(api=server.make_url("")) + CATALOG + plugin, tmp_path / "shop") as h:
        yield h


async def paid(h: ShopHarness, api: FakeStripe) -> str:
    order, _ = await checkout_online(h)
    event = api.pay(order.payment_ref or "")
    assert await api.send_webhook(h.client.session, h.url(WEBHOOK), event) == 200
    await h.shop.idle()
    assert await stock(h) == 39
    return order.number


async def test_a_paid_order_refunded_from_the_dashboard_puts_its_stock_back(
    harness: ShopHarness, stripe_api: FakeStripe
) -> None:
    number = await paid(harness, stripe_api)
    order = await harness.shop.refund_order(number)
    assert order.status is OrderStatus.REFUNDED
    assert await stock(harness) == 40


async def test_a_paid_order_refunded_in_the_stripe_dashboard_puts_its_stock_back(
    harness: ShopHarness, stripe_api: FakeStripe
) -> None:
    number = await paid(harness, stripe_api)
    (intent,) = stripe_api.intents
    event = stripe_api.dashboard_refund(intent, 27500)
    assert await stripe_api.send_webhook(harness.client.session, harness.url(WEBHOOK), event) == 200
    await harness.shop.idle()
    order = await harness.shop.store.get_order(number)
    assert order is not None and order.status is OrderStatus.REFUNDED
    assert await stock(harness) == 40


async def test_a_cancelled_order_refunded_later_is_not_put_back_twice(
    harness: ShopHarness, stripe_api: FakeStripe
) -> None:
    number = await paid(harness, stripe_api)
    order = await harness.shop.move_order(number, OrderStatus.CANCELLED)  # cancelled, then refunded
    assert order.status is OrderStatus.REFUNDED
    assert await stock(harness) == 40


async def test_the_refund_of_a_cancel_is_told_to_the_plugins(harness: ShopHarness, stripe_api: FakeStripe) -> None:
    """A paid order cancelled is refunded through Stripe as the dashboard's Refund is, but only the
    Refund reached ``order_refunded``: an export or accounting plugin missed every cancel's money."""
    number = await paid(harness, stripe_api)
    await harness.shop.move_order(number, OrderStatus.CANCELLED, note="owner")
    assert [(number, 27500)] == hears_orders.REFUNDS
