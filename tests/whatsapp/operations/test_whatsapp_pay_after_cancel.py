"""A customer cancels an order in chat, then pays its WhatsApp bill anyway: Meta hears 200, the money goes back."""

from __future__ import annotations

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, text_of
from tests.whatsapp.test_pay import billed, captured, priya, shop

__all__ = ["priya", "shop"]


async def test_a_bill_paid_after_the_customer_cancelled_is_refunded_and_acknowledged(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    placed, reference = await billed(shop, fake, priya)
    number = placed.number
    await priya.say("orders")
    await priya.tap(f"o:{number}")
    await priya.tap(f"cancel:{number}")
    await priya.tap(f"cancelyes:{number}")
    order = await shop.shop.store.get_order(number)
    assert order is not None and order.status is OrderStatus.CANCELLED
    total = order.total.minor
    fake.payments[reference] = {
        "reference_id": reference,
        "status": "captured",
        "amount": {"value": total, "offset": 100},
        "currency": "INR",
    }
    assert await priya.post(captured(reference, total)) == 200  # a 500 has Meta redeliver for 7 days
    [refund] = fake.refunds
    assert refund["reference_id"] == reference and refund["amount"] == {
        "currency": "INR",
        "value": total,
        "offset": 100,
    }
    order = await shop.shop.store.get_order(number)
    assert order is not None and order.refunded_amount == total
    assert any("₹727.50" in text_of(m) and "refund" in text_of(m).lower() for m in priya.new())


async def test_cancelling_in_chat_cancels_the_whatsapp_bill_too(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    placed, reference = await billed(shop, fake, priya)
    number = placed.number
    await priya.say("orders")
    await priya.tap(f"o:{number}")
    await priya.tap(f"cancel:{number}")
    await priya.tap(f"cancelyes:{number}")
    assert fake.bills[reference] == "canceled"
