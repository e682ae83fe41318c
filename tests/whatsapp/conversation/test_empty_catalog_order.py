"""An ``order`` from WhatsApp's catalog with nothing the shop can read in it (no ``product_items``,
or only lines without a product or with quantity 0): an order message, not a photo, so the customer
is told so and shown their cart, which it leaves as it was."""

from __future__ import annotations

from typing import Any

import pytest

from chatshop.testing import ShopHarness
from tests.whatsapp.customer import Customer, said, tap_stale


def catalog_order(customer: Customer, items: list[dict[str, Any]]) -> dict[str, Any]:
    return customer.message("order", order={"catalog_id": "730514628893517", "text": "", "product_items": items})


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"product_retailer_id": "milk-1l", "quantity": 0, "item_price": 68, "currency": "INR"}],
        [{"quantity": 2, "item_price": 68, "currency": "INR"}],
    ],
    ids=["no items", "quantity 0", "no product"],
)
async def test_an_empty_catalog_order_shows_the_cart_and_keeps_it(
    shop: ShopHarness, asha: Customer, items: list[dict[str, Any]]
) -> None:
    await tap_stale(asha, "add:paneer-200g:1")
    replies = said(await asha.post_and_read(catalog_order(asha, items)))
    assert "I can only read text" not in replies
    assert "Nothing in that order could be added" in replies
    assert "Your cart:\n1 × Amul Malai Paneer 200 g" in replies


async def test_an_empty_catalog_order_to_an_empty_cart_offers_the_catalog(shop: ShopHarness, asha: Customer) -> None:
    replies = said(await asha.post_and_read(catalog_order(asha, [])))
    assert "I can only read text" not in replies
    assert "Your cart is empty" in replies and "Browse catalog" in replies
