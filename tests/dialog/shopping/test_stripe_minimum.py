"""Stripe refuses to charge less than its minimum per currency (USD 0.50, GBP 0.30, JPY 50, ...):
a smaller order must not be offered Stripe, where it would only ever get "Try again"."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.stripe import FakeStripe

SHOP = """
[shop]
name = "Corner shop"
currency = "{currency}"
locale = "en"

[storage]
url = "sqlite:///shop.db"

[server]
public_url = "https://shop.example.com"
retry_base_seconds = 0.01
sweep_seconds = 3600

[payments.cod]
max_order_total = "100000"

[payments.stripe]
api_base_url = "{api}"
retry_delays_seconds = [0, 0]

[[catalog.products]]
id = "sweet"
title = "Toffee"
price = "{price}"
"""

Open = Callable[[str, str], Any]


@pytest.fixture
def stripe_api() -> FakeStripe:
    return FakeStripe()


@pytest.fixture
def open_shop(stripe_api: FakeStripe, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Open:
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_api.secret_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", stripe_api.webhook_secret)

    async def start(currency: str, price: str) -> AbstractAsyncContextManager[ShopHarness]:
        server = await aiohttp_server(stripe_api.app())
        return running_shop(SHOP.format(currency=currency, price=price, api=server.make_url("")), tmp_path / currency)

    return start


async def payment_choices(h: ShopHarness, quantity: int) -> str:
    await h.choose("sam", f"add:sweet:{quantity}")
    await h.choose("sam", "checkout")
    return await h.say("sam", "221B Baker Street, London NW1 6XE")


@pytest.mark.parametrize(
    ("currency", "price", "below", "at_least"),
    [("USD", "0.25", 1, 2), ("EUR", "0.10", 4, 5), ("GBP", "0.15", 1, 2), ("JPY", "25", 1, 2), ("INR", "0.25", 1, 2)],
)
async def test_stripe_is_offered_from_its_minimum_charge_on(
    open_shop: Open, stripe_api: FakeStripe, currency: str, price: str, below: int, at_least: int
) -> None:
    async with await open_shop(currency, price) as h:
        reply = await payment_choices(h, below)
        assert "Pay online" not in reply and "Cash on delivery" in reply, reply
        await h.choose("sam", "clear")
        reply = await payment_choices(h, at_least)
        assert "Pay online: card" in reply, reply
        await h.choose("sam", "pay:stripe")
        reply = await h.choose("sam", "confirm")
        assert "checkout.stripe.com" in reply and len(stripe_api.sessions) == 1, reply
