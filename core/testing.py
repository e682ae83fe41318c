"""Run a real shop in tests: real storage file, real aiohttp server on loopback, every send recorded.

Plugin authors use it too::

    async with running_shop(SHOP_TOML, tmp_path) as h:
        replies = await h.say("alice", "hi")            # through the terminal channel
        resp = await h.client.post("/webhooks/mine", data=...)
        await h.shop.idle()
        assert h.sent_to("mine:alice")

Nothing in the shop is replaced: the harness only listens to what each channel sends.
"""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from chatshop.app import create_app
from chatshop.channels import Channel, SendContext, SendResult
from chatshop.config import load_config
from chatshop.messages import Inbound, InboundKind, Outbound
from chatshop.outbox import takes_context
from chatshop.plaintext import plain_text
from chatshop.runtime import Shop

__all__ = ["ShopHarness", "running_shop"]


@dataclass
class ShopHarness:
    shop: Shop
    client: TestClient[web.Request, web.Application]
    sent: dict[str, list[Outbound]] = field(default_factory=lambda: defaultdict(list))

    def url(self, path: str) -> str:
        return str(self.client.make_url(path))

    def sent_to(self, customer_key: str) -> list[Outbound]:
        return self.sent[customer_key]

    def texts_to(self, customer_key: str) -> list[str]:
        return [plain_text(m) for m in self.sent[customer_key]]

    async def send_inbound(self, inbound: Inbound) -> list[Outbound]:
        """Deliver a message as a channel would; returns what the shop replied to that customer."""
        before = len(self.sent[inbound.customer_key])
        await self.shop.receive(inbound)
        await self.shop.idle()
        return self.sent[inbound.customer_key][before:]

    async def say(self, customer: str, text: str, *, channel: str = "terminal") -> str:
        """Type ``text`` as ``customer``; returns the replies as the terminal shows them."""
        replies = await self.send_inbound(
            Inbound(
                channel=channel, customer_id=customer, message_id=uuid.uuid4().hex, kind=InboundKind.TEXT, text=text
            )
        )
        return "\n\n".join(plain_text(m) for m in replies)

    async def choose(self, customer: str, choice_id: str, *, channel: str = "terminal") -> str:
        replies = await self.send_inbound(
            Inbound(
                channel=channel,
                customer_id=customer,
                message_id=uuid.uuid4().hex,
                kind=InboundKind.CHOICE,
                choice_id=choice_id,
            )
        )
        return "\n\n".join(plain_text(m) for m in replies)


def _listen(harness: ShopHarness, channel: Channel) -> None:
    """Record every successful send of ``channel`` (the channel still really sends)."""
    original = channel.send
    key = channel.name

    if takes_context(channel):

        async def send_with_context(
            customer_id: str, message: Outbound, context: SendContext | None = None
        ) -> SendResult:
            result = await original(customer_id, message, context=context)  # type: ignore[call-arg]
            harness.sent[f"{key}:{customer_id}"].append(message)
            return result

        channel.send = send_with_context  # type: ignore[method-assign]
        return

    async def send(customer_id: str, message: Outbound) -> SendResult:
        result = await original(customer_id, message)
        harness.sent[f"{key}:{customer_id}"].append(message)
        return result

    channel.send = send  # type: ignore[method-assign]


@asynccontextmanager
async def running_shop(
    shop_toml: str, directory: Path, *, files: dict[str, str] | None = None, terminal: bool = True, **overrides: Any
) -> AsyncIterator[ShopHarness]:
    """Write ``shop_toml`` (and ``files``) into ``directory``, start the shop and serve it on loopback."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {}).items():
        (directory / name).write_text(content, encoding="utf-8")
    path = directory / "shop.toml"
    path.write_text(shop_toml, encoding="utf-8")
    config = load_config(path)
    if terminal:
        config.channels.setdefault("terminal", {})
    for key, value in overrides.items():
        setattr(config.server, key, value)
    shop = Shop(config)
    terminal_channel = shop.channels.get("terminal")
    if terminal_channel is not None:
        terminal_channel.output = io.StringIO()  # type: ignore[attr-defined]
    client = TestClient(TestServer(create_app(shop), host="127.0.0.1"))
    harness = ShopHarness(shop, client)
    for channel in shop.channels.values():
        _listen(harness, channel)
    try:
        await client.start_server()  # starts the shop: a failure there still closes the client
        yield harness
    finally:
        await client.close()
