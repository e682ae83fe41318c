"""Choosing a variant in the chat: the option values offered with their prices, a sold-out one
shown as such and never added; the cart, the order and ``orders --json`` carry the variant."""

from __future__ import annotations

import re

from chatshop.cli import order_json
from tests.conftest import ShopFactory

SHOP = """
[shop]
name = "Variant Bazaar"
currency = "INR"
locale = "en"
locales = ["en"]

[storage]
url = "sqlite:///shop.db"

[delivery]
areas = ["400050"]

[payments.cod]
max_order_total = "5000.00"

[[catalog.products]]
id = "atta"
title = "Aashirvaad Atta"
category = "Staples > Atta & Flour"
options = ["Weight"]
[[catalog.products.variants]]
id = "atta-1kg"
values = ["1 kg"]
price = "62.00"
stock = 0
[[catalog.products.variants]]
id = "atta-5kg"
values = ["5 kg"]
price = "245.00"
stock = 4

[[catalog.products]]
id = "tee"
title = "Cotton Tee"
category = "Clothes"
options = ["Size", "Colour"]
[[catalog.products.variants]]
id = "tee-m-red"
values = ["M", "Red"]
price = "499.00"
[[catalog.products.variants]]
id = "tee-l-red"
values = ["L", "Red"]
price = "549.00"
[[catalog.products.variants]]
id = "tee-l-blue"
values = ["L", "Blue"]
price = "549.00"
"""


def numbered(reply: str, title: str) -> str:
    match = re.search(rf"^(\d+)\. {re.escape(title)}", reply, re.MULTILINE)
    assert match, f"{title!r} not in {reply!r}"
    return match.group(1)


async def test_the_customer_picks_a_weight_and_a_sold_out_one_cannot_be_added(make_shop: ShopFactory) -> None:
    async with make_shop(SHOP) as h:
        await h.say("ravi", "hi")
        reply = await h.say("ravi", "atta")
        assert "from ₹245.00" in reply and "Choose the Weight" in reply, reply
        assert re.search(r"1 kg.*out of stock", reply) and re.search(r"5 kg.*245", reply), reply
        sold_out = await h.say("ravi", numbered(reply, "1 kg"))
        assert "Aashirvaad Atta (1 kg)" in sold_out and "out of stock" in sold_out and "Add to cart" not in sold_out
        reply = await h.say("ravi", numbered(sold_out, "Back"))
        assert "Choose the Weight" in reply, reply
        assert "out of stock" in await h.choose("ravi", "add:atta-1kg:1")  # a stale or made-up tap adds nothing
        assert not (await h.shop.store.load_conversation("terminal:ravi")).state.get("cart", {}).get("lines")
        reply = await h.choose("ravi", "p:atta")
        reply = await h.say("ravi", numbered(reply, "5 kg"))
        assert "Aashirvaad Atta (5 kg)" in reply and "₹245.00" in reply
        reply = await h.say("ravi", numbered(reply, "Add to cart"))
        assert "Added 1 × Aashirvaad Atta (5 kg)" in reply, reply
        reply = await h.say("ravi", numbered(reply, "Checkout"))
        reply = await h.say("ravi", "12 Hill Road, Bandra West, Mumbai 400050")
        reply = await h.say("ravi", numbered(reply, "Confirm order"))
        [order] = await h.shop.store.list_orders()
        [line] = order_json(order)["lines"]
        assert line == {
            "product_id": "atta-5kg",
            "title": "Aashirvaad Atta (5 kg)",
            "quantity": 1,
            "unit_price": "245.00",
            "product": "atta",
            "options": {"Weight": "5 kg"},
        }
        assert (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 3


async def test_two_options_are_picked_one_after_the_other(make_shop: ShopFactory) -> None:
    async with make_shop(SHOP) as h:
        await h.say("mia", "hi")
        reply = await h.choose("mia", "p:tee")
        assert "Choose the Size" in reply and "M" in reply and "L" in reply, reply
        reply = await h.say("mia", numbered(reply, "L"))
        assert "Cotton Tee (L)" in reply and "Choose the Colour" in reply and "Blue" in reply, reply
        reply = await h.say("mia", numbered(reply, "Blue"))
        assert "Cotton Tee (L, Blue)" in reply and "Add to cart" in reply, reply
        assert "Choose the Size" in await h.choose("mia", "add:tee:1")  # the product itself is not bought


async def test_a_variants_sku_typed_shows_that_variant_to_add(make_shop: ShopFactory) -> None:
    async with make_shop(SHOP) as h:
        await h.say("ravi", "hi")
        reply = await h.say("ravi", "ATTA-5KG")
        assert reply.startswith("Found 2") and "1. Aashirvaad Atta (5 kg)" in reply, reply  # the SKU's first
        reply = await h.say("ravi", "1")
        assert "Aashirvaad Atta (5 kg)" in reply and "₹245.00" in reply, reply
        reply = await h.say("ravi", numbered(reply, "Add to cart"))
        assert "Added 1 × Aashirvaad Atta (5 kg)" in reply, reply
        reply = await h.say("ravi", numbered(reply, "Checkout"))
        reply = await h.say("ravi", "12 Hill Road, Bandra West, Mumbai 400050")
        await h.say("ravi", numbered(reply, "Confirm order"))
        (order,) = await h.shop.store.list_orders()
        assert [(line.product_id, line.quantity) for line in order.lines] == [("atta-5kg", 1)]
