"""A payment and a cancel of the same order land at the same moment (two workers on PostgreSQL).

The customer pays the link in the second they tap "Cancel" (or the sweeper gives up on the order):
whichever the database applies first, the customer never ends with a cancelled order and their
money kept. The row lock a test holds on the order lines both up in a known order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from chatshop.orders import Order, OrderStatus
from chatshop.testing import ShopHarness, running_shop
from tests.operations.providers import HeldRazorpay
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY
from tests.payments.test_razorpay_journey import checkout_online

WEBHOOK = "/webhooks/payments/razorpay"


@pytest.fixture
async def shop(
    razorpay_api: HeldRazorpay,
    postgres_url: str,
    aiohttp_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(razorpay_api.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    toml = INDIA.replace('url = "sqlite:///shop.db"', f'url = "{postgres_url}"')
    toml += RAZORPAY.format(key_id=razorpay_api.key_id, api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


async def queued_on_the_lock(admin: asyncpg.Connection, count: int) -> None:
    """Until ``count`` of the shop's connections wait for the row the test has locked."""
    while True:
        waiting = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.01)


async def crossing(h: ShopHarness, razorpay: HeldRazorpay, postgres_url: str, *, paid_first: bool) -> Order:
    """The customer pays and cancels at once; the database takes the payment first or second."""
    order, _ = await checkout_online(h)
    paid = razorpay.pay(order.payment_ref or "")  # paid at Razorpay; its webhook is on the way
    admin = await asyncpg.connect(postgres_url)
    try:
        async with admin.transaction():
            await admin.execute("SELECT 1 FROM orders WHERE number = $1 FOR UPDATE", order.number)
            first, second = (
                (lambda: razorpay.send_webhook(h.client.session, h.url(WEBHOOK), paid)),
                (lambda: h.choose("asha", f"cancelyes:{order.number}")),
            )
            if not paid_first:
                first, second = second, first
            one = asyncio.create_task(first())
            await asyncio.wait_for(queued_on_the_lock(admin, 1), 10)
            two = asyncio.create_task(second())
            await asyncio.wait_for(queued_on_the_lock(admin, 2), 10)
        await asyncio.gather(one, two)
    finally:
        await admin.close()
    await h.shop.idle()
    after = await h.shop.store.get_order(order.number)
    assert after is not None
    return after


@pytest.mark.parametrize("paid_first", [True, False], ids=["payment-first", "cancel-first"])
async def test_a_payment_crossing_a_cancel_is_refunded(
    shop: ShopHarness, razorpay_api: HeldRazorpay, postgres_url: str, paid_first: bool
) -> None:
    after = await crossing(shop, razorpay_api, postgres_url, paid_first=paid_first)
    (payment,) = razorpay_api.payments.values()
    assert after.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
    assert payment["amount_refunded"] == 27500  # the customer has their money back
    assert after.paid_amount == after.refunded_amount == 27500
    assert any("We refunded ₹275.00" in text for text in shop.texts_to("terminal:asha"))
    assert (await shop.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 40
