"""The storage contract: everything the shop keeps, behind one async interface.

Every method is one transaction. SQLite (the embedded default) and PostgreSQL implement it and pass
the same contract tests (``tests/store_contract.py``). Methods speak the domain (place an order,
commit a conversation turn), not SQL, so that each store can do each step in as few round trips as
its database allows.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import EllipsisType
from typing import Any, ClassVar

from chatshop.catalog import Product
from chatshop.channels import SendContext
from chatshop.costs import SentCount
from chatshop.jobs import Job
from chatshop.messages import DeliveryReport, Inbound, Outbound
from chatshop.order_effects import Owed
from chatshop.orders import Claim, Order, OrderRevision, OrderStatus
from chatshop.store.pair_rate import LocalPairs, PairRule
from chatshop.store.people import PeopleStore

__all__ = [
    "ANONYMISED",
    "MAX_ROWS",
    "REMINDERS_KEPT",
    "ClaimUse",
    "ConversationRecord",
    "FinishedTurn",
    "InboxItem",
    "InventoryItem",
    "InvoiceRecord",
    "LimitReached",
    "OutOfStock",
    "OutboxItem",
    "QueueDepths",
    "StaleConversation",
    "Store",
    "StoreStats",
    "TurnClaim",
    "anonymised_details",
    "bounded_page",
]


#: The most rows a look-up skips or returns: a page number parsed from a customer's choice id
#: ("orders:99999999999999999999") must not overflow SQLite's or PostgreSQL's 64-bit integers.
MAX_ROWS = 2**31


#: What an anonymised order's customer id is (``whatsapp:anonymised``).
ANONYMISED = "anonymised"


def anonymised_details(details: dict[str, Any]) -> dict[str, Any]:
    """An order's details without the customer: lines and amounts only."""
    kept = {k: v for k, v in details.items() if k in ("lines", "adjustments")}
    return {**kept, "address": None, "postal_code": None, "contact_name": None, "latitude": None, "longitude": None}


def bounded_page(limit: int, offset: int) -> tuple[int, int]:
    """``limit`` and ``offset`` within what every database takes (past the end is simply empty)."""
    return min(max(limit, 0), MAX_ROWS), min(max(offset, 0), MAX_ROWS)


#: How long a sent reminder is remembered: long enough to count the orders it recovered.
REMINDERS_KEPT = timedelta(days=60)


class OutOfStock(Exception):
    """Placing the order would take more than is left; nothing was reserved."""

    def __init__(self, shortages: dict[str, int]) -> None:
        super().__init__(f"not enough stock: {shortages}")
        self.shortages = shortages  # product id -> how many are left


class LimitReached(Exception):
    """A claim of the order was at its limit (the coupon's last use, the slot's last place went to
    another order first); nothing was reserved or saved."""

    def __init__(self, key: str) -> None:
        super().__init__(f"{key} is used up")
        self.key = key


class StockChanged(Exception):
    """The stock was no longer what the change was based on (a sale came between); nothing changed."""

    def __init__(self, product_id: str, current: int | None) -> None:
        super().__init__(f"the stock of {product_id} is now {'unlimited' if current is None else current}")
        self.product_id = product_id
        self.current = current  # None: unlimited


class StaleConversation(Exception):
    """Another worker committed this customer's conversation first (optimistic version check)."""


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int
    inbound: Inbound


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    customer_key: str
    state: dict[str, Any]
    version: int
    last_inbound_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    customer_key: str
    message: Outbound
    attempts: int = 0
    status: str = "pending"
    provider_message_id: str | None = None
    #: When the message was queued; set on the items of the outbox's look-ups (the sender gives
    #: a reply up once it has been failing for too long).
    created_at: datetime | None = None
    #: What the channel's ``send`` is told (the customer's language, the message this answers), as
    #: queued with the message (:mod:`chatshop.reply_context`); None for a row queued without one.
    context: SendContext | None = None

    @property
    def channel(self) -> str:
        return self.customer_key.split(":", 1)[0]

    @property
    def customer_id(self) -> str:
        return self.customer_key.split(":", 1)[1]


@dataclass(frozen=True, slots=True)
class FinishedTurn:
    """What :meth:`Store.finish_turn` found once the turn committed."""

    #: The customer's next unhandled message and the conversation it continues (None: none left).
    item: InboxItem | None
    record: ConversationRecord | None
    #: With no message left the turn lease went back; whether another worker asked for it meanwhile.
    wanted: bool
    #: The customer's due replies, their send lease held for the caller; None when it is not held
    #: (another sender has it and was told, or nothing was due).
    sends: list[OutboxItem] | None
    #: The caller's sender should look for due replies itself: the send lease was taken and given
    #: back (nothing due) while someone asked for it, or the claim failed after the commit.
    send_wanted: bool = False


@dataclass(slots=True)
class StoreStats:
    """What a store counts about itself, for ``/metrics`` and the benchmark."""

    #: Calls that went to the database and waited for its answer: statements sent to PostgreSQL
    #: (a transaction's BEGIN and COMMIT count too), hops to the SQLite store's thread.
    round_trips: int = 0
    #: Leases taken from another worker whose hold had lapsed (it died or stalled).
    lease_takeovers: int = 0


@dataclass(frozen=True, slots=True)
class QueueDepths:
    """The shop's backlog, for ``/metrics``: unhandled messages and unsent replies."""

    inbox: int
    outbox: int
    #: Age of the oldest reply still waiting to be sent (0 with none waiting).
    oldest_unsent_seconds: float


@dataclass(frozen=True, slots=True)
class InventoryItem:
    product_id: str
    stock: int | None  # None: unlimited
    price_minor: int | None  # None: the catalog's price
    active: bool = True


@dataclass(frozen=True, slots=True)
class ClaimUse:
    """How much of a claim's key is taken, and by which orders (for the dashboard)."""

    key: str
    used: int
    orders: int  # orders holding it that were not cancelled
    revenue_minor: int  # their totals


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    """An issued invoice: its number (gap-free per numbering year), the order, and what it says
    (a snapshot taken when it was issued, so a later change of the shop's address or the catalog
    never changes an invoice already sent)."""

    number: str
    order_number: str
    year: str
    seq: int
    token: str  # unguessable: the customer's link to the PDF
    issued_at: datetime
    data: dict[str, Any]


#: What claiming a customer's turn found: whether the lease is held, then (held) the oldest
#: unhandled message and the conversation it continues.
TurnClaim = tuple[bool, InboxItem | None, ConversationRecord | None]


class Store(PeopleStore, ABC):
    """Persistence for carts (in conversations), orders, inventory, the inbox and the outbox, and
    the shop's people (:class:`chatshop.store.people.PeopleStore`)."""

    #: Errors of the database itself (gone, restarted, locked by another process) rather than of
    #: what was asked of it: a turn that meets one is tried again whole, never answered as if the
    #: customer had said something wrong.
    faults: ClassVar[tuple[type[Exception], ...]] = (OSError,)
    #: Whether several processes share this store (their leases and send budgets go through it).
    shared: ClassVar[bool] = False

    def __init__(self) -> None:
        self.stats = StoreStats()
        self._local_pairs = LocalPairs()

    # --- lifecycle -------------------------------------------------------------------------
    @abstractmethod
    async def open(self) -> None:
        """Connect and bring the schema to the newest version (idempotent)."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    # --- inbox: every accepted message, once --------------------------------------------------
    @abstractmethod
    async def add_inbound(self, inbound: Inbound) -> bool:
        """Record a message durably; False if ``(channel, message_id)`` was already recorded.

        A message from the customer marks when they last wrote (``last_inbound_at``, which opens a
        messenger's reply window); the shop's own (``InboundKind.SHOP``) does not."""

    @abstractmethod
    async def next_inbound(self, customer_key: str) -> InboxItem | None:
        """The oldest message of this customer not yet handled."""

    @abstractmethod
    async def customers_with_pending_inbound(self, limit: int = 1000) -> list[str]:
        """Customers with unhandled messages (recovery after a crash), oldest first."""

    # --- conversation -----------------------------------------------------------------------
    @abstractmethod
    async def load_conversation(self, customer_key: str) -> ConversationRecord:
        """The saved dialog state (an empty one at version 0 for a new customer)."""

    @abstractmethod
    async def commit_turn(
        self,
        customer_key: str,
        inbox_id: int | None,
        state: dict[str, Any],
        expected_version: int,
        outbound: Sequence[Outbound],
    ) -> list[OutboxItem]:
        """Save the new state, queue the replies and mark the message handled, all or nothing.

        The state's ``handover_since`` (a person has the conversation) is kept in a column of its
        own for :meth:`waiting_conversations`; when it goes, so does the conversation's assignee.

        A turn for an inbound message also makes the customer's replies waiting for a retry due
        at once: the customer writing again reopens a messenger's reply window (WhatsApp 24 h,
        WeChat 48 h), so a held reply must not hold back the new ones for minutes.

        Raises :class:`StaleConversation` if the saved version is no longer ``expected_version``.
        """

    # --- outbox: replies and notifications, sent at least once -----------------------------------
    @abstractmethod
    async def enqueue(
        self, customer_key: str, outbound: Sequence[Outbound], *, author: str | None = None
    ) -> list[OutboxItem]:
        """Queue messages outside a turn (order status changes, payment receipts, a staff member's
        reply: ``author`` is their name, kept with the message for the transcript)."""

    @abstractmethod
    async def pending_outbox(self, customer_key: str, now: datetime) -> list[OutboxItem]:
        """This customer's unsent messages in order, up to the first one not yet due for retry."""

    @abstractmethod
    async def customers_with_due_outbox(self, now: datetime, limit: int = 1000) -> list[str]: ...

    @abstractmethod
    async def mark_sent(self, outbox_id: int, provider_message_id: str | None, count: SentCount | None = None) -> None:
        """Mark a message sent; with ``count``, count it (its day, channel, billing, order) in the
        same transaction, so a message is counted exactly when it is recorded sent."""

    @abstractmethod
    async def message_counts(self, since: date) -> list[tuple[date, str, str, int]]:
        """``(day, channel, billing, messages)`` counted since the shop's day ``since``."""

    @abstractmethod
    async def order_message_counts(self, number: str) -> list[tuple[str, str, int]]:
        """``(channel, billing, messages)`` of the messages about order ``number``."""

    @abstractmethod
    async def mark_retry(self, outbox_id: int, next_attempt_at: datetime, error: str) -> None: ...

    @abstractmethod
    async def mark_failed(self, outbox_id: int, error: str) -> None: ...

    @abstractmethod
    async def record_delivery(self, report: DeliveryReport) -> OutboxItem | None:
        """Apply a messenger's status (delivered, read, failed) to the message it names."""

    # --- inventory: stock and price changes made while the shop runs ------------------------------
    @abstractmethod
    async def seed_inventory(self, products: Iterable[Product]) -> None:
        """Create inventory rows for products not yet known; existing rows are left alone."""

    @abstractmethod
    async def inventory(
        self, product_ids: Iterable[str] | None = None, *, fresh: bool = False
    ) -> dict[str, InventoryItem]:
        """Stock, price and on/off state of ``product_ids`` (all products: None); a product without a
        row is missing. A store may answer from what it kept, as current as the changes it has
        heard; ``fresh`` asks the database itself: the price an order is confirmed at."""

    @abstractmethod
    async def update_inventory(
        self,
        product_id: str,
        *,
        stock: int | EllipsisType | None = ...,
        price_minor: int | EllipsisType | None = ...,
        active: bool | EllipsisType = ...,
        stock_was: int | EllipsisType | None = ...,
    ) -> InventoryItem:
        """Change what is given (``...`` leaves a field as it is), all or nothing.

        With ``stock_was``, the stock is set only if it still is that (a compare-and-set): a sale
        between reading the stock and writing it raises :class:`StockChanged` and changes nothing,
        so an edit made from a page cannot put back stock that customers bought meanwhile.
        """

    # --- orders ---------------------------------------------------------------------------
    @abstractmethod
    async def place_order(
        self, order: Order, claims: Sequence[Claim] = (), *, owed: Owed | None = None
    ) -> tuple[Order, bool]:
        """Reserve stock, take ``claims`` and save the order atomically; ``(order, created)``.

        The same ``placement_key`` returns the existing order and ``created=False``. Raises
        :class:`OutOfStock` (nothing changed) when any line cannot be reserved (a product taken
        off sale counts as a shortage of 0, however much is left: it may have been switched off
        after the checkout read it), and
        :class:`LimitReached` (nothing changed) when a claim is at its limit. A new order's
        ``owed`` job (see :mod:`chatshop.order_effects`) is written in the same transaction.
        """

    @abstractmethod
    async def claim_counts(self, keys: Iterable[str]) -> dict[str, int]:
        """How many uses of each key orders hold now (keys never used are absent)."""

    @abstractmethod
    async def claim_uses(self, prefix: str) -> list[ClaimUse]:
        """Every key starting with ``prefix``: its uses, the orders holding it and their revenue."""

    # --- invoices --------------------------------------------------------------------------------
    @abstractmethod
    async def issue_invoice(
        self,
        order_number: str,
        year: str,
        number: Callable[[int], str],
        data: dict[str, Any],
        token: str,
        issued_at: datetime,
    ) -> tuple[InvoiceRecord, bool]:
        """The order's invoice, issued now if it has none; ``(invoice, created)``.

        Its sequence number is the next of ``year`` (``number(seq)`` makes the invoice number),
        taken in the same transaction that saves it: across workers and crashes the numbers of a
        year have no gap and no repeat.
        """

    @abstractmethod
    async def get_invoice(self, *, order_number: str | None = None, token: str | None = None) -> InvoiceRecord | None:
        """The invoice of an order, or the one with this link token."""

    @abstractmethod
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
        """A credit note that brings what the order's invoice is credited, in all, to
        ``credited_minor``: for the part not credited yet (``data(amount_minor)`` says what it
        shows), numbered next in ``year``'s credit-note series in the same transaction that saves
        it. None when that much is credited already (the same refund told twice, on any worker).
        The order must have its invoice."""

    @abstractmethod
    async def credit_notes(self, order_number: str) -> list[InvoiceRecord]:
        """The order's credit notes, oldest first (``InvoiceRecord``: the same shape as an invoice)."""

    @abstractmethod
    async def get_credit_note(self, token: str) -> InvoiceRecord | None:
        """The credit note with this link token."""

    @abstractmethod
    async def get_order(self, number: str) -> Order | None: ...

    @abstractmethod
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
        """Newest first; ``offset`` skips that many of the newest (a later page)."""

    @abstractmethod
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
        """Move an order along the state table; ``(order, old status)``.

        Raises :class:`chatshop.orders.IllegalTransition` (nothing changed) when the move is not in
        the table. Cancelling an order whose stock is reserved puts the stock back in the same
        transaction, and so are the order's claims (a coupon's use, a delivery slot's place); a
        ``revision`` (the shipment it ships with, the method it switches to) is written in it too,
        and so is the job ``owed`` describes (see :mod:`chatshop.order_effects`).
        """

    @abstractmethod
    async def revise_order(self, number: str, revision: OrderRevision, *, expect: OrderStatus, note: str = "") -> Order:
        """Change an order that is in status ``expect`` without moving it (a shipped order's
        tracking corrected); :class:`chatshop.orders.IllegalTransition` (nothing changed) when it
        is in another status."""

    @abstractmethod
    async def record_amounts(
        self, number: str, *, paid_amount: int | None = None, refunded_amount: int | None = None, note: str = ""
    ) -> Order:
        """Record money received or refunded without a status move (a partial refund)."""

    @abstractmethod
    async def set_order_payment(
        self, number: str, *, ref: str | None, url: str | None, expires_at: datetime | None
    ) -> Order: ...

    @abstractmethod
    async def expired_unpaid_orders(self, now: datetime, limit: int = 100) -> list[Order]:
        """``pending_payment`` orders whose payment expired before ``now``."""

    @abstractmethod
    async def event_seen(self, source: str, event_id: str) -> bool:
        """Whether a provider event was recorded as applied already (a replay to ignore)."""

    @abstractmethod
    async def record_event(self, source: str, event_id: str) -> bool:
        """Remember a provider event as applied; False if it was recorded before."""

    # --- numbers for the shop's dashboard -------------------------------------------------------
    @abstractmethod
    async def abandoned_carts(self, idle_before: datetime, since: datetime | None = None) -> int:
        """How many customers left a non-empty cart untouched since ``idle_before``.

        A conversation counts when its saved state's ``cart.lines`` list is not empty and its last
        commit (``updated_at``) is older than ``idle_before``, and, when ``since`` is given, not older
        than ``since``. Every store implements it (SQLite: ``json_array_length(state, '$.cart.lines')``;
        PostgreSQL: ``jsonb_array_length(state::jsonb -> 'cart' -> 'lines')``). Used by the dashboard.
        """

    # --- small shared values (a messenger's access token shared by all workers) -------------------
    @abstractmethod
    async def kv_get(self, key: str, now: datetime) -> str | None: ...

    @abstractmethod
    async def kv_set(self, key: str, value: str, expires_at: datetime | None = None) -> None: ...

    # --- scheduled jobs (see chatshop.jobs) ------------------------------------------------
    @abstractmethod
    async def schedule_job(
        self, kind: str, key: str, due_at: datetime, payload: str, *, customer_key: str | None, replace: bool
    ) -> bool:
        """Add the job ``(kind, key)``; an existing one (pending, done or dead) is kept as it is,
        unless ``replace``: then it is pending again at ``due_at`` with ``payload``. True if written."""

    @abstractmethod
    async def cancel_job(self, kind: str, key: str) -> bool:
        """Delete the pending job ``(kind, key)``; True if there was one."""

    @abstractmethod
    async def claim_due_jobs(self, now: datetime, owner: str, lease_seconds: float, limit: int) -> list[Job]:
        """Lease up to ``limit`` pending jobs due by ``now`` (none leased by a live worker) to
        ``owner``, counting an attempt each: no two workers ever hold the same job."""

    @abstractmethod
    async def extend_job_leases(self, job_ids: list[int], owner: str, until: datetime) -> None:
        """Hold the pending jobs ``owner`` still holds until ``until`` (it is running them)."""

    @abstractmethod
    async def finish_job(self, job_id: int, owner: str) -> None:
        """Mark a job ``owner`` holds as done (kept until purged, so its key is not scheduled again)."""

    @abstractmethod
    async def retry_job(self, job_id: int, owner: str, due_at: datetime, error: str) -> None:
        """Release a job ``owner`` holds, pending again at ``due_at``."""

    @abstractmethod
    async def bury_job(self, job_id: int, owner: str, error: str) -> None:
        """Keep a job that failed every attempt as dead: never run again, never scheduled again."""

    @abstractmethod
    async def get_job(self, kind: str, key: str) -> Job | None:
        """The job ``(kind, key)`` in whatever state it is, or None."""

    # --- reminders and stock alerts (what the shop tells customers on its own initiative) ----------
    @abstractmethod
    async def add_stock_alert(self, product_id: str, customer_key: str, at: datetime) -> bool:
        """The customer wants to hear when ``product_id`` is back; False if they asked already."""

    @abstractmethod
    async def stock_alerts(self, limit: int = 1000) -> list[tuple[str, str]]:
        """``(product_id, customer_key)`` of the customers waiting for a product, oldest first."""

    @abstractmethod
    async def has_stock_alerts(self) -> bool:
        """Whether any customer waits for a product to come back."""

    @abstractmethod
    async def take_stock_alert(self, product_id: str, customer_key: str) -> bool:
        """End an alert; True for the one caller that ended it (the one that tells the customer)."""

    @abstractmethod
    async def add_reminder(self, kind: str, customer_key: str, subject: str, at: datetime) -> bool:
        """Record a reminder about ``subject`` (a cart); False if one was sent already: never two."""

    @abstractmethod
    async def reminders_since(self, kind: str, since: datetime) -> list[tuple[str, datetime]]:
        """``(customer_key, sent_at)`` of the reminders of ``kind`` sent since ``since``, oldest first."""

    @abstractmethod
    async def purge(self, now: datetime, handled_before: datetime) -> int:
        """Forget what is no longer needed; the number of rows deleted.

        Expired kv values; reminders older than ``REMINDERS_KEPT`` (the dashboard counts what they
        recovered); inbox messages handled before ``handled_before`` (their text can hold an
        address, and they are kept only as long as a messenger may redeliver them); outbox
        messages finished before it; payment events seen before it; and conversations idle since
        before it (no message in, no turn committed, nothing unhandled) lose what
        :func:`chatshop.store.codec.forget_idle` drops: an abandoned checkout's address, the
        profile name, the last search, or the whole row when the cart is empty. Orders are never
        purged here.
        """

    @abstractmethod
    async def forget_customer(self, customer_key: str) -> int:
        """Erase one customer (their right to erasure); the number of rows deleted.

        Their conversation (cart, checkout, profile name), every inbox message and outbox reply,
        handled or not, their stock alerts, the reminders sent to them, and the kv values kept for
        them: keys ending in ``:<customer id>`` (the web chat history, the WhatsApp window, their
        word on marketing) and values naming them as a JSON string (a WhatsApp notification kept
        for a resend). Orders and their history stay whole: they are the shop's
        record of a sale, which fulfilment and accounting need (see docs/privacy.md). The audit
        log keeps what staff did but no longer whom it was about (its subject becomes ``forgotten``).
        """

    @abstractmethod
    async def export_customer(self, customer_key: str) -> dict[str, Any]:
        """Everything kept about one customer but their orders (their right of access), as JSON:
        ``conversation`` (the saved state, or None), ``received`` and ``sent`` (the messages still
        kept, both ways, oldest first), ``jobs`` (scheduled for them) and ``values`` (the kv values
        :meth:`forget_customer` would erase: the web chat history, a messenger's window, the ad they
        came from). Times are ISO 8601 text."""

    @abstractmethod
    async def anonymise_orders(self, placed_before: datetime) -> int:
        """Strip the customer from orders placed before ``placed_before`` (``[storage]
        order_retention_years``); how many changed. What was sold, for how much, when and how it
        was paid stays (the shop's books); the customer's id becomes ``CHANNEL:anonymised``, and the
        address, contact name, location, referral and checkout answers go. Idempotent."""

    # --- operations --------------------------------------------------------------------------
    @abstractmethod
    async def queue_depths(self, now: datetime) -> QueueDepths:
        """How many messages wait for their turn and replies for their send, and the oldest reply's age."""

    # --- send budgets: a rate shared by every worker (a messenger's per-number throughput) ----------
    @abstractmethod
    async def reserve_sends(
        self, name: str, interval: float, horizon: float, wanted: int, observed: int = 0, slack: float = 0.0
    ) -> tuple[float, int]:
        """Reserve up to ``wanted`` send slots of the budget ``name``; ``(delay, granted)``.

        Slots are ``interval`` seconds apart across all workers (the rate is ``1 / interval``), on
        the store's clock. ``observed`` slots are used up first whatever the room (messages the
        budget counts that nobody sends: a customer's inbound ones). Slots are handed out at most
        ``horizon`` seconds ahead, so a worker that dies holding some wastes at most that much of
        the budget. Slots left unused up to ``slack`` seconds ago may still be handed out (a short
        lull between requests costs no throughput). The first granted slot is ``delay`` seconds
        from now (negative: it is due), the
        others follow at ``interval``; with ``granted == 0`` the next free slot is ``delay`` seconds
        away: ask again once it is within ``horizon``.
        """

    async def reserve_send_slots(
        self, name: str, interval: float, horizon: float, wanted: int, observed: int = 0, slack: float = 0.0
    ) -> tuple[float, int]:
        """:meth:`reserve_sends`, with the first slot as a time on the wall clock (``time.time()``)
        rather than a delay: every worker of a host reads that clock alike (and the machines of a
        deployment to within NTP's accuracy), so how long the answer took to come back does not
        shift one worker's slots against another's. A shared store reads its own clock for it."""
        delay, granted = await self.reserve_sends(name, interval, horizon, wanted, observed, slack)
        return time.time() + delay, granted

    # --- tracing -----------------------------------------------------------------------------
    async def latest_inbound_trace(self, customer_key: str) -> str | None:
        """The trace context (``Inbound.trace``) of the customer's latest message in the inbox: what
        a reply sent by a worker that did not run its turn links to (only asked with tracing on).
        This default knows none."""
        return None

    # --- pair budgets: how fast one customer may be messaged (WhatsApp's pair rate) ---------------
    async def pace_pair(self, name: str, interval: float, window: float, burst: int, guard: float) -> float:
        """Charge one message to the pair ``name`` under the rule of :class:`chatshop.store.pair_rate.PairRule`:
        0.0 when it may go now, else the seconds to wait, with nothing charged. The pair's state is
        all there is, nothing is held: a worker that dies after a charge costs that customer one
        interval at most. This default keeps pairs in this process's memory (a store only one
        process uses); a shared store keeps them where every worker sees them."""
        return self._local_pairs.pace(name, PairRule(interval, window, burst, guard))

    async def give_back_pair(self, name: str, interval: float) -> None:
        """Undo the last charge of ``name`` (one ``interval``): its message was refused or never sent."""
        self._local_pairs.give_back(name, interval)

    # --- leases: one worker at a time per customer, across processes and machines -----------------
    @abstractmethod
    async def acquire_lease(self, name: str, owner: str, seconds: float) -> bool:
        """Take the lease ``name`` (or extend it, if ``owner`` holds it) for ``seconds``.

        False while another owner holds it; that refusal is remembered, so the holder learns on
        release that someone wanted the lease (new work arrived that it must look at). A lease
        lapses by itself, so a worker killed while holding one blocks nobody for long.
        """

    @abstractmethod
    async def release_lease(self, name: str, owner: str) -> bool:
        """Give the lease back now; True if another owner asked for it while ``owner`` held it."""

    # --- fused steps of the message path: one round trip where the database allows ---------------
    # The defaults compose the steps above; a networked store overrides them with one statement.
    async def receive(self, inbound: Inbound, lease: str, owner: str, seconds: float) -> tuple[bool, TurnClaim | None]:
        """:meth:`add_inbound`, then (for a new message) :meth:`claim_inbound`: a message recorded
        and the turn it starts claimed in one step. ``(False, None)`` for a duplicate."""
        if not await self.add_inbound(inbound):
            return False, None
        return True, await self.claim_inbound(inbound.customer_key, lease, owner, seconds)

    async def claim_inbound(self, customer_key: str, lease: str, owner: str, seconds: float) -> TurnClaim:
        """Take ``lease``; if held, also the oldest unhandled message and the conversation."""
        if not await self.acquire_lease(lease, owner, seconds):
            return False, None, None
        item = await self.next_inbound(customer_key)
        return True, item, await self.load_conversation(customer_key) if item else None

    async def next_inbound_or_release(
        self, customer_key: str, lease: str, owner: str
    ) -> tuple[InboxItem | None, ConversationRecord | None, bool]:
        """The next unhandled message and the conversation, keeping ``lease``; with none left,
        release the lease instead and say whether another worker asked for it."""
        item = await self.next_inbound(customer_key)
        if item is None:
            return None, None, await self.release_lease(lease, owner)
        return item, await self.load_conversation(customer_key), False

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
        """:meth:`commit_turn`, then :meth:`next_inbound_or_release`: a handled message and the
        customer's next one in one step. The next message is read only once the turn committed."""
        await self.commit_turn(customer_key, inbox_id, state, expected_version, outbound)
        return await self.next_inbound_or_release(customer_key, lease, owner)

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
        """:meth:`commit_turn_then_next`, then :meth:`claim_outbox` for ``send_owner``: the turn's
        replies come back ready to send, their lease held, unless someone else is sending to the
        customer. ``send_owner`` must be unique to this call: a lease held by the same owner would
        be granted again, and two senders could take the same replies."""
        item, record, wanted = await self.commit_turn_then_next(
            customer_key, inbox_id, state, expected_version, outbound, lease, owner
        )
        try:
            held, sends = await self.claim_outbox(customer_key, send_lease, send_owner, seconds, datetime.now(UTC))
        except Exception:
            # The turn is committed: a claim that failed (a dropped connection) must not make it look
            # failed. The caller's sender claims the replies itself instead.
            return FinishedTurn(item, record, wanted, None, send_wanted=True)
        if held and not sends:
            return FinishedTurn(item, record, wanted, None, await self.release_lease(send_lease, send_owner))
        return FinishedTurn(item, record, wanted, sends if held else None)

    async def claim_outbox(
        self, customer_key: str, lease: str, owner: str, seconds: float, now: datetime
    ) -> tuple[bool, list[OutboxItem]]:
        """Take ``lease`` and the customer's due messages (as :meth:`pending_outbox`).

        ``(False, [])`` when another owner holds the lease, or when nothing is due: then the lease
        is not taken, since a sender woken by a release that said "wanted" often finds the reply
        that asked already sent by the holder. A reply committed after the look needs no sender
        woken: its turn takes the free lease itself, or marks the holder's as wanted. Held, the
        due messages are read again (one may have been sent before the lease was ours), so the
        answer may be ``(True, [])``: the caller's release then says whether someone asked.
        """
        if not await self.pending_outbox(customer_key, now):
            return False, []
        if not await self.acquire_lease(lease, owner, seconds):
            return False, []
        return True, await self.pending_outbox(customer_key, now)

    async def pending_outbox_or_release(
        self, customer_key: str, lease: str, owner: str, now: datetime
    ) -> tuple[list[OutboxItem], bool]:
        """The due messages, keeping ``lease``; with none due, release it and say whether it was wanted."""
        items = await self.pending_outbox(customer_key, now)
        if not items:
            return [], await self.release_lease(lease, owner)
        return items, False

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
        """:meth:`mark_sent`, then :meth:`pending_outbox_or_release`: the last send of a batch is
        recorded (and counted), and the next batch looked up, in one step."""
        await self.mark_sent(outbox_id, provider_message_id, count)
        return await self.pending_outbox_or_release(customer_key, lease, owner, now)
