"""What each message the shop sends costs it: classified as the messenger bills it, counted per day
and per order, priced from the shop's rate table.

Since 1 October 2026 Meta bills every WhatsApp message a business sends, each by its category:
a free-form reply inside the customer service window is a **service** message, a template outside
it a **utility** or **marketing** one (by the template's category), and everything within a free
entry-point window (72 hours after the customer came from a click-to-WhatsApp ad) is free. The
channel says which each sent message was (``SendResult.billing``); the outbox counts it with the
"sent" mark, in the same transaction, under the shop's day (``[shop] timezone``) and, when the
message is about an order (a status update, a payment request), under that order too. Channels
that cost nothing per message (the web chat, the terminal) count as ``free``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from chatshop.messages import OrderStatusUpdate, Outbound, PaymentRequest
from chatshop.money import Money, currency_exponent

__all__ = ["Billing", "Rates", "SentCount", "order_number_of"]


class Billing(StrEnum):
    SERVICE = "service"  # free-form, inside the customer service window
    UTILITY = "utility"  # a utility template (order updates outside the window)
    MARKETING = "marketing"  # a marketing template (cart reminders, back in stock, outside the window)
    FREE_ENTRY_POINT = "free_entry_point"  # inside a free entry-point window: nothing to pay
    FREE = "free"  # a channel without a price per message


@dataclass(frozen=True, slots=True)
class SentCount:
    """One sent message as it is counted: the shop's day, the channel, its billing, its order."""

    day: date
    channel: str
    billing: str
    order_number: str | None = None


def order_number_of(message: Outbound) -> str | None:
    """The order a message is about, when it says (a status update, a payment request)."""
    if isinstance(message, OrderStatusUpdate):
        return message.order_number
    if isinstance(message, PaymentRequest):
        return message.order.number
    return None


@dataclass(frozen=True, slots=True)
class Rates:
    """What one message of each billing class costs, in ``currency`` (decimals: Meta's rates have
    more digits than the currency, INR 0.8631 a marketing message)."""

    currency: str
    per_message: Mapping[str, Decimal] = field(default_factory=dict)

    def cost(self, counts: Mapping[str, int]) -> Decimal:
        """The exact cost of ``counts`` (billing class -> messages); unknown classes cost nothing."""
        return sum((self.per_message.get(billing, Decimal(0)) * n for billing, n in counts.items()), Decimal(0))

    def money(self, amount: Decimal) -> Money:
        """``amount`` rounded half up to the currency's smallest unit, for showing."""
        exponent = currency_exponent(self.currency)
        minor = (amount * (Decimal(10) ** exponent)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Money(int(minor), self.currency)
