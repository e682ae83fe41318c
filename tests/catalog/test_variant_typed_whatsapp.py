"""A variant's value typed on WhatsApp (a real webhook against the fake Graph API), beside the list
of values a customer could tap: the same words pick the same variant as in the terminal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.catalog.test_variant_files import CSV
from tests.whatsapp.conftest import fake, graph, secrets_env
from tests.whatsapp.conversation.shop import shop_toml
from tests.whatsapp.customer import Customer, choices_of, said
from tests.whatsapp.shops import graph_url, whatsapp_shop

__all__ = ["fake", "graph", "secrets_env"]


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    async with whatsapp_shop(shop_toml(graph_url(graph)), tmp_path / "shop", CSV) as h:
        yield h


async def test_a_typed_size_and_colour_pick_the_variant(shop: ShopHarness, fake: FakeGraph) -> None:
    asha = Customer(shop, fake, "919812345678", "Asha Verma")
    await asha.say("hi")
    [values] = await asha.say("cotton tee")
    assert {"M", "L"} <= {title for _, title in choices_of(values)}  # the list is still there to tap
    replies = await asha.say("m")
    assert "Cotton Tee (M)" in said(replies) and "Choose the Colour" in said(replies), said(replies)
    replies = await asha.say("BLUE")  # M in blue: none left
    assert "Sorry, Cotton Tee (M, Blue) is out of stock right now." in said(replies), said(replies)
    replies = await asha.say("red")
    assert "Cotton Tee (M, Red)" in said(replies) and "Add to cart" in said(replies), said(replies)
    await asha.say("cotton tee")
    replies = await asha.say("XL")
    assert "Sorry, Cotton Tee does not come in XL. Size: M, L." in said(replies), said(replies)
    assert fake.refused == []
