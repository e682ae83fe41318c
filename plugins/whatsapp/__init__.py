"""WhatsApp Business Cloud API: the ``whatsapp`` channel and the ``whatsapp_pay`` payment method."""

from __future__ import annotations

from collections.abc import Callable

from chatshop.channels import Channel
from chatshop.hookspecs import hookimpl
from chatshop.payments import PaymentMethod

from .channel import WhatsAppChannel
from .pay import WhatsAppPay

__all__ = ["WhatsAppChannel", "WhatsAppPay", "register_channels", "register_payment_methods"]


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(WhatsAppChannel)


@hookimpl
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    register(WhatsAppPay)
