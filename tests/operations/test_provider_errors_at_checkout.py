"""The provider fails while the customer's link is being made: a clear answer, a retry, one order,
one link; and a mistake the owner must fix (a rejected API key) is in the log for them to find."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from tests.operations.providers import HeldRazorpay
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY
from tests.payments.test_razorpay_journey import checkout_online


@pytest.fixture
async def impatient_shop(
    razorpay_api: HeldRazorpay, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ShopHarness]:
    """A shop that gives up on a Razorpay call after a fraction of a second."""
    server = await aiohttp_server(razorpay_api.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    section = RAZORPAY.format(key_id=razorpay_api.key_id, api=server.make_url("")) + "request_timeout_seconds = 0.2\n"
    async with running_shop(INDIA + section + CATALOG, tmp_path / "shop") as h:
        yield h


async def test_a_provider_too_slow_to_answer_then_try_again_makes_one_link(
    impatient_shop: ShopHarness, razorpay_api: HeldRazorpay
) -> None:
    h = impatient_shop
    razorpay_api.create_gate = asyncio.Event()
    order, reply = await checkout_online(h)  # every attempt times out on our side
    assert order.status is OrderStatus.PENDING_PAYMENT
    assert "couldn't create a payment link" in reply and "Try again" in reply
    razorpay_api.create_gate.set()  # Razorpay finally makes what it was asked (once per reference)
    await asyncio.sleep(0)
    reply = await h.choose("asha", f"paylink:{order.number}")
    (link,) = razorpay_api.links.values()
    assert link["short_url"] in reply and link["reference_id"] == order.number
    assert len(await h.shop.store.list_orders()) == 1
    assert (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 39


async def test_a_rejected_api_key_is_told_to_the_owner_in_the_log(
    razorpay_shop: ShopHarness, razorpay_api: HeldRazorpay, logs: Callable[[], io.StringIO]
) -> None:
    buffer = logs()
    razorpay_api.key_secret = "rotated-on-the-dashboard"  # the shop's secret is now the old one
    order, reply = await checkout_online(razorpay_shop)
    assert "couldn't create a payment link" in reply
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    (failed,) = [line for line in lines if line.get("event") == "payment.start_failed"]
    assert failed["order"] == order.number and failed["method"] == "razorpay"
    assert failed["alert"] is True and "Authentication failed" in failed["error"]
