"""The running cash shop, and the fixtures of tests/payments' fake Razorpay and of WhatsApp's fake
Graph API, which COD tests pay online and talk through."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.payments.conftest import razorpay_api
from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["CodShop", "fake", "graph", "razorpay_api", "secrets_env"]

#: ``cod_shop(toml, folder=None)``: what the ``cod_shop`` fixture gives.
CodShop = Callable[..., AbstractAsyncContextManager[ShopHarness]]


@pytest.fixture
def cod_shop(t0: datetime, tmp_path: Path) -> CodShop:
    """``async with cod_shop(toml) as h:`` runs a shop (``tests.cod.shops.toml``) in the test's
    folder, its clock stopped at ``t0``; ``cod_shop(toml, folder)`` again on the same folder is a
    restart."""

    @asynccontextmanager
    async def running(text: str, folder: Path | None = None) -> AsyncIterator[ShopHarness]:
        async with running_shop(text, folder or tmp_path / "shop") as h:
            h.set_clock(t0)
            yield h

    return running


@pytest.fixture
async def api(razorpay_api: FakeRazorpay, aiohttp_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fake Razorpay's address, served on loopback, its secrets in the shop's environment."""
    server = await aiohttp_server(razorpay_api.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    return str(server.make_url(""))
