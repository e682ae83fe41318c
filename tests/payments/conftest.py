"""A stand-in for the running shop, enough to unit-test payment methods without the runtime.

It records the payment events a webhook hands to the core instead of applying them; the end-to-end
tests use the real shop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from chatshop.config import ShopConfig, parse_config, validate_section
from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentEvent, PaymentMethod
from chatshop.plugins.payments.razorpay import Razorpay
from chatshop.plugins.payments.razorpay.config import RazorpayConfig
from chatshop.plugins.payments.stripe import Stripe
from chatshop.plugins.payments.stripe.config import StripeConfig
from fake_razorpay import FakeRazorpay
from fake_stripe import FakeStripe


class StandInShop:
    def __init__(self, http: aiohttp.ClientSession, base_dir: Path, currency: str = "INR") -> None:
        self.http = http
        self.config: ShopConfig = parse_config(
            {
                "shop": {"name": "Test shop", "currency": currency},
                "server": {"public_url": "https://shop.example.com"},
            },
            base_dir=base_dir,
        )
        self.events: list[PaymentEvent] = []
        self.refuse: Exception | None = None
        self.kv: dict[str, str] = {}
        self.store = self
        self.orders: dict[str, Order] = {}

    def public_url(self, path: str) -> str:
        return "https://shop.example.com" + path

    def text(self, locale: str, key: str, **values: Any) -> str:
        raise KeyError(key)

    async def apply_payment_event(self, event: PaymentEvent) -> Order | None:
        self.events.append(event)
        if self.refuse is not None:
            raise self.refuse
        return self.orders.get(event.order_number)

    async def get_order(self, number: str) -> Order | None:
        return self.orders.get(number)

    async def kv_get(self, key: str, now: datetime) -> str | None:
        return self.kv.get(key)

    async def kv_set(self, key: str, value: str, expires_at: datetime | None = None) -> None:
        self.kv[key] = value


def make_order(
    number: str = "K7M-4QX",
    *,
    currency: str = "INR",
    unit: int = 24500,
    quantity: int = 2,
    customer: str = "terminal:alice",
    adjustments: tuple[tuple[str, Money], ...] = (),
    status: OrderStatus = OrderStatus.PENDING_PAYMENT,
    method: str = "razorpay",
    **fields: Any,
) -> Order:
    line = OrderLine(
        product_id="tea",
        title="Darjeeling tea",
        quantity=quantity,
        unit_price=Money(unit, currency),
    )
    return Order(
        number=number,
        customer_key=customer,
        status=status,
        lines=(line,),
        adjustments=adjustments,
        currency=currency,
        payment_method=method,
        placement_key=f"place-{number}",
        created_at=datetime.now(UTC),
        **fields,
    )


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def shop(http: aiohttp.ClientSession, tmp_path: Path) -> StandInShop:
    return StandInShop(http, tmp_path)


MountedClient = Callable[[PaymentMethod], Awaitable[TestClient]]


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
