"""What Meta refuses ends cleanly: a marketing template it rejects (132000-132016), a customer who
blocked the shop (131031), each fail that one message only, are tried no more, are logged without
the customer's number, and the customer's next message is answered as ever."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.privacy.conftest import logs
from tests.privacy.leaks import in_logs
from tests.reminders.test_on_whatsapp import CATALOG, REMINDERS, SHOP, TEMPLATES, cart, opted_in, run_at
from tests.whatsapp.customer import Customer, text_of
from tests.whatsapp.shops import graph_url, whatsapp_shop, whatsapp_shop_toml

__all__ = ["logs"]

WA_ID = "919800000077"


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    toml = whatsapp_shop_toml(graph_url(graph), shop=SHOP, more=REMINDERS, templates=TEMPLATES)
    async with whatsapp_shop(toml, tmp_path / "shop", CATALOG) as h:
        yield h


@pytest.mark.parametrize(("code", "outside"), [(132001, True), (132015, True), (131031, False)])
async def test_a_refused_reminder_ends_cleanly(
    shop: ShopHarness, fake: FakeGraph, logs: Callable[[], io.StringIO], code: int, outside: bool, t0: datetime
) -> None:
    start = t0
    shop.set_clock(start)
    asha = Customer(shop, fake, WA_ID, "Asha Rao")
    await opted_in(asha)
    await cart(asha)
    logged = logs()
    fake.storm_sends(code, 1)  # Meta refuses the next message with this code
    when = start + (timedelta(hours=25) if outside else timedelta(minutes=61))
    await run_at(shop, when)
    assert asha.new() == []
    record = await shop.shop.store.load_conversation(asha.key)
    job = await shop.shop.store.get_job("cart.remind", f"{asha.key}|{record.state['cart']['id']}")
    assert job is not None and job.status == "done"  # not retried: a refusal is an answer
    await run_at(shop, when + timedelta(days=2))
    assert asha.new() == []  # and never a second reminder for that cart
    text = logged.getvalue()
    assert str(code) in text and in_logs(text, [WA_ID, "Asha Rao"]) == []
    fresh = asha.message("text", text={"body": "hi"})
    fresh["timestamp"] = str(int(shop.shop.now().timestamp()))
    [menu] = await asha.post_and_read(fresh)  # the customer's next message: answered as ever
    assert "welcome" in text_of(menu).lower() or "what would you like" in text_of(menu).lower()
