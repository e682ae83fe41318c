"""Which of the message path's commits wait for the disk on PostgreSQL.

A webhook's 200 promises the message is in the inbox, so recording it commits synchronously. A
turn's commit and a "sent" mark commit without waiting for the WAL flush: losing one (only in a
crash of the database server itself) is a worker dying just before it, which the message path
survives by taking the turn again. The test reads ``synchronous_commit`` in each statement's own
transaction, as the statement left it for its commit.
"""

from __future__ import annotations

from typing import Any

import pytest

from chatshop.store.codec import utcnow
from chatshop.store.postgres import PostgresStore

from .conftest import _empty
from .helpers import message, reply

KEY = "terminal:asha"


class ObservedStore(PostgresStore):
    """A store whose one-statement calls each run in a transaction of their own, noting the
    ``synchronous_commit`` the statement leaves for its commit."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.commits: list[str] = []

    async def _once(self, method: Any, query: str, *args: Any) -> Any:
        async with self.pool.acquire() as db, db.transaction():
            result = await getattr(db, method)(query, *args)
            self.commits.append(await db.fetchval("SELECT current_setting('synchronous_commit')"))
        return result


@pytest.fixture
async def observed(postgres_url: str) -> Any:
    await _empty(postgres_url)
    store = ObservedStore(postgres_url)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def test_the_inbox_commits_to_disk_and_the_turn_and_sent_mark_commit_lazily(observed: ObservedStore) -> None:
    added, claim = await observed.receive(message("asha", "hi"), "turns:asha", "w1", 30)
    assert added and claim is not None and claim[1] is not None and claim[2] is not None
    finished = await observed.finish_turn(
        KEY, claim[1].id, {"n": 1}, claim[2].version, [reply("one"), reply("two")], "turns:asha", "w1",
        "send:asha", "w1#0", 30,
    )  # fmt: skip
    assert finished.sends is not None and len(finished.sends) == 2
    await observed.mark_sent(finished.sends[0].id, "wamid.1")
    items, _ = await observed.sent_then_pending_or_release(
        finished.sends[1].id, "wamid.2", KEY, "send:asha", "w1#0", utcnow()
    )
    assert items == []
    assert observed.commits == ["on", "off", "off", "off"]
