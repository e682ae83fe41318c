"""On WhatsApp: a reminder inside the 24-hour window is a free-form message; outside it only the
shop's approved marketing template goes, and only to a customer who opted in; STOP prevents the next
one. Back in stock: "Notify me", one message when stock returns (the dashboard, shop.toml), then
the alert ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.conftest import on_storage
from tests.whatsapp.customer import Customer, choices_of, text_of
from tests.whatsapp.shops import ORDER_TEMPLATES, graph_url, whatsapp_shop, whatsapp_shop_toml

CATALOG = (
    "id,title,price,category,stock\n"
    "milk-1l,Amul Taaza Milk 1 l,68.00,Dairy,100\n"
    "ghee-1l,Amul Pure Ghee 1 l,612.50,Dairy,0\n"
)
SHOP = 'name = "Kirana Corner"\ncurrency = "INR"\nlocale = "en"\nlocales = ["en", "de"]'
REMINDERS = '[reminders]\ncart_after_minutes = 60\nquiet_from = "00:00"\nquiet_until = "00:00"\n\n[payments.cod]\n'
TEMPLATES = (
    ORDER_TEMPLATES
    + """cart_reminder = "cart_left"
back_in_stock = "back_again"

[channels.whatsapp.templates.buttons]
cart_left = ["checkout"]
back_again = ["product"]
"""
)


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path, storage: str, t0: datetime) -> AsyncIterator[ShopHarness]:
    toml = on_storage(whatsapp_shop_toml(graph_url(graph), shop=SHOP, more=REMINDERS, templates=TEMPLATES), storage)
    async with whatsapp_shop(toml, tmp_path / "shop", CATALOG) as h:
        h.set_clock(t0)
        yield h


async def cart(customer: Customer) -> None:
    await customer.say("milk")
    await customer.tap("add:milk-1l:1")
    customer.new()


async def run_at(h: ShopHarness, moment: datetime) -> None:
    h.set_clock(moment)
    await h.shop.jobs.run_due()
    await h.shop.idle()


async def opted_in(customer: Customer) -> None:
    await customer.say("subscribe")
    customer.new()


async def test_inside_the_window_a_message_outside_a_template_for_the_opted_in_only(
    shop: ShopHarness, fake: FakeGraph, t0: datetime
) -> None:
    asha, bela, chitra = (
        Customer(shop, fake, f"9198000000{n}", name) for n, name in ((1, "Asha"), (2, "Bela"), (3, "Chitra"))
    )
    await opted_in(asha)
    for customer in (asha, bela, chitra):
        await cart(customer)
    await run_at(shop, t0 + timedelta(minutes=61))  # within the day: free-form for both who did not say no
    [reminder] = asha.new()
    assert reminder.type == "interactive" and "You left something in your cart" in text_of(reminder)
    assert [cid for cid, _ in choices_of(reminder)] == ["checkout", "cart"]
    assert len(bela.new()) == 1 and len(chitra.new()) == 1
    assert fake.refused == []


async def test_outside_the_window_only_the_marketing_template_to_the_opted_in(
    shop: ShopHarness, fake: FakeGraph, t0: datetime
) -> None:
    asha, bela = Customer(shop, fake, "919800000001", "Asha"), Customer(shop, fake, "919800000002", "Bela")
    await opted_in(asha)
    for customer in (asha, bela):
        await cart(customer)
    await run_at(shop, t0 + timedelta(hours=25))  # the shop was down a day: the window closed meanwhile
    [template] = asha.new()
    assert template.type == "template" and template.content["name"] == "cart_left"
    summary, subtotal = (p["text"] for p in template.content["components"][0]["parameters"])
    assert summary == "1 × Amul Taaza Milk 1 l" and subtotal == "₹68.00"
    assert template.content["components"][1]["parameters"] == [{"type": "payload", "payload": "checkout"}]
    assert bela.new() == []  # never asked: no marketing
    assert fake.refused == []
    # The reminder's button, tapped: the checkout, as if typed.
    tapped = asha.message("button", button={"payload": "checkout", "text": "Check out"})
    tapped["timestamp"] = str(int(shop.shop.now().timestamp()))  # a day on, as the shop's clock says
    [ask] = await asha.post_and_read(tapped)
    assert "Where should we deliver?" in text_of(ask)


async def test_stop_prevents_the_next_marketing_message(shop: ShopHarness, fake: FakeGraph, t0: datetime) -> None:
    asha = Customer(shop, fake, "919800000001", "Asha")
    await opted_in(asha)
    await cart(asha)
    [said] = await asha.say("STOP")
    assert "no more offers or reminders" in text_of(said)
    await run_at(shop, t0 + timedelta(hours=25))
    assert asha.new() == []


async def test_back_in_stock_once_when_the_dashboard_restocks(shop: ShopHarness, fake: FakeGraph, t0: datetime) -> None:
    asha = Customer(shop, fake, "919800000001", "Asha")
    [card] = await asha.say("ghee")
    assert "out of stock" in text_of(card)
    [set_up] = await asha.tap("notify:ghee-1l")
    assert "as soon as Amul Pure Ghee 1 l is back" in text_of(set_up)
    await run_at(shop, t0 + timedelta(minutes=10))  # still out of stock: nothing, and the alert waits
    assert asha.new() == []
    await shop.shop.store.update_inventory("ghee-1l", stock=5)  # the dashboard's, the sync's or a file's restock
    await run_at(shop, t0 + timedelta(minutes=16))
    [told] = asha.new()
    assert "back in stock" in text_of(told) and "₹612.50" in text_of(told)
    assert [cid for cid, _ in choices_of(told)] == ["add:ghee-1l:1", "p:ghee-1l"]
    await shop.shop.store.update_inventory("ghee-1l", stock=0)
    await shop.shop.store.update_inventory("ghee-1l", stock=9)
    await run_at(shop, t0 + timedelta(hours=1))
    assert asha.new() == []  # the alert ended with its message
    assert not await shop.shop.store.has_stock_alerts()
