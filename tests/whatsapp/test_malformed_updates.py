"""One malformed update in a signed batch is skipped and logged; the rest of the batch is accepted.

A 500 would have Meta resend the whole batch for days, every good message in it refused with it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import structlog.testing
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness

from .meta import envelope, text_message
from .test_endpoint import PATH, Client, fresh, in_inbox, open_shop, post

GOOD = "919812345678"
ODD = "919800000001"


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    async for harness in open_shop(graph, tmp_path / "shop"):
        yield harness


@pytest.fixture
def client(shop: ShopHarness) -> Client:
    return shop.client


def _odd_messages() -> list[dict[str, Any]]:
    """Types no documented message has, where the parser reads a name (``type``) or a part."""
    base = {"from": ODD, "timestamp": "1764038400"}
    return [
        {**base, "id": "wamid.LIST", "type": ["text"], "text": {"body": "milk"}},
        {**base, "id": "wamid.OBJ", "type": {"text": 1}, "text": {"body": "milk"}},
        {**base, "id": "wamid.EDIT", "type": "edit", "edit": {"message": {"type": ["text"], "text": {"body": "x"}}}},
        {**base, "id": "wamid.EDITOBJ", "type": "edit", "edit": {"message": {"type": {"a": 1}}}},
    ]


@pytest.mark.parametrize("odd", _odd_messages(), ids=lambda m: m["id"])
async def test_an_odd_message_type_does_not_sink_the_batch(
    client: Client, shop: ShopHarness, odd: dict[str, Any]
) -> None:
    good = text_message(GOOD, "hi", "wamid.GOOD")
    payload = fresh(envelope(messages=[odd, good]))
    assert await post(client, payload) == 200
    assert await in_inbox(shop, GOOD, "wamid.GOOD")


async def test_a_part_that_fails_to_parse_is_skipped_and_logged_without_personal_data(
    client: Client,
    shop: ShopHarness,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever the parser did not foresee (here: any failure in reading one message) skips that one."""
    from chatshop.plugins.whatsapp import webhook

    real = webhook._fields

    def flaky(kind: Any, message: Any) -> dict[str, Any]:
        if message.get("text", {}).get("body") == "poison +91 98765 43210":
            raise RuntimeError(f"cannot read {message}")
        return real(kind, message)

    monkeypatch.setattr(webhook, "_fields", flaky)
    payload = fresh(
        envelope(
            messages=[text_message(ODD, "poison +91 98765 43210", "wamid.POISON"), text_message(GOOD, "hi", "wamid.OK")]
        )
    )
    with structlog.testing.capture_logs() as logs:
        assert await post(client, payload) == 200
    assert await in_inbox(shop, GOOD, "wamid.OK")
    assert not await in_inbox(shop, ODD, "wamid.POISON")
    [line] = [e for e in logs if e["event"] == "whatsapp.update_unreadable"]
    assert line["error"] == "RuntimeError" and line["kind"] == "text"
    assert ODD not in json.dumps(line) and "98765" not in json.dumps(line)


async def test_an_odd_status_does_not_sink_the_batch(client: Client, shop: ShopHarness) -> None:
    odd_status = {"id": "wamid.S", "status": "failed", "recipient_id": ODD, "errors": [{"code": ["131047"]}]}
    payload = fresh(envelope(messages=[text_message(GOOD, "hi", "wamid.GOOD2")], statuses=[odd_status]))
    assert await post(client, payload) == 200
    assert await in_inbox(shop, GOOD, "wamid.GOOD2")


async def test_a_signature_header_with_a_byte_that_is_not_utf8_is_a_401(shop: ShopHarness) -> None:
    from tests.raw_http import raw_request

    from .meta import wire

    body = wire(fresh(envelope(messages=[text_message(GOOD, "hi", "wamid.RAW")])))
    headers = {b"Content-Type": b"application/json", b"X-Hub-Signature-256": b"sha256=\xe9" + b"0" * 63}
    status, _ = await raw_request(shop.url("/").rstrip("/"), "POST", PATH.encode(), headers, body)
    assert status == 401
    assert not await in_inbox(shop, GOOD, "wamid.RAW")
