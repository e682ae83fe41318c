"""The PostgreSQL store's staff accounts, audit log, hand-overs and transcripts (see :mod:`.people`)."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime

import asyncpg

from chatshop.store.codec import inbound_from_text, outbound_from_text, utcnow
from chatshop.store.people import AuditEntry, PeopleStore, StaffAccount, TranscriptEntry, Waiting, newest_first

__all__ = ["PostgresPeople"]


def _staff(row: asyncpg.Record) -> StaffAccount:
    return StaffAccount(row["name"], row["role"], row["password_hash"], row["session_key"], row["created_at"])


def _audit(row: asyncpg.Record) -> AuditEntry:
    return AuditEntry(row["id"], row["at"], row["actor"], row["action"], row["subject"], row["detail"])


class PostgresPeople(PeopleStore):
    @property
    @abstractmethod
    def pool(self) -> asyncpg.Pool: ...

    # --- staff ------------------------------------------------------------------------------
    async def add_staff(self, account: StaffAccount) -> bool:
        status = await self.pool.execute(
            "INSERT INTO staff (name, role, password_hash, session_key, created_at) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (name) DO NOTHING",
            account.name,
            account.role,
            account.password_hash,
            account.session_key,
            account.created_at or utcnow(),
        )
        return bool(status.endswith(" 1"))

    async def set_staff_password(self, name: str, password_hash: str, session_key: str) -> bool:
        status = await self.pool.execute(
            "UPDATE staff SET password_hash = $2, session_key = $3 WHERE name = $1", name, password_hash, session_key
        )
        return bool(status == "UPDATE 1")

    async def remove_staff(self, name: str) -> bool:
        return bool(await self.pool.execute("DELETE FROM staff WHERE name = $1", name) == "DELETE 1")

    async def get_staff(self, name: str) -> StaffAccount | None:
        row = await self.pool.fetchrow("SELECT * FROM staff WHERE name = $1", name)
        return _staff(row) if row else None

    async def list_staff(self) -> list[StaffAccount]:
        return [_staff(r) for r in await self.pool.fetch("SELECT * FROM staff ORDER BY name")]

    # --- audit ------------------------------------------------------------------------------
    async def record_audit(self, actor: str, action: str, subject: str = "", detail: str = "") -> AuditEntry:
        at = utcnow()
        entry_id = await self.pool.fetchval(
            "INSERT INTO audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            at,
            actor,
            action,
            subject,
            detail,
        )
        return AuditEntry(int(entry_id), at, actor, action, subject, detail)

    async def audit_log(self, *, limit: int = 100, offset: int = 0, subject: str | None = None) -> list[AuditEntry]:
        rows = await self.pool.fetch(
            "SELECT * FROM audit WHERE ($3::text IS NULL OR subject = $3) ORDER BY id DESC LIMIT $1 OFFSET $2",
            max(min(limit, 10_000), 0),
            max(min(offset, 2**62), 0),
            subject,
        )
        return [_audit(r) for r in rows]

    # --- hand-overs -------------------------------------------------------------------------
    async def waiting_conversations(self, limit: int = 200) -> list[Waiting]:
        rows = await self.pool.fetch(
            f"{_WAITING} WHERE handover_since IS NOT NULL ORDER BY handover_since, customer_key LIMIT $1",
            max(min(limit, 10_000), 0),
        )
        return [_waiting(r) for r in rows]

    async def waiting_conversation(self, customer_key: str) -> Waiting | None:
        where = "WHERE customer_key = $1 AND handover_since IS NOT NULL"
        row = await self.pool.fetchrow(f"{_WAITING} {where}", customer_key)
        return _waiting(row) if row is not None else None

    async def assign(self, customer_key: str, staff: str, at: datetime, *, force: bool = False) -> str | None:
        # The row lock orders two staff taking one conversation at once: the second reads the row as
        # the first left it (FOR UPDATE reads the newest version), finds it taken, and is told by whom.
        async with self.pool.acquire() as db, db.transaction():
            holder = await db.fetchrow(
                "SELECT assigned_to FROM conversations WHERE customer_key = $1 FOR UPDATE", customer_key
            )
            if holder is None:
                return None
            if holder[0] is not None and not force:
                return str(holder[0])
            await db.execute(
                "UPDATE conversations SET assigned_to = $2, assigned_at = $3 WHERE customer_key = $1",
                customer_key,
                staff,
                at,
            )
            return staff

    async def unassign(self, customer_key: str, staff: str) -> bool:
        status = await self.pool.execute(
            "UPDATE conversations SET assigned_to = NULL, assigned_at = NULL "
            "WHERE customer_key = $1 AND assigned_to = $2",
            customer_key,
            staff,
        )
        return bool(status == "UPDATE 1")

    # --- transcripts ------------------------------------------------------------------------
    async def transcript(self, customer_key: str, limit: int = 200) -> list[TranscriptEntry]:
        limit = max(min(limit, 10_000), 0)
        async with self.pool.acquire() as db, db.transaction(isolation="repeatable_read", readonly=True):
            inbox = await db.fetch(
                "SELECT id, payload, received_at FROM inbox WHERE customer_key = $1 ORDER BY id DESC LIMIT $2",
                customer_key,
                limit,
            )
            outbox = await db.fetch(
                "SELECT id, payload, created_at, author, status FROM outbox "
                "WHERE customer_key = $1 ORDER BY id DESC LIMIT $2",
                customer_key,
                limit,
            )
        entries = [
            TranscriptEntry("in", r["id"], r["received_at"], inbound=inbound_from_text(r["payload"])) for r in inbox
        ]
        entries += [
            TranscriptEntry(
                "out",
                r["id"],
                r["created_at"],
                outbound=outbound_from_text(r["payload"]),
                author=r["author"],
                status=r["status"],
            )
            for r in outbox
        ]
        return newest_first(entries, limit)


_WAITING = (
    "SELECT customer_key, handover_since, assigned_to, assigned_at, last_inbound_at, "
    "state::jsonb ->> 'name' AS name FROM conversations"
)


def _waiting(r: asyncpg.Record) -> Waiting:
    return Waiting(
        customer_key=r["customer_key"],
        since=r["handover_since"],
        assigned_to=r["assigned_to"],
        assigned_at=r["assigned_at"],
        name=r["name"],
        last_inbound_at=r["last_inbound_at"],
    )
