"""What customers type instead of tapping, in their own language: "next page", "more", "checkout",
"remove", "empty the cart". Each must do what it says, never end in a "nothing found" search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chatshop.consent import read_consent
from chatshop.testing import ShopHarness
from chatshop.texts import Texts
from tests.conftest import ShopFactory

#: locale: (next page, more, checkout, remove, empty the cart)
WORDS = {
    "zh": ("下一页", "更多", "结账", "删除", "清空购物车"),
    "de": ("weiter", "mehr", "Kasse", "löschen", "Warenkorb leeren"),
    "hi": ("आगे", "और", "चेकआउट", "हटाओ", "कार्ट खाली करो"),
    "en": ("next", "more", "checkout", "remove", "empty cart"),
}


def t(locale: str, key: str, **values: object) -> str:
    return Texts("en").get(locale, key, shop="Kirana Corner", **values)


async def as_customer(h: ShopHarness, locale: str) -> None:
    await h.choose("li", f"lang:{locale}")


@pytest.mark.parametrize("locale", sorted(WORDS))
async def test_next_page_and_more_show_the_next_page(
    grocery: Callable[..., str], make_shop: ShopFactory, locale: str,
) -> None:
    next_page, more, *_ = WORDS[locale]
    async with make_shop(grocery()) as h:
        await as_customer(h, locale)
        first = await h.choose("li", "cat:0:0")  # Vegetables: 12 products, 8 to a numbered page
        assert "Vegetable number 8" in first and "Vegetable number 9" not in first
        second = await h.say("li", next_page)
        assert "Vegetable number 9" in second and "Vegetable number 12" in second, second
        assert t(locale, "search_none", query=next_page) not in second
        await h.choose("li", "cat:0:0")
        assert "Vegetable number 9" in await h.say("li", more)
        last = await h.say("li", more)  # already on the last page: said so, not searched for
        assert t(locale, "search_none", query=more) not in last
        assert t(locale, "no_more") in last


@pytest.mark.parametrize("locale", sorted(WORDS))
async def test_checkout_remove_and_empty_cart_typed(
    grocery: Callable[..., str], make_shop: ShopFactory, locale: str,
) -> None:
    *_, checkout, remove, clear = WORDS[locale]
    async with make_shop(grocery()) as h:
        await as_customer(h, locale)
        await h.choose("li", "add:veg-1:1")
        await h.choose("li", "add:veg-2:2")
        assert t(locale, "ask_address") in await h.say("li", checkout)
        await h.choose("li", "line:veg-1")
        reply = await h.say("li", remove)  # at a line's options: that line
        assert t(locale, "line_removed", title="Vegetable number 1") in reply, reply
        assert [ln["product_id"] for ln in (await conversation(h))["cart"]["lines"]] == ["veg-2"]
        reply = await h.say("li", remove)  # anywhere else: which line?
        assert t(locale, "edit_pick") in reply
        reply = await h.say("li", clear)
        assert t(locale, "cart_cleared") in reply, reply
        assert not (await conversation(h)).get("cart", {}).get("lines")


async def conversation(h: ShopHarness) -> dict[str, Any]:
    return (await h.shop.store.load_conversation("terminal:li")).state


async def test_a_shop_may_change_the_command_words(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    extra = '[texts.zh]\nwords_more = "再来, 下一页"\n'
    async with make_shop(grocery(extra=extra)) as h:
        await as_customer(h, "zh")
        await h.choose("li", "cat:0:0")
        assert "Vegetable number 9" in await h.say("li", "再来")


@pytest.mark.parametrize(
    ("typed", "quantity"),
    [("3个", 3), ("两个", 2), ("三", 3), ("十二盒", 12), ("二十", 20), ("３件", 3), ("3 pcs", 3), ("x4", 4)],
)
async def test_a_quantity_typed_as_people_say_it_is_the_answer(
    grocery: Callable[..., str], make_shop: ShopFactory, typed: str, quantity: int
) -> None:
    """Asked "how many? reply with a number", a Chinese customer writes 3个 (three pieces), 两个 or
    三; others "3 pcs". The quantity goes in the cart; it is no search for "3个"."""
    async with make_shop(grocery()) as h:
        await as_customer(h, "zh")
        await h.choose("li", "qty:rice-5kg")
        answer = await h.say("li", typed)
        assert f"{quantity} × Basmati Rice 5 kg" in answer, answer
        assert t("zh", "search_none", query=typed) not in answer


@pytest.mark.parametrize(
    ("locale", "said", "meant"),
    [
        ("en", "hi, where is my order?", "You have no orders yet"),
        ("en", "can you show me my orders please", "You have no orders yet"),
        ("zh", "我想查订单", "您还没有订单"),
        ("hi", "भाई मेरा ऑर्डर कहाँ है", "आपका अभी कोई ऑर्डर नहीं है"),
    ],
)
async def test_a_command_said_in_a_sentence_is_that_command(
    grocery: Callable[..., str], make_shop: ShopFactory, locale: str, said: str, meant: str
) -> None:
    """Walking the demo shop: "hi, where is my order?" got "Nothing found for …"; only the phrase
    alone was heard. Phrases of two words or more (two characters in Chinese) are found inside what
    nothing else understood; one word alone ("cancel", "stop") is never read into a sentence."""
    async with make_shop(grocery()) as h:
        await as_customer(h, locale)
        reply = await h.say("li", said)
        assert meant in reply and said not in reply, reply


async def test_one_word_alone_is_not_read_into_a_sentence(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    async with make_shop(grocery()) as h:
        await h.say("li", "hi")
        reply = await h.say("li", "please do not stop the music")  # "stop" alone opts out of offers
        assert "Nothing found" in reply and t("en", "marketing_opted_out") not in reply, reply


@pytest.mark.parametrize(
    ("locale", "said", "done"),
    [
        ("en", "please don't empty my cart", "cart_cleared"),
        ("en", "I never said opt in to offers", "marketing_opted_in"),
        ("en", "who told you to opt out of my messages", "marketing_opted_out"),
        ("zh", "我不想退订", "marketing_opted_out"),
        ("zh", "我从来没有订阅过", "marketing_opted_in"),
        ("zh", "别清空购物车", "cart_cleared"),
        ("hi", "कार्ट खाली करो मत", "cart_cleared"),
    ],
)
async def test_a_command_that_changes_things_is_not_read_into_a_sentence(
    grocery: Callable[..., str], make_shop: ShopFactory, locale: str, said: str, done: str
) -> None:
    """"Don't empty my cart" emptied it, "我不想退订" (I don't want to unsubscribe) opted out, "I
    never said opt in" recorded marketing consent: what changes the customer's cart or consent is
    done when its words are said alone, never when they are found inside a sentence."""
    async with make_shop(grocery()) as h:
        await as_customer(h, locale)
        await h.choose("li", "add:veg-1:2")
        reply = await h.say("li", said)
        assert t(locale, done) not in reply, reply
        assert [ln["product_id"] for ln in (await conversation(h))["cart"]["lines"]] == ["veg-1"]
        consent = await read_consent(h.shop.store, "terminal:li", h.shop.now())
        assert consent.opted_in is None, consent


async def test_a_chinese_word_alone_is_not_read_into_a_sentence(
    grocery: Callable[..., str], make_shop: ShopFactory
) -> None:
    """The review: "我付款了" ("I have paid") started checkout, its 付款 ("pay") read as the command.
    Two characters are one word in Chinese; a phrase read into a sentence needs three (查订单)."""
    async with make_shop(grocery()) as h:
        await as_customer(h, "zh")
        await h.say("li", "洋葱")
        await h.say("li", "1")  # add to cart
        reply = await h.say("li", "我付款了")
        assert t("zh", "ask_address") not in reply, reply
