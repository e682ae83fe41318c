"""A live catalog refreshed on a schedule: a refresh that succeeds is swapped in whole (prices,
stock, vanished variants: the cart says so at checkout), one that fails or brings a broken product
changes nothing and is tried again, every worker follows, and a restart reuses a fresh copy."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestServer

from chatshop.money import Money
from chatshop.plugins.catalog_sources import live_catalog
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.shopify import FakeShopify, shopify_product
from tests.conftest import on_storage

from .conftest import shopify_toml


def atta(*sizes: tuple[str, str, int]) -> dict[str, object]:
    return shopify_product(
        1,
        "atta",
        "Aashirvaad Atta",
        [
            {"sku": f"atta-{size.replace(' ', '')}", "price": price, "qty": qty, "values": [size]}
            for size, price, qty in sizes
        ],
        options=["Weight"],
        image="https://cdn.example/atta.jpg",
    )


def salt(price: str) -> dict[str, object]:
    return shopify_product(2, "salt", "Tata Salt", [{"sku": "salt-1kg", "price": price, "qty": 40}])


async def refresh(h: ShopHarness, after: timedelta = timedelta(minutes=31)) -> int:
    """Run the refresh jobs due by ``after`` from now (the shop's clock moves there)."""
    later = h.shop.now() + after
    h.shop.clock = lambda: later
    return await h.shop.jobs.run_due(later)


async def test_a_refresh_swaps_the_catalog_and_a_vanished_variant_leaves_the_cart_cleanly(
    shopify: FakeShopify, shopify_server: TestServer, tmp_path: Path
) -> None:
    shopify.products = [atta(("1 kg", "62.00", 10), ("5 kg", "245.00", 4)), salt("28.00")]
    async with running_shop(shopify_toml(shopify_server), tmp_path) as h:
        await h.say("ravi", "salt")
        await h.choose("ravi", "add:salt-1kg:1")
        await h.choose("ravi", "add:atta-5kg:1")
        shopify.products = [atta(("1 kg", "62.00", 7)), salt("30.00")]  # 5 kg gone, salt dearer, 3 atta sold
        assert await refresh(h) == 1
        catalog = h.shop.catalog
        assert catalog.get("atta-5kg") is None
        salt_now = catalog.get("salt-1kg")
        assert salt_now is not None and salt_now.price == Money(3000, "INR")
        assert (await h.shop.store.inventory(["atta-1kg"]))["atta-1kg"].stock == 7
        cart = await h.say("ravi", "cart")  # the cart keeps what was seen until it is priced to confirm
        assert "Your cart" in cart and "Checkout" in cart
        await h.say("ravi", "checkout")
        reply = await h.say("ravi", "12 Hill Road, Bandra 400050")
        assert "The price of Tata Salt is now ₹30.00." in reply  # told before confirming, never an error
        assert "Aashirvaad Atta (5 kg) is no longer available, so I took it out of your cart" in reply
        assert "1 × Tata Salt: ₹30.00" in reply and "Subtotal: ₹30.00" in reply


async def test_a_refresh_that_fails_keeps_the_last_good_catalog_and_is_tried_again(
    shopify: FakeShopify, shopify_server: TestServer, tmp_path: Path
) -> None:
    shopify.products = [salt("28.00")]
    async with running_shop(shopify_toml(shopify_server), tmp_path) as h:
        before = h.shop.catalog
        shopify.products = [salt("30.00")]
        shopify.outages = [503] * 10  # down for longer than one refresh tries
        assert await refresh(h) == 0
        assert h.shop.catalog is before
        shopify.products = [salt("31.00"), atta(("1 kg", "6.005", 1))]  # back, with a broken price
        assert await refresh(h, timedelta(minutes=2)) == 0  # the retry: refused whole
        assert h.shop.catalog is before and "salt-1kg" in h.shop.catalog
        shopify.products = [salt("31.00")]
        assert await refresh(h, timedelta(minutes=5)) >= 1  # tried again, with backoff
        now = h.shop.catalog.get("salt-1kg")
        assert now is not None and now.price == Money(3100, "INR")
        assert "gift-wrap" in h.shop.catalog  # shop.toml's own products stay beside the store's


async def test_every_worker_follows_a_refresh_and_a_restart_reuses_a_fresh_copy(
    shopify: FakeShopify, shopify_server: TestServer, tmp_path: Path, storage: str
) -> None:
    """Two workers on one database (SQLite here, PostgreSQL as several machines would share)."""
    shopify.products = [salt("28.00")]
    toml = on_storage(shopify_toml(shopify_server, "follow_seconds = 0.05\n"), storage)
    async with running_shop(toml, tmp_path) as one, running_shop(toml, tmp_path) as two:
        reads = len(shopify.calls)
        assert reads == 1  # the second worker took the first one's fresh copy
        shopify.products = [salt("35.00")]
        assert await refresh(one) == 1
        for _ in range(200):  # the other worker picks it up within follow_seconds
            item = two.shop.catalog.get("salt-1kg")
            if item is not None and item.price == Money(3500, "INR"):
                break
            await asyncio.sleep(0.02)
        item = two.shop.catalog.get("salt-1kg")
        assert item is not None and item.price == Money(3500, "INR")
        live = live_catalog(two.shop)
        assert live is not None and live.version == live_catalog(one.shop).version  # type: ignore[union-attr]
    shopify.outages = [503] * 10  # the store is away at the next start: the copy kept is sold
    async with running_shop(toml, tmp_path) as again:
        item = again.shop.catalog.get("salt-1kg")
        assert item is not None and item.price == Money(3500, "INR")
