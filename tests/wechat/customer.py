"""A WeChat customer as WeChat's servers present them to a shop: pushes signed and encrypted by
``wire`` (not by the plugin), what they read taken from the fake customer-service API."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from aiohttp.test_utils import TestClient

from chatshop.runtime import Shop
from chatshop.testing.fakes.wechat import FakeWeChat

from .wire import ORIGINAL_ID, safe_push, text_xml

__all__ = ["URL", "Customer", "words_of"]

#: The channel's webhook.
URL = "/webhooks/wechat"


def words_of(body: dict[str, Any]) -> str:
    """What the customer reads in one customer-service message."""
    inner = body[body["msgtype"]]
    if body["msgtype"] == "news":
        return " ".join(f"{a['title']} {a['description']}" for a in inner["articles"])
    parts = [inner.get("content", ""), inner.get("head_content", ""), inner.get("tail_content", "")]
    parts += [item["content"] for item in inner.get("list", [])]
    return "\n".join(p for p in parts if p)


class Customer:
    """One WeChat user, as WeChat's servers would present them to the shop."""

    def __init__(self, client: TestClient[Any, Any], fake: FakeWeChat, shop: Shop, openid: str) -> None:
        self.client, self.fake, self.shop, self.openid = client, fake, shop, openid
        self._ids = itertools.count(25013462771290000)
        self._seen = 0

    async def push(self, xml: str, *, times: int = 1, together: bool = False) -> list[int]:
        push = safe_push(xml, int(time.time()), nonce=str(next(self._ids)))
        if together:  # WeChat's retries can overlap the first attempt
            answers = await asyncio.gather(*(self.client.post(URL, **push) for _ in range(times)))
        else:
            answers = [await self.client.post(URL, **push) for _ in range(times)]
        for answer in answers:
            assert answer.status != 200 or await answer.text() == "success"
        await self.shop.idle()
        return [a.status for a in answers]

    async def say(self, text: str, *, extra: str = "", **options: Any) -> list[int]:
        self.fake.customer_wrote(self.openid)
        xml = text_xml(text, next(self._ids), int(time.time()), openid=self.openid, extra=extra)
        return await self.push(xml, **options)

    async def tap(self, item: dict[str, str], **options: Any) -> list[int]:
        extra = f"<bizmsgmenuid><![CDATA[{item['id']}]]></bizmsgmenuid>"
        return await self.say(item["content"], extra=extra, **options)

    async def event(self, event: str, key: str | None = None) -> None:
        self.fake.customer_acted(self.openid)
        key_xml = f"<EventKey><![CDATA[{key}]]></EventKey>" if key else ""
        xml = (
            f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{self.openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event>{key_xml}</xml>"
        )
        await self.push(xml)

    async def share_location(self, label: str) -> None:
        self.fake.customer_wrote(self.openid)
        xml = (
            f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{self.openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[location]]></MsgType>"
            "<Location_X>31.230416</Location_X><Location_Y>121.473701</Location_Y><Scale>15</Scale>"
            f"<Label><![CDATA[{label}]]></Label><MsgId>{next(self._ids)}</MsgId></xml>"
        )
        await self.push(xml)

    def new_messages(self) -> list[dict[str, Any]]:
        mine = [b for b in self.fake.sent if b["touser"] == self.openid]
        fresh, self._seen = mine[self._seen :], len(mine)
        return fresh

    def menu_item(self, messages: list[dict[str, Any]], prefix: str) -> dict[str, str]:
        for body in reversed(messages):
            if body["msgtype"] == "msgmenu":
                for item in body["msgmenu"]["list"]:
                    if item["id"].startswith(prefix):
                        return {"id": str(item["id"]), "content": str(item["content"])}
        raise AssertionError(f"no msgmenu item {prefix!r} in {messages}")
