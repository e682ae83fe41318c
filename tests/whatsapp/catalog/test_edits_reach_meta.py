"""A price or stock typed on the dashboard reaches Meta's catalog in the background: the edit
schedules the window's sync job (several edits, one job), the staff member never waits for Meta,
and a refused or throttled push is tried again by the job."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.web.admin_client import login, page_csrf

from ..shops import graph_url, whatsapp_shop, whatsapp_shop_toml

CATALOG_ID = "730514628893517"
ADMIN_ENV = "CHATSHOP_TEST_SYNC_ADMIN"
ADMIN_TOKEN = "sync-bazaar-admin-token-0123"
PRODUCTS = """
[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
category = "Staples"
description = "Stone-ground whole wheat"
image_url = "https://cdn.example/atta.jpg"
price = "245.00"
stock = 4

[[catalog.products]]
id = "ghee-1l"
title = "Amul Ghee 1 l"
category = "Dairy"
description = "Pure cow ghee"
image_url = "https://cdn.example/ghee.jpg"
price = "612.50"
"""


@pytest.fixture(autouse=True)
def admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)


def toml(graph: TestServer, sync_seconds: int = 600) -> str:
    extra = f'catalog_id = "{CATALOG_ID}"' + (f"\ncatalog_sync_seconds = {sync_seconds}" if sync_seconds else "")
    return whatsapp_shop_toml(
        graph_url(graph),
        shop='name = "Sync Bazaar"\ncurrency = "INR"',
        catalog=PRODUCTS,
        more=f'[admin]\ntoken_env = "{ADMIN_ENV}"\n',
        channel_extra=extra,
    )


async def save(h: ShopHarness, product_id: str, **fields: str) -> str:
    csrf = await page_csrf(h, "/admin/catalog")
    resp = await h.client.post(f"/admin/catalog/{product_id}", data={"csrf": csrf, "action": "save", **fields})
    assert resp.status == 200
    return await resp.text()


async def test_a_price_and_a_stock_edited_on_the_dashboard_reach_meta_in_one_background_sync(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID)
    async with whatsapp_shop(toml(graph), tmp_path / "shop") as h:
        assert await h.shop.jobs.run_due(h.shop.now() + timedelta(minutes=11)) == 1  # start-up's sync
        assert fake.catalogs.items[CATALOG_ID]["ghee-1l"]["price"] == "612.50 INR"
        later = h.shop.now() + timedelta(hours=1)
        h.shop.clock = lambda: later  # a new window
        calls = len(fake.catalogs.calls)
        assert await login(h, ADMIN_TOKEN) in (200, 302, 303)
        await save(h, "ghee-1l", price="599.00")
        await save(h, "atta-5kg", stock="0")
        assert len(fake.catalogs.calls) == calls  # the staff member did not wait for Meta
        assert await h.shop.jobs.run_due(later + timedelta(minutes=11)) == 1  # two edits, one sync
        items = fake.catalogs.items[CATALOG_ID]
        assert items["ghee-1l"]["price"] == "599.00 INR"
        assert items["atta-5kg"]["availability"] == "out of stock"
        assert len(fake.catalogs.calls) > calls


async def test_an_edit_when_meta_is_throttling_is_pushed_by_the_retried_job(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID)
    async with whatsapp_shop(toml(graph), tmp_path / "shop") as h:
        assert await h.shop.jobs.run_due(h.shop.now() + timedelta(minutes=11)) == 1
        later = h.shop.now() + timedelta(hours=1)
        h.shop.clock = lambda: later
        await login(h, ADMIN_TOKEN)
        await save(h, "ghee-1l", price="580.00")
        fake.catalogs.faults.extend([80014] * 20)  # Meta throttles longer than one push waits
        assert await h.shop.jobs.run_due(later + timedelta(minutes=11)) == 0  # failed: kept for later
        assert fake.catalogs.items[CATALOG_ID]["ghee-1l"]["price"] == "612.50 INR"
        fake.catalogs.faults.clear()
        assert await h.shop.jobs.run_due(later + timedelta(hours=1)) == 1  # the retry
        assert fake.catalogs.items[CATALOG_ID]["ghee-1l"]["price"] == "580.00 INR"


async def test_without_catalog_sync_seconds_an_edit_schedules_nothing(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID)
    async with whatsapp_shop(toml(graph, sync_seconds=0), tmp_path / "shop") as h:
        await login(h, ADMIN_TOKEN)
        await save(h, "ghee-1l", price="580.00")
        assert await h.shop.jobs.run_due(h.shop.now() + timedelta(days=1)) == 0
        assert fake.catalogs.calls == []
