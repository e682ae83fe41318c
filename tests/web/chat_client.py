"""A web chat customer speaking the page's WebSocket protocol (what chat.js does), for tests."""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import ClientWebSocketResponse

from chatshop.testing import ShopHarness

_ids = itertools.count(1)


def customer_key(h: ShopHarness) -> str:
    """The core's key for the customer whose cookie the test client holds."""
    cookie = next(c for c in h.client.session.cookie_jar if c.key == "chatshop_chat")
    return "webchat:" + cookie.value.rsplit(".", 1)[0]


class ChatTab:
    def __init__(self, ws: ClientWebSocketResponse) -> None:
        self.ws = ws
        self.entries: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, h: ShopHarness, after: int = 0) -> ChatTab:
        if not any(c.key == "chatshop_chat" for c in h.client.session.cookie_jar):
            await h.client.get("/chat")
        tab = cls(await h.client.ws_connect("/chat/ws"))
        await tab.ws.send_json({"type": "hello", "after": after})
        await tab.frame("entries")
        return tab

    async def frame(self, kind: str) -> dict[str, Any]:
        """The next frame of this kind (entries frames are also collected)."""
        while True:
            data: dict[str, Any] = await self.ws.receive_json(timeout=5)
            if data["type"] == "entries":
                if data.get("reset"):
                    self.entries = []
                self.entries.extend(data["entries"])
            if data["type"] == kind:
                return data

    async def say(self, h: ShopHarness, text: str, message_id: str | None = None) -> list[dict[str, Any]]:
        return await self._send(h, {"type": "text", "id": message_id or f"m{next(_ids)}", "text": text})

    async def choose(self, h: ShopHarness, choice_id: str, title: str = "") -> list[dict[str, Any]]:
        return await self._send(h, {"type": "choice", "id": f"m{next(_ids)}", "choice_id": choice_id, "title": title})

    async def _send(self, h: ShopHarness, frame: dict[str, Any]) -> list[dict[str, Any]]:
        """Send, wait until the shop answered, and return the shop's new messages."""
        before = len(self.entries)
        await self.ws.send_json(frame)
        await self.frame("ack")
        await h.shop.idle()
        await self.ws.send_json({"type": "ping"})
        await self.frame("pong")  # every push sent before the pong has arrived by now
        return [e["message"] for e in self.entries[before:] if e["who"] == "shop"]

    async def close(self) -> None:
        await self.ws.close()
