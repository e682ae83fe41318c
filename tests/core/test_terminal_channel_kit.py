"""The terminal channel passes the channel kit: no webhook, no signature, a text-only messenger whose
customers answer numbered menus with numbers."""

from __future__ import annotations

from typing import Any, ClassVar

from aiohttp.test_utils import TestClient

from chatshop.api import Shop
from chatshop.channels import SendResult
from chatshop.messages import Inbound, InboundKind, Outbound
from chatshop.plaintext import plain_text
from chatshop.testing.kits.channel import ChannelDriver, ChannelKit, WireMessage


class TerminalDriver(ChannelDriver):
    """The terminal is the messenger: lines typed in, what is printed out."""

    channel: ClassVar[str] = "terminal"
    webhook: ClassVar[bool] = False
    signed: ClassVar[bool] = False
    throttles: ClassVar[bool] = False
    auth_fails: ClassVar[bool] = False

    def __init__(self) -> None:
        self.printed: dict[str, list[str]] = {}
        self.shop: Shop | None = None

    def section(self, api_url: str) -> dict[str, Any]:
        return {}

    def started(self, shop: Shop) -> None:
        self.shop = shop
        channel = shop.channels["terminal"]
        send = channel.send

        async def printed(customer_id: str, message: Outbound) -> SendResult:
            result = await send(customer_id, message)
            self.printed.setdefault(customer_id, []).append(plain_text(message))
            return result

        channel.send = printed  # type: ignore[method-assign]

    async def deliver_text(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        assert self.shop is not None
        inbound = Inbound(channel="terminal", customer_id=customer_id, message_id=message_id, kind=InboundKind.TEXT,
                          text=text)
        await self.shop.receive(inbound)
        return 200

    async def deliver_tap(
        self, client: TestClient[Any, Any], customer_id: str, choice: tuple[str, str], message_id: str
    ) -> int:
        raise AssertionError("a terminal shows no buttons to tap")

    def sent(self, customer_id: str) -> list[WireMessage]:
        return [WireMessage(texts=(text,)) for text in self.printed.get(customer_id, [])]


class TestTerminalChannelKit(ChannelKit):
    driver = TerminalDriver
