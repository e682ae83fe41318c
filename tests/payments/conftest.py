"""Fixtures of the payment tests: each fake provider, and a real running shop whose method talks to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.plugins.payments.razorpay import Razorpay
from chatshop.plugins.payments.stripe import Stripe
from chatshop.plugins.payments.wechatpay import WeChatPay
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe
from chatshop.testing.fakes.wechatpay import FakeWeChatPay, new_key
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY, STRIPE, wechatpay_merchant


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


# --- Razorpay --------------------------------------------------------------------------------
@pytest.fixture
def razorpay_api() -> FakeRazorpay:
    """The fake Razorpay API."""
    return FakeRazorpay()


@pytest.fixture
def fake(razorpay_api: FakeRazorpay) -> FakeRazorpay:
    """The same fake under the name the tests of one provider share."""
    return razorpay_api


@pytest.fixture
async def razorpay_shop(
    razorpay_api: FakeRazorpay, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ShopHarness]:
    """A real running shop (SQLite store, its app on loopback) whose Razorpay is the fake."""
    server = await aiohttp_server(razorpay_api.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    toml = INDIA + RAZORPAY.format(key_id=razorpay_api.key_id, api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


@pytest.fixture
def running_razorpay(razorpay_shop: ShopHarness) -> Razorpay:
    """The Razorpay method of a real running shop (its store, texts, HTTP session), against the fake."""
    method = razorpay_shop.shop.payment_methods["razorpay"]
    assert isinstance(method, Razorpay)
    return method


@pytest.fixture
def razorpay(running_razorpay: Razorpay) -> Razorpay:
    return running_razorpay


# --- Stripe ----------------------------------------------------------------------------------
@pytest.fixture
def stripe_api() -> FakeStripe:
    return FakeStripe()


@pytest.fixture
async def stripe_shop(
    stripe_api: FakeStripe, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ShopHarness]:
    """A real running shop whose Stripe is the fake."""
    server = await aiohttp_server(stripe_api.app())
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_api.secret_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", stripe_api.webhook_secret)
    toml = INDIA + STRIPE.format(api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


@pytest.fixture
def running_stripe(stripe_shop: ShopHarness) -> Stripe:
    """The Stripe method of a real running shop, against the fake Stripe."""
    method = stripe_shop.shop.payment_methods["stripe"]
    assert isinstance(method, Stripe)
    return method


@pytest.fixture
def stripe(running_stripe: Stripe) -> Stripe:
    return running_stripe


# --- WeChat Pay ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def merchant_key() -> rsa.RSAPrivateKey:
    """The merchant's API key (ours): generated once per test run, never a real one."""
    return new_key()


@pytest.fixture(scope="session")
def platform_key() -> rsa.RSAPrivateKey:
    """WeChat Pay's signing key (the fake's)."""
    return new_key()


@pytest.fixture
def wechatpay_api(merchant_key: rsa.RSAPrivateKey, platform_key: rsa.RSAPrivateKey) -> FakeWeChatPay:
    return FakeWeChatPay(merchant_public_key=merchant_key.public_key(), platform_key=platform_key)


@pytest.fixture
async def wechatpay_shop(
    wechatpay_api: FakeWeChatPay,
    merchant_key: rsa.RSAPrivateKey,
    aiohttp_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ShopHarness]:
    """A real running shop in yuan whose WeChat Pay merchant talks to the fake WeChat Pay."""
    server = await aiohttp_server(wechatpay_api.app())
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), merchant_key, tmp_path / "shop", monkeypatch)
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


@pytest.fixture
def wechatpay(wechatpay_shop: ShopHarness) -> WeChatPay:
    method = wechatpay_shop.shop.payment_methods["wechatpay"]
    assert isinstance(method, WeChatPay)
    return method
