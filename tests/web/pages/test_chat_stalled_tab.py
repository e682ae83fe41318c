"""A tab that stops reading (a dead mobile connection, or someone doing it on purpose) is dropped
once the shop cannot hand it a frame: it never holds up the shop's replies, to this customer (whose
other tabs and next visit get them from the history) or to anyone else."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct

import pytest

import chatshop.plugins.webchat.channel as channel_module
from chatshop.messages import Text
from chatshop.testing import ShopHarness
from tests.web.pages.web_shop import Browser, say, web_toml


def masked_text_frame(data: bytes) -> bytes:
    """A client's WebSocket text frame (RFC 6455 section 5.2: clients mask what they send)."""
    mask = os.urandom(4)
    length = len(data)
    head = bytes([0x81]) + (bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + struct.pack("!H", length))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


async def never_reading_tab(h: ShopHarness, cookie: str) -> socket.socket:
    """A socket that opens the chat, asks for the whole history again and again, and reads nothing."""
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.setblocking(False)
    await loop.sock_connect(sock, (h.client.host, h.client.port))
    key = base64.b64encode(os.urandom(16)).decode()
    await loop.sock_sendall(
        sock,
        (
            f"GET /chat/ws HTTP/1.1\r\nHost: {h.client.host}:{h.client.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Cookie: chatshop_chat={cookie}\r\n\r\n"
        ).encode(),
    )
    assert (await loop.sock_recv(sock, 12)).startswith(b"HTTP/1.1 101")
    hello = masked_text_frame(json.dumps({"type": "hello", "after": 0}).encode())
    try:
        for _ in range(250):  # each answered with the whole history: megabytes nobody reads
            await loop.sock_sendall(sock, hello)
            await asyncio.sleep(0.01)  # within the frame limit's budget
    except OSError:
        pass  # the shop dropped it already
    return sock


async def keep_talking(sock: socket.socket) -> None:
    """Pings now and then, so that the server's heartbeat never finds the socket idle."""
    loop = asyncio.get_running_loop()
    ping = masked_text_frame(json.dumps({"type": "ping"}).encode())
    try:
        while True:
            await loop.sock_sendall(sock, ping)
            await asyncio.sleep(0.2)
    except OSError:
        return  # the shop dropped it


async def test_a_tab_that_stops_reading_never_holds_up_the_shops_replies(
    make_shop: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(channel_module, "SEND_SECONDS", 0.5)
    async with make_shop(web_toml(), terminal=False) as h, Browser.opened(h) as browser:  # type: ignore[operator]
        tab = await browser.tab()
        for word in ("atta", "ghee") * 14:  # a long history: every hello answers with all of it
            assert (await say(tab, word))["type"] == "ack"
        await h.shop.idle()
        await tab.close()
        cookie = next(c.value for c in browser.session.cookie_jar if c.key == "chatshop_chat")
        stalled = await never_reading_tab(h, cookie)
        talking = asyncio.create_task(keep_talking(stalled))
        try:
            customer = "webchat:" + cookie.rsplit(".", 1)[0]
            await h.shop.notify(customer, Text(body="Your order is on its way."))
            await h.shop.idle()  # the outbox is done: it did not wait for the tab that reads nothing
            last = (await h.shop.store.transcript(customer))[-1]
            assert last.outbound == Text(body="Your order is on its way.") and last.status == "sent"
            back = await browser.tab()  # the customer's next visit has it, from the history
            await back.send_json({"type": "hello", "after": 0})
            while (frame := await back.receive_json(timeout=5))["type"] != "entries":
                pass
            assert frame["entries"][-1]["message"]["body"] == "Your order is on its way."
            await back.close()
        finally:
            talking.cancel()
            stalled.close()
