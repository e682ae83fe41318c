"""Fixtures for the WhatsApp tests: secrets in the environment, the fake Graph API, a stub shop.

The stub shop is just the part of ``chatshop.runtime.Shop`` the channel uses, with an in-memory
inbox that deduplicates like the core's; the end-to-end tests use the real shop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatshop.config import parse_config, validate_section
from chatshop.messages import DeliveryReport, Inbound, Outbound
from chatshop.payments import PaymentEvent
from chatshop.plugins.whatsapp import TEXTS
from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.plugins.whatsapp.client import RetryPolicy
from chatshop.plugins.whatsapp.config import WhatsAppConfig
from chatshop.store.base import ConversationRecord
from chatshop.texts import Texts

from .fake_graph import FakeGraph
from .meta import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN

FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.01, timeout=5)


@pytest.fixture(autouse=True)
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN)
    monkeypatch.setenv("WHATSAPP_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN)
    monkeypatch.setattr(WhatsAppChannel, "retry_policy", FAST_RETRY)
    monkeypatch.setattr(WhatsAppChannel, "typing_indicator", True)


class MemoryKV:
    """``Store.kv_get``/``kv_set`` with expiry, in memory."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[str, datetime | None]] = {}

    async def kv_get(self, key: str, now: datetime) -> str | None:
        value, expires = self.values.get(key, (None, None))
        if value is None or (expires is not None and expires <= now):
            return None
        return value

    async def kv_set(self, key: str, value: str, expires_at: datetime | None = None) -> None:
        self.values[key] = (value, expires_at)

    async def load_conversation(self, customer_key: str) -> ConversationRecord:
        return ConversationRecord(customer_key, {}, 0, None)  # a customer the store never heard from


class StubShop:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.http = session
        self.store = MemoryKV()
        self.inbox: list[Inbound] = []
        self.deliveries: list[DeliveryReport] = []
        self.payment_events: list[PaymentEvent] = []
        self.notified: list[tuple[str, Outbound]] = []
        self.channels: dict[str, Any] = {}
        self.payment_methods: dict[str, Any] = {}
        self.fail_receive = False
        self.config = parse_config({"shop": {"name": "Kirana Test", "currency": "INR"}})

    async def receive(self, inbound: Inbound) -> bool:
        if self.fail_receive:
            raise RuntimeError("database is down")
        if any(i.message_id == inbound.message_id for i in self.inbox):
            return False
        self.inbox.append(inbound)
        return True

    async def report_delivery(self, report: DeliveryReport) -> None:
        self.deliveries.append(report)

    async def apply_payment_event(self, event: PaymentEvent) -> None:
        self.payment_events.append(event)

    async def notify(self, customer_key: str, *messages: Outbound) -> None:
        self.notified.extend((customer_key, m) for m in messages)

    def text(self, locale: str, key: str, **kw: Any) -> str:
        texts = Texts("en", plugin_texts=TEXTS)  # the core's tables and the plugin's own
        return texts.get(locale, key, shop=self.config.shop.name, **kw)

    async def customer_locale(self, customer_key: str) -> str:
        return "en"


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph(phone_number_id=PHONE_NUMBER_ID)


@pytest.fixture
async def graph(fake: FakeGraph) -> AsyncIterator[TestServer]:
    server = TestServer(fake.app())
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
def shop(session: aiohttp.ClientSession) -> StubShop:
    return StubShop(session)


def section(graph: TestServer, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "phone_number_id": PHONE_NUMBER_ID,
        "access_token_env": "WHATSAPP_ACCESS_TOKEN",
        "app_secret_env": "WHATSAPP_APP_SECRET",
        "verify_token_env": "WHATSAPP_VERIFY_TOKEN",
        "api_base_url": str(graph.make_url("")).rstrip("/"),
    }
    data.update(extra)
    return data


@pytest.fixture
def make_channel(shop: StubShop, graph: TestServer) -> Callable[..., WhatsAppChannel]:
    def build(**extra: Any) -> WhatsAppChannel:
        config = validate_section(WhatsAppConfig, section(graph, **extra), "channels.whatsapp", "INR")
        channel = WhatsAppChannel(shop, config)  # type: ignore[arg-type]  # a stub shop
        shop.channels[channel.name] = channel
        return channel

    return build
