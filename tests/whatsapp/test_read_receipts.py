"""Read receipts: every message is marked read, a burst with one receipt for its newest message
(WhatsApp: marking a message read also marks the earlier ones in the thread)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import structlog.testing
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.whatsapp import FakeGraph

from .customer import Customer, text_of
from .test_e2e import WA_ID, catalog_csv, shop_toml


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    url = str(graph.make_url("")).rstrip("/")
    async with running_shop(
        shop_toml(url), tmp_path / "shop", files={"catalog.csv": catalog_csv()}, terminal=False
    ) as h:
        yield h


async def test_each_message_on_its_own_is_marked_read(shop: ShopHarness, fake: FakeGraph) -> None:
    priya = Customer(shop, fake, WA_ID, "Priya Sharma")
    first, second = priya.message("text", text={"body": "hi"}), priya.message("text", text={"body": "atta"})
    await priya.post_and_read(first)
    await priya.post_and_read(second)
    assert [mark["message_id"] for mark in fake.read_marks] == [first["id"], second["id"]]


async def test_a_burst_is_answered_in_full_and_marked_read_once(shop: ShopHarness, fake: FakeGraph) -> None:
    priya = Customer(shop, fake, WA_ID, "Priya Sharma")
    store = shop.shop.store
    lease = f"turns:{priya.key}"
    # Another worker is busy with Priya's turn while three messages arrive, so they queue up.
    assert await store.acquire_lease(lease, "another-worker", 30)
    burst = [priya.message("text", text={"body": body}) for body in ("hi", "atta", "cart")]
    for message in burst:
        assert await priya.post(priya.wrap(message), settle=False) == 200
    await shop.shop.idle()
    assert fake.read_marks == [] and priya.new() == []  # nothing handled while the lease is held
    await store.release_lease(lease, "another-worker")
    await shop.shop.recover()
    await shop.shop.idle()
    answers = [text_of(sent) for sent in priya.new()]
    assert any("Hi Priya" in a for a in answers) and any("Aashirvaad" in a for a in answers)
    assert any("cart" in a.lower() for a in answers[2:])
    assert [mark["message_id"] for mark in fake.read_marks] == [burst[-1]["id"]]


async def test_a_refused_read_receipt_is_logged_and_the_reply_still_goes(shop: ShopHarness, fake: FakeGraph) -> None:
    priya = Customer(shop, fake, WA_ID, "Priya Sharma")
    # Graph refuses to mark a message it does not know (an id not of the wamid form here)
    odd = {**priya.message("text", text={"body": "hi"}), "id": "E2E-not-a-wamid"}
    with structlog.testing.capture_logs() as logs:
        answers = await priya.post_and_read(odd)
    assert any("Hi Priya" in text_of(sent) for sent in answers)
    assert fake.read_marks == [] and fake.refused
    failures = [entry for entry in logs if entry["event"] == "whatsapp.mark_read_failed"]
    assert [(f["log_level"], f["code"]) for f in failures] == [("warning", 131009)]
