"""Fixtures of the payment tests: each fake provider, and our method configured against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.config import validate_section
from chatshop.payments import PaymentMethod
from chatshop.plugins.payments.razorpay import Razorpay
from chatshop.plugins.payments.razorpay.config import RazorpayConfig
from chatshop.plugins.payments.stripe import Stripe
from chatshop.plugins.payments.stripe.config import StripeConfig
from chatshop.plugins.payments.wechatpay import WeChatPay
from chatshop.plugins.payments.wechatpay.config import WeChatPayConfig
from chatshop.testing import running_shop
from tests.payments.fake_razorpay import FakeRazorpay
from tests.payments.fake_stripe import FakeStripe
from tests.payments.fake_wechatpay import FakeWeChatPay, new_key
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY, STRIPE
from tests.payments.payment_helpers import MountedClient, StandInShop, wechatpay_section


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def shop(http: aiohttp.ClientSession, tmp_path: Path) -> StandInShop:
    return StandInShop(http, tmp_path)


@pytest.fixture
def webhook_client(aiohttp_client: Any) -> MountedClient:
    """Our side: the method's routes mounted under ``/webhooks/payments/NAME`` on a test server."""

    async def mount(method: PaymentMethod) -> TestClient:
        app = web.Application()
        prefix = f"/webhooks/payments/{method.name}"
        routes: Sequence[web.RouteDef] = method.routes()
        for route in routes:
            app.router.add_route(route.method, prefix + route.path, route.handler)
        client: TestClient = await aiohttp_client(app)
        return client

    return mount


# --- Razorpay --------------------------------------------------------------------------------
@pytest.fixture
def fake() -> FakeRazorpay:
    """The fake Razorpay API (tests of one provider share the name ``fake``)."""
    return FakeRazorpay()


@pytest.fixture
async def razorpay(
    fake: FakeRazorpay, shop: StandInShop, aiohttp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Razorpay:
    server = await aiohttp_server(fake.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", fake.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", fake.webhook_secret)
    config = validate_section(
        RazorpayConfig,
        {
            "key_id": fake.key_id,
            "api_base_url": str(server.make_url("")),
            "retry_delays_seconds": [0, 0],
        },
        "payments.razorpay",
        "INR",
    )
    return Razorpay(shop, config)  # type: ignore[arg-type]


@pytest.fixture
async def running_razorpay(
    fake: FakeRazorpay, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Razorpay]:
    """The Razorpay method of a real running shop (its store, texts, HTTP session), against the fake."""
    server = await aiohttp_server(fake.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", fake.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", fake.webhook_secret)
    toml = INDIA + RAZORPAY.format(key_id=fake.key_id, api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        method = h.shop.payment_methods["razorpay"]
        assert isinstance(method, Razorpay)
        yield method


# --- Stripe ----------------------------------------------------------------------------------
@pytest.fixture
def stripe_api() -> FakeStripe:
    return FakeStripe()


@pytest.fixture
async def stripe(
    stripe_api: FakeStripe, shop: StandInShop, aiohttp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Stripe:
    server = await aiohttp_server(stripe_api.app())
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_api.secret_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", stripe_api.webhook_secret)
    section = {"api_base_url": str(server.make_url("")), "retry_delays_seconds": [0, 0]}
    config = validate_section(StripeConfig, section, "payments.stripe", "INR")
    return Stripe(shop, config)  # type: ignore[arg-type]


@pytest.fixture
async def running_stripe(
    stripe_api: FakeStripe, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Stripe]:
    """The Stripe method of a real running shop, against the fake Stripe."""
    server = await aiohttp_server(stripe_api.app())
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_api.secret_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", stripe_api.webhook_secret)
    toml = INDIA + STRIPE.format(api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        method = h.shop.payment_methods["stripe"]
        assert isinstance(method, Stripe)
        yield method


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
async def wechatpay(
    wechatpay_api: FakeWeChatPay,
    merchant_key: rsa.RSAPrivateKey,
    tmp_path: Path,
    aiohttp_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    http: aiohttp.ClientSession,
) -> WeChatPay:
    server = await aiohttp_server(wechatpay_api.app())
    monkeypatch.setenv("WECHATPAY_APIV3_KEY", wechatpay_api.apiv3_key.decode())
    section = wechatpay_section(wechatpay_api, str(server.make_url("")), tmp_path, merchant_key)
    config = validate_section(WeChatPayConfig, section, "payments.wechatpay", "CNY")
    shop = StandInShop(http, tmp_path, currency="CNY")
    method = WeChatPay(shop, config)  # type: ignore[arg-type]
    shop.payment_methods["wechatpay"] = method
    return method
