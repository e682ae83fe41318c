"""The customer-service API's limits with several customers at once: a token that expires under
everyone's feet is fetched once; a spent quota (45047) or a closed window (45015) holds replies
until the customer writes again, and then every reply goes out once, in order."""

from __future__ import annotations

import asyncio
import time

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.wechat import FakeWeChat
from tests.wechat.journeys.conftest import WeChatCustomer
from tests.wechat.wire import text_xml

from .shops import OTHER, read

THIRD = "oK7zR5vQ2nW9xT4bY1mH8cJ6dR4c"
FOURTH = "oK7zR5vQ2nW9xT4bY1mH8cJ6dS5d"


async def test_four_customers_write_as_the_token_expires_and_one_token_is_fetched(
    tea_shop: ShopHarness,
    fake: FakeWeChat,
    wechat_customer: WeChatCustomer,
) -> None:
    people = [
        wechat_customer(openid, first_id=25013462771290000 + n * 10**9)
        for n, openid in enumerate([wechat_customer().openid, OTHER, THIRD, FOURTH])
    ]
    for c in people:
        await c.say("hello")
        c.new_messages()
    fetched = len(fake.token_requests)
    fake.expire_tokens()
    await asyncio.gather(*(c.say("longjing") for c in people))
    await tea_shop.shop.idle()
    assert len(fake.token_requests) == fetched + 1
    for c in people:
        assert "Longjing" in read(c.new_messages())
    assert not fake.rejected, fake.rejected


async def test_replies_held_by_a_spent_quota_go_out_once_and_in_order_when_the_customer_writes(
    fake: FakeWeChat,
    wechat_customer: WeChatCustomer,
) -> None:
    li = wechat_customer()
    await li.say("hello")
    li.new_messages()
    fake.windows[li.openid].left = 0  # as if five replies already went out for this message
    await li.push(text_xml("longjing", 25013462779990001, int(time.time()), openid=li.openid))
    assert not li.new_messages() and fake.rejected[-1][0] == 45047
    await li.say("cart")
    later = li.new_messages()
    words = [read([m]) for m in later]
    assert any("Longjing" in w for w in words) and "cart" in words[-1].lower(), words
    first_longjing = next(i for i, w in enumerate(words) if "Longjing" in w)
    assert first_longjing < len(words) - 1  # the held answer first, the new one after
    await li.say("hello")
    assert not any("Longjing green tea 100 g ·" in read([m]) for m in li.new_messages())  # not sent again
