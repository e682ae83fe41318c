"""A plugin that writes down every payment event the shop applied, as an accounting plugin would."""

from __future__ import annotations

from chatshop.api import Shop
from chatshop.hookspecs import hookimpl
from chatshop.orders import Order
from chatshop.payments import PaymentEvent

#: ``(order number, event)`` in the order the shop applied them; a test clears it first.
APPLIED: list[tuple[str, PaymentEvent]] = []


@hookimpl
def payment_updated(shop: Shop, order: Order, event: PaymentEvent) -> None:
    APPLIED.append((order.number, event))
