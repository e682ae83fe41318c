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
