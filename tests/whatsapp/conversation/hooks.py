"""Posting webhooks whose bytes a test writes itself, signed as Meta signs them."""

from __future__ import annotations

import json
from typing import Any

from chatshop.plugins.whatsapp.signature import HEADER, sign
from chatshop.testing import ShopHarness
from tests.whatsapp.meta import APP_SECRET, wire

PATH = "/webhooks/whatsapp"


async def post_bytes(shop: ShopHarness, body: bytes, headers: dict[str, str] | None = None) -> int:
    """POST ``body`` signed with the app secret (unless ``headers`` say otherwise); the shop settles."""
    sent = {HEADER: sign(body, APP_SECRET), "Content-Type": "application/json"}
    sent.update(headers or {})
    response = await shop.client.post(PATH, data=body, headers=sent)
    await shop.shop.idle()
    return response.status


def wire_with(payload: Any, plain: str, escaped: str) -> bytes:
    """Meta's bytes for ``payload`` with the JSON text ``plain`` replaced by ``escaped`` (a ``\\ud83d``
    escape that ``json.dumps`` cannot write from a Python string)."""
    body = wire(payload).decode()
    assert json.dumps(plain)[1:-1] in body
    return body.replace(json.dumps(plain)[1:-1], escaped, 1).encode()
