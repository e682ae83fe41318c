"""chatshop's pytest plugin (entry point ``pytest11``): fixtures for testing a plugin against a real shop.

Installed with chatshop; ``pip install 'chatshop[testing]'`` brings pytest and pytest-asyncio. Any
fixture here is overridden by one of the same name in your ``conftest.py``:

- ``shop_toml``: the shop to run (:data:`chatshop.testing.DEMO_SHOP_TOML`); override it to add your
  ``[channels.NAME]`` or ``[payments.NAME]`` section and ``[plugins] modules``.
- ``make_shop``: ``async with make_shop(toml) as h:`` runs another real shop in a fresh folder.
- ``shop``: the running shop of ``shop_toml`` (a :class:`chatshop.testing.ShopHarness`).
- ``customer``: a customer of ``shop`` talking through the terminal channel (``await customer.say("hi")``).

Disable it with ``-p no:chatshop``.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from chatshop.testing import DEMO_SHOP_TOML, Customer, ShopHarness, running_shop

__all__ = ["ShopFactory"]

ShopFactory = Callable[..., AbstractAsyncContextManager[ShopHarness]]

try:
    import pytest_asyncio
except ImportError:  # chatshop installed without its [testing] extra: only the plain fixtures
    pytest_asyncio = None  # type: ignore[assignment]


@pytest.fixture
def shop_toml() -> str:
    """The shop the ``shop`` fixture runs; override it in your conftest.py."""
    return DEMO_SHOP_TOML


@pytest.fixture
def make_shop(tmp_path: Path) -> ShopFactory:
    """``async with make_shop(toml, **server_overrides) as h:`` runs a real shop in a fresh folder."""
    counter = itertools.count()

    def factory(toml: str = DEMO_SHOP_TOML, **kwargs: Any) -> AbstractAsyncContextManager[ShopHarness]:
        directory = kwargs.pop("directory", None) or tmp_path / f"shop{next(counter)}"
        return running_shop(toml, directory, **kwargs)

    return factory


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def shop(make_shop: ShopFactory, shop_toml: str) -> AsyncIterator[ShopHarness]:
        """The shop of ``shop_toml``, running: its store on disk, its app on a loopback port."""
        async with make_shop(shop_toml) as harness:
            yield harness

    @pytest_asyncio.fixture
    async def customer(shop: ShopHarness) -> Customer:
        """Asha, a customer of ``shop`` at the terminal channel."""
        return shop.customer("asha")
