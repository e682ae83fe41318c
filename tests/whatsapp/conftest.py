"""Fixtures for the WhatsApp tests: secrets in the environment, the fake Graph API, an HTTP session.

Every test that needs a shop runs the real one (``chatshop.testing.running_shop``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.plugins.whatsapp.client import RetryPolicy
from chatshop.testing.fakes.whatsapp import FakeGraph

from .meta import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN

FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.01, timeout=5)


@pytest.fixture(autouse=True)
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN)
    monkeypatch.setenv("WHATSAPP_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN)
    monkeypatch.setattr(WhatsAppChannel, "retry_policy", FAST_RETRY)
    monkeypatch.setattr(WhatsAppChannel, "typing_indicator", True)


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
