"""A variant's value typed at its prompt, as customers write it: "5kg", "5 KG", "xl", "L blue",
"rot" to a German shop; one out of stock or one the product lacks gets a clear answer and the
question again; anything else typed there ("milk", "cart") is read as usual."""

from __future__ import annotations

from tests.catalog.test_variants_dialog import SHOP, numbered
from tests.conftest import ShopFactory

MORE = """
[[catalog.products]]
id = "milk"
title = "Amul Taaza Milk 1 l"
category = "Dairy"
price = "56.00"

[[catalog.products]]
id = "rice"
title = "India Gate Basmati Rice"
category = "Staples"
options = ["Weight"]
[[catalog.products.variants]]
id = "rice-1kg"
values = ["1 kg"]
price = "140.00"
[[catalog.products.variants]]
id = "rice-5kg"
values = ["5 kg"]
price = "650.00"
[[catalog.products.variants]]
id = "rice-500g"
values = ["500 g"]
price = "75.00"

[[catalog.products]]
id = "polo"
title = "Polo Shirt"
category = "Clothes"
options = ["Size"]
[[catalog.products.variants]]
id = "polo-xxl"
values = ["XXL"]
price = "899.00"
"""
GERMAN = SHOP.replace('locales = ["en"]', 'locales = ["en", "de"]') + MORE
ENGLISH = SHOP + MORE


async def test_a_size_typed_any_way_picks_the_variant(make_shop: ShopFactory) -> None:
    async with make_shop(ENGLISH) as h:
        for typed, title, price in (
            ("5kg", "India Gate Basmati Rice (5 kg)", "₹650.00"),
            ("1 KG", "India Gate Basmati Rice (1 kg)", "₹140.00"),
            ("0.5 kg", "India Gate Basmati Rice (500 g)", "₹75.00"),  # the same size in other units
            ("500 gm please", "India Gate Basmati Rice (500 g)", "₹75.00"),  # filler around it
            ("rice 5 kg", "India Gate Basmati Rice (5 kg)", "₹650.00"),  # the product's own name with it
        ):
            assert "Choose the Weight" in await h.choose("ravi", "p:rice")
            reply = await h.say("ravi", typed)
            assert title in reply and price in reply and "Add to cart" in reply, (typed, reply)
        reply = await h.say("ravi", numbered(reply, "Add to cart"))
        assert "Added 1 × India Gate Basmati Rice (5 kg)" in reply, reply


async def test_options_typed_one_after_the_other_or_together(make_shop: ShopFactory) -> None:
    async with make_shop(ENGLISH) as h:
        await h.choose("mia", "p:tee")
        reply = await h.say("mia", "l")
        assert "Cotton Tee (L)" in reply and "Choose the Colour" in reply, reply
        reply = await h.say("mia", "BLUE")
        assert "Cotton Tee (L, Blue)" in reply and "Add to cart" in reply, reply
        await h.choose("mia", "p:tee")
        reply = await h.say("mia", "red M")  # both values at once, in any order
        assert "Cotton Tee (M, Red)" in reply and "Add to cart" in reply, reply
        await h.choose("mia", "p:tee")
        await h.say("mia", "L")
        reply = await h.say("mia", "L red")  # the size said again with the colour
        assert "Cotton Tee (L, Red)" in reply and "Add to cart" in reply, reply


async def test_an_out_of_stock_value_is_said_so_and_asked_again(make_shop: ShopFactory) -> None:
    async with make_shop(ENGLISH) as h:
        await h.choose("ravi", "p:atta")
        reply = await h.say("ravi", "1kg")
        assert "Sorry, Aashirvaad Atta (1 kg) is out of stock right now." in reply, reply
        assert "Choose the Weight" in reply and "Add to cart" not in reply, reply
        state = (await h.shop.store.load_conversation("terminal:ravi")).state
        assert state["step"] == "variant" and not state["cart"]["lines"]
        reply = await h.say("ravi", "5 kg")
        assert "Aashirvaad Atta (5 kg)" in reply and "Add to cart" in reply, reply


async def test_a_value_the_product_lacks_gets_the_values_it_has(make_shop: ShopFactory) -> None:
    async with make_shop(ENGLISH) as h:
        await h.choose("mia", "p:tee")
        reply = await h.say("mia", "XXL")  # a size another product comes in
        assert "Sorry, Cotton Tee does not come in XXL. Size: M, L." in reply, reply
        assert "Choose the Size" in reply, reply
        await h.say("mia", "M")
        reply = await h.say("mia", "blue")  # M comes in red only
        assert "Sorry, Cotton Tee (M) does not come in blue. Colour: Red." in reply, reply
        await h.choose("ravi", "p:rice")
        reply = await h.say("ravi", "2 kg")  # a size the rice is not sold in
        assert "does not come in 2 kg. Weight: 1 kg, 5 kg, 500 g." in reply, reply
        reply = await h.say("ravi", "purple")  # one word the shop has nothing for
        assert "does not come in purple" in reply, reply


async def test_other_words_at_the_prompt_are_read_as_usual(make_shop: ShopFactory) -> None:
    async with make_shop(ENGLISH) as h:
        await h.choose("ravi", "p:rice")
        reply = await h.say("ravi", "milk 1 kg")  # a search, though 1 kg is a value of the rice
        assert "Amul Taaza Milk 1 l" in reply and "Basmati" not in reply, reply
        await h.choose("ravi", "p:rice")
        reply = await h.say("ravi", "cart")
        assert "cart is empty" in reply.lower(), reply
        await h.choose("ravi", "p:rice")
        reply = await h.say("ravi", "2")  # a number still picks from the menu
        assert "India Gate Basmati Rice (5 kg)" in reply, reply


async def test_values_in_the_customers_language(make_shop: ShopFactory) -> None:
    async with make_shop(GERMAN) as h:
        await h.choose("lena", "lang:de")
        reply = await h.choose("lena", "p:tee")
        reply = await h.say("lena", "L")
        reply = await h.say("lena", "blau")
        assert "Cotton Tee (L, Blue)" in reply, reply
        await h.choose("lena", "p:tee")
        reply = await h.say("lena", "M grün")
        assert "Cotton Tee (M) gibt es leider nicht in grün. Colour: Red." in reply, reply


async def test_a_search_that_names_the_values_goes_to_the_variant(make_shop: ShopFactory) -> None:
    """Walking a shop with variants: "tee size M" found nothing (the option's name was read as the
    thing asked for), and "tee red M" showed the sizes, as if the customer had said none."""
    async with make_shop(ENGLISH) as h:
        reply = await h.say("ravi", "tee size M")
        assert "Cotton Tee (M)" in reply and "Choose the Colour" in reply, reply
        reply = await h.say("sita", "tee red M")
        assert "Cotton Tee (M, Red)" in reply and "₹499.00" in reply and "Add to cart" in reply, reply
        reply = await h.say("mia", "rice 5 kg")
        assert "India Gate Basmati Rice (5 kg)" in reply and "₹650.00" in reply and "Add to cart" in reply, reply
        reply = await h.say("omar", "tee")  # no value named: the first option is asked
        assert "Choose the Size" in reply, reply


async def test_an_options_name_typed_with_its_value_at_the_prompt(make_shop: ShopFactory) -> None:
    async with make_shop(ENGLISH) as h:
        await h.choose("mia", "p:tee")
        reply = await h.say("mia", "size L")
        assert "Cotton Tee (L)" in reply and "Choose the Colour" in reply, reply
        reply = await h.say("mia", "colour blue")
        assert "Cotton Tee (L, Blue)" in reply and "Add to cart" in reply, reply
