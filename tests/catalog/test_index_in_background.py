"""A big catalog's search index is built in a thread while the shop starts: the shop answers at once,
and a search waits (without holding the event loop) until the index is there, then finds the same."""

from __future__ import annotations

import pytest

import chatshop.catalog
from chatshop.catalog import Catalog, Product
from chatshop.money import Money
from tests.catalog.test_variant_typed import ENGLISH
from tests.conftest import ShopFactory


async def test_a_search_right_after_start_up_waits_for_the_index(
    make_shop: ShopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chatshop.catalog, "BACKGROUND_INDEX_FROM", 1)  # this small shop counts as big
    async with make_shop(ENGLISH) as h:
        assert h.shop.catalog._indexing is not None  # built in the thread, not in the constructor
        reply = await h.say("ravi", "basmati rice")
        assert "India Gate Basmati Rice" in reply and "Choose the Weight" in reply, reply
        assert "does not come in 2 kg" in await h.say("ravi", "2 kg")
        reply = await h.say("ravi", "basmati rice 5kg")  # the weight it names, picked
        assert "India Gate Basmati Rice (5 kg)" in reply and "Add to cart" in reply, reply


async def test_the_index_of_many_products_is_the_same_built_in_a_thread() -> None:
    products = [
        Product(id=f"p{n}", title=f"Brand{n % 97} Atta {n % 10} kg", price=Money(100 + n, "INR"), category="Staples")
        for n in range(chatshop.catalog.BACKGROUND_INDEX_FROM + 5)
    ]
    catalog = Catalog(products)
    assert catalog._indexing is not None
    await catalog.ready()
    found = catalog.search("brand5 atta 5kg")
    assert found[0].title == "Brand5 Atta 5 kg" and found.total == len(
        [p for p in products if p.title.startswith("Brand5 ")]
    )
