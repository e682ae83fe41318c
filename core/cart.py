"""A customer's cart: lines that keep the price the customer saw when adding them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from chatshop.money import Money

__all__ = ["MAX_QUANTITY", "Cart", "CartLine"]

#: A ceiling per line, so "9999999" typed by mistake does not become an order.
MAX_QUANTITY = 99


@dataclass(frozen=True, slots=True)
class CartLine:
    product_id: str
    title: str
    quantity: int
    unit_price: Money

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(slots=True)
class Cart:
    currency: str
    lines: list[CartLine] = field(default_factory=list)
    #: Names one cart from its first item until it is emptied (ordered, cleared, its last line
    #: removed): a cart left behind is reminded of once, and a new one is a new cart.
    id: str | None = None

    def __bool__(self) -> bool:
        return bool(self.lines)

    def __len__(self) -> int:
        return sum(line.quantity for line in self.lines)

    def identify(self) -> str:
        """The cart's id; a cart kept from before carts had one gets it now."""
        if self.id is None:
            self.id = uuid.uuid4().hex[:16]
        return self.id

    def line(self, product_id: str) -> CartLine | None:
        return next((line for line in self.lines if line.product_id == product_id), None)

    def add(self, product_id: str, title: str, unit_price: Money, quantity: int = 1) -> CartLine:
        """Add ``quantity``; an existing line keeps its first price and grows (up to the ceiling)."""
        if quantity < 1:
            raise ValueError("quantity must be at least 1")
        if unit_price.currency != self.currency:
            raise ValueError(f"{unit_price.currency} price in a {self.currency} cart")
        if not self.lines:
            self.id = uuid.uuid4().hex[:16]  # a new cart
        current = self.line(product_id)
        if current is None:
            new = CartLine(product_id, title, min(quantity, MAX_QUANTITY), unit_price)
            self.lines.append(new)
            return new
        return self.set_quantity(product_id, current.quantity + quantity)

    def set_quantity(self, product_id: str, quantity: int) -> CartLine:
        """Change a line's quantity; zero removes the line."""
        for i, line in enumerate(self.lines):
            if line.product_id == product_id:
                if quantity <= 0:
                    del self.lines[i]
                    return replace(line, quantity=0)
                self.lines[i] = replace(line, quantity=min(quantity, MAX_QUANTITY))
                return self.lines[i]
        raise KeyError(product_id)

    def remove(self, product_id: str) -> None:
        self.lines = [line for line in self.lines if line.product_id != product_id]

    def clear(self) -> None:
        self.lines.clear()
        self.id = None

    @property
    def subtotal(self) -> Money:
        return Money.sum((line.total for line in self.lines), self.currency)

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            **({"id": self.id} if self.id and self.lines else {}),
            "lines": [
                {
                    "product_id": ln.product_id,
                    "title": ln.title,
                    "quantity": ln.quantity,
                    "unit_minor": ln.unit_price.minor,
                }
                for ln in self.lines
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cart:
        currency = str(data["currency"])
        return cls(
            currency,
            [
                CartLine(
                    str(ln["product_id"]), str(ln["title"]), int(ln["quantity"]), Money(int(ln["unit_minor"]), currency)
                )
                for ln in data.get("lines", [])
            ],
            str(data["id"]) if data.get("id") else None,
        )
