"""``--against-meta``: the sync's diff against what Meta's catalog holds now (read through
``GET /{catalog_id}/products``, page by page), not against the last push: drift made in Commerce
Manager is put right, and items the shop never put there are left alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from aiohttp.test_utils import TestServer
from click.testing import CliRunner

from chatshop.plugins.whatsapp.catalog_meta import meta_items, plan_against_meta
from chatshop.plugins.whatsapp.catalog_sync import plan, push
from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.plugins.whatsapp.commands import register
from chatshop.testing.fakes.whatsapp import FakeGraph

from ..shops import graph_url, whatsapp_shop, whatsapp_shop_toml

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
stock = 5
[[catalog.products.variants]]
id = "atta-5kg"
values = ["5 kg"]
price = "1245.00"
stock = 4

[[catalog.products]]
id = "ghee"
title = "Amul Ghee 1 l"
category = "Dairy"
description = "Pure cow ghee"
image_url = "https://cdn.example/ghee.jpg"
price = "612.50"
"""


def toml(graph: TestServer) -> str:
    return whatsapp_shop_toml(
        graph_url(graph),
        shop='name = "Drift Bazaar"\ncurrency = "INR"',
        catalog=PRODUCTS,
        channel_extra=f'catalog_id = "{CATALOG_ID}"',
    )


async def _no_wait(seconds: float) -> None:
    return None


async def test_drift_in_metas_catalog_is_found_and_put_right_and_others_items_are_left_alone(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID)
    async with whatsapp_shop(toml(graph), tmp_path / "shop") as h:
        channel = h.shop.channels["whatsapp"]
        assert isinstance(channel, WhatsAppChannel)
        report = await push(h.shop, channel.client, CATALOG_ID, await plan(h.shop), sleep=_no_wait)
        assert sorted(report.accepted) == ["atta-1kg", "atta-5kg", "ghee"]
        held = fake.catalogs.items[CATALOG_ID]
        held["ghee"]["price"] = "500.00 INR"  # edited by hand in Commerce Manager
        del held["atta-1kg"]  # deleted there
        held["tea-gift"] = {"id": "tea-gift", "title": "Tea gift box", "price": "999.00 INR"}  # the shop's own
        remembered = await plan(h.shop)
        assert not remembered and remembered.unchanged == 3  # the last push says all is well
        diff = await plan_against_meta(h.shop, channel.client, CATALOG_ID)
        assert [d["id"] for d in diff.create] == ["atta-1kg"]
        assert [d["id"] for d in diff.update] == ["ghee"]
        assert diff.delete == [] and diff.foreign == 1 and diff.unchanged == 1  # atta-5kg: "₹1,245.00" matches
        assert diff.lines()[-1].endswith("1 other item(s) in Meta's catalog left alone")
        await push(h.shop, channel.client, CATALOG_ID, diff, sleep=_no_wait)
        assert held["ghee"]["price"] == "612.50 INR" and "atta-1kg" in held and "tea-gift" in held
        again = await plan_against_meta(h.shop, channel.client, CATALOG_ID)
        assert not again and again.unchanged == 3


async def test_every_page_of_metas_catalog_is_read_with_its_cursor(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID, *(f"item-{n}" for n in range(7)))
    async with whatsapp_shop(toml(graph), tmp_path / "shop") as h:
        channel = h.shop.channels["whatsapp"]
        assert isinstance(channel, WhatsAppChannel)
        items = await meta_items(channel.client, CATALOG_ID, page=3)
        assert sorted(items) == [f"item-{n}" for n in range(7)]
        assert fake.catalogs.reads == 3


async def test_the_command_reads_metas_catalog_with_against_meta(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID, "atta-1kg")
    (tmp_path / "shop.toml").write_text(toml(graph), encoding="utf-8")
    cli = click.Group()
    register(cli)
    args = ["whatsapp", "catalog", "sync", str(tmp_path / "shop.toml"), "--dry-run", "--against-meta"]
    result = await asyncio.to_thread(CliRunner().invoke, cli, args)  # its own loop; the fake serves on ours
    assert result.exit_code == 0, result.output
    assert "~ atta-1kg  Aashirvaad Atta (1 kg)  62.00 INR  in stock" in result.output  # held there, but bare
    assert "2 to create, 1 to update, 0 to delete, 0 unchanged" in result.output
    assert fake.catalogs.reads == 1 and fake.catalogs.calls == []
