"""The confirmation on WhatsApp: three reply buttons Meta accepts, and the answer as a tap."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestServer

from chatshop.orders import OrderStatus
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, choices_of, text_of
from tests.whatsapp.shops import graph_url, whatsapp_shop, whatsapp_shop_toml

CATALOG = "id,title,price,category,stock\nmilk-1l,Amul Taaza Milk 1 l,68.00,Dairy,100\n"
SHOP = 'name = "Kirana Corner"\ncurrency = "INR"\nlocale = "en"\nlocales = ["en", "hi"]'
COD = """[payments.cod]
confirm = true
fee = "15.00"
prepaid_offer = true

[payments.whatsapp_pay]
configuration_name = "kirana-razorpay"
"""


async def test_confirm_with_a_tap_then_the_opt_in_question(graph: TestServer, fake: FakeGraph, tmp_path: Path) -> None:
    toml = whatsapp_shop_toml(graph_url(graph), shop=SHOP, more=COD)
    async with whatsapp_shop(toml, tmp_path / "shop", CATALOG) as h:
        priya = Customer(h, fake, "919812345678", "Priya")
        await priya.say("milk")
        await priya.tap("add:milk-1l:1")
        await priya.tap("checkout")
        summary = await priya.say("Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050")
        if not any(cid == "confirm" for m in summary for cid, _ in choices_of(m)):
            await priya.tap("pay:cod")
        [asked] = await priya.tap("confirm")
        [order] = await h.shop.store.list_orders(customer_key=priya.key)
        ids = [cid for cid, _ in choices_of(asked)]
        assert ids == [f"codok:{order.number}", f"codpay:{order.number}", f"cancel:{order.number}"]
        assert "save ₹15.00" in text_of(asked)  # WhatsApp Pay takes no COD fee
        [confirmed] = await priya.tap(f"codok:{order.number}")
        assert "is confirmed" in text_of(confirmed) and "send STOP" in text_of(confirmed)
        assert [cid for cid, _ in choices_of(confirmed)] == ["optin", "optin:no", "orders"]
        moved = await h.shop.store.get_order(order.number)
        assert moved is not None and moved.status is OrderStatus.CONFIRMED
        assert fake.refused == []
