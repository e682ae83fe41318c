"""A variant's value typed on WeChat (signed, encrypted pushes against the fake WeChat API), where
the values come as a numbered menu: "L red" picks the variant, 红色 (red) is read in Chinese."""

from __future__ import annotations

import pytest

from tests.wechat.journeys.conftest import (
    WeChatCustomer,
    clock,
    fake,
    fake_url,
    make_channel,
    merchant_key,
    platform_key,
    secrets_env,
    session,
    tea_shop,
    wechat_customer,
    wechatpay_api,
    wechatpay_merchant,
)
from tests.wechat.journeys.shops import read

__all__ = [
    "clock",
    "fake",
    "fake_url",
    "make_channel",
    "merchant_key",
    "platform_key",
    "secrets_env",
    "session",
    "tea_shop",
    "wechat_customer",
    "wechatpay_api",
    "wechatpay_merchant",
]


@pytest.fixture
def extra_catalog() -> str:
    return """
[[catalog.products]]
id = "tee"
title = "Cotton Tee"
category = "Clothes"
options = ["Size", "Colour"]
[[catalog.products.variants]]
id = "tee-m-red"
values = ["M", "Red"]
price = "49.00"
[[catalog.products.variants]]
id = "tee-l-blue"
values = ["L", "Blue"]
price = "59.00"
[[catalog.products.variants]]
id = "tee-l-red"
values = ["L", "Red"]
price = "59.00"
"""


async def test_values_typed_at_the_numbered_menu(wechat_customer: WeChatCustomer) -> None:
    c = wechat_customer()
    await c.say("cotton tee")
    told = read(c.new_messages())
    assert "Choose the Size" in told, told
    await c.say("L red")
    told = read(c.new_messages())
    assert "Cotton Tee (L, Red)" in told and "59.00" in told, told
    await c.say("cotton tee")
    c.new_messages()
    await c.say("L")
    c.new_messages()
    await c.say("红色")  # red, in Chinese
    told = read(c.new_messages())
    assert "Cotton Tee (L, Red)" in told and "59.00" in told, told
