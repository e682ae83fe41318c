"""What customers really type on WhatsApp: circled numbers, misspelt products, Chinese without
spaces, "cancel" at the address prompt, a PIN code in Devanagari digits."""

from __future__ import annotations

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, choices_of, said, tap_stale, text_of


async def test_a_circled_number_from_a_chinese_keyboard_picks_that_option(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("hi")
    replies = await asha.say("②")  # the second row of the menu: Search
    assert "What are you looking for?" in said(replies)
    await asha.say("hi")
    assert "What are you looking for?" in said(await asha.say("²"))
    assert fake.refused == []


async def test_a_misspelt_or_plural_product_is_still_found(shop: ShopHarness, fake: FakeGraph, asha: Customer) -> None:
    await asha.say("hi")
    [card] = await asha.say("basmathi")
    assert "India Gate Basmati Rice 1 kg" in text_of(card)
    [card] = await asha.say("paneers")
    assert "Amul Malai Paneer 200 g" in text_of(card)
    [results] = await asha.say("aata")
    assert any(row.startswith("p:atta-") for row, _ in choices_of(results))
    assert "Nothing found" in said(await asha.say("hovercraft"))  # no product is near every word


async def test_chinese_is_searched_without_spaces(shop: ShopHarness, fake: FakeGraph, asha: Customer) -> None:
    await asha.say("hi")
    await tap_stale(asha, "lang:zh")
    [card] = await asha.say("龙井茶")  # the title says 龙井绿茶: every character is there, not in a row
    assert "特级西湖龙井绿茶" in text_of(card)


async def test_cancel_typed_at_the_address_prompt_leaves_the_checkout(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("milk")
    await asha.tap("add:milk-1l:1")
    await asha.tap("checkout")
    replies = await asha.say("cancel")
    assert "Checkout cancelled" in said(replies)
    replies = await asha.say("cancel")  # typed again: still no order summary for the address "cancel"
    assert "Please check your order" not in said(replies)
    assert (await shop.shop.store.load_conversation(asha.key)).state["checkout"] is None


async def test_a_word_is_not_taken_for_a_postal_code(shop: ShopHarness, fake: FakeGraph, asha: Customer) -> None:
    await asha.say("milk")
    await asha.tap("add:milk-1l:1")
    await asha.tap("checkout")
    assert "postal code" in said(await asha.say("Flat 12, Sea View, Hill Road, Bandra West"))
    replies = await asha.say("ok")
    assert "Please check your order" not in said(replies) and "postal code" in said(replies)
    assert "Please check your order" in said(await asha.say("400050"))


async def test_a_pin_code_in_devanagari_digits_is_the_same_pin_code(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("milk")
    await asha.tap("add:milk-1l:1")
    await asha.tap("checkout")
    await asha.say("फ्लैट १२, हिल रोड, बांद्रा वेस्ट, मुंबई ४०००५०")
    await asha.tap("confirm")
    [order] = await shop.shop.store.list_orders(customer_key=asha.key)
    assert order.postal_code == "400050"
    assert fake.refused == []


async def test_hindi_words_find_the_products_the_catalog_names_in_english_or_hinglish(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("hi")
    await tap_stale(asha, "lang:hi")
    [card] = await asha.say("पनीर")  # romanized it sounds like the catalog's "Paneer"
    assert "Amul Malai Paneer 200 g" in text_of(card)
    [card] = await asha.say("बासमती")
    assert "India Gate Basmati Rice 1 kg" in text_of(card)
    [card] = await asha.say("दूध")  # the shop's Hindi word list: दूध is milk
    assert "Amul Taaza Milk 1 l" in text_of(card)
    [card] = await asha.say("doodh")  # Hinglish, in any language
    assert "Amul Taaza Milk 1 l" in text_of(card)
    assert fake.refused == []


async def test_a_german_word_for_a_product_finds_it(shop: ShopHarness, fake: FakeGraph, asha: Customer) -> None:
    await asha.say("hi")
    await tap_stale(asha, "lang:de")
    [card] = await asha.say("Milch")
    assert "Amul Taaza Milk 1 l" in text_of(card)
    await tap_stale(asha, "lang:zh")
    [card] = await asha.say("我要牛奶")
    assert "Amul Taaza Milk 1 l" in text_of(card)
