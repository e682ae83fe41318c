"""A quote: the cart's subtotal plus the visible lines plugins add (delivery, fees, discounts).

The core builds a :class:`Quote` from the cart and lets every ``price_cart`` implementation add
lines to it; the total is the subtotal plus those lines, so the customer sees every rupee.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chatshop.cart import Cart, CartLine
from chatshop.money import Money

__all__ = ["Adjustment", "Quote"]


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One visible line: ``code`` is stable (``delivery``, ``cod_fee``), ``label`` is for people."""

    code: str
    amount: Money
    label: str | None = None  # a text key's fallback; the dialog prefers the locale's text for code


@dataclass(slots=True)
class Quote:
    currency: str
    lines: tuple[CartLine, ...]
    channel: str
    postal_code: str | None = None
    payment_method: str | None = None
    adjustments: list[Adjustment] = field(default_factory=list)

    @classmethod
    def for_cart(
        cls, cart: Cart, channel: str, postal_code: str | None = None, payment_method: str | None = None
    ) -> Quote:
        return cls(cart.currency, tuple(cart.lines), channel, postal_code, payment_method)

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
