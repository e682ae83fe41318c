"""What a payment method is: available or not for an order, started, confirmed, refunded.

A payment plugin registers a :class:`PaymentMethod` subclass through ``register_payment_methods``.
The core builds one instance per ``[payments.NAME]`` section that is present and enabled, mounts
its routes under ``/webhooks/payments/NAME``, and owns the rules every provider shares: a provider
event changes an order only when its amount and currency equal the order's, and only once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from chatshop.messages import Outbound, PaymentRequest
from chatshop.money import Money

if TYPE_CHECKING:
    from chatshop.api import Shop
    from chatshop.orders import Order


#: How long an online order waits for its payment unless the method says otherwise.
DEFAULT_PAYMENT_WINDOW = timedelta(minutes=30)


class PaymentConfig(BaseModel):
    """Base for a ``[payments.NAME]`` model; ``enabled = false`` keeps a section without using it."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class PaymentContext:
    """What decides whether a method is offered: the order-to-be and where it goes."""

    total: Money
    postal_code: str | None
    channel: str


@dataclass(frozen=True, slots=True)
class PaymentStart:
    """What starting a payment produced: messages for the customer and the provider's reference."""

    messages: tuple[Outbound, ...] = ()
    provider_ref: str | None = None
    url: str | None = None
    expires_at: datetime | None = None


class PaymentEventKind(StrEnum):
    PAID = "paid"
    FAILED = "failed"  # this attempt failed; the customer may try again
    EXPIRED = "expired"  # the link or QR expired unpaid: the order is cancelled, stock released
    CANCELLED = "cancelled"
    #: Paid with a method that settles later (a bank debit, days): the order keeps waiting for it
    #: past its payment window. Only ``poll`` reports it; the settling's own event is PAID or FAILED.
    PROCESSING = "processing"
    #: Money went back outside chatshop (the provider's dashboard): ``amount`` is the **total**
    #: refunded for the payment so far, so the same news told twice counts once, and a refund of
    #: ours the provider reports is already counted. ``raw_status`` names the refund for the record.
    REFUNDED = "refunded"
    #: The customer disputed the payment with their bank (a chargeback), ``dispute_id`` names it:
    #: recorded and alerted once; the order refuses refunds while any of its disputes is open,
    #: since a lost dispute already gives the money back. ``raw_status`` says why (the reason).
    DISPUTED = "disputed"
    #: A dispute ended with the money staying with the shop (won; an inquiry closed without a
    #: chargeback): noted, and the order may be refunded again.
    DISPUTE_WON = "dispute_won"
    #: A dispute ended with the bank giving ``amount`` back to the customer: counted as refunded on
    #: the order (never refunded again on top) and alerted, once per dispute.
    DISPUTE_LOST = "dispute_lost"
    #: News of a dispute still open (evidence under review, more evidence wanted, funds reinstated):
    #: only noted on the order; ``raw_status`` says what.
    DISPUTE_UPDATED = "dispute_updated"
    #: A refund the provider had accepted failed after all (``amount`` of it is owed again);
    #: ``provider_payment_id`` names the refund.
    REFUND_FAILED = "refund_failed"


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """A provider's verified word about a payment, normalized.

    ``event_id`` deduplicates, so it must come from what the provider signed (Stripe's ``evt_...``,
    WeChat Pay's notification id, Razorpay's event name and entity ids), never from a header the
    signature does not cover: a captured body replayed with a fresh header would count again.
    ``amount`` is what the provider says was paid; the core compares it with the order. An
    ``order_number`` left empty is found from ``provider_payment_id``, the payment the core
    recorded when it was paid (a refund made in the provider's dashboard names only the payment).
    ``provider_ref`` names the link, session or transaction the event is about, when the provider
    says: the expiry of a link the order no longer waits on (the customer's "Try again" replaced
    it) then changes nothing. ``dispute_id`` names the dispute a dispute event is about (Stripe's
    ``dp_...``, Razorpay's ``disp_...``): an order may see several over time, each ending on its own.
    """

    method: str
    event_id: str
    kind: PaymentEventKind
    order_number: str
    amount: Money | None = None
    provider_payment_id: str | None = None
    raw_status: str | None = None
    provider_ref: str | None = None
    dispute_id: str | None = None

    def __post_init__(self) -> None:
        # Ids come from a provider's JSON as it came: a number is written as text, and anything
        # else that is not text (a list, an object, true) names nothing, for every provider.
        for name in ("provider_payment_id", "raw_status", "provider_ref", "dispute_id"):
            object.__setattr__(self, name, _text_or_none(getattr(self, name)))


def _text_or_none(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class RefundResult:
    refund_id: str
    amount: Money
    pending: bool = False
    details: dict[str, str] = field(default_factory=dict)


class PaymentError(Exception):
    """A provider call failed; ``retryable`` says whether the same call may simply be repeated."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class RefundFailed(PaymentError):
    """The provider made the refund and reports it failed: nothing went back. The core notes it on
    the order, so the next attempt is a new refund rather than this one replayed by its key."""

    def __init__(self, message: str, *, refund_id: str) -> None:
        super().__init__(message)
        self.refund_id = refund_id


class PaymentEventDeferred(Exception):
    """The event cannot be applied right now: a refund of ours on its order is under way (the
    provider's news may be that very refund), or it is news of a payment that has not reached us
    yet (a refund told before the payment). It is not recorded as seen, and its webhook is
    answered 503, so the provider delivers it again later."""


class PaymentMethod(ABC):
    """A way to pay. Subclass it and register the class in ``register_payment_methods``."""

    name: ClassVar[str]
    Config: ClassVar[type[BaseModel]] = PaymentConfig
    #: Where the method's ``[payments.NAME]`` keys are documented (a URL or a page): ``chatshop
    #: check`` points a shop owner there from a key it does not know.
    docs: ClassVar[str | None] = None
    online: ClassVar[bool] = True
    #: The text key of the label customers see (``payment.cod`` is "Cash on delivery").
    label_key: ClassVar[str | None] = None

    def __init__(self, shop: Shop, config: BaseModel) -> None:
        self.shop = shop
        self.config = config

    def payment_window(self) -> timedelta:
        """How long an online order holds its stock waiting to be paid (``link_expiry_minutes``)."""
        minutes = getattr(self.config, "link_expiry_minutes", None)
        return timedelta(minutes=minutes) if isinstance(minutes, int) else DEFAULT_PAYMENT_WINDOW

    def available(self, context: PaymentContext) -> bool:
        """Whether to offer this method for the order-to-be (limits, areas, channel)."""
        return True

    @abstractmethod
    async def start(self, order: Order) -> PaymentStart:
        """Begin paying a just-placed order: create a link, an in-chat request, a QR; or nothing."""

    def routes(self) -> Sequence[web.RouteDef]:
        """Webhook routes, relative to ``/webhooks/payments/NAME``."""
        return ()

    async def payment_request(
        self, order: Order, url: str, expires_at: datetime, data: dict[str, Any] | None = None
    ) -> PaymentRequest:
        """The message asking the customer to pay ``order`` at ``url``, in the customer's language."""
        locale = await self.shop.customer_locale(order.customer_key)
        body = self.shop.text(locale, "payment_link", total=order.total.format(locale), number=order.number, url=url)
        until = self.shop.text(locale, "payment_link_expires", time=self.shop.time.clock(expires_at))
        return PaymentRequest(
            method=self.name,
            body=f"{body}\n{until}",
            order=order.summary(),
            url=url,
            expires_at=expires_at,
            data=data or {},
        )

    async def refund(self, order: Order, amount: Money) -> RefundResult:
        """Give back ``amount`` of a paid order. Methods that cannot refund raise PaymentError."""
        raise PaymentError(f"{self.name} cannot refund")

    async def poll(self, order: Order) -> PaymentEvent | None:
        """Ask the provider about a payment still pending (reconciliation); None if unknown.
        PROCESSING (a bank debit settling) keeps the order waiting another payment window."""
        return None

    async def expire(self, order: Order) -> None:
        """Close the provider's link or transaction when the core gives up waiting for it."""
