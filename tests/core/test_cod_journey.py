"""A scripted customer buys with cash on delivery through the terminal channel, end to end."""

from __future__ import annotations

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness


async def test_customer_buys_with_cash_on_delivery(harness: ShopHarness) -> None:
    reply = await harness.say("asha", "hi")
    assert "Welcome to Test Kirana" in reply
    assert "1. Browse catalog" in reply
    reply = await harness.say("asha", "atta")  # free-text search finds the one match
    assert "Aashirvaad Atta 5 kg" in reply and "₹245.00" in reply
    reply = await harness.say("asha", "1")  # Add to cart
    assert "Added 1 × Aashirvaad Atta 5 kg" in reply
    reply = await harness.say("asha", "1")  # Checkout
    assert "Where should we deliver?" in reply
    reply = await harness.say("asha", "Flat 4, Sea View, Bandra West, Mumbai 400050")
    assert "Delivery: ₹30.00" in reply and "Total: ₹275.00" in reply
    assert "Payment: Cash on delivery" in reply
    reply = await harness.say("asha", "1")  # Confirm order
    assert "is placed" in reply and "₹275.00" in reply
    (order,) = await harness.shop.store.list_orders()
    assert order.status == OrderStatus.COD_PENDING
    assert order.total.minor == 27500
    assert order.postal_code == "400050"
    assert order.number in reply
    inventory = await harness.shop.store.inventory(["atta-5kg"])
    assert inventory["atta-5kg"].stock == 39
