"""`chatshop serve` as a shop owner runs it: a signed WhatsApp "hi", the web chat page, a clean stop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import eventually
from tests.whatsapp.meta import contact, envelope, signed, text_message
from tests.whatsapp.test_e2e import catalog_csv, shop_toml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_serve_answers_a_signed_whatsapp_hi_serves_the_chat_and_stops_cleanly(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    port = free_port()
    toml = shop_toml(str(graph.make_url("")).rstrip("/")) + "\n[channels.webchat]\n"
    (tmp_path / "shop.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "catalog.csv").write_text(catalog_csv(), encoding="utf-8")
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chatshop", "serve", str(tmp_path / "shop.toml"), "--port", str(port),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=dict(os.environ),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:

            async def ready() -> bool:
                try:
                    async with http.get(f"{base}/readyz") as resp:
                        return resp.status == 200
                except aiohttp.ClientError:
                    return False

            for _ in range(200):  # bounded: the shop starts in well under a second
                if await ready():
                    break
                assert server.returncode is None, "chatshop serve exited"
                await asyncio.sleep(0.05)
            body, headers = signed(
                envelope(messages=[text_message("919812345678", "hi", "wamid.SERVE1")],
                         contacts=[contact("919812345678", "Priya Sharma")])
            )  # fmt: skip
            async with http.post(f"{base}/webhooks/whatsapp", data=body, headers=headers) as resp:
                assert resp.status == 200
            await eventually(lambda: bool(fake.texts("919812345678")))
            assert "Hi Priya" in str(fake.texts("919812345678")[0].content)
            async with http.get(f"{base}/chat") as resp:
                assert resp.status == 200 and "chatshop_chat" in resp.cookies
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(server.communicate(), timeout=20)
    assert server.returncode == 0, output.decode()
    log = output.decode()
    assert "919812345678" not in log and "Priya" not in log  # no phone number or name in clear
