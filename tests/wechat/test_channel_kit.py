"""The WeChat channel passes the channel kit, with the fake customer-service API playing WeChat."""

from __future__ import annotations

import hashlib
import time
from typing import Any, ClassVar

from aiohttp import web
from aiohttp.test_utils import TestClient

from chatshop.testing.fakes.wechat import FakeWeChat
from chatshop.testing.kits.channel import ChannelDriver, ChannelKit, WireMessage

from .conftest import SECRET
from .wire import AES_KEY, APP_ID, ORIGINAL_ID, TOKEN, safe_push, text_xml

URL = "/webhooks/wechat"


def _wire(body: dict[str, Any]) -> WireMessage:
    kind = body["msgtype"]
    inner = body[kind]
    if kind == "text":
        return WireMessage(texts=(inner["content"],))
    if kind == "msgmenu":
        items = tuple((str(i["id"]), str(i["content"])) for i in inner["list"])
        return WireMessage(texts=(inner["head_content"], inner["tail_content"], *(c for _, c in items)), choices=items)
    if kind == "news":
        return WireMessage(texts=tuple(t for a in inner["articles"] for t in (a["title"], a.get("description", ""))))
    return WireMessage(texts=())


class WeChatDriver(ChannelDriver):
    channel: ClassVar[str] = "wechat"

    def __init__(self) -> None:
        self.fake = FakeWeChat(app_id=APP_ID, secret=SECRET)

    def fake_api(self) -> web.Application:
        return self.fake.app()

    def section(self, api_url: str) -> dict[str, Any]:
        return {
            "app_id": APP_ID,
            "app_secret_env": "WECHAT_SECRET",
            "token_env": "WECHAT_TOKEN",
            "encoding_aes_key_env": "WECHAT_AES_KEY",
            "original_id": ORIGINAL_ID,
            "api_base_url": api_url,
        }

    def environment(self) -> dict[str, str]:
        return {"WECHAT_TOKEN": TOKEN, "WECHAT_SECRET": SECRET, "WECHAT_AES_KEY": AES_KEY}

    def customer(self, number: int) -> str:
        return f"oKitCustomer{number:04d}xT4bY1mH8cJ"

    def customer_active(self, customer_id: str) -> None:
        self.fake.customer_wrote(customer_id)

    async def _push(self, client: TestClient[Any, Any], xml: str, token: str = TOKEN) -> int:
        push = safe_push(xml, int(time.time()), nonce=hashlib.sha256(xml.encode()).hexdigest()[:10], token=token)
        response = await client.post(URL, **push)
        return response.status

    @staticmethod
    def _msg_id(message_id: str) -> int:
        return int(hashlib.sha256(message_id.encode()).hexdigest()[:15], 16)

    async def deliver_text(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        self.fake.customer_wrote(customer_id)
        xml = text_xml(text, self._msg_id(message_id), int(time.time()), openid=customer_id)
        return await self._push(client, xml)

    async def deliver_tap(
        self, client: TestClient[Any, Any], customer_id: str, choice: tuple[str, str], message_id: str
    ) -> int:
        self.fake.customer_wrote(customer_id)
        extra = f"<bizmsgmenuid><![CDATA[{choice[0]}]]></bizmsgmenuid>"
        xml = text_xml(choice[1], self._msg_id(message_id), int(time.time()), openid=customer_id, extra=extra)
        return await self._push(client, xml)

    async def deliver_forged(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        xml = text_xml(text, self._msg_id(message_id), int(time.time()), openid=customer_id)
        return await self._push(client, xml, token="not-the-token")

    def sent(self, customer_id: str) -> list[WireMessage]:
        return [_wire(body) for body in self.fake.sent if body["touser"] == customer_id]

    def throttle_next(self) -> float | None:
        self.fake.fail_next.append({"errcode": -1, "errmsg": "system error"})  # busy: try again shortly
        return None

    def refuse_auth_next(self) -> None:
        self.fake.fail_next.append({"errcode": 48001, "errmsg": "api unauthorized"})


class TestWeChatChannelKit(ChannelKit):
    driver = WeChatDriver
