"""The SQLite store's staff accounts, audit log, hand-overs and transcripts (see :mod:`.people`)."""

from __future__ import annotations

import sqlite3
from abc import abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from chatshop.store.codec import inbound_from_text, outbound_from_text, utcnow
from chatshop.store.people import AuditEntry, PeopleStore, StaffAccount, TranscriptEntry, Waiting, newest_first
from chatshop.store.sqlite_time import parse as _dt
from chatshop.store.sqlite_time import stamp

__all__ = ["SQLitePeople"]

T = TypeVar("T")


def _ts(value: datetime) -> str:
    text = stamp(value)
    assert text is not None
    return text


def _staff(row: sqlite3.Row) -> StaffAccount:
    return StaffAccount(row["name"], row["role"], row["password_hash"], row["session_key"], _dt(row["created_at"]))


def _audit(row: sqlite3.Row) -> AuditEntry:
    at = _dt(row["at"])
    assert at is not None
    return AuditEntry(row["id"], at, row["actor"], row["action"], row["subject"], row["detail"])


class SQLitePeople(PeopleStore):
    @abstractmethod
    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T: ...

    @abstractmethod
    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T: ...

    # --- staff ------------------------------------------------------------------------------
    async def add_staff(self, account: StaffAccount) -> bool:
        created = _ts(account.created_at or utcnow())

        def add(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "INSERT INTO staff (name, role, password_hash, session_key, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (account.name, account.role, account.password_hash, account.session_key, created),
            )
            return cur.rowcount == 1

        return await self._write(add)

    async def set_staff_password(self, name: str, password_hash: str, session_key: str) -> bool:
        def update(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "UPDATE staff SET password_hash = ?, session_key = ? WHERE name = ?", (password_hash, session_key, name)
            )
            return cur.rowcount == 1

        return await self._write(update)

    async def remove_staff(self, name: str) -> bool:
        return await self._write(lambda db: db.execute("DELETE FROM staff WHERE name = ?", (name,)).rowcount == 1)

    async def get_staff(self, name: str) -> StaffAccount | None:
        def fetch(db: sqlite3.Connection) -> StaffAccount | None:
            row = db.execute("SELECT * FROM staff WHERE name = ?", (name,)).fetchone()
            return _staff(row) if row else None

        return await self._run(fetch)

    async def list_staff(self) -> list[StaffAccount]:
        return await self._run(lambda db: [_staff(r) for r in db.execute("SELECT * FROM staff ORDER BY name")])

    # --- audit ------------------------------------------------------------------------------
    async def record_audit(self, actor: str, action: str, subject: str = "", detail: str = "") -> AuditEntry:
        at = utcnow()

        def add(db: sqlite3.Connection) -> AuditEntry:
            cur = db.execute(
                "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                (_ts(at), actor, action, subject, detail),
            )
            assert cur.lastrowid is not None
            return AuditEntry(cur.lastrowid, at, actor, action, subject, detail)

        return await self._write(add)

    async def audit_log(self, *, limit: int = 100, offset: int = 0, subject: str | None = None) -> list[AuditEntry]:
        limit, offset = max(min(limit, 10_000), 0), max(min(offset, 2**62), 0)

        def fetch(db: sqlite3.Connection) -> list[AuditEntry]:
            if subject is None:
                rows = db.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset))
            else:
                rows = db.execute(
                    "SELECT * FROM audit WHERE subject = ? ORDER BY id DESC LIMIT ? OFFSET ?", (subject, limit, offset)
                )
            return [_audit(r) for r in rows]

        return await self._run(fetch)

    # --- hand-overs -------------------------------------------------------------------------
    async def waiting_conversations(self, limit: int = 200) -> list[Waiting]:
        def fetch(db: sqlite3.Connection) -> list[Waiting]:
            rows = db.execute(
                f"{_WAITING} WHERE handover_since IS NOT NULL ORDER BY handover_since, customer_key LIMIT ?",
                (max(limit, 0),),
            )
            return [_waiting(r) for r in rows]

        return await self._run(fetch)

    async def waiting_conversation(self, customer_key: str) -> Waiting | None:
        def fetch(db: sqlite3.Connection) -> Waiting | None:
            row = db.execute(
                f"{_WAITING} WHERE customer_key = ? AND handover_since IS NOT NULL", (customer_key,)
            ).fetchone()
            return _waiting(row) if row is not None else None

        return await self._run(fetch)

    async def assign(self, customer_key: str, staff: str, at: datetime, *, force: bool = False) -> str | None:
        def take(db: sqlite3.Connection) -> str | None:
            db.execute(
                "UPDATE conversations SET assigned_to = ?, assigned_at = ? "
                "WHERE customer_key = ? AND (assigned_to IS NULL OR ?)",
                (staff, _ts(at), customer_key, force),
            )
            row = db.execute("SELECT assigned_to FROM conversations WHERE customer_key = ?", (customer_key,)).fetchone()
            return str(row[0]) if row and row[0] is not None else None

        return await self._write(take)

    async def unassign(self, customer_key: str, staff: str) -> bool:
        def let_go(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "UPDATE conversations SET assigned_to = NULL, assigned_at = NULL "
                "WHERE customer_key = ? AND assigned_to = ?",
                (customer_key, staff),
            )
            return cur.rowcount == 1

        return await self._write(let_go)

    # --- transcripts ------------------------------------------------------------------------
    async def transcript(self, customer_key: str, limit: int = 200) -> list[TranscriptEntry]:
        limit = max(min(limit, 10_000), 0)

        def fetch(db: sqlite3.Connection) -> list[tuple[str, Any]]:
            inbox = db.execute(
                "SELECT id, payload, received_at AS at FROM inbox WHERE customer_key = ? ORDER BY id DESC LIMIT ?",
                (customer_key, limit),
            ).fetchall()
            outbox = db.execute(
                "SELECT id, payload, created_at AS at, author, status FROM outbox "
                "WHERE customer_key = ? ORDER BY id DESC LIMIT ?",
                (customer_key, limit),
            ).fetchall()
            return [("in", r) for r in inbox] + [("out", r) for r in outbox]

        entries = []
        for source, row in await self._run(fetch):
            at = datetime.fromisoformat(row["at"])
            if source == "in":
                entries.append(TranscriptEntry("in", row["id"], at, inbound=inbound_from_text(row["payload"])))
            else:
                entries.append(
                    TranscriptEntry(
                        "out",
                        row["id"],
                        at,
                        outbound=outbound_from_text(row["payload"]),
                        author=row["author"],
                        status=row["status"],
                    )
                )
        return newest_first(entries, limit)


_WAITING = (
    "SELECT customer_key, handover_since, assigned_to, assigned_at, last_inbound_at, "
    "json_extract(state, '$.name') AS name FROM conversations"
)


def _waiting(r: sqlite3.Row) -> Waiting:
    return Waiting(
        customer_key=r["customer_key"],
        since=datetime.fromisoformat(r["handover_since"]),
        assigned_to=r["assigned_to"],
        assigned_at=_dt(r["assigned_at"]),
        name=r["name"] if isinstance(r["name"], str) else None,
        last_inbound_at=_dt(r["last_inbound_at"]),
    )
