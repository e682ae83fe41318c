"""A cash-on-delivery shop that asks for confirmation (its ``shop.toml``), and a customer's way to a
cash order in it. The running shop is the ``cod_shop`` fixture (conftest.py)."""

from __future__ import annotations

from chatshop.orders import Order
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.conftest import on_storage

SHOP = """
[shop]
name = "Test Kirana"
currency = "INR"
locale = "en"
timezone = "Asia/Kolkata"

[storage]
url = "sqlite:///shop.db"

[server]
public_url = "https://shop.example.com"
retry_base_seconds = 0.01
sweep_seconds = 3600

[delivery]
fee = "30.00"
free_above = "499.00"
areas = ["400050"]

[reminders]
quiet_from = "00:00"
quiet_until = "00:00"

[payments.cod]
fee = "20.00"
confirm = true
confirm_remind_minutes = 30
confirm_cancel_minutes = 120
{cod}

[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
price = "245.00"
category = "Staples"
stock = 40
"""

RAZORPAY = """
[payments.razorpay]
key_id = "{key_id}"
api_base_url = "{api}"
retry_delays_seconds = [0, 0]
"""


def toml(storage: str, cod: str = "", razorpay: FakeRazorpay | None = None, api: str = "") -> str:
    """The shop on ``storage``; ``cod`` adds keys to ``[payments.cod]`` or sets ones it has."""
    text = SHOP
    for line in cod.splitlines():
        key = line.split("=")[0].strip()
        if f"\n{key} = " in text:
            text = "\n".join(line if ln.startswith(f"{key} = ") else ln for ln in text.split("\n"))
            continue
        text = text.replace("{cod}", f"{line}\n{{cod}}")
    text = on_storage(text.replace("{cod}", ""), storage)
    if razorpay is not None:
        text += RAZORPAY.format(key_id=razorpay.key_id, api=api)
    return text


async def cash_order(h: ShopHarness, customer: str = "asha") -> tuple[Order, str]:
    """Atta to an address in the area, paid in cash: the order and the reply to "Confirm order"."""
    await h.say(customer, "atta")
    await h.say(customer, "1")  # Add to cart
    reply = await h.say(customer, "1")  # Checkout
    reply = await h.say(customer, "Flat 4, Sea View, Bandra West, Mumbai 400050")
    if "Cash on delivery" in reply and "Confirm order" not in reply:  # more than one way to pay
        cash = next(line for line in reply.splitlines() if "Cash on delivery" in line)
        reply = await h.say(customer, cash.split(".")[0])
    assert "Payment: Cash on delivery" in reply
    reply = await h.say(customer, "1")  # Confirm order
    (order, *_) = await h.shop.store.list_orders(customer_key=f"terminal:{customer}")
    return order, reply
