"""Fixtures of the payment tests: each fake provider, and a real running shop whose method talks to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
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
from chatshop.testing.fakes.wechatpay import FakeWeChatPay, new_key, pem_private, pem_public
from tests.payments.journey_shops import CATALOG, CHINA, INDIA, RAZORPAY, STRIPE


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


#: ``wechatpay_merchant(api, api_url, folder)``: what the ``wechatpay_merchant`` fixture gives.
WeChatPayMerchant = Callable[[FakeWeChatPay, object, Path], str]


@pytest.fixture
def wechatpay_merchant(merchant_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> WeChatPayMerchant:
    """``wechatpay_merchant(api, api_url, folder)``: a WeChat Pay merchant for a shop in ``folder``
    (its key files written there, its APIv3 key in the environment for the test), and the shop's
    TOML (``journey_shops.CHINA``) with its ``[payments.wechatpay]`` section."""

    def merchant(api: FakeWeChatPay, api_url: object, folder: Path) -> str:
        monkeypatch.setenv("WECHATPAY_APIV3_KEY", api.apiv3_key.decode())
        keys = folder / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        (keys / "apiclient_key.pem").write_bytes(pem_private(merchant_key))
        (keys / "pub_key.pem").write_bytes(pem_public(api.platform_key))
        return CHINA.format(
            mchid=api.mchid, appid=api.appid, serial_no=api.serial_no, key_id=api.platform_key_id, api=api_url
        )

    return merchant


@pytest.fixture
async def wechatpay_shop(
    wechatpay_api: FakeWeChatPay,
    wechatpay_merchant: WeChatPayMerchant,
    aiohttp_server: Any,
    tmp_path: Path,
) -> AsyncIterator[ShopHarness]:
    """A real running shop in yuan whose WeChat Pay merchant talks to the fake WeChat Pay."""
    server = await aiohttp_server(wechatpay_api.app())
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), tmp_path / "shop")
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


@pytest.fixture
def wechatpay(wechatpay_shop: ShopHarness) -> WeChatPay:
    method = wechatpay_shop.shop.payment_methods["wechatpay"]
    assert isinstance(method, WeChatPay)
    return method
