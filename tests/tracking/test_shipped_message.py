"""An order shipped with its carrier and tracking: the customer's "shipped" message carries them (a
button that opens the tracking page on WhatsApp, the 24-hour rule kept through the shop's utility
template), "my orders" shows them, and the record keeps them, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.orders import IllegalTransition, Order, OrderStatus, Shipment, ShipmentError
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.conftest import on_storage
from tests.whatsapp.customer import Customer, text_of
from tests.whatsapp.shops import graph_url, whatsapp_shop, whatsapp_shop_toml

WA_ID = "919812345678"
CATALOG = "id,title,price,category,stock\nmilk-1l,Amul Taaza Milk 1 l,68.00,Dairy,100\n"
SHOP = 'name = "Kirana Corner"\ncurrency = "INR"\nlocale = "en"\nlocales = ["en", "hi"]\ntimezone = "Asia/Kolkata"'
TRACKING = Shipment("Delhivery", "DLV 4471 2209", "https://www.delhivery.com/track/package/447122090")


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path, storage: str) -> AsyncIterator[ShopHarness]:
    toml = on_storage(whatsapp_shop_toml(graph_url(graph), shop=SHOP), storage)
    async with whatsapp_shop(toml, tmp_path / "shop", CATALOG) as h:
        yield h


async def ordered(shop: ShopHarness, fake: FakeGraph) -> tuple[Customer, Order]:
    priya = Customer(shop, fake, WA_ID, "Priya Sharma")
    await priya.say("milk")
    await priya.tap("add:milk-1l:1")
    await priya.tap("checkout")
    await priya.say("Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050")
    await priya.tap("confirm")
    [order] = await shop.shop.store.list_orders(customer_key=priya.key)
    priya.new()
    return priya, order


async def test_in_the_window_the_shipped_message_has_a_button_to_the_tracking_page(
    shop: ShopHarness, fake: FakeGraph
) -> None:
    priya, order = await ordered(shop, fake)
    shipped = await shop.shop.ship_order(order.number, TRACKING, note="test")
    await shop.shop.idle()
    assert shipped.status is OrderStatus.SHIPPED and shipped.shipment == TRACKING
    [message] = priya.new()
    assert message.type == "interactive" and message.content["type"] == "cta_url"
    assert "Delhivery" in text_of(message) and "DLV 4471 2209" in text_of(message)
    assert TRACKING.tracking_url not in text_of(message)  # behind the button, not in the text
    parameters = message.content["action"]["parameters"]
    assert parameters == {"display_text": "Track parcel", "url": TRACKING.tracking_url}
    assert fake.refused == []
    stored = await shop.shop.store.get_order(order.number)
    assert stored is not None and stored.shipment == TRACKING  # read back from the database


async def test_outside_the_window_it_goes_as_the_utility_template(shop: ShopHarness, fake: FakeGraph) -> None:
    priya, order = await ordered(shop, fake)
    later = shop.shop.now() + timedelta(hours=25)  # a day and more since Priya last wrote
    shop.shop.clock = lambda: later
    await shop.shop.ship_order(order.number, TRACKING)
    await shop.shop.idle()
    [message] = priya.new()  # no free-form try that Meta would refuse (131047)
    assert message.type == "template" and message.content["name"] == "order_update"
    number, said = [p["text"] for p in message.content["components"][0]["parameters"]]
    assert number == order.number
    assert "Delhivery" in said and "DLV 4471 2209" in said and TRACKING.tracking_url in said
    assert fake.refused == []


async def test_my_orders_shows_the_carrier_and_tracking(shop: ShopHarness, fake: FakeGraph) -> None:
    priya, order = await ordered(shop, fake)
    await shop.shop.ship_order(order.number, TRACKING)
    await shop.shop.idle()
    await priya.say("my orders")
    [detail] = await priya.tap(f"o:{order.number}")
    body = text_of(detail)
    assert "Delhivery" in body and "DLV 4471 2209" in body and TRACKING.tracking_url in body


async def test_tracking_corrected_after_shipping_is_told_once(shop: ShopHarness, fake: FakeGraph) -> None:
    priya, order = await ordered(shop, fake)
    await shop.shop.ship_order(order.number)  # shipped before the carrier gave a number
    await shop.shop.idle()
    [plain] = priya.new()
    assert "on its way" in text_of(plain) and plain.content.get("type") != "cta_url"
    await shop.shop.ship_order(order.number, TRACKING)
    await shop.shop.ship_order(order.number, TRACKING)  # the same again: nothing new to tell
    await shop.shop.idle()
    [told] = priya.new()
    assert told.content["type"] == "cta_url" and "DLV 4471 2209" in text_of(told)
    history = (await shop.shop.store.get_order(order.number)).history  # type: ignore[union-attr]
    assert [h["new"] for h in history] == ["cod_pending", "shipped", "shipped"]


async def test_tracking_goes_with_a_shipped_order_only(shop: ShopHarness, fake: FakeGraph) -> None:
    _, order = await ordered(shop, fake)
    with pytest.raises(IllegalTransition):
        await shop.shop.ordering.track(order.number, TRACKING)
    stored = await shop.shop.store.get_order(order.number)
    assert stored is not None and stored.status is OrderStatus.COD_PENDING and stored.shipment is None


@pytest.mark.parametrize(
    ("carrier", "number", "url", "field"),
    [
        ("", "123", None, "carrier"),
        ("DHL", "", None, "tracking_number"),
        ("DHL", "12\n34", None, "tracking_number"),
        ("DHL\u202e", "1234", None, "carrier"),
        ("DHL", "1234", "javascript:alert(1)", "tracking_url"),
        ("DHL", "1234", 'https://dhl.de/x"><script>', "tracking_url"),
        ("DHL", "1" * 61, None, "tracking_number"),
    ],
)
def test_what_staff_type_is_checked_field_by_field(carrier: str, number: str, url: str | None, field: str) -> None:
    with pytest.raises(ShipmentError) as caught:
        Shipment.parse(carrier, number, url)
    assert caught.value.field == field
