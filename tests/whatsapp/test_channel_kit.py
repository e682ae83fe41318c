"""The WhatsApp channel passes the channel kit, with the fake Graph API playing Meta."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from aiohttp import web
from aiohttp.test_utils import TestClient

from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.testing.fakes.whatsapp import FakeGraph, Sent
from chatshop.testing.kits.channel import ChannelDriver, ChannelKit, WireMessage

from .meta import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN, contact, envelope, signed

URL = "/webhooks/whatsapp"


def _texts(sent: Sent) -> tuple[str, ...]:
    content = sent.content
    if sent.type == "text":
        return (str(content["body"]),)
    if sent.type in ("image", "document"):
        return (str(content.get("caption", "")),)
    if sent.type != "interactive":
        return ()
    texts = [str(content.get("body", {}).get("text", "")), str(content.get("footer", {}).get("text", ""))]
    header = content.get("header", {})
    if header.get("type") == "text":
        texts.append(str(header["text"]))
    return tuple(t for t in texts if t)


def _choices(sent: Sent) -> tuple[tuple[str, str], ...]:
    if sent.type != "interactive":
        return ()
    action = sent.content.get("action", {})
    if sent.content.get("type") == "button":
        return tuple((b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"])
    if sent.content.get("type") == "list":
        return tuple((r["id"], r["title"]) for s in action["sections"] for r in s["rows"])
    return ()


class WhatsAppDriver(ChannelDriver):
    channel: ClassVar[str] = "whatsapp"

    def __init__(self) -> None:
        self.fake = FakeGraph(phone_number_id=PHONE_NUMBER_ID)
        self._kinds: dict[str, str] = {}  # wire choice id -> button_reply / list_reply

    def fake_api(self) -> web.Application:
        return self.fake.app()

    def section(self, api_url: str) -> dict[str, Any]:
        return {
            "phone_number_id": PHONE_NUMBER_ID,
            "access_token_env": "WHATSAPP_ACCESS_TOKEN",
            "app_secret_env": "WHATSAPP_APP_SECRET",
            "verify_token_env": "WHATSAPP_VERIFY_TOKEN",
            "api_base_url": api_url,
            "pair_seconds": 0,  # the fake enforces no pair rate here
        }

    def environment(self) -> dict[str, str]:
        return {
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        }

    def customer(self, number: int) -> str:
        return f"91980000{number:04d}"

    def _update(self, customer_id: str, message_id: str, kind: str, **content: Any) -> dict[str, Any]:
        wamid = "wamid." + hashlib.sha256(message_id.encode()).hexdigest()[:32]
        message = {"from": customer_id, "id": wamid, "timestamp": "1764038400", "type": kind, **content}
        return envelope(messages=[message], contacts=[contact(customer_id, "Kit Customer")])

    async def _post(self, client: TestClient[Any, Any], payload: dict[str, Any], secret: str = APP_SECRET) -> int:
        body, headers = signed(payload, secret)
        response = await client.post(URL, data=body, headers=headers)
        return response.status

    async def deliver_text(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        return await self._post(client, self._update(customer_id, message_id, "text", text={"body": text}))

    async def deliver_tap(
        self, client: TestClient[Any, Any], customer_id: str, choice: tuple[str, str], message_id: str
    ) -> int:
        kind = self._kinds.get(choice[0], "button_reply")
        interactive = {"type": kind, kind: {"id": choice[0], "title": choice[1]}}
        return await self._post(client, self._update(customer_id, message_id, "interactive", interactive=interactive))

    async def deliver_forged(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        update = self._update(customer_id, message_id, "text", text={"body": text})
        return await self._post(client, update, secret="not-the-app-secret")

    def sent(self, customer_id: str) -> list[WireMessage]:
        wires = []
        for sent in self.fake.texts(customer_id):
            choices = _choices(sent)
            for choice_id, _ in choices:
                self._kinds[choice_id] = "list_reply" if sent.content.get("type") == "list" else "button_reply"
            wires.append(WireMessage(texts=_texts(sent), choices=choices))
        return wires

    def throttle_next(self) -> float | None:
        # The client retries a throttled send a few times itself; the outbox's retry comes after.
        self.fake.storm_sends(130429, WhatsAppChannel.retry_policy.attempts)
        return None

    def refuse_auth_next(self) -> None:
        self.fake.storm_sends(190, 1)


class TestWhatsAppChannelKit(ChannelKit):
    driver = WhatsAppDriver
