"""A bilingual shop (English first, Chinese too): a Chinese customer who types 购物车, 结算, 取消 in
Chinese is understood and answered in Chinese, while an English customer shops in English at the
same time; both pay with WeChat Pay, each gets their own order and receipt."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.wechat import FakeWeChat
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.wechat.customer import Customer
from tests.wechat.journeys.conftest import WeChatCustomer

from .shops import OTHER, WEBHOOK, read


@pytest.fixture
def extra_catalog() -> str:
    return """
[[catalog.products]]
id = "tieguanyin"
title = "安溪铁观音 250克"
price = "88.00"
category = "乌龙茶"
stock = 3
"""


async def _say(c: Customer, text: str) -> str:
    await c.say(text)
    return read(c.new_messages())


async def _chinese(c: Customer) -> list[str]:
    told = [await _say(c, "你好"), await _say(c, "铁观音")]
    told.append(await _say(c, "1"))  # 加入购物车
    told.append(await _say(c, "购物车"))
    told.append(await _say(c, "结算"))
    told.append(await _say(c, "取消"))  # changed their mind at the address question…
    told.append(await _say(c, "结算"))  # …and back
    told.append(await _say(c, "上海市黄浦区人民大道200号 200003"))
    told.append(await _say(c, "1"))  # 确认订单
    return told


async def _english(c: Customer) -> list[str]:
    told = [await _say(c, "hello"), await _say(c, "longjing")]
    told.append(await _say(c, "1"))
    told.append(await _say(c, "cart"))
    told.append(await _say(c, "checkout"))
    told.append(await _say(c, "Room 301, 88 Nanjing Road, Shanghai 200001"))
    told.append(await _say(c, "1"))
    return told


async def test_a_chinese_and_an_english_customer_shop_at_once(
    tea_shop: ShopHarness,
    fake: FakeWeChat,
    wechatpay_api: FakeWeChatPay,
    wechat_customer: WeChatCustomer,
) -> None:
    li = wechat_customer()
    amy = wechat_customer(OTHER, first_id=45013462771290000)
    li_told, amy_told = await asyncio.gather(_chinese(li), _english(amy))
    assert "您的购物车" in li_told[3], li_told[3]
    assert "送到哪里" in li_told[4] and "送到哪里" in li_told[6], li_told[4]
    assert "合计" in li_told[7], li_told[7]
    assert "Your cart" in amy_told[3] and "Total" in amy_told[5]
    assert not any("合计" in t or "购物车" in t for t in amy_told)
    orders = {o.customer_key: o for o in await tea_shop.shop.store.list_orders()}
    assert set(orders) == {f"wechat:{li.openid}", f"wechat:{amy.openid}"}
    assert orders[f"wechat:{li.openid}"].total.minor == 8800 and orders[f"wechat:{amy.openid}"].total.minor == 5800
    assert all(order.status is OrderStatus.PENDING_PAYMENT for order in orders.values())
    assert orders[f"wechat:{li.openid}"].number in li_told[-1]
    assert orders[f"wechat:{amy.openid}"].number in amy_told[-1]

    session, url = tea_shop.client.session, tea_shop.url(WEBHOOK)
    notices: list[Any] = [wechatpay_api.notification(wechatpay_api.pay(o.number)) for o in orders.values()]
    answers = await asyncio.gather(*(wechatpay_api.notify(session, url, n) for n in notices + notices))
    assert [status for status, _ in answers] == [204] * 4
    await tea_shop.shop.idle()
    li_receipt, amy_receipt = read(li.new_messages()), read(amy.new_messages())
    assert li_receipt.count(orders[f"wechat:{li.openid}"].number) == 1 and "已收到" in li_receipt, li_receipt
    assert amy_receipt.count(orders[f"wechat:{amy.openid}"].number) == 1 and "received" in amy_receipt
    assert not fake.rejected, fake.rejected


async def test_a_chinese_customer_reads_each_price_once_and_written_in_chinese(
    tea_shop: ShopHarness, fake: FakeWeChat, wechat_customer: WeChatCustomer
) -> None:
    """The shop's first language is English; Li chats in Chinese. The product card, its menu and
    the payment link's menu give the price as Li reads it (¥88.00), never the English CN¥88.00,
    and the card never says it twice."""
    li = wechat_customer()
    await _say(li, "你好")
    card = await _say(li, "铁观音")
    assert "CN¥" not in card and card.count("88.00") == 1, card
    told = [await _say(li, text) for text in ("1", "结算", "上海市黄浦区人民大道200号 200003", "1")]
    assert "https://shop.example.cn/pay/wechatpay/" in told[-1], told[-1]  # 确认订单: the payment link
    assert not any("CN¥" in t for t in told) and not fake.rejected, told
