"""What the database says happened: read straight from the tables, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass

import asyncpg


@dataclass
class Ledger:
    inbox: dict[str, tuple[str, bool]]  # message id -> (customer key, handled)
    answered: set[str]  # message ids whose turn queued at least one reply
    outbox: Counter[tuple[str, str]]  # (customer key, status) -> rows
    orders: Counter[str]  # customer key -> orders placed
    ghee_orders: int

    @property
    def pending_inbox(self) -> int:
        return sum(not handled for _, handled in self.inbox.values())

    @property
    def pending_outbox(self) -> int:
        return sum(n for (_, status), n in self.outbox.items() if status == "pending")

    def replies_sent_to(self, customer_key: str) -> int:
        return sum(n for (key, status), n in self.outbox.items() if key == customer_key and status != "pending")


_INBOX = "SELECT message_id, customer_key, handled_at IS NOT NULL FROM inbox"
_OUTBOX = "SELECT customer_key, status, COUNT(*) FROM outbox GROUP BY 1, 2"
_ORDERS = "SELECT customer_key, COUNT(*) FROM orders GROUP BY 1"
_GHEE = "SELECT COUNT(*) FROM orders WHERE details LIKE '%ghee-1l%'"

# A turn stamps its inbox row and the replies it queues with one and the same moment.
_ANSWERED = (
    "SELECT DISTINCT i.message_id FROM inbox i JOIN outbox o "
    "ON o.customer_key = i.customer_key AND o.created_at = i.handled_at"
)


async def read_ledger(storage_url: str) -> Ledger:
    if storage_url.startswith("sqlite:///"):
        return _read_sqlite(storage_url.removeprefix("sqlite:///"))
    db = await asyncpg.connect(storage_url)
    try:
        return Ledger(
            {r[0]: (r[1], r[2]) for r in await db.fetch(_INBOX)},
            {r[0] for r in await db.fetch(_ANSWERED)},
            Counter({(r[0], r[1]): r[2] for r in await db.fetch(_OUTBOX)}),
            Counter({r[0]: r[1] for r in await db.fetch(_ORDERS)}),
            await db.fetchval(_GHEE),
        )
    finally:
        await db.close()


def _read_sqlite(path: str) -> Ledger:
    db = sqlite3.connect(path)
    try:
        return Ledger(
            {r[0]: (r[1], bool(r[2])) for r in db.execute(_INBOX)},
            {r[0] for r in db.execute(_ANSWERED)},
            Counter({(r[0], r[1]): r[2] for r in db.execute(_OUTBOX)}),
            Counter({r[0]: r[1] for r in db.execute(_ORDERS)}),
            db.execute(_GHEE).fetchone()[0],
        )
    finally:
        db.close()
