"""The shared store: PostgreSQL through an asyncpg pool, for several workers and machines.

Every method is one transaction on one pooled connection. Concurrency is left to the database:
row locks and conditional updates (``stock >= wanted``, ``version = expected``) decide races, unique
keys deduplicate, and leases live in a table whose clock is the server's, so workers on machines
with drifting clocks still agree on when a lease lapsed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from types import EllipsisType
from typing import Any, Literal, TypeVar

import asyncpg

from chatshop.catalog import Product
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
    StoreStats,
    TurnClaim,
    anonymised_details,
    bounded_page,
)
from chatshop.store.batches import Batches
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
from chatshop.store.migrations import POSTGRES_MIGRATIONS, refuse_newer
from chatshop.store.postgres_notices import Notices
from chatshop.store.postgres_people import PostgresPeople
from chatshop.store.stock_cache import StockCache

__all__ = ["PostgresStore"]

#: Key of the advisory lock that keeps two workers starting at once from migrating together.
_MIGRATION_LOCK = 0x63_68_61_74  # "chat"

#: What chatshop_place_order raises when a line's stock or a claim's limit is not there (migration 4).
_OUT_OF_STOCK = "CS001"
_LIMIT_REACHED = "CS002"

_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}

_ORDER_COLUMNS = (
    "number, customer_key, status, currency, payment_method, placement_key, details, "
    "created_at, paid_minor, refunded_minor, payment_ref, payment_url, payment_expires_at"
)

# Take the lease when it is free, ours, or lapsed; otherwise leave it and note that it was wanted.
_ACQUIRE = """
INSERT INTO leases AS l (name, owner, expires_at)
VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))
ON CONFLICT (name) DO UPDATE SET
    owner = CASE WHEN l.owner = $2 OR l.expires_at <= clock_timestamp()
                 THEN $2 ELSE l.owner END,
    expires_at = CASE WHEN l.owner = $2 OR l.expires_at <= clock_timestamp()
                      THEN excluded.expires_at ELSE l.expires_at END,
    wanted = CASE WHEN l.owner = $2 THEN l.wanted
                  ELSE l.expires_at > clock_timestamp() END,
    taken_over = l.owner <> $2 AND l.expires_at <= clock_timestamp()
RETURNING l.owner = $2 AS held, l.taken_over
"""


# Each of these is one statement, so one round trip and atomic without BEGIN/COMMIT.
_ADD_INBOUND = """
WITH added AS (
    INSERT INTO inbox (channel, message_id, customer_key, payload, received_at)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel, message_id) DO NOTHING
    RETURNING customer_key
), seen AS (
    INSERT INTO conversations (customer_key, state, version, last_inbound_at)
    SELECT customer_key, '{}', 0, CASE WHEN $6 THEN $5 END FROM added
    ON CONFLICT (customer_key) DO UPDATE
    SET last_inbound_at = COALESCE(excluded.last_inbound_at, conversations.last_inbound_at)
)
SELECT EXISTS (SELECT 1 FROM added)
"""

# Save the state if the version is still the one the turn read, and only then mark the message
# handled, make held replies due (the customer wrote again) and queue the new replies in order.
_TURN_WRITES = """
WITH moved AS (
    UPDATE conversations SET state = $2, version = version + 1, updated_at = $3, handover_since = $7,
        assigned_to = CASE WHEN $7::timestamptz IS NULL AND handover_since IS NOT NULL THEN NULL ELSE assigned_to END
    WHERE customer_key = $1 AND version = $4
    RETURNING 1
), created AS (
    INSERT INTO conversations (customer_key, state, version, updated_at, handover_since)
    SELECT $1, $2, 1, $3, $7 WHERE $4 = 0 AND NOT EXISTS (SELECT 1 FROM moved)
    ON CONFLICT (customer_key) DO NOTHING
    RETURNING 1
), committed AS (
    SELECT 1 FROM moved UNION ALL SELECT 1 FROM created
), handled AS (
    UPDATE inbox SET handled_at = $3 WHERE id = $5 AND EXISTS (SELECT 1 FROM committed)
), released AS (
    UPDATE outbox SET next_attempt_at = NULL
    WHERE customer_key = $1 AND status = 'pending' AND next_attempt_at IS NOT NULL
    AND $5::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM committed)
), queued AS (
    INSERT INTO outbox (customer_key, payload, created_at)
    SELECT $1, m.payload, $3 FROM unnest($6::text[]) WITH ORDINALITY AS m(payload, n)
    WHERE EXISTS (SELECT 1 FROM committed)
    ORDER BY m.n
    RETURNING id
)"""
_COMMIT_TURN = f"""{_TURN_WRITES}
SELECT EXISTS (SELECT 1 FROM committed) AS ok, ARRAY(SELECT id FROM queued ORDER BY id) AS ids
"""  # noqa: S608 (constant text only)

# The turn's commit and the customer's next message in one statement. Its reads see the database
# as it was before the statement's own writes, so the message just handled is left out by id and
# the conversation is the one just written (its new version is known); with no next message the
# lease goes back, reporting whether another worker asked for it meanwhile.
_COMMIT_TURN_THEN_NEXT = f"""{_TURN_WRITES}, nxt AS (
    SELECT id, payload FROM inbox
    WHERE customer_key = $1 AND handled_at IS NULL AND id <> $5 AND EXISTS (SELECT 1 FROM committed)
    ORDER BY id LIMIT 1
), lease_gone AS (
    DELETE FROM leases WHERE name = $8 AND owner = $9
    AND EXISTS (SELECT 1 FROM committed) AND NOT EXISTS (SELECT 1 FROM nxt)
    RETURNING wanted
)
SELECT EXISTS (SELECT 1 FROM committed) AS ok, nxt.id, nxt.payload,
       (SELECT last_inbound_at FROM conversations WHERE customer_key = $1) AS last_inbound_at,
       COALESCE((SELECT wanted FROM lease_gone), false) AS wanted
FROM (SELECT 1) AS one LEFT JOIN nxt ON true
"""  # noqa: S608 (constant text only)


# The fused steps of the message path (see Store.claim_inbound and friends): one round trip each.
# A lease ($2 name, $3 owner, $4 seconds) taken or extended, or, while another owner holds it,
# marked as wanted (see Store.acquire_lease); ``_LEASE_ROW`` is the row a statement inserts.
_LEASE_ROW = "$2, $3, clock_timestamp() + make_interval(secs => $4)"
_LEASE_TAKEN = """
    ON CONFLICT (name) DO UPDATE SET
        owner = CASE WHEN l.owner = $3 OR l.expires_at <= clock_timestamp() THEN $3 ELSE l.owner END,
        expires_at = CASE WHEN l.owner = $3 OR l.expires_at <= clock_timestamp()
                          THEN excluded.expires_at ELSE l.expires_at END,
        wanted = CASE WHEN l.owner = $3 THEN l.wanted ELSE l.expires_at > clock_timestamp() END,
        taken_over = l.owner <> $3 AND l.expires_at <= clock_timestamp()
    RETURNING l.owner = $3 AS held, l.taken_over
"""
_LEASE_UPSERT = f"INSERT INTO leases AS l (name, owner, expires_at) VALUES ({_LEASE_ROW}){_LEASE_TAKEN}"  # noqa: S608 (constant text only)
_NEXT = "SELECT id, payload FROM inbox WHERE customer_key = $1 AND handled_at IS NULL ORDER BY id LIMIT 1"
# Read only once the lease is ours, and FOR UPDATE: a holder that committed its turn and released
# the lease after this statement began is waited for and its rows read as it left them (the
# statement's snapshot would show the message it handled as unhandled and the conversation before
# it, and the turn would run again up to its commit). Unheld, nothing is locked: the holder's
# commit, which releases the lease this statement marks as wanted, never waits on it.
_CLAIM_INBOUND = f"""
WITH lease AS ({_LEASE_UPSERT}),
nxt AS (
    SELECT id, payload FROM inbox WHERE customer_key = $1 AND handled_at IS NULL AND (SELECT held FROM lease)
    ORDER BY id LIMIT 1 FOR UPDATE
),
conv AS (
    SELECT state, version, last_inbound_at FROM conversations
    WHERE customer_key = $1 AND (SELECT held FROM lease) FOR UPDATE
)
SELECT (SELECT held FROM lease) AS held, (SELECT taken_over FROM lease) AS taken_over,
       nxt.id, nxt.payload, conv.state, conv.version, conv.last_inbound_at
FROM (SELECT 1) AS one LEFT JOIN nxt ON true LEFT JOIN conv ON true
"""  # noqa: S608 (constant text only)
_NEXT_OR_RELEASE = f"""
WITH nxt AS ({_NEXT}),
conv AS (
    SELECT state, version, last_inbound_at FROM conversations
    WHERE customer_key = $1 AND EXISTS (SELECT 1 FROM nxt)
),
released AS (
    DELETE FROM leases WHERE name = $2 AND owner = $3 AND NOT EXISTS (SELECT 1 FROM nxt) RETURNING wanted
)
SELECT nxt.id, nxt.payload, conv.state, conv.version, conv.last_inbound_at,
       COALESCE((SELECT wanted FROM released), false) AS wanted
FROM (SELECT 1) AS one LEFT JOIN nxt ON true LEFT JOIN conv ON true
"""  # noqa: S608 (constant text only)
_PENDING = (
    "SELECT id, payload, attempts, next_attempt_at, created_at FROM outbox "
    "WHERE customer_key = $1 AND status = 'pending'"
)
# The lease is taken only when the customer's first pending reply is due ($5: now): a sender
# woken by a release that said "wanted" often finds the reply that asked already sent by the
# holder (two workers answering one customer), and taking the lease for nothing costs a second
# step to give it back. A reply committed after this statement's snapshot is no concern of it:
# its turn took the free lease itself, or marked the holder's as wanted.
# The rows are read only once the lease is ours, and FOR UPDATE: a holder that recorded a send and
# released the lease after this statement began is waited for and its rows read as it left them
# (the snapshot alone would still show the reply just sent as pending, and it would go out twice).
# Unheld, nothing is locked, so a holder releasing the lease this statement marks as wanted never
# waits.
_CLAIM_OUTBOX = f"""
WITH due AS (
    SELECT 1 FROM (SELECT next_attempt_at FROM outbox WHERE customer_key = $1 AND status = 'pending'
                   ORDER BY id LIMIT 1) AS first
    WHERE first.next_attempt_at IS NULL OR first.next_attempt_at <= $5
),
lease AS (
    INSERT INTO leases AS l (name, owner, expires_at) SELECT {_LEASE_ROW} WHERE EXISTS (SELECT 1 FROM due)
    {_LEASE_TAKEN}
),
p AS ({_PENDING} AND (SELECT held FROM lease) FOR UPDATE)
SELECT COALESCE((SELECT held FROM lease), false) AS held,
       COALESCE((SELECT taken_over FROM lease), false) AS taken_over,
       p.id, p.payload, p.attempts, p.next_attempt_at, p.created_at
FROM (SELECT 1) AS one LEFT JOIN p ON true
ORDER BY p.id
"""  # noqa: S608 (constant text only)
# The due messages of ``pending`` (a CTE the statement defines first); with none due, the lease
# ($2, $3) goes back, reporting whether another worker asked for it ($4: now).
_DUE_OR_RELEASE = """
first AS (SELECT next_attempt_at FROM pending ORDER BY id LIMIT 1),
released AS (
    DELETE FROM leases WHERE name = $2 AND owner = $3
    AND NOT EXISTS (SELECT 1 FROM first WHERE next_attempt_at IS NULL OR next_attempt_at <= $4)
    RETURNING wanted
)
SELECT p.id, p.payload, p.attempts, p.next_attempt_at, p.created_at, (SELECT wanted FROM released) AS wanted
FROM (SELECT 1) AS one LEFT JOIN pending AS p ON NOT EXISTS (SELECT 1 FROM released)
ORDER BY p.id
"""
_PENDING_OR_RELEASE = f"WITH pending AS ({_PENDING}),{_DUE_OR_RELEASE}"


# A send recorded and the next batch read in one statement; the snapshot still shows the message
# just sent as pending, so it is left out by id.
def _counted(day: int) -> str:
    """CTEs that count a sent message (parameters ``$day`` .. ``$day+3``: day, channel, billing,
    order number) in the same statement as its "sent" mark; a NULL billing counts nothing."""
    d, c, b, o = (f"${day + i}" for i in range(4))
    return f"""
counted AS (
    INSERT INTO message_counts (day, channel, billing, messages)
    SELECT {d}::date, {c}, {b}, 1 WHERE {b}::text IS NOT NULL
    ON CONFLICT (day, channel, billing) DO UPDATE SET messages = message_counts.messages + 1
),
counted_for_order AS (
    INSERT INTO order_messages (number, channel, billing, messages) SELECT {o}, {c}, {b}, 1
    WHERE {b}::text IS NOT NULL AND {o}::text IS NOT NULL
    ON CONFLICT (number, channel, billing) DO UPDATE SET messages = order_messages.messages + 1
)"""  # noqa: S608 (parameter numbers only)


#: A condition, always true, that makes the statement's transaction commit without waiting for its
#: WAL to reach the disk (``synchronous_commit`` off until its end). Only for writes the message path
#: already survives losing: a turn's commit and a "sent" mark. They are lost only if the database
#: server itself crashes within three wal_writer_delays of them (600 ms; a killed worker loses nothing,
#: and every later synchronous commit, such as the next message's, flushes them too), and losing one
#: is a worker dying just before it: the turn is taken again from the inbox, the reply sent again.
#: What a webhook's 200 promises (the message in the inbox) and orders commit synchronously. It
#: saves a disk flush per statement: a third of the database's CPU per message (bench/README.md).
_LAZY_COMMIT = "set_config('synchronous_commit', 'off', true) IS NOT NULL"

_MARK_SENT = f"""
WITH {_counted(4).strip()}
UPDATE outbox SET status = 'sent', provider_message_id = $1, sent_at = $2, attempts = attempts + 1, error = NULL
WHERE id = $3 AND {_LAZY_COMMIT}"""  # noqa: S608 (constant text only)

# One turn's commit: the arguments of a _FinishArgs in order, its time ($4) also the function's "now".
_FINISH_TURN = f"""
SELECT * FROM chatshop_finish_turn($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $4, $12) WHERE {_LAZY_COMMIT}"""  # noqa: S608 (constant text only)

_RECEIVE = "SELECT * FROM chatshop_receive($1, $2, $3, $4, $5, $6, $7, $8)"

#: A condition, always true, that bounds how long a batch statement waits for a row lock (a purge,
#: an erasure, a staff action, another worker's batch holding one of its customers): past it the
#: batch fails with lock_not_available, nothing of it committed, and its calls run alone, so one
#: customer's locked row holds up the others at most this long (see batches.py).
_BATCH_LOCK_TIMEOUT = "set_config('lock_timeout', '100ms', true) IS NOT NULL"

#: How long a message path's step waits for company when steps of its kind come this close together
#: (see batches.py): with two workers sharing a load, half of each one's steps otherwise went alone.
#: At most this much more to each of the three steps of a busy worker's message; a quiet one's go at once.
_LINGER = 0.003

#: Errors of a batch that its calls alone would not meet: run them alone (see batches.py).
_SPLIT_ON = (asyncpg.exceptions.LockNotAvailableError, asyncpg.exceptions.DeadlockDetectedError)

# Several messages recorded in one statement, one transaction: each call sees what the ones before
# it wrote (the function's statements take a fresh snapshot each), in the arrays' order.
_RECEIVE_MANY = f"""
SELECT r.* FROM (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
                         $8::float8[]) WITH ORDINALITY AS u(channel, message_id, customer, payload, at, lease, owner,
                                                            seconds, n)
    WHERE {_BATCH_LOCK_TIMEOUT}
) AS m
CROSS JOIN LATERAL chatshop_receive(m.channel, m.message_id, m.customer, m.payload, m.at, m.lease, m.owner,
                                    m.seconds) AS r
ORDER BY m.n"""  # noqa: S608 (constant text only)

# Several turns committed in one statement; each turn's replies are its slice of $14.
_FINISH_MANY = f"""
SELECT r.* FROM (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::timestamptz[], $5::int[], $6::int[], $7::int[],
                         $8::text[], $9::text[], $10::text[], $11::text[], $12::float8[], $13::timestamptz[])
        WITH ORDINALITY AS u(customer, inbox_id, state, at, version, first, last, lease, owner, send_lease,
                             send_owner, seconds, handover, n)
    WHERE {_BATCH_LOCK_TIMEOUT}
) AS m
CROSS JOIN LATERAL chatshop_finish_turn(m.customer, m.inbox_id, m.state, m.at, m.version, ($14::text[])[m.first:m.last],
                                        m.lease, m.owner, m.send_lease, m.send_owner, m.seconds, m.at,
                                        m.handover) AS r
WHERE {_LAZY_COMMIT}
ORDER BY m.n"""  # noqa: S608 (constant text only)

_SENT_THEN_PENDING = f"""
SELECT * FROM chatshop_sent_then_pending($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) WHERE {_LAZY_COMMIT}"""  # noqa: S608 (constant text only)

# Several senders' steps in one statement.
_SENT_THEN_PENDING_MANY = f"""
SELECT r.* FROM (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
                         $7::timestamptz[], $8::date[], $9::text[], $10::text[], $11::text[])
        WITH ORDINALITY AS u(id, provider_id, sent_at, customer, lease, owner, now_at, day, channel, billing, number, n)
    WHERE {_BATCH_LOCK_TIMEOUT}
) AS m
CROSS JOIN LATERAL chatshop_sent_then_pending(m.id, m.provider_id, m.sent_at, m.customer, m.lease, m.owner,
                                              m.now_at, m.day, m.channel, m.billing, m.number) AS r
WHERE {_LAZY_COMMIT}
ORDER BY m.n"""  # noqa: S608 (constant text only)


def _count_params(count: SentCount | None) -> tuple[date | None, str | None, str | None, str | None]:
    if count is None:
        return None, None, None, None
    return count.day, count.channel, count.billing, count.order_number


def _due(customer_key: str, rows: Sequence[asyncpg.Record], now: datetime) -> list[OutboxItem]:
    """The pending rows up to the first one still waiting for its retry (order is never broken)."""
    items = []
    for row in rows:
        if row["id"] is None:
            continue
        if row["next_attempt_at"] is not None and row["next_attempt_at"] > now:
            break
        items.append(_outbox_item(customer_key, row))
    return items


def _outbox_item(customer_key: str, row: asyncpg.Record) -> OutboxItem:
    message, context = read(row["payload"], customer_key)
    return OutboxItem(row["id"], customer_key, message, row["attempts"], created_at=row["created_at"], context=context)


def _item_and_record(customer_key: str, row: asyncpg.Record) -> tuple[InboxItem | None, ConversationRecord | None]:
    if row["id"] is None:
        return None, None
    item = InboxItem(row["id"], inbound_from_text(row["payload"]))
    if row["version"] is None:
        return item, ConversationRecord(customer_key, {}, 0)
    return item, ConversationRecord(customer_key, loads(row["state"]), row["version"], row["last_inbound_at"])


#: The channel migration 10's trigger tells the workers on which products changed.
INVENTORY_CHANNEL = "chatshop_inventory"

#: The statements :meth:`PostgresStore._once` sends, by the connection method that sends each.
_Statement = Literal["execute", "fetch", "fetchrow", "fetchval"]


class _CountingConnection(asyncpg.Connection):  # type: ignore[misc]
    """A connection that counts the statements it sends (one round trip each) into ``stats``.

    A transaction's BEGIN and COMMIT go through ``execute`` and count too. The store makes one
    subclass per pool, naming its own stats.
    """

    stats: StoreStats

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:  # noqa: ASYNC109
        self.stats.round_trips += 1
        return str(await super().execute(query, *args, timeout=timeout))

    async def executemany(self, command: str, args: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        self.stats.round_trips += 1
        await super().executemany(command, args, timeout=timeout)

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> list[Any]:
        self.stats.round_trips += 1
        return list(await super().fetch(query, *args, **kwargs))

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self.stats.round_trips += 1
        return await super().fetchrow(query, *args, **kwargs)

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self.stats.round_trips += 1
        return await super().fetchval(query, *args, **kwargs)


#: What one call of :meth:`PostgresStore.receive` sends: chatshop_receive's arguments.
_ReceiveArgs = tuple[str, str, str, str, datetime, str, str, float]
#: What one call of :meth:`PostgresStore.finish_turn` sends: chatshop_finish_turn's arguments (its
#: "now" is the turn's time), the replies as their rows' texts.
_FinishArgs = tuple[str, int, str, datetime, int, list[str], str, str, str, str, float, datetime | None]
#: What one call of :meth:`PostgresStore.sent_then_pending_or_release` sends.
_SentArgs = tuple[int, str | None, datetime, str, str, str, datetime, date | None, str | None, str | None, str | None]
_Args = TypeVar("_Args", _ReceiveArgs, _FinishArgs, _SentArgs)


def _columns(batch: list[_ReceiveArgs] | list[_SentArgs]) -> list[Any]:
    """A batch statement's arrays: one per argument."""
    return [list(column) for column in zip(*batch, strict=True)]


def _counted_first(args: _SentArgs) -> tuple[str, ...]:
    """A send's place in its batch: by the counters it adds to (every send of a day and billing
    shares one row; order by their keys, as two batches must take them alike), then customer."""
    _, _, _, customer, _, _, _, day, channel, billing, number = args
    return (str(day or ""), channel or "", billing or "", number or "", customer)


def _finish_columns(batch: list[_FinishArgs]) -> list[Any]:
    """_FINISH_MANY's arrays: one per argument, the replies of all turns in one, each turn's slice
    given by its first and last index (1-based; an empty slice when it has none)."""
    firsts: list[int] = []
    lasts: list[int] = []
    replies: list[str] = []
    for args in batch:
        firsts.append(len(replies) + 1)
        replies.extend(args[5])
        lasts.append(len(replies))
    columns = [list(column) for column in zip(*batch, strict=True)]
    return [*columns[:5], firsts, lasts, *columns[6:], replies]


def _handover_since(state: dict[str, Any]) -> datetime | None:
    """Since when a person has the conversation (the state's ``handover_since``), for its column."""
    since = state.get("handover_since")
    return datetime.fromisoformat(since) if since else None


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Skip asyncpg's reset query on release: the store keeps no session state (no SET, LISTEN,
    session locks or cursors), and the reset would cost a round trip per call."""


def _history_time(value: datetime) -> str:
    """The same text form the SQLite store keeps, so order history reads alike in both."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: Conversations idle since before $1 (nothing in, nothing committed, nothing unhandled) that hold
#: something :func:`forget_idle` drops: an empty cart, a checkout, a profile name or a search.
_IDLE_CONVERSATIONS = """
SELECT customer_key, state FROM conversations c, LATERAL (SELECT c.state::jsonb AS s) j
WHERE COALESCE(c.updated_at, c.last_inbound_at) < $1 AND (c.last_inbound_at IS NULL OR c.last_inbound_at < $1)
  AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.customer_key = c.customer_key AND i.handled_at IS NULL)
  AND (COALESCE(jsonb_array_length(CASE WHEN jsonb_typeof(j.s -> 'cart' -> 'lines') = 'array'
                                         THEN j.s -> 'cart' -> 'lines' END), 0) = 0
       OR j.s ->> 'checkout' IS NOT NULL OR j.s ->> 'name' IS NOT NULL OR j.s ->> 'query' IS NOT NULL)
FOR UPDATE OF c
"""


_PLACE = (
    "SELECT * FROM chatshop_place_offered_order($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
)
#: The same, writing the new order's owed effects (see chatshop.order_effects) as it places it.
_PLACE_OWING = (
    "WITH placed AS (SELECT * FROM chatshop_place_offered_order($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
    "$13, $14, $15, $16)), owed AS (INSERT INTO jobs (kind, key, due_at, payload, customer_key, updated_at) "
    "SELECT $17, o_number || $18, $19, $20, NULL, now() FROM placed WHERE o_placed "
    "ON CONFLICT (kind, key) DO NOTHING) SELECT * FROM placed"
)

_ADD_JOB = (
    "INSERT INTO jobs (kind, key, due_at, payload, customer_key, updated_at) VALUES ($1, $2, $3, $4, $5, now()) "
    "ON CONFLICT (kind, key) DO NOTHING"
)
_REPLACE_JOB = (
    "INSERT INTO jobs (kind, key, due_at, payload, customer_key, updated_at) VALUES ($1, $2, $3, $4, $5, now()) "
    "ON CONFLICT (kind, key) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, "
    "customer_key = excluded.customer_key, status = 'pending', attempts = 0, lease_owner = NULL, "
    "lease_until = NULL, updated_at = excluded.updated_at"
)


def _job(row: asyncpg.Record) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        key=row["key"],
        due_at=row["due_at"],
        payload=loads(row["payload"]),
        attempts=row["attempts"],
        customer_key=row["customer_key"],
        status=row["status"],
        lease_until=row.get("lease_until"),
    )


def _open(connection: asyncpg.Connection) -> bool:
    """Whether a kept connection can take a statement: when the server ends a connection, the
    pool takes it back at once, and what was kept of it can no longer even say it is closed."""
    try:
        return not connection.is_closed()
    except asyncpg.InterfaceError:
        return False


class PostgresStore(PostgresPeople, Store):
    shared = True

    #: The server restarted or a connection was killed (pg_terminate_backend), a deadlock or
    #: serialization failure: worth the whole turn again.
    faults = (
        OSError,
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        asyncpg.InternalClientError,  # a statement on a connection the server was ending
        asyncpg.exceptions.OperatorInterventionError,
        asyncpg.exceptions.TransactionRollbackError,
        asyncpg.exceptions.InsufficientResourcesError,
    )

    def __init__(self, url: str, *, min_size: int = 2, max_size: int = 20) -> None:
        super().__init__()
        self.url = url.replace("postgres://", "postgresql://", 1)
        self.min_size = min_size
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None
        #: Connections kept between one-statement calls, at most ``_keep`` (the rest of the pool
        #: stays free for transactions).
        self._idle: list[asyncpg.Connection] = []
        self._keep = max(1, max_size // 2)
        #: Messages recorded and turns committed while one such statement is on its way go
        #: together in the next (see batches.py): under load, one round trip and one commit serve many.
        self._receives: Batches[_ReceiveArgs, asyncpg.Record] = Batches(
            self._receive_batch, self.faults, split_on=_SPLIT_ON, key=lambda args: args[2], linger=_LINGER
        )
        self._finishes: Batches[_FinishArgs, asyncpg.Record] = Batches(
            self._finish_batch, self.faults, split_on=_SPLIT_ON, key=lambda args: args[0], linger=_LINGER
        )
        self._sents: Batches[_SentArgs, asyncpg.Record] = Batches(
            self._sent_batch, self.faults, split_on=_SPLIT_ON, key=lambda args: args[3], linger=_LINGER
        )
        self._inventory_reads: Batches[list[str], dict[str, InventoryItem]] = Batches(
            self._inventory_batch, self.faults, split_on=_SPLIT_ON
        )
        self._closing = False
        #: Stock looked up by the turns, kept while the database tells which products change
        #: (PostgreSQL migration 10's trigger, on its own connection: see stock_cache.py).
        self._stock = StockCache()
        self._stock_notices = Notices(
            self.url,
            INVENTORY_CHANNEL,
            heard=self._stock_changed,
            started=self._stock.listening_started,
            stopped=self._stock.listening_stopped,
        )

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("store is not open")
        return self._pool

    # --- one statement on a connection of the store's own: the pool's acquire and release cost
    # more than a short statement itself (~80 µs of Python a call), so connections that served
    # one are kept for the next instead of going back to the pool each time.
    async def _connection(self) -> tuple[asyncpg.Connection, bool]:
        """A connection, and whether it was kept (rather than fresh from the pool)."""
        while self._idle:
            connection = self._idle.pop()
            if _open(connection):
                return connection, True
            await self.pool.release(connection)  # the server went away meanwhile: the pool replaces it
        return await self.pool.acquire(), False

    async def _done(self, connection: asyncpg.Connection, failed: bool) -> None:
        if failed:
            # A broken one is closed by the pool, not kept; when its reset fails as well the pool
            # has terminated it and says so again: the caller's own error is the one that counts.
            with contextlib.suppress(Exception):
                await self.pool.release(connection)
        elif self._closing or len(self._idle) >= self._keep:
            await self.pool.release(connection)
        else:
            self._idle.append(connection)

    @contextlib.asynccontextmanager
    async def _kept(self) -> AsyncIterator[asyncpg.Connection]:
        """A kept connection for a few statements outside a transaction (each commits alone)."""
        connection, _ = await self._connection()
        failed = True
        try:
            yield connection
            failed = False
        finally:
            await self._done(connection, failed)

    async def _once(self, method: _Statement, query: str, *args: Any) -> Any:
        """One statement on a kept connection, which goes back to the pool if it failed. The
        method is named, not taken from ``asyncpg.Connection``: the pool's connection class
        counts round trips in its own overrides.

        A kept connection whose server ended it while it was idle may still look open, its
        protocol busy with the server's farewell: asyncpg refuses the statement before sending
        anything (``InternalClientError``), so it goes again on the next connection.
        """
        while True:
            connection, kept = await self._connection()
            try:
                result = await getattr(connection, method)(query, *args)
            except asyncpg.InternalClientError:
                await self._done(connection, True)
                if kept:
                    continue
                raise
            except BaseException:
                await self._done(connection, True)
                raise
            await self._done(connection, False)
            return result

    async def _fetchrow(self, query: str, *args: Any) -> Any:
        return await self._once("fetchrow", query, *args)

    async def _fetch(self, query: str, *args: Any) -> list[Any]:
        return list(await self._once("fetch", query, *args))

    async def _fetchval(self, query: str, *args: Any) -> Any:
        return await self._once("fetchval", query, *args)

    async def _execute(self, query: str, *args: Any) -> str:
        return str(await self._once("execute", query, *args))

    # --- lifecycle -------------------------------------------------------------------------
    async def open(self) -> None:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=self.min_size,
                max_size=self.max_size,
                command_timeout=60,
                reset=_keep_session,
                connection_class=type("CountingConnection", (_CountingConnection,), {"stats": self.stats}),
            )
        try:
            await self._migrate()
        except BaseException:
            await self.close()  # a database this code must not use (newer schema): no pool left open
            raise
        await self._stock_notices.start()

    async def _migrate(self) -> None:
        async with self.pool.acquire() as db, db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
            await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
            )
            done = {r[0] for r in await db.fetch("SELECT version FROM schema_migrations")}
            refuse_newer(done, POSTGRES_MIGRATIONS)
            for version, sql in POSTGRES_MIGRATIONS:
                if version in done:
                    continue
                await db.execute(sql)
                await db.execute("INSERT INTO schema_migrations VALUES ($1, $2)", version, utcnow())

    async def close(self) -> None:
        if self._pool is not None:
            self._closing = True  # a statement still returning gives its connection back to the pool
            await self._stock_notices.close()
            for batches in (self._receives, self._finishes, self._sents, self._inventory_reads):
                await batches.close()
            while self._idle:
                await self._pool.release(self._idle.pop())
            await self._pool.close()
            self._pool = None
            self._closing = False

    async def schema_version(self) -> int:
        version = await self._fetchval("SELECT MAX(version) FROM schema_migrations")
        return int(version or 0)

    # --- inbox -------------------------------------------------------------------------------
    async def add_inbound(self, inbound: Inbound) -> bool:
        added = await self._fetchval(
            _ADD_INBOUND,
            inbound.channel,
            inbound.message_id,
            inbound.customer_key,
            inbound_to_text(inbound),
            utcnow(),
            inbound.from_customer,
        )
        return bool(added)

    async def next_inbound(self, customer_key: str) -> InboxItem | None:
        row = await self._fetchrow(
            "SELECT id, payload FROM inbox WHERE customer_key = $1 AND handled_at IS NULL ORDER BY id LIMIT 1",
            customer_key,
        )
        return InboxItem(row["id"], inbound_from_text(row["payload"])) if row else None

    async def latest_inbound_trace(self, customer_key: str) -> str | None:
        trace = await self._fetchval(
            "SELECT payload::jsonb ->> 'trace' FROM inbox WHERE customer_key = $1 ORDER BY id DESC LIMIT 1",
            customer_key,
        )
        return str(trace) if trace is not None else None

    async def customers_with_pending_inbound(self, limit: int = 1000) -> list[str]:
        rows = await self._fetch(
            "SELECT customer_key, MIN(id) AS first FROM inbox WHERE handled_at IS NULL "
            "GROUP BY customer_key ORDER BY first LIMIT $1",
            limit,
        )
        return [row[0] for row in rows]

    # --- conversation ------------------------------------------------------------------------
    async def load_conversation(self, customer_key: str) -> ConversationRecord:
        row = await self._fetchrow(
            "SELECT state, version, last_inbound_at FROM conversations WHERE customer_key = $1",
            customer_key,
        )
        if row is None:
            return ConversationRecord(customer_key, {}, 0)
        return ConversationRecord(customer_key, loads(row[0]), row[1], row[2])

    async def commit_turn(
        self,
        customer_key: str,
        inbox_id: int | None,
        state: dict[str, Any],
        expected_version: int,
        outbound: Sequence[Outbound],
    ) -> list[OutboxItem]:
        now = utcnow()
        row = await self._fetchrow(
            _COMMIT_TURN,
            customer_key,
            dumps(state),
            now,
            expected_version,
            inbox_id,
            payloads(outbound),
            _handover_since(state),
        )
        if not row["ok"]:
            raise StaleConversation(customer_key)
        context = context_of(outbound)
        return [
            OutboxItem(i, customer_key, m, created_at=now, context=context)
            for i, m in zip(row["ids"], outbound, strict=True)
        ]

    # --- outbox ------------------------------------------------------------------------------
    @staticmethod
    async def _enqueue(
        db: asyncpg.Connection,
        customer_key: str,
        outbound: Sequence[Outbound],
        now: datetime,
        author: str | None = None,
    ) -> list[OutboxItem]:
        if not outbound:
            return []
        ids = await db.fetch(
            "INSERT INTO outbox (customer_key, payload, created_at, author) "
            "SELECT $1, payload, $3, $4 FROM unnest($2::text[]) WITH ORDINALITY AS m(payload, n) "
            "ORDER BY n RETURNING id",
            customer_key,
            payloads(outbound),
            now,
            author,
        )
        ordered = sorted(row[0] for row in ids)
        context = context_of(outbound)
        return [
            OutboxItem(i, customer_key, m, created_at=now, context=context)
            for i, m in zip(ordered, outbound, strict=True)
        ]

    async def enqueue(
        self, customer_key: str, outbound: Sequence[Outbound], *, author: str | None = None
    ) -> list[OutboxItem]:
        async with self.pool.acquire() as db, db.transaction():
            return await self._enqueue(db, customer_key, outbound, utcnow(), author)

    async def pending_outbox(self, customer_key: str, now: datetime) -> list[OutboxItem]:
        rows = await self._fetch(
            "SELECT id, payload, attempts, next_attempt_at, created_at FROM outbox "
            "WHERE customer_key = $1 AND status = 'pending' ORDER BY id",
            customer_key,
        )
        items = []
        for row in rows:
            if row["next_attempt_at"] is not None and row["next_attempt_at"] > now:
                break  # a later message must not overtake one waiting for its retry
            items.append(_outbox_item(customer_key, row))
        return items

    async def customers_with_due_outbox(self, now: datetime, limit: int = 1000) -> list[str]:
        rows = await self._fetch(
            "SELECT customer_key, MIN(id) AS first FROM outbox WHERE status = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= $1) "
            "GROUP BY customer_key ORDER BY first LIMIT $2",
            now,
            limit,
        )
        return [row[0] for row in rows]

    async def mark_sent(self, outbox_id: int, provider_message_id: str | None, count: SentCount | None = None) -> None:
        await self._execute(
            _MARK_SENT,
            provider_message_id,
            utcnow(),
            outbox_id,
            *_count_params(count),
        )

    async def message_counts(self, since: date) -> list[tuple[date, str, str, int]]:
        rows = await self.pool.fetch(
            "SELECT day, channel, billing, messages FROM message_counts WHERE day >= $1 ORDER BY day", since
        )
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    async def order_message_counts(self, number: str) -> list[tuple[str, str, int]]:
        rows = await self.pool.fetch(
            "SELECT channel, billing, messages FROM order_messages WHERE number = $1 ORDER BY channel, billing", number
        )
        return [(r[0], r[1], int(r[2])) for r in rows]

    async def mark_retry(self, outbox_id: int, next_attempt_at: datetime, error: str) -> None:
        await self._execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, error = $2 WHERE id = $3",
            next_attempt_at,
            error[:500],
            outbox_id,
        )

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        await self._execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = $1 WHERE id = $2",
            error[:500],
            outbox_id,
        )

    async def record_delivery(self, report: DeliveryReport) -> OutboxItem | None:
        async with self.pool.acquire() as db, db.transaction():
            row = await db.fetchrow(
                "SELECT id, customer_key, payload, attempts, status FROM outbox "
                "WHERE provider_message_id = $1 ORDER BY id DESC LIMIT 1 FOR UPDATE",
                report.provider_message_id,
            )
            if row is None:
                return None
            status = row["status"]
            failed = report.state == DeliveryState.FAILED
            if failed or _RANK.get(report.state, 0) > _RANK.get(status, 0):
                error = f"{report.error_code}: {report.error_title}" if report.error_code else None
                await db.execute(
                    "UPDATE outbox SET status = $1, error = COALESCE($2, error) WHERE id = $3",
                    report.state.value,
                    error,
                    row["id"],
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

    # --- inventory ---------------------------------------------------------------------------
    async def seed_inventory(self, products: Iterable[Product]) -> None:
        # in key order: the index filled in order, and two workers seeding at once take their
        # row locks in the same order (no deadlock)
        rows = sorted([(p.id, p.stock) for p in products])
        if not rows:
            return
        # one statement: one notice to the workers' kept stock (see migration 10), not one a row
        await self._execute(
            "INSERT INTO inventory (product_id, stock) "
            "SELECT product_id, stock FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS r(product_id, stock, n) "
            "ORDER BY n ON CONFLICT (product_id) DO NOTHING",
            [product_id for product_id, _ in rows],
            [stock for _, stock in rows],
        )
        self._stock.changed(None)  # this worker's next look-up sees its own write, notice or not

    async def inventory(
        self, product_ids: Iterable[str] | None = None, *, fresh: bool = False
    ) -> dict[str, InventoryItem]:
        if product_ids is None:
            rows = await self._fetch("SELECT product_id, stock, price_minor, active FROM inventory")
            return {r[0]: InventoryItem(r[0], r[1], r[2], r[3]) for r in rows}
        if fresh or not self._stock_notices.heard_here():
            return await self._inventory_reads(list(product_ids))
        found, missing = self._stock.look_up(product_ids)
        if missing:
            asked_at = self._stock.generation
            read = await self._inventory_reads(missing)
            self._stock.keep(asked_at, missing, read)
            found.update(read)
        return found

    def _stock_changed(self, payload: str) -> None:
        """A notice from migration 10's trigger: the changed products as a JSON array, or null."""
        try:
            changed = json.loads(payload)
        except ValueError:
            changed = None  # not ours (a stranger's NOTIFY on the channel): assume anything changed
        if isinstance(changed, list):
            self._stock.changed(str(product_id) for product_id in changed)
        else:
            self._stock.changed(None)

    async def _inventory_batch(self, batch: list[list[str]]) -> list[dict[str, InventoryItem]]:
        """Several turns' stock look-ups in one statement (a read: it commits nothing)."""
        wanted = batch[0] if len(batch) == 1 else list({product_id for ids in batch for product_id in ids})
        rows = await self._fetch(
            "SELECT product_id, stock, price_minor, active FROM inventory WHERE product_id = ANY($1::text[])", wanted
        )
        found = {r[0]: InventoryItem(r[0], r[1], r[2], r[3]) for r in rows}
        if len(batch) == 1:
            return [found]
        return [{product_id: found[product_id] for product_id in ids if product_id in found} for ids in batch]

    async def update_inventory(
        self,
        product_id: str,
        *,
        stock: int | EllipsisType | None = ...,
        price_minor: int | EllipsisType | None = ...,
        active: bool | EllipsisType = ...,
        stock_was: int | EllipsisType | None = ...,
    ) -> InventoryItem:
        async with self.pool.acquire() as db, db.transaction():
            await db.execute("INSERT INTO inventory (product_id) VALUES ($1) ON CONFLICT DO NOTHING", product_id)
            if stock is not ... and stock_was is not ...:
                changed = await db.fetchval(
                    "UPDATE inventory SET stock = $1 WHERE product_id = $2 AND stock IS NOT DISTINCT FROM $3 "
                    "RETURNING true",
                    stock,
                    product_id,
                    stock_was,
                )
                if not changed:
                    current = await db.fetchval("SELECT stock FROM inventory WHERE product_id = $1", product_id)
                    raise StockChanged(product_id, current)
            elif stock is not ...:
                await db.execute("UPDATE inventory SET stock = $1 WHERE product_id = $2", stock, product_id)
            if price_minor is not ...:
                await db.execute(
                    "UPDATE inventory SET price_minor = $1 WHERE product_id = $2",
                    price_minor,
                    product_id,
                )
            if active is not ...:
                await db.execute(
                    "UPDATE inventory SET active = $1 WHERE product_id = $2",
                    bool(active),
                    product_id,
                )
            r = await db.fetchrow(
                "SELECT product_id, stock, price_minor, active FROM inventory WHERE product_id = $1",
                product_id,
            )
        self._stock.changed([product_id])  # this worker's next look-up sees its own write, notice or not
        return InventoryItem(r[0], r[1], r[2], r[3])

    # --- orders ------------------------------------------------------------------------------
    @staticmethod
    async def _fetch_order(db: asyncpg.Connection, where: str, value: str) -> Order | None:
        row = await db.fetchrow(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE {where} = $1",  # noqa: S608
            value,
        )
        if row is None:
            return None
        return (await PostgresStore._orders(db, [row]))[0]

    @staticmethod
    async def _orders(db: asyncpg.Connection, rows: Sequence[asyncpg.Record]) -> list[Order]:
        """Build orders from their rows, with every history fetched in one query."""
        if not rows:
            return []
        history: dict[str, list[dict[str, Any]]] = {row["number"]: [] for row in rows}
        for h in await db.fetch(
            "SELECT number, at, old, new, note FROM order_history WHERE number = ANY($1::text[]) ORDER BY id",
            list(history),
        ):
            history[h["number"]].append(
                {"at": _history_time(h["at"]), "old": h["old"], "new": h["new"], "note": h["note"]}
            )
        return [
            order_from_parts(
                number=row["number"],
                customer_key=row["customer_key"],
                status=row["status"],
                currency=row["currency"],
                payment_method=row["payment_method"],
                placement_key=row["placement_key"],
                details=row["details"],
                created_at=row["created_at"],
                paid_minor=row["paid_minor"],
                refunded_minor=row["refunded_minor"],
                payment_ref=row["payment_ref"],
                payment_url=row["payment_url"],
                payment_expires_at=row["payment_expires_at"],
                history=history[row["number"]],
            )
            for row in rows
        ]

    async def place_order(
        self, order: Order, claims: Sequence[Claim] = (), *, owed: Owed | None = None
    ) -> tuple[Order, bool]:
        try:
            return await self._place(order, claims, owed)
        except asyncpg.UniqueViolationError as e:
            # Two workers placed the same checkout at once: the other one won; return its order.
            if "placement_key" not in (e.constraint_name or ""):
                raise
            async with self.pool.acquire() as db:
                existing = await self._fetch_order(db, "placement_key", order.placement_key)
            if existing is None:
                raise
            return existing, False

    async def _place(self, order: Order, claims: Sequence[Claim], owed: Owed | None) -> tuple[Order, bool]:
        now = utcnow()
        details = order_details(order)
        # Spare numbers in case the drawn one is taken: one step to the database, not a loop of them.
        numbers = [order.number, new_order_number(), new_order_number(), new_order_number()]
        # The job owing the new order's effects goes in the same statement (its number is drawn in it).
        owing = () if owed is None else (EFFECTS, Owed.placed_suffix(), owed.due_at, owed.payload(None, order.status))
        try:
            row = await self._fetchrow(
                _PLACE if owed is None else _PLACE_OWING,
                numbers,
                order.customer_key,
                order.status.value,
                order.currency,
                order.payment_method,
                order.placement_key,
                details,
                now,
                order.payment_ref,
                order.payment_url,
                order.payment_expires_at,
                order.total.minor,
                [line.product_id for line in order.lines],
                [line.quantity for line in order.lines],
                [claim.key for claim in claims],
                [claim.limit for claim in claims],
                *owing,
            )
        except asyncpg.PostgresError as e:
            if e.sqlstate == _OUT_OF_STOCK:
                raise OutOfStock({k: int(v) for k, v in loads(e.detail or "{}").items()}) from None
            if e.sqlstate == _LIMIT_REACHED:
                raise LimitReached(e.detail or "") from None
            raise
        self._stock.changed(line.product_id for line in order.lines)  # its stock, as seen from here
        if not row["o_placed"]:  # this checkout was placed before
            async with self.pool.acquire() as db:
                existing = await self._fetch_order(db, "number", row["o_number"])
            assert existing is not None
            return existing, False
        placed = order_from_parts(
            number=row["o_number"],
            customer_key=order.customer_key,
            status=order.status.value,
            currency=order.currency,
            payment_method=order.payment_method,
            placement_key=order.placement_key,
            details=details,
            created_at=now,
            paid_minor=0,
            refunded_minor=0,
            payment_ref=order.payment_ref,
            payment_url=order.payment_url,
            payment_expires_at=order.payment_expires_at,
            history=[{"at": _history_time(now), "old": None, "new": order.status.value, "note": "placed"}],
        )
        return placed, True

    async def get_order(self, number: str) -> Order | None:
        async with self._kept() as db:
            return await self._fetch_order(db, "number", number.strip().upper())

    async def claim_counts(self, keys: Iterable[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        rows = await self.pool.fetch("SELECT key, used FROM claims WHERE key = ANY($1::text[])", wanted)
        return {row["key"]: int(row["used"]) for row in rows}

    async def claim_uses(self, prefix: str) -> list[ClaimUse]:
        rows = await self.pool.fetch(
            "SELECT c.key, c.used, COUNT(o.number) AS orders, COALESCE(SUM(o.total_minor), 0) AS revenue "
            "FROM claims c LEFT JOIN order_claims oc ON oc.key = c.key AND oc.released_at IS NULL "
            "LEFT JOIN orders o ON o.number = oc.number AND o.status NOT IN ('cancelled', 'refunded', 'returned') "
            "WHERE starts_with(c.key, $1) GROUP BY c.key, c.used ORDER BY c.key",
            prefix,
        )
        return [ClaimUse(r["key"], int(r["used"]), int(r["orders"]), int(r["revenue"])) for r in rows]

    # --- invoices ----------------------------------------------------------------------------
    _INVOICE_COLUMNS = "number, order_number, year, seq, token, issued_at, data"

    @staticmethod
    def _invoice(row: asyncpg.Record) -> InvoiceRecord:
        return InvoiceRecord(
            number=row["number"],
            order_number=row["order_number"],
            year=row["year"],
            seq=int(row["seq"]),
            token=row["token"],
            issued_at=row["issued_at"],
            data=loads(row["data"]),
        )

    async def issue_invoice(
        self,
        order_number: str,
        year: str,
        number: Callable[[int], str],
        data: dict[str, Any],
        token: str,
        issued_at: datetime,
    ) -> tuple[InvoiceRecord, bool]:
        select = f"SELECT {self._INVOICE_COLUMNS} FROM invoices WHERE order_number = $1"  # noqa: S608
        try:
            async with self.pool.acquire() as db, db.transaction():
                row = await db.fetchrow(select, order_number)
                if row is not None:
                    return self._invoice(row), False
                # The counter's row lock holds every other issuer of the year until this commits;
                # a rollback (a crash, the order's invoice issued by another worker) undoes the
                # increment with the rest, so no number is ever skipped.
                seq = await db.fetchval(
                    "INSERT INTO invoice_counters (year, last) VALUES ($1, 1) "
                    "ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last",
                    year,
                )
                await db.execute(
                    f"INSERT INTO invoices ({self._INVOICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)",  # noqa: S608
                    number(int(seq)),
                    order_number,
                    year,
                    int(seq),
                    token,
                    issued_at,
                    dumps(data),
                )
                row = await db.fetchrow(select, order_number)
                return self._invoice(row), True
        except asyncpg.UniqueViolationError as e:
            if "order_number" not in (e.constraint_name or ""):
                raise
            async with self.pool.acquire() as db:  # another worker issued this order's invoice first
                row = await db.fetchrow(select, order_number)
            if row is None:
                raise
            return self._invoice(row), False

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
        async with self.pool.acquire() as db, db.transaction():
            # The invoice's row lock queues every other credit of this order (a refund's hook on
            # one worker, the provider's news of it on another) until this one is written: each
            # then sees what is credited already.
            if await db.fetchval("SELECT 1 FROM invoices WHERE order_number = $1 FOR UPDATE", order_number) is None:
                raise KeyError(order_number)
            credited = await db.fetchval(
                "SELECT COALESCE(MAX(credited_minor), 0) FROM credit_notes WHERE order_number = $1", order_number
            )
            if credited >= credited_minor:
                return None
            seq = int(
                await db.fetchval(
                    "INSERT INTO credit_note_counters (year, last) VALUES ($1, 1) "
                    "ON CONFLICT (year) DO UPDATE SET last = credit_note_counters.last + 1 RETURNING last",
                    year,
                )
            )
            row = await db.fetchrow(
                f"INSERT INTO credit_notes ({self._CREDIT_COLUMNS}) "  # noqa: S608
                f"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {self._CREDIT_COLUMNS}",
                number(seq),
                order_number,
                year,
                seq,
                token,
                issued_at,
                dumps(data(credited_minor - int(credited))),
                credited_minor,
            )
            return self._invoice(row)

    async def credit_notes(self, order_number: str) -> list[InvoiceRecord]:
        rows = await self.pool.fetch(
            f"SELECT {self._CREDIT_COLUMNS} FROM credit_notes WHERE order_number = $1 ORDER BY credited_minor",  # noqa: S608
            order_number,
        )
        return [self._invoice(row) for row in rows]

    async def get_credit_note(self, token: str) -> InvoiceRecord | None:
        row = await self.pool.fetchrow(
            f"SELECT {self._CREDIT_COLUMNS} FROM credit_notes WHERE token = $1", token  # noqa: S608
        )
        return self._invoice(row) if row else None

    async def get_invoice(self, *, order_number: str | None = None, token: str | None = None) -> InvoiceRecord | None:
        where, value = ("order_number", order_number) if order_number is not None else ("token", token)
        row = await self.pool.fetchrow(
            f"SELECT {self._INVOICE_COLUMNS} FROM invoices WHERE {where} = $1",  # noqa: S608
            value,
        )
        return self._invoice(row) if row else None

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
        clauses: list[str] = []
        params: list[Any] = []

        def param(value: Any) -> str:
            params.append(value)
            return f"${len(params)}"

        if customer_key is not None:
            clauses.append(f"customer_key = {param(customer_key)}")
        if statuses is not None:
            clauses.append(f"status = ANY({param([s.value for s in statuses])}::text[])")
        if search:
            pattern = param(f"%{search}%")
            clauses.append(f"(number ILIKE {pattern} OR details ILIKE {pattern} OR customer_key ILIKE {pattern})")
        if since is not None:
            clauses.append(f"created_at >= {param(since)}")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        limit, offset = bounded_page(limit, offset)
        query = (
            f"SELECT {_ORDER_COLUMNS} FROM orders {where} "  # noqa: S608
            f"ORDER BY created_at DESC, seq DESC LIMIT {param(limit)} OFFSET {param(offset)}"
        )
        async with self._kept() as db:  # a customer's "My orders" is on the message path
            return await self._orders(db, await db.fetch(query, *params))

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
        now = utcnow()
        async with self.pool.acquire() as db, db.transaction():
            old_text = await db.fetchval("SELECT status FROM orders WHERE number = $1 FOR UPDATE", number)
            if old_text is None:
                raise KeyError(number)
            old = OrderStatus(old_text)
            check_transition(number, old, new)
            order = await self._fetch_order(db, "number", number)
            assert order is not None
            if revision is not None:
                await self._revise(db, order, revision)
            await db.execute(
                "UPDATE orders SET status = $1, updated_at = $2, "
                "paid_minor = COALESCE($3, paid_minor), "
                "refunded_minor = COALESCE($4, refunded_minor) "
                "WHERE number = $5",
                new.value,
                now,
                paid_amount,
                refunded_amount,
                number,
            )
            if releases_stock(old, new):
                await db.executemany(
                    "UPDATE inventory SET stock = stock + $1 WHERE product_id = $2 AND stock IS NOT NULL",
                    [(line.quantity, line.product_id) for line in order.lines],
                )
                await db.execute(
                    "UPDATE claims SET used = used - 1 WHERE used > 0 AND key IN "
                    "(SELECT key FROM order_claims WHERE number = $1 AND released_at IS NULL)",
                    number,
                )
                await db.execute("UPDATE order_claims SET released_at = $2 WHERE number = $1", number, now)
            await db.execute(
                "INSERT INTO order_history (number, at, old, new, note) VALUES ($1, $2, $3, $4, $5)",
                number,
                now,
                old.value,
                new.value,
                note,
            )
            if owed is not None:
                key = owed_key(number, new)
                await db.execute(_ADD_JOB, EFFECTS, key, owed.due_at, owed.payload(old, new), None)
            moved = await self._fetch_order(db, "number", number)
            assert moved is not None
        if releases_stock(old, new):
            self._stock.changed(line.product_id for line in order.lines)  # its stock back, as seen from here
        return moved, old

    @staticmethod
    async def _revise(db: asyncpg.Connection, order: Order, revision: OrderRevision) -> None:
        revision.apply(order)
        await db.execute(
            "UPDATE orders SET payment_method = $1, details = $2, total_minor = $3, payment_ref = $4, "
            "payment_url = $5, payment_expires_at = $6 WHERE number = $7",
            order.payment_method,
            order_details(order),
            order.total.minor,
            order.payment_ref,
            order.payment_url,
            order.payment_expires_at,
            order.number,
        )

    async def revise_order(self, number: str, revision: OrderRevision, *, expect: OrderStatus, note: str = "") -> Order:
        now = utcnow()
        async with self.pool.acquire() as db, db.transaction():
            current = await db.fetchval("SELECT status FROM orders WHERE number = $1 FOR UPDATE", number)
            if current is None:
                raise KeyError(number)
            if OrderStatus(current) != expect:
                raise IllegalTransition(number, OrderStatus(current), expect)
            order = await self._fetch_order(db, "number", number)
            assert order is not None
            await self._revise(db, order, revision)
            await db.execute("UPDATE orders SET updated_at = $1 WHERE number = $2", now, number)
            await db.execute(
                "INSERT INTO order_history (number, at, old, new, note) VALUES ($1, $2, $3, $3, $4)",
                number,
                now,
                expect.value,
                note,
            )
            revised = await self._fetch_order(db, "number", number)
            assert revised is not None
            return revised

    async def record_amounts(
        self,
        number: str,
        *,
        paid_amount: int | None = None,
        refunded_amount: int | None = None,
        note: str = "",
    ) -> Order:
        now = utcnow()
        async with self.pool.acquire() as db, db.transaction():
            await db.execute(
                "UPDATE orders SET paid_minor = COALESCE($1, paid_minor), "
                "refunded_minor = COALESCE($2, refunded_minor), updated_at = $3 WHERE number = $4",
                paid_amount,
                refunded_amount,
                now,
                number,
            )
            order = await self._fetch_order(db, "number", number)
            if order is None:
                raise KeyError(number)
            await db.execute(
                "INSERT INTO order_history (number, at, old, new, note) VALUES ($1, $2, $3, $3, $4)",
                number,
                now,
                order.status.value,
                note,
            )
            moved = await self._fetch_order(db, "number", number)
            assert moved is not None
            return moved

    async def set_order_payment(
        self, number: str, *, ref: str | None, url: str | None, expires_at: datetime | None
    ) -> Order:
        async with self.pool.acquire() as db, db.transaction():
            await db.execute(
                "UPDATE orders SET payment_ref = $1, payment_url = $2, payment_expires_at = $3 WHERE number = $4",
                ref,
                url,
                expires_at,
                number,
            )
            order = await self._fetch_order(db, "number", number)
            if order is None:
                raise KeyError(number)
            return order

    async def expired_unpaid_orders(self, now: datetime, limit: int = 100) -> list[Order]:
        async with self.pool.acquire() as db:
            rows = await db.fetch(
                f"SELECT {_ORDER_COLUMNS} FROM orders WHERE status = 'pending_payment' "  # noqa: S608
                "AND payment_expires_at IS NOT NULL AND payment_expires_at <= $1 "
                "ORDER BY payment_expires_at LIMIT $2",
                now,
                limit,
            )
            return await self._orders(db, rows)

    async def event_seen(self, source: str, event_id: str) -> bool:
        query = "SELECT 1 FROM events WHERE source = $1 AND event_id = $2"
        return await self._fetchval(query, source, event_id) is not None

    async def record_event(self, source: str, event_id: str) -> bool:
        added = await self._fetchval(
            "INSERT INTO events (source, event_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1",
            source,
            event_id,
            utcnow(),
        )
        return added is not None

    # --- kv ----------------------------------------------------------------------------------
    async def kv_get(self, key: str, now: datetime) -> str | None:
        value = await self._fetchval(
            "SELECT value FROM kv WHERE key = $1 AND (expires_at IS NULL OR expires_at > $2)",
            key,
            now,
        )
        return None if value is None else str(value)

    async def kv_set(self, key: str, value: str, expires_at: datetime | None = None) -> None:
        await self._execute(
            "INSERT INTO kv (key, value, expires_at) VALUES ($1, $2, $3) ON CONFLICT (key) "
            "DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
            key,
            value,
            expires_at,
        )

    # --- scheduled jobs ----------------------------------------------------------------------
    async def schedule_job(
        self, kind: str, key: str, due_at: datetime, payload: str, *, customer_key: str | None, replace: bool
    ) -> bool:
        statement = _REPLACE_JOB if replace else _ADD_JOB
        status = await self._execute(statement, kind, key, due_at, payload, customer_key)
        return bool(status.endswith(" 1"))

    async def cancel_job(self, kind: str, key: str) -> bool:
        status = await self._execute("DELETE FROM jobs WHERE kind = $1 AND key = $2 AND status = 'pending'", kind, key)
        return bool(status == "DELETE 1")

    async def claim_due_jobs(self, now: datetime, owner: str, lease_seconds: float, limit: int) -> list[Job]:
        rows = await self._fetch(
            "UPDATE jobs SET lease_owner = $1, lease_until = $2::timestamptz + make_interval(secs => $3), "
            "attempts = attempts + 1, updated_at = now() "
            "WHERE id IN (SELECT id FROM jobs WHERE status = 'pending' AND due_at <= $2 "
            "AND (lease_until IS NULL OR lease_until <= $2) ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) "
            "RETURNING id, kind, key, due_at, payload, attempts, customer_key, status",
            owner,
            now,
            lease_seconds,
            limit,
        )
        return sorted((_job(row) for row in rows), key=lambda job: (job.due_at, job.id))

    async def extend_job_leases(self, job_ids: list[int], owner: str, until: datetime) -> None:
        await self._execute(
            "UPDATE jobs SET lease_until = $3 WHERE id = ANY($1::bigint[]) AND lease_owner = $2 AND status = 'pending'",
            job_ids,
            owner,
            until,
        )

    async def finish_job(self, job_id: int, owner: str) -> None:
        await self._execute(
            "UPDATE jobs SET status = 'done', lease_owner = NULL, lease_until = NULL, updated_at = now() "
            "WHERE id = $1 AND lease_owner = $2",
            job_id,
            owner,
        )

    async def retry_job(self, job_id: int, owner: str, due_at: datetime, error: str) -> None:
        await self._execute(
            "UPDATE jobs SET due_at = $3, last_error = $4, lease_owner = NULL, lease_until = NULL, updated_at = now() "
            "WHERE id = $1 AND lease_owner = $2",
            job_id,
            owner,
            due_at,
            error,
        )

    async def bury_job(self, job_id: int, owner: str, error: str) -> None:
        await self._execute(
            "UPDATE jobs SET status = 'dead', last_error = $3, lease_owner = NULL, lease_until = NULL, "
            "updated_at = now() WHERE id = $1 AND lease_owner = $2",
            job_id,
            owner,
            error,
        )

    async def get_job(self, kind: str, key: str) -> Job | None:
        row = await self._fetchrow(
            "SELECT id, kind, key, due_at, payload, attempts, customer_key, status, lease_until FROM jobs "
            "WHERE kind = $1 AND key = $2",
            kind,
            key,
        )
        return None if row is None else _job(row)

    # --- reminders and stock alerts ----------------------------------------------------------
    async def add_stock_alert(self, product_id: str, customer_key: str, at: datetime) -> bool:
        async with self.pool.acquire() as db:
            status = await db.execute(
                "INSERT INTO stock_alerts (product_id, customer_key, created_at) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING",
                product_id,
                customer_key,
                at,
            )
            return bool(status.endswith(" 1"))

    async def stock_alerts(self, limit: int = 1000) -> list[tuple[str, str]]:
        async with self.pool.acquire() as db:
            rows = await db.fetch(
                "SELECT product_id, customer_key FROM stock_alerts ORDER BY created_at LIMIT $1", limit
            )
            return [(row[0], row[1]) for row in rows]

    async def has_stock_alerts(self) -> bool:
        async with self.pool.acquire() as db:
            return bool(await db.fetchval("SELECT EXISTS (SELECT 1 FROM stock_alerts)"))

    async def take_stock_alert(self, product_id: str, customer_key: str) -> bool:
        async with self.pool.acquire() as db:
            status = await db.execute(
                "DELETE FROM stock_alerts WHERE product_id = $1 AND customer_key = $2", product_id, customer_key
            )
            return bool(status == "DELETE 1")

    async def add_reminder(self, kind: str, customer_key: str, subject: str, at: datetime) -> bool:
        async with self.pool.acquire() as db:
            status = await db.execute(
                "INSERT INTO reminders (kind, customer_key, subject, sent_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT DO NOTHING",
                kind,
                customer_key,
                subject,
                at,
            )
            return bool(status.endswith(" 1"))

    async def reminders_since(self, kind: str, since: datetime) -> list[tuple[str, datetime]]:
        async with self.pool.acquire() as db:
            rows = await db.fetch(
                "SELECT customer_key, sent_at FROM reminders WHERE kind = $1 AND sent_at >= $2 ORDER BY sent_at",
                kind,
                since,
            )
            return [(row[0], row[1]) for row in rows]

    async def purge(self, now: datetime, handled_before: datetime) -> int:
        async with self.pool.acquire() as db, db.transaction():
            deleted = 0
            for statement, value in (
                ("DELETE FROM kv WHERE expires_at <= $1", now),
                ("DELETE FROM inbox WHERE handled_at < $1", handled_before),
                ("DELETE FROM outbox WHERE status <> 'pending' AND created_at < $1", handled_before),
                ("DELETE FROM events WHERE at < $1", handled_before),
                ("DELETE FROM jobs WHERE status <> 'pending' AND updated_at < $1", handled_before),
                ("DELETE FROM reminders WHERE sent_at < $1", now - REMINDERS_KEPT),
            ):
                deleted += int((await db.execute(statement, value)).split()[-1])
            return deleted + await self._forget_idle_conversations(db, handled_before)

    @staticmethod
    async def _forget_idle_conversations(db: asyncpg.Connection, cutoff: datetime) -> int:
        """Idle conversations lose what :func:`forget_idle` drops; the number of rows deleted or changed.

        Only rows that hold something to drop are read, locked until the purge commits. The version
        moves on, so a turn that read the state before fails its version check and reads it again.
        """
        rows = await db.fetch(_IDLE_CONVERSATIONS, cutoff)
        changed = 0
        for row in rows:
            kept = forget_idle(loads(row["state"]))
            if kept is None:
                await db.execute("DELETE FROM conversations WHERE customer_key = $1", row["customer_key"])
            else:
                await db.execute(
                    "UPDATE conversations SET state = $2, version = version + 1 WHERE customer_key = $1",
                    row["customer_key"],
                    dumps(kept),
                )
            changed += 1
        return changed

    async def forget_customer(self, customer_key: str) -> int:
        channel, _, customer_id = customer_key.partition(":")
        async with self.pool.acquire() as db, db.transaction():
            deleted = 0
            for statement in (
                "DELETE FROM conversations WHERE customer_key = $1",
                "DELETE FROM jobs WHERE customer_key = $1",
                "DELETE FROM inbox WHERE customer_key = $1",
                "DELETE FROM outbox WHERE customer_key = $1",
                "UPDATE audit SET subject = 'forgotten' WHERE subject = $1",
                "DELETE FROM stock_alerts WHERE customer_key = $1",
                "DELETE FROM reminders WHERE customer_key = $1",
            ):
                deleted += int((await db.execute(statement, customer_key)).split()[-1])
            status = await db.execute(
                "DELETE FROM kv WHERE starts_with(key, $1) AND (right(key, length($2)) = $2 OR strpos(value, $3) > 0)",
                f"{channel}:",
                f":{customer_id}",
                dumps(customer_id),
            )
            return deleted + int(status.split()[-1])

    async def export_customer(self, customer_key: str) -> dict[str, Any]:
        channel, _, customer_id = customer_key.partition(":")

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        async with self.pool.acquire() as db, db.transaction(isolation="repeatable_read", readonly=True):
            conversation = await db.fetchrow(
                "SELECT state, version, last_inbound_at, updated_at FROM conversations WHERE customer_key = $1",
                customer_key,
            )
            received = await db.fetch(
                "SELECT message_id, payload, received_at, handled_at FROM inbox WHERE customer_key = $1 ORDER BY id",
                customer_key,
            )
            sent = await db.fetch(
                "SELECT payload, status, provider_message_id, created_at, sent_at FROM outbox "
                "WHERE customer_key = $1 ORDER BY id",
                customer_key,
            )
            jobs = await db.fetch(
                "SELECT kind, key, due_at, payload, status FROM jobs WHERE customer_key = $1 ORDER BY id", customer_key
            )
            values = await db.fetch(
                "SELECT key, value, expires_at FROM kv WHERE starts_with(key, $1) "
                "AND (right(key, length($2)) = $2 OR strpos(value, $3) > 0) ORDER BY key",
                f"{channel}:",
                f":{customer_id}",
                dumps(customer_id),
            )
        return {
            "conversation": None
            if conversation is None
            else {
                "state": loads(conversation["state"]),
                "version": conversation["version"],
                "last_message_at": iso(conversation["last_inbound_at"]),
                "updated_at": iso(conversation["updated_at"]),
            },
            "received": [
                {
                    "message_id": r["message_id"],
                    "message": loads(r["payload"]),
                    "received_at": iso(r["received_at"]),
                    "handled_at": iso(r["handled_at"]),
                }
                for r in received
            ],
            "sent": [
                {
                    "message": loads(r["payload"]),
                    "status": r["status"],
                    "messenger_id": r["provider_message_id"],
                    "queued_at": iso(r["created_at"]),
                    "sent_at": iso(r["sent_at"]),
                }
                for r in sent
            ],
            "jobs": [
                {
                    "kind": r["kind"],
                    "key": r["key"],
                    "due_at": iso(r["due_at"]),
                    "payload": loads(r["payload"]),
                    "status": r["status"],
                }
                for r in jobs
            ],
            "values": [{"key": r["key"], "value": r["value"], "expires_at": iso(r["expires_at"])} for r in values],
        }

    async def anonymise_orders(self, placed_before: datetime) -> int:
        async with self.pool.acquire() as db, db.transaction():
            rows = await db.fetch(
                "SELECT number, customer_key, details FROM orders WHERE created_at < $1 AND customer_key NOT LIKE $2 "
                "FOR UPDATE",
                placed_before,
                f"%:{ANONYMISED}",
            )
            for row in rows:
                channel = row["customer_key"].partition(":")[0]
                await db.execute(
                    "UPDATE orders SET customer_key = $1, details = $2, payment_url = NULL WHERE number = $3",
                    f"{channel}:{ANONYMISED}",
                    dumps(anonymised_details(loads(row["details"]))),
                    row["number"],
                )
            return len(rows)

    # --- dashboard numbers -------------------------------------------------------------------
    async def abandoned_carts(self, idle_before: datetime, since: datetime | None = None) -> int:
        count = await self._fetchval(
            "SELECT COUNT(*) FROM conversations c, LATERAL (SELECT c.state::jsonb -> 'cart' -> 'lines' AS lines) j "
            "WHERE c.updated_at < $1 AND ($2::timestamptz IS NULL OR c.updated_at >= $2) "
            "AND jsonb_typeof(j.lines) = 'array' AND jsonb_array_length(j.lines) > 0",
            idle_before,
            since,
        )
        return int(count or 0)

    # --- fused steps of the message path ---------------------------------------------------------
    async def receive(self, inbound: Inbound, lease: str, owner: str, seconds: float) -> tuple[bool, TurnClaim | None]:
        key = inbound.customer_key
        channel, text = inbound.channel, inbound_to_text(inbound)
        row = await self._receives((channel, inbound.message_id, key, text, utcnow(), lease, owner, float(seconds)))
        if not row["o_added"]:
            return False, None
        self.stats.lease_takeovers += row["o_taken_over"]
        if not row["o_held"]:
            return True, (False, None, None)
        payload = row["o_payload"]
        item = InboxItem(row["o_id"], inbound if payload is None else inbound_from_text(payload))
        record = ConversationRecord(key, loads(row["o_state"]), row["o_version"], row["o_last_inbound_at"])
        return True, (True, item, record)

    async def _receive_batch(self, batch: list[_ReceiveArgs]) -> list[asyncpg.Record]:
        if len(batch) == 1:
            return [await self._fetchrow(_RECEIVE, *batch[0])]
        return await self._in_lock_order(_RECEIVE_MANY, batch, lambda args: (args[2],), _columns)

    async def _in_lock_order(
        self,
        query: str,
        batch: Sequence[_Args],
        key: Callable[[_Args], tuple[str, ...]],
        columns: Callable[[list[_Args]], list[Any]],
    ) -> list[asyncpg.Record]:
        """One statement for a batch, its calls ordered by ``key`` (a stable sort: one customer's
        calls stay in arrival order) so that two workers' batches take the rows they share in the
        same order and do not deadlock; the rows come back in the callers' order."""
        order = sorted(range(len(batch)), key=lambda i: key(batch[i]))
        rows = await self._fetch(query, *columns([batch[i] for i in order]))
        answers: list[asyncpg.Record] = [None] * len(batch)
        for i, row in zip(order, rows, strict=True):
            answers[i] = row
        return answers

    async def claim_inbound(self, customer_key: str, lease: str, owner: str, seconds: float) -> TurnClaim:
        row = await self._fetchrow(_CLAIM_INBOUND, customer_key, lease, owner, float(seconds))
        if not row["held"]:
            return False, None, None
        self.stats.lease_takeovers += row["taken_over"]
        return (True, *_item_and_record(customer_key, row))

    async def next_inbound_or_release(
        self, customer_key: str, lease: str, owner: str
    ) -> tuple[InboxItem | None, ConversationRecord | None, bool]:
        row = await self._fetchrow(_NEXT_OR_RELEASE, customer_key, lease, owner)
        item, record = _item_and_record(customer_key, row)
        return item, record, bool(row["wanted"])

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
        state_text = dumps(state)
        row = await self._fetchrow(
            _COMMIT_TURN_THEN_NEXT,
            customer_key,
            state_text,
            utcnow(),
            expected_version,
            inbox_id,
            payloads(outbound),
            _handover_since(state),
            lease,
            owner,
        )
        if not row["ok"]:
            raise StaleConversation(customer_key)
        if row["id"] is None:
            return None, None, bool(row["wanted"])
        item = InboxItem(row["id"], inbound_from_text(row["payload"]))
        record = ConversationRecord(customer_key, loads(state_text), expected_version + 1, row["last_inbound_at"])
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
        state_text = dumps(state)
        now = utcnow()
        row = await self._finishes(
            (
                customer_key,
                inbox_id,
                state_text,
                now,
                expected_version,
                payloads(outbound),
                lease,
                owner,
                send_lease,
                send_owner,
                float(seconds),
                _handover_since(state),
            )
        )
        if not row["o_ok"]:
            raise StaleConversation(customer_key)
        item = record = None
        if row["o_id"] is not None:
            item = InboxItem(row["o_id"], inbound_from_text(row["o_payload"]))
            state_now = loads(state_text)
            record = ConversationRecord(customer_key, state_now, expected_version + 1, row["o_last_inbound_at"])
        self.stats.lease_takeovers += row["o_taken_over"]
        if not row["o_send_held"]:
            return FinishedTurn(item, record, row["o_wanted"], None, row["o_send_wanted"])
        # the replies just written come back by id only: they are the objects the caller passed
        written = dict(zip(row["o_queued"], outbound, strict=True))
        sends = []
        for outbox_id, payload, attempts, next_attempt_at, created_at in zip(
            row["o_ids"], row["o_payloads"], row["o_attempts"], row["o_next_attempts"], row["o_created"], strict=True
        ):
            if next_attempt_at is not None and next_attempt_at > now:
                break  # a later message must not overtake one waiting for its retry
            if payload is None:
                message, context = written[outbox_id], context_of(outbound)
            else:
                message, context = read(payload, customer_key)
            sends.append(OutboxItem(outbox_id, customer_key, message, attempts, created_at=created_at, context=context))
        return FinishedTurn(item, record, row["o_wanted"], sends)

    async def _finish_batch(self, batch: list[_FinishArgs]) -> list[asyncpg.Record]:
        if len(batch) == 1:
            return [await self._fetchrow(_FINISH_TURN, *batch[0])]
        return await self._in_lock_order(_FINISH_MANY, batch, lambda args: (args[0],), _finish_columns)

    async def claim_outbox(
        self, customer_key: str, lease: str, owner: str, seconds: float, now: datetime
    ) -> tuple[bool, list[OutboxItem]]:
        rows = await self._fetch(_CLAIM_OUTBOX, customer_key, lease, owner, float(seconds), now)
        if not rows[0]["held"]:  # another worker's, or nothing due (then no lease was taken)
            return False, []
        self.stats.lease_takeovers += rows[0]["taken_over"]
        return True, _due(customer_key, rows, now)

    async def pending_outbox_or_release(
        self, customer_key: str, lease: str, owner: str, now: datetime
    ) -> tuple[list[OutboxItem], bool]:
        rows = await self._fetch(_PENDING_OR_RELEASE, customer_key, lease, owner, now)
        if rows[0]["wanted"] is not None:  # released: nothing was due
            return [], bool(rows[0]["wanted"])
        return _due(customer_key, rows, now), False

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
        row = await self._sents(
            (outbox_id, provider_message_id, utcnow(), customer_key, lease, owner, now, *_count_params(count))
        )
        if row["o_wanted"] is not None:  # released: nothing was due
            return [], bool(row["o_wanted"])
        items = []
        for pending, payload, attempts, due, created_at in zip(
            row["o_ids"], row["o_payloads"], row["o_attempts"], row["o_next_attempts"], row["o_created"], strict=True
        ):
            if due is not None and due > now:
                break  # a later message must not overtake one waiting for its retry
            message, context = read(payload, customer_key)
            items.append(OutboxItem(pending, customer_key, message, attempts, created_at=created_at, context=context))
        return items, False

    async def _sent_batch(self, batch: list[_SentArgs]) -> list[asyncpg.Record]:
        if len(batch) == 1:
            return [await self._fetchrow(_SENT_THEN_PENDING, *batch[0])]
        return await self._in_lock_order(_SENT_THEN_PENDING_MANY, batch, _counted_first, _columns)

    # --- operations --------------------------------------------------------------------------
    async def queue_depths(self, now: datetime) -> QueueDepths:
        row = await self._fetchrow(
            "SELECT (SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL) AS inbox, COUNT(*) AS outbox, "
            "MIN(created_at) AS oldest FROM outbox WHERE status = 'pending'"
        )
        age = (now - row["oldest"]).total_seconds() if row["oldest"] is not None else 0.0
        return QueueDepths(int(row["inbox"]), int(row["outbox"]), max(age, 0.0))

    async def reserve_sends(
        self, name: str, interval: float, horizon: float, wanted: int, observed: int = 0, slack: float = 0.0
    ) -> tuple[float, int]:
        row = await self._fetchrow(
            "SELECT * FROM chatshop_reserve_sends($1, $2, $3, $4, $5, $6)",
            name,
            float(interval),
            float(horizon),
            wanted,
            observed,
            float(slack),
        )
        return float(row["o_delay"]), int(row["o_granted"])

    async def reserve_send_slots(
        self, name: str, interval: float, horizon: float, wanted: int, observed: int = 0, slack: float = 0.0
    ) -> tuple[float, int]:
        # The database's clock is read just after the function's, microseconds apart.
        row = await self._fetchrow(
            "SELECT r.o_delay + extract(epoch FROM clock_timestamp()) AS at, r.o_granted "
            "FROM chatshop_reserve_sends($1, $2, $3, $4, $5, $6) AS r",
            name,
            float(interval),
            float(horizon),
            wanted,
            observed,
            float(slack),
        )
        return float(row["at"]), int(row["o_granted"])

    # --- pair budgets ------------------------------------------------------------------------
    async def pace_pair(self, name: str, interval: float, window: float, burst: int, guard: float) -> float:
        wait = await self._fetchval(
            "SELECT chatshop_pace_pair($1, $2, $3, $4, $5)", name, float(interval), float(window), burst, float(guard)
        )
        return float(wait)

    async def give_back_pair(self, name: str, interval: float) -> None:
        await self._execute(
            "UPDATE pair_budgets SET burst_count = burst_count - 1, due = due - make_interval(secs => $2) "
            "WHERE name = $1 AND burst_count > 0",
            name,
            float(interval),
        )

    # --- leases ------------------------------------------------------------------------------
    async def acquire_lease(self, name: str, owner: str, seconds: float) -> bool:
        row = await self._fetchrow(_ACQUIRE, name, owner, float(seconds))
        self.stats.lease_takeovers += row["taken_over"]
        return bool(row["held"])

    async def release_lease(self, name: str, owner: str) -> bool:
        wanted = await self._fetchval("DELETE FROM leases WHERE name = $1 AND owner = $2 RETURNING wanted", name, owner)
        return bool(wanted)
