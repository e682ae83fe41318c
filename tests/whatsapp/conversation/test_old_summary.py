""" "Confirm" tapped on an order summary shown long ago (the evening before) on WhatsApp.

Whatever changed the total since the summary (a price edited on the dashboard, a delivery fee
changed in shop.toml and the shop restarted, a product sold out) shows the summary as it is now
and places nothing: the customer confirms only a total they have seen. An unchanged summary
confirms at once.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.conversation.shop import catalog_csv, shop_toml
from tests.whatsapp.customer import Customer, said, tap_stale
from tests.whatsapp.shops import graph_url, whatsapp_shop

DAY = 20 * 3600
ADDRESS = "12 Hill Road, Bandra West, Mumbai 400050"


class Evening(Customer):
    """A customer whose messages are stamped ``ago`` seconds in the past (0: now)."""

    ago = DAY

    def message(self, kind: str, **content: Any) -> dict[str, Any]:
        message = super().message(kind, **content)
        message["timestamp"] = str(int(time.time()) - self.ago)
        return message


async def summary_last_evening(shop: ShopHarness, fake: FakeGraph) -> Evening:
    """Two litres of milk (₹136) with ₹30 delivery: the summary says ₹166. Then the night."""
    kavya = Evening(shop, fake, "919812300077", "Kavya Nair")
    await tap_stale(kavya, "add:milk-1l:2")
    await kavya.tap("checkout")
    summary = said(await kavya.say(ADDRESS))
    assert "Please check your order" in summary and "Total: ₹166.00" in summary, summary
    kavya.ago = 0
    return kavya


async def test_an_unchanged_summary_confirms_at_once_the_next_morning(shop: ShopHarness, fake: FakeGraph) -> None:
    kavya = await summary_last_evening(shop, fake)
    placed = said(await kavya.tap("confirm"))
    (order,) = await shop.shop.store.list_orders(customer_key=kavya.key)
    assert order.total.minor == 16600 and order.number in placed


async def test_a_price_edited_on_the_dashboard_overnight_is_shown_before_anything_is_placed(
    shop: ShopHarness, fake: FakeGraph
) -> None:
    kavya = await summary_last_evening(shop, fake)
    await shop.shop.store.update_inventory("milk-1l", price_minor=7200)
    again = said(await kavya.tap("confirm"))
    assert await shop.shop.store.list_orders() == []
    assert "The price of Amul Taaza Milk 1 l is now ₹72.00" in again
    assert "Please check your order" in again and "Total: ₹174.00" in again
    await kavya.tap("confirm")
    (order,) = await shop.shop.store.list_orders(customer_key=kavya.key)
    assert order.total.minor == 17400


async def test_a_product_sold_out_overnight_is_not_ordered(shop: ShopHarness, fake: FakeGraph) -> None:
    kavya = await summary_last_evening(shop, fake)
    await shop.shop.store.update_inventory("milk-1l", stock=0)
    replies = said(await kavya.tap("confirm"))
    assert await shop.shop.store.list_orders() == []
    assert "Amul Taaza Milk 1 l" in replies and "is placed" not in replies


async def test_a_delivery_fee_changed_overnight_shows_the_new_total_before_anything_is_placed(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    folder = tmp_path / "shop"
    toml = shop_toml(graph_url(graph))
    async with whatsapp_shop(toml, folder, catalog_csv()) as evening:
        await summary_last_evening(evening, fake)
    dearer = toml.replace('fee = "30.00"', 'fee = "45.00"')
    assert dearer != toml
    async with whatsapp_shop(dearer, folder, catalog_csv()) as morning:
        kavya = Evening(morning, fake, "919812300077", "Kavya Nair")
        kavya.ago, kavya.seen = 0, len(kavya.inbox())
        again = said(await kavya.tap("confirm"))  # the button of last evening's summary
        assert await morning.shop.store.list_orders() == []
        assert "The total has changed since you saw your order" in again
        assert "Please check your order" in again and "Total: ₹181.00" in again
        await kavya.tap("confirm")
        (order,) = await morning.shop.store.list_orders(customer_key=kavya.key)
        assert order.total.minor == 18100 and order.status is OrderStatus.COD_PENDING
