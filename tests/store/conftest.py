"""One store fixture, two databases: every contract test runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (user ``postgres``, trust auth; ``CHATSHOP_TEST_PG``
overrides the server URL). Each test run creates its own database and drops it at the end; each
test starts from empty tables.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest

from chatshop.store.base import Store
from chatshop.store.postgres import PostgresStore
from chatshop.store.sqlite import SQLiteStore

S = TypeVar("S", bound=Store)

SERVER = os.environ.get("CHATSHOP_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
TABLES = (
    "inbox, conversations, outbox, inventory, order_history, order_claims, claims, credit_notes, credit_note_counters, "
    "invoices, invoice_counters, "
    "orders, events, kv, leases, jobs, send_budgets, stock_alerts, reminders, staff, audit, message_counts, "
    "order_messages"
)


async def _admin(sql: str) -> None:
    db = await asyncpg.connect(f"{SERVER}/postgres")
    try:
        await db.execute(sql)
    finally:
        await db.close()


def _blocking(sql: str) -> None:
    """Run an admin statement from sync code, even inside a running event loop (own thread)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _admin(sql)).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test run, dropped when the run ends.

    Without a server the PostgreSQL half is skipped locally; with ``CI`` set it fails instead.
    """
    name = f"chatshop_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        _blocking(f'CREATE DATABASE "{name}"')
    except OSError as e:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {SERVER}: {e}")
    try:
        yield f"{SERVER}/{name}"
    finally:
        _blocking(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _empty(url: str) -> None:
    db = await asyncpg.connect(url)
    try:
        if await db.fetchval("SELECT to_regclass('leases')"):
            await db.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
        if await db.fetchval("SELECT to_regclass('pair_budgets')"):  # PostgreSQL migration 8
            await db.execute("TRUNCATE pair_budgets")
    finally:
        await db.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        async with _opened(SQLiteStore(tmp_path / "shop.db")) as sqlite:
            yield sqlite
        return
    postgres_url = request.getfixturevalue("postgres_url")
    await _empty(postgres_url)
    async with _opened(PostgresStore(postgres_url)) as postgres:
        yield postgres


@asynccontextmanager
async def _opened(store: S) -> AsyncIterator[S]:
    """``store`` open for the test, closed after it."""
    await store.open()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def twin(store: Store) -> Callable[[], Store]:
    """Another store on the same database, as a second worker (or a restart) would open it."""

    def make() -> Store:
        if isinstance(store, SQLiteStore):
            return SQLiteStore(store.path)
        assert isinstance(store, PostgresStore)
        return PostgresStore(store.url)

    return make


@pytest.fixture
async def postgres_store(postgres_url: str) -> AsyncIterator[PostgresStore]:
    """A store on the emptied PostgreSQL database, for what only a shared database shows."""
    await _empty(postgres_url)
    async with _opened(PostgresStore(postgres_url)) as opened:
        yield opened


@pytest.fixture
async def two_postgres_workers(postgres_store: PostgresStore) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    """Two stores on one emptied PostgreSQL database, as two workers open it."""
    async with _opened(PostgresStore(postgres_store.url)) as second:
        yield postgres_store, second
