"""``[channels.telegram]``: the bot's token and the webhook's secret, by environment variable."""

from __future__ import annotations

from pydantic import Field

from chatshop.channels import ChannelConfig

__all__ = ["TelegramConfig"]


class TelegramConfig(ChannelConfig):
    #: The variable holding the token @BotFather gave (``123456:ABC-DEF...``).
    bot_token_env: str = "TELEGRAM_BOT_TOKEN"  # noqa: S105 (a variable's name, not a secret)
    #: The variable holding the secret Telegram sends back in ``X-Telegram-Bot-Api-Secret-Token``
    #: (1-256 of ``A-Z a-z 0-9 _ -``); ``chatshop telegram set-webhook`` registers it.
    webhook_secret_env: str = "TELEGRAM_WEBHOOK_SECRET"  # noqa: S105
    api_base_url: str = "https://api.telegram.org"
    request_timeout_seconds: float = Field(default=15.0, gt=0)
