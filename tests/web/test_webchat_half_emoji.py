"""A web chat frame holding half an emoji (``"milk \\ud83d"``) is read, answered and acknowledged.

Before, writing it to the chat history failed (the store's UTF-8 refuses a lone surrogate), the
frame was never acknowledged, and the page sent it again on every reconnect.
"""

from __future__ import annotations

from chatshop.testing import ShopHarness

from .chat_client import ChatTab, customer_key


async def test_a_text_with_half_an_emoji_is_acknowledged_answered_and_kept_readable(web: ShopHarness) -> None:
    tab = await ChatTab.open(web)
    replies = await tab.say(web, "atta \ud83d")
    assert replies, "the shop answered"
    customer = [e["text"] for e in tab.entries if e["who"] == "customer"]
    assert customer == ["atta \ufffd"]
    await tab.close()
    again = await ChatTab.open(web)  # the history reads back after a reconnect
    assert [e["text"] for e in again.entries if e["who"] == "customer"] == ["atta \ufffd"]
    await again.close()
    item = await web.shop.store.next_inbound(customer_key(web))
    assert item is None  # handled, nothing stuck in the inbox


async def test_a_choice_with_half_an_emoji_in_its_title_or_id_is_acknowledged(web: ShopHarness) -> None:
    tab = await ChatTab.open(web)
    await tab.choose(web, "browse", "Browse \udc00 catalog")
    await tab.choose(web, "p:\ud83datta", "\ud83d")
    shown = [e["text"] for e in tab.entries if e["who"] == "customer"]
    assert shown == ["Browse \ufffd catalog", "\ufffd"]
    await tab.close()
