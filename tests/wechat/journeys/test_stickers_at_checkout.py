"""What WeChat customers send besides text at every step of a checkout (a sticker or photo, a voice
note without recognition, a video, a link, a location): the open question is asked again, so a
typed "1" still means what the customer sees, and the order is placed only on "Confirm order"."""

from __future__ import annotations

import time

import pytest

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.wechat import FakeWeChat
from tests.wechat.customer import Customer
from tests.wechat.journeys.conftest import WeChatCustomer
from tests.wechat.wire import ORIGINAL_ID

from .shops import item, read

MEDIA = {
    "image": "<PicUrl><![CDATA[http://mmbiz.qpic.cn/x.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>",
    "voice": "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>",
    "video": "<MediaId><![CDATA[m3]]></MediaId><ThumbMediaId><![CDATA[t3]]></ThumbMediaId>",
    "shortvideo": "<MediaId><![CDATA[m4]]></MediaId><ThumbMediaId><![CDATA[t4]]></ThumbMediaId>",
    "link": "<Title><![CDATA[t]]></Title><Description><![CDATA[d]]></Description><Url><![CDATA[http://x.cn]]></Url>",
}


async def _send(c: Customer, kind: str) -> str:
    c.fake.customer_wrote(c.openid)
    await c.push(
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[{c.openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{MEDIA[kind]}"
        f"<MsgId>{next(c._ids)}</MsgId></xml>"
    )
    return read(c.new_messages())


@pytest.mark.parametrize("kind", sorted(MEDIA))
async def test_media_at_the_summary_shows_the_summary_again_and_1_still_confirms(
    tea_shop: ShopHarness,
    fake: FakeWeChat,
    kind: str,
    wechat_customer: WeChatCustomer,
) -> None:
    li = wechat_customer()
    await li.say("longjing")
    await li.tap(item(li.new_messages(), "add:longjing"))
    await li.tap(item(li.new_messages(), "checkout"))
    assert "deliver" in await _send(li, kind)  # at the address question: asked again
    await li.say("Room 301, 88 Nanjing Road, Shanghai 200001")
    assert "Confirm order" in read(li.new_messages())
    again = await _send(li, kind)
    assert "Total: CN¥58.00" in again and "Confirm order" in again, again
    assert not await tea_shop.shop.store.list_orders()
    await li.say("1")  # the first choice, as the customer sees it: Confirm order
    (order,) = await tea_shop.shop.store.list_orders()
    assert order.status is OrderStatus.PENDING_PAYMENT and order.total.minor == 5800
    assert not fake.rejected, fake.rejected


@pytest.mark.parametrize("extra_catalog", ['\n[payments.cod]\nmax_order_total = "500.00"\n'])
async def test_a_sticker_at_the_payment_question_asks_it_again(wechat_customer: WeChatCustomer) -> None:
    li = wechat_customer()
    await li.say("longjing")
    await li.tap(item(li.new_messages(), "add:longjing"))
    await li.tap(item(li.new_messages(), "checkout"))
    await li.say("Room 301, 88 Nanjing Road, Shanghai 200001")
    asked = read(li.new_messages())
    assert "Cash on delivery" in asked and "WeChat Pay" in asked, asked
    again = await _send(li, "image")
    assert "Cash on delivery" in again and "WeChat Pay" in again, again
    await li.say("Cash on delivery")  # the choice's title, typed
    assert "Confirm order" in read(li.new_messages())
