"""Conversations on WhatsApp: the WhatsApp tests' fake Graph API and secrets, a real four-language
shop (shop.py) and Asha, who writes to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.conftest import fake, graph, secrets_env
from tests.whatsapp.customer import Customer
from tests.whatsapp.shops import graph_url, whatsapp_shop

from .shop import catalog_csv, shop_toml

__all__ = ["fake", "graph", "secrets_env"]


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    """Kirana Corner on WhatsApp, its catalog the one that trips renderers."""
    async with whatsapp_shop(shop_toml(graph_url(graph)), tmp_path / "shop", catalog_csv()) as h:
        yield h


@pytest.fixture
def asha(shop: ShopHarness, fake: FakeGraph) -> Customer:
    """A customer of the shop on WhatsApp."""
    return Customer(shop, fake, "919812345678", "Asha Verma")
