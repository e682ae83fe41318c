"""Razorpay Payment Links (India): a link in chat, a signed webhook when it is paid."""

from __future__ import annotations

from collections.abc import Callable

from chatshop.hookspecs import hookimpl
from chatshop.payments import PaymentMethod
from chatshop.plugins.payments.razorpay.method import Razorpay

__all__ = ["Razorpay"]


@hookimpl
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    register(Razorpay)
