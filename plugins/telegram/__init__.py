"""The Telegram channel: sell in a bot's private chats (docs/telegram.md).

Registers :class:`~chatshop.plugins.telegram.channel.TelegramChannel`, its texts and the command
``chatshop telegram set-webhook``. It uses chatshop's public plugin API only (docs/plugins.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import click

from chatshop.channels import Channel
from chatshop.hookspecs import hookimpl

from .channel import TelegramChannel

__all__ = ["TelegramChannel"]

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "telegram_open_link": "View",
        "telegram_pay": "Pay now",
        "telegram_share_location": "📍 Share my location",
        "telegram_location_hint": "Or tap the button below to share where you are.",
    },
    "de": {
        "telegram_open_link": "Ansehen",
        "telegram_pay": "Jetzt bezahlen",
        "telegram_share_location": "📍 Standort teilen",
        "telegram_location_hint": "Oder tippen Sie unten, um Ihren Standort zu teilen.",
    },
    "hi": {
        "telegram_open_link": "देखें",
        "telegram_pay": "अभी भुगतान करें",
        "telegram_share_location": "📍 मेरा स्थान भेजें",
        "telegram_location_hint": "या अपना स्थान भेजने के लिए नीचे बटन दबाएँ।",
    },
    "zh": {
        "telegram_open_link": "查看",
        "telegram_pay": "立即支付",
        "telegram_share_location": "📍 发送我的位置",
        "telegram_location_hint": "或点下面的按钮发送您的位置。",
    },
}


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(TelegramChannel)


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    for locale, table in TEXTS.items():
        register(locale, table)


@hookimpl
def register_commands(cli: click.Group) -> None:
    from .commands import register

    register(cli)
