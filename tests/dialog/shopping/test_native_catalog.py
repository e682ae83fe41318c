"""With a WhatsApp catalog, a category is sent as product lists of 30; every page, the last one
too, has a way back (WhatsApp's product list has no button of its own to go back with)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.conversation.shop import catalog_csv, shop_toml
from tests.whatsapp.customer import Customer, choices_of


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    url = str(graph.make_url("")).rstrip("/")
    toml = shop_toml(url, channel_extra='catalog_id = "730514628893517"')
    async with running_shop(toml, tmp_path / "shop", files={"catalog.csv": catalog_csv()}, terminal=False) as h:
        yield h


async def test_every_product_list_page_has_a_way_back(shop: ShopHarness, fake: FakeGraph) -> None:
    asha = Customer(shop, fake, "919812345678", "Asha Verma")
    await asha.say("hi")
    categories = shop.shop.catalog.categories
    flours, small = categories.index("Atta and Flours"), categories.index("Dairy")  # 45 products; 2
    await asha.tap("browse")
    first = await asha.tap(f"cat:{flours}:0")
    assert [m.content.get("type") for m in first] == ["product_list", "button"]
    assert [cid for cid, _ in choices_of(first[1])] == [f"cat:{flours}:1", "browse"]
    last = await asha.tap(f"cat:{flours}:1")  # products 31-45: the last page
    assert [m.content.get("type") for m in last] == ["product_list", "button"], last
    assert [cid for cid, _ in choices_of(last[1])] == ["browse"]
    back = await asha.tap("browse")
    assert any(cid == f"cat:{small}:0" for m in back for cid, _ in choices_of(m))
    only = await asha.tap(f"cat:{small}:0")  # a category of one page is its last page too
    assert [cid for m in only for cid, _ in choices_of(m)] == ["browse"]
    assert fake.refused == []
