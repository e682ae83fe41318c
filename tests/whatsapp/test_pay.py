"""whatsapp_pay in a real shop: the order_details bill, order_status moves, payment webhooks
confirmed with Meta. Everything goes through the shop as it runs: the dialog places the order, signed
webhooks arrive at /webhooks/whatsapp, and the fake Graph API is the only stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from chatshop.messages import OrderStatusUpdate
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentContext
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.whatsapp import FakeGraph

from .customer import Customer, eventually, text_of
from .meta import fixture
from .test_e2e import WA_ID, catalog_csv, shop_toml

PAY = """
[payments.whatsapp_pay]
configuration_name = "kirana-razorpay"
gateway = "razorpay"
"""
ADDRESS = "B-1204, Sunrise Heights, Sahar Road, Mumbai 400069"


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    url = str(graph.make_url("")).rstrip("/")
    files = {"catalog.csv": catalog_csv()}
    async with running_shop(shop_toml(url, PAY), tmp_path / "shop", files=files, terminal=False) as h:
        yield h


@pytest.fixture
def priya(shop: ShopHarness, fake: FakeGraph) -> Customer:
    return Customer(shop, fake, WA_ID, "Priya Sharma")


async def billed(shop: ShopHarness, fake: FakeGraph, priya: Customer) -> tuple[Order, str]:
    """Priya buys 2 atta and a rice and pays in WhatsApp: the order and its bill's reference."""
    await priya.say("hi")
    await priya.say("atta")
    await priya.tap("qty:ATTA-AASH-5KG")
    await priya.tap("add:ATTA-AASH-5KG:2")
    await priya.say("basmati")
    await priya.tap("add:RICE-BASM-1KG:1")
    await priya.tap("checkout")
    await priya.say(ADDRESS)
    await priya.tap("pay:whatsapp_pay")
    await priya.tap("confirm")
    [order] = await shop.shop.store.list_orders(customer_key=priya.key)
    assert order.payment_ref is not None
    return order, order.payment_ref


def captured(reference: str, value: int) -> dict[str, Any]:
    payload = fixture("webhook_status_payment_captured.json")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["payment"]["reference_id"] = reference
    status["payment"]["amount"]["value"] = value
    return payload


def at_meta(fake: FakeGraph, reference: str, value: int) -> None:
    """Meta's own record of the payment: what the shop's lookup finds."""
    fake.payments[reference] = {
        "reference_id": reference,
        "status": "captured",
        "amount": {"value": value, "offset": 100},
        "currency": "INR",
    }


async def status_of(shop: ShopHarness, number: str) -> OrderStatus:
    order = await shop.shop.store.get_order(number)
    assert order is not None
    return order.status


async def test_offered_on_whatsapp_in_rupees_within_the_upi_cap(shop: ShopHarness) -> None:
    pay = shop.shop.payment_methods["whatsapp_pay"]
    assert pay.available(PaymentContext(Money(50000, "INR"), "400069", "whatsapp"))
    assert not pay.available(PaymentContext(Money(50000, "INR"), "400069", "wechat"))
    assert not pay.available(PaymentContext(Money(50000, "EUR"), None, "whatsapp"))
    assert not pay.available(PaymentContext(Money(5_00_000_01, "INR"), None, "whatsapp"))


async def test_the_bill_is_an_order_details_message_the_api_accepts(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    order, reference = await billed(shop, fake, priya)
    [sent] = [s for s in fake.sent if s.content.get("type") == "order_details"]
    p = sent.content["action"]["parameters"]
    assert p["reference_id"] == reference and reference.startswith(f"{order.number}.") and len(reference) <= 35
    assert order.total == Money(2 * 28900 + 14950, "INR")  # 727.50: above free delivery
    assert p["total_amount"] == {"value": 72750, "offset": 100}
    assert p["payment_settings"][0]["payment_gateway"] == {"type": "razorpay", "configuration_name": "kirana-razorpay"}
    assert fake.bills == {reference: "pending"} and fake.refused == []


async def test_a_captured_payment_is_confirmed_with_meta_then_applied(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    order, reference = await billed(shop, fake, priya)
    at_meta(fake, reference, 72750)
    assert await priya.post(captured(reference, 72750)) == 200
    paid = await shop.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 72750
    assert paid.history[-1]["note"] == "whatsapp_pay order_Pq7XkZ2mLw9aBc"  # the method and Meta's payment id
    receipt = [m for m in priya.new() if "Payment of ₹727.50 received" in text_of(m)]
    assert receipt and receipt[0].content.get("type") == "order_status"  # the receipt moves the bill on
    assert fake.bills[reference] == "processing" and fake.async_errors == []


async def test_a_captured_webhook_meta_does_not_confirm_is_ignored(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    order, reference = await billed(shop, fake, priya)
    fake.payments[reference] = {"reference_id": reference, "status": "pending", "currency": "INR"}
    assert await priya.post(captured(reference, 72750)) == 200
    assert await status_of(shop, order.number) is OrderStatus.PENDING_PAYMENT
    assert not any("received" in text_of(m) for m in priya.new())


async def test_a_failed_attempt_is_reported_as_failed(shop: ShopHarness, fake: FakeGraph, priya: Customer) -> None:
    order, reference = await billed(shop, fake, priya)
    payload = captured(reference, 72750)
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["status"] = "pending"
    status["payment"]["transaction"]["status"] = "failed"
    assert await priya.post(payload) == 200
    assert await status_of(shop, order.number) is OrderStatus.PENDING_PAYMENT
    assert any(f"The payment for order {order.number} did not go through" in text_of(m) for m in priya.new())


async def test_status_updates_move_the_in_chat_bill(shop: ShopHarness, fake: FakeGraph, priya: Customer) -> None:
    order, reference = await billed(shop, fake, priya)
    at_meta(fake, reference, 72750)
    await priya.post(captured(reference, 72750))
    priya.new()
    await shop.shop.move_order(order.number, OrderStatus.SHIPPED)
    await eventually(lambda: fake.bills[reference] == "shipped")
    await shop.shop.move_order(order.number, OrderStatus.DELIVERED)
    await eventually(lambda: fake.bills[reference] == "completed")
    moves = [m.content.get("type") for m in priya.new() if m.type == "interactive"]
    assert moves.count("order_status") >= 2 and fake.async_errors == []
    # The same update again (an outbox retry whose first send went through): a final bill is never
    # moved again (WhatsApp's 2046), the customer gets a text.
    again = OrderStatusUpdate(
        order_number=order.number, status="delivered", body="Delivered", payment_method="whatsapp_pay"
    )
    await shop.shop.channels["whatsapp"].send(WA_ID, again)
    assert fake.sent[-1].type == "text" and fake.bills[reference] == "completed"


async def test_a_paid_bill_is_not_cancelled_in_chat(shop: ShopHarness, fake: FakeGraph, priya: Customer) -> None:
    order, reference = await billed(shop, fake, priya)
    at_meta(fake, reference, 72750)
    await priya.post(captured(reference, 72750))
    priya.new()
    await shop.shop.move_order(order.number, OrderStatus.CANCELLED)
    await shop.shop.idle()
    told = priya.new()
    assert told and all(m.content.get("type") != "order_status" for m in told), told
    assert fake.bills[reference] != "canceled" and fake.async_errors == []


async def test_a_throttled_bill_move_is_tried_again_as_the_same_move(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    order, reference = await billed(shop, fake, priya)
    at_meta(fake, reference, 72750)
    await priya.post(captured(reference, 72750))
    fake.storm(130429, 100)
    await shop.shop.move_order(order.number, OrderStatus.SHIPPED)
    await eventually(lambda: len(fake.faults) < 100)  # refused at least once
    assert fake.bills[reference] != "shipped"
    fake.faults.clear()
    await eventually(lambda: fake.bills[reference] == "shipped")  # the outbox's retry, the same move
    assert fake.sent[-1].content["type"] == "order_status" and fake.async_errors == []


async def test_a_payment_for_the_wrong_amount_does_not_pay_the_order(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    order, reference = await billed(shop, fake, priya)
    at_meta(fake, reference, 100)  # Meta says ₹1.00 was paid for a ₹727.50 bill
    assert await priya.post(captured(reference, 100)) == 200
    assert await status_of(shop, order.number) is OrderStatus.PENDING_PAYMENT


async def test_a_captured_webhook_for_a_payment_meta_never_saw_is_not_trusted(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    order, reference = await billed(shop, fake, priya)
    assert await priya.post(captured(reference, 72750)) == 200  # no such payment at Meta
    assert await status_of(shop, order.number) is OrderStatus.PENDING_PAYMENT
    assert not any("received" in text_of(m) for m in priya.new())


async def test_asked_again_the_customer_gets_the_same_bill_and_once_paid_none(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    """A second bill with a new reference would be a second thing to pay: both could be paid."""
    order, reference = await billed(shop, fake, priya)
    method = shop.shop.payment_methods["whatsapp_pay"]
    again = await method.start(order)
    [request] = again.messages
    assert again.provider_ref == reference and request.data["reference_id"] == reference  # type: ignore[union-attr]
    at_meta(fake, reference, 72750)  # paid; its webhook has not come yet
    after = await method.start(order)
    await shop.shop.idle()
    assert after.messages == () and after.provider_ref is None
    assert await status_of(shop, order.number) is OrderStatus.PAID
