"""A quote: the cart's subtotal plus the visible lines plugins add (delivery, fees, discounts).

The core builds a :class:`Quote` from the cart and lets every ``price_cart`` implementation add
lines to it; the total is the subtotal plus those lines, so the customer sees every rupee. A plugin
may also note what the summary must say without charging it (VAT included), what the order must
remember (the tax breakdown, the coupon used), and what the order takes that is limited (a
coupon's last use, a delivery slot's last place).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chatshop.cart import Cart, CartLine
from chatshop.money import Money
from chatshop.orders import Claim, Order

__all__ = ["Adjustment", "Notice", "Quote"]


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One visible line: ``code`` is stable (``delivery``, ``cod_fee``), ``label`` is for people."""

    code: str
    amount: Money
    label: str | None = None  # a text key's fallback; the dialog prefers the locale's text for code


@dataclass(frozen=True, slots=True)
class Notice:
    """A line the summary shows that charges nothing: ``key`` is a text key, ``values`` fill it
    (amounts as :class:`Money`, formatted in the customer's language)."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Quote:
    currency: str
    lines: tuple[CartLine, ...]
    channel: str
    postal_code: str | None = None
    payment_method: str | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    #: Who is buying ("channel:id"), for limits per customer; None for a quote of no one's.
    customer_key: str | None = None
    #: The delivery address as typed, for what depends on where (India's GST: the state).
    address: str | None = None
    #: What checkout steps answered, by feature name (``Checkout.extras``: a coupon code, a slot).
    answers: Mapping[str, Any] = field(default_factory=dict)
    #: Lines the summary shows without charging them ("incl. 19% VAT: €3.19").
    notices: list[Notice] = field(default_factory=list)
    #: What the order keeps, by plugin name (JSON values): copied to ``Order.extras`` when placed.
    extras: dict[str, Any] = field(default_factory=dict)
    #: Limited things the order takes when placed (see :class:`chatshop.orders.Claim`).
    claims: list[Claim] = field(default_factory=list)
    #: Payment methods a plugin does not offer this customer for this order (a notice says why):
    #: cash on delivery for a customer whose cash parcels came back (``[payments.cod] max_returns``).
    withheld: set[str] = field(default_factory=set)

    @classmethod
    def for_cart(
        cls, cart: Cart, channel: str, postal_code: str | None = None, payment_method: str | None = None
    ) -> Quote:
        return cls(cart.currency, tuple(cart.lines), channel, postal_code, payment_method)

    @classmethod
    def for_order(cls, order: Order, adjustments: Sequence[tuple[str, Money]]) -> Quote:
        """A placed order's goods, charged ``adjustments`` besides (what it is to be re-taxed for)."""
        lines = tuple(CartLine(ln.product_id, ln.title, ln.quantity, ln.unit_price) for ln in order.lines)
        quote = cls(order.currency, lines, order.channel, order.postal_code, order.payment_method)
        quote.customer_key, quote.address = order.customer_key, order.address
        quote.adjustments = [Adjustment(code, amount) for code, amount in adjustments]
        return quote

    @property
    def subtotal(self) -> Money:
        return Money.sum((line.total for line in self.lines), self.currency)

    @property
    def total(self) -> Money:
        return self.subtotal + Money.sum((a.amount for a in self.adjustments), self.currency)

    def add(self, code: str, amount: Money, label: str | None = None) -> None:
        """Add a visible line; a second line with the same code replaces the first."""
        if amount.currency != self.currency:
            raise ValueError(f"{amount.currency} adjustment on a {self.currency} quote")
        self.adjustments = [a for a in self.adjustments if a.code != code]
        self.adjustments.append(Adjustment(code, amount, label))

    def amount_of(self, code: str) -> Money:
        found = next((a.amount for a in self.adjustments if a.code == code), None)
        return found if found is not None else Money.zero(self.currency)
