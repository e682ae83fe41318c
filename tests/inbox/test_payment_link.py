"""The inbox's "send a payment link": an order waiting for its online payment gets a fresh link
from the provider (the fake Razorpay), in the customer's chat, as the dialog's own "pay again" does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chatshop.messages import PaymentRequest
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY
from tests.payments.test_razorpay_journey import checkout_online

from .staff import ADMIN_ENV, Staff, add_staff
from .test_team_inbox import note

KEY = "terminal:asha"


@pytest.fixture
async def shop(aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ShopHarness]:
    razorpay = FakeRazorpay()
    server = await aiohttp_server(razorpay.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay.webhook_secret)
    toml = INDIA + RAZORPAY.format(key_id=razorpay.key_id, api=server.make_url("")) + CATALOG
    toml += f'\n[admin]\ntoken_env = "{ADMIN_ENV}"\n'
    # The dashboard's cookies are Secure under an https public_url; the test's staff browse over http.
    toml = toml.replace('public_url = "https://shop.example.com"', 'public_url = "http://shop.example.com"')
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


async def test_an_agent_sends_the_payment_link_of_a_waiting_order(shop: ShopHarness) -> None:
    order, _ = await checkout_online(shop)
    assert order.status is OrderStatus.PENDING_PAYMENT
    await shop.say("asha", "agent")
    await add_staff(shop, "anna")
    async with Staff(shop, "anna") as anna:
        page = await anna.conversation(KEY)
        assert "Payment link</button>" in page and order.number in page
        status, where = await anna.post("/admin/inbox/pay-link", customer=KEY, order=order.number)
        assert status == 303 and note(where)[0] == "done"
        await shop.shop.idle()
    request = shop.sent_to(KEY)[-1]
    assert isinstance(request, PaymentRequest) and request.order.number == order.number
    assert request.url and request.url.startswith("https://")
    notes = [e.inbound for e in await shop.shop.store.transcript(KEY) if e.inbound and e.inbound.author]
    assert [(n.event, n.event_key, n.author) for n in notes] == [("choose", f"paylink:{order.number}", "anna")]
