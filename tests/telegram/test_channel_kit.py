"""The Telegram channel passes the channel kit, with the fake Bot API playing Telegram."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from aiohttp import web
from aiohttp.test_utils import TestClient

from chatshop.plugins.telegram.channel import SECRET_HEADER
from chatshop.testing.fakes.telegram import FakeBotAPI
from chatshop.testing.kits.channel import ChannelDriver, ChannelKit, WireMessage

from .conftest import SECRET

URL = "/webhooks/telegram"


class TelegramDriver(ChannelDriver):
    channel: ClassVar[str] = "telegram"

    def __init__(self) -> None:
        self.bot = FakeBotAPI()

    def fake_api(self) -> web.Application:
        return self.bot.app()

    def section(self, api_url: str) -> dict[str, Any]:
        return {"api_base_url": api_url}

    def environment(self) -> dict[str, str]:
        return {"TELEGRAM_BOT_TOKEN": self.bot.token, "TELEGRAM_WEBHOOK_SECRET": SECRET}

    def customer(self, number: int) -> str:
        return str(5_000_000 + number)

    @staticmethod
    def _update_id(message_id: str) -> int:
        return int(hashlib.sha256(message_id.encode()).hexdigest()[:12], 16)

    async def _post(self, client: TestClient[Any, Any], update: dict[str, Any], secret: str = SECRET) -> int:
        response = await client.post(URL, json=update, headers={SECRET_HEADER: secret})
        return response.status

    async def deliver_text(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        update = self.bot.text_update(self.bot.user(int(customer_id)), text, update_id=self._update_id(message_id))
        return await self._post(client, update)

    async def deliver_tap(
        self, client: TestClient[Any, Any], customer_id: str, choice: tuple[str, str], message_id: str
    ) -> int:
        shown = reversed(self.bot.to(customer_id))
        message = next(m for m in shown if choice[0] in [b.get("callback_data") for b in m.buttons])
        update = self.bot.tap_update(
            self.bot.user(int(customer_id)), message, choice[0], update_id=self._update_id(message_id)
        )
        return await self._post(client, update)

    async def deliver_forged(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        update = self.bot.text_update(self.bot.user(int(customer_id)), text, update_id=self._update_id(message_id))
        return await self._post(client, update, secret="guessed")

    def sent(self, customer_id: str) -> list[WireMessage]:
        return [
            WireMessage(
                texts=(m.text,),
                choices=tuple((b["callback_data"], b["text"]) for b in m.buttons if "callback_data" in b),
            )
            for m in self.bot.to(customer_id)
        ]

    def throttle_next(self) -> float | None:
        self.bot.flood(retry_after=7)
        return 7.0

    def refuse_auth_next(self) -> None:
        self.bot.revoke_token()


class TestTelegramChannelKit(ChannelKit):
    driver = TelegramDriver
