"""``chatshop whatsapp catalog sync``: products and each variant into Meta's catalog through
``items_batch``, the diff first; per-item refusals reported, throttles retried, handles polled; a
product Meta does not hold is shown as our own card, never an error to the customer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from aiohttp.test_utils import TestServer
from click.testing import CliRunner

from chatshop.plugins.whatsapp.catalog_sync import plan, push, refused_items
from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.plugins.whatsapp.commands import register
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.store.helpers import order

from .customer import Customer
from .shops import graph_url, whatsapp_shop, whatsapp_shop_toml

CATALOG_ID = "730514628893517"
PRODUCTS = """
[[catalog.products]]
id = "atta"
title = "Aashirvaad Atta"
category = "Staples"
description = "Stone-ground whole wheat"
image_url = "https://cdn.example/atta.jpg"
options = ["Weight"]
[[catalog.products.variants]]
id = "atta-1kg"
values = ["1 kg"]
price = "62.00"
stock = 0
[[catalog.products.variants]]
id = "atta-5kg"
values = ["5 kg"]
price = "245.00"
stock = 4

[[catalog.products]]
id = "ghee"
title = "Amul Ghee 1 l"
category = "Dairy"
price = "612.50"
"""


def toml(graph: TestServer) -> str:
    return whatsapp_shop_toml(
        graph_url(graph),
        shop='name = "Sync Bazaar"\ncurrency = "INR"',
        catalog=PRODUCTS,
        channel_extra=f'catalog_id = "{CATALOG_ID}"',
    )


def channel_of(h: object) -> WhatsAppChannel:
    channel = h.shop.channels["whatsapp"]  # type: ignore[attr-defined]
    assert isinstance(channel, WhatsAppChannel)
    return channel


async def test_each_variant_is_an_item_of_its_group_and_refusals_are_named(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID)
    fake.catalogs.polls = 2  # the handle says in_progress twice before the batch is processed
    fake.catalogs.faults.append(80014)  # too many calls: waited out and tried again
    async with whatsapp_shop(toml(graph), tmp_path / "shop") as h:
        diff = await plan(h.shop)
        assert [d["id"] for d in diff.create] == ["atta-1kg", "atta-5kg", "ghee"] and diff.lines()[-1].startswith(
            "3 to"
        )
        report = await push(h.shop, channel_of(h).client, CATALOG_ID, diff, sleep=_no_wait)
        assert report.accepted == ["atta-1kg", "atta-5kg"]
        assert list(report.refused) == ["ghee"] and "image_link is required" in report.refused["ghee"][0]
        items = fake.catalogs.items[CATALOG_ID]
        assert items["atta-1kg"]["item_group_id"] == "atta" and items["atta-1kg"]["availability"] == "out of stock"
        assert items["atta-5kg"]["price"] == "245.00 INR" and items["atta-5kg"]["inventory"] == 4
        assert items["atta-5kg"]["title"] == "Aashirvaad Atta (5 kg)" and "ghee" not in items
        assert await refused_items(h.shop) == {"ghee"}
        [call] = fake.catalogs.calls
        assert call["item_type"] == "PRODUCT_ITEM" and len(call["requests"]) == 3 and fake.catalogs.checks == 3

        await h.shop.store.update_inventory("atta-1kg", stock=10)  # restocked: only that item changes
        again = await plan(h.shop)
        assert [d["id"] for d in again.update] == ["atta-1kg"] and [d["id"] for d in again.create] == ["ghee"]
        assert again.unchanged == 1


async def test_products_meta_does_not_hold_are_shown_as_our_own_list(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID, "atta-1kg", "atta-5kg")  # ghee never made it into Meta's catalog
    async with whatsapp_shop(toml(graph), tmp_path / "shop") as h:
        asha = Customer(h, fake, "919812345678", "Asha Verma")
        await asha.say("hi")
        await asha.tap("browse")
        dairy = h.shop.catalog.tree.index("Dairy")
        shown = await asha.tap(f"cat:{dairy}:0")  # Meta refuses the product list: our own comes instead
        assert [m.type for m in shown] == ["text", "interactive"], shown
        assert "Amul Ghee 1 l (₹612.50)" in shown[0].content["body"] and fake.refused[-1][0] == 131009
        staples = h.shop.catalog.tree.index("Staples")
        await asha.tap("browse")
        [products, _] = await asha.tap(f"cat:{staples}:0")  # atta is in Meta's catalog: a product list
        assert products.content["type"] == "product_list"
        assert products.content["action"]["sections"][0]["product_items"] == [{"product_retailer_id": "atta-1kg"}]


def test_the_command_prints_the_diff_and_a_dry_run_changes_nothing(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    """A dry run reads the shop's database, never Meta: the fake is not even listening here."""
    fake.catalogs.add_catalog(CATALOG_ID)
    (tmp_path / "shop.toml").write_text(toml(graph), encoding="utf-8")
    cli = click.Group()
    register(cli)  # as the chatshop command does with every plugin's commands
    result = CliRunner().invoke(cli, ["whatsapp", "catalog", "sync", str(tmp_path / "shop.toml"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "+ atta-5kg  Aashirvaad Atta (5 kg)  245.00 INR  in stock" in result.output
    assert "3 to create, 0 to update, 0 to delete, 0 unchanged" in result.output
    assert fake.catalogs.calls == []


async def _no_wait(seconds: float) -> None:
    return None


async def test_with_catalog_sync_seconds_changes_go_to_meta_in_the_background(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    """Start-up and each order schedule one sync for the end of the window: gathered, not one per order."""
    fake.catalogs.add_catalog(CATALOG_ID)
    shop_toml = toml(graph).replace(
        f'catalog_id = "{CATALOG_ID}"', f'catalog_id = "{CATALOG_ID}"\ncatalog_sync_seconds = 86400'
    )
    async with whatsapp_shop(shop_toml, tmp_path / "shop") as h:
        later = h.shop.now() + timedelta(days=1)
        assert await h.shop.jobs.run_due(later) == 1  # the one scheduled at start-up
        assert set(fake.catalogs.items[CATALOG_ID]) == {"atta-1kg", "atta-5kg"}  # ghee has no picture
        h.shop.clock = lambda: later  # the next day: a new window
        await h.shop.store.update_inventory("atta-5kg", stock=3)
        for _ in range(3):  # three orders in one window: one sync
            placed, _ = await h.shop.store.place_order(order(product="atta-5kg"))
            await h.shop.plugins.order_placed(h.shop, placed)
        assert await h.shop.jobs.run_due(later + timedelta(days=1)) == 1
        assert fake.catalogs.items[CATALOG_ID]["atta-5kg"]["availability"] == "out of stock"  # 3, then 3 sold
        assert len(fake.catalogs.calls) == 2


async def test_a_title_past_metas_limit_is_cut_between_syllables(graph: TestServer, tmp_path: Path) -> None:
    """Meta takes 200 characters of title: a long Hindi name is cut where a syllable ends, marked
    with "…", never leaving a consonant without its vowel sign (कि cut to क)."""
    title = "x" + "कि" * 150  # 301 characters
    long_named = PRODUCTS.replace('title = "Amul Ghee 1 l"', f'title = "{title}"')
    async with whatsapp_shop(toml(graph).replace(PRODUCTS, long_named), tmp_path / "shop") as h:
        diff = await plan(h.shop)
        [ghee] = [d for d in diff.create if d["id"] == "ghee"]
        sent = ghee["title"]
        assert len(sent) <= 200 and sent.endswith("कि…"), sent[-5:]
