"""Shared fixtures: a small shop TOML and a harness that runs it for real on loopback."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog
from structlog._config import BoundLoggerLazyProxy

from chatshop.testing import DEMO_SHOP_TOML, ShopHarness
from chatshop.testing.plugin import ShopFactory

__all__ = ["SHOP_TOML", "ShopFactory", "on_storage"]

PG_SERVER = os.environ.get("CHATSHOP_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """In CI a skipped test is a failure: no feature may go untested there for want of a service."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run every test: {report.longrepr}"


@pytest.fixture(autouse=True)
def _loggers_not_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """``chatshop serve`` caches its loggers for speed, for good: run in-process by one test, it would
    freeze every module's logger and later tests could no longer capture what they log."""
    import chatshop.cli
    from chatshop.logs import configure_logging

    def uncached(level: str = "info", *, json: bool | None = None, cache: bool = False) -> None:
        configure_logging(level, json=json, cache=False)

    monkeypatch.setattr(chatshop.cli, "configure_logging", uncached)


@pytest.fixture
def t0() -> datetime:
    """Now, to the minute: where a test's shop clock starts. Fakes and stores stamp real times, so
    a moment fixed when the tests were collected would drift from them during a long run."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


#: The suite's small shop is the one chatshop's pytest plugin gives outsiders: one source.
SHOP_TOML = DEMO_SHOP_TOML


@pytest.fixture(autouse=True)
def _loggers_stay_reconfigurable() -> Iterator[None]:
    """``chatshop serve`` run in-process (a CLI test) binds each module's logger once for good
    (``cache_logger_on_first_use``, right for a server): undone after the test, so a later test's
    ``structlog.testing.capture_logs`` sees every module's lines, whatever ran before it."""
    yield
    if structlog.get_config().get("cache_logger_on_first_use"):
        structlog.configure(cache_logger_on_first_use=False)
        for module in [m for name, m in list(sys.modules.items()) if name.startswith("chatshop")]:
            proxy = getattr(module, "log", None)
            if isinstance(proxy, BoundLoggerLazyProxy):
                proxy.__dict__.pop("bind", None)


# ``shop_toml``, ``make_shop``, ``shop`` and ``customer`` come from chatshop's pytest plugin
# (chatshop.testing.plugin), the fixtures plugin authors get: the suite uses them as they do.


@pytest.fixture
async def harness(make_shop: ShopFactory) -> AsyncIterator[ShopHarness]:
    async with make_shop() as h:
        yield h


async def _pg_admin(sql: str) -> None:
    import asyncpg

    db = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await db.execute(sql)
    finally:
        await db.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def storage(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A ``[storage] url`` for a shop, once per store: its own SQLite file, or a fresh PostgreSQL
    database (created for the test, dropped after). Without a server the PostgreSQL half is skipped
    locally and fails in CI."""
    if request.param == "sqlite":
        yield "sqlite:///shop.db"
        return
    import uuid

    name = f"chatshop_shop_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        await _pg_admin(f'CREATE DATABASE "{name}"')
    except OSError as e:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {PG_SERVER}: {e}")
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def on_storage(toml: str, url: str) -> str:
    """``toml`` with its ``[storage] url`` replaced by ``url``."""
    return toml.replace('url = "sqlite:///shop.db"', f'url = "{url}"', 1)
