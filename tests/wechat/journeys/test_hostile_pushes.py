"""Pushes nobody should send, signed as WeChat signs them (a captured signature is reusable for the
replay window in plain mode, whose signature does not cover the body): each is a 400, never a
500 and its traceback, and nothing is recorded."""

from __future__ import annotations

import pytest

from tests.wechat.conftest import FIXTURE_TIME, MakeChannel
from tests.wechat.wire import OPENID, ORIGINAL_ID, plain_push, safe_push, text_xml

URL = "/webhooks/wechat"

FIELDS = (
    f"<ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
    f"<CreateTime>{FIXTURE_TIME}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[hi]]></Content><MsgId>7</MsgId>"
)

HOSTILE: dict[str, bytes] = {
    "an encoding nobody knows": f'<?xml version="1.0" encoding="x-unheard-of"?><xml>{FIELDS}</xml>'.encode(),
    "a bare DOCTYPE": f"<!DOCTYPE xml><xml>{FIELDS}</xml>".encode(),
    "an external DTD": f'<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/x.dtd"><xml>{FIELDS}</xml>'.encode(),
    "a parameter entity": f'<!DOCTYPE xml [<!ENTITY % p SYSTEM "file:///etc/passwd">%p;]><xml>{FIELDS}</xml>'.encode(),
    "GBK bytes": f'<?xml version="1.0" encoding="GBK"?><xml>{FIELDS}</xml>'.replace("hi", "你好").encode("gbk"),
    "UTF-32": f"<xml>{FIELDS}</xml>".encode("utf-32"),
    "a NUL character": f"<xml>{FIELDS}</xml>".replace("hi", "\x00").encode(),
    "two documents": f"<xml>{FIELDS}</xml><xml>{FIELDS}</xml>".encode(),
}


@pytest.mark.parametrize("safe", [False, True], ids=["plain mode", "safe mode"])
async def test_hostile_xml_is_a_bad_request_and_changes_nothing(make_channel: MakeChannel, safe: bool) -> None:
    _, client, shop = await make_channel(safe=safe)
    for name, body in HOSTILE.items():
        if safe:  # inside a correct envelope, where the wire helper can carry it (text, not bytes)
            if not body.isascii():
                continue
            push = safe_push(body.decode(), FIXTURE_TIME)
        else:
            push = plain_push("", FIXTURE_TIME)
            push["data"] = body
        response = await client.post(URL, **push)
        assert response.status == 400, (name, response.status, await response.text())
    assert not shop.inbox
    ok = await client.post(URL, **(safe_push if safe else plain_push)(text_xml("hi", 8, FIXTURE_TIME), FIXTURE_TIME))
    assert await ok.text() == "success" and [m.text for m in shop.inbox] == ["hi"]
