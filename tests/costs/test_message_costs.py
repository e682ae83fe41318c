"""Each message the shop sends is counted as Meta bills it (a service reply inside the window, a
utility or marketing template outside it, anything in a free entry-point window) per shop day and
per order, in the same transaction as its "sent" mark; the dashboard prices it from
``[channels.whatsapp.rates]``; SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.config import ConfigError
from chatshop.orders import Order
from chatshop.plugins.dashboard.numbers import shop_numbers
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.conftest import SHOP_TOML, ShopFactory, on_storage
from tests.whatsapp.customer import Customer
from tests.whatsapp.meta import contact, envelope
from tests.whatsapp.shops import ORDER_TEMPLATES, graph_url, whatsapp_shop, whatsapp_shop_toml

CATALOG = "id,title,price,category,stock\nmilk-1l,Amul Taaza Milk 1 l,68.00,Dairy,100\n"
SHOP = 'name = "Kirana Corner"\ncurrency = "INR"\nlocale = "en"\nlocales = ["en"]\ntimezone = "Asia/Kolkata"'
RATES = """
[channels.whatsapp.rates]
currency = "INR"
marketing = "0.8631"
utility = "0.115"
service = "0.115"
"""
COD = '[payments.cod]\n\n[delivery]\nfee = "30.00"\n'


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path, storage: str) -> AsyncIterator[ShopHarness]:
    toml = whatsapp_shop_toml(graph_url(graph), shop=SHOP, more=COD, templates=ORDER_TEMPLATES + RATES)
    async with whatsapp_shop(on_storage(toml, storage), tmp_path / "shop", CATALOG) as h:
        yield h


async def buy(customer: Customer, shop: ShopHarness) -> Order:
    await customer.say("milk")
    await customer.tap("add:milk-1l:1")
    await customer.tap("checkout")
    await customer.say("Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050")
    await customer.tap("confirm")
    [order] = await shop.shop.store.list_orders(customer_key=customer.key)
    return order


async def counted(shop: ShopHarness) -> dict[str, int]:
    totals: dict[str, int] = {}
    for _, channel, billing, n in await shop.shop.store.message_counts(shop.shop.time.day(shop.shop.now()).date):
        assert channel == "whatsapp"
        totals[billing] = totals.get(billing, 0) + n
    return totals


async def test_replies_are_service_messages_and_a_template_outside_the_window_a_utility_one(
    shop: ShopHarness, fake: FakeGraph
) -> None:
    priya = Customer(shop, fake, "919812345678", "Priya")
    order = await buy(priya, shop)
    assert await counted(shop) == {"service": 5}  # one message per step: search, add, checkout, address, confirm
    later = shop.shop.now() + timedelta(hours=25)
    shop.shop.clock = lambda: later
    await shop.shop.ship_order(order.number)
    await shop.shop.idle()
    assert fake.sent[-1].type == "template"
    counts = await shop.shop.store.message_counts(datetime.now(UTC).date() - timedelta(days=2))
    shipped_on = shop.shop.time.day(later).date  # the shop's day (Mumbai's) it was sent
    assert (shipped_on, "whatsapp", "utility", 1) in counts
    assert await shop.shop.store.order_message_counts(order.number) == [("whatsapp", "utility", 1)]

    numbers = await shop_numbers(shop.shop, later)
    [row] = numbers.messages
    assert row.week == 6 and row.by_billing == {"service": 5, "utility": 1} and row.orders_week == 1
    assert row.cost_week == "₹0.69"  # 6 × 0.115 = 0.69
    assert row.per_order == "6.0" and row.cost_per_order == "₹0.69"


async def test_a_customer_from_an_ad_costs_nothing_for_72_hours(shop: ShopHarness, fake: FakeGraph) -> None:
    wa = "919800000042"
    message = {
        "from": wa,
        "id": "wamid.FROM_AD_1",
        "timestamp": str(int(datetime.now(UTC).timestamp())),
        "type": "text",
        "text": {"body": "hi"},
        "referral": {"source_url": "https://fb.me/x", "source_id": "1203", "source_type": "ad", "ctwa_clid": "ARAkL"},
    }
    customer = Customer(shop, fake, wa, "Ad Clicker")
    assert await customer.post(envelope(messages=[message], contacts=[contact(wa, "Ad Clicker")])) == 200
    assert await counted(shop) == {"free_entry_point": 1}


async def test_channels_without_a_price_count_as_free(make_shop: ShopFactory) -> None:
    async with make_shop(SHOP_TOML) as h:
        await h.say("asha", "hi")
        rows = await h.shop.store.message_counts(datetime.now(UTC).date() - timedelta(days=1))
        assert [(channel, billing, n) for _, channel, billing, n in rows] == [("terminal", "free", 1)]
        numbers = await shop_numbers(h.shop, h.shop.now())
        assert numbers.messages[0].cost_week is None  # no rate table: counts, no cost


@pytest.mark.parametrize(
    ("rates", "path"),
    [
        ('currency = "INR"\nmarketing = "-1"', "channels.whatsapp.rates.marketing"),
        ('currency = "INR"\nutility = "cheap"', "channels.whatsapp.rates.utility"),
        ('currency = "RUPEES"', "channels.whatsapp.rates.currency"),
        ('currency = "INR"\nauthentication = "0.1"', "channels.whatsapp.rates.authentication"),
    ],
)
async def test_a_wrong_rate_is_named_with_its_key_path(
    graph: TestServer, tmp_path: Path, rates: str, path: str
) -> None:
    toml = whatsapp_shop_toml(graph_url(graph), shop=SHOP, more=COD, templates=ORDER_TEMPLATES)
    toml += f"\n[channels.whatsapp.rates]\n{rates}\n"
    with pytest.raises(ConfigError) as caught:
        async with whatsapp_shop(toml, tmp_path / "shop", CATALOG):
            pass
    assert path in {p.path for p in caught.value.problems}


def test_rates_keep_their_decimals() -> None:
    from chatshop.costs import Rates

    rates = Rates("INR", {"marketing": Decimal("0.8631")})
    assert rates.cost({"marketing": 3}) == Decimal("2.5893")
    assert rates.money(rates.cost({"marketing": 3})).format("en") == "₹2.59"
