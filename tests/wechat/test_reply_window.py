"""WeChat's 48-hour customer-service window opens when the customer sends a message: not when
WeChat reports an event (a follow, a QR scan, a menu tap, a link opened from the menu, the
periodic location report), which allow 3 replies within a minute at most, or none
(research/wechat.md §3.2). Reminders and the staff inbox go by this window."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chatshop.testing.fakes.wechat import FakeWeChat

from .conftest import FIXTURE_TIME, MakeChannel
from .wire import OPENID, ORIGINAL_ID, safe_push, text_xml

URL = "/webhooks/wechat"

EVENTS = {
    "subscribe": "<EventKey><![CDATA[qrscene_shop_1001]]></EventKey><Ticket><![CDATA[gQFT]]></Ticket>",
    "SCAN": "<EventKey><![CDATA[shop_1001]]></EventKey><Ticket><![CDATA[gQFT]]></Ticket>",
    "CLICK": "<EventKey><![CDATA[CHATSHOP_ORDERS]]></EventKey>",
    "VIEW": "<EventKey><![CDATA[https://shop.example.com/cart]]></EventKey><MenuId>416527891</MenuId>",
    "LOCATION": "<Latitude>31.230416</Latitude><Longitude>121.473701</Longitude><Precision>65.0</Precision>",
}


def event_xml(event: str, created: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{EVENTS[event]}</xml>"
    )


async def test_an_event_after_two_silent_days_does_not_reopen_the_window(
    make_channel: MakeChannel, fake: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel, client, shop = await make_channel()
    now = shop.shop.now()

    def at(moment: datetime) -> None:  # the shop's clock, and the store's with it
        shop.shop.clock = lambda: moment
        monkeypatch.setattr("chatshop.store.sqlite.utcnow", lambda: moment)

    at(now - timedelta(hours=49))  # Li wrote two days ago
    answer = await client.post(URL, **safe_push(text_xml("你好", 1, FIXTURE_TIME), FIXTURE_TIME, nonce="1"))
    assert await answer.text() == "success"
    assert (await channel.reply_window(OPENID)).open  # then, it was open
    at(now)
    assert not (await channel.reply_window(OPENID)).open
    for n, event in enumerate(EVENTS, start=2):
        answer = await client.post(URL, **safe_push(event_xml(event, FIXTURE_TIME + n), FIXTURE_TIME, nonce=str(n)))
        assert await answer.text() == "success"
        window = await channel.reply_window(OPENID)
        assert not window.open, event
    assert len(shop.inbox) == 1 + len(EVENTS)  # every event was heard all the same
    answer = await client.post(URL, **safe_push(text_xml("还在吗", 2, FIXTURE_TIME), FIXTURE_TIME, nonce="99"))
    assert await answer.text() == "success"
    assert (await channel.reply_window(OPENID)).open  # a message opens it again


async def test_unfollowing_closes_the_window(make_channel: MakeChannel) -> None:
    """WeChat refuses customer-service messages to someone who unfollowed (45015)."""
    channel, client, _ = await make_channel()
    await client.post(URL, **safe_push(text_xml("hi", 1, FIXTURE_TIME), FIXTURE_TIME, nonce="1"))
    assert (await channel.reply_window(OPENID)).open
    bye = event_xml("subscribe", FIXTURE_TIME + 1).replace("subscribe", "unsubscribe")
    await client.post(URL, **safe_push(bye, FIXTURE_TIME, nonce="2"))
    assert not (await channel.reply_window(OPENID)).open
