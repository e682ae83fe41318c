"""The running cash shop, and the fixtures of tests/payments' fake Razorpay and of WhatsApp's fake
Graph API, which COD tests pay online and talk through."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest

from chatshop.testing import ShopHarness, running_shop
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
