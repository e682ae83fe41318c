"""The webhook endpoint through a real aiohttp app: handshake, signatures, batches, redelivery."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from chatshop.messages import InboundKind
from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.plugins.whatsapp.pay import WhatsAppPay
from chatshop.plugins.whatsapp.signature import HEADER
from chatshop.plugins.whatsapp.webhook import PaymentStatus

from .conftest import StubShop
from .fake_graph import FakeGraph
from .meta import VERIFY_TOKEN, batch, contact, envelope, fixture, signed, text_message, wire

PATH = "/webhooks/whatsapp"
WA_ID = "919812345678"
Client = TestClient[web.Request, web.Application]


def fresh(payload: dict[str, Any]) -> dict[str, Any]:
    """A fixture as if sent just now (the fixtures' timestamps are long past the 24h window)."""
    for entry in payload["entry"]:
        for change in entry["changes"]:
            for message in change["value"].get("messages", []):
                message["timestamp"] = str(int(time.time()))
    return payload


@pytest.fixture
async def client(
    make_channel: Callable[..., WhatsAppChannel],
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
) -> Client:
    channel = make_channel()
    app = web.Application()
    for route in channel.routes():
        assert isinstance(route, web.RouteDef)
        app.router.add_route(route.method, PATH + route.path, route.handler)
    return await aiohttp_client(app)


async def post(client: Client, payload: Any) -> int:
    body, headers = signed(payload)
    response = await client.post(PATH, data=body, headers=headers)
    return response.status


async def test_handshake_answers_the_challenge_as_plain_text(client: Client) -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.challenge": "1158201444",
        "hub.verify_token": VERIFY_TOKEN,
    }
    response = await client.get(PATH, params=query)
    assert response.status == 200
    assert await response.text() == "1158201444"
    assert response.content_type == "text/plain"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "wrong"},
        {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN},
        {"hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN},
        {},
    ],
)
async def test_handshake_refuses_anything_else(client: Client, query: dict[str, str]) -> None:
    assert (await client.get(PATH, params=query)).status == 403


async def test_a_signed_message_is_in_the_inbox_before_the_200(client: Client, shop: StubShop, fake: FakeGraph) -> None:
    assert await post(client, fresh(fixture("webhook_text.json"))) == 200
    [inbound] = shop.inbox
    assert inbound.kind is InboundKind.TEXT and inbound.profile_name == "Priya Sharma"
    assert fake.sent == []  # the dialog's work happens later, never inline


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha256=deadbeef"])
async def test_forged_or_missing_signatures_are_refused_and_nothing_is_stored(
    client: Client, shop: StubShop, fake: FakeGraph, signature: str | None
) -> None:
    body = wire(fresh(fixture("webhook_text.json")))
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[HEADER] = signature
    response = await client.post(PATH, data=body, headers=headers)
    assert response.status == 401
    assert shop.inbox == [] and fake.sent == [] and fake.read_marks == [] and shop.store.values == {}


async def test_a_body_changed_after_signing_is_refused(client: Client, shop: StubShop) -> None:
    body, headers = signed(fresh(fixture("webhook_text.json")))
    tampered = body.replace(b"atta", b"gold")
    assert (await client.post(PATH, data=tampered, headers=headers)).status == 401
    assert shop.inbox == []


async def test_a_redelivered_webhook_is_acknowledged_but_not_acted_on_twice(client: Client, shop: StubShop) -> None:
    payload = fresh(fixture("webhook_order.json"))
    assert await post(client, payload) == 200
    assert await post(client, payload) == 200
    assert len(shop.inbox) == 1 and shop.inbox[0].kind is InboundKind.CART


async def test_a_batch_is_handled_completely(client: Client, shop: StubShop) -> None:
    messages = [text_message(f"49170000{n}", f"hallo {n}", f"wamid.B{n}", int(time.time())) for n in range(5)]
    contacts = [contact(f"49170000{n}", f"Kunde {n}") for n in range(5)]
    payload = batch(
        envelope(messages=messages, contacts=contacts),
        fresh(fixture("webhook_location.json")),
        fixture("webhook_status_failed.json"),
    )
    assert await post(client, payload) == 200
    assert [i.message_id for i in shop.inbox][:5] == [f"wamid.B{n}" for n in range(5)]
    assert shop.inbox[-1].kind is InboundKind.LOCATION
    assert [r.error_code for r in shop.deliveries] == ["131047"]


async def test_when_the_inbox_fails_meta_gets_an_error_and_will_retry(client: Client, shop: StubShop) -> None:
    shop.fail_receive = True
    assert await post(client, fresh(fixture("webhook_text.json"))) == 500
    shop.fail_receive = False
    assert await post(client, fresh(fixture("webhook_text.json"))) == 200
    assert len(shop.inbox) == 1


async def test_signed_garbage_is_a_400(client: Client) -> None:
    from chatshop.plugins.whatsapp.signature import sign

    from .meta import APP_SECRET

    body = b"{not json"
    headers = {HEADER: sign(body, APP_SECRET), "Content-Type": "application/json"}
    assert (await client.post(PATH, data=body, headers=headers)).status == 400


async def test_payment_statuses_go_to_whatsapp_pay_or_are_logged_without_it(
    client: Client, shop: StubShop, fake: FakeGraph
) -> None:
    payload = fixture("webhook_status_payment_captured.json")
    assert await post(client, payload) == 200  # no [payments.whatsapp_pay]: nothing to apply it to
    seen: list[str] = []

    class Recorder(WhatsAppPay):
        async def on_status(self, status: PaymentStatus) -> None:
            seen.append(status.reference_id)

    shop.payment_methods["whatsapp_pay"] = Recorder.__new__(Recorder)
    assert await post(client, payload) == 200
    assert seen == ["ORD-20261125-0042"] and shop.payment_events == []
