"""Two to ten products from Meta's catalog go out as a product carousel (Meta's
catalogs/interactive-product-carousel-messages: a body, 2-10 cards of type ``product`` each naming
the catalog and the SKU, no header, footer or buttons), checked by the fake Graph API; a product
Meta does not hold leaves the carousel, or our own list comes instead: never an error."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestServer

from chatshop.testing.fakes.whatsapp import FakeGraph

from ..customer import Customer
from ..shops import graph_url, whatsapp_shop, whatsapp_shop_toml

CATALOG_ID = "730514628893517"


def dairy(count: int) -> str:
    return "".join(
        f"""
[[catalog.products]]
id = "dairy-{n}"
title = "Dairy product {n}"
category = "Dairy"
description = "Fresh"
image_url = "https://cdn.example/dairy-{n}.jpg"
price = "{40 + n}.00"
"""
        for n in range(1, count + 1)
    )


def toml(graph: TestServer, products: str, extra: str = "") -> str:
    return whatsapp_shop_toml(
        graph_url(graph),
        shop='name = "Carousel Dairy"\ncurrency = "INR"',
        catalog=products,
        channel_extra=f'catalog_id = "{CATALOG_ID}"\n{extra}',
    )


async def browse_dairy(h: object, fake: FakeGraph) -> list[object]:
    asha = Customer(h, fake, "919812345678", "Asha Verma")  # type: ignore[arg-type]
    await asha.say("hi")
    return list(await asha.tap("browse"))  # the shop's one category opens at once


async def test_three_products_in_metas_catalog_go_out_as_a_product_carousel(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID, "dairy-1", "dairy-2", "dairy-3")
    async with whatsapp_shop(toml(graph, dairy(3)), tmp_path / "shop") as h:
        carousel, _ = await browse_dairy(h, fake)
        content = carousel.content  # type: ignore[attr-defined]
        assert content["type"] == "carousel" and "header" not in content and "footer" not in content
        assert "*Dairy*" in content["body"]["text"]
        assert content["action"]["cards"] == [
            {
                "card_index": i,
                "type": "product",
                "action": {"product_retailer_id": f"dairy-{i + 1}", "catalog_id": CATALOG_ID},
            }
            for i in range(3)
        ]


async def test_a_product_meta_does_not_hold_brings_our_own_list_never_an_error(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID, "dairy-1", "dairy-2")  # dairy-3 never reached Meta's catalog
    async with whatsapp_shop(toml(graph, dairy(3)), tmp_path / "shop") as h:
        shown = await browse_dairy(h, fake)
        assert [m.type for m in shown] == ["text", "interactive"]  # type: ignore[attr-defined]
        assert "Dairy product 3 (₹43.00)" in shown[0].content["body"]  # type: ignore[attr-defined]
        assert fake.refused[-1][0] == 131009  # Meta refused the carousel; the customer saw our list


async def test_one_product_or_eleven_stay_a_product_list_and_the_carousel_can_be_switched_off(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    fake.catalogs.add_catalog(CATALOG_ID, *(f"dairy-{n}" for n in range(1, 12)))
    async with whatsapp_shop(toml(graph, dairy(11)), tmp_path / "eleven") as h:
        products, _ = await browse_dairy(h, fake)
        assert products.content["type"] == "product_list"  # type: ignore[attr-defined]
    async with whatsapp_shop(toml(graph, dairy(1)), tmp_path / "one") as h:
        products, _ = await browse_dairy(h, fake)
        assert products.content["type"] == "product_list"  # type: ignore[attr-defined]
    async with whatsapp_shop(toml(graph, dairy(3), "product_carousel = false"), tmp_path / "off") as h:
        products, _ = await browse_dairy(h, fake)
        assert products.content["type"] == "product_list"  # type: ignore[attr-defined]
