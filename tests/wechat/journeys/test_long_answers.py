"""Answers longer than one WeChat message (2048 bytes): a big cart and its order summary are sent
whole, in several messages, never cut before the total."""

from __future__ import annotations

import pytest

from chatshop.testing.fakes.wechat import FakeWeChat
from tests.wechat.journeys.conftest import WeChatCustomer

from .conftest import MANY_TEAS
from .shops import item, read


@pytest.fixture
def extra_catalog() -> str:
    return MANY_TEAS


async def test_a_forty_line_cart_and_its_summary_arrive_whole(
    fake: FakeWeChat, wechat_customer: WeChatCustomer
) -> None:
    li = wechat_customer()
    for n in range(40):
        await li.say(f"第{n:02d}号")
        await li.tap(item(li.new_messages(), f"add:tea{n:02d}"))
    li.new_messages()
    await li.say("cart")
    cart = li.new_messages()
    words = read(cart)
    assert "第00号" in words and "第39号" in words
    # The subtotal (40 teas at 100.50 … 139.50), as Chinese shows yuan: she searched in Chinese.
    assert "小计：¥4,800.00" in words, words[-300:]
    assert all(len(body["text"]["content"].encode()) <= 2048 for body in cart if body["msgtype"] == "text")
    await li.tap(item(cart, "checkout"))
    li.new_messages()
    await li.say("上海市黄浦区人民大道200号 200003")
    summary = read(li.new_messages())
    assert "第39号" in summary and "上海市黄浦区人民大道200号" in summary and "¥4,800.00" in summary
    assert "…" not in summary
    assert not fake.rejected, fake.rejected
