"""Run a real shop in tests: real storage file, real aiohttp server on loopback, every send recorded.

Installed with chatshop for plugin authors too (with the pytest plugin :mod:`chatshop.testing.plugin`,
the fakes in :mod:`chatshop.testing.fakes` and the kits in :mod:`chatshop.testing.kits`)::

    async with running_shop(SHOP_TOML, tmp_path) as h:
        replies = await h.say("alice", "hi")            # through the terminal channel
        resp = await h.client.post("/webhooks/mine", data=...)
        await h.idle()                                  # handled, answered, retries included
        assert h.sent_to("mine:alice")

Nothing in the shop is replaced: the harness only listens to what each channel sends. Without a
``[server] public_url``, ``shop.public_url()`` points at the test server, so a fake provider can call
the shop's webhooks back.
"""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
from chatshop.store.base import Store

__all__ = ["DEMO_SHOP_TOML", "Customer", "ShopHarness", "running_shop"]

#: A small shop for plugin tests: INR, English and German, three products (the atta with a
#: picture, the last ghee in stock, for races), cash on delivery, a sweeper every 0.2 s.
#: chatshop's own suite runs the same shop (``tests/conftest.py``).
DEMO_SHOP_TOML = """
[shop]
name = "Test Kirana"
currency = "INR"
locale = "en"
locales = ["en", "de"]

[storage]
url = "sqlite:///shop.db"

[server]
retry_base_seconds = 0.01
sweep_seconds = 0.2

[delivery]
fee = "30.00"
free_above = "499.00"
areas = ["400050", "400051"]

[payments.cod]
max_order_total = "2000.00"

[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
price = "245.00"
category = "Staples"
stock = 40
image_url = "https://shop.example.com/atta.jpg"

[[catalog.products]]
id = "ghee-1l"
title = "Amul Pure Ghee 1 l"
price = "612.50"
category = "Dairy"
stock = 1

[[catalog.products]]
id = "cafe-latte"
title = "Café Latte Premix"
price = 99
category = "Beverages"
"""


@dataclass
class ShopHarness:
    shop: Shop
    client: TestClient[web.Request, web.Application]
    sent: dict[str, list[Outbound]] = field(default_factory=lambda: defaultdict(list))

    def url(self, path: str) -> str:
        return str(self.client.make_url(path))

    async def idle(self, *, retries: bool = True, longest: timedelta = timedelta(hours=1)) -> None:
        """Wait until every accepted message is handled and every due reply sent; with ``retries``,
        also the replies waiting for a retry: the shop's clock is moved to each retry's time and the
        retry runs at once (nothing sleeps), for at most ``longest`` of the shop's time."""
        await self.shop.idle()
        moved = timedelta(0)
        while retries and (waiting := self.shop.retries_waiting()):
            when = waiting[0][0]
            step = max(when - self.shop.now(), timedelta(0))
            if moved + step > longest:
                return
            if step:
                self.move_clock(step)
                moved += step
            self.shop.retry_now()
            await self.shop.idle()

    def move_clock(self, by: timedelta) -> None:
        """Move the shop's clock forward (a retry's wait, a payment window running out)."""
        before = self.shop.clock
        self.shop.clock = lambda: before() + by

    def set_clock(self, moment: datetime) -> None:
        """The shop's clock reads ``moment`` from now on (a Saturday night, the support hours'
        end): time moves only when a test moves it, nobody sleeps."""
        self.shop.clock = lambda: moment

    def customer(self, customer_id: str, channel: str = "terminal") -> Customer:
        """A customer who talks to the shop through ``channel`` (as :class:`Inbound` messages)."""
        return Customer(self, customer_id, channel)

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


@dataclass
class Customer:
    """One customer of a running shop: ``await c.say("atta")``, ``await c.choose("cart")``, what
    they were sent (``c.texts()``: each message as plain text)."""

    harness: ShopHarness
    customer_id: str
    channel: str = "terminal"

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.customer_id}"

    async def say(self, text: str, *, locale: str | None = None) -> str:
        """Send ``text``; the shop's answers as plain text, once handled."""
        inbound = Inbound(
            channel=self.channel,
            customer_id=self.customer_id,
            message_id=uuid.uuid4().hex,
            kind=InboundKind.TEXT,
            text=text,
            locale=locale,
        )
        return "\n\n".join(plain_text(m) for m in await self.harness.send_inbound(inbound))

    async def choose(self, choice_id: str) -> str:
        """Tap the choice ``choice_id``; the shop's answers as plain text."""
        return await self.harness.choose(self.customer_id, choice_id, channel=self.channel)

    def sent(self) -> list[Outbound]:
        return self.harness.sent_to(self.key)

    def texts(self) -> list[str]:
        return self.harness.texts_to(self.key)


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
    shop_toml: str,
    directory: Path,
    *,
    files: dict[str, str] | None = None,
    terminal: bool = True,
    store: Store | None = None,
    **overrides: Any,
) -> AsyncIterator[ShopHarness]:
    """Write ``shop_toml`` (and ``files``) into ``directory``, start the shop and serve it on loopback;
    ``store``: a store of the test's own instead of ``[storage] url``'s (one with a fault injected)."""
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
    shop = Shop(config, store=store)
    terminal_channel = shop.channels.get("terminal")
    if terminal_channel is not None:
        terminal_channel.output = io.StringIO()  # type: ignore[attr-defined]
    client = TestClient(TestServer(create_app(shop), host="127.0.0.1"))
    harness = ShopHarness(shop, client)
    for channel in shop.channels.values():
        _listen(harness, channel)
    try:
        await client.start_server()  # starts the shop: a failure there still closes the client
        if config.server.public_url is None:  # providers call back to the test server, not [server] port
            config.server.public_url = str(client.make_url("/")).rstrip("/")
        yield harness
    finally:
        await client.close()
