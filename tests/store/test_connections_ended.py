"""PostgreSQL ends the store's connections (``pg_terminate_backend``: a failover, an operator, a
pooler restarting): each call meanwhile succeeds or fails with one of the store's ``faults`` (a
webhook is then answered 503 and a turn tried again), never with another error, and the calls after
it find working connections, not the ones the server ended."""

from __future__ import annotations

import asyncio
import itertools

import asyncpg

from chatshop.store.codec import utcnow
from chatshop.store.postgres import PostgresStore

CALLS = 12


async def end_connections(url: str, *, wait: bool) -> int:
    """End every other connection to the database, with ``wait`` until their backends are gone
    (their farewell has then reached the store); how many there were."""
    admin = await asyncpg.connect(url)
    try:
        ended = await admin.fetch(
            "SELECT pid FROM pg_stat_activity WHERE CASE WHEN datname = current_database() "
            "AND pid <> pg_backend_pid() THEN pg_terminate_backend(pid) ELSE false END"
        )
        pids = [row["pid"] for row in ended]
        for _ in itertools.count():
            if not wait or not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)", pids):
                return len(pids)
            await asyncio.sleep(0.01)
        raise AssertionError("unreachable")
    finally:
        await admin.close()


async def calls(store: PostgresStore) -> list[BaseException | None]:
    """Many one-statement calls at once, as a busy worker makes them (some connections are kept)."""

    async def one(n: int) -> None:
        await store.release_lease(f"lease-{n}", "worker")
        await store.kv_get(f"key-{n}", utcnow())

    results = await asyncio.gather(*(one(n) for n in range(CALLS)), return_exceptions=True)
    return [r if isinstance(r, BaseException) else None for r in results]


async def test_calls_while_the_server_ends_the_connections_succeed_or_fail_as_faults(
    postgres_store: PostgresStore,
) -> None:
    for _ in range(3):
        assert await calls(postgres_store) == [None] * CALLS
        assert await end_connections(postgres_store.url, wait=False) > 0
        during = [e for e in await calls(postgres_store) if e is not None]
        assert all(isinstance(e, postgres_store.faults) for e in during), [repr(e) for e in during]


async def test_connections_the_server_ended_are_not_used_again(postgres_store: PostgresStore) -> None:
    for _ in range(3):
        assert await calls(postgres_store) == [None] * CALLS
        assert await end_connections(postgres_store.url, wait=True) > 0
        after = await calls(postgres_store)
        assert after == [None] * CALLS, [repr(e) for e in after if e is not None]
