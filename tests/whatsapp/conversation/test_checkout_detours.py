"""A checkout survives what customers send in the middle of it: a photo of the address, a sticker,
an address form WhatsApp filled oddly."""

from __future__ import annotations

import json

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, choices_of, said, tap_stale


def address_form(customer: Customer, response_json: str, body: str) -> dict[str, object]:
    reply = {"name": "address_message", "body": body, "response_json": response_json}
    return customer.message("interactive", interactive={"type": "nfm_reply", "nfm_reply": reply})


async def test_a_photo_at_the_address_prompt_keeps_the_checkout_going(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await tap_stale(asha, "add:milk-1l:1")
    await asha.tap("checkout")
    photo = asha.message("image", image={"id": "1479537139650973", "mime_type": "image/jpeg"})
    replies = await asha.post_and_read(photo)
    assert "I can only read text" in said(replies)
    assert "Where should we deliver?" in said(replies)  # the question again, not the main menu
    assert [choice for m in replies for choice, _ in choices_of(m)] == ["abort"]
    assert "Please check your order" in said(await asha.say("12 Hill Road, Bandra West, Mumbai 400050"))
    assert fake.refused == []


async def test_a_sticker_at_the_postal_code_prompt_asks_for_the_postal_code_again(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await tap_stale(asha, "add:milk-1l:1")
    await asha.tap("checkout")
    await asha.say("12 Hill Road, Bandra West, Mumbai")
    sticker = asha.message("sticker", sticker={"id": "2", "mime_type": "image/webp", "animated": False})
    assert "What is the postal code" in said(await asha.post_and_read(sticker))
    assert "Please check your order" in said(await asha.say("400050"))


async def test_an_address_form_whose_json_is_broken_still_gives_its_address(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await tap_stale(asha, "add:milk-1l:1")
    await asha.tap("checkout")
    form = address_form(asha, "{not json", "Asha Verma\nB-1204, Sunrise Heights, Sahar Road, Mumbai 400069")
    text = said(await asha.post_and_read(form))
    assert "Please check your order" in text and "400069" in text


async def test_an_empty_address_form_asks_for_the_address_again(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await tap_stale(asha, "add:milk-1l:1")
    await asha.tap("checkout")
    text = said(await asha.post_and_read(address_form(asha, json.dumps({"values": {}}), "")))
    assert "Where should we deliver?" in text
