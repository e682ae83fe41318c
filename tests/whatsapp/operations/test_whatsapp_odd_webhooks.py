"""Signed webhooks with values Meta's schema allows in shape but not in sense: nothing is lost or stuck."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatshop.messages import Inbound, InboundKind
from chatshop.plugins.whatsapp.routes import MAX_BATCH_BYTES
from chatshop.plugins.whatsapp.signature import HEADER, sign
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, text_of
from tests.whatsapp.meta import APP_SECRET, contact, envelope, signed


async def test_a_message_with_an_impossible_timestamp_is_acknowledged_and_its_batch_answered(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    odd = priya.message("text", text={"body": "hi"})
    odd["timestamp"] = "99999999999999999"  # past what the platform's clock can hold
    fine = priya.message("text", text={"body": "cart"})
    payload = envelope(messages=[odd, fine], contacts=[contact(priya.wa_id, priya.name)])
    assert await priya.post(payload) == 200  # a 500 would have Meta resend the whole batch for 7 days
    assert len(priya.new()) >= 2


@pytest.mark.parametrize(
    "where",
    [
        {"latitude": "nan", "longitude": "72.8"},
        {"latitude": "19.06", "longitude": "inf"},
        {"latitude": 1e400, "longitude": 72.8},
        {"latitude": 91, "longitude": 72.8},
        {"latitude": 19.06, "longitude": -181},
    ],
)
async def test_a_location_that_is_no_place_on_earth_does_not_stop_the_conversation(
    shop: ShopHarness, fake: FakeGraph, priya: Customer, where: dict[str, Any]
) -> None:
    await priya.say("hi")
    await priya.post_and_read(priya.message("location", location=where))
    [menu] = await priya.say("hi")  # the customer is still answered
    assert "What would you like to do?" in text_of(menu)


async def test_a_full_batch_of_long_messages_over_a_megabyte_is_accepted(shop: ShopHarness, fake: FakeGraph) -> None:
    """Meta batches up to 1000 updates in one POST; refusing it (413) loses every message in it."""
    customers = [Customer(shop, fake, f"91980000{n:04d}", f"Kunde {n}") for n in range(75)]
    hindi = "कृपया चावल और दाल भेजें " * 125  # 3,000 characters, six bytes each on the wire (\u0915)
    messages = [c.message("text", text={"body": hindi}) for c in customers]
    body, headers = signed(envelope(messages=messages))
    assert len(body) > 1024 * 1024
    response = await shop.client.post("/webhooks/whatsapp", data=body, headers=headers)
    assert response.status == 200
    for c, message in zip(customers, messages, strict=True):  # each one already in the inbox
        again = Inbound(channel="whatsapp", customer_id=c.wa_id, message_id=message["id"], kind=InboundKind.TEXT)
        assert await shop.shop.store.add_inbound(again) is False


async def test_a_catalog_order_with_an_absurd_item_price_still_fills_the_cart(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    """The price WhatsApp shows is only compared with ours; an absurd one must not refuse the batch."""
    items = [{"product_retailer_id": "milk-1l", "quantity": 2, "item_price": 0, "currency": "INR"}]
    body, _ = signed(priya.wrap(priya.message("order", order={"catalog_id": "1", "product_items": items})))
    body = body.replace(b'"item_price":0', b'"item_price":1e99999')  # JSON allows it; Python's dumps cannot
    response = await shop.client.post("/webhooks/whatsapp", data=body, headers={HEADER: sign(body, APP_SECRET)})
    assert response.status == 200
    await shop.shop.idle()
    assert "2 × Amul Taaza Milk 1 l" in " ".join(text_of(m) for m in priya.new())


async def test_control_characters_in_a_text_are_dropped_before_the_shop_reads_it(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    await priya.say("hi")
    replies = await priya.say("\x00Basmati\x07")
    assert "India Gate Basmati Rice 1 kg" in " ".join(text_of(m) for m in replies)


async def test_a_body_over_the_batch_limit_is_refused_before_it_is_read_whole(shop: ShopHarness) -> None:
    limit = MAX_BATCH_BYTES
    body = b'{"object":"whatsapp_business_account","entry":[' + b" " * limit + b"]}"
    response = await shop.client.post("/webhooks/whatsapp", data=body, headers={HEADER: sign(body, APP_SECRET)})
    assert response.status == 413

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the limit counts what arrives
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    response = await shop.client.post("/webhooks/whatsapp", data=chunked(), headers={HEADER: "sha256=00"})
    assert response.status == 413
