"""Fixtures of the Telegram tests: the fake Bot API, its secrets, and a real shop whose bot it is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import DEMO_SHOP_TOML, ShopHarness, running_shop
from chatshop.testing.fakes.telegram import FakeBotAPI

SECRET = "s3cret_from-the-shop"


@pytest.fixture
def bot() -> FakeBotAPI:
    return FakeBotAPI()


@pytest.fixture(autouse=True)
def telegram_env(monkeypatch: pytest.MonkeyPatch, bot: FakeBotAPI) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", bot.token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)


@pytest.fixture
async def bot_url(bot: FakeBotAPI) -> AsyncIterator[str]:
    server = TestServer(bot.app())
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


def telegram_toml(api: str, extra: str = "") -> str:
    return DEMO_SHOP_TOML + f'\n[channels.telegram]\napi_base_url = "{api}"\n' + extra


@pytest.fixture
async def shop(bot_url: str, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    async with running_shop(telegram_toml(bot_url), tmp_path / "shop", terminal=False) as h:
        yield h
