"""Messages the shop does not sell through: deletions, edits, "Message business" on a product, a
webhook nested past reason, a product card in German."""

from __future__ import annotations

from chatshop.plugins.whatsapp.signature import HEADER, sign
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, said, tap_stale, text_of
from tests.whatsapp.meta import APP_SECRET, contact, envelope


async def test_a_deleted_message_gets_no_answer(shop: ShopHarness, fake: FakeGraph, asha: Customer) -> None:
    [menu] = await asha.say("hi")
    revoke = asha.message("revoke", revoke={"original_message_id": menu.wamid})
    assert await asha.post_and_read(revoke) == []


async def test_an_edited_text_is_read_as_what_the_customer_means_now(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    first = asha.message("text", text={"body": "mlik"})
    await asha.post_and_read(first)
    edit = asha.message(
        "edit",
        edit={"original_message_id": first["id"], "message": {"type": "text", "text": {"body": "milk"}}},
    )
    [card] = await asha.post_and_read(edit)
    assert "Amul Taaza Milk 1 l" in text_of(card)


async def test_message_business_under_a_catalog_product_answers_with_that_product(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    message = asha.message("text", text={"body": "Is this available?"})
    message["context"] = {
        "from": "919800012345",
        "id": "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSQkE3QjZD",
        "referred_product": {"catalog_id": "730514628893517", "product_retailer_id": "basmati-1kg"},
    }
    [card] = await asha.post_and_read(message)
    assert "India Gate Basmati Rice 1 kg" in text_of(card) and "₹149.50" in text_of(card)
    assert "Nothing found" not in said([card])


async def test_a_webhook_nested_past_reason_is_refused_as_bad_json_not_a_server_error(
    shop: ShopHarness, fake: FakeGraph
) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = await shop.client.post("/webhooks/whatsapp", data=body, headers={HEADER: sign(body, APP_SECRET)})
    assert response.status == 400  # a 500 has Meta deliver it again for 7 days


async def test_a_german_product_card_shows_its_price_once_in_german(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("hi")
    await tap_stale(asha, "lang:de")
    [card] = await tap_stale(asha, "p:ghee-1l")
    assert "612,50\xa0₹" in text_of(card)
    assert "₹612.50" not in text_of(card)


async def test_messages_of_one_batch_are_read_in_the_order_they_were_written(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("hi")
    search = asha.message("text", text={"body": "milk"})
    pick = asha.message("text", text={"body": "1"})  # "Add to cart" on the card that answers "milk"
    pick["timestamp"] = str(int(search["timestamp"]) + 4)
    await asha.post(envelope(messages=[pick, search], contacts=[contact(asha.wa_id, asha.name)]))
    replies = asha.new()
    assert "Amul Taaza Milk 1 l" in text_of(replies[0])
    assert "Added 1 × Amul Taaza Milk 1 l" in said(replies)


async def test_a_sold_out_product_with_a_long_description_keeps_its_start_and_the_sold_out_notice(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    [card] = await tap_stale(asha, "p:saffron-1g")
    body = text_of(card)
    assert len(body) <= 1024
    assert "Hand-picked Mongra saffron from Pampore" in body  # the description is cut, not dropped
    assert body.endswith("Kashmiri Mongra Saffron 1 g is out of stock right now.")
    assert fake.refused == []
