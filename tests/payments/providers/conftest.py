"""Shops whose online payment provider is one of the fakes in chatshop.testing.fakes, for the providers' edge journeys.

The shops are tests/payments' own fixtures; ``fake`` here is the WeChat API's, as in tests/wechat.
"""

from __future__ import annotations

from tests.payments.conftest import (
    merchant_key,
    platform_key,
    razorpay_api,
    razorpay_shop,
    stripe_api,
    stripe_shop,
    wechatpay_api,
    wechatpay_shop,
)
from tests.wechat.conftest import clock, fake, fake_url, make_channel, secrets_env, session

__all__ = [  # the WeChat channel's fixtures, and the payment shops
    "clock",
    "fake",
    "fake_url",
    "make_channel",
    "merchant_key",
    "platform_key",
    "razorpay_api",
    "razorpay_shop",
    "secrets_env",
    "session",
    "stripe_api",
    "stripe_shop",
    "wechatpay_api",
    "wechatpay_shop",
]
