"""A customer who leaves at the address question and comes back after WhatsApp's 24-hour window:
what they write then is a new message, not yesterday's address, unless it is an address (it has a
postal code). Their cart is kept."""

from __future__ import annotations

import time
from typing import Any

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, said

DAY_AND_A_BIT = 30 * 3600


class Traveller(Customer):
    """A customer whose phone stamps messages ``away`` seconds in the past (set it back to 0 to
    return): Meta's ``timestamp`` is when the customer wrote."""

    away = 0

    def message(self, kind: str, **content: Any) -> dict[str, Any]:
        message = super().message(kind, **content)
        message["timestamp"] = str(int(time.time()) - self.away)
        return message


def traveller(shop: ShopHarness, fake: FakeGraph) -> Traveller:
    customer = Traveller(shop, fake, "919812399999", "Meera Iyer")
    customer.away = DAY_AND_A_BIT
    return customer


async def at_the_address_prompt(customer: Traveller) -> None:
    await customer.say("paneer")
    await customer.tap("add:paneer-200g:1")
    assert "Where should we deliver?" in said(await customer.tap("checkout"))


async def test_a_search_a_day_after_leaving_the_address_prompt_is_a_search(shop: ShopHarness, fake: FakeGraph) -> None:
    meera = traveller(shop, fake)
    await at_the_address_prompt(meera)
    meera.away = 0
    replies = said(await meera.say("milk"))
    assert "postal code" not in replies
    assert "Amul Taaza Milk 1 l" in replies
    assert "Your cart:\n1 × Amul Malai Paneer 200 g" in said(await meera.tap("add:milk-1l:1") + await meera.say("cart"))


async def test_a_search_a_day_after_leaving_the_postal_code_prompt_is_a_search(
    shop: ShopHarness, fake: FakeGraph
) -> None:
    meera = traveller(shop, fake)
    await at_the_address_prompt(meera)
    assert "What is the postal code" in said(await meera.say("7 Lake View Road, Chembur"))
    meera.away = 0
    replies = said(await meera.say("atta"))
    assert "postal code" not in replies
    assert "Extra Long… Number 1" in replies  # 45 long names alike: each row ends in its own


async def test_an_address_sent_a_day_later_still_continues_the_checkout(shop: ShopHarness, fake: FakeGraph) -> None:
    meera = traveller(shop, fake)
    await at_the_address_prompt(meera)
    meera.away = 0
    assert "Please check your order" in said(await meera.say("7 Lake View Road, Chembur, Mumbai 400071"))


async def test_within_the_day_the_question_is_still_open(shop: ShopHarness, fake: FakeGraph) -> None:
    meera = traveller(shop, fake)
    await at_the_address_prompt(meera)
    meera.away = DAY_AND_A_BIT - 3600  # an hour later
    assert "What is the postal code" in said(await meera.say("7 Lake View Road, Chembur"))
