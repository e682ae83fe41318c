"""A variant's value typed in the web chat (the page's WebSocket protocol, as chat.js speaks it),
beside the values a customer could tap: "5kg" picks the 5 kg pack, "2 kg" is not sold."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatshop.testing import ShopHarness
from tests.catalog.test_variant_typed_telegram import RICE
from tests.conftest import ShopFactory
from tests.web.chat_client import ChatTab
from tests.web.conftest import WEB_TOML, admin_token

__all__ = ["admin_token"]


@pytest.fixture
async def web(make_shop: ShopFactory) -> AsyncIterator[ShopHarness]:
    async with make_shop(WEB_TOML + RICE, terminal=False) as h:
        yield h


def said(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages, ensure_ascii=False)


async def test_a_typed_weight_picks_the_variant(web: ShopHarness) -> None:
    tab = await ChatTab.open(web)
    asked = await tab.say(web, "basmati rice")
    assert "Choose the Weight" in said(asked) and "5 kg" in said(asked), said(asked)
    picked = await tab.say(web, "5kg")
    assert "India Gate Basmati Rice (5 kg)" in said(picked) and "650.00" in said(picked), said(picked)
    assert "add:rice-5kg" in said(picked), said(picked)
    await tab.say(web, "basmati rice")
    replies = await tab.say(web, "2 kg")
    assert "Sorry, India Gate Basmati Rice does not come in 2 kg" in said(replies), said(replies)
    await tab.close()
