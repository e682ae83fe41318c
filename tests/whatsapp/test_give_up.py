"""A reply Meta keeps refusing with a "try again later" is given up after ``[server]
give_up_sending_seconds``, with an alert, so the customer's later replies are not held behind it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import structlog.testing
from aiohttp.test_utils import TestServer

from chatshop.store.codec import utcnow
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph

from .customer import Customer, text_of
from .shops import graph_url, whatsapp_shop
from .test_e2e import WA_ID, catalog_csv, shop_toml


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    toml = shop_toml(graph_url(graph)).replace(
        "sweep_seconds = 0.2", "sweep_seconds = 0.1\ngive_up_sending_seconds = 0.5"
    )
    async with whatsapp_shop(toml, tmp_path / "shop", catalog_csv()) as h:
        yield h


async def test_a_reply_that_keeps_failing_is_given_up_and_the_next_ones_go(shop: ShopHarness, fake: FakeGraph) -> None:
    priya = Customer(shop, fake, WA_ID, "Priya Sharma")
    store = shop.shop.store
    fake.storm(500, 1_000_000)  # Meta answers every send with a server error, for good
    with structlog.testing.capture_logs() as logs:
        assert await priya.post(priya.wrap(priya.message("text", text={"body": "hi"})), settle=False) == 200
        for _ in range(400):  # bounded: fails the test rather than hanging it
            await asyncio.sleep(0.025)
            if not await store.pending_outbox(priya.key, utcnow() + timedelta(days=1)):
                break
        else:
            pytest.fail("the failing reply was never given up")
    [alert] = [entry for entry in logs if entry["event"] == "outbox.gave_up"]
    assert alert["alert"] is True and alert["attempts"] >= 2 and alert["error"]
    fake.faults.clear()  # Meta is well again
    answers = await priya.say("atta")
    assert any("Aashirvaad" in text_of(sent) for sent in answers)
    assert not any("Hi Priya" in text_of(sent) for sent in fake.sent)  # the given-up greeting stays unsent


async def test_a_messenger_down_for_less_than_the_limit_loses_nothing(shop: ShopHarness, fake: FakeGraph) -> None:
    priya = Customer(shop, fake, WA_ID, "Priya Sharma")
    fake.storm(503, 3)  # a short outage: a few refusals, well inside the limit
    assert await priya.post(priya.wrap(priya.message("text", text={"body": "hi"})), settle=False) == 200
    for _ in range(400):
        await asyncio.sleep(0.025)
        if any("Hi Priya" in text_of(sent) for sent in fake.sent):
            break
    assert [text_of(sent) for sent in fake.sent if "Hi Priya" in text_of(sent)]
