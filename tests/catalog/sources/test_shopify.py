"""A Shopify store's catalog through the Admin GraphQL API: products with their options and
variants, exact prices, inventory, pictures and plain-text descriptions, page after page, with the
access token, waiting out the cost-based throttle rather than failing."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatshop.config import ConfigError
from chatshop.money import Money
from chatshop.plugins.catalog_sources.config import ShopifySource
from chatshop.plugins.catalog_sources.shopify import PRODUCTS_PER_PAGE, VARIANTS_PER_PRODUCT, read_shopify
from chatshop.plugins.catalog_sources.source import SourceError
from chatshop.testing import running_shop
from chatshop.testing.fakes.shopify import FakeShopify, shopify_product

from .conftest import SHOPIFY_TOKEN, shopify_toml

ATTA = shopify_product(
    1,
    "aashirvaad-atta",
    "Aashirvaad Atta",
    [
        {"sku": "atta-1kg", "price": "62.00", "qty": 10, "values": ["1 kg"]},
        {"sku": "atta-5kg", "price": "245.50", "qty": -2, "values": ["5 kg"], "image": "https://cdn.example/5kg.jpg"},
    ],
    options=["Weight"],
    description_html="<p>Stone-ground <b>whole wheat</b></p><ul><li>No maida</li></ul>",
    category="Food > Staples > Atta & Flour",
    image="https://cdn.example/atta.jpg",
)
SALT = shopify_product(2, "tata-salt", "Tata Salt 1 kg", [{"sku": "salt-1kg", "price": "28.00", "qty": 40}])
BAGS = shopify_product(
    3, "jute-bag", "Jute Bag", [{"sku": "", "price": "99.00", "tracked": False}], product_type="Home"
)
DRAFT = shopify_product(4, "secret", "Not yet", [{"sku": "secret", "price": "1.00"}], status="DRAFT")


def source(server: TestServer) -> ShopifySource:
    return ShopifySource(base_url=str(server.make_url("")).rstrip("/"), token_env="SHOPIFY_TOKEN")


async def test_products_variants_prices_stock_and_pictures_become_the_shops_catalog(
    shopify: FakeShopify, shopify_server: TestServer, tmp_path: Path
) -> None:
    shopify.products = [ATTA, SALT, BAGS, DRAFT]
    async with running_shop(shopify_toml(shopify_server), tmp_path) as h:
        catalog = h.shop.catalog
        assert [p.id for p in catalog] == ["aashirvaad-atta", "salt-1kg", "jute-bag", "gift-wrap"]  # no draft
        atta = catalog.get("aashirvaad-atta")
        assert atta is not None and atta.options == ("Weight",)
        assert atta.description == "Stone-ground whole wheat\n• No maida"
        assert atta.category == "Food > Staples > Atta & Flour" and atta.url is not None
        five = catalog.get("atta-5kg")
        assert five is not None and five.price == Money(24550, "INR") and five.values == ("5 kg",)
        assert five.stock == 0 and five.image_url == "https://cdn.example/5kg.jpg"  # oversold: none left
        one = catalog.get("atta-1kg")
        assert one is not None and one.stock == 10 and one.image_url == "https://cdn.example/atta.jpg"
        salt = catalog.get("salt-1kg")  # Shopify's "Default Title": a product without variants
        assert salt is not None and not salt.variants and salt.stock == 40
        bag = catalog.get("jute-bag")  # no SKU, stock not tracked: named by its handle, unlimited
        assert bag is not None and bag.stock is None and bag.category == "Home"
        stock = await h.shop.store.inventory(["atta-1kg", "salt-1kg"])
        assert stock["atta-1kg"].stock == 10 and stock["salt-1kg"].stock == 40
        assert "Aashirvaad Atta" in await h.say("asha", "atta")


async def test_every_page_and_every_variant_is_read_with_the_cursors_shopify_gave(
    shopify: FakeShopify, shopify_server: TestServer
) -> None:
    shopify.products = [
        shopify_product(n, f"p{n}", f"Product {n}", [{"sku": f"sku-{n}", "price": "10.00", "qty": 1}])
        for n in range(1, 2 * PRODUCTS_PER_PAGE + 4)
    ]
    sizes = [f"{n} cm" for n in range(1, VARIANTS_PER_PRODUCT + 8)]
    shopify.products.append(
        shopify_product(
            999,
            "ribbon",
            "Ribbon",
            [{"sku": f"ribbon-{s}", "price": "5.00", "values": [s]} for s in sizes[:9]]
            + [{"sku": f"ribbon-{s}-x", "price": "5.00", "values": [s]} for s in sizes[9:]],
            options=["Length"],
        )
    )
    async with aiohttp.ClientSession() as http:
        entries = await read_shopify(http, source(shopify_server), SHOPIFY_TOKEN, "INR")
    assert len(entries) == 2 * PRODUCTS_PER_PAGE + 4
    ribbon = entries[-1].fields or {}
    assert len(ribbon["variants"]) == len(sizes)  # beyond the first page of variants too
    kinds = [kind for kind, _, _ in shopify.calls]
    assert kinds.count("products") == 3 and kinds.count("variants") == 1


async def test_a_throttled_query_is_waited_out_for_the_points_it_lacks(
    shopify: FakeShopify, shopify_server: TestServer
) -> None:
    """Another app drained the bucket: Shopify says THROTTLED; the reader waits and asks again."""
    now = [0.0]
    shopify.clock = lambda: now[0]
    shopify.products = [ATTA, SALT]
    shopify.available()
    shopify._available = 100.0  # what another app left
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    async with aiohttp.ClientSession() as http:
        entries = await read_shopify(http, source(shopify_server), SHOPIFY_TOKEN, "INR", sleep=sleep)
    assert [e.fields["id"] for e in entries if e.fields] == ["aashirvaad-atta", "salt-1kg"]
    assert [outcome for _, _, outcome in shopify.calls] == ["THROTTLED", "ok"]
    requested = 2 + PRODUCTS_PER_PAGE * (4 + 2 + VARIANTS_PER_PRODUCT * 4) + 1
    assert waits == [pytest.approx((requested - 100.0) / shopify.restore_rate)]


async def test_the_reader_waits_before_a_query_the_bucket_cannot_pay_for(
    shopify: FakeShopify, shopify_server: TestServer
) -> None:
    """After the first answer it knows the points left and waits instead of being throttled."""
    now = [0.0]
    shopify.clock = lambda: now[0]
    shopify.maximum_available, shopify.restore_rate = 1000.0, 50.0
    shopify.products = [
        shopify_product(
            n,
            f"p{n}",
            f"Product {n}",
            [{"sku": f"s{n}-{v}", "price": "1.00", "values": [str(v)]} for v in range(VARIANTS_PER_PRODUCT)],
            options=["Size"],
        )
        for n in range(1, 3 * PRODUCTS_PER_PAGE + 1)
    ]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    async with aiohttp.ClientSession() as http:
        entries = await read_shopify(http, source(shopify_server), SHOPIFY_TOKEN, "INR", sleep=sleep)
    assert len(entries) == 3 * PRODUCTS_PER_PAGE
    assert "THROTTLED" not in [outcome for _, _, outcome in shopify.calls]
    assert waits and all(w > 0 for w in waits)


async def test_a_wrong_token_is_an_error_that_does_not_repeat_the_token(
    shopify: FakeShopify, shopify_server: TestServer
) -> None:
    async with aiohttp.ClientSession() as http:
        with pytest.raises(SourceError, match="HTTP 401") as caught:
            await read_shopify(http, source(shopify_server), "shpat_wrong_token_value", "INR")
    assert "shpat_" not in str(caught.value)


async def test_an_outage_is_tried_again_and_a_store_in_another_currency_is_refused(
    shopify: FakeShopify, shopify_server: TestServer
) -> None:
    shopify.products = [SALT]
    shopify.outages = [503, 502]
    async with aiohttp.ClientSession() as http:
        assert len(await read_shopify(http, source(shopify_server), SHOPIFY_TOKEN, "INR")) == 1
        shopify.currency = "USD"
        with pytest.raises(SourceError, match="sells in USD"):
            await read_shopify(http, source(shopify_server), SHOPIFY_TOKEN, "INR")


async def test_a_shop_whose_store_cannot_be_read_at_its_first_start_does_not_start(
    shopify: FakeShopify,
    shopify_server: TestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SHOPIFY_TOKEN", "shpat_revoked")
    with pytest.raises(ConfigError) as caught:
        async with running_shop(shopify_toml(shopify_server), tmp_path):
            pass
    assert "catalog.sources" in str(caught.value) and "401" in str(caught.value)
    logged = capsys.readouterr()
    assert "shpat_revoked" not in str(caught.value) + logged.out + logged.err


async def test_a_refresh_refused_by_the_store_is_logged_without_the_token(
    shopify: FakeShopify, shopify_server: TestServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import timedelta

    shopify.products = [SALT]
    async with running_shop(shopify_toml(shopify_server), tmp_path) as h:
        shopify.token = "shpat_rotated_in_the_store"  # the shop's token no longer works
        later = h.shop.now() + timedelta(minutes=31)
        assert await h.shop.jobs.run_due(later) == 0  # failed, kept for a retry
        assert "salt-1kg" in h.shop.catalog
    logged = capsys.readouterr()
    assert "catalog_sources.refresh_failed" in logged.err and "HTTP 401" in logged.err
    assert SHOPIFY_TOKEN not in logged.out + logged.err


async def test_a_bad_price_in_the_store_is_named_and_the_shop_does_not_start_on_half_a_catalog(
    shopify: FakeShopify, shopify_server: TestServer, tmp_path: Path
) -> None:
    broken = shopify_product(5, "tee", "Tee", [{"sku": "tee-m", "price": "4.999", "values": ["M"]}], options=["Size"])
    shopify.products = [SALT, broken]
    with pytest.raises(ConfigError) as caught:
        async with running_shop(shopify_toml(shopify_server), tmp_path):
            pass
    assert "shopify product tee variant 1.price" in str(caught.value)


def test_credentials_come_from_the_environment_and_travel_only_over_https(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from chatshop.plugins.catalog_sources.config import source_configs

    monkeypatch.delenv("SHOPIFY_TOKEN")
    with pytest.raises(ConfigError) as caught:
        source_configs(
            {
                "shopify": {"base_url": "http://shop.example", "token_env": "SHOPIFY_TOKEN"},
                "magento": {},
            }
        )
    problems = {p.path: p.message for p in caught.value.problems}
    assert "https" in problems["catalog.sources.shopify.base_url"]
    assert "known: shopify, woocommerce" in problems["catalog.sources.magento"]
    with pytest.raises(ConfigError) as missing:
        source_configs({"shopify": {"base_url": "https://x.myshopify.com", "token_env": "SHOPIFY_TOKEN"}})
    assert [str(p) for p in missing.value.problems] == [
        "catalog.sources.shopify.token_env: environment variable SHOPIFY_TOKEN is not set"
    ]
