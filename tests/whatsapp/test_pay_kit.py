"""WhatsApp Pay passes the payment-method kit: the fake Graph API plays Meta's bills, payment
lookups and refunds (which take no idempotency key), signed payment webhooks reach the shop."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from chatshop.money import Money
from chatshop.orders import Order
from chatshop.payments import PaymentError
from chatshop.testing.fakes.whatsapp import FakeGraph
from chatshop.testing.kits.payment import PaymentDriver, PaymentKit, PaymentShop

from .meta import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN, contact, envelope, fixture, signed

URL = "/webhooks/whatsapp"
WA_ID = "919812345678"
CONFIGURATION = "kirana-razorpay"


class WhatsAppPayDriver(PaymentDriver):
    method: ClassVar[str] = "whatsapp_pay"
    buyer: ClassVar[str] = f"whatsapp:{WA_ID}"
    keyed_refunds: ClassVar[bool] = False  # Meta's payments_refund has no idempotency key

    def __init__(self) -> None:
        self.fake = FakeGraph(phone_number_id=PHONE_NUMBER_ID)
        self._last: tuple[bytes, dict[str, str]] | None = None
        self._statuses = 0

    def fake_api(self) -> web.Application:
        return self.fake.app()

    def section(self, api_url: str) -> dict[str, Any]:
        return {"configuration_name": CONFIGURATION, "gateway": "razorpay"}

    def other_sections(self, api_url: str) -> dict[str, dict[str, Any]]:
        return {
            "channels.whatsapp": {
                "phone_number_id": PHONE_NUMBER_ID,
                "access_token_env": "WHATSAPP_ACCESS_TOKEN",
                "app_secret_env": "WHATSAPP_APP_SECRET",
                "verify_token_env": "WHATSAPP_VERIFY_TOKEN",
                "api_base_url": api_url,
            }
        }

    def environment(self) -> dict[str, str]:
        return {
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        }

    async def greet(self, client: TestClient[Any, Any]) -> None:
        message = {"from": WA_ID, "id": "wamid.kit-hello", "timestamp": "1764038400", "type": "text",
                   "text": {"body": "hi"}}
        body, headers = signed(envelope(messages=[message], contacts=[contact(WA_ID, "Kit Buyer")]))
        response = await client.post(URL, data=body, headers=headers)
        assert response.status == 200

    def payables(self, order: Order) -> int:
        """Bills Meta holds for the order (each order_details reference_id is one to pay)."""
        return sum(1 for reference in self.fake.bills if reference.split(".", 1)[0] == order.number)

    def _status(self, reference: str, value: int) -> dict[str, Any]:
        payload = fixture("webhook_status_payment_captured.json")
        status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
        self._statuses += 1
        status["id"] = f"kit-status-{self._statuses}"
        status["recipient_id"] = WA_ID
        status["payment"]["reference_id"] = reference
        status["payment"]["amount"]["value"] = value
        return payload

    async def _post(self, client: TestClient[Any, Any], payload: dict[str, Any], secret: str = APP_SECRET) -> int:
        self._last = signed(payload, secret)
        response = await client.post(URL, data=self._last[0], headers=self._last[1])
        return response.status

    async def pay(self, client: TestClient[Any, Any], order: Order, amount: int | None = None) -> int:
        assert order.payment_ref and order.payment_ref in self.fake.bills, "no bill was sent to pay"
        value = order.total.minor if amount is None else amount
        # Meta's record first (what the shop's lookup finds), then its webhook.
        self.fake.payments[order.payment_ref] = {
            "reference_id": order.payment_ref,
            "status": "captured",
            "amount": {"value": value, "offset": 100},
            "currency": "INR",
        }
        return await self._post(client, self._status(order.payment_ref, value))

    async def redeliver(self, client: TestClient[Any, Any]) -> int:
        assert self._last is not None
        response = await client.post(URL, data=self._last[0], headers=self._last[1])
        return response.status

    async def forge(self, client: TestClient[Any, Any], order: Order) -> int:
        assert order.payment_ref
        payload = copy.deepcopy(self._status(order.payment_ref, order.total.minor))
        return await self._post(client, payload, secret="not-the-app-secret")

    def refunds_made(self) -> int:
        return len(self.fake.refunds)


class TestWhatsAppPayKit(PaymentKit):
    driver = WhatsAppPayDriver

    async def test_a_refund_whose_answer_was_lost_is_found_not_made_again(self, kit: PaymentShop) -> None:
        """Meta made the refund but its answer never came: asked again, the method finds it in
        Meta's record of the payment instead of refunding a second time."""
        driver = kit.driver
        assert isinstance(driver, WhatsAppPayDriver)
        order = await kit.order()
        await driver.pay(kit.client, order)
        await kit.harness.idle()
        paid = await kit.get(order.number)
        part = Money(10000, "INR")
        driver.fake.lost_refund_answers = 1
        with pytest.raises(PaymentError) as lost:
            await kit.method.refund(paid, part)
        assert lost.value.retryable and len(driver.fake.refunds) == 1
        again = await kit.method.refund(paid, part)
        assert len(driver.fake.refunds) == 1, "a refund whose answer was lost was made again"
        assert again.refund_id == "refund.1" and again.amount == part
        other = await kit.method.refund(paid, Money(5000, "INR"))  # another amount: a refund of its own
        assert len(driver.fake.refunds) == 2 and other.refund_id == "refund.2"
