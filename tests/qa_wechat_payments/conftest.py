"""Shops whose online payment provider is one of the fakes in tests/payments, for the QA journeys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.testing import ShopHarness, running_shop
from tests.payments.fake_razorpay import FakeRazorpay
from tests.payments.fake_stripe import FakeStripe
from tests.payments.fake_wechatpay import FakeWeChatPay, new_key
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY, STRIPE, wechatpay_merchant
from tests.wechat.conftest import clock, fake, fake_url, make_channel, secrets_env, session

__all__ = ["clock", "fake", "fake_url", "make_channel", "secrets_env", "session"]  # the WeChat channel fixtures


@pytest.fixture
def razorpay_api() -> FakeRazorpay:
    return FakeRazorpay()


@pytest.fixture
def stripe_api() -> FakeStripe:
    return FakeStripe()


@pytest.fixture(scope="session")
def merchant_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(scope="session")
def platform_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def wechatpay_api(merchant_key: rsa.RSAPrivateKey, platform_key: rsa.RSAPrivateKey) -> FakeWeChatPay:
    return FakeWeChatPay(merchant_public_key=merchant_key.public_key(), platform_key=platform_key)


@pytest.fixture
async def razorpay_shop(
    razorpay_api: FakeRazorpay, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(razorpay_api.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    toml = INDIA + RAZORPAY.format(key_id=razorpay_api.key_id, api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


@pytest.fixture
async def stripe_shop(
    stripe_api: FakeStripe, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(stripe_api.app())
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_api.secret_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", stripe_api.webhook_secret)
    toml = INDIA + STRIPE.format(api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


@pytest.fixture
async def wechatpay_shop(
    wechatpay_api: FakeWeChatPay,
    merchant_key: rsa.RSAPrivateKey,
    aiohttp_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(wechatpay_api.app())
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), merchant_key, tmp_path / "shop", monkeypatch)
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h
