"""A web shop that stops and starts again on the same port, as `chatshop serve` restarted by its owner."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from chatshop.app import create_app
from chatshop.config import load_config
from chatshop.runtime import Shop
from chatshop.testing import ShopHarness


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write(folder: Path, toml: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "shop.toml").write_text(toml, encoding="utf-8")
    return folder / "shop.toml"


@asynccontextmanager
async def shop_on(folder: Path, toml: str, port: int) -> AsyncIterator[ShopHarness]:
    """The shop of ``toml`` in ``folder`` (its database kept between runs) on 127.0.0.1:``port``."""
    shop = Shop(load_config(_write(folder, toml)))
    client = TestClient(TestServer(create_app(shop), host="127.0.0.1", port=port))
    try:
        await client.start_server()
        yield ShopHarness(shop, client)
    finally:
        await client.close()
