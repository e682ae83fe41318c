"""Fixtures for the WeChat channel tests: secrets, a clock, the fake API, a real shop with the channel."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from chatshop.messages import Inbound
from chatshop.plugins.wechat.channel import WeChatChannel
from chatshop.plugins.wechat.config import WeChatConfig
from chatshop.runtime import Shop
from chatshop.store.codec import inbound_from_text
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.wechat import FakeWeChat

from .wire import AES_KEY, APP_ID, ORIGINAL_ID, TOKEN

SECRET = "fake-app-secret-0123456789"
FIXTURE_TIME = 1767254400  # the fixtures' CreateTime / timestamp


class Clock:
    """A clock the test moves; starts at the fixtures' time."""

    def __init__(self, now: float = FIXTURE_TIME) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WECHAT_TOKEN", TOKEN)
    monkeypatch.setenv("WECHAT_SECRET", SECRET)
    monkeypatch.setenv("WECHAT_AES_KEY", AES_KEY)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> FakeWeChat:
    return FakeWeChat(app_id=APP_ID, secret=SECRET, clock=clock)


@pytest.fixture
async def fake_url(fake: FakeWeChat) -> AsyncIterator[str]:
    server = TestServer(fake.app())
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def wechat_config(api_base_url: str, *, safe: bool = True, **extra: Any) -> WeChatConfig:
    data: dict[str, Any] = {
        "app_id": APP_ID,
        "app_secret_env": "WECHAT_SECRET",
        "token_env": "WECHAT_TOKEN",
        "api_base_url": api_base_url,
        "original_id": ORIGINAL_ID,
        **extra,
    }
    if safe:
        data["encoding_aes_key_env"] = "WECHAT_AES_KEY"
    return WeChatConfig.model_validate(data)


SHOP_TOML = """
[shop]
name = "Tea House"
currency = "CNY"
locale = "en"

[storage]
url = "sqlite:///shop.db"

[server]
retry_base_seconds = 60
sweep_seconds = 3600

[[catalog.products]]
id = "oolong"
title = "Oolong 250g"
price = "29.00"
category = "Tea"
stock = 5

[payments.cod]
max_order_total = "500.00"
"""


def _toml(value: Any) -> str:
    """One TOML value (the channel options tests pass: strings, numbers, tables of them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def wechat_shop_toml(api_base_url: str, *, safe: bool = True, **extra: Any) -> str:
    """The shop above with a ``[channels.wechat]`` section for the fake API."""
    section: dict[str, Any] = {
        "app_id": APP_ID,
        "app_secret_env": "WECHAT_SECRET",
        "token_env": "WECHAT_TOKEN",
        "api_base_url": api_base_url,
        "original_id": ORIGINAL_ID,
        **extra,
    }
    if safe:
        section.setdefault("encoding_aes_key_env", "WECHAT_AES_KEY")
    lines = [f"{key} = {_toml(value)}" for key, value in section.items()]
    return SHOP_TOML + "\n[channels.wechat]\n" + "\n".join(lines) + "\n"


@dataclass
class WeChatShop:
    """A real running shop with the WeChat channel, and what its store recorded."""

    harness: ShopHarness
    database: Path

    @property
    def shop(self) -> Shop:
        return self.harness.shop

    def _rows(self, query: str, *args: Any) -> list[sqlite3.Row]:
        # A reader of its own: in WAL mode it sees every committed write, even while the shop holds the lock.
        with closing(sqlite3.connect(self.database)) as db:
            db.row_factory = sqlite3.Row
            return db.execute(query, args).fetchall()

    @property
    def inbox(self) -> list[Inbound]:
        """Every customer message the shop's store accepted, oldest first."""
        return [inbound_from_text(row["payload"]) for row in self._rows("SELECT payload FROM inbox ORDER BY id")]

    def outbox(self, customer_key: str) -> list[tuple[str, str | None]]:
        """(state, the provider's message id) of each message the shop queued for the customer, oldest first."""
        query = "SELECT status, provider_message_id FROM outbox WHERE customer_key = ? ORDER BY id"
        return [(str(row["status"]), row["provider_message_id"]) for row in self._rows(query, customer_key)]

    @contextmanager
    def database_locked(self) -> Iterator[None]:
        """Another process holds the database's write lock: the shop's writes wait until it lets go."""
        db = sqlite3.connect(self.database, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            yield
        finally:
            db.execute("COMMIT")
            db.close()


MakeChannel = Callable[..., Awaitable[tuple[WeChatChannel, TestClient[Any, Any], WeChatShop]]]


@pytest.fixture
async def make_channel(
    secrets_env: None, fake_url: str, clock: Clock, tmp_path: Path
) -> AsyncIterator[MakeChannel]:
    """Run a real shop (SQLite, its app on loopback) whose ``[channels.wechat]`` talks to the fake API;
    options are that section's keys. Gives its channel, a client of its app and the shop."""
    counter = iter(range(1000))
    async with AsyncExitStack() as running:

        async def build(**options: Any) -> tuple[WeChatChannel, TestClient[Any, Any], WeChatShop]:
            folder = tmp_path / f"wechat-shop{next(counter)}"
            h = await running.enter_async_context(
                running_shop(wechat_shop_toml(fake_url, **options), folder, terminal=False)
            )
            channel = h.shop.channels["wechat"]
            assert isinstance(channel, WeChatChannel)
            channel.clock = clock
            return channel, h.client, WeChatShop(h, folder / "shop.db")

        yield build
