"""A real four-language shop on WhatsApp against the fake Graph API, for the conversation journeys.

Its catalog is what trips a renderer: product names far past WhatsApp's 20/24-character titles (in
Latin, Devanagari and Chinese), a category of 45 products, a sold-out product and one with little
stock, and an unlimited one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph, Sent
from tests.whatsapp.customer import Customer, choices_of, text_of
from tests.whatsapp.shops import COD, ORDER_TEMPLATES, graph_url, whatsapp_shop, whatsapp_shop_toml

#: A description longer than any WhatsApp interactive body (1024).
SAFFRON = "Hand-picked Mongra saffron from Pampore in Kashmir. " + "Deep red threads with a strong aroma. " * 60
LONG = "Extra Long Premium Stone-Ground Whole Wheat Chakki Atta Family Pack Number"
DELIVERY = """[delivery]
fee = "30.00"
free_above = "499.00"
"""


def catalog_csv() -> str:
    rows = ["id,title,price,category,stock,description"]
    for n in range(1, 46):
        rows.append(f"atta-{n},{LONG} {n},{200 + n}.00,Atta and Flours,50,Batch {n}")
    rows += [
        "basmati-1kg,India Gate Basmati Rice 1 kg,149.50,Rice and Dal,30,Long grain basmati",
        "toor-dal-1kg,Tata Sampann Toor Dal 1 kg,180.00,Rice and Dal,50,Unpolished toor dal",
        "ghee-1l,आशीर्वाद शुद्ध देसी घी एक लीटर का बड़ा पैक परिवार के लिए,612.50,Rice and Dal,2,देसी घी",
        "tea-500g,特级西湖龙井绿茶五百克装家庭实惠装礼盒,320.00,Rice and Dal,,Green tea",
        "cafe-250g,Café Crème Kaffeebohnen 250 g,399.00,Rice and Dal,0,Kaffee",
        "milk-1l,Amul Taaza Milk 1 l,68.00,Dairy,100,Toned milk",
        "paneer-200g,Amul Malai Paneer 200 g,95.00,Dairy,,Fresh paneer",
        f"saffron-1g,Kashmiri Mongra Saffron 1 g,450.00,Spices,0,{SAFFRON}",
    ]
    return "\n".join(rows) + "\n"


def shop_toml(graph_url: str, *, locale: str = "en", channel_extra: str = "", extra: str = "") -> str:
    """Kirana Corner in four languages with delivery and cash on delivery; ``extra`` follows the
    templates table."""
    return whatsapp_shop_toml(
        graph_url,
        shop=f'name = "Kirana Corner"\ncurrency = "INR"\nlocale = "{locale}"\nlocales = ["en", "hi", "de", "zh"]',
        more=DELIVERY + "\n" + COD,
        channel_extra=channel_extra,
        templates=ORDER_TEMPLATES + extra,
    )


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    async with whatsapp_shop(shop_toml(graph_url(graph)), tmp_path / "shop", catalog_csv()) as h:
        yield h


@pytest.fixture
def asha(shop: ShopHarness, fake: FakeGraph) -> Customer:
    return Customer(shop, fake, "919812345678", "Asha Verma")


async def tap_stale(customer: Customer, choice_id: str, title: str = "Old button") -> list[Sent]:
    """Tap a button from a menu long gone (or one never sent): WhatsApp delivers whatever id it had."""
    reply = {"type": "button_reply", "button_reply": {"id": choice_id, "title": title}}
    message = customer.message("interactive", interactive=reply)
    message["context"] = {"from": "919800012345", "id": "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOld"}
    return await customer.post_and_read(message)


def said(messages: list[Sent]) -> str:
    """Everything the customer read in these messages, buttons and rows included."""
    return "\n".join([text_of(m) for m in messages] + [title for m in messages for _, title in choices_of(m)])
