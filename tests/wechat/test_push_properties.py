"""Signed WeChat pushes of every documented shape, with fields perturbed: never a 5xx.

Each push is signed with the account's token (and, in safe mode, encrypted with its key), so the
parser itself meets what arrives: fields missing, empty, holding any text (control characters,
markup, numbers past any range), unknown message types and events. A 5xx would have WeChat retry
and finally tell the customer the account cannot serve them.
"""

from __future__ import annotations

import itertools
from typing import Any
from xml.sax.saxutils import escape

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatshop.plugins.wechat.channel import WeChatChannel

from .conftest import FIXTURE_TIME, MakeChannel, WeChatShop
from .wire import OPENID, ORIGINAL_ID, plain_push, safe_push

URL = "/webhooks/wechat"
_nonces = itertools.count(1)

_BASE = {"ToUserName": ORIGINAL_ID, "FromUserName": OPENID, "CreateTime": str(FIXTURE_TIME)}
#: The documented pushes (research/wechat.md §3 and the shared fixtures), as their fields.
SHAPES: list[dict[str, str]] = [
    {**_BASE, "MsgType": "text", "Content": "menu", "MsgId": "25013462771288417"},
    {**_BASE, "MsgType": "text", "Content": "2", "MsgId": "25013462771288418", "bizmsgmenuid": "101"},
    {**_BASE, "MsgType": "image", "PicUrl": "https://mmbiz.qpic.cn/x", "MediaId": "m1", "MsgId": "25013462771288419"},
    {**_BASE, "MsgType": "voice", "MediaId": "m2", "Format": "amr", "Recognition": "绿茶", "MsgId": "2501346277128842"},
    {
        **_BASE,
        "MsgType": "location",
        "Location_X": "31.230416",
        "Location_Y": "121.473701",
        "Scale": "15",
        "Label": "上海市黄浦区",
        "MsgId": "25013462771288421",
    },
    {**_BASE, "MsgType": "link", "Title": "t", "Description": "d", "Url": "https://x", "MsgId": "25013462771288422"},
    {**_BASE, "MsgType": "event", "Event": "subscribe", "EventKey": "qrscene_123", "Ticket": "T"},
    {**_BASE, "MsgType": "event", "Event": "unsubscribe"},
    {**_BASE, "MsgType": "event", "Event": "CLICK", "EventKey": "CHATSHOP_CATALOG"},
    {**_BASE, "MsgType": "event", "Event": "VIEW", "EventKey": "https://shop.example.cn/"},
    {**_BASE, "MsgType": "event", "Event": "SCAN", "EventKey": "123", "Ticket": "T"},
    {**_BASE, "MsgType": "event", "Event": "LOCATION", "Latitude": "23.1", "Longitude": "113.3", "Precision": "1"},
    {**_BASE, "MsgType": "event", "Event": "TEMPLATESENDJOBFINISH", "MsgID": "200163836", "Status": "success"},
]

#: Text as WeChat could send it (valid UTF-8), control characters, markup and huge numbers included.
_TEXT = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["", "-1", "99999999999999999999999", "1e999", "NaN", "]]>", "<![CDATA[", "&amp;", "\x00"]),
    st.integers().map(str),
)


@st.composite
def pushes(draw: st.DrawFn) -> str:
    fields = dict(draw(st.sampled_from(SHAPES)))
    for name in list(fields):
        what = draw(st.integers(min_value=0, max_value=9))
        if what == 0:
            del fields[name]
        elif what == 1:
            fields[name] = draw(_TEXT)
    if draw(st.booleans()):
        fields[draw(st.sampled_from(["MsgType", "Event", "EventKey", "Extra", "Content"]))] = draw(_TEXT)
    return "<xml>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items()) + "</xml>"


Running = tuple[WeChatChannel, TestClient[Any, Any], WeChatShop]


@pytest.fixture
async def plain(make_channel: MakeChannel) -> Running:
    return await make_channel(safe=False)


@pytest.fixture
async def safe(make_channel: MakeChannel) -> Running:
    return await make_channel()


async def _post(client: TestClient[Any, Any], push: dict[str, Any]) -> int:
    async with client.post(URL, **push) as response:
        return response.status


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(xml=pushes())
async def test_no_signed_plain_push_gets_a_5xx(plain: Running, xml: str) -> None:
    _, client, _ = plain
    status = await _post(client, plain_push(xml, FIXTURE_TIME, nonce=f"p{next(_nonces)}"))
    assert status < 500


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(xml=pushes())
async def test_no_signed_safe_push_gets_a_5xx(safe: Running, xml: str) -> None:
    _, client, _ = safe
    status = await _post(client, safe_push(xml, FIXTURE_TIME, nonce=f"s{next(_nonces)}"))
    assert status < 500
