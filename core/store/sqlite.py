"""The embedded store: one SQLite file, one connection, one thread.

SQLite has a single writer, so every store call runs as one whole transaction on a dedicated thread:
one hop from the event loop per call instead of one per statement, and the event loop never blocks
on file I/O. WAL mode lets the file be read by ``chatshop orders`` while the shop runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from types import EllipsisType
from typing import Any, TypeVar

from chatshop.catalog import Product
from chatshop.channels import SendContext
from chatshop.costs import SentCount
from chatshop.jobs import Job
from chatshop.messages import DeliveryReport, DeliveryState, Inbound, Outbound
from chatshop.order_effects import KIND as EFFECTS
from chatshop.order_effects import Owed, owed_key
from chatshop.orders import (
    Claim,
    IllegalTransition,
    Order,
    OrderRevision,
    OrderStatus,
    check_transition,
    new_order_number,
    releases_stock,
)
from chatshop.reply_context import context_of, payloads, read
from chatshop.store.base import (
    ANONYMISED,
    REMINDERS_KEPT,
    ClaimUse,
    ConversationRecord,
    FinishedTurn,
    InboxItem,
    InventoryItem,
    InvoiceRecord,
    LimitReached,
    OutboxItem,
    OutOfStock,
    QueueDepths,
    StaleConversation,
    StockChanged,
    Store,
    anonymised_details,
    bounded_page,
)
from chatshop.store.codec import (
    dumps,
    forget_idle,
    inbound_from_text,
    inbound_to_text,
    loads,
    order_details,
    order_from_parts,
    outbound_from_text,
    utcnow,
)
from chatshop.store.local_leases import LocalBudgets, LocalLeases
from chatshop.store.migrations import SQLITE_MIGRATIONS, refuse_newer
from chatshop.store.sqlite_people import SQLitePeople
from chatshop.store.sqlite_thread import SQLiteThread
from chatshop.store.sqlite_time import parse, stamp

__all__ = ["SQLiteStore"]

T = TypeVar("T")


_ts = stamp
_dt = parse


_ADD_JOB = (
    "INSERT INTO jobs (kind, key, due_at, payload, customer_key, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (kind, key) DO NOTHING"
)
_REPLACE_JOB = (
    "INSERT INTO jobs (kind, key, due_at, payload, customer_key, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (kind, key) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, "
    "customer_key = excluded.customer_key, status = 'pending', attempts = 0, lease_owner = NULL, "
    "lease_until = NULL, updated_at = excluded.updated_at"
)


def _owe(
    db: sqlite3.Connection, owed: Owed, number: str, old: OrderStatus | None, new: OrderStatus, now: datetime
) -> None:
    """Write the job owing a placement's or a move's effects, in its transaction."""
    key = owed_key(number, None if old is None else new)
    db.execute(_ADD_JOB, (EFFECTS, key, _ts(owed.due_at), owed.payload(old, new), None, _ts(now)))


def _job(row: Any) -> Job:
    due_at = _dt(row[3])
    assert due_at is not None
    return Job(
        id=row[0],
        kind=row[1],
        key=row[2],
        due_at=due_at,
        payload=loads(row[4]),
        attempts=row[5],
        customer_key=row[6],
        status=row[7],
        lease_until=_dt(row[8]) if len(row) > 8 else None,
    )


def _like_prefix(text: str) -> str:
    """A LIKE pattern for values starting with ``text:`` (wildcards in ``text`` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ":%"


def _record(customer_key: str, row: Sequence[Any]) -> ConversationRecord:
    """A conversation from its row's ``state, version, last_inbound_at``."""
    return ConversationRecord(customer_key, loads(row[0]), row[1], _dt(row[2]))


_Peek = tuple[InboxItem, ConversationRecord]
_Next = tuple[InboxItem | None, ConversationRecord | None]


class SQLiteStore(SQLitePeople, Store):
    #: "database is locked" (another process held it past the busy timeout), "disk I/O error".
    faults = (OSError, sqlite3.OperationalError)

    def __init__(self, path: str | Path, *, synchronous: str = "NORMAL") -> None:
        super().__init__()
        self.path = str(path)
        self.synchronous = synchronous
        self._thread = SQLiteThread()  # owns the connection; queued writes share one commit
        self._leases = LocalLeases(self.stats)  # one process owns the file: leases need not be shared
        self._budgets = LocalBudgets()  # nor send budgets
        #: What recording a message found first in its customer's inbox, and their conversation:
        #: the turn that the message starts takes it from here instead of reading it again. Only
        #: this process writes the file, and a turn commits only on the version it read, so a peek
        #: overtaken by another turn costs that turn a retry, never a message handled twice.
        self._peeks: dict[str, _Peek] = {}

    @classmethod
    def from_url(cls, url: str, base_dir: Path) -> SQLiteStore:
        target = url.removeprefix("sqlite://")
        if target == ":memory:":
            return cls(":memory:")
        path = Path(target.removeprefix("/"))
        return cls(path if path.is_absolute() else base_dir / path)

    # --- plumbing ----------------------------------------------------------------------------
    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on the store's thread, seeing only committed data."""
        if self._thread.db is None:
            raise RuntimeError("store is not open")
        self.stats.round_trips += 1
        return await self._thread.call(fn)

    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` as one transaction (any exception undoes all of it); returns once committed.

        Writes queued together commit together (group commit), each in its own savepoint.
        """
        if self._thread.db is None:
            raise RuntimeError("store is not open")
        self.stats.round_trips += 1
        return await self._thread.call(fn, write=True)

    async def open(self) -> None:
        def connect() -> None:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={self.synchronous}")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=5000")
            # Deleted rows are overwritten with zeros, not left in free pages: a forgotten customer's
            # address must not be readable from the file (many builds do this by default; make it so).
            db.execute("PRAGMA secure_delete=ON")
            try:
                self._migrate(db)
            except BaseException:
                db.close()  # a database this code must not use (newer schema): not left open
                raise
            self._thread.db = db

        if self._thread.db is None:
            await self._thread.call(lambda _: connect())

    def _migrate(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
            refuse_newer(done, SQLITE_MIGRATIONS)
            for version, sql in SQLITE_MIGRATIONS:
                if version in done:
                    continue
                for statement in sql.split(";\n"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, _ts(utcnow())))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    async def close(self) -> None:
        def close(db: sqlite3.Connection) -> None:
            db.close()

        if self._thread.db is not None:
            await self._run(close)
            self._thread.db = None
        await self._thread.stop()

    async def schema_version(self) -> int:
        return await self._run(lambda db: db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] or 0)

    # --- inbox -------------------------------------------------------------------------------
    async def add_inbound(self, inbound: Inbound) -> bool:
        now = _ts(utcnow())

        key = inbound.customer_key
        payload = inbound_to_text(inbound)
        from_customer = inbound.from_customer

        def add(db: sqlite3.Connection) -> _Peek | None:
            cur = db.execute(
                "INSERT INTO inbox (channel, message_id, customer_key, payload, received_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, message_id) DO NOTHING",
                (inbound.channel, inbound.message_id, key, payload, now),
            )
            if cur.rowcount == 0:
                return None
            # The conversation as it now is and the first message its turn will read (usually this
            # very one) come back from the upsert itself.
            if from_customer:
                row = db.execute(
                    "INSERT INTO conversations (customer_key, state, version, last_inbound_at) "
                    "VALUES (?1, '{}', 0, ?2) "
                    "ON CONFLICT (customer_key) DO UPDATE SET last_inbound_at = excluded.last_inbound_at "
                    "RETURNING state, version, last_inbound_at, (SELECT id FROM inbox "
                    "WHERE customer_key = ?1 AND handled_at IS NULL ORDER BY id LIMIT 1)",
                    (key, now),
                ).fetchone()
            else:  # the shop's own message: the customer did not write (an existing row: nothing returned)
                row = db.execute(
                    "INSERT INTO conversations (customer_key, state, version) VALUES (?1, '{}', 0) "
                    "ON CONFLICT (customer_key) DO NOTHING "
                    "RETURNING state, version, last_inbound_at, (SELECT id FROM inbox "
                    "WHERE customer_key = ?1 AND handled_at IS NULL ORDER BY id LIMIT 1)",
                    (key,),
                ).fetchone()
            if row is None:
                conversation = self._conversation(db, key)
                first = db.execute(
                    "SELECT id FROM inbox WHERE customer_key = ? AND handled_at IS NULL ORDER BY id LIMIT 1", (key,)
                ).fetchone()[0]
            else:
                conversation, first = _record(key, row), row[3]
            if first == cur.lastrowid:
                return InboxItem(first, inbound), conversation
            older = db.execute("SELECT payload FROM inbox WHERE id = ?", (first,)).fetchone()[0]
            return InboxItem(first, inbound_from_text(older)), conversation

        peek = await self._write(add)
        if peek is None:
            return False
        self._peeks[key] = peek
        return True

    async def next_inbound(self, customer_key: str) -> InboxItem | None:
        def fetch(db: sqlite3.Connection) -> InboxItem | None:
            row = db.execute(
                "SELECT id, payload FROM inbox WHERE customer_key = ? AND handled_at IS NULL ORDER BY id LIMIT 1",
                (customer_key,),
            ).fetchone()
            return InboxItem(row["id"], inbound_from_text(row["payload"])) if row else None

        return await self._run(fetch)

    async def latest_inbound_trace(self, customer_key: str) -> str | None:
        def fetch(db: sqlite3.Connection) -> str | None:
            row = db.execute(
                "SELECT json_extract(payload, '$.trace') FROM inbox WHERE customer_key = ? ORDER BY id DESC LIMIT 1",
                (customer_key,),
            ).fetchone()
            return str(row[0]) if row and row[0] is not None else None

        return await self._run(fetch)

    async def customers_with_pending_inbound(self, limit: int = 1000) -> list[str]:
        def fetch(db: sqlite3.Connection) -> list[str]:
            rows = db.execute(
                "SELECT customer_key, MIN(id) AS first FROM inbox WHERE handled_at IS NULL "
                "GROUP BY customer_key ORDER BY first LIMIT ?",
                (limit,),
            )
            return [row[0] for row in rows]

        return await self._run(fetch)

    # --- conversation ------------------------------------------------------------------------
    async def load_conversation(self, customer_key: str) -> ConversationRecord:
        def fetch(db: sqlite3.Connection) -> ConversationRecord:
            row = db.execute(
                "SELECT state, version, last_inbound_at FROM conversations WHERE customer_key = ?",
                (customer_key,),
            ).fetchone()
            if row is None:
                return ConversationRecord(customer_key, {}, 0)
            return ConversationRecord(customer_key, loads(row[0]), row[1], _dt(row[2]))

        return await self._run(fetch)

    async def commit_turn(
        self,
        customer_key: str,
        inbox_id: int | None,
        state: dict[str, Any],
        expected_version: int,
        outbound: Sequence[Outbound],
    ) -> list[OutboxItem]:
        commit = self._committer(customer_key, inbox_id, state, expected_version, outbound)
        try:
            return await self._write(commit)
        finally:
            self._peeks.pop(customer_key, None)

    def _committer(
        self,
        customer_key: str,
        inbox_id: int | None,
        state: dict[str, Any],
        expected_version: int,
        outbound: Sequence[Outbound],
    ) -> Callable[[sqlite3.Connection], list[OutboxItem]]:
        """The turn's writes as a function of the connection (the text is encoded here, off the thread)."""
        now = _ts(utcnow())
        state_text = dumps(state)
        texts = payloads(outbound)
        context = context_of(outbound)
        handover = state.get("handover_since")
        handover_since = _ts(_dt(handover)) if handover else None

        def commit(db: sqlite3.Connection) -> list[OutboxItem]:
            # A hand-over that ends takes its assignee with it; one taken before it began keeps it.
            cur = db.execute(
                "UPDATE conversations SET state = ?, version = version + 1, updated_at = ?, handover_since = ?3, "
                "assigned_to = CASE WHEN ?3 IS NULL AND handover_since IS NOT NULL THEN NULL ELSE assigned_to END "
                "WHERE customer_key = ? AND version = ?",
                (state_text, now, handover_since, customer_key, expected_version),
            )
            if cur.rowcount == 0:
                if (
                    expected_version != 0
                    or db.execute("SELECT 1 FROM conversations WHERE customer_key = ?", (customer_key,)).fetchone()
                ):
                    raise StaleConversation(customer_key)
                db.execute(
                    "INSERT INTO conversations (customer_key, state, version, updated_at, handover_since) "
                    "VALUES (?, ?, 1, ?, ?)",
                    (customer_key, state_text, now, handover_since),
                )
            if inbox_id is not None:
                db.execute("UPDATE inbox SET handled_at = ? WHERE id = ?", (now, inbox_id))
                # The customer just wrote: a reply held back (closed window, quota) may go out now
                # (the pending replies' own index: see _due_outbox).
                db.execute(
                    "UPDATE outbox INDEXED BY outbox_pending SET next_attempt_at = NULL "
                    "WHERE customer_key = ? AND status = 'pending' AND next_attempt_at IS NOT NULL",
                    (customer_key,),
                )
            return self._insert_outbox(db, customer_key, zip(outbound, texts, strict=True), now, context=context)

        return commit

    # --- outbox ------------------------------------------------------------------------------
    @staticmethod
    def _insert_outbox(
        db: sqlite3.Connection,
        customer_key: str,
        messages: Iterable[tuple[Outbound, str]],
        now: str | None,
        author: str | None = None,
        *,
        context: SendContext | None = None,
    ) -> list[OutboxItem]:
        items = []
        for message, payload in messages:
            cur = db.execute(
                "INSERT INTO outbox (customer_key, payload, created_at, author) VALUES (?, ?, ?, ?)",
                (customer_key, payload, now, author),
            )
            assert cur.lastrowid is not None
            items.append(OutboxItem(cur.lastrowid, customer_key, message, created_at=_dt(now), context=context))
        return items

    async def enqueue(
        self, customer_key: str, outbound: Sequence[Outbound], *, author: str | None = None
    ) -> list[OutboxItem]:
        now = _ts(utcnow())
        messages = list(zip(outbound, payloads(outbound), strict=True))
        context = context_of(outbound)
        return await self._write(
            lambda db: self._insert_outbox(db, customer_key, messages, now, author, context=context)
        )

    async def pending_outbox(self, customer_key: str, now: datetime) -> list[OutboxItem]:
        moment = _ts(now)
        return await self._run(lambda db: self._due_outbox(db, customer_key, moment))

    @staticmethod
    def _due_outbox(
        db: sqlite3.Connection, customer_key: str, moment: str | None, known: Iterable[OutboxItem] = ()
    ) -> list[OutboxItem]:
        """The customer's due messages, oldest first, up to one waiting for its retry. Those in
        ``known`` (just written by the same transaction) are taken as they are, not decoded again.

        Read through the partial index of pending replies (``INDEXED BY``, here and in the turn's
        commit): left to itself, SQLite's planner (no statistics) takes ``outbox_customer``, every
        reply the customer was ever sent, and reads each row to check its status, at every turn
        and every send, a cost that grew with the length of the conversation."""
        written = {item.id: item for item in known}
        rows = db.execute(
            "SELECT id, payload, attempts, next_attempt_at, created_at FROM outbox INDEXED BY outbox_pending "
            "WHERE customer_key = ? AND status = 'pending' ORDER BY id",
            (customer_key,),
        ).fetchall()
        items = []
        for row in rows:
            if row["next_attempt_at"] and moment and row["next_attempt_at"] > moment:
                break  # a later message must not overtake one waiting for its retry
            item = written.get(row["id"])
            message, context = (item.message, item.context) if item else read(row["payload"], customer_key)
            created_at = _dt(row["created_at"])
            items.append(
                OutboxItem(row["id"], customer_key, message, row["attempts"], created_at=created_at, context=context)
            )
        return items

    async def customers_with_due_outbox(self, now: datetime, limit: int = 1000) -> list[str]:
        def fetch(db: sqlite3.Connection) -> list[str]:
            rows = db.execute(
                "SELECT customer_key, MIN(id) AS first FROM outbox WHERE status = 'pending' "
                "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) GROUP BY customer_key ORDER BY first LIMIT ?",
                (_ts(now), limit),
            )
            return [row[0] for row in rows]

        return await self._run(fetch)

    async def mark_sent(self, outbox_id: int, provider_message_id: str | None, count: SentCount | None = None) -> None:
        now = _ts(utcnow())
        await self._write(lambda db: self._mark_sent(db, outbox_id, provider_message_id, now, count))

    @staticmethod
    def _mark_sent(
        db: sqlite3.Connection,
        outbox_id: int,
        provider_message_id: str | None,
        now: str | None,
        count: SentCount | None = None,
    ) -> None:
        db.execute(
            "UPDATE outbox SET status = 'sent', provider_message_id = ?, sent_at = ?, "
            "attempts = attempts + 1, error = NULL WHERE id = ?",
            (provider_message_id, now, outbox_id),
        )
        if count is None:
            return
        db.execute(
            "INSERT INTO message_counts (day, channel, billing, messages) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (day, channel, billing) DO UPDATE SET messages = messages + 1",
            (count.day.isoformat(), count.channel, count.billing),
        )
        if count.order_number:
            db.execute(
                "INSERT INTO order_messages (number, channel, billing, messages) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (number, channel, billing) DO UPDATE SET messages = messages + 1",
                (count.order_number, count.channel, count.billing),
            )

    async def message_counts(self, since: date) -> list[tuple[date, str, str, int]]:
        def fetch(db: sqlite3.Connection) -> list[tuple[date, str, str, int]]:
            rows = db.execute(
                "SELECT day, channel, billing, messages FROM message_counts WHERE day >= ? ORDER BY day",
                (since.isoformat(),),
            )
            return [(date.fromisoformat(r[0]), r[1], r[2], int(r[3])) for r in rows]

        return await self._run(fetch)

    async def order_message_counts(self, number: str) -> list[tuple[str, str, int]]:
        def fetch(db: sqlite3.Connection) -> list[tuple[str, str, int]]:
            rows = db.execute(
                "SELECT channel, billing, messages FROM order_messages WHERE number = ? ORDER BY channel, billing",
                (number,),
            )
            return [(r[0], r[1], int(r[2])) for r in rows]

        return await self._run(fetch)

    async def mark_retry(self, outbox_id: int, next_attempt_at: datetime, error: str) -> None:
        await self._write(
            lambda db: db.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, error = ? WHERE id = ?",
                (_ts(next_attempt_at), error[:500], outbox_id),
            )
        )

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        await self._write(
            lambda db: db.execute(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ? WHERE id = ?",
                (error[:500], outbox_id),
            )
        )

    async def record_delivery(self, report: DeliveryReport) -> OutboxItem | None:
        rank = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}

        def apply(db: sqlite3.Connection) -> OutboxItem | None:
            row = db.execute(
                "SELECT id, customer_key, payload, attempts, status FROM outbox "
                "WHERE provider_message_id = ? ORDER BY id DESC LIMIT 1",
                (report.provider_message_id,),
            ).fetchone()
            if row is None:
                return None
            status = row["status"]
            if report.state == DeliveryState.FAILED or rank.get(report.state, 0) > rank.get(status, 0):
                error = f"{report.error_code}: {report.error_title}" if report.error_code else None
                db.execute(
                    "UPDATE outbox SET status = ?, error = COALESCE(?, error) WHERE id = ?",
                    (report.state.value, error, row["id"]),
                )
                status = report.state.value
            return OutboxItem(
                row["id"],
                row["customer_key"],
                outbound_from_text(row["payload"]),
                row["attempts"],
                status,
                report.provider_message_id,
            )

        return await self._write(apply)

    # --- inventory ---------------------------------------------------------------------------
    async def seed_inventory(self, products: Iterable[Product]) -> None:
        # in key order: SQLite fills its index page after page instead of splitting pages all over
        # (a 750,000-SKU catalog in random order: 5.5 s of CPU, sorted first: 2.6)
        rows = sorted([(p.id, p.stock) for p in products])
        await self._write(
            lambda db: db.executemany(
                "INSERT INTO inventory (product_id, stock) VALUES (?, ?) ON CONFLICT (product_id) DO NOTHING", rows
            )
        )

    async def inventory(
        self, product_ids: Iterable[str] | None = None, *, fresh: bool = False
    ) -> dict[str, InventoryItem]:
        ids = list(product_ids) if product_ids is not None else None

        def fetch(db: sqlite3.Connection) -> dict[str, InventoryItem]:
            if ids is None:
                rows = db.execute("SELECT product_id, stock, price_minor, active FROM inventory").fetchall()
            else:
                marks = ",".join("?" * len(ids))
                rows = db.execute(
                    f"SELECT product_id, stock, price_minor, active FROM inventory WHERE product_id IN ({marks})",  # noqa: S608
                    ids,
                ).fetchall()
            return {r[0]: InventoryItem(r[0], r[1], r[2], bool(r[3])) for r in rows}

        return await self._run(fetch)

    async def update_inventory(
        self,
        product_id: str,
        *,
        stock: int | EllipsisType | None = ...,
        price_minor: int | EllipsisType | None = ...,
        active: bool | EllipsisType = ...,
        stock_was: int | EllipsisType | None = ...,
    ) -> InventoryItem:
        def update(db: sqlite3.Connection) -> InventoryItem:
            db.execute("INSERT INTO inventory (product_id) VALUES (?) ON CONFLICT DO NOTHING", (product_id,))
            if stock is not ... and stock_was is not ...:
                cur = db.execute(
                    "UPDATE inventory SET stock = ? WHERE product_id = ? AND stock IS ?", (stock, product_id, stock_was)
                )
                if cur.rowcount == 0:
                    current = db.execute("SELECT stock FROM inventory WHERE product_id = ?", (product_id,)).fetchone()
                    raise StockChanged(product_id, current[0])
            elif stock is not ...:
                db.execute("UPDATE inventory SET stock = ? WHERE product_id = ?", (stock, product_id))
            if price_minor is not ...:
                db.execute("UPDATE inventory SET price_minor = ? WHERE product_id = ?", (price_minor, product_id))
            if active is not ...:
                db.execute("UPDATE inventory SET active = ? WHERE product_id = ?", (int(bool(active)), product_id))
            r = db.execute(
                "SELECT product_id, stock, price_minor, active FROM inventory WHERE product_id = ?", (product_id,)
            ).fetchone()
            return InventoryItem(r[0], r[1], r[2], bool(r[3]))

        return await self._write(update)

    # --- orders ------------------------------------------------------------------------------
    _ORDER_COLUMNS = (
        "number, customer_key, status, currency, payment_method, placement_key, details, created_at, "
        "paid_minor, refunded_minor, payment_ref, payment_url, payment_expires_at"
    )

    def _order(self, db: sqlite3.Connection, row: sqlite3.Row) -> Order:
        history = [
            {"at": h[0], "old": h[1], "new": h[2], "note": h[3]}
            for h in db.execute(
                "SELECT at, old, new, note FROM order_history WHERE number = ? ORDER BY id", (row["number"],)
            )
        ]
        return order_from_parts(
            number=row["number"],
            customer_key=row["customer_key"],
            status=row["status"],
            currency=row["currency"],
            payment_method=row["payment_method"],
            placement_key=row["placement_key"],
            details=row["details"],
            created_at=datetime.fromisoformat(row["created_at"]),
            paid_minor=row["paid_minor"],
            refunded_minor=row["refunded_minor"],
            payment_ref=row["payment_ref"],
            payment_url=row["payment_url"],
            payment_expires_at=_dt(row["payment_expires_at"]),
            history=history,
        )

    def _fetch_order(self, db: sqlite3.Connection, where: str, value: str) -> Order | None:
        row = db.execute(f"SELECT {self._ORDER_COLUMNS} FROM orders WHERE {where} = ?", (value,)).fetchone()  # noqa: S608
        return self._order(db, row) if row else None

    async def place_order(
        self, order: Order, claims: Sequence[Claim] = (), *, owed: Owed | None = None
    ) -> tuple[Order, bool]:
        now = utcnow()

        def place(db: sqlite3.Connection) -> tuple[Order, bool]:
            existing = self._fetch_order(db, "placement_key", order.placement_key)
            if existing is not None:
                return existing, False
            shortages: dict[str, int] = {}
            for line in order.lines:
                cur = db.execute(
                    "UPDATE inventory SET stock = stock - ? "
                    "WHERE product_id = ? AND active AND stock IS NOT NULL AND stock >= ?",
                    (line.quantity, line.product_id, line.quantity),
                )
                if cur.rowcount == 0:
                    row = db.execute(
                        "SELECT stock, active FROM inventory WHERE product_id = ?", (line.product_id,)
                    ).fetchone()
                    if row is not None and not row[1]:  # taken off sale since the checkout read it
                        shortages[line.product_id] = 0
                    elif row is not None and row[0] is not None:
                        shortages[line.product_id] = row[0]
            if shortages:
                raise OutOfStock(shortages)  # _write rolls back every decrement above
            for claim in sorted(claims, key=lambda c: c.key):
                db.execute("INSERT INTO claims (key) VALUES (?) ON CONFLICT DO NOTHING", (claim.key,))
                taken = db.execute(
                    "UPDATE claims SET used = used + 1 WHERE key = ?1 AND (?2 IS NULL OR used < ?2)",
                    (claim.key, claim.limit),
                )
                if taken.rowcount == 0:
                    raise LimitReached(claim.key)  # rolled back with the stock
            number = order.number
            while db.execute("SELECT 1 FROM orders WHERE number = ?", (number,)).fetchone():
                number = new_order_number()
            db.execute(
                f"INSERT INTO orders ({self._ORDER_COLUMNS}, total_minor, updated_at) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    number,
                    order.customer_key,
                    order.status.value,
                    order.currency,
                    order.payment_method,
                    order.placement_key,
                    order_details(order),
                    _ts(now),
                    0,
                    0,
                    order.payment_ref,
                    order.payment_url,
                    _ts(order.payment_expires_at),
                    order.total.minor,
                    _ts(now),
                ),
            )
            db.execute(
                "INSERT INTO order_history (number, at, old, new, note) VALUES (?, ?, NULL, ?, 'placed')",
                (number, _ts(now), order.status.value),
            )
            db.executemany(
                "INSERT INTO order_claims (number, key) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(number, claim.key) for claim in claims],
            )
            if owed is not None:
                _owe(db, owed, number, None, order.status, now)
            placed = self._fetch_order(db, "number", number)
            assert placed is not None
            return placed, True

        return await self._write(place)

    async def get_order(self, number: str) -> Order | None:
        return await self._run(lambda db: self._fetch_order(db, "number", number.strip().upper()))

    async def claim_counts(self, keys: Iterable[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}

        def fetch(db: sqlite3.Connection) -> dict[str, int]:
            marks = ",".join("?" * len(wanted))
            rows = db.execute(f"SELECT key, used FROM claims WHERE key IN ({marks})", wanted)  # noqa: S608
            return {row[0]: row[1] for row in rows}

        return await self._run(fetch)

    async def claim_uses(self, prefix: str) -> list[ClaimUse]:
        def fetch(db: sqlite3.Connection) -> list[ClaimUse]:
            rows = db.execute(
                "SELECT c.key, c.used, COUNT(o.number), COALESCE(SUM(o.total_minor), 0) FROM claims c "
                "LEFT JOIN order_claims oc ON oc.key = c.key AND oc.released_at IS NULL "
                "LEFT JOIN orders o ON o.number = oc.number AND o.status NOT IN ('cancelled', 'refunded', 'returned') "
                "WHERE substr(c.key, 1, ?) = ? GROUP BY c.key, c.used ORDER BY c.key",
                (len(prefix), prefix),
            )
            return [ClaimUse(row[0], row[1], row[2], row[3]) for row in rows]

        return await self._run(fetch)

    # --- invoices ----------------------------------------------------------------------------
    @staticmethod
    def _invoice(row: sqlite3.Row) -> InvoiceRecord:
        return InvoiceRecord(
            number=row["number"],
            order_number=row["order_number"],
            year=row["year"],
            seq=row["seq"],
            token=row["token"],
            issued_at=datetime.fromisoformat(row["issued_at"]),
            data=loads(row["data"]),
        )

    _INVOICE_COLUMNS = "number, order_number, year, seq, token, issued_at, data"

    async def issue_invoice(
        self,
        order_number: str,
        year: str,
        number: Callable[[int], str],
        data: dict[str, Any],
        token: str,
        issued_at: datetime,
    ) -> tuple[InvoiceRecord, bool]:
        def issue(db: sqlite3.Connection) -> tuple[InvoiceRecord, bool]:
            row = db.execute(
                f"SELECT {self._INVOICE_COLUMNS} FROM invoices WHERE order_number = ?",  # noqa: S608
                (order_number,),
            ).fetchone()
            if row is not None:
                return self._invoice(row), False
            seq = db.execute(
                "INSERT INTO invoice_counters (year, last) VALUES (?, 1) "
                "ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                (year,),
            ).fetchone()[0]
            db.execute(
                f"INSERT INTO invoices ({self._INVOICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (number(seq), order_number, year, seq, token, _ts(issued_at), dumps(data)),
            )
            row = db.execute(
                f"SELECT {self._INVOICE_COLUMNS} FROM invoices WHERE order_number = ?",  # noqa: S608
                (order_number,),
            ).fetchone()
            return self._invoice(row), True

        return await self._write(issue)

    _CREDIT_COLUMNS = "number, order_number, year, seq, token, issued_at, data, credited_minor"

    async def issue_credit_note(
        self,
        order_number: str,
        credited_minor: int,
        year: str,
        number: Callable[[int], str],
        data: Callable[[int], dict[str, Any]],
        token: str,
        issued_at: datetime,
    ) -> InvoiceRecord | None:
        def issue(db: sqlite3.Connection) -> InvoiceRecord | None:
            credited = db.execute(
                "SELECT COALESCE(MAX(credited_minor), 0) FROM credit_notes WHERE order_number = ?", (order_number,)
            ).fetchone()[0]
            if credited >= credited_minor:
                return None
            seq = db.execute(
                "INSERT INTO credit_note_counters (year, last) VALUES (?, 1) "
                "ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                (year,),
            ).fetchone()[0]
            values = (number(seq), order_number, year, seq, token, _ts(issued_at))
            db.execute(
                f"INSERT INTO credit_notes ({self._CREDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (*values, dumps(data(credited_minor - credited)), credited_minor),
            )
            row = db.execute(
                f"SELECT {self._CREDIT_COLUMNS} FROM credit_notes WHERE token = ?", (token,)  # noqa: S608
            ).fetchone()
            return self._invoice(row)

        return await self._write(issue)

    async def credit_notes(self, order_number: str) -> list[InvoiceRecord]:
        def fetch(db: sqlite3.Connection) -> list[InvoiceRecord]:
            rows = db.execute(
                f"SELECT {self._CREDIT_COLUMNS} FROM credit_notes WHERE order_number = ? "  # noqa: S608
                "ORDER BY credited_minor",
                (order_number,),
            ).fetchall()
            return [self._invoice(row) for row in rows]

        return await self._run(fetch)

    async def get_credit_note(self, token: str) -> InvoiceRecord | None:
        def fetch(db: sqlite3.Connection) -> InvoiceRecord | None:
            row = db.execute(
                f"SELECT {self._CREDIT_COLUMNS} FROM credit_notes WHERE token = ?", (token,)  # noqa: S608
            ).fetchone()
            return self._invoice(row) if row else None

        return await self._run(fetch)

    async def get_invoice(self, *, order_number: str | None = None, token: str | None = None) -> InvoiceRecord | None:
        where, value = ("order_number", order_number) if order_number is not None else ("token", token)

        def fetch(db: sqlite3.Connection) -> InvoiceRecord | None:
            row = db.execute(
                f"SELECT {self._INVOICE_COLUMNS} FROM invoices WHERE {where} = ?",  # noqa: S608
                (value,),
            ).fetchone()
            return self._invoice(row) if row else None

        return await self._run(fetch)

    async def list_orders(
        self,
        *,
        customer_key: str | None = None,
        statuses: Iterable[OrderStatus] | None = None,
        search: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Order]:
        clauses, params = [], []
        if customer_key is not None:
            clauses.append("customer_key = ?")
            params.append(customer_key)
        if statuses is not None:
            values = [s.value for s in statuses]
            clauses.append(f"status IN ({','.join('?' * len(values))})")
            params.extend(values)
        if search:
            clauses.append("(number LIKE ? OR details LIKE ? OR customer_key LIKE ?)")
            params.extend([f"%{search}%"] * 3)
        if since is not None:
            clauses.append("created_at >= ?")
            params.append(_ts(since) or "")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        limit, offset = bounded_page(limit, offset)

        def fetch(db: sqlite3.Connection) -> list[Order]:
            rows = db.execute(
                f"SELECT {self._ORDER_COLUMNS} FROM orders {where} "  # noqa: S608
                "ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
            return [self._order(db, row) for row in rows]

        return await self._run(fetch)

    async def transition_order(
        self,
        number: str,
        new: OrderStatus,
        *,
        note: str = "",
        paid_amount: int | None = None,
        refunded_amount: int | None = None,
        revision: OrderRevision | None = None,
        owed: Owed | None = None,
    ) -> tuple[Order, OrderStatus]:
        moment = utcnow()
        now = _ts(moment)

        def move(db: sqlite3.Connection) -> tuple[Order, OrderStatus]:
            order = self._fetch_order(db, "number", number)
            if order is None:
                raise KeyError(number)
            old = order.status
            check_transition(number, old, new)
            if revision is not None:
                self._revise(db, order, revision)
            db.execute(
                "UPDATE orders SET status = ?, updated_at = ?, paid_minor = COALESCE(?, paid_minor), "
                "refunded_minor = COALESCE(?, refunded_minor) WHERE number = ?",
                (new.value, now, paid_amount, refunded_amount, number),
            )
            if releases_stock(old, new):
                db.executemany(
                    "UPDATE inventory SET stock = stock + ? WHERE product_id = ? AND stock IS NOT NULL",
                    [(line.quantity, line.product_id) for line in order.lines],
                )
                db.execute(
                    "UPDATE claims SET used = used - 1 WHERE used > 0 AND key IN "
                    "(SELECT key FROM order_claims WHERE number = ? AND released_at IS NULL)",
                    (number,),
                )
                db.execute("UPDATE order_claims SET released_at = ? WHERE number = ?", (now, number))
            db.execute(
                "INSERT INTO order_history (number, at, old, new, note) VALUES (?, ?, ?, ?, ?)",
                (number, now, old.value, new.value, note),
            )
            if owed is not None:
                _owe(db, owed, number, old, new, moment)
            moved = self._fetch_order(db, "number", number)
            assert moved is not None
            return moved, old

        return await self._write(move)

    @staticmethod
    def _revise(db: sqlite3.Connection, order: Order, revision: OrderRevision) -> None:
        revision.apply(order)
        db.execute(
            "UPDATE orders SET payment_method = ?, details = ?, total_minor = ?, payment_ref = ?, payment_url = ?, "
            "payment_expires_at = ? WHERE number = ?",
            (
                order.payment_method,
                order_details(order),
                order.total.minor,
                order.payment_ref,
                order.payment_url,
                _ts(order.payment_expires_at),
                order.number,
            ),
        )

    async def revise_order(self, number: str, revision: OrderRevision, *, expect: OrderStatus, note: str = "") -> Order:
        now = _ts(utcnow())

        def revise(db: sqlite3.Connection) -> Order:
            order = self._fetch_order(db, "number", number)
            if order is None:
                raise KeyError(number)
            if order.status != expect:
                raise IllegalTransition(number, order.status, expect)
            self._revise(db, order, revision)
            db.execute("UPDATE orders SET updated_at = ? WHERE number = ?", (now, number))
            db.execute(
                "INSERT INTO order_history (number, at, old, new, note) VALUES (?, ?, ?, ?, ?)",
                (number, now, expect.value, expect.value, note),
            )
            revised = self._fetch_order(db, "number", number)
            assert revised is not None
            return revised

        return await self._write(revise)

    async def record_amounts(
        self, number: str, *, paid_amount: int | None = None, refunded_amount: int | None = None, note: str = ""
    ) -> Order:
        now = _ts(utcnow())

        def update(db: sqlite3.Connection) -> Order:
            db.execute(
                "UPDATE orders SET paid_minor = COALESCE(?, paid_minor), refunded_minor = COALESCE(?, refunded_minor), "
                "updated_at = ? WHERE number = ?",
                (paid_amount, refunded_amount, now, number),
            )
            order = self._fetch_order(db, "number", number)
            if order is None:
                raise KeyError(number)
            db.execute(
                "INSERT INTO order_history (number, at, old, new, note) VALUES (?, ?, ?, ?, ?)",
                (number, now, order.status.value, order.status.value, note),
            )
            order.history.append({"at": now, "old": order.status.value, "new": order.status.value, "note": note})
            return order

        return await self._write(update)

    async def set_order_payment(
        self, number: str, *, ref: str | None, url: str | None, expires_at: datetime | None
    ) -> Order:
        def update(db: sqlite3.Connection) -> Order:
            db.execute(
                "UPDATE orders SET payment_ref = ?, payment_url = ?, payment_expires_at = ? WHERE number = ?",
                (ref, url, _ts(expires_at), number),
            )
            order = self._fetch_order(db, "number", number)
            if order is None:
                raise KeyError(number)
            return order

        return await self._write(update)

    async def expired_unpaid_orders(self, now: datetime, limit: int = 100) -> list[Order]:
        def fetch(db: sqlite3.Connection) -> list[Order]:
            rows = db.execute(
                f"SELECT {self._ORDER_COLUMNS} FROM orders WHERE status = 'pending_payment' "  # noqa: S608
                "AND payment_expires_at IS NOT NULL AND payment_expires_at <= ? ORDER BY payment_expires_at LIMIT ?",
                (_ts(now), limit),
            ).fetchall()
            return [self._order(db, row) for row in rows]

        return await self._run(fetch)

    async def event_seen(self, source: str, event_id: str) -> bool:
        def fetch(db: sqlite3.Connection) -> bool:
            query = "SELECT 1 FROM events WHERE source = ? AND event_id = ?"
            return db.execute(query, (source, event_id)).fetchone() is not None

        return await self._run(fetch)

    async def record_event(self, source: str, event_id: str) -> bool:
        now = _ts(utcnow())
        return await self._write(
            lambda db: (
                db.execute(
                    "INSERT INTO events (source, event_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (source, event_id, now),
                ).rowcount
                == 1
            )
        )

    # --- kv ----------------------------------------------------------------------------------
    async def kv_get(self, key: str, now: datetime) -> str | None:
        def fetch(db: sqlite3.Connection) -> str | None:
            row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", (key,)).fetchone()
            if row is None or (row[1] and row[1] <= _ts(now)):
                return None
            return str(row[0])

        return await self._run(fetch)

    async def kv_set(self, key: str, value: str, expires_at: datetime | None = None) -> None:
        await self._write(
            lambda db: db.execute(
                "INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
                (key, value, _ts(expires_at)),
            )
        )

    # --- scheduled jobs ----------------------------------------------------------------------
    async def schedule_job(
        self, kind: str, key: str, due_at: datetime, payload: str, *, customer_key: str | None, replace: bool
    ) -> bool:
        statement = _REPLACE_JOB if replace else _ADD_JOB
        values = (kind, key, _ts(due_at), payload, customer_key, _ts(utcnow()))
        return await self._write(lambda db: db.execute(statement, values).rowcount == 1)

    async def cancel_job(self, kind: str, key: str) -> bool:
        return await self._write(
            lambda db: (
                db.execute("DELETE FROM jobs WHERE kind = ? AND key = ? AND status = 'pending'", (kind, key)).rowcount
                == 1
            )
        )

    async def claim_due_jobs(self, now: datetime, owner: str, lease_seconds: float, limit: int) -> list[Job]:
        moment, until = _ts(now), _ts(now + timedelta(seconds=lease_seconds))

        def claim(db: sqlite3.Connection) -> list[Job]:
            rows = db.execute(
                "UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ? "
                "WHERE id IN (SELECT id FROM jobs WHERE status = 'pending' AND due_at <= ? "
                "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id LIMIT ?) "
                "RETURNING id, kind, key, due_at, payload, attempts, customer_key, status",
                (owner, until, moment, moment, moment, limit),
            ).fetchall()
            return sorted((_job(row) for row in rows), key=lambda job: (job.due_at, job.id))

        return await self._write(claim)

    async def extend_job_leases(self, job_ids: list[int], owner: str, until: datetime) -> None:
        marks = ", ".join("?" * len(job_ids))
        await self._write(
            lambda db: db.execute(
                f"UPDATE jobs SET lease_until = ? WHERE id IN ({marks}) AND lease_owner = ? AND status = 'pending'",  # noqa: S608 (only ?s)
                (_ts(until), *job_ids, owner),
            )
        )

    async def finish_job(self, job_id: int, owner: str) -> None:
        await self._release_job(job_id, owner, "done", None, None)

    async def retry_job(self, job_id: int, owner: str, due_at: datetime, error: str) -> None:
        await self._release_job(job_id, owner, None, due_at, error)

    async def bury_job(self, job_id: int, owner: str, error: str) -> None:
        await self._release_job(job_id, owner, "dead", None, error)

    async def _release_job(
        self, job_id: int, owner: str, status: str | None, due_at: datetime | None, error: str | None
    ) -> None:
        await self._write(
            lambda db: db.execute(
                "UPDATE jobs SET status = COALESCE(?, status), due_at = COALESCE(?, due_at), "
                "last_error = COALESCE(?, last_error), lease_owner = NULL, lease_until = NULL, updated_at = ? "
                "WHERE id = ? AND lease_owner = ?",
                (status, _ts(due_at), error, _ts(utcnow()), job_id, owner),
            )
        )

    async def get_job(self, kind: str, key: str) -> Job | None:
        row = await self._run(
            lambda db: db.execute(
                "SELECT id, kind, key, due_at, payload, attempts, customer_key, status, lease_until FROM jobs "
                "WHERE kind = ? AND key = ?",
                (kind, key),
            ).fetchone()
        )
        return None if row is None else _job(row)

    # --- reminders and stock alerts ----------------------------------------------------------
    async def add_stock_alert(self, product_id: str, customer_key: str, at: datetime) -> bool:
        return await self._write(
            lambda db: (
                db.execute(
                    "INSERT INTO stock_alerts (product_id, customer_key, created_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (product_id, customer_key, _ts(at)),
                ).rowcount
                == 1
            )
        )

    async def stock_alerts(self, limit: int = 1000) -> list[tuple[str, str]]:
        def fetch(db: sqlite3.Connection) -> list[tuple[str, str]]:
            rows = db.execute("SELECT product_id, customer_key FROM stock_alerts ORDER BY created_at LIMIT ?", (limit,))
            return [(row[0], row[1]) for row in rows]

        return await self._run(fetch)

    async def has_stock_alerts(self) -> bool:
        return await self._run(lambda db: db.execute("SELECT 1 FROM stock_alerts LIMIT 1").fetchone() is not None)

    async def take_stock_alert(self, product_id: str, customer_key: str) -> bool:
        return await self._write(
            lambda db: (
                db.execute(
                    "DELETE FROM stock_alerts WHERE product_id = ? AND customer_key = ?", (product_id, customer_key)
                ).rowcount
                == 1
            )
        )

    async def add_reminder(self, kind: str, customer_key: str, subject: str, at: datetime) -> bool:
        return await self._write(
            lambda db: (
                db.execute(
                    "INSERT INTO reminders (kind, customer_key, subject, sent_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (kind, customer_key, subject, _ts(at)),
                ).rowcount
                == 1
            )
        )

    async def reminders_since(self, kind: str, since: datetime) -> list[tuple[str, datetime]]:
        def fetch(db: sqlite3.Connection) -> list[tuple[str, datetime]]:
            rows = db.execute(
                "SELECT customer_key, sent_at FROM reminders WHERE kind = ? AND sent_at >= ? ORDER BY sent_at",
                (kind, _ts(since)),
            )
            return [(row[0], datetime.fromisoformat(row[1])) for row in rows]

        return await self._run(fetch)

    async def purge(self, now: datetime, handled_before: datetime) -> int:
        moment, cutoff = _ts(now), _ts(handled_before)

        def purge(db: sqlite3.Connection) -> int:
            return sum(
                db.execute(statement, (value,)).rowcount
                for statement, value in (
                    ("DELETE FROM kv WHERE expires_at <= ?", moment),
                    ("DELETE FROM inbox WHERE handled_at < ?", cutoff),
                    ("DELETE FROM outbox WHERE status <> 'pending' AND created_at < ?", cutoff),
                    ("DELETE FROM events WHERE at < ?", cutoff),
                    ("DELETE FROM jobs WHERE status <> 'pending' AND updated_at < ?", cutoff),
                    ("DELETE FROM reminders WHERE sent_at < ?", _ts(now - REMINDERS_KEPT)),
                )
            ) + self._forget_idle_conversations(db, cutoff)

        deleted = await self._write(purge)
        await self._drop_old_pages()
        return deleted

    async def _drop_old_pages(self) -> None:
        """Empty the write-ahead log, which still holds the pages as they were before the delete.

        A reader (``chatshop orders`` in another process) can keep the log from being emptied; the
        next purge tries again.
        """
        await self._run(lambda db: db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())

    @staticmethod
    def _forget_idle_conversations(db: sqlite3.Connection, cutoff: str | None) -> int:
        """Idle conversations lose what :func:`forget_idle` drops; the number of rows deleted or changed.

        Only rows that hold something to drop are read. The version moves on, so a turn that read the
        state before (an in-memory peek) fails its version check and reads it again.
        """
        rows = db.execute(
            "SELECT customer_key, state FROM conversations c "
            "WHERE COALESCE(updated_at, last_inbound_at) < ?1 AND (last_inbound_at IS NULL OR last_inbound_at < ?1) "
            "AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.customer_key = c.customer_key AND i.handled_at IS NULL) "
            "AND (COALESCE(json_array_length(state, '$.cart.lines'), 0) = 0 OR json_extract(state, '$.checkout') "
            "IS NOT NULL OR json_extract(state, '$.name') IS NOT NULL OR json_extract(state, '$.query') IS NOT NULL)",
            (cutoff,),
        ).fetchall()
        changed = 0
        for row in rows:
            kept = forget_idle(loads(row["state"]))
            if kept is None:
                db.execute("DELETE FROM conversations WHERE customer_key = ?", (row["customer_key"],))
            else:
                db.execute(
                    "UPDATE conversations SET state = ?, version = version + 1 WHERE customer_key = ?",
                    (dumps(kept), row["customer_key"]),
                )
            changed += 1
        return changed

    async def forget_customer(self, customer_key: str) -> int:
        channel, _, customer_id = customer_key.partition(":")
        suffix, quoted = f":{customer_id}", dumps(customer_id)

        def forget(db: sqlite3.Connection) -> int:
            return sum(
                db.execute(statement, params).rowcount
                for statement, params in (
                    ("DELETE FROM conversations WHERE customer_key = ?", (customer_key,)),
                    ("DELETE FROM jobs WHERE customer_key = ?", (customer_key,)),
                    ("DELETE FROM inbox WHERE customer_key = ?", (customer_key,)),
                    ("DELETE FROM outbox WHERE customer_key = ?", (customer_key,)),
                    ("UPDATE audit SET subject = 'forgotten' WHERE subject = ?", (customer_key,)),
                    ("DELETE FROM stock_alerts WHERE customer_key = ?", (customer_key,)),
                    ("DELETE FROM reminders WHERE customer_key = ?", (customer_key,)),
                    (
                        "DELETE FROM kv WHERE key LIKE ? ESCAPE '\\' AND (substr(key, -?) = ? OR instr(value, ?) > 0)",
                        (_like_prefix(channel), len(suffix), suffix, quoted),
                    ),
                )
            )

        self._peeks.pop(customer_key, None)
        try:
            deleted = await self._write(forget)
        finally:
            self._peeks.pop(customer_key, None)
        await self._drop_old_pages()
        return deleted

    async def export_customer(self, customer_key: str) -> dict[str, Any]:
        channel, _, customer_id = customer_key.partition(":")
        suffix, quoted = f":{customer_id}", dumps(customer_id)

        def read(db: sqlite3.Connection) -> dict[str, Any]:
            conversation = db.execute(
                "SELECT state, version, last_inbound_at, updated_at FROM conversations WHERE customer_key = ?",
                (customer_key,),
            ).fetchone()
            received = db.execute(
                "SELECT message_id, payload, received_at, handled_at FROM inbox WHERE customer_key = ? ORDER BY id",
                (customer_key,),
            ).fetchall()
            sent = db.execute(
                "SELECT payload, status, provider_message_id, created_at, sent_at FROM outbox "
                "WHERE customer_key = ? ORDER BY id",
                (customer_key,),
            ).fetchall()
            jobs = db.execute(
                "SELECT kind, key, due_at, payload, status FROM jobs WHERE customer_key = ? ORDER BY id",
                (customer_key,),
            ).fetchall()
            values = db.execute(
                "SELECT key, value, expires_at FROM kv WHERE key LIKE ? ESCAPE '\\' "
                "AND (substr(key, -?) = ? OR instr(value, ?) > 0) ORDER BY key",
                (_like_prefix(channel), len(suffix), suffix, quoted),
            ).fetchall()
            return {
                "conversation": None
                if conversation is None
                else {
                    "state": loads(conversation[0]),
                    "version": conversation[1],
                    "last_message_at": conversation[2],
                    "updated_at": conversation[3],
                },
                "received": [
                    {"message_id": r[0], "message": loads(r[1]), "received_at": r[2], "handled_at": r[3]}
                    for r in received
                ],
                "sent": [
                    {
                        "message": loads(r[0]),
                        "status": r[1],
                        "messenger_id": r[2],
                        "queued_at": r[3],
                        "sent_at": r[4],
                    }
                    for r in sent
                ],
                "jobs": [
                    {"kind": r[0], "key": r[1], "due_at": r[2], "payload": loads(r[3]), "status": r[4]}
                    for r in jobs
                ],
                "values": [{"key": r[0], "value": r[1], "expires_at": r[2]} for r in values],
            }

        return await self._run(read)

    async def anonymise_orders(self, placed_before: datetime) -> int:
        def strip(db: sqlite3.Connection) -> int:
            rows = db.execute(
                "SELECT number, customer_key, details FROM orders WHERE created_at < ? AND customer_key NOT LIKE ?",
                (_ts(placed_before), f"%:{ANONYMISED}"),
            ).fetchall()
            for number, customer_key, details in rows:
                channel = customer_key.partition(":")[0]
                db.execute(
                    "UPDATE orders SET customer_key = ?, details = ?, payment_url = NULL WHERE number = ?",
                    (f"{channel}:{ANONYMISED}", dumps(anonymised_details(loads(details))), number),
                )
            return len(rows)

        return await self._write(strip)

    # --- numbers -----------------------------------------------------------------------------
    async def abandoned_carts(self, idle_before: datetime, since: datetime | None = None) -> int:
        def count(db: sqlite3.Connection) -> int:
            row = db.execute(
                "SELECT COUNT(*) FROM conversations WHERE updated_at < ? AND updated_at >= ? "
                "AND COALESCE(json_array_length(state, '$.cart.lines'), 0) > 0",
                (_ts(idle_before), _ts(since) or ""),
            ).fetchone()
            return int(row[0])

        return await self._run(count)

    # --- fused steps: the message and the conversation in one hop to the store's thread ----------
    @staticmethod
    def _next_with_conversation(
        db: sqlite3.Connection, customer_key: str
    ) -> tuple[InboxItem | None, ConversationRecord | None]:
        row = db.execute(
            "SELECT id, payload FROM inbox WHERE customer_key = ? AND handled_at IS NULL ORDER BY id LIMIT 1",
            (customer_key,),
        ).fetchone()
        if row is None:
            return None, None
        return InboxItem(row["id"], inbound_from_text(row["payload"])), SQLiteStore._conversation(db, customer_key)

    @staticmethod
    def _conversation(db: sqlite3.Connection, customer_key: str) -> ConversationRecord:
        conv = db.execute(
            "SELECT state, version, last_inbound_at FROM conversations WHERE customer_key = ?", (customer_key,)
        ).fetchone()
        if conv is None:
            return ConversationRecord(customer_key, {}, 0)
        return _record(customer_key, conv)

    async def claim_inbound(
        self, customer_key: str, lease: str, owner: str, seconds: float
    ) -> tuple[bool, InboxItem | None, ConversationRecord | None]:
        if not self._leases.acquire(lease, owner, seconds):
            return False, None, None
        peek = self._peeks.pop(customer_key, None)
        if peek is not None:
            return (True, *peek)
        return (True, *await self._run(lambda db: self._next_with_conversation(db, customer_key)))

    async def next_inbound_or_release(
        self, customer_key: str, lease: str, owner: str
    ) -> tuple[InboxItem | None, ConversationRecord | None, bool]:
        item, record = await self._run(lambda db: self._next_with_conversation(db, customer_key))
        if item is None:
            return None, None, self._leases.release(lease, owner)
        return item, record, False

    async def commit_turn_then_next(
        self,
        customer_key: str,
        inbox_id: int,
        state: dict[str, Any],
        expected_version: int,
        outbound: Sequence[Outbound],
        lease: str,
        owner: str,
    ) -> tuple[InboxItem | None, ConversationRecord | None, bool]:
        commit = self._committer(customer_key, inbox_id, state, expected_version, outbound)

        def commit_then_next(db: sqlite3.Connection) -> tuple[InboxItem | None, ConversationRecord | None]:
            commit(db)
            # Inside the same transaction, and returned only once it committed.
            return self._next_with_conversation(db, customer_key)

        try:
            item, record = await self._write(commit_then_next)
        finally:
            self._peeks.pop(customer_key, None)
        if item is None:
            return None, None, self._leases.release(lease, owner)
        return item, record, False

    async def finish_turn(
        self,
        customer_key: str,
        inbox_id: int,
        state: dict[str, Any],
        expected_version: int,
        outbound: Sequence[Outbound],
        lease: str,
        owner: str,
        send_lease: str,
        send_owner: str,
        seconds: float,
    ) -> FinishedTurn:
        # The send lease is taken before the commit, so while the due replies are read inside it no
        # other sender can be between sending one and recording it; one hop instead of two.
        held = self._leases.acquire(send_lease, send_owner, seconds)
        commit = self._committer(customer_key, inbox_id, state, expected_version, outbound)
        moment = _ts(utcnow())

        def commit_then_next(db: sqlite3.Connection) -> tuple[_Next, list[OutboxItem]]:
            written = commit(db)
            following = self._next_with_conversation(db, customer_key)
            return following, self._due_outbox(db, customer_key, moment, written) if held else []

        try:
            (item, record), sends = await self._write(commit_then_next)
        except BaseException:
            if held:
                self._leases.release(send_lease, send_owner)
            raise
        finally:
            self._peeks.pop(customer_key, None)
        wanted = self._leases.release(lease, owner) if item is None else False
        if held and not sends:
            return FinishedTurn(item, record, wanted, None, self._leases.release(send_lease, send_owner))
        return FinishedTurn(item, record, wanted, sends if held else None)

    async def sent_then_pending_or_release(
        self,
        outbox_id: int,
        provider_message_id: str | None,
        customer_key: str,
        lease: str,
        owner: str,
        now: datetime,
        count: SentCount | None = None,
    ) -> tuple[list[OutboxItem], bool]:
        sent_at, moment = _ts(utcnow()), _ts(now)

        def sent_then_due(db: sqlite3.Connection) -> list[OutboxItem]:
            self._mark_sent(db, outbox_id, provider_message_id, sent_at, count)
            return self._due_outbox(db, customer_key, moment)

        items = await self._write(sent_then_due)
        if not items:
            return [], self._leases.release(lease, owner)
        return items, False

    # --- operations --------------------------------------------------------------------------
    async def queue_depths(self, now: datetime) -> QueueDepths:
        def count(db: sqlite3.Connection) -> QueueDepths:
            inbox = db.execute("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL").fetchone()[0]
            outbox, oldest = db.execute(
                "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'"
            ).fetchone()
            age = (now - _dt(oldest)).total_seconds() if oldest else 0.0  # type: ignore[operator]
            return QueueDepths(int(inbox), int(outbox), max(age, 0.0))

        return await self._run(count)

    async def reserve_sends(
        self, name: str, interval: float, horizon: float, wanted: int, observed: int = 0, slack: float = 0.0
    ) -> tuple[float, int]:
        return self._budgets.reserve(name, interval, horizon, wanted, observed, slack)

    # --- leases ------------------------------------------------------------------------------
    async def acquire_lease(self, name: str, owner: str, seconds: float) -> bool:
        return self._leases.acquire(name, owner, seconds)

    async def release_lease(self, name: str, owner: str) -> bool:
        return self._leases.release(name, owner)
