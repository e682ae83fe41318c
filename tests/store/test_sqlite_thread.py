"""Group commit on the SQLite thread: writes queued together share one transaction, and a write
that fails undoes only its own work, even part-way through."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from chatshop.store.sqlite_thread import SQLiteThread


@pytest.fixture
async def thread(tmp_path: Path):  # type: ignore[no-untyped-def]
    worker = SQLiteThread()

    def connect(_: sqlite3.Connection) -> None:
        db = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
        worker.db = db

    await worker.call(connect)
    yield worker
    await worker.stop()


def insert(value: str):  # type: ignore[no-untyped-def]
    def run(db: sqlite3.Connection) -> int:
        cur = db.execute("INSERT INTO t (v) VALUES (?)", (value,))
        return int(db.execute("SELECT COUNT(*) FROM t").fetchone()[0]) * 1000 + int(cur.lastrowid or 0)

    return run


def insert_then_fail(value: str):  # type: ignore[no-untyped-def]
    def run(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO t (v) VALUES (?)", (value,))
        raise ValueError("changed its mind after writing")

    return run


async def queued_behind_a_blocker(thread: SQLiteThread, *calls):  # type: ignore[no-untyped-def]
    """Run ``calls`` as one batch: they queue while the thread waits on a gate."""
    gate = threading.Event()
    blocker = asyncio.ensure_future(thread.call(lambda db: gate.wait(5)))
    await asyncio.sleep(0.05)  # the thread is now inside the blocker
    futures = [asyncio.ensure_future(call) for call in calls]
    await asyncio.sleep(0)
    gate.set()
    await blocker
    return await asyncio.gather(*futures, return_exceptions=True)


async def values(thread: SQLiteThread) -> list[str]:
    return await thread.call(lambda db: [row[0] for row in db.execute("SELECT v FROM t ORDER BY id")])


async def test_a_write_that_fails_part_way_undoes_only_its_own_work(thread: SQLiteThread) -> None:
    results = await queued_behind_a_blocker(
        thread,
        thread.call(insert("a"), write=True),
        thread.call(insert("b"), write=True),
        thread.call(insert_then_fail("half"), write=True),
        thread.call(insert("c"), write=True),
    )
    assert isinstance(results[2], ValueError)
    assert await values(thread) == ["a", "b", "c"]
    # every result is what its write saw in the transaction that committed, not in an undone one
    assert results[0] == 1 * 1000 + 1 and results[1] == 2 * 1000 + 2
    assert results[3] == 3 * 1000 + 3


async def test_a_constraint_violation_fails_one_write_and_the_rest_commit(thread: SQLiteThread) -> None:
    results = await queued_behind_a_blocker(
        thread,
        thread.call(insert("x"), write=True),
        thread.call(insert("x"), write=True),  # UNIQUE: fails
        thread.call(insert("y"), write=True),
        thread.call(insert_then_fail("z"), write=True),
        thread.call(insert("w"), write=True),
    )
    assert isinstance(results[1], sqlite3.IntegrityError) and isinstance(results[3], ValueError)
    assert await values(thread) == ["x", "y", "w"]


async def test_a_read_between_writes_sees_the_writes_before_it_committed(thread: SQLiteThread) -> None:
    results = await queued_behind_a_blocker(
        thread,
        thread.call(insert("a"), write=True),
        thread.call(lambda db: db.in_transaction),
        thread.call(lambda db: [r[0] for r in db.execute("SELECT v FROM t")]),
        thread.call(insert("b"), write=True),
    )
    assert results[1] is False and results[2] == ["a"]
    assert await values(thread) == ["a", "b"]
