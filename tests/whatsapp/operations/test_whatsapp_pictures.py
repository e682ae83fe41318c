"""Catalog pictures the web chat can show (inline data, same-site paths) but Meta cannot fetch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.web.conftest import PICTURE
from tests.whatsapp.customer import Customer, text_of
from tests.whatsapp.test_e2e import catalog_csv, shop_toml

PRODUCTS = f"""
[[catalog.products]]
id = "ghee-inline"
title = "Zorba Desi Ghee 1 l"
price = "612.50"
category = "Dairy"
image_url = "{PICTURE}"

[[catalog.products]]
id = "tea-local"
title = "Quokka Tea Gold 250 g"
price = "145.00"
category = "Dairy"
image_url = "/static/tea.jpg"
"""


@pytest.fixture
async def pictures_shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    url = str(graph.make_url("")).rstrip("/")
    files = {"catalog.csv": catalog_csv()}
    async with running_shop(shop_toml(url, extra=PRODUCTS), tmp_path / "shop", files=files, terminal=False) as h:
        yield h


@pytest.mark.parametrize("word", ["Zorba", "Quokka"])
async def test_a_product_whose_picture_meta_cannot_fetch_still_gets_its_card(
    pictures_shop: ShopHarness, fake: FakeGraph, word: str
) -> None:
    asha = Customer(pictures_shop, fake, "919811112222", "Asha")
    await asha.say("hi")
    [card] = await asha.say(word)  # the only match: its card
    assert fake.refused == []  # Meta takes only http(s) links: anything else loses the whole message
    assert "Add to cart" in str(card.content) and word in text_of(card)
