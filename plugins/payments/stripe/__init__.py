"""Stripe Checkout Sessions: a hosted payment page per order, confirmed by a signed webhook."""

from __future__ import annotations

from collections.abc import Callable

from chatshop.hookspecs import hookimpl
from chatshop.payments import PaymentMethod
from chatshop.plugins.payments.stripe.method import Stripe

__all__ = ["Stripe"]


@hookimpl
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    register(Stripe)
