"""A WhatsApp customer shops, is told their order shipped, a message to them fails, and they ask to be
forgotten: no log line carries their number, name, address or words, and the database keeps them
only in the order. WhatsApp is the fake Graph API of tests/whatsapp; the shop is real, on SQLite.
"""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.orders import OrderStatus
from chatshop.store.codec import utcnow
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.conftest import fake, graph, secrets_env  # noqa: F401 (fixtures)
from tests.whatsapp.customer import Customer
from tests.whatsapp.meta import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, envelope

from .leaks import in_database, in_logs, outside_orders

WA_ID = "919812345678"
NAME = "Priya Sharma"
ADDRESS = "Flat 12, Mount Mary Road, Bandra West, Mumbai 400050"
WORDS = "namaste please show me your atta"

TOML = """
[shop]
name = "Kirana Corner"
currency = "INR"
locale = "en"
locales = ["en"]

[storage]
url = "sqlite:///shop.db"

[server]
retry_base_seconds = 0.01
sweep_seconds = 60

[payments.cod]
max_order_total = "5000.00"

[channels.whatsapp]
phone_number_id = "{phone_number_id}"
access_token_env = "WHATSAPP_ACCESS_TOKEN"
app_secret_env = "WHATSAPP_APP_SECRET"
verify_token_env = "WHATSAPP_VERIFY_TOKEN"
api_base_url = "{graph_url}"
pair_seconds = 0

[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
price = "245.00"
category = "Staples"
stock = 40
"""


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:  # noqa: F811
    toml = TOML.format(phone_number_id=PHONE_NUMBER_ID, graph_url=str(graph.make_url("")).rstrip("/"))
    async with running_shop(toml, tmp_path / "shop", terminal=False) as h:
        yield h


async def test_a_whatsapp_journey_leaves_no_trace_outside_the_order(
    shop: ShopHarness,
    fake: FakeGraph,  # noqa: F811
    logs: Callable[[], io.StringIO],
    tmp_path: Path,
) -> None:
    captured = logs()
    priya = Customer(shop, fake, WA_ID, NAME)
    await priya.say(WORDS)
    await priya.tap(lambda found: found.startswith("add:atta-5kg"))
    await priya.tap("checkout")
    await priya.say(ADDRESS)
    placed = await priya.tap("confirm")
    assert placed, "the customer hears about the order"
    [order] = await shop.shop.store.list_orders(customer_key=priya.key)
    await shop.shop.move_order(order.number, OrderStatus.SHIPPED)
    await shop.shop.idle()
    # Meta reports that the shipping news could not be delivered (window closed): logged with the
    # customer and the message id, whose base64 spells the phone number.
    wamid = fake.texts(WA_ID)[-1].wamid
    failed = {
        "id": wamid,
        "status": "failed",
        "timestamp": str(int(time.time())),
        "recipient_id": WA_ID,
        "errors": [{"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message"}],
    }
    assert await priya.post(envelope(statuses=[failed])) == 200

    logged = captured.getvalue()
    assert "order.placed" in logged and "whatsapp.delivery_failed" in logged  # the journey was logged
    private = [WA_ID, WA_ID[2:], NAME, "Priya", "Mount Mary", "400050", WORDS, wamid, ACCESS_TOKEN, APP_SECRET]
    assert in_logs(logged, private) == []

    # Erasure: the customer is forgotten; the order keeps who bought and where it goes.
    db = tmp_path / "shop" / "shop.db"
    stored = [WA_ID, NAME, ADDRESS, WORDS]
    before = outside_orders(in_database(db, stored))
    assert {("inbox", "payload", WORDS), ("conversations", "customer_key", WA_ID)} <= before  # the scan sees
    assert await shop.shop.store.forget_customer(priya.key) > 0
    await shop.shop.store.purge(utcnow(), utcnow() + timedelta(seconds=1))
    assert outside_orders(in_database(db, stored)) == set()
    kept = await shop.shop.store.get_order(order.number)
    assert kept is not None and kept.address == ADDRESS and kept.customer_key == priya.key
