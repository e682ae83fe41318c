"""What a browser tab may send that no keyboard types: control characters never reach the shop's records."""

from __future__ import annotations

from chatshop.testing import ShopHarness
from tests.web.chat_client import ChatTab


def has_controls(text: str) -> bool:
    return any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in text)


async def test_control_characters_in_a_typed_address_reach_neither_the_order_nor_the_chat(web: ShopHarness) -> None:
    """A NUL breaks PostgreSQL's jsonb, and an ESC sequence would paint the admin's `chatshop orders` terminal."""
    tab = await ChatTab.open(web)
    await tab.choose(web, "add:atta-5kg:1")
    await tab.choose(web, "checkout")
    await tab.say(web, "Flat 4\x00, Sea View\x1b[2J\x1b[31m, Bandra West 400050\x07")
    await tab.choose(web, "confirm")
    [order] = await web.shop.store.list_orders()
    assert order.address is not None and not has_controls(order.address)
    assert order.address.startswith("Flat 4, Sea View") and order.address.endswith("Bandra West 400050")
    echoes = [e["text"] for e in tab.entries if e["who"] == "customer"]
    assert echoes and not any(has_controls(text) for text in echoes)
