"""What the payment tests share: a stand-in for the running shop, orders, key files.

The stand-in records the payment events a webhook hands to the core instead of applying them; the
end-to-end tests (``test_*_journey.py``) use the real shop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.config import ShopConfig, parse_config
from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentEvent, PaymentMethod
from chatshop.texts import Texts
from tests.payments.fake_wechatpay import FakeWeChatPay, pem_private, pem_public

MountedClient = Callable[[PaymentMethod], Awaitable[TestClient]]


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
        self.kv: dict[str, str] = {}
        self.store = self
        self.orders: dict[str, Order] = {}
        self.payment_methods: dict[str, PaymentMethod] = {}

    def public_url(self, path: str) -> str:
        return "https://shop.example.com" + path

    def text(self, locale: str, key: str, **values: Any) -> str:
        return Texts("en").get(locale, key, shop="Test shop", **values)

    async def customer_locale(self, customer_key: str) -> str:
        return "en"

    async def apply_payment_event(self, event: PaymentEvent) -> Order | None:
        self.events.append(event)
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


def wechatpay_section(
    api: FakeWeChatPay, base_url: str, tmp_path: Path, merchant_key: rsa.RSAPrivateKey
) -> dict[str, Any]:
    """A ``[payments.wechatpay]`` section with its key files written next to the shop.toml."""
    (tmp_path / "apiclient_key.pem").write_bytes(pem_private(merchant_key))
    (tmp_path / "pub_key.pem").write_bytes(pem_public(api.platform_key))
    return {
        "mchid": api.mchid,
        "appid": api.appid,
        "serial_no": api.serial_no,
        "private_key_file": "apiclient_key.pem",
        "platform_public_key_file": "pub_key.pem",
        "platform_public_key_id": api.platform_key_id,
        "api_base_url": base_url,
        "retry_delays_seconds": [0, 0],
    }
