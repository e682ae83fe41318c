"""The custom menu, built from ``[channels.wechat] menu``, published by ``chatshop wechat menu``.

Action buttons are ``click`` buttons whose key is ``CHATSHOP_<ACTION>``; a click comes back as an
event and becomes ``Inbound(kind=CHOICE, choice_id=ACTION_CHOICE_IDS[action])``. WeChat allows up to
3 top buttons with up to 5 sub-buttons each (checked by the config model).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import click

from chatshop.channels import SendError
from chatshop.cli_helpers import load_section
from chatshop.config import ConfigError, read_secret

from .client import WeChatClient
from .config import MenuButton, WeChatConfig
from .token import AccessTokens, MemoryKV

__all__ = [
    "ACTION_CHOICE_IDS",
    "DEFAULT_MENU",
    "build_menu",
    "choice_for_key",
    "menu_key",
    "register",
]

KEY_PREFIX = "CHATSHOP_"
#: The built-in dialog's choice id for each menu action (see ``chatshop.plugins.dialog``).
ACTION_CHOICE_IDS = {"catalog": "browse", "cart": "cart", "orders": "orders", "help": "help"}

DEFAULT_MENU = [
    MenuButton(name="Shop", action="catalog"),
    MenuButton(name="Cart", action="cart"),
    MenuButton(
        name="More",
        sub_buttons=[
            MenuButton(name="My orders", action="orders"),
            MenuButton(name="Help", action="help"),
        ],
    ),
]


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


def build_menu(buttons: Sequence[MenuButton]) -> dict[str, Any]:
    """The ``menu/create`` body for ``buttons`` (the default menu when none are configured)."""
    return {"button": [_button(b) for b in (buttons or DEFAULT_MENU)]}


async def publish_menu(config: WeChatConfig, secret: str) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        tokens = AccessTokens(
            app_id=config.app_id,
            secret=secret,
            base_url=config.api_base_url,
            session=lambda: session,
            kv=MemoryKV(),
        )
        client = WeChatClient(base_url=config.api_base_url, session=lambda: session, tokens=tokens)
        await client.create_menu(build_menu(config.menu))


def _load(shop_toml: Path, dry_run: bool) -> WeChatConfig:
    # No secrets needed to look at the menu (a dry run).
    return load_section(shop_toml, "channels.wechat", WeChatConfig, secrets=not dry_run)[1]


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
            config = _load(shop_toml, dry_run)
            body = build_menu(config.menu)
            if dry_run:
                click.echo(json.dumps(body, ensure_ascii=False, indent=2))
                return
            asyncio.run(publish_menu(config, read_secret(config.app_secret_env)))
        except ConfigError as e:
            raise click.ClickException(str(e)) from None
        except SendError as e:
            raise click.ClickException(f"WeChat refused the menu: {e}") from None
        click.echo(f"Published a menu with {len(body['button'])} top buttons.")
