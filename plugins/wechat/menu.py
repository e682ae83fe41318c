"""The custom menu, built from ``[channels.wechat] menu``, published by ``chatshop wechat menu``.

Action buttons are ``click`` buttons whose key is ``CHATSHOP_<ACTION>``; a click comes back as an
event and becomes ``Inbound(kind=CHOICE, choice_id=ACTION_CHOICE_IDS[action])``. WeChat allows up to
3 top buttons with up to 5 sub-buttons each (checked by the config model). A shop that configures no
menu gets the default one in its first language (``[shop] locale``), its words from ``texts.py``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import click
from pydantic import ValidationError

from chatshop.channels import SendError
from chatshop.cli_helpers import load_section
from chatshop.config import ConfigError, ConfigProblem, ShopConfig, read_secret

from .client import WeChatClient
from .config import MenuButton, TopMenuButton, WeChatConfig
from .texts import TEXTS
from .token import AccessTokens, MemoryKV

__all__ = [
    "ACTION_CHOICE_IDS",
    "build_menu",
    "choice_for_key",
    "default_menu",
    "menu_key",
    "register",
]

KEY_PREFIX = "CHATSHOP_"
#: The built-in dialog's choice id for each menu action (see ``chatshop.plugins.dialog``).
ACTION_CHOICE_IDS = {"catalog": "browse", "cart": "cart", "orders": "orders", "help": "help"}

#: The default menu: (text key, action) for each top button, or (text key, sub-buttons).
_DEFAULT: list[tuple[str, str | list[tuple[str, str]]]] = [
    ("wechat_menu_shop", "catalog"),
    ("wechat_menu_cart", "cart"),
    ("wechat_menu_more", [("wechat_menu_orders", "orders"), ("wechat_menu_help", "help")]),
]


#: A text of the shop's for a locale and key: ``[texts.LOCALE]`` first, then ours.
Words = Callable[[str, str], str]


def shop_words(shop: ShopConfig | None = None) -> Words:
    """The menu's words as the shop says them: its ``[texts.LOCALE]`` first, then ours, in that
    locale, else in the shop's first language, else in English (as every text of the shop falls back)."""
    overrides = shop.texts if shop is not None else {}
    first = shop.shop.locale if shop is not None else "en"

    def words(locale: str, key: str) -> str:
        for candidate in (locale, first, "en"):
            found = overrides.get(candidate, {}).get(key) or TEXTS.get(candidate, {}).get(key)
            if found:
                return found
        raise KeyError(key)

    return words


def default_menu(words: Words, locale: str) -> list[TopMenuButton]:
    """The menu of a shop that configured none, in ``locale`` (the shop's first language).

    Its names are checked against WeChat's byte limits like a configured menu's; a shop's own word
    that does not fit raises :class:`ConfigError` naming ``texts.LOCALE.KEY``.
    """

    def button(key: str, model: type[MenuButton], **kind: Any) -> Any:
        name = words(locale, key)
        try:
            return model(name=name, **kind)
        except ValidationError as e:
            reason = "; ".join(str(error["msg"]) for error in e.errors())
            raise ConfigError([ConfigProblem(path=f"texts.{locale}.{key}", message=f"{name!r}: {reason}")]) from None

    menu: list[TopMenuButton] = []
    for key, what in _DEFAULT:
        if isinstance(what, str):
            menu.append(button(key, TopMenuButton, action=what))
        else:
            menu.append(button(key, TopMenuButton, sub_buttons=[button(k, MenuButton, action=a) for k, a in what]))
    return menu


def menu_key(action: str) -> str:
    return KEY_PREFIX + action.upper()


def choice_for_key(key: str) -> str:
    """The choice id for a CLICK key: a shop action's id, or the key itself for other keys."""
    action = key.removeprefix(KEY_PREFIX).lower() if key.startswith(KEY_PREFIX) else ""
    return ACTION_CHOICE_IDS.get(action, key)


def _button(button: MenuButton) -> dict[str, Any]:
    if button.sub_buttons:
        return {"name": button.name, "sub_button": [_button(b) for b in button.sub_buttons]}
    if button.url is not None:
        return {"type": "view", "name": button.name, "url": button.url}
    assert button.action is not None
    return {"type": "click", "name": button.name, "key": menu_key(button.action)}


def build_menu(buttons: Sequence[MenuButton], shop: ShopConfig | None = None) -> dict[str, Any]:
    """The ``menu/create`` body for ``buttons``; when none are configured, the default menu in the
    first language of ``shop`` (English without one)."""
    locale = shop.shop.locale if shop is not None else "en"
    return {"button": [_button(b) for b in (buttons or default_menu(shop_words(shop), locale))]}


async def publish_menu(config: WeChatConfig, secret: str, shop: ShopConfig | None = None) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        tokens = AccessTokens(
            app_id=config.app_id,
            secret=secret,
            base_url=config.api_base_url,
            session=lambda: session,
            kv=MemoryKV(),
        )
        client = WeChatClient(base_url=config.api_base_url, session=lambda: session, tokens=tokens)
        await client.create_menu(build_menu(config.menu, shop))


def _load(shop_toml: Path, dry_run: bool) -> tuple[ShopConfig, WeChatConfig]:
    # No secrets needed to look at the menu (a dry run).
    return load_section(shop_toml, "channels.wechat", WeChatConfig, secrets=not dry_run)


def register(cli: click.Group) -> None:
    """Add ``chatshop wechat menu SHOP_TOML``."""

    @cli.group("wechat")
    def wechat() -> None:
        """WeChat Official Account tools."""

    @wechat.command("menu")
    @click.argument("shop_toml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Print the menu instead of publishing it.")
    def menu(shop_toml: Path, dry_run: bool) -> None:
        """Publish the custom menu of [channels.wechat] to the account."""
        try:
            shop, config = _load(shop_toml, dry_run)
            body = build_menu(config.menu, shop)
            if dry_run:
                click.echo(json.dumps(body, ensure_ascii=False, indent=2))
                return
            asyncio.run(publish_menu(config, read_secret(config.app_secret_env), shop))
        except ConfigError as e:
            raise click.ClickException(str(e)) from None
        except SendError as e:
            raise click.ClickException(f"WeChat refused the menu: {e}") from None
        click.echo(f"Published a menu with {len(body['button'])} top buttons.")
