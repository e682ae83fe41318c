"""WhatsApp Business Cloud API: the ``whatsapp`` channel and the ``whatsapp_pay`` payment method."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import click

from chatshop.channels import Channel
from chatshop.config import ConfigProblem, ShopConfig
from chatshop.hookspecs import hookimpl
from chatshop.payments import PaymentMethod

from .catalog_live import catalog_changed, order_placed, order_status_changed, register_jobs, startup
from .channel import WhatsAppChannel
from .pay import WhatsAppPay

__all__ = [
    "WhatsAppChannel",
    "WhatsAppPay",
    "catalog_changed",
    "check_config",
    "order_placed",
    "order_status_changed",
    "register_channels",
    "register_commands",
    "register_jobs",
    "register_payment_methods",
    "register_texts",
    "startup",
]

#: The in-chat bill's text; shops override it under ``[texts.LOCALE] whatsapp_pay_request``.
TEXTS = {
    "en": {"whatsapp_pay_request": "Order {number}: {total}. Tap *Review and pay* to pay in WhatsApp."},
    "hi": {"whatsapp_pay_request": "ऑर्डर {number}: {total}। WhatsApp में ही भुगतान करने के लिए *Review and pay* पर टैप करें।"},
    "de": {
        "whatsapp_pay_request": (
            "Bestellung {number}: {total}. Tippen Sie auf *Review and pay*, um in WhatsApp zu bezahlen."
        )
    },
    "zh": {
        "whatsapp_pay_request": "订单 {number}：{total}。点击 *Review and pay* 即可在 WhatsApp 内付款。",
    },
}


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(WhatsAppChannel)


@hookimpl
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    register(WhatsAppPay)


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    for locale, table in TEXTS.items():
        register(locale, table)


@hookimpl
def check_config(config: ShopConfig) -> list[ConfigProblem]:
    """A template language for a language the shop does not offer would never be used: a typo."""
    section = config.channels.get("whatsapp")
    templates = section.get("templates") if isinstance(section, Mapping) else None
    languages = templates.get("languages") if isinstance(templates, Mapping) else None
    offered = [config.shop.locale, *config.shop.locales]
    return [
        ConfigProblem(
            path=f"channels.whatsapp.templates.languages.{locale}",
            message=f"the shop does not offer {locale!r} ([shop] locales: {', '.join(config.shop.locales)})",
        )
        for locale in (languages if isinstance(languages, Mapping) else {})
        if locale not in offered
    ]


@hookimpl
def register_commands(cli: click.Group) -> None:
    from .commands import register

    register(cli)
