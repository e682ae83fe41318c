"""A customer who chose Hindi keeps reading Hindi through every step of the checkout: the delivery
time, the coupon, the ways to pay and the summary's coupon line, not English from the step a plugin
adds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, choices_of, said, tap_stale, text_of
from tests.whatsapp.shops import COD, graph_url, whatsapp_shop, whatsapp_shop_toml

from .shop import DELIVERY, catalog_csv

KIRANA_CORNER = """name = "Kirana Corner"
currency = "INR"
locale = "en"
locales = ["en", "hi"]
timezone = "Asia/Kolkata\""""
SLOTS_AND_COUPON = """
[delivery.slots]
windows = ["09:00-12:00", "14:00-18:00"]
capacity = 5
cutoff_minutes = 60
days_ahead = 2

[[discounts]]
code = "DIWALI10"
percent = "10"

[payments.whatsapp_pay]
configuration_name = "kirana-razorpay"
gateway = "razorpay"
"""


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    """Kirana Corner with delivery times, a coupon and two ways to pay, in English and Hindi."""
    toml = whatsapp_shop_toml(
        graph_url(graph),
        shop=KIRANA_CORNER,
        more=DELIVERY + COD + SLOTS_AND_COUPON,
    )
    async with whatsapp_shop(toml, tmp_path / "shop", catalog_csv()) as h:
        yield h


async def test_the_delivery_time_and_the_coupon_are_asked_in_hindi(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("hi")
    await tap_stale(asha, "lang:hi")
    await asha.say("milk")
    await asha.tap("add:milk-1l:1")
    await asha.tap("checkout")
    [slots] = await asha.say("12 MG Road, Bengaluru 560001")
    assert text_of(slots) == "हम कब डिलीवर करें? कोई समय चुनें।"
    assert slots.content["action"]["button"] == "डिलीवरी का समय"
    [coupon] = await asha.tap(lambda found: found.startswith("slot:"))
    assert text_of(coupon) == "कोई कूपन है? उसका कोड लिखें, या “कोई कूपन नहीं” दबाएँ।"
    assert choices_of(coupon) == [("coupon:none", "कोई कूपन नहीं")]
    [payment] = await asha.say("DIWALI10")
    assert text_of(payment).startswith("कोड DIWALI10 लग गया: ₹6.80 की छूट।")
    # A way to pay whose name is cut to the button's 20 letters is read in full above the buttons.
    assert ("pay:whatsapp_pay", "WhatsApp में ऑनलाइन…") in choices_of(payment)
    assert text_of(payment).endswith("\n\n• WhatsApp में ऑनलाइन भुगतान")
    summary = said(await asha.tap("pay:cod"))
    assert "कूपन DIWALI10: -₹6.80" in summary and "डिलीवरी का समय:" in summary
    assert "Delivery time" not in summary and "Coupon" not in summary
    assert fake.refused == []


async def test_a_delivery_time_that_closed_at_the_summary_is_said_in_hindi(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    shop.set_clock(datetime(2026, 6, 1, 2, 0, tzinfo=UTC))  # 07:30 in Bengaluru: 09:00 is open until 08:00
    await asha.say("hi")
    await tap_stale(asha, "lang:hi")
    await asha.say("milk")
    await asha.tap("add:milk-1l:1")
    await asha.tap("checkout")
    await asha.say("12 MG Road, Bengaluru 560001")
    await asha.tap("slot:2026-06-01T09:00")
    await asha.tap("coupon:none")
    await asha.tap("pay:cod")
    shop.move_clock(timedelta(hours=1))  # she reads the summary for an hour: 09:00 has closed
    replies = await asha.tap("confirm")
    assert "आपका चुना हुआ डिलीवरी का समय बंद हो चुका है। कृपया कोई दूसरा समय चुनें।" in said(replies)
    assert text_of(replies[-1]).endswith("हम कब डिलीवर करें? कोई समय चुनें।")  # the time again, not the address
    assert not any(found == "slot:2026-06-01T09:00" for found, _ in choices_of(replies[-1]))
    assert await shop.shop.store.list_orders() == []
