"""What WeChat customers of the tea shop (conftest.py, with the ``wechat_customer`` fixture) do and
read: a menu item to tap, the words of messages, the way to a confirmed order."""

from __future__ import annotations

from typing import Any

from tests.wechat.customer import Customer, words_of

WEBHOOK = "/webhooks/payments/wechatpay"
OTHER = "oK7zR5vQ2nW9xT4bY1mH8cJ6dQ7b"


def item(messages: list[dict[str, Any]], prefix: str) -> dict[str, str]:
    for body in reversed(messages):
        if body["msgtype"] == "msgmenu":
            for entry in body["msgmenu"]["list"]:
                if str(entry["id"]).startswith(prefix):
                    return {"id": str(entry["id"]), "content": str(entry["content"])}
    raise AssertionError(f"no {prefix!r} in {messages}")


def read(messages: list[dict[str, Any]]) -> str:
    return "\n".join(words_of(m) for m in messages)


async def to_confirmed(c: Customer) -> list[dict[str, Any]]:
    """Longjing in the cart, an address, confirmed: what the customer was told last."""
    await c.say("longjing")
    await c.tap(item(c.new_messages(), "add:longjing"))
    await c.tap(item(c.new_messages(), "checkout"))
    c.new_messages()
    await c.say("Room 301, 88 Nanjing Road, Shanghai 200001")
    await c.tap(item(c.new_messages(), "confirm"))
    return c.new_messages()
