"""The coloured badge over an order's news speaks the customer's language, never the status's code."""

from __future__ import annotations

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from tests.web.chat_client import ChatTab


async def test_a_german_customer_reads_the_badge_of_a_cancelled_order_in_german(web: ShopHarness) -> None:
    tab = await ChatTab.open(web)
    await tab.choose(web, "lang:de")
    await tab.choose(web, "add:atta-5kg:1")
    await tab.choose(web, "checkout")
    await tab.say(web, "Flat 4, Sea View, Bandra West 400050")
    await tab.choose(web, "confirm")
    [order] = await web.shop.store.list_orders()
    await web.shop.move_order(order.number, OrderStatus.CANCELLED, note="out of stock")
    await web.shop.idle()
    await tab.ws.send_json({"type": "ping"})
    await tab.frame("pong")
    [news] = [e["message"] for e in tab.entries if e.get("message", {}).get("kind") == "order_status"]
    assert news["status_label"] == "storniert"  # what chat.js writes on the badge
    await tab.close()
