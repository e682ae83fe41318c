"""Fixtures for the WeChat channel tests: secrets, a clock, the fake API, a stub shop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from chatshop.config import parse_config
from chatshop.messages import DeliveryReport, Inbound
from chatshop.plugins.wechat.channel import WeChatChannel
from chatshop.plugins.wechat.config import WeChatConfig
from chatshop.plugins.wechat.token import MemoryKV

from .fake_wechat import FakeWeChat
from .wire import AES_KEY, APP_ID, ORIGINAL_ID, TOKEN

SECRET = "fake-app-secret-0123456789"
FIXTURE_TIME = 1767254400  # the fixtures' CreateTime / timestamp


class Clock:
    """A clock the test moves; starts at the fixtures' time."""

    def __init__(self, now: float = FIXTURE_TIME) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class StubShop:
    """Just the part of ``chatshop.runtime.Shop`` a channel uses, with an in-memory inbox."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.config = parse_config({"shop": {"name": "Tea House", "currency": "CNY"}})
        self.store = MemoryKV()
        self.http = session
        self.inbox: list[Inbound] = []
        self.reports: list[DeliveryReport] = []
        self.receive_delay = 0.0
        self.gate: asyncio.Event | None = None  # when set, receive waits for it
        self._seen: set[tuple[str, str]] = set()

    async def receive(self, inbound: Inbound) -> bool:
        await asyncio.sleep(self.receive_delay)
        if self.gate is not None:
            await self.gate.wait()
        key = (inbound.channel, inbound.message_id)
        if key in self._seen:
            return False
        self._seen.add(key)
        self.inbox.append(inbound)
        return True

    async def report_delivery(self, report: DeliveryReport) -> None:
        self.reports.append(report)


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


MakeChannel = Callable[..., Awaitable[tuple[WeChatChannel, TestClient[Any, Any], StubShop]]]


@pytest.fixture
async def make_channel(
    secrets_env: None, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> AsyncIterator[MakeChannel]:
    """Build a channel on a stub shop, its routes served at /webhooks/wechat on loopback."""
    clients: list[TestClient[Any, Any]] = []

    async def build(**options: Any) -> tuple[WeChatChannel, TestClient[Any, Any], StubShop]:
        shop = StubShop(session)
        channel = WeChatChannel(shop, wechat_config(fake_url, **options))  # type: ignore[arg-type]
        channel.clock = clock
        app = web.Application()
        for route in channel.routes():
            assert isinstance(route, web.RouteDef)
            app.router.add_route(route.method, "/webhooks/wechat" + route.path, route.handler)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return channel, client, shop

    yield build
    for client in clients:
        await client.close()
