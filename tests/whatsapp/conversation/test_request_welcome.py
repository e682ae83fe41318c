"""``request_welcome``: WhatsApp's notice that a customer opened a chat with the shop for the first time.

Meta (Conversational components, "Welcome messages"): with welcome messages enabled, WhatsApp checks
for an existing thread and, when there is none, sends a ``messages`` webhook of ``type``
``request_welcome``, with no content, so the business can answer with a welcome of its own; any
free-form or interactive message may be sent, and the notice opens the customer service window
(360dialog's copy of the page). The shop greets with its welcome menu, once.
"""

from __future__ import annotations

from typing import Any

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, said


def opened(customer: Customer) -> dict[str, Any]:
    """The notice as Meta documents it: ``from``, ``id``, ``timestamp`` and the type, nothing else."""
    return customer.message("request_welcome")


async def test_a_customer_opening_the_chat_is_greeted_with_the_welcome_menu(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    [menu] = await asha.post_and_read(opened(asha))
    assert "Hi Asha, welcome to Kirana Corner!" in said([menu])
    assert "Browse catalog" in said([menu]) and "My orders" in said([menu])
    assert fake.refused == []
    # the customer's first tap on it is understood as the welcome menu's choice
    assert "Atta and Flours" in said(await asha.tap("browse"))


async def test_the_welcome_is_sent_once(shop: ShopHarness, asha: Customer) -> None:
    assert len(await asha.post_and_read(opened(asha))) == 1
    assert await asha.post_and_read(opened(asha)) == []  # the chat deleted and opened again


async def test_a_customer_who_already_chatted_gets_no_welcome(shop: ShopHarness, asha: Customer) -> None:
    """Meta also sends it to customers who wrote before welcome messages were enabled."""
    await asha.say("milk")
    await asha.tap("add:milk-1l:1")
    assert await asha.post_and_read(opened(asha)) == []
    assert "Amul Taaza Milk 1 l" in said(await asha.say("cart"))


async def test_the_notice_is_not_marked_read(shop: ShopHarness, fake: FakeGraph, asha: Customer) -> None:
    """There is no message in the chat to put blue ticks on."""
    notice = opened(asha)
    await asha.post_and_read(notice)
    assert notice["id"] not in [mark["message_id"] for mark in fake.read_marks]
