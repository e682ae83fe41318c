"""The web chat passes the channel kit: a tab's WebSocket frames are its webhooks (a message is
acknowledged once the inbox holds it), the signed cookie its signature."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

import aiohttp
from aiohttp.test_utils import TestClient

from chatshop.api import Shop
from chatshop.channels import SendResult
from chatshop.messages import Buttons, ChoiceList, Image, Outbound, PaymentRequest, ProductCard
from chatshop.plaintext import plain_text
from chatshop.plugins.webchat.channel import WebChatChannel
from chatshop.plugins.webchat.routes import COOKIE
from chatshop.testing.kits.channel import ChannelDriver, ChannelKit, WireMessage


def _wire(message: Outbound) -> WireMessage:
    """What a tab shows of one message: its texts and the buttons it can press."""
    if isinstance(message, Buttons | ChoiceList | ProductCard | PaymentRequest):
        choices = tuple((c.id, c.title) for c in message.choices)
        return WireMessage(texts=(message.body, *(title for _, title in choices)), choices=choices)
    if isinstance(message, Image):
        return WireMessage(texts=(message.caption or "",))
    return WireMessage(texts=(plain_text(message),))


class WebChatDriver(ChannelDriver):
    channel: ClassVar[str] = "webchat"
    throttles: ClassVar[bool] = False  # no messenger between the shop and the tab
    auth_fails: ClassVar[bool] = False

    def __init__(self) -> None:
        self.shown: dict[str, list[WireMessage]] = {}
        self.web: WebChatChannel | None = None

    def section(self, api_url: str) -> dict[str, Any]:
        return {"messages_per_customer": 1000, "messages_per_address": 10_000}

    def started(self, shop: Shop) -> None:
        channel = shop.channels["webchat"]
        assert isinstance(channel, WebChatChannel)
        self.web = channel
        send = channel.send

        async def shown(customer_id: str, message: Outbound) -> SendResult:
            result = await send(customer_id, message)
            self.shown.setdefault(customer_id, []).append(_wire(message))
            return result

        channel.send = shown  # type: ignore[method-assign]

    def customer(self, number: int) -> str:
        return f"kitTab{number:04d}xxxxxxxxxxxxxx"

    def _cookie(self, customer_id: str) -> str:
        assert self.web is not None
        return f"{COOKIE}={self.web.signer.sign(customer_id)}"

    async def _frame(self, client: TestClient[Any, Any], customer_id: str, frame: dict[str, Any], cookie: str) -> int:
        """Send one frame from a tab; 200 once the shop acknowledged it, 4xx/5xx as a refusal."""
        try:
            ws = await client.ws_connect("/chat/ws", headers={"Cookie": cookie})
        except aiohttp.WSServerHandshakeError as e:
            return e.status
        try:
            await ws.send_json(frame)
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                data = message.json()
                if data.get("type") == "ack" and data.get("id") == frame["id"]:
                    return 200
                if data.get("type") == "error":
                    return 400
            return 500  # closed without an acknowledgement: the message may not be kept
        finally:
            await ws.close()

    @staticmethod
    def _id(message_id: str) -> str:
        return hashlib.sha256(message_id.encode()).hexdigest()[:32]

    async def deliver_text(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        frame = {"type": "text", "id": self._id(message_id), "text": text}
        return await self._frame(client, customer_id, frame, self._cookie(customer_id))

    async def deliver_tap(
        self, client: TestClient[Any, Any], customer_id: str, choice: tuple[str, str], message_id: str
    ) -> int:
        frame = {"type": "choice", "id": self._id(message_id), "choice_id": choice[0], "title": choice[1]}
        return await self._frame(client, customer_id, frame, self._cookie(customer_id))

    async def deliver_forged(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        frame = {"type": "text", "id": self._id(message_id), "text": text}
        return await self._frame(client, customer_id, frame, f"{COOKIE}={customer_id}.forged-signature")

    def sent(self, customer_id: str) -> list[WireMessage]:
        return list(self.shown.get(customer_id, []))


class TestWebChatChannelKit(ChannelKit):
    driver = WebChatDriver


