"""Fake Shopify and WooCommerce stores on loopback, their credentials in the environment, and a
shop.toml that reads its catalog from them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from chatshop.plugins.catalog_sources import source
from chatshop.testing.fakes.shopify import FakeShopify
from chatshop.testing.fakes.woocommerce import FakeWooCommerce

SHOPIFY_TOKEN = "shpat_0123456789abcdef0123456789abcdef"
WOO_KEY = "ck_0123456789abcdef0123456789abcdef01234567"
WOO_SECRET = "cs_0123456789abcdef0123456789abcdef01234567"

SHOP = """
[shop]
name = "Live Kirana"
currency = "INR"

[storage]
url = "sqlite:///shop.db"

[server]
retry_base_seconds = 0.01
sweep_seconds = 3600

[delivery]
fee = "30.00"
areas = ["400050"]

[payments.cod]

[[catalog.products]]
id = "gift-wrap"
title = "Gift wrap"
category = "Extras"
price = "20.00"
"""


def shopify_toml(server: TestServer, extra: str = "") -> str:
    url = str(server.make_url("")).rstrip("/")
    return SHOP + f'\n[catalog.sources.shopify]\nbase_url = "{url}"\ntoken_env = "SHOPIFY_TOKEN"\n{extra}'


def woo_toml(server: TestServer, extra: str = "") -> str:
    url = str(server.make_url("")).rstrip("/")
    return SHOP + (
        f'\n[catalog.sources.woocommerce]\nbase_url = "{url}"\nkey_env = "WOO_KEY"\nsecret_env = "WOO_SECRET"\n{extra}'
    )


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_TOKEN", SHOPIFY_TOKEN)
    monkeypatch.setenv("WOO_KEY", WOO_KEY)
    monkeypatch.setenv("WOO_SECRET", WOO_SECRET)
    monkeypatch.setattr(source, "BACKOFF_SECONDS", 0.001)


@pytest.fixture
def shopify() -> FakeShopify:
    return FakeShopify(token=SHOPIFY_TOKEN)


@pytest.fixture
async def shopify_server(shopify: FakeShopify) -> AsyncIterator[TestServer]:
    server = TestServer(shopify.app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
def woo() -> FakeWooCommerce:
    return FakeWooCommerce(key=WOO_KEY, secret=WOO_SECRET)


@pytest.fixture
async def woo_server(woo: FakeWooCommerce) -> AsyncIterator[TestServer]:
    server = TestServer(woo.app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()
