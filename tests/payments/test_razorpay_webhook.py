"""Razorpay webhooks: verified over the raw body first; then normalized and handed to the core."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from chatshop.money import Money
from chatshop.payments import PaymentEventKind
from chatshop.plugins.payments.razorpay import Razorpay
from tests.payments.fake_razorpay import FakeRazorpay
from tests.payments.payment_helpers import MountedClient, StandInShop, make_order

URL = "/webhooks/payments/razorpay"


@pytest.fixture
async def ours(razorpay: Razorpay, webhook_client: MountedClient) -> TestClient:
    return await webhook_client(razorpay)


async def paid_event(razorpay: Razorpay, fake: FakeRazorpay) -> dict[str, Any]:
    start = await razorpay.start(make_order())
    return fake.pay(start.provider_ref or "")


async def send(
    fake: FakeRazorpay,
    ours: TestClient,
    http: aiohttp.ClientSession,
    event: dict[str, Any],
    **kw: Any,
) -> int:
    return await fake.send_webhook(http, str(ours.make_url(URL)), event, **kw)


async def test_a_signed_paid_event_reaches_the_core(
    razorpay: Razorpay,
    fake: FakeRazorpay,
    ours: TestClient,
    shop: StandInShop,
    http: aiohttp.ClientSession,
) -> None:
    event = await paid_event(razorpay, fake)
    assert await send(fake, ours, http, event, event_id="evt_paid_1") == 200
    (applied,) = shop.events
    assert applied.kind is PaymentEventKind.PAID and applied.method == "razorpay"
    assert applied.order_number == "K7M-4QX" and applied.event_id == "evt_paid_1"
    assert applied.amount == Money(49000, "INR")
    assert applied.provider_payment_id in fake.payments


@pytest.mark.parametrize("how", ["wrong secret", "no signature", "garbage signature", "body altered after signing"])
async def test_a_wrongly_signed_event_is_refused_and_changes_nothing(
    how: str,
    razorpay: Razorpay,
    fake: FakeRazorpay,
    ours: TestClient,
    shop: StandInShop,
    http: aiohttp.ClientSession,
) -> None:
    event = await paid_event(razorpay, fake)
    if how == "wrong secret":
        status = await send(fake, ours, http, event, secret="not-the-webhook-secret")
    elif how == "no signature":
        status = await send(fake, ours, http, event, signature="")
    elif how == "garbage signature":
        status = await send(fake, ours, http, event, signature="zz" * 32)
    else:
        _, good = fake.signed(event)
        event["payload"]["payment_link"]["entity"]["amount_paid"] = 1
        status = await send(fake, ours, http, event, signature=good)
    assert status == 401
    assert shop.events == []


async def test_the_signature_is_checked_over_the_raw_bytes(
    razorpay: Razorpay,
    fake: FakeRazorpay,
    ours: TestClient,
    shop: StandInShop,
    http: aiohttp.ClientSession,
) -> None:
    """A body re-serialized with other whitespace is different bytes: the signature fails."""
    event = await paid_event(razorpay, fake)
    body, good = fake.signed(event)
    respaced = json.dumps(json.loads(body), indent=2).encode()
    headers = {
        "X-Razorpay-Signature": good,
        "x-razorpay-event-id": "evt_x",
        "Content-Type": "application/json",
    }
    async with http.post(ours.make_url(URL), data=respaced, headers=headers) as response:
        assert response.status == 401
    async with http.post(ours.make_url(URL), data=body, headers=headers) as response:
        assert response.status == 200
    assert len(shop.events) == 1


async def test_a_replayed_event_carries_the_same_event_id_for_the_core_to_drop(
    razorpay: Razorpay,
    fake: FakeRazorpay,
    ours: TestClient,
    shop: StandInShop,
    http: aiohttp.ClientSession,
) -> None:
    event = await paid_event(razorpay, fake)
    for _ in range(2):
        assert await send(fake, ours, http, event, event_id="evt_same") == 200
    assert [e.event_id for e in shop.events] == ["evt_same", "evt_same"]


async def test_expired_and_cancelled_links(
    razorpay: Razorpay,
    fake: FakeRazorpay,
    ours: TestClient,
    shop: StandInShop,
    http: aiohttp.ClientSession,
) -> None:
    start = await razorpay.start(make_order())
    link = fake.links[start.provider_ref or ""]
    assert await send(fake, ours, http, fake.expire(link["id"])) == 200
    link["status"] = "cancelled"
    assert await send(fake, ours, http, fake.event("payment_link.cancelled", link)) == 200
    assert [e.kind for e in shop.events] == [PaymentEventKind.EXPIRED, PaymentEventKind.CANCELLED]
    assert all(e.amount is None and e.order_number == "K7M-4QX" for e in shop.events)


async def test_an_expiry_after_payment_is_acknowledged(
    razorpay: Razorpay,
    fake: FakeRazorpay,
    ours: TestClient,
    shop: StandInShop,
    http: aiohttp.ClientSession,
) -> None:
    event = await paid_event(razorpay, fake)
    assert await send(fake, ours, http, event) == 200
    link = event["payload"]["payment_link"]["entity"]
    late = fake.event("payment_link.expired", {**link, "status": "expired"})
    assert await send(fake, ours, http, late) == 200  # Razorpay disables webhooks that keep failing


async def test_events_we_do_not_use_are_acknowledged_without_effect(
    razorpay: Razorpay,
    fake: FakeRazorpay,
    ours: TestClient,
    shop: StandInShop,
    http: aiohttp.ClientSession,
) -> None:
    start = await razorpay.start(make_order())
    link = fake.links[start.provider_ref or ""]
    partially = fake.event("payment_link.partially_paid", {**link, "status": "partially_paid", "amount_paid": 100})
    refund = {
        "entity": "event",
        "event": "refund.processed",
        "payload": {"refund": {"entity": {"id": "rfnd_1"}}},
    }
    for event in (partially, refund):
        assert await send(fake, ours, http, event) == 200
    assert shop.events == []


async def test_an_unreadable_body_with_a_valid_signature_is_a_bad_request(
    razorpay: Razorpay,
    fake: FakeRazorpay,
    ours: TestClient,
    shop: StandInShop,
    http: aiohttp.ClientSession,
) -> None:
    import hashlib
    import hmac

    body = b"not json"
    sig = hmac.new(fake.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    async with http.post(ours.make_url(URL), data=body, headers={"X-Razorpay-Signature": sig}) as response:
        assert response.status == 400
    assert shop.events == []
