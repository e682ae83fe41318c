"""``chatshop telegram set-webhook SHOP_TOML``: tell Telegram where to send the bot's updates."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import click

from chatshop.channels import SendError
from chatshop.cli_helpers import friendly_errors, load_section, run
from chatshop.config import read_secret

from .client import BotAPI
from .config import TelegramConfig

__all__ = ["register"]

#: The updates the channel reads; others are not sent at all.
ALLOWED_UPDATES = ["message", "callback_query"]


async def _set_webhook(section: TelegramConfig, token: str, secret: str, url: str, drop: bool) -> Any:
    async with aiohttp.ClientSession() as session:
        api = BotAPI(base_url=section.api_base_url, token=token, session=lambda: session, timeout=20)
        params = {"url": url, "secret_token": secret, "allowed_updates": ALLOWED_UPDATES, "drop_pending_updates": drop}
        await api.call("setWebhook", params)
        return await api.call("getWebhookInfo", {})


def register(cli: click.Group) -> None:
    @cli.group("telegram")
    def telegram() -> None:
        """Telegram bot tools."""

    @telegram.command("set-webhook")
    @click.argument("shop_toml", type=click.Path(dir_okay=False))
    @click.option("--url", default=None, help="The webhook's address (default: public_url + /webhooks/telegram).")
    @click.option("--drop-pending-updates", is_flag=True, help="Forget updates Telegram still holds for the bot.")
    @friendly_errors
    def set_webhook(shop_toml: str, url: str | None, drop_pending_updates: bool) -> None:
        """Register the shop's webhook and its secret with Telegram (setWebhook)."""
        shop, section = load_section(shop_toml, "channels.telegram", TelegramConfig)
        if url is None:
            if not shop.server.public_url:
                raise click.ClickException("server.public_url is not set: pass --url https://...")
            url = shop.server.public_url.rstrip("/") + "/webhooks/telegram"
        if not url.startswith("https://"):
            raise click.ClickException(f"{url}: Telegram sends webhooks only to an https:// address")
        token, secret = read_secret(section.bot_token_env), read_secret(section.webhook_secret_env)
        try:
            info = run(_set_webhook(section, token, secret, url, drop_pending_updates))
        except SendError as e:
            raise click.ClickException(f"Telegram refused the webhook: {e}") from None
        pending = info.get("pending_update_count", 0) if isinstance(info, dict) else 0
        click.echo(f"Telegram sends the bot's updates to {url} ({pending} waiting).")
        if isinstance(info, dict) and info.get("last_error_message"):
            click.echo(f"Telegram's last delivery error: {json.dumps(info['last_error_message'])}")
