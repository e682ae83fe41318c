"""Every built-in payment method passes the payment-method kit, each against its fake provider."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from aiohttp import web
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.orders import Order
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe
from chatshop.testing.fakes.wechatpay import FakeWeChatPay, new_key, pem_private, pem_public
from chatshop.testing.kits.payment import PaymentDriver, PaymentKit

Sent = tuple[str, bytes, dict[str, str]]


class _Webhooks:
    """Remembers the last webhook posted, to send it again as the provider would."""

    last: Sent | None = None

    async def post(self, client: TestClient[Any, Any], path: str, body: bytes, headers: dict[str, str]) -> int:
        self.last = (path, body, headers)
        response = await client.post(path, data=body, headers=headers)
        return response.status

    async def again(self, client: TestClient[Any, Any]) -> int:
        assert self.last is not None, "nothing was sent yet"
        path, body, headers = self.last
        response = await client.post(path, data=body, headers=headers)
        return response.status


class RazorpayDriver(PaymentDriver, _Webhooks):
    method: ClassVar[str] = "razorpay"
    path = "/webhooks/payments/razorpay"

    def __init__(self) -> None:
        self.fake = FakeRazorpay()
        self._events = 0

    def fake_api(self) -> web.Application:
        return self.fake.app()

    def section(self, api_url: str) -> dict[str, Any]:
        return {"key_id": self.fake.key_id, "api_base_url": api_url, "retry_delays_seconds": [0, 0]}

    def environment(self) -> dict[str, str]:
        return {"RAZORPAY_KEY_SECRET": self.fake.key_secret, "RAZORPAY_WEBHOOK_SECRET": self.fake.webhook_secret}

    def payables(self, order: Order) -> int:
        return sum(1 for link in self.fake.links.values() if link["reference_id"].startswith(order.number))

    def _headers(self, body: bytes, signature: str) -> dict[str, str]:
        self._events += 1
        return {
            "Content-Type": "application/json",
            "X-Razorpay-Signature": signature,
            "x-razorpay-event-id": f"evt_kit{self._events:06d}",
        }

    async def pay(self, client: TestClient[Any, Any], order: Order, amount: int | None = None) -> int:
        assert order.payment_ref
        link = self.fake.links[order.payment_ref]
        link["status"] = "created"  # paid a moment before the shop's close reached Razorpay
        body, signature = self.fake.signed(self.fake.pay(order.payment_ref, amount))
        return await self.post(client, self.path, body, self._headers(body, signature))

    async def redeliver(self, client: TestClient[Any, Any]) -> int:
        return await self.again(client)

    async def forge(self, client: TestClient[Any, Any], order: Order) -> int:
        assert order.payment_ref
        link = dict(self.fake.links[order.payment_ref], status="paid", amount_paid=order.total.minor)
        event = self.fake.event("payment_link.paid", link, {"id": "pay_forged", "amount": order.total.minor,
                                                            "currency": order.currency, "status": "captured"})
        body, signature = self.fake.signed(event, secret="not-the-webhook-secret")
        return await self.post(client, self.path, body, self._headers(body, signature))

    def refund_keys(self) -> list[str]:
        return list(self.fake.refund_requests)

    def refunds_made(self) -> int:
        return len(self.fake.refunds)


class StripeDriver(PaymentDriver, _Webhooks):
    method: ClassVar[str] = "stripe"
    path = "/webhooks/payments/stripe"

    def __init__(self) -> None:
        self.fake = FakeStripe()

    def fake_api(self) -> web.Application:
        return self.fake.app()

    def section(self, api_url: str) -> dict[str, Any]:
        return {"api_base_url": api_url, "retry_delays_seconds": [0, 0]}

    def environment(self) -> dict[str, str]:
        return {"STRIPE_SECRET_KEY": self.fake.secret_key, "STRIPE_WEBHOOK_SECRET": self.fake.webhook_secret}

    def payables(self, order: Order) -> int:
        return sum(1 for s in self.fake.sessions.values() if s.get("client_reference_id") == order.number)

    async def _send(self, client: TestClient[Any, Any], event: dict[str, Any], secret: str | None = None) -> int:
        body = json.dumps(event).encode()
        headers = {"Content-Type": "application/json", "Stripe-Signature": self.fake.signature(body, secret=secret)}
        return await self.post(client, self.path, body, headers)

    async def pay(self, client: TestClient[Any, Any], order: Order, amount: int | None = None) -> int:
        assert order.payment_ref
        session = self.fake.sessions[order.payment_ref]
        session["status"] = "open"  # paid a moment before the shop's expiry reached Stripe
        event = self.fake.pay(order.payment_ref)
        if amount is not None:  # what Stripe reports as paid, in the event and when asked
            event["data"]["object"]["amount_total"] = amount
            session["amount_total"] = amount
            self.fake.intents[session["payment_intent"]]["amount_received"] = amount
        return await self._send(client, event)

    async def redeliver(self, client: TestClient[Any, Any]) -> int:
        return await self.again(client)

    async def forge(self, client: TestClient[Any, Any], order: Order) -> int:
        assert order.payment_ref
        session = dict(self.fake.sessions[order.payment_ref], status="complete", payment_status="paid")
        return await self._send(client, self.fake.event("checkout.session.completed", session), secret="whsec_forged")

    def refund_keys(self) -> list[str]:
        return [key or "" for method, path, key in self.fake.requests if method == "POST" and path == "/v1/refunds"]

    def refunds_made(self) -> int:
        return len(self.fake.refunds)


MERCHANT_KEY: rsa.RSAPrivateKey = new_key()
PLATFORM_KEY: rsa.RSAPrivateKey = new_key()


class WeChatPayDriver(PaymentDriver, _Webhooks):
    method: ClassVar[str] = "wechatpay"
    currency: ClassVar[str] = "CNY"
    path = "/webhooks/payments/wechatpay"

    def __init__(self) -> None:
        self.fake = FakeWeChatPay(merchant_public_key=MERCHANT_KEY.public_key(), platform_key=PLATFORM_KEY)

    def fake_api(self) -> web.Application:
        return self.fake.app()

    def section(self, api_url: str) -> dict[str, Any]:
        return {
            "mchid": self.fake.mchid,
            "appid": self.fake.appid,
            "serial_no": self.fake.serial_no,
            "private_key_file": "keys/apiclient_key.pem",
            "platform_public_key_file": "keys/pub_key.pem",
            "platform_public_key_id": self.fake.platform_key_id,
            "api_base_url": api_url,
            "retry_delays_seconds": [0, 0],
        }

    def environment(self) -> dict[str, str]:
        return {"WECHATPAY_APIV3_KEY": self.fake.apiv3_key.decode()}

    def server(self) -> dict[str, Any]:
        return {"public_url": "https://shop.example.cn"}  # WeChat Pay's notify_url must be https

    def prepare(self, directory: Path) -> None:
        keys = directory / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        (keys / "apiclient_key.pem").write_bytes(pem_private(MERCHANT_KEY))
        (keys / "pub_key.pem").write_bytes(pem_public(PLATFORM_KEY))

    def payables(self, order: Order) -> int:
        return sum(1 for no in self.fake.transactions if no.startswith(order.number))

    async def _notify(self, client: TestClient[Any, Any], body: bytes, key: rsa.RSAPrivateKey | None = None) -> int:
        headers = {"Content-Type": "application/json", **self.fake.signed_headers(body, key=key)}
        return await self.post(client, self.path, body, headers)

    async def pay(self, client: TestClient[Any, Any], order: Order, amount: int | None = None) -> int:
        no = order.payment_ref or order.number
        self.fake.transactions[no]["trade_state"] = "NOTPAY"  # paid a moment before the close arrived
        return await self._notify(client, self.fake.notification(self.fake.pay(no, paid_total=amount)))

    async def redeliver(self, client: TestClient[Any, Any]) -> int:
        return await self.again(client)

    async def forge(self, client: TestClient[Any, Any], order: Order) -> int:
        no = order.payment_ref or order.number
        resource = dict(self.fake.transaction(no), trade_state="SUCCESS", transaction_id="4200000000forged")
        return await self._notify(client, self.fake.notification(resource), key=new_key())

    def refund_keys(self) -> list[str]:
        return list(self.fake.refund_requests)

    def refunds_made(self) -> int:
        return len(self.fake.refunds)


class CashOnDeliveryDriver(PaymentDriver):
    method: ClassVar[str] = "cod"
    online: ClassVar[bool] = False
    refunds: ClassVar[bool] = False

    def section(self, api_url: str) -> dict[str, Any]:
        return {"max_order_total": "2000.00"}


class TestRazorpayKit(PaymentKit):
    driver = RazorpayDriver


class TestStripeKit(PaymentKit):
    driver = StripeDriver


class TestWeChatPayKit(PaymentKit):
    driver = WeChatPayDriver


class TestCashOnDeliveryKit(PaymentKit):
    driver = CashOnDeliveryDriver
