"""Webhooks as Meta sends them: compact ASCII JSON (``\\u00e4`` escapes) signed over those bytes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from chatshop.plugins.whatsapp.signature import HEADER, sign

FIXTURES = Path("/work/shared/fixtures/whatsapp")
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
PHONE_NUMBER_ID = "118765432109876"  # the fixtures' number


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def wire(payload: Any) -> bytes:
    """The bytes Meta would send: compact, ASCII-only JSON."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()


def signed(payload: Any, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    body = wire(payload)
    return body, {HEADER: sign(body, secret), "Content-Type": "application/json"}


def envelope(
    *,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "919800012345", "phone_number_id": phone_number_id},
    }
    if contacts:
        value["contacts"] = contacts
    if messages:
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "109876543210987", "changes": [{"value": value, "field": "messages"}]}],
    }


def text_message(wa_id: str, body: str, message_id: str, timestamp: int = 1764038400) -> dict[str, Any]:
    return {
        "from": wa_id,
        "id": message_id,
        "timestamp": str(timestamp),
        "text": {"body": body},
        "type": "text",
    }


def contact(wa_id: str, name: str) -> dict[str, Any]:
    return {"profile": {"name": name}, "wa_id": wa_id}


def batch(*payloads: dict[str, Any]) -> dict[str, Any]:
    """Several webhooks in one POST: all their entries together."""
    out = copy.deepcopy(payloads[0])
    for payload in payloads[1:]:
        out["entry"].extend(copy.deepcopy(payload["entry"]))
    return out


def user_preferences(wa_id: str, value: str, timestamp: int, phone_number_id: str = PHONE_NUMBER_ID) -> dict[str, Any]:
    """The ``user_preferences`` webhook (field ``user_preferences``): the customer stopped or resumed
    marketing messages in WhatsApp itself (Meta's user_preferences webhook reference)."""
    detail = (
        "User requested to stop marketing messages"
        if value == "stop"
        else "User requested to resume marketing messages"
    )
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "109876543210987",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "919800012345", "phone_number_id": phone_number_id},
                            "contacts": [{"wa_id": wa_id}],
                            "user_preferences": [
                                {
                                    "wa_id": wa_id,
                                    "detail": detail,
                                    "category": "marketing_messages",
                                    "value": value,
                                    "timestamp": timestamp,
                                }
                            ],
                        },
                        "field": "user_preferences",
                    }
                ],
            }
        ],
    }
