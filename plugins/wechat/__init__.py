"""WeChat Official Account (Service Account) channel for chatshop.

Registers :class:`~chatshop.plugins.wechat.channel.WeChatChannel` and the
``chatshop wechat menu`` command. See ``docs/wechat.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

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
def register_commands(cli: click.Group) -> None:
    from .menu import register

    register(cli)
