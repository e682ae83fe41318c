"""Quantities a customer did not get are always said: the stock, the ceiling of 99 per line, a
product sold out or unknown in a cart sent from WhatsApp's own catalog."""

from __future__ import annotations

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, choices_of, said, tap_stale, text_of


async def lines(shop: ShopHarness, customer: Customer) -> dict[str, int]:
    state = (await shop.shop.store.load_conversation(customer.key)).state
    return {line["product_id"]: line["quantity"] for line in state["cart"]["lines"]}


async def test_an_absurd_quantity_is_capped_and_the_reply_says_what_went_in(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    replies = await tap_stale(asha, "add:paneer-200g:99999")  # a forged or mistyped quantity
    text = said(replies)
    assert "at most 99 × Amul Malai Paneer 200 g" in text
    assert "Added 99 × Amul Malai Paneer 200 g" in text and "99999" not in text
    assert await lines(shop, asha) == {"paneer-200g": 99}
    replies = await tap_stale(asha, "inc:paneer-200g")  # +1 on a full line: told, and the cart again
    assert "Added" not in said(replies) and "at most 99" in said(replies)
    assert any(choice == "checkout" for m in replies for choice, _ in choices_of(m))
    assert fake.refused == []


async def test_more_than_the_stock_gets_the_stock_and_says_so(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    text = said(await tap_stale(asha, "add:ghee-1l:5"))
    assert "we only have 2" in text and "Added 2 ×" in text
    replies = await tap_stale(asha, "inc:ghee-1l")
    assert "we only have 2" in said(replies) and "Added" not in said(replies)
    assert any(choice == "checkout" for m in replies for choice, _ in choices_of(m))  # not left without buttons
    assert await lines(shop, asha) == {"ghee-1l": 2}


async def test_a_catalog_order_with_too_many_sold_out_and_unknown_items_says_each(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await shop.shop.store.update_inventory("paneer-200g", active=False)
    items = [
        {"product_retailer_id": "milk-1l", "quantity": 500, "item_price": 68, "currency": "INR"},
        {"product_retailer_id": "ghee-1l", "quantity": 3, "item_price": 612.5, "currency": "INR"},
        {"product_retailer_id": "tea-500g", "quantity": 10**20, "item_price": 320, "currency": "INR"},
        {"product_retailer_id": "paneer-200g", "quantity": 1, "item_price": 95, "currency": "INR"},
        {"product_retailer_id": "cafe-250g", "quantity": 1, "item_price": 399, "currency": "INR"},
        {"product_retailer_id": "discontinued-" + "x" * 300, "quantity": 1, "item_price": 1, "currency": "INR"},
    ]
    order = asha.message("order", order={"catalog_id": "730514628893517", "text": "", "product_items": items})
    replies = await asha.post_and_read(order)
    text = said(replies)
    assert "at most 99 × Amul Taaza Milk 1 l" in text
    assert "we only have 2 × आशीर्वाद" in text
    assert "at most 99 × 特级西湖龙井绿茶" in text
    assert "Amul Malai Paneer 200 g is out of stock" in text  # withdrawn: by its name, not its id
    assert "Café Crème Kaffeebohnen 250 g is out of stock" in text
    assert "discontinued-xxx" in text and "x" * 60 not in text
    assert await lines(shop, asha) == {"milk-1l": 99, "ghee-1l": 2, "tea-500g": 99}
    assert all(len(text_of(m)) <= 1024 for m in replies if m.type == "interactive")
    assert fake.refused == []
