"""An approved template is approved per language, and sent with that language's code (research
§2.7): a shop offering English and Hindi configures the code of each, and a Hindi customer gets
the Hindi template outside the 24-hour window; a language without an approved translation gets
the shop's first language's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.orders import OrderStatus
from chatshop.plugins.whatsapp import render
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph, Invalid
from tests.whatsapp.conversation.shop import catalog_csv, shop_toml
from tests.whatsapp.conversation.test_template_buttons import place_order, template_after
from tests.whatsapp.customer import Customer, tap_stale
from tests.whatsapp.shops import graph_url, whatsapp_shop

LANGUAGES = """
[channels.whatsapp.templates.languages]
hi = "hi"
zh = "zh_CN"

[channels.whatsapp.templates.translated]
order_update = ["hi"]
"""


@pytest.fixture
async def two_language_shop(graph: TestServer, fake: FakeGraph, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    fake.templates = {"order_update": []}
    fake.template_languages = {"order_update": {"en_US", "hi"}}
    async with whatsapp_shop(shop_toml(graph_url(graph), extra=LANGUAGES), tmp_path / "shop", catalog_csv()) as h:
        yield h


@pytest.mark.parametrize(
    ("locale", "code"),
    [
        ("hi", "hi"),
        ("en", "en_US"),
        ("de", "en_US"),  # no German code configured: the shop's first language
        ("zh", "en_US"),  # a Chinese code, but this template is not approved in it
    ],
)
async def test_the_customer_gets_the_template_in_their_language(
    two_language_shop: ShopHarness, fake: FakeGraph, locale: str, code: str
) -> None:
    asha = Customer(two_language_shop, fake, "919812300007", "Asha")
    await tap_stale(asha, f"lang:{locale}")
    number = await place_order(asha)
    template = await template_after(asha, number, OrderStatus.SHIPPED)
    assert template.content["language"] == {"code": code}


def test_the_fake_refuses_a_language_the_template_is_not_approved_in() -> None:
    fake = FakeGraph()
    fake.templates = {"order_update": []}
    fake.template_languages = {"order_update": {"en_US"}}
    fake.validate_message(render.envelope("919812345678", render.template("order_update", "en_US", ["A1", "x"])))
    with pytest.raises(Invalid) as refused:
        fake.validate_message(render.envelope("919812345678", render.template("order_update", "hi", ["A1", "x"])))
    assert refused.value.code == 132001
