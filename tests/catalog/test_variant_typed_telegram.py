"""A variant's value typed on Telegram (updates POSTed to the webhook, replies to the fake Bot API),
beside the buttons of the values a customer could tap: "5kg" picks the 5 kg pack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.telegram import FakeBotAPI
from tests.telegram.conftest import bot, bot_url, telegram_env, telegram_toml
from tests.telegram.test_telegram import TelegramCustomer, words

__all__ = ["bot", "bot_url", "telegram_env"]

RICE = """
[[catalog.products]]
id = "rice"
title = "India Gate Basmati Rice"
category = "Staples"
options = ["Weight"]
[[catalog.products.variants]]
id = "rice-1kg"
values = ["1 kg"]
price = "140.00"
[[catalog.products.variants]]
id = "rice-5kg"
values = ["5 kg"]
price = "650.00"
"""


@pytest.fixture
async def shop(bot_url: str, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    async with running_shop(telegram_toml(bot_url, RICE), tmp_path / "shop", terminal=False) as h:
        yield h


async def test_a_typed_weight_picks_the_variant(shop: ShopHarness, bot: FakeBotAPI) -> None:
    asha = TelegramCustomer(shop, bot, 5151)
    await asha.say("/start")
    asked = await asha.say("basmati rice")
    assert "Choose the Weight" in words(asked), words(asked)
    buttons = [b["text"] for m in asked for b in m.buttons]
    assert any(t.startswith("1 kg") for t in buttons) and any(t.startswith("5 kg") for t in buttons), buttons
    picked = await asha.say("5kg")
    assert "India Gate Basmati Rice (5 kg)" in words(picked) and "650.00" in words(picked), words(picked)
    added = await asha.tap("add:rice-5kg")
    assert "India Gate Basmati Rice (5 kg)" in words(added), words(added)
    await asha.say("basmati rice")
    replies = await asha.say("2 kg")
    assert "Sorry, India Gate Basmati Rice does not come in 2 kg" in words(replies), words(replies)
