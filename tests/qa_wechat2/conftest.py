"""Fixtures of the second WeChat and payments QA round: the fakes and shops of the first round."""

from __future__ import annotations

from tests.qa_wechat_payments.conftest import (
    clock,
    fake,
    fake_url,
    make_channel,
    merchant_key,
    platform_key,
    razorpay_api,
    razorpay_shop,
    secrets_env,
    session,
    stripe_api,
    stripe_shop,
    wechatpay_api,
    wechatpay_shop,
)

__all__ = [
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
