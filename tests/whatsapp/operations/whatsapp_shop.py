"""A real shop with the WhatsApp channel against the fake Graph API, for its operations journeys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer
from tests.whatsapp.shops import graph_url, whatsapp_shop
from tests.whatsapp.test_e2e import catalog_csv, shop_toml


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    """The shop of tests/whatsapp/test_e2e.py."""
    async with whatsapp_shop(shop_toml(graph_url(graph)), tmp_path / "shop", catalog_csv()) as h:
        yield h


@pytest.fixture
def priya(shop: ShopHarness, fake: FakeGraph) -> Customer:
    return Customer(shop, fake, "919812345678", "Priya Sharma")
