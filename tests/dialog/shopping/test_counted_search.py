"""A search that says how many ("3 onions", "tomato x2", "2 packets of rice", "3个洋葱"): the product's
"Add to cart" adds that many. Walking the demo shop, "3 maggi" showed Maggi and "Add to cart" put one
in the cart: the customer had to find "Quantity…" and say 3 again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatshop.dialog.quantities import counted, search_count
from tests.catalog.test_variant_typed import ENGLISH
from tests.conftest import ShopFactory

FIVE_STAR = """
[[catalog.products]]
id = "five-star"
title = "Cadbury 5 Star Bar"
category = "Snacks"
price = "20.00"
"""

NOODLES = """
[[catalog.products]]
id = "noodles"
title = "Maggi Masala Noodles"
category = "Snacks"
price = "14.00"
"""


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("3 onions", 3),
        ("onion x3", 3),
        ("3x onion", 3),
        ("2 packets of rice", 2),
        ("rice 4 packets", 4),
        ("eggs 6 pcs", None),  # a pack's size
        ("3个洋葱", 3),
        ("两包米", 2),
        ("onion", None),
        ("rice 5 kg", None),  # a size, not a count
        ("5kg rice", None),
        ("tv 32", None),  # a number after the thing narrows (a model, a size), it is no count
        ("1 onion", None),  # one is what Add to cart adds anyway
        ("250 onions", None),  # more than a cart line holds: not read as a count
    ],
)
def test_the_count_a_search_says(query: str, count: int | None) -> None:
    assert search_count(query) == count


async def test_a_counted_search_adds_that_many(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    async with make_shop(grocery()) as h:
        reply = await h.say("mia", "3 onions")
        assert "Red Onion 1 kg" in reply and "Add 3 to cart" in reply, reply
        reply = await h.say("mia", "1")
        assert "Added 3 × Red Onion 1 kg" in reply, reply


async def test_a_counted_search_with_many_results_keeps_the_count(
    grocery: Callable[..., str], make_shop: ShopFactory
) -> None:
    async with make_shop(grocery()) as h:
        reply = await h.say("mia", "2 vegetable")
        assert "Found" in reply, reply
        reply = await h.say("mia", "1")  # the first of them
        assert "Add 2 to cart" in reply, reply
        reply = await h.say("mia", "1")
        assert "Added 2 ×" in reply, reply


async def test_a_number_in_the_products_name_is_no_count(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    async with make_shop(grocery(extra=FIVE_STAR)) as h:
        reply = await h.say("mia", "5 star")
        assert "Cadbury 5 Star Bar" in reply and "Add to cart" in reply and "Add 5" not in reply, reply


STAR_FRUIT = """
[[catalog.products]]
id = "star-fruit"
title = "Star Fruit 250 g"
category = "Fruits"
price = "60.00"
"""


async def test_a_number_a_found_product_is_named_by_is_no_count(
    grocery: Callable[..., str], make_shop: ShopFactory
) -> None:
    """'5 star' looked for 'star' alone: Star Fruit came first, above the 5 Star bar the customer
    named, and its card offered 'Add 5 to cart'."""
    async with make_shop(grocery(extra=FIVE_STAR + STAR_FRUIT)) as h:
        reply = await h.say("mia", "5 star")
        assert "Cadbury 5 Star Bar" in reply and "Star Fruit" not in reply.split("Cadbury")[0], reply
        assert "Add 5" not in reply, reply
        if "Found" in reply:  # a list: each row's card adds one
            reply = await h.say("mia", "2")
            assert "Add 5" not in reply and "Add to cart" in reply, reply


SQUIRRELS = """
[[catalog.products]]
id = "squirrels"
title = "三只松鼠 每日坚果 750g"
category = "Snacks"
price = "129.00"
"""


async def test_a_chinese_name_that_begins_with_a_count_is_no_count(
    grocery: Callable[..., str], make_shop: ShopFactory
) -> None:
    """三只松鼠 (Three Squirrels, a snack brand) reads as 'three of 松鼠': its card offered 加入 3 件."""
    async with make_shop(grocery(extra=SQUIRRELS)) as h:
        await h.choose("mia", "lang:zh")
        reply = await h.say("mia", "三只松鼠")
        assert "三只松鼠 每日坚果" in reply and "加入 3" not in reply, reply


async def test_in_hindi_and_chinese(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    async with make_shop(grocery()) as h:
        await h.choose("mia", "lang:zh")
        reply = await h.say("mia", "3个洋葱")
        assert "Red Onion 1 kg" in reply and "加入 3 件" in reply, reply
        await h.choose("ravi", "lang:hi")
        reply = await h.say("ravi", "2 onion")
        assert "2 कार्ट में डालें" in reply, reply


async def test_a_counted_search_that_names_a_variant(make_shop: ShopFactory) -> None:
    async with make_shop(ENGLISH) as h:
        reply = await h.say("mia", "2 tee red M")
        assert "Cotton Tee (M, Red)" in reply and "Add 2 to cart" in reply, reply
        reply = await h.say("ravi", "tee size L x3")
        assert "Cotton Tee (L)" in reply and "Choose the Colour" in reply, reply


@pytest.mark.parametrize(
    ("query", "split"),
    [
        ("2 noodles", (2, "noodles")),  # "no" (numbers) is a count's word only as a word of its own
        ("3 notebooks", (3, "notebooks")),
        ("2 xbox controllers", (2, "xbox controllers")),  # nor is "x" the start of a word
        ("2 xl tees", (2, "xl tees")),
        ("3 packing tape", (3, "packing tape")),
        ("lunch box 2", None),  # the x of "box" is no "x2"
        ("onion x3", (3, "onion")),
        ("2 nos noodles", (2, "noodles")),
        ("3x onion", (3, "onion")),
        ("2 packets of rice", (2, "rice")),
        ("3个洋葱", (3, "洋葱")),
    ],
)
def test_a_count_word_is_a_word_of_its_own(query: str, split: tuple[int, str] | None) -> None:
    """'2 noodles' was read as two of 'odles' (the 'no' of '2 nos'), '2 xl tees' as two 'l tees'."""
    assert counted(query) == split


async def test_two_noodles_offers_two(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    async with make_shop(grocery(extra=NOODLES)) as h:
        reply = await h.say("mia", "2 noodles")
        assert "Maggi Masala Noodles" in reply and "Add 2 to cart" in reply, reply
        reply = await h.say("mia", "maggi masala noodles x3")  # the name, then how many
        assert "Maggi Masala Noodles" in reply and "Add 3 to cart" in reply, reply


async def test_the_count_waits_while_the_options_are_asked(make_shop: ShopFactory) -> None:
    """'tee size L x3' asked the colour, and the red tee's card offered 'Add to cart' for one: the
    three were forgotten at the first question the search left open."""
    async with make_shop(ENGLISH) as h:
        reply = await h.say("ravi", "tee size L x3")
        assert "Choose the Colour" in reply, reply
        reply = await h.say("ravi", "red")  # typed
        assert "Cotton Tee (L, Red)" in reply and "Add 3 to cart" in reply, reply
        reply = await h.say("mia", "2 tee")
        assert "Choose the Size" in reply, reply
        await h.choose("mia", "opt:tee:1")  # tapped: L
        await h.choose("mia", "opt:tee:")  # Back to the sizes
        await h.choose("mia", "opt:tee:0")  # M
        reply = await h.choose("mia", "opt:tee:0.0")  # Red
        assert "Cotton Tee (M, Red)" in reply and "Add 2 to cart" in reply, reply
        await h.choose("mia", "p:tee")  # the product opened again: one, unless said otherwise
        await h.choose("mia", "opt:tee:0")
        reply = await h.choose("mia", "opt:tee:0.0")
        assert "Add to cart" in reply and "Add 2" not in reply, reply
