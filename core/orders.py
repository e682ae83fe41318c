"""Orders and the one table of moves an order may make.

Online:  pending_payment → paid → confirmed → shipped → delivered
Cash:    cod_pending → confirmed → shipped → delivered (paid on delivery)
Any order not yet shipped may be cancelled; a cancelled or delivered order that was paid may be
refunded. Anything else raises :class:`IllegalTransition`, in the store as in the dialog.
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
    "OrderStatus",
    "new_order_number",
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


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.CONFIRMED, S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.COD_PENDING: frozenset({S.CONFIRMED, S.SHIPPED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}

#: States from which stock goes back on the shelf when the order is cancelled.
RELEASES_STOCK = frozenset({S.PENDING_PAYMENT, S.PAID, S.COD_PENDING, S.CONFIRMED})


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


_FAILED_REFUND = re.compile(r"^refund \S+ failed\b")

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

    @property
    def disputed(self) -> bool:
        """The customer disputed the payment with their bank (the provider told us)."""
        return any(str(entry.get("note", "")).startswith("dispute ") for entry in self.history)

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
