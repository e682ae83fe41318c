"""Signed webhooks that are valid JSON but odd in content: half an emoji, a schema turned inside
out. Each is answered 200 (a 500 has Meta deliver the whole batch again for 7 days, refusing every
other customer's message in it each time) and the customers in it are answered."""

from __future__ import annotations

import json

from chatshop.messages import DeliveryReport, DeliveryState
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, said, tap_stale, text_of
from tests.whatsapp.meta import contact, envelope

from .hooks import post_bytes, wire_with

RAVI = "919876500001"


async def test_half_an_emoji_in_a_text_does_not_refuse_the_batch(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    # A message cut in the middle of an emoji reaches us as a lone UTF-16 surrogate (\ud83d),
    # which JSON allows and no database can store.
    broken = asha.message("text", text={"body": "milk PLACEHOLDER"})
    fine = {**asha.message("text", text={"body": "paneer"}), "from": RAVI}
    payload = envelope(messages=[broken, fine], contacts=[contact(asha.wa_id, asha.name), contact(RAVI, "Ravi")])
    assert await post_bytes(shop, wire_with(payload, "PLACEHOLDER", "\\ud83d")) == 200
    assert "Amul Taaza Milk 1 l" in text_of(asha.new()[0])  # the rest of the text is still read
    assert any("Amul Malai Paneer 200 g" in text_of(sent) for sent in fake.texts(RAVI))


async def test_half_an_emoji_in_a_profile_name_does_not_refuse_the_batch(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    payload = envelope(messages=[asha.message("text", text={"body": "hi"})], contacts=[contact(asha.wa_id, "NAME")])
    assert await post_bytes(shop, wire_with(payload, "NAME", "\\udc00Asha")) == 200
    [greeting] = asha.new()
    assert "Asha" in text_of(greeting)


async def test_half_an_emoji_in_a_button_id_is_not_a_server_error(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    reply = {"type": "button_reply", "button_reply": {"id": "p:BROKEN", "title": "Old"}}
    payload = envelope(messages=[asha.message("interactive", interactive=reply)])
    assert await post_bytes(shop, wire_with(payload, "BROKEN", "milk\\udfff")) == 200
    assert asha.new()  # answered (the product is not known, so the menu)


async def test_half_an_emoji_in_a_delivery_failure_is_recorded_not_a_server_error(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    [menu] = await asha.say("hi")
    [failed] = fake.delivery(menu, "failed")
    failed["errors"] = [{"code": 131026, "title": "TITLE", "message": "Message undeliverable"}]
    assert await post_bytes(shop, wire_with(envelope(statuses=[failed]), "TITLE", "Undeliverable \\ud800")) == 200
    # A later report reads back what was recorded: failed stays failed.
    late = DeliveryReport(channel="whatsapp", provider_message_id=menu.wamid, state=DeliveryState.READ)
    row = await shop.shop.store.record_delivery(late)
    assert row is not None and row.status == "failed"


async def test_half_an_emoji_in_an_address_form_still_gives_the_address(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await tap_stale(asha, "add:milk-1l:1")
    await asha.tap("checkout")
    values = {
        "name": "Asha Verma",
        "address": "B-1204 Sunrise Heights BROKEN",
        "city": "Mumbai",
        "in_pin_code": "400069",
    }
    reply = {
        "name": "address_message",
        "body": "Asha Verma, Mumbai 400069",
        "response_json": json.dumps({"values": values}),
    }
    payload = envelope(messages=[asha.message("interactive", interactive={"type": "nfm_reply", "nfm_reply": reply})])
    # Inside response_json (a JSON string in the JSON) the escape is itself escaped.
    assert await post_bytes(shop, wire_with(payload, "BROKEN", "\\\\udbff")) == 200
    text = said(asha.new())
    assert "Please check your order" in text and "Sunrise Heights" in text
