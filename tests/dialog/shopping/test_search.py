"""Search in a grocery: a query whose main word matches nothing ("red shoes") finds nothing, even
when a side word ("red") is in some products; filler words, typos and other languages still work."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatshop.testing import ShopHarness
from tests.conftest import ShopFactory


async def search(h: ShopHarness, locale: str, query: str) -> str:
    await h.choose("mia", f"lang:{locale}")
    return await h.say("mia", query)


@pytest.mark.parametrize(
    ("locale", "query"), [("en", "red shoes"), ("en", "I want red shoes please"), ("de", "rote Schuhe")]
)
async def test_a_query_whose_main_word_matches_nothing_finds_nothing(
    grocery: Callable[..., str], make_shop: ShopFactory, locale: str, query: str
) -> None:
    async with make_shop(grocery()) as h:
        reply = await search(h, locale, query)
        assert "Onion" not in reply and "Tomato" not in reply, reply
        assert query in reply  # "Nothing found for …", in the customer's language


@pytest.mark.parametrize(
    ("locale", "query", "found"),
    [
        ("en", "red onion", "Red Onion 1 kg"),
        ("en", "I want basmati rice please", "Basmati Rice 5 kg"),
        ("en", "basmathi rice", "Basmati Rice 5 kg"),
        ("en", "tomatoes", "Tomato 1 kg"),
        ("de", "rote Zwiebeln bitte", "Red Onion 1 kg"),
        ("hi", "मुझे चावल चाहिए", "Basmati Rice 5 kg"),
        ("zh", "我要洋葱", "Red Onion 1 kg"),
    ],
)
async def test_what_the_customer_means_is_still_found(
    grocery: Callable[..., str], make_shop: ShopFactory, locale: str, query: str, found: str
) -> None:
    async with make_shop(grocery()) as h:
        reply = await search(h, locale, query)
        assert found in reply, reply


async def test_a_side_word_alone_still_finds_what_has_it(grocery: Callable[..., str], make_shop: ShopFactory) -> None:
    async with make_shop(grocery()) as h:
        reply = await search(h, "en", "red")
        assert "Red Onion 1 kg" in reply and "Tomato 1 kg" in reply, reply


@pytest.mark.parametrize(("query", "found"), [("rice 5kg", "Basmati Rice 5 kg"), ("लाल जूते", None)])
async def test_the_main_word_is_the_last_word_of_letters(
    grocery: Callable[..., str], make_shop: ShopFactory, query: str, found: str | None,
) -> None:
    """A size or code after the product ("rice 5kg") is not the thing asked for; "लाल जूते" (red
    shoes) in Hindi finds nothing, even though लाल (red) is the onions' colour in the catalog."""
    extra = '[texts.hi]\nsearch_synonyms = "लाल=red"\n'
    async with make_shop(grocery(extra=extra)) as h:
        reply = await search(h, "hi", query)
        if found:
            assert found in reply, reply
        else:
            assert "Onion" not in reply and "Tomato" not in reply, reply


#: A tea shop whose teas are named in Chinese, and one in English: 茶 (tea) is one of the Chinese
#: words the built-in texts give an English meaning (``search_synonyms``), so 绿茶 is 绿 + tea.
TEAS = """
[[catalog.products]]
id = "xihu-longjing"
title = "西湖龙井绿茶 明前特级"
price = "128.50"
category = "绿茶"

[[catalog.products]]
id = "pearl-milk-tea"
title = "珍珠奶茶 原味"
price = "18.00"
category = "饮品"

[[catalog.products]]
id = "peanut-oil"
title = "鲁花花生油 5升"
price = "99.00"
category = "粮油"

[[catalog.products]]
id = "english-green-tea"
title = "Green Tea 100 g"
price = "30.00"
category = "Staples"
"""


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("龙井绿茶", ["西湖龙井绿茶"]),
        ("绿茶", ["西湖龙井绿茶", "Green Tea 100 g"]),
        ("我要奶茶", ["珍珠奶茶"]),
        ("花生油", ["鲁花花生油"]),
        ("茶", ["西湖龙井绿茶", "珍珠奶茶", "Green Tea 100 g"]),
    ],
)
async def test_a_chinese_word_with_an_english_meaning_still_finds_products_named_in_chinese(
    grocery: Callable[..., str], make_shop: ShopFactory, query: str, found: list[str]
) -> None:
    """Typed without spaces, as Chinese is: 茶 also means tea, so an English "Green Tea" is found
    too, but the teas named in Chinese are still found by their own characters."""
    async with make_shop(grocery(extra=TEAS)) as h:
        reply = await search(h, "zh", query)
        assert all(title in reply for title in found), reply
        assert "没有找到" not in reply, reply
