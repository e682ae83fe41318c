"""WhatsApp webhooks as Meta sends them: a customer's text or button tap, signed with the app secret."""

from __future__ import annotations

import json
import time
from typing import Any

from chatshop.plugins.whatsapp.signature import HEADER, sign

__all__ = ["PHONE_NUMBER_ID", "choice", "signed", "text"]

PHONE_NUMBER_ID = "106540352242922"


def _envelope(wa_id: str, message: dict[str, Any]) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "919800012345", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Bench Customer"}, "wa_id": wa_id}],
        "messages": [message],
    }
    entry = {"id": "1098765", "changes": [{"value": value, "field": "messages"}]}
    return {"object": "whatsapp_business_account", "entry": [entry]}


def text(wa_id: str, message_id: str, body: str) -> dict[str, Any]:
    return _envelope(
        wa_id,
        {"from": wa_id, "id": message_id, "timestamp": str(int(time.time())), "type": "text", "text": {"body": body}},
    )


def choice(wa_id: str, message_id: str, choice_id: str) -> dict[str, Any]:
    """A tap on a reply button whose id is one of the dialog's choice ids."""
    reply = {"type": "button_reply", "button_reply": {"id": choice_id, "title": choice_id[:20]}}
    return _envelope(
        wa_id,
        {
            "from": wa_id,
            "id": message_id,
            "timestamp": str(int(time.time())),
            "type": "interactive",
            "interactive": reply,
        },
    )


def signed(payload: dict[str, Any], app_secret: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()
    return body, {HEADER: sign(body, app_secret), "Content-Type": "application/json"}
