"""What the official WhatsApp SDKs read and the shop did not: the ad a customer came from, a shared
contact card, and a native cart from another business's catalog."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from chatshop import referrals
from chatshop.cli import order_json
from chatshop.messages import InboundKind
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph

from .customer import Customer, text_of
from .meta import envelope, text_message
from .shops import graph_url, whatsapp_shop
from .test_e2e import catalog_csv, shop_toml
from .test_webhook_parse import parse

WA_ID = "919812345678"
CATALOG_ID = "730514628893517"
REFERRAL = {
    "source_url": "https://fb.me/3cr4Wqqkk",
    "source_id": "120212345678901234",
    "source_type": "ad",
    "headline": "Diwali atta offer",
    "body": "Fresh chakki atta delivered",
    "media_type": "image",
    "image_url": "https://scontent.example/ad.jpg",
    "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a",
}


def ad_message() -> dict[str, Any]:
    message = text_message(WA_ID, "Hi, I saw your ad", "wamid.AD1")
    message["referral"] = REFERRAL
    return message


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    toml = shop_toml(graph_url(graph), channel_extra=f'catalog_id = "{CATALOG_ID}"')
    async with whatsapp_shop(toml, tmp_path / "shop", catalog_csv()) as h:
        yield h


@pytest.fixture
def priya(shop: ShopHarness, fake: FakeGraph) -> Customer:
    return Customer(shop, fake, WA_ID, "Priya Sharma")


def test_a_referral_is_read_with_its_click_id() -> None:
    [inbound] = parse(envelope(messages=[ad_message()])).inbound
    assert inbound.kind is InboundKind.TEXT and inbound.referral is not None
    assert inbound.referral.ctwa_clid == REFERRAL["ctwa_clid"]
    assert inbound.referral.source_id == "120212345678901234" and inbound.referral.headline == "Diwali atta offer"


async def test_the_order_of_a_customer_who_came_from_an_ad_says_which_ad_sold(
    shop: ShopHarness, priya: Customer
) -> None:
    message = ad_message()
    message["timestamp"] = str(int(time.time()))
    await priya.post_and_read(message)
    await priya.say("atta")
    await priya.tap("add:ATTA-AASH-5KG:1")
    await priya.tap("checkout")
    await priya.say("B-1204, Sunrise Heights, Sahar Road, Mumbai 400069")
    await priya.tap("confirm")
    [order] = await shop.shop.store.list_orders(customer_key=priya.key)
    assert order.referral is not None
    assert order.referral["ctwa_clid"] == REFERRAL["ctwa_clid"] and order.referral["source_id"] == REFERRAL["source_id"]
    assert "free_until" in order.referral  # the 72-hour free entry point window
    assert order_json(order)["referral"]["ctwa_clid"] == REFERRAL["ctwa_clid"]  # chatshop orders --json
    # erasing the customer erases where they came from too (the order keeps its copy)
    await shop.shop.store.forget_customer(priya.key)
    assert await referrals.recall(shop.shop.store, priya.key, shop.shop.now()) is None


def test_a_shared_contact_with_an_address_is_a_delivery_address() -> None:
    card = {
        "name": {"formatted_name": "Ravi Kumar", "first_name": "Ravi"},
        "phones": [{"phone": "+91 98765 43210", "wa_id": "919876543210", "type": "CELL"}],
        "addresses": [{"street": "12 Hill Road, Bandra West", "city": "Mumbai", "state": "MH", "zip": "400050"}],
    }
    message = {"from": WA_ID, "id": "wamid.C1", "timestamp": "1764038400", "type": "contacts", "contacts": [card]}
    [inbound] = parse(envelope(messages=[message])).inbound
    assert inbound.kind is InboundKind.ADDRESS and inbound.address is not None
    assert inbound.address.line == "12 Hill Road, Bandra West" and inbound.address.postal_code == "400050"
    assert inbound.address.name == "Ravi Kumar" and inbound.address.phone == "+91 98765 43210"
    no_address = {**message, "id": "wamid.C2", "contacts": [{"name": {"formatted_name": "Ravi"}, "phones": []}]}
    [inbound] = parse(envelope(messages=[no_address])).inbound
    assert inbound.kind is InboundKind.MEDIA  # answered politely, never "unsupported"


async def test_a_native_cart_from_another_catalog_is_refused_once(shop: ShopHarness, priya: Customer) -> None:
    order = {
        "catalog_id": "999999999999999",
        "text": "",
        "product_items": [
            {"product_retailer_id": "SOMEONE-ELSES-1", "quantity": 1, "item_price": 100, "currency": "INR"},
            {"product_retailer_id": "SOMEONE-ELSES-2", "quantity": 2, "item_price": 50, "currency": "INR"},
            {"product_retailer_id": "ATTA-AASH-5KG", "quantity": 1, "item_price": 289, "currency": "INR"},
        ],
    }
    replies = await priya.post_and_read(priya.message("order", order=order))
    said = " ".join(text_of(r) for r in replies)
    assert "Nothing in that order could be added" in said
    assert "no longer sold" not in said and "SOMEONE-ELSES" not in said
    assert not (await shop.shop.store.load_conversation(priya.key)).state.get("cart", {}).get("lines")
    ours = {**order, "catalog_id": CATALOG_ID, "product_items": order["product_items"][2:]}
    replies = await priya.post_and_read(priya.message("order", order=ours))
    assert "Nothing in that order" not in " ".join(text_of(r) for r in replies)
    assert (await shop.shop.store.load_conversation(priya.key)).state["cart"]["lines"]
