"""whatsapp_pay end to end: the bill in chat, Meta's payment webhook, the order paid and shipped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop

from .customer import Customer, eventually, text_of
from .fake_graph import FakeGraph
from .meta import fixture
from .test_e2e import WA_ID, catalog_csv, shop_toml

PAY = """
[payments.whatsapp_pay]
configuration_name = "kirana-razorpay"
gateway = "razorpay"
"""
ADDRESS = "Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050"


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    url = str(graph.make_url("")).rstrip("/")
    files = {"catalog.csv": catalog_csv()}
    async with running_shop(shop_toml(url, PAY), tmp_path / "shop", files=files, terminal=False) as h:
        yield h


@pytest.fixture
def priya(shop: ShopHarness, fake: FakeGraph) -> Customer:
    return Customer(shop, fake, WA_ID, "Priya Sharma")


async def billed(shop: ShopHarness, fake: FakeGraph, priya: Customer) -> tuple[str, str]:
    """Priya buys milk and chooses to pay in WhatsApp: (order number, bill reference)."""
    await priya.say("hi")
    await priya.say("milk")
    await priya.tap("add:milk-1l:1")
    await priya.tap("checkout")
    await priya.say(ADDRESS)
    await priya.tap("pay:whatsapp_pay")
    placed = await priya.tap("confirm")
    bill = next(m for m in placed if m.content.get("type") == "order_details")
    [order] = await shop.shop.store.list_orders(customer_key=priya.key)
    reference = bill.content["action"]["parameters"]["reference_id"]
    assert order.payment_ref == reference and fake.bills[reference] == "pending"
    assert fake.refused == []  # the bill kept every rule the fake checks (total, offsets, names)
    return order.number, reference


def captured(reference: str, value: int) -> dict[str, Any]:
    payload = fixture("webhook_status_payment_captured.json")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["payment"]["reference_id"] = reference
    status["payment"]["amount"]["value"] = value
    return payload


async def test_paid_in_chat_then_shipped_moves_the_bill(shop: ShopHarness, fake: FakeGraph, priya: Customer) -> None:
    number, reference = await billed(shop, fake, priya)
    order = await shop.shop.store.get_order(number)
    assert order is not None and order.status is OrderStatus.PENDING_PAYMENT
    total = order.total.minor
    fake.payments[reference] = {
        "reference_id": reference,
        "status": "captured",
        "amount": {"value": total, "offset": 100},
        "currency": "INR",
    }
    assert await priya.post(captured(reference, total)) == 200
    order = await shop.shop.store.get_order(number)
    assert order is not None and order.status is OrderStatus.PAID
    assert any("Payment of ₹68.00 received" in text_of(m) for m in priya.new())

    await shop.shop.move_order(number, OrderStatus.SHIPPED)
    await eventually(lambda: fake.bills[reference] == "shipped")
    assert fake.sent[-1].content["type"] == "order_status" and fake.async_errors == []


async def test_a_payment_for_the_wrong_amount_does_not_pay_the_order(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    number, reference = await billed(shop, fake, priya)
    fake.payments[reference] = {
        "reference_id": reference,
        "status": "captured",
        "amount": {"value": 100, "offset": 100},
        "currency": "INR",
    }
    assert await priya.post(captured(reference, 100)) == 200
    order = await shop.shop.store.get_order(number)
    assert order is not None and order.status is OrderStatus.PENDING_PAYMENT


async def test_a_captured_webhook_meta_cannot_confirm_is_not_trusted(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    number, reference = await billed(shop, fake, priya)
    order = await shop.shop.store.get_order(number)
    assert order is not None
    assert await priya.post(captured(reference, order.total.minor)) == 200  # no such payment at Meta
    order = await shop.shop.store.get_order(number)
    assert order is not None and order.status is OrderStatus.PENDING_PAYMENT
