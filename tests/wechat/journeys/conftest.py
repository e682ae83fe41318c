"""Fixtures of the WeChat journeys: a real tea shop selling in WeChat, paid with WeChat Pay.

WeChat's API and WeChat Pay are the fakes of tests/wechat and tests/payments; pushes are signed
and encrypted by tests/wechat/wire.py, independently of the plugin.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.wechat import FakeWeChat
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.payments.conftest import WeChatPayMerchant, wechatpay_merchant
from tests.payments.providers.conftest import (
    clock,
    fake,
    fake_url,
    make_channel,
    merchant_key,
    platform_key,
    secrets_env,
    session,
)
from tests.wechat.customer import Customer
from tests.wechat.wire import APP_ID, OPENID, ORIGINAL_ID

__all__ = [
    "clock",
    "fake",
    "fake_url",
    "make_channel",
    "merchant_key",
    "platform_key",
    "secrets_env",
    "session",
    "wechatpay_merchant",
]

WECHAT = """
[channels.wechat]
app_id = "{app_id}"
app_secret_env = "WECHAT_SECRET"
token_env = "WECHAT_TOKEN"
encoding_aes_key_env = "WECHAT_AES_KEY"
original_id = "{original_id}"
api_base_url = "{api}"
"""


@pytest.fixture
def wechatpay_api(merchant_key: rsa.RSAPrivateKey, platform_key: rsa.RSAPrivateKey) -> FakeWeChatPay:
    """The merchant account is bound to the Official Account the channel serves (same AppID)."""
    return FakeWeChatPay(merchant_public_key=merchant_key.public_key(), platform_key=platform_key, appid=APP_ID)


#: Forty teas with long Chinese names: a cart of all of them is longer than one WeChat message.
MANY_TEAS = "".join(
    f"""
[[catalog.products]]
id = "tea{n:02d}"
title = "西湖龙井明前特级绿茶礼盒装第{n:02d}号"
price = "{100 + n}.50"
category = "Gift"
stock = 50
"""
    for n in range(40)
)


@pytest.fixture
def extra_catalog() -> str:
    """More products for the shop (override in a test module)."""
    return ""


@pytest.fixture
async def tea_shop(
    extra_catalog: str,
    secrets_env: None,
    fake_url: str,
    fake: FakeWeChat,
    wechatpay_api: FakeWeChatPay,
    aiohttp_server: Any,
    tmp_path: Path,
    wechatpay_merchant: WeChatPayMerchant,
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(wechatpay_api.app())
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), tmp_path / "shop")
    toml = toml.replace('locale = "en"', 'locale = "en"\nlocales = ["en", "zh"]')
    toml += extra_catalog + WECHAT.format(app_id=APP_ID, original_id=ORIGINAL_ID, api=fake_url)
    fake.clock = time.time
    async with running_shop(toml, tmp_path / "shop", terminal=False) as h:
        yield h


#: ``wechat_customer(openid=OPENID, first_id=...)``: what the ``wechat_customer`` fixture gives.
WeChatCustomer = Callable[..., Customer]


@pytest.fixture
def wechat_customer(tea_shop: ShopHarness, fake: FakeWeChat) -> WeChatCustomer:
    """``wechat_customer()``: Li, a WeChat user of the tea shop; ``wechat_customer(openid,
    first_id=...)`` another, whose message ids start at ``first_id`` (apart from Li's)."""

    def make(openid: str = OPENID, first_id: int = 25013462771290000) -> Customer:
        customer = Customer(tea_shop.client, fake, tea_shop.shop, openid)
        customer._ids = itertools.count(first_id)
        return customer

    return make
