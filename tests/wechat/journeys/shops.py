"""WeChat customers of the tea shop in conftest: what they do and read."""

from __future__ import annotations

import itertools
from typing import Any

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.wechat import FakeWeChat
from tests.wechat.test_end_to_end import Customer, _words
from tests.wechat.wire import OPENID

WEBHOOK = "/webhooks/payments/wechatpay"
OTHER = "oK7zR5vQ2nW9xT4bY1mH8cJ6dQ7b"


def customer(h: ShopHarness, fake: FakeWeChat, openid: str = OPENID, first_id: int = 25013462771290000) -> Customer:
    c = Customer(h.client, fake, h.shop, openid)
    c._ids = itertools.count(first_id)
    return c


def item(messages: list[dict[str, Any]], prefix: str) -> dict[str, str]:
    for body in reversed(messages):
        if body["msgtype"] == "msgmenu":
            for entry in body["msgmenu"]["list"]:
                if str(entry["id"]).startswith(prefix):
                    return {"id": str(entry["id"]), "content": str(entry["content"])}
    raise AssertionError(f"no {prefix!r} in {messages}")


def read(messages: list[dict[str, Any]]) -> str:
    return "\n".join(_words(m) for m in messages)


async def to_confirmed(c: Customer) -> list[dict[str, Any]]:
    """Longjing in the cart, an address, confirmed: what the customer was told last."""
    await c.say("longjing")
    await c.tap(item(c.new_messages(), "add:longjing"))
    await c.tap(item(c.new_messages(), "checkout"))
    c.new_messages()
    await c.say("Room 301, 88 Nanjing Road, Shanghai 200001")
    await c.tap(item(c.new_messages(), "confirm"))
    return c.new_messages()
