"""Orders and the one table of moves an order may make.

Online:  pending_payment → paid → confirmed → shipped → delivered
Cash:    cod_pending → confirmed → shipped → delivered (paid on delivery)
Cash to online (the customer chose to pay online after all): cod_pending → pending_payment
Return to origin: shipped → returned (the customer refused the parcel, or the courier could not
deliver it, and it came back to the shop).
Any order not yet shipped may be cancelled; a cancelled, returned or delivered order that was paid
may be refunded. Anything else raises :class:`IllegalTransition`, in the store as in the dialog.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chatshop.messages import OrderLine, OrderSummary
from chatshop.money import Money

__all__ = [
    "TRANSITIONS",
    "Claim",
    "IllegalTransition",
    "Order",
    "OrderRevision",
    "OrderStatus",
    "Shipment",
    "ShipmentError",
    "new_order_number",
    "refund_reference",
    "releases_stock",
]


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    COD_PENDING = "cod_pending"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    #: Back at the shop undelivered (refused at the door, or the courier could not deliver: "RTO").
    RETURNED = "returned"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.CONFIRMED, S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.COD_PENDING: frozenset({S.CONFIRMED, S.SHIPPED, S.CANCELLED, S.PENDING_PAYMENT}),
    S.CONFIRMED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.RETURNED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.RETURNED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}

#: States from which stock goes back on the shelf when the order is cancelled.
RELEASES_STOCK = frozenset({S.PENDING_PAYMENT, S.PAID, S.COD_PENDING, S.CONFIRMED})


def releases_stock(old: OrderStatus, new: OrderStatus) -> bool:
    """Whether moving ``old`` → ``new`` ends an order that never reached its customer, so its stock
    and its claims (a coupon's use, a slot's place) go back: a cancel, a paid order refunded in full
    (it is then over, and will never ship), or a parcel that came back to the shop (its goods are
    on the shelf again). A cancelled or returned order refunded later gave them back already."""
    if new is S.RETURNED:
        return True
    return new in (S.CANCELLED, S.REFUNDED) and old in RELEASES_STOCK


class IllegalTransition(Exception):
    def __init__(self, number: str, old: OrderStatus, new: OrderStatus) -> None:
        super().__init__(f"order {number} cannot go from {old} to {new}")
        self.number, self.old, self.new = number, old, new


def check_transition(number: str, old: OrderStatus, new: OrderStatus) -> None:
    if new not in TRANSITIONS[old]:
        raise IllegalTransition(number, old, new)


@dataclass(frozen=True, slots=True)
class Claim:
    """One use of something counted and limited, taken with the order or not at all: a coupon's
    uses (``discount:SOMMER10``), a delivery slot's capacity (``slot:2026-06-02T09:00``).

    The store counts the uses of ``key`` atomically as it saves the order and refuses it when
    ``limit`` uses are taken (:class:`chatshop.store.base.LimitReached`): a last use raced by two
    customers on two workers goes to one. A cancelled order gives its uses back. ``limit`` None
    counts without refusing (a discount without ``max_uses``, counted for the dashboard).
    """

    key: str
    limit: int | None = None
    #: For the dialog when the limit is reached at placement: the text that says so (its values:
    #: ``key``) and the checkout step that asks again (None: the summary, shown anew).
    message: str | None = None
    step: str | None = None
MAX_CARRIER = 60
MAX_TRACKING_NUMBER = 60
MAX_TRACKING_URL = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _/.\-]*")
#: A web page a customer can open: http(s), a host, no spaces or quotes (it lands in messages and pages).
_TRACKING_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s\"'<>\\^`{|}]*)?")


class ShipmentError(ValueError):
    """What staff typed for a shipment is not usable; ``field`` names it (``tracking_number``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field.replace('_', ' ')}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Shipment:
    """How a shipped order travels: the carrier, its tracking number and (optionally) its tracking page."""

    carrier: str
    tracking_number: str
    tracking_url: str | None = None

    @classmethod
    def parse(cls, carrier: str | None, tracking_number: str | None, tracking_url: str | None = None) -> Shipment:
        """A shipment from what staff typed (the command line, the dashboard's form); ValueError
        saying which field is wrong. Control characters are refused, not stripped: a number that
        is not what was typed would send the customer looking for the wrong parcel."""
        carrier = " ".join((carrier or "").split())
        number = (tracking_number or "").strip()
        url = (tracking_url or "").strip() or None
        if not carrier:
            raise ShipmentError("carrier", "name the carrier (e.g. Delhivery, DHL)")
        if len(carrier) > MAX_CARRIER or _CONTROL.search(carrier):
            raise ShipmentError("carrier", f"at most {MAX_CARRIER} printable characters")
        if not number:
            raise ShipmentError("tracking_number", "required with a carrier")
        if len(number) > MAX_TRACKING_NUMBER or not _TRACKING_NUMBER.fullmatch(number):
            limit = MAX_TRACKING_NUMBER
            raise ShipmentError("tracking_number", f"letters, digits, spaces and - _ / . only, at most {limit}")
        if url is not None and (len(url) > MAX_TRACKING_URL or not _TRACKING_URL.fullmatch(url)):
            raise ShipmentError("tracking_url", "expected a web address such as https://track.example.com/123")
        return cls(carrier, number, url)

    def to_json(self) -> dict[str, str]:
        data = {"carrier": self.carrier, "tracking_number": self.tracking_number}
        if self.tracking_url:
            data["tracking_url"] = self.tracking_url
        return data

    @classmethod
    def from_json(cls, data: Any) -> Shipment | None:
        if not isinstance(data, dict) or not data.get("carrier"):
            return None
        return cls(str(data["carrier"]), str(data.get("tracking_number") or ""), data.get("tracking_url") or None)


@dataclass(frozen=True, slots=True)
class OrderRevision:
    """What changes in an order besides its status, in the same transaction as the move: the
    shipment given when it ships, or the method, fee lines and payment window of a cash order the
    customer chose to pay online after all (with its tax anew). ``None`` leaves a part as it is."""

    payment_method: str | None = None
    adjustments: tuple[tuple[str, Money], ...] | None = None
    payment_expires_at: datetime | None = None
    shipment: Shipment | None = None
    #: The order's ``extras`` anew (the tax breakdown of what it now charges).
    extras: dict[str, Any] | None = None

    def apply(self, order: Order) -> None:
        """Change ``order`` in place (the stores then write what it became)."""
        if self.payment_method is not None:
            order.payment_method = self.payment_method
            order.payment_ref = order.payment_url = None  # a new method starts without a link
        if self.adjustments is not None:
            order.adjustments = self.adjustments
        if self.payment_expires_at is not None:
            order.payment_expires_at = self.payment_expires_at
        if self.shipment is not None:
            order.shipment = self.shipment
        if self.extras is not None:
            order.extras = self.extras


_FAILED_REFUND = re.compile(r"^refund \S+ failed\b")
#: The notes a dispute leaves (see :meth:`Ordering._disputed` and after): opened ("dispute of 490.00
#: INR at stripe: dp_1 (fraudulent); ..."), ended ("dispute dp_1 over at ...", "dispute dp_1 lost
#: at ..."), or noted while open ("dispute dp_1 update at ...").
_DISPUTE_OPENED = re.compile(r"^dispute of [^:]*: (\S+)")
_DISPUTE_ENDED = re.compile(r"^dispute (\S+) (?:over|lost) ")
_DISPUTE_NAMED = re.compile(r"^dispute (\S+) ")

MAX_REFUND_REFERENCE = 60
#: The history note of a refund made outside any provider (a UPI or bank transfer), by its reference.
OUTSIDE_REFUND_NOTE = "refund sent outside chatshop: {amount} ref {reference}"


def refund_reference(text: str | None) -> str:
    """The reference of a refund the shop made itself (a UPI transaction id, a bank transfer's
    UTR), as staff typed it; ValueError saying what is wrong. It is how the customer finds the
    money in their bank statement, and how the same refund is never recorded twice."""
    reference = " ".join((text or "").split())
    if not reference:
        raise ValueError("reference: the UPI transaction id or the bank transfer's reference (UTR)")
    if len(reference) > MAX_REFUND_REFERENCE or _CONTROL.search(reference):
        raise ValueError(f"reference: at most {MAX_REFUND_REFERENCE} printable characters")
    return reference

# No 0/O, 1/I/L: a number a customer can read out over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE_LENGTH = 6


def new_order_number() -> str:
    """Like ``K7M-4QX``: short, unambiguous, unguessable enough not to leak order volume."""
    # One draw from the system's randomness, not six: each is a system call (~35 µs on a VM).
    value = secrets.randbelow(len(_ALPHABET) ** _CODE_LENGTH)
    code = []
    for _ in range(_CODE_LENGTH):
        value, digit = divmod(value, len(_ALPHABET))
        code.append(_ALPHABET[digit])
    return f"{''.join(code[:3])}-{''.join(code[3:])}"


@dataclass(slots=True)
class Order:
    number: str
    customer_key: str  # "channel:customer id"
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    adjustments: tuple[tuple[str, Money], ...]
    currency: str
    payment_method: str
    placement_key: str
    address: str | None = None
    postal_code: str | None = None
    contact_name: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    created_at: datetime | None = None
    paid_amount: int = 0  # minor units
    refunded_amount: int = 0
    payment_ref: str | None = None  # the provider's id (link, session, out_trade_no)
    payment_url: str | None = None
    payment_expires_at: datetime | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    #: The answers of dialog features' checkout steps, by feature name (see ``Checkout.extras``).
    extras: dict[str, Any] = field(default_factory=dict)
    #: The ad or post that brought the customer (``chatshop.referrals``), when one did.
    referral: dict[str, str] | None = None
    #: Carrier and tracking, once the order ships with them.
    shipment: Shipment | None = None

    @property
    def channel(self) -> str:
        return self.customer_key.split(":", 1)[0]

    @property
    def customer_id(self) -> str:
        return self.customer_key.split(":", 1)[1]

    @property
    def subtotal(self) -> Money:
        return Money.sum((line.unit_price * line.quantity for line in self.lines), self.currency)

    @property
    def total(self) -> Money:
        return self.subtotal + Money.sum((amount for _, amount in self.adjustments), self.currency)

    @property
    def paid(self) -> Money:
        return Money(self.paid_amount, self.currency)

    @property
    def is_paid(self) -> bool:
        return self.paid_amount >= self.total.minor > 0

    @property
    def failed_refunds(self) -> int:
        """Refunds the provider reported failed (noted "refund ID failed"): part of a refund's
        idempotency key, so asking again makes a new refund instead of replaying the failed one."""
        return sum(1 for entry in self.history if _FAILED_REFUND.match(str(entry.get("note", ""))))

    def refund_key(self, amount: Money) -> str:
        """An idempotency key for refunding ``amount`` now: the same while the refund is retried, a
        new one once part of the order was refunded or a refund the provider accepted failed."""
        key = f"chatshop-{self.number}-{self.refunded_amount}-{amount.minor}"
        return f"{key}-{self.failed_refunds}" if self.failed_refunds else key

    def refund_failed(self, refund_id: str) -> bool:
        """Whether the order's history already says that refund failed."""
        return any(str(entry.get("note", "")).startswith(f"refund {refund_id} failed") for entry in self.history)

    def refund_recorded(self, reference: str) -> bool:
        """Whether a refund made outside chatshop with this reference is on the order already."""
        tail = f" ref {reference}"
        return any(
            str(entry.get("note", "")).startswith("refund sent outside chatshop:")
            and str(entry.get("note", "")).endswith(tail)
            for entry in self.history
        )

    @property
    def disputed(self) -> bool:
        """The customer disputes the payment with their bank (the provider told us), and at least
        one such dispute has not ended yet."""
        return bool(self.open_disputes)

    @property
    def open_disputes(self) -> frozenset[str]:
        """The disputes of the payment the provider told us of and not of their end."""
        notes = [str(entry.get("note", "")) for entry in self.history]
        opened = {m.group(1) for note in notes if (m := _DISPUTE_OPENED.match(note))}
        return frozenset(opened - {m.group(1) for note in notes if (m := _DISPUTE_ENDED.match(note))})

    def dispute_known(self, dispute: str) -> bool:
        """Whether the history names that dispute already (opened, noted or ended)."""
        for entry in self.history:
            note = str(entry.get("note", ""))
            match = _DISPUTE_OPENED.match(note) or _DISPUTE_NAMED.match(note)
            if match is not None and match.group(1) == dispute:
                return True
        return False

    def dispute_ended(self, dispute: str) -> bool:
        """Whether the history says that dispute ended (won, closed or lost)."""
        return any(
            (m := _DISPUTE_ENDED.match(str(entry.get("note", "")))) is not None and m.group(1) == dispute
            for entry in self.history
        )

    def can_become(self, new: OrderStatus) -> bool:
        return new in TRANSITIONS[self.status]

    @property
    def cancellable(self) -> bool:
        return self.can_become(OrderStatus.CANCELLED)

    def summary(self) -> OrderSummary:
        return OrderSummary(
            number=self.number,
            lines=self.lines,
            subtotal=self.subtotal,
            adjustments=self.adjustments,
            total=self.total,
        )
