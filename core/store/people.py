"""What the store keeps about the shop's people: staff accounts, the audit log, hand-overs and
transcripts.

A transcript costs nothing of its own on the message path: it is read from the inbox (what the
customer sent, and what the shop did through it) and the outbox (what the customer was sent, with
the staff member who wrote it), which already follow ``[storage] retention_days`` and
``chatshop forget``. The conversations waiting for a person are those whose saved state has a
``handover_since``, which every turn's commit copies to a column of its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chatshop.messages import Inbound, Outbound

__all__ = ["AuditEntry", "PeopleStore", "StaffAccount", "TranscriptEntry", "Waiting"]


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A person who logs in to the dashboard. ``session_key`` changes with the password, so a
    removed or re-created account's old sessions end."""

    name: str
    role: str
    password_hash: str
    session_key: str
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One message of a conversation: ``in`` from the inbox, ``out`` from the outbox."""

    source: Literal["in", "out"]
    id: int
    at: datetime
    inbound: Inbound | None = None
    outbound: Outbound | None = None
    #: Who wrote an outbound message (a staff member; None: the shop's assistant).
    author: str | None = None
    #: An outbound message's delivery: pending, sent, delivered, read, failed.
    status: str | None = None

    @property
    def key(self) -> str:
        return f"{self.source}-{self.id}"


@dataclass(frozen=True, slots=True)
class Waiting:
    """A conversation a person has (the bot is silent), for the team inbox."""

    customer_key: str
    since: datetime
    assigned_to: str | None
    assigned_at: datetime | None
    name: str | None
    last_inbound_at: datetime | None


class PeopleStore(ABC):
    """The part of :class:`chatshop.store.base.Store` about staff, audit, hand-overs and transcripts."""

    # --- staff ------------------------------------------------------------------------------
    @abstractmethod
    async def add_staff(self, account: StaffAccount) -> bool:
        """Create the account; False (nothing changed) when the name is taken."""

    @abstractmethod
    async def set_staff_password(self, name: str, password_hash: str, session_key: str) -> bool:
        """A new password (and session key: every session of the account ends); False if unknown."""

    @abstractmethod
    async def remove_staff(self, name: str) -> bool:
        """Delete the account (its sessions end); False if there was none."""

    @abstractmethod
    async def get_staff(self, name: str) -> StaffAccount | None: ...

    @abstractmethod
    async def list_staff(self) -> list[StaffAccount]:
        """Every account, by name."""

    # --- audit ------------------------------------------------------------------------------
    @abstractmethod
    async def record_audit(self, actor: str, action: str, subject: str = "", detail: str = "") -> AuditEntry: ...

    @abstractmethod
    async def audit_log(self, *, limit: int = 100, offset: int = 0, subject: str | None = None) -> list[AuditEntry]:
        """Newest first; ``subject`` only the entries about it (an order number, a customer)."""

    # --- hand-overs -----------------------------------------------------------------------------
    @abstractmethod
    async def waiting_conversations(self, limit: int = 200) -> list[Waiting]:
        """Conversations a person has, the longest waiting first."""

    @abstractmethod
    async def waiting_conversation(self, customer_key: str) -> Waiting | None:
        """The customer's conversation if a person has it (who, since when), however many wait."""

    @abstractmethod
    async def assign(self, customer_key: str, staff: str, at: datetime, *, force: bool = False) -> str | None:
        """Give the conversation to ``staff`` unless someone has it (``force``: take it from them);
        who has it afterwards (None: the customer has no conversation). Atomic: of two staff taking
        one conversation at once, one gets it and both are told who."""

    @abstractmethod
    async def unassign(self, customer_key: str, staff: str) -> bool:
        """``staff`` lets the conversation go (it stays waiting); False if they did not have it."""

    # --- transcripts ----------------------------------------------------------------------------
    @abstractmethod
    async def transcript(self, customer_key: str, limit: int = 200) -> list[TranscriptEntry]:
        """The newest ``limit`` messages both ways, oldest first (ties: what came in before what went out)."""


def newest_first(entries: list[TranscriptEntry], limit: int) -> list[TranscriptEntry]:
    """The newest ``limit`` of inbox and outbox entries together, oldest first."""
    entries.sort(key=lambda e: (e.at, e.source != "in", e.id))
    return entries[-limit:] if limit > 0 else []
