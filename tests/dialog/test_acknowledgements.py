"""A customer who says thanks, "ok" or sends a 👍 is answered politely, not told that the shop has
no product called "thanks"."""

from __future__ import annotations

import pytest

from chatshop.testing import ShopHarness
from tests.conftest import SHOP_TOML, ShopFactory


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("Thanks!", "You're welcome!"),
        ("ok", "You're welcome!"),
        ("👍", "You're welcome!"),
        ("🙏🏽", "You're welcome!"),
        ("❤️", "You're welcome!"),
        ("👍🏻 👍🏻", "You're welcome!"),
        ("Danke schön", "Gern geschehen!"),  # the test shop speaks English and German
    ],
)
async def test_thanks_is_answered_not_searched(harness: ShopHarness, typed: str, answer: str) -> None:
    await harness.say("asha", "hi")
    reply = await harness.say("asha", typed)
    assert answer in reply and "Nothing found" not in reply and "found" not in reply, reply
    assert "1." in reply  # the menu, to go on


async def test_ok_at_an_open_question_is_still_its_answer(harness: ShopHarness) -> None:
    """At the address question "ok" is what the customer typed there, never "you're welcome"."""
    await harness.say("asha", "hi")
    await harness.say("asha", "atta")
    await harness.say("asha", "1")  # Add to cart
    await harness.choose("asha", "checkout")
    reply = await harness.say("asha", "ok")
    assert "You're welcome" not in reply, reply


async def test_a_product_word_is_still_a_search(harness: ShopHarness) -> None:
    await harness.say("asha", "hi")
    assert "You're welcome" not in await harness.say("asha", "atta")


@pytest.mark.parametrize(("typed", "answer"), [("धन्यवाद", "कोई बात नहीं!"), ("谢谢", "不客气！")])
async def test_thanks_in_hindi_or_chinese_is_answered_in_it(
    make_shop: ShopFactory, typed: str, answer: str
) -> None:
    async with make_shop(SHOP_TOML.replace('locales = ["en", "de"]', 'locales = ["en", "de", "hi", "zh"]')) as h:
        await h.say("asha", "hi")
        assert answer in await h.say("asha", typed)


@pytest.mark.parametrize("typed", ["?", "???", "...", "-"])
async def test_a_question_mark_alone_is_not_thanked(harness: ShopHarness, typed: str) -> None:
    """A "?" alone is a customer who does not know what to do: never "You're welcome"."""
    await harness.say("asha", "hi")
    reply = await harness.say("asha", typed)
    assert "You're welcome" not in reply and "1." in reply, reply


async def test_a_word_of_thanks_both_languages_use_keeps_the_customers_language(harness: ShopHarness) -> None:
    """"super" is English too and "thx" German too: said to be polite, it does not switch an English
    customer to German or a German one to English for the rest of the conversation."""
    await harness.say("asha", "hi")
    assert "You're welcome!" in await harness.say("asha", "super")
    assert "Gern geschehen!" in await harness.say("asha", "Danke")
    for typed in ("thx", "cool", "thanks"):
        reply = await harness.say("asha", typed)
        assert "Gern geschehen!" in reply, (typed, reply)
