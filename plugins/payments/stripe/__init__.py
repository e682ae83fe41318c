"""Stripe Checkout Sessions: a hosted payment page per order, confirmed by a signed webhook."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatshop.hookspecs import hookimpl
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentMethod
from chatshop.plugins.payments.closing import close_when_cancelled
from chatshop.plugins.payments.stripe.method import Stripe

if TYPE_CHECKING:
    from chatshop.api import Shop

__all__ = ["Stripe"]


@hookimpl
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    register(Stripe)


@hookimpl
async def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    """An unpaid Stripe order the customer cancelled: close its payment so it cannot be paid."""
    await close_when_cancelled(shop, order, old, new, Stripe.name)
