"""A customer who writes in a script only one of the shop's languages uses is answered in that
language from their first message: 牛奶 to an English-first shop that offers Chinese gets Chinese.
Latin letters name brands in every language, so they never switch anyone."""

from __future__ import annotations

import pytest

from chatshop.locales_offered import written_locale
from tests.conftest import SHOP_TOML, ShopFactory

FOUR_LANGUAGES = SHOP_TOML.replace('locales = ["en", "de"]', 'locales = ["en", "de", "hi", "zh"]')


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("牛奶", "欢迎光临"),  # nothing found, a new customer: the greeting, in Chinese
        ("我要 Amul ghee", "Amul Pure Ghee"),  # found, with the buttons in Chinese
        ("दूध", "स्वागत"),
        ("मुझे आटा चाहिए", "Aashirvaad Atta"),
    ],
)
async def test_a_first_message_in_chinese_or_hindi_is_answered_in_it(
    make_shop: ShopFactory, typed: str, answer: str
) -> None:
    async with make_shop(FOUR_LANGUAGES) as h:
        reply = await h.say("mei", typed)
        assert answer in reply, reply
        chinese = any("\u4e00" <= c <= "\u9fff" for c in typed)
        assert h.shop.texts.get("zh" if chinese else "hi", "reply_with_number") in reply, reply


async def test_the_language_follows_the_script_later_too(make_shop: ShopFactory) -> None:
    async with make_shop(FOUR_LANGUAGES) as h:
        assert "Welcome" in await h.say("mei", "hi")
        assert "没有找到" in await h.say("mei", "牛奶")
        assert "没有找到" in await h.say("mei", "shoes")  # a Latin word keeps her Chinese
        assert "नहीं मिला" in await h.say("mei", "जूते")


async def test_an_address_in_chinese_keeps_an_english_customer_english(make_shop: ShopFactory) -> None:
    """An address is written in its city's script, whatever language its customer reads."""
    async with make_shop(FOUR_LANGUAGES) as h:
        await h.say("tom", "atta")
        await h.say("tom", "1")  # Add to cart
        await h.choose("tom", "checkout")
        reply = await h.say("tom", "上海市黄浦区人民大道200号 400050")
        assert "地址" not in reply, reply
        assert h.shop.texts.get("en", "reply_with_number") in reply, reply


async def test_a_shop_that_does_not_offer_the_language_stays_in_its_own(make_shop: ShopFactory) -> None:
    async with make_shop() as h:  # English and German only
        assert "Nothing found" in await h.say("mei", "hi") + await h.say("mei", "牛奶")


@pytest.mark.parametrize(
    ("text", "offered", "own", "expected"),
    [
        ("牛奶", ["en", "zh"], "en", "zh"),
        ("牛奶", ["en", "zh-TW"], "en", "zh-TW"),
        ("牛奶", ["en", "zh"], "zh", None),  # already hers
        ("牛奶", ["en", "zh-CN", "zh-TW"], "zh-TW", None),
        ("牛奶", ["en", "zh-CN", "zh-TW"], "en", None),  # which Chinese: unknown
        ("牛奶", ["en", "zh", "ja"], "en", None),  # Japanese writes Han too
        ("牛乳を", ["en", "zh", "ja"], "en", "ja"),  # but kana is Japanese alone
        ("दूध 2", ["en", "hi"], "en", "hi"),
        ("दूध", ["en", "hi", "mr"], "en", None),  # Marathi writes Devanagari too
        ("दूध 牛奶", ["en", "hi", "zh"], "en", None),
        ("thx", ["en", "de", "hi", "zh"], "de", None),
        ("super", ["en", "de", "hi", "zh"], "en", None),
        ("👍🏽 ok 123 २", ["en", "hi"], "en", None),  # a digit is no word
        ("", ["en", "zh"], "en", None),
    ],
)
def test_written_locale(text: str, offered: list[str], own: str, expected: str | None) -> None:
    assert written_locale(text, offered, own) == expected
