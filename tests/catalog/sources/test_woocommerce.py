"""A WooCommerce store's catalog through the REST API v3: simple and variable products with their
variations, exact prices (the sale price while a sale runs), managed and unmanaged stock, page
after page as ``X-WP-TotalPages`` says, with the consumer key and secret as Basic auth."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatshop.money import Money
from chatshop.plugins.catalog_sources.config import WooCommerceSource
from chatshop.plugins.catalog_sources.source import SourceError
from chatshop.plugins.catalog_sources.woocommerce import PER_PAGE, read_woocommerce
from chatshop.testing import running_shop
from chatshop.testing.fakes.woocommerce import FakeWooCommerce, woo_product, woo_variation

from .conftest import WOO_KEY, WOO_SECRET, woo_toml


def source(server: TestServer) -> WooCommerceSource:
    return WooCommerceSource(base_url=str(server.make_url("")).rstrip("/"), key_env="WOO_KEY", secret_env="WOO_SECRET")


def stock_shop(woo: FakeWooCommerce) -> None:
    woo.add(
        woo_product(
            11,
            "Cotton Tee",
            sku="tee",
            type="variable",
            description="<p>Soft &amp; <em>breathable</em></p>",
            categories=["Clothes", "Offers"],
            images=["https://shop.example/tee.jpg", "https://shop.example/tee-back.jpg"],
            attributes={"Size": ["M", "L"], "Colour": ["Red", "Blue"]},
        ),
        woo_variation(111, {"Size": "M", "Colour": "Red"}, sku="tee-m-red", price="499.00", stock=3),
        woo_variation(112, {"size": "L", "colour": "Blue"}, sku="", price="549.00", stock_status="outofstock"),
        woo_variation(113, {"Size": "L", "Colour": "Red"}, sku="tee-l-red", price="549.00", status="private"),
    )
    woo.add(woo_product(12, "Tata Salt 1 kg", sku="salt", price="25.00", regular_price="28.00", stock=-1))
    woo.add(woo_product(13, "Honey", price="180.00"))  # no SKU, stock not managed
    woo.add(woo_product(14, "Draft thing", sku="draft", price="1.00", status="draft"))
    woo.add(woo_product(15, "Gift box", sku="box", type="grouped"))


async def test_simple_and_variable_products_become_the_shops_catalog(
    woo: FakeWooCommerce, woo_server: TestServer, tmp_path: Path
) -> None:
    stock_shop(woo)
    async with running_shop(woo_toml(woo_server), tmp_path) as h:
        catalog = h.shop.catalog
        assert [p.id for p in catalog] == ["tee", "salt", "woo-13", "gift-wrap"]  # no draft, no grouped
        tee = catalog.get("tee")
        assert tee is not None and tee.options == ("Size", "Colour") and tee.category == "Clothes"
        assert tee.description == "Soft & breathable" and tee.image_url == "https://shop.example/tee.jpg"
        assert [v.id for v in tee.variants] == ["tee-m-red", "woo-112"]  # the private variation is not sold
        red = catalog.get("tee-m-red")
        assert red is not None and red.values == ("M", "Red") and red.stock == 3 and red.price == Money(49900, "INR")
        blue = catalog.get("woo-112")
        assert blue is not None and blue.values == ("L", "Blue") and blue.stock == 0
        salt = catalog.get("salt")  # on sale: the price paid now; oversold: none left
        assert salt is not None and salt.price == Money(2500, "INR") and salt.stock == 0
        honey = catalog.get("woo-13")
        assert honey is not None and honey.stock is None
    listed = [(path, query) for path, query in woo.calls if path.startswith("/wp-json/wc/v3/products")]
    assert [path for path, _ in woo.calls if (path, _) not in listed] == ["/wp-json/wc/v3/data/currencies/current"]
    assert all(query.get("per_page") == str(PER_PAGE) for _, query in listed)


async def test_every_page_is_read_as_x_wp_totalpages_says(woo: FakeWooCommerce, woo_server: TestServer) -> None:
    for n in range(1, 2 * PER_PAGE + 6):
        woo.add(woo_product(n, f"Product {n}", sku=f"p{n}", price="10.00"))
    async with aiohttp.ClientSession() as http:
        entries = await read_woocommerce(http, source(woo_server), WOO_KEY, WOO_SECRET)
    assert [e.fields["id"] for e in entries if e.fields][-1] == f"p{2 * PER_PAGE + 5}"
    assert len(entries) == 2 * PER_PAGE + 5
    assert [query["page"] for _, query in woo.calls] == ["1", "2", "3"]


async def test_wrong_credentials_are_named_without_repeating_them_and_an_outage_is_tried_again(
    woo: FakeWooCommerce, woo_server: TestServer
) -> None:
    woo.add(woo_product(1, "Salt", sku="salt", price="28.00"))
    async with aiohttp.ClientSession() as http:
        with pytest.raises(SourceError, match="HTTP 401: woocommerce_rest_cannot_view") as caught:
            await read_woocommerce(http, source(woo_server), WOO_KEY, "cs_wrong_secret")
        assert "cs_wrong" not in str(caught.value) and WOO_KEY not in str(caught.value)
        woo.outages = [503]
        assert len(await read_woocommerce(http, source(woo_server), WOO_KEY, WOO_SECRET)) == 1


async def test_a_variation_without_a_value_is_named_and_nothing_of_the_store_is_used(
    woo: FakeWooCommerce, woo_server: TestServer, tmp_path: Path
) -> None:
    from chatshop.config import ConfigError

    woo.add(
        woo_product(21, "Tee", sku="tee", type="variable", attributes={"Size": ["M", "L"]}),
        woo_variation(211, {"Size": "M"}, sku="tee-m", price="499.00"),
        woo_variation(212, {}, sku="tee-any", price="499.00"),  # "Any Size": no value to pick
    )
    with pytest.raises(ConfigError) as caught:
        async with running_shop(woo_toml(woo_server), tmp_path):
            pass
    assert "woocommerce variation 212.attributes[1]" in str(caught.value)


async def test_a_store_in_another_currency_is_refused_and_a_key_that_may_not_say_is_trusted(
    woo: FakeWooCommerce, woo_server: TestServer
) -> None:
    woo.add(woo_product(1, "Salt", sku="salt", price="28.00"))
    woo.currency = "USD"
    async with aiohttp.ClientSession() as http:
        with pytest.raises(SourceError, match="sells in USD, the shop in INR"):
            await read_woocommerce(http, source(woo_server), WOO_KEY, WOO_SECRET, "INR")
        woo.manager = False  # a read key of a user who is not a shop manager: 403 on the currency
        assert len(await read_woocommerce(http, source(woo_server), WOO_KEY, WOO_SECRET, "INR")) == 1
