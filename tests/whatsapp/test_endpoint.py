"""The webhook endpoint of a real shop over HTTP: handshake, signatures, batches, redelivery.

The shop runs from TOML on SQLite with the fake Graph API behind it; what a POST stored is read back
from the shop's own inbox (a message it already has is refused as a duplicate).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import structlog.testing
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from chatshop.messages import Inbound, InboundKind
from chatshop.plugins.whatsapp.signature import HEADER
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.whatsapp import FakeGraph

from .meta import VERIFY_TOKEN, batch, contact, envelope, fixture, signed, text_message, wire
from .test_e2e import catalog_csv, shop_toml

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


async def open_shop(graph: TestServer, directory: Path, extra: str = "") -> AsyncIterator[ShopHarness]:
    url = str(graph.make_url("")).rstrip("/")
    files = {"catalog.csv": catalog_csv()}
    async with running_shop(shop_toml(url, extra), directory, files=files, terminal=False) as harness:
        yield harness


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    async for harness in open_shop(graph, tmp_path / "shop"):
        yield harness


@pytest.fixture
def client(shop: ShopHarness) -> Client:
    return shop.client


async def in_inbox(shop: ShopHarness, customer_id: str, message_id: str) -> bool:
    """Whether the shop's inbox holds this message (adding it again is then refused)."""
    again = Inbound(channel="whatsapp", customer_id=customer_id, message_id=message_id, kind=InboundKind.TEXT)
    return not await shop.shop.store.add_inbound(again)


def message_ids(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (message["from"], message["id"])
        for entry in payload["entry"]
        for change in entry["changes"]
        for message in change["value"].get("messages", [])
    ]


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


async def test_a_signed_message_is_in_the_inbox_before_the_200(client: Client, shop: ShopHarness) -> None:
    payload = fresh(fixture("webhook_text.json"))
    assert await post(client, payload) == 200
    [(customer, message_id)] = message_ids(payload)
    assert await in_inbox(shop, customer, message_id)  # stored before Meta heard "200"
    await shop.shop.idle()
    state = (await shop.shop.store.load_conversation(f"whatsapp:{customer}")).state
    assert state["name"] == "Priya Sharma"  # the profile name came with it
    assert shop.sent_to(f"whatsapp:{customer}")  # and the dialog answered, after the 200


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha256=deadbeef"])
async def test_forged_or_missing_signatures_are_refused_and_nothing_is_stored(
    client: Client, shop: ShopHarness, fake: FakeGraph, signature: str | None
) -> None:
    payload = fresh(fixture("webhook_text.json"))
    body = wire(payload)
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[HEADER] = signature
    response = await client.post(PATH, data=body, headers=headers)
    assert response.status == 401
    await shop.shop.idle()
    [(customer, message_id)] = message_ids(payload)
    assert not await in_inbox(shop, customer, message_id)
    assert fake.sent == [] and fake.read_marks == []


async def test_a_body_changed_after_signing_is_refused(client: Client, shop: ShopHarness) -> None:
    payload = fresh(fixture("webhook_text.json"))
    body, headers = signed(payload)
    tampered = body.replace(b"atta", b"gold")
    assert (await client.post(PATH, data=tampered, headers=headers)).status == 401
    [(customer, message_id)] = message_ids(payload)
    assert not await in_inbox(shop, customer, message_id)


async def test_a_redelivered_webhook_is_acknowledged_but_not_acted_on_twice(
    client: Client, shop: ShopHarness, fake: FakeGraph
) -> None:
    payload = fresh(fixture("webhook_order.json"))
    assert await post(client, payload) == 200
    await shop.shop.idle()
    answered = len(fake.sent)
    assert answered > 0 and len(fake.read_marks) == 1
    assert await post(client, payload) == 200
    await shop.shop.idle()
    assert len(fake.sent) == answered and len(fake.read_marks) == 1


async def test_a_batch_is_handled_completely(client: Client, shop: ShopHarness) -> None:
    messages = [text_message(f"49170000{n}", f"hallo {n}", f"wamid.B{n}", int(time.time())) for n in range(5)]
    contacts = [contact(f"49170000{n}", f"Kunde {n}") for n in range(5)]
    location = fresh(fixture("webhook_location.json"))
    payload = batch(envelope(messages=messages, contacts=contacts), location, fixture("webhook_status_failed.json"))
    with structlog.testing.capture_logs() as logs:
        assert await post(client, payload) == 200
    for customer, message_id in message_ids(payload):
        assert await in_inbox(shop, customer, message_id)
    assert [e["code"] for e in logs if e["event"] == "whatsapp.delivery_failed"] == ["131047"]  # the status too
    await shop.shop.idle()
    for customer, _ in message_ids(payload):
        assert shop.sent_to(f"whatsapp:{customer}")


async def test_when_the_inbox_fails_meta_gets_an_error_and_will_retry(client: Client, shop: ShopHarness) -> None:
    payload = fresh(fixture("webhook_text.json"))
    await shop.shop.store.close()  # the database goes away
    try:
        assert await post(client, payload) == 500
    finally:
        await shop.shop.store.open()
    assert await post(client, payload) == 200  # Meta's retry
    [(customer, message_id)] = message_ids(payload)
    assert await in_inbox(shop, customer, message_id)


async def test_signed_garbage_is_a_400(client: Client) -> None:
    from chatshop.plugins.whatsapp.signature import sign

    from .meta import APP_SECRET

    body = b"{not json"
    headers = {HEADER: sign(body, APP_SECRET), "Content-Type": "application/json"}
    assert (await client.post(PATH, data=body, headers=headers)).status == 400


async def test_payment_statuses_go_to_whatsapp_pay_or_are_logged_without_it(
    client: Client, fake: FakeGraph, graph: TestServer, tmp_path: Path
) -> None:
    payload = fixture("webhook_status_payment_captured.json")
    assert await post(client, payload) == 200  # no [payments.whatsapp_pay]: nothing to apply it to
    assert fake.requests == 0
    pay = '[payments.whatsapp_pay]\nconfiguration_name = "kirana-razorpay"\n'
    async for with_pay in open_shop(graph, tmp_path / "with_pay", pay):
        assert await post(with_pay.client, payload) == 200
        await with_pay.shop.idle()
    assert fake.requests == 1  # whatsapp_pay asked Meta whether the payment is real (it is not)
