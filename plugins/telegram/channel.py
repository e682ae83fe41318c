"""The Telegram channel: a bot's private chats through the Bot API, built on chatshop's plugin API alone.

Telegram POSTs each ``Update`` to ``/webhooks/telegram`` with the secret registered by
``chatshop telegram set-webhook`` in ``X-Telegram-Bot-Api-Secret-Token``; a request without it is
refused before anything is read. The update goes into the shop's inbox and only then is answered
200 (Telegram delivers again what was not answered 2xx). Replies go out with ``sendMessage`` and
inline keyboards, product cards with ``sendPhoto``; every button tap is answered
(``answerCallbackQuery``) so the customer's spinner stops.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, ClassVar

import structlog
from aiohttp import web
from pydantic import BaseModel

from chatshop.api import Shop
from chatshop.channels import Capabilities, Channel, SendContext, SendError, SendResult, utf16_units
from chatshop.config import ConfigError, ConfigProblem
from chatshop.messages import Buttons, Inbound, InboundKind, Outbound, Text

from .client import BotAPI, BotAPIError
from .config import TelegramConfig
from .render import CAPTION_LIMIT, Call, Labels, render
from .wire import CALLBACK, parse_update

__all__ = ["SECRET_HEADER", "TelegramChannel"]

log = structlog.get_logger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header's name)
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: Descriptions of a photo or file Telegram could not fetch: the message goes as text instead.
_BAD_FILE = ("wrong file identifier", "failed to get http url content", "wrong type of the web page content",
              "photo_invalid_dimensions", "image_process_failed", "wrong remote file")
#: How long the progress of a message sent in several calls is remembered.
PARTIAL_KEPT_FOR = timedelta(days=2)


class TelegramChannel(Channel):
    name = "telegram"
    Config = TelegramConfig
    docs = "chatshop's docs/telegram.md"
    capabilities = Capabilities(
        max_text_length=4096,  # sendMessage: 1-4096 characters, as Telegram counts them (UTF-16 units)
        measure=utf16_units,
        max_caption_length=CAPTION_LIMIT,
        max_buttons=8,  # an inline keyboard, one button a row
        button_title_length=40,
        max_list_rows=20,
        max_list_sections=1,
        list_row_title_length=40,
        list_row_description_length=30,
        list_button_length=40,
        images=True,
        product_cards=True,
        documents=True,  # sendDocument: an invoice PDF arrives as a file
        shares_location=True,
        max_choice_id_bytes=64,  # callback_data: 1-64 bytes
    )
    #: Each tap needs its own answerCallbackQuery, or the button keeps spinning.
    acknowledge_every_message: ClassVar[bool] = True
    config: TelegramConfig

    def __init__(self, shop: Shop, config: BaseModel) -> None:
        super().__init__(shop, config)
        assert isinstance(config, TelegramConfig)
        self._secret = shop.secret(config.webhook_secret_env)
        if not _SECRET.fullmatch(self._secret):
            problem = "the secret must be 1-256 of A-Z a-z 0-9 _ - (Telegram's rule for secret_token)"
            raise ConfigError([ConfigProblem(path="channels.telegram.webhook_secret_env", message=problem)])
        self.api = BotAPI(
            base_url=config.api_base_url,
            token=shop.secret(config.bot_token_env),
            session=lambda: self.shop.http,
            timeout=config.request_timeout_seconds,
        )
        self._kv = shop.kv(self.name)

    def routes(self) -> Sequence[web.RouteDef]:
        return [web.post("", self.webhook)]

    # --- inbound ----------------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        """One update: the secret checked first, then parsed, stored, and only then answered."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            log.warning("telegram.webhook_refused", reason="secret token")
            return web.Response(status=401, text="unauthorized")
        try:
            update = json.loads(await request.read())
            inbound = parse_update(update) if isinstance(update, dict) else None
        except (ValueError, KeyError, TypeError, RecursionError) as e:  # RecursionError: nested past the stack
            log.warning("telegram.update_unreadable", error=type(e).__name__)
            return web.Response(status=400, text="bad update")
        if inbound is not None:
            await self.shop.receive(inbound)  # a storage failure answers 500: Telegram sends it again
        return web.Response(text="ok")

    async def acknowledge(self, inbound: Inbound) -> None:
        """Stop the tapped button's spinner (Telegram shows one until the tap is answered)."""
        if inbound.kind is InboundKind.CHOICE and inbound.event == CALLBACK and inbound.event_key:
            await self.api.call("answerCallbackQuery", {"callback_query_id": inbound.event_key})

    # --- outbound ---------------------------------------------------------------------------
    async def send(self, customer_id: str, message: Outbound, context: SendContext | None = None) -> SendResult:
        locale = context.locale if context is not None else self.shop.config.shop.locale
        labels = Labels(
            open_link=self.shop.text(locale, "telegram_open_link"), pay=self.shop.text(locale, "telegram_pay")
        )
        calls = render(customer_id, message, labels)
        if self._asks_for_address(message, locale):
            keyboard = {
                "keyboard": [[{"text": self.shop.text(locale, "telegram_share_location"), "request_location": True}]],
                "one_time_keyboard": True,
                "resize_keyboard": True,
            }
            hint = {"chat_id": customer_id, "text": self.shop.text(locale, "telegram_location_hint")}
            calls.append(Call("sendMessage", {**hint, "reply_markup": keyboard}))
        last = await self._send_calls(customer_id, message, calls)
        message_id = last.get("message_id") if isinstance(last, dict) else None
        return SendResult(provider_message_id=str(message_id) if message_id is not None else None)

    def _asks_for_address(self, message: Outbound, locale: str) -> bool:
        """The checkout's address question: offer the one-tap "share my location" keyboard with it."""
        if not isinstance(message, Text | Buttons):
            return False
        return self.shop.text(locale, "ask_address_location") in message.body

    async def _send_calls(self, chat: str, message: Outbound, calls: list[Call]) -> Any:
        """Make each call once, even when the outbox retries a message that half went out."""
        if len(calls) == 1:
            return await self._call(calls[0])
        identity = json.dumps([chat, message.model_dump(mode="json")], sort_keys=True, ensure_ascii=False)
        key = "partial:" + hashlib.sha256(identity.encode()).hexdigest()
        done = await self._kv.get(key)
        start = int(done) if done and done.isdigit() else 0
        result: Any = None
        for index in range(start, len(calls)):
            try:
                result = await self._call(calls[index])
            except SendError:
                if index > start:
                    await self._kv.set(key, str(index), ttl=PARTIAL_KEPT_FOR)
                raise
        if start:
            await self._kv.delete(key)
        return result

    async def _call(self, call: Call) -> Any:
        try:
            return await self.api.call(call.method, call.params)
        except BotAPIError as e:
            if call.fallback is None or not any(bad in e.description.lower() for bad in _BAD_FILE):
                raise
            log.warning("telegram.photo_refused", description=e.description[:120])
            return await self.api.call(call.fallback.method, call.fallback.params)
