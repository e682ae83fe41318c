"""``[shop] timezone``: times shown to customers and staff, and the dashboard's days, are the shop's own."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from chatshop.config import ConfigError, parse_config
from chatshop.orders import Order
from chatshop.plugins.dashboard.numbers import shop_numbers
from chatshop.shoptime import ShopTime
from chatshop.testing import ShopHarness
from tests.conftest import SHOP_TOML, ShopFactory
from tests.web.admin_client import login
from tests.web.conftest import ADMIN_ENV, ADMIN_TOKEN

KOLKATA = SHOP_TOML.replace('locales = ["en", "de"]', 'locales = ["en", "de"]\ntimezone = "Asia/Kolkata"')


def test_the_default_is_utc() -> None:
    assert parse_config({"shop": {"name": "x", "currency": "INR"}}).shop.timezone == "UTC"


@pytest.mark.parametrize(
    ("given", "hint"),
    [("Asia/Kolkatta", "did you mean 'Asia/Kolkata'"), ("utc", "did you mean 'UTC'"), ("../../etc/passwd", "IANA")],
)
def test_a_wrong_time_zone_is_named_with_its_key_path(given: str, hint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"shop": {"name": "x", "currency": "INR", "timezone": given}})
    (problem,) = caught.value.problems
    assert problem.path == "shop.timezone" and hint in problem.message


def test_times_are_told_on_the_shops_clock() -> None:
    moment = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert ShopTime("Asia/Kolkata").clock(moment) == "14:30 IST"
    assert ShopTime("UTC").clock(moment) == "09:00 UTC"
    assert ShopTime("Europe/Berlin").clock(moment) == "10:00 CET"
    assert ShopTime("Europe/Berlin").clock(datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) == "11:00 CEST"
    assert ShopTime("Asia/Dubai").stamp("2026-11-25T09:00:00.000000Z") == "25 Nov 2026 13:00 UTC+04"


def test_a_day_with_a_clock_change_has_its_own_length() -> None:
    clock = ShopTime("Europe/Berlin")
    day = clock.day(datetime(2026, 10, 25, 12, 0, tzinfo=UTC))  # summer time ends that night
    assert day.end - day.start == timedelta(hours=25)
    assert day.start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)


async def test_the_payment_link_expires_at_the_shops_time(make_shop: ShopFactory) -> None:
    async with make_shop(KOLKATA) as h:
        order = await _order(h)
        method = h.shop.payment_methods["cod"]
        request = await method.payment_request(order, "https://pay.example/x", datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
        assert "valid until 14:30 IST" in request.body and "UTC" not in request.body


async def test_the_dashboards_days_are_the_shops_days(make_shop: ShopFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """An order at 20:00 UTC on the 24th was placed at 01:30 on the 25th in Mumbai: a Mumbai shop
    counts it on the 25th, a UTC shop on the 24th."""
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    placed = "2026-11-24T20:00:00.000000Z"
    now = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    admin = f'\n[admin]\ntoken_env = "{ADMIN_ENV}"\n'
    for toml, today in ((SHOP_TOML + admin, 0), (KOLKATA + admin, 1)):
        async with make_shop(toml) as h:
            order = await _order(h)
            _backdate(h, order.number, placed)
            numbers = await shop_numbers(h.shop, now)
            assert (numbers.orders_today, numbers.orders_week) == (today, 1)
            if today:
                await login(h)
                page = await (await h.client.get(f"/admin/orders/{order.number}")).text()
                assert "25 Nov 2026 01:30 IST" in page
                assert "Days are Asia/Kolkata days" in await (await h.client.get("/admin/numbers")).text()


async def _order(h: ShopHarness) -> Order:
    await h.say("alice", "atta")  # the one match
    await h.say("alice", "1")  # Add to cart
    await h.say("alice", "1")  # Checkout
    await h.say("alice", "12 Hill Road, Bandra West, Mumbai 400050")
    await h.say("alice", "1")  # Confirm order
    (order,) = await h.shop.store.list_orders()
    return order


def _backdate(h: ShopHarness, number: str, at: str) -> None:
    path = h.shop.config.resolve("shop.db")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE orders SET created_at = ? WHERE number = ?", (at, number))
