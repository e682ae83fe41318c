"""WeChat Official Account (Service Account) channel for chatshop.

Registers :class:`~chatshop.plugins.wechat.channel.WeChatChannel` and the
``chatshop wechat menu`` command. See ``docs/wechat.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from chatshop.config import ConfigError, ConfigProblem, ShopConfig
from chatshop.hookspecs import hookimpl

if TYPE_CHECKING:
    import click

    from chatshop.channels import Channel


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    from .channel import WeChatChannel

    register(WeChatChannel)


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    from .texts import TEXTS

    for locale, table in TEXTS.items():
        register(locale, table)


@hookimpl
def check_config(config: ShopConfig) -> list[ConfigProblem]:
    """The default menu's words (the shop's own ``[texts.LANG]`` ones too) within WeChat's bytes."""
    from .menu import default_menu, shop_words

    section = config.channels.get("wechat")
    if not isinstance(section, Mapping) or section.get("menu"):
        return []
    try:
        default_menu(shop_words(config), config.shop.locale)
    except ConfigError as e:
        return list(e.problems)
    return []


@hookimpl
def register_commands(cli: click.Group) -> None:
    from .menu import register

    register(cli)
