"""A price changed in the shop's Shopify store reaches Meta's catalog on its own: the refresh job
swaps the catalog and says so (``catalog_changed``), and the window's sync job pushes the change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing.fakes.shopify import FakeShopify, shopify_product
from chatshop.testing.fakes.whatsapp import FakeGraph

from ..shops import graph_url, whatsapp_shop, whatsapp_shop_toml

CATALOG_ID = "730514628893517"
TOKEN = "shpat_live_source_test_token_0123"


def salt(price: str) -> dict[str, object]:
    return shopify_product(
        2, "salt", "Tata Salt", [{"sku": "salt-1kg", "price": price, "qty": 40}], image="https://cdn.example/salt.jpg"
    )


@pytest.fixture
async def store(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[FakeShopify, TestServer]]:
    monkeypatch.setenv("SHOPIFY_LIVE_TOKEN", TOKEN)
    fake = FakeShopify(token=TOKEN, products=[salt("28.00")])
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    yield fake, server
    await server.close()


async def test_a_price_changed_in_shopify_reaches_metas_catalog_through_the_two_jobs(
    graph: TestServer, fake: FakeGraph, store: tuple[FakeShopify, TestServer], tmp_path: Path
) -> None:
    shopify, server = store
    fake.catalogs.add_catalog(CATALOG_ID)
    url = str(server.make_url("")).rstrip("/")
    source = f'[catalog.sources.shopify]\nbase_url = "{url}"\ntoken_env = "SHOPIFY_LIVE_TOKEN"\n'
    toml = whatsapp_shop_toml(
        graph_url(graph),
        shop='name = "Live Bazaar"\ncurrency = "INR"',
        catalog=source,
        channel_extra=f'catalog_id = "{CATALOG_ID}"\ncatalog_sync_seconds = 600',
    )
    async with whatsapp_shop(toml, tmp_path / "shop") as h:
        start = h.shop.now()
        assert await h.shop.jobs.run_due(start + timedelta(minutes=11)) >= 1  # start-up's sync
        assert fake.catalogs.items[CATALOG_ID]["salt-1kg"]["price"] == "28.00 INR"
        shopify.products = [salt("30.00")]
        later = start + timedelta(minutes=61)  # past any refresh window (the jobs follow the wall clock)
        h.shop.clock = lambda: later
        assert await h.shop.jobs.run_due(later) >= 1  # the refresh: swapped, and a sync scheduled
        item = h.shop.catalog.get("salt-1kg")
        assert item is not None and str(item.price.decimal) == "30.00"
        assert fake.catalogs.items[CATALOG_ID]["salt-1kg"]["price"] == "28.00 INR"  # not in the refresh's turn
        assert await h.shop.jobs.run_due(later + timedelta(minutes=11)) >= 1  # the window's sync
        assert fake.catalogs.items[CATALOG_ID]["salt-1kg"]["price"] == "30.00 INR"
