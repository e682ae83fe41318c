"""Stripe counts money its own way: yen are whole, krónur travel with two zero decimals, dinars
with three decimals ending in 0. A shop in any of them charges exactly its total."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chatshop.orders import Order, OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.stripe import FakeStripe, major

WEBHOOK = "/webhooks/payments/stripe"

SHOP = """
[shop]
name = "Currency test"
currency = "{currency}"
locale = "en"

[storage]
url = "sqlite:///shop.db"

[server]
public_url = "https://shop.example.com"
retry_base_seconds = 0.01
sweep_seconds = 3600

[payments.stripe]
api_base_url = "{api}"
retry_delays_seconds = [0, 0]

[[catalog.products]]
id = "tea"
title = "Green tea"
price = "{price}"
stock = 10
"""

Shop = Callable[[str, str], AsyncIterator[ShopHarness]]


@pytest.fixture
def open_shop(
    stripe_api: FakeStripe, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str], Any]:
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_api.secret_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", stripe_api.webhook_secret)

    async def start(currency: str, price: str) -> Any:
        server = await aiohttp_server(stripe_api.app())
        toml = SHOP.format(currency=currency, price=price, api=server.make_url(""))
        return running_shop(toml, tmp_path / currency)

    return start


async def buy(h: ShopHarness, quantity: int = 2) -> tuple[Order, str]:
    await h.say("kenji", "green tea")
    await h.choose("kenji", f"add:tea:{quantity}")
    await h.say("kenji", "1")  # Checkout
    # a postal code in every shop's form: Japan's 150-0002, and five digits (Korea, the US) last
    reply = await h.say("kenji", "1-2-3 Shibuya, Tokyo 150-0002, 10115")
    for _ in range(3):  # a payment choice, when the shop offers several ways
        if "Confirm" in reply:
            break
        reply = await h.say("kenji", "1")
    assert "Confirm" in reply, reply
    reply = await h.say("kenji", "1")  # Confirm
    (order,) = await h.shop.store.list_orders(customer_key="terminal:kenji")
    return order, reply


@pytest.mark.parametrize(
    ("currency", "price", "quantity", "paid"),
    [
        ("JPY", "500", 2, Decimal(1000)),
        ("KRW", "12000", 1, Decimal(12000)),
        ("USD", "2.50", 3, Decimal("7.50")),
        ("ISK", "500", 2, Decimal(1000)),
        ("KWD", "1.250", 2, Decimal("2.500")),
    ],
)
async def test_the_customer_is_charged_exactly_the_total_and_it_pays_the_order(
    open_shop: Callable[[str, str], Any],
    stripe_api: FakeStripe,
    currency: str,
    price: str,
    quantity: int,
    paid: Decimal,
) -> None:
    async with await open_shop(currency, price) as h:
        order, reply = await buy(h, quantity)
        assert order.status is OrderStatus.PENDING_PAYMENT
        session = stripe_api.sessions.get(order.payment_ref or "")
        assert session is not None, reply
        assert major(session["amount_total"], session["currency"]) == paid == order.total.decimal
        assert session["url"] in reply

        status = await stripe_api.send_webhook(h.client.session, h.url(WEBHOOK), stripe_api.pay(session["id"]))
        assert status == 200
        await h.shop.idle()
        after = await h.shop.store.get_order(order.number)
        assert after is not None and after.status is OrderStatus.PAID, h.texts_to("terminal:kenji")[-1]
        assert after.paid_amount == order.total.minor

        await h.choose("kenji", f"cancel:{order.number}")
        await h.choose("kenji", f"cancelyes:{order.number}")
        await h.shop.idle()
        refunded = await h.shop.store.get_order(order.number)
        assert refunded is not None and refunded.status is OrderStatus.REFUNDED
        (refund,) = stripe_api.refunds
        assert major(refund["amount"], refund["currency"]) == paid


async def test_a_dinar_total_stripe_cannot_charge_exactly_is_not_offered_through_stripe(
    open_shop: Callable[[str, str], Any], stripe_api: FakeStripe
) -> None:
    """KWD 1.255: Stripe needs the last of three digits to be 0 and would round; money stays exact."""
    async with await open_shop("KWD", "1.255") as h:
        await h.say("kenji", "green tea")
        await h.say("kenji", "1")
        await h.say("kenji", "1")
        reply = await h.say("kenji", "1-2-3 Shibuya, Tokyo 150-0002")
        assert "Stripe" not in reply and "Pay online" not in reply
        assert not stripe_api.sessions
        assert not await h.shop.store.list_orders()


async def test_dinar_lines_stripe_cannot_show_exactly_are_charged_as_one_exact_total(
    open_shop: Callable[[str, str], Any], stripe_api: FakeStripe
) -> None:
    """2 × KWD 1.255 = 2.510: each line is off Stripe's grid, the total is on it."""
    async with await open_shop("KWD", "1.255") as h:
        order, _ = await buy(h, 2)
        session = stripe_api.sessions[order.payment_ref or ""]
        assert major(session["amount_total"], "kwd") == Decimal("2.510") == order.total.decimal
