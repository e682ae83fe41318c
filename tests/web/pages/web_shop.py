"""The web tests' shop, with settings of our own, and customers each with their own browser cookies."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from chatshop.testing import ShopHarness
from tests.web.conftest import ADMIN_ENV, ADMIN_TOKEN, WEB_TOML

__all__ = ["ADMIN_ENV", "ADMIN_TOKEN", "Browser", "web_toml"]

_ids = itertools.count(1)


def web_toml(webchat: str = "", extra: str = "") -> str:
    """The tests/web shop with more ``[channels.webchat]`` keys and more sections."""
    section = "[channels.webchat]\npoll_seconds = 0.5\n"
    return WEB_TOML.replace(section, f"{section}{webchat}\n") + extra


class Browser:
    """One browser: its own cookie jar, so each Browser is a different web chat customer."""

    def __init__(self, h: ShopHarness) -> None:
        self.h = h
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    @classmethod
    @asynccontextmanager
    async def opened(cls, h: ShopHarness) -> AsyncIterator[Browser]:
        browser = cls(h)
        try:
            await browser.get("/chat")
            yield browser
        finally:
            await browser.session.close()

    async def get(self, path: str, **kwargs: Any) -> aiohttp.ClientResponse:
        resp = await self.session.get(self.h.url(path), **kwargs)
        await resp.read()
        return resp

    async def tab(self) -> aiohttp.ClientWebSocketResponse:
        ws = await self.session.ws_connect(self.h.url("/chat/ws"))
        await ws.send_json({"type": "hello", "after": 0})
        while (await ws.receive_json(timeout=5))["type"] != "entries":
            pass
        return ws


async def say(ws: aiohttp.ClientWebSocketResponse, text: str) -> dict[str, Any]:
    """Send a text; the shop's ack, or its error for this message."""
    message_id = f"q{next(_ids)}"
    await ws.send_json({"type": "text", "id": message_id, "text": text})
    while True:
        frame: dict[str, Any] = await ws.receive_json(timeout=5)
        if frame["type"] in ("ack", "error") and frame.get("id") == message_id:
            return frame
