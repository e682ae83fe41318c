"""Stripe tells of our own refund (``charge.refunded``) as soon as it makes it, sometimes before
its answer to our refund call is back: that news is our refund, not one made in the Dashboard.

The cancel of a paid order must still cancel it (stock back), the customer hear of the refund
once, and the owner get no "refunded outside chatshop" alert for a refund chatshop made.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import structlog.testing
from aiohttp import web

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.stripe import PARAMS, FakeStripe
from tests.conftest import on_storage
from tests.payments.journey_shops import CATALOG, INDIA, STRIPE
from tests.payments.payment_helpers import place, stored

WEBHOOK = "/webhooks/payments/stripe"


class EagerStripe(FakeStripe):
    """Stripe whose ``charge.refunded`` reaches the shop before the refund call's answer does."""

    shop_url: str = ""
    delivered: list[tuple[int, dict[str, Any]]]

    async def _refund(self, request: web.Request) -> web.Response:
        response = await super()._refund(request)
        if response.status == 200:
            intent = str(request[PARAMS]["payment_intent"])
            event = self.event("charge.refunded", self.charge(intent))
            async with aiohttp.ClientSession() as http:
                self.delivered.append((await self.send_webhook(http, self.shop_url, event), event))
        return response

    async def deliver_again(self, h: ShopHarness) -> None:
        """Stripe's retry of what was not acknowledged the first time."""
        for status, event in self.delivered:
            if status != 200:
                assert await self.send_webhook(h.client.session, self.shop_url, event) == 200
        await h.shop.idle()


@pytest.fixture
async def eager() -> EagerStripe:
    api = EagerStripe()
    api.delivered = []
    return api


@pytest.fixture
async def shop(
    eager: EagerStripe, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, storage: str
) -> AsyncIterator[ShopHarness]:
    """A shop on each store: the hold on an order's refunds is the store's, across workers."""
    server = await aiohttp_server(eager.app())
    monkeypatch.setenv("STRIPE_SECRET_KEY", eager.secret_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", eager.webhook_secret)
    toml = on_storage(INDIA + STRIPE.format(api=server.make_url("")) + CATALOG, storage)
    async with running_shop(toml, tmp_path / "shop") as h:
        eager.shop_url = h.url(WEBHOOK)
        yield h


async def paid(h: ShopHarness, api: FakeStripe) -> None:
    order = await place(h, method="stripe")
    assert await api.send_webhook(h.client.session, h.url(WEBHOOK), api.pay(order.payment_ref or "")) == 200
    await h.shop.idle()
    assert (await stored(h)).status is OrderStatus.PAID


async def test_cancelling_a_paid_order_cancels_it_when_stripe_tells_of_the_refund_first(
    shop: ShopHarness, eager: EagerStripe
) -> None:
    h = shop
    await paid(h, eager)
    told = len(h.texts_to("terminal:alice"))
    with structlog.testing.capture_logs() as logs:
        order = await h.shop.move_order("K7M-4QX", OrderStatus.CANCELLED)
        await h.shop.idle()
        await eager.deliver_again(h)
    assert [status for status, _ in eager.delivered] == [503] and len(eager.refunds) == 1
    order = await stored(h)
    assert order.refunded_amount == 49000 and order.status is OrderStatus.REFUNDED
    assert any(entry["new"] == OrderStatus.CANCELLED.value for entry in order.history)  # its stock went back
    assert not [e for e in logs if e["event"] in ("payment.refunded_outside", "order.refunded_not_cancelled")]
    refunded = [t for t in h.texts_to("terminal:alice")[told:] if "refunded" in t]
    assert len(refunded) == 1


async def test_a_refund_from_the_dashboard_is_not_taken_for_one_made_outside_when_told_first(
    shop: ShopHarness, eager: EagerStripe
) -> None:
    h = shop
    await paid(h, eager)
    await h.shop.move_order("K7M-4QX", OrderStatus.CONFIRMED)
    told = len(h.texts_to("terminal:alice"))
    with structlog.testing.capture_logs() as logs:
        order = await h.shop.refund_order("K7M-4QX")
        await h.shop.idle()
        await eager.deliver_again(h)
    order = await stored(h)
    assert order.refunded_amount == 49000 and len(eager.refunds) == 1
    assert not [e for e in logs if e["event"] == "payment.refunded_outside"]
    assert not any("outside chatshop" in str(entry["note"]) for entry in order.history)
    assert len([t for t in h.texts_to("terminal:alice")[told:] if "refunded" in t]) == 1
