"""whatsapp_pay: the order_details bill, order_status updates, and payment webhooks confirmed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chatshop.channels import RetryableSendError
from chatshop.config import validate_section
from chatshop.messages import OrderLine, OrderStatusUpdate, PaymentRequest
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentContext, PaymentEventKind
from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.plugins.whatsapp.config import WhatsAppPayConfig
from chatshop.plugins.whatsapp.pay import WhatsAppPay
from chatshop.plugins.whatsapp.webhook import load_body, parse_webhook

from .conftest import StubShop
from .fake_graph import FakeGraph
from .meta import PHONE_NUMBER_ID, fixture, wire

WA_ID = "919812345678"


def order(number: str = "K7M-4QX") -> Order:
    lines = (
        OrderLine(
            product_id="ATTA-AASH-5KG",
            title="Aashirvaad Atta 5 kg",
            quantity=2,
            unit_price=Money(28900, "INR"),
        ),
        OrderLine(
            product_id="RICE-BASM-1KG",
            title="Basmati Rice 1 kg",
            quantity=1,
            unit_price=Money(14950, "INR"),
        ),
    )
    return Order(
        number=number,
        customer_key=f"whatsapp:{WA_ID}",
        status=OrderStatus.PENDING_PAYMENT,
        lines=lines,
        adjustments=(("Delivery", Money(4000, "INR")),),
        currency="INR",
        payment_method="whatsapp_pay",
        placement_key="p1",
        address="B-1204, Sunrise Heights, Sahar Road, Mumbai",
        postal_code="400069",
        contact_name="Priya Sharma",
    )


@pytest.fixture
def channel(make_channel: Callable[..., WhatsAppChannel]) -> WhatsAppChannel:
    return make_channel()


@pytest.fixture
def pay(shop: StubShop, channel: WhatsAppChannel) -> WhatsAppPay:
    config = validate_section(
        WhatsAppPayConfig,
        {"configuration_name": "kirana-razorpay", "gateway": "razorpay"},
        "payments.whatsapp_pay",
        "INR",
    )
    method = WhatsAppPay(shop, config)  # type: ignore[arg-type]  # a stub shop
    shop.payment_methods[method.name] = method
    return method


def test_offered_on_whatsapp_in_rupees_within_the_upi_cap(pay: WhatsAppPay) -> None:
    assert pay.available(PaymentContext(Money(50000, "INR"), "400069", "whatsapp"))
    assert not pay.available(PaymentContext(Money(50000, "INR"), "400069", "wechat"))
    assert not pay.available(PaymentContext(Money(50000, "EUR"), None, "whatsapp"))
    assert not pay.available(PaymentContext(Money(5_00_000_01, "INR"), None, "whatsapp"))


async def billed(pay: WhatsAppPay, channel: WhatsAppChannel, fake: FakeGraph) -> str:
    channel.window.opened(WA_ID)
    start = await pay.start(order())
    [request] = start.messages
    assert isinstance(request, PaymentRequest)
    await channel.send(WA_ID, request)
    assert start.provider_ref is not None
    return start.provider_ref


async def test_the_bill_is_an_order_details_message_the_api_accepts(
    pay: WhatsAppPay, channel: WhatsAppChannel, fake: FakeGraph
) -> None:
    reference = await billed(pay, channel, fake)
    [sent] = fake.sent
    assert sent.content["type"] == "order_details"
    p = sent.content["action"]["parameters"]
    assert p["reference_id"] == reference and reference.startswith("K7M-4QX.") and len(reference) <= 35
    assert p["total_amount"] == {"value": 76750, "offset": 100}
    assert p["payment_settings"][0]["payment_gateway"] == {
        "type": "razorpay",
        "configuration_name": "kirana-razorpay",
    }
    assert fake.bills == {reference: "pending"}


def captured(reference: str, value: int = 76750) -> dict[str, Any]:
    payload = fixture("webhook_status_payment_captured.json")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["payment"]["reference_id"] = reference
    status["payment"]["amount"]["value"] = value
    return payload


async def deliver(pay: WhatsAppPay, payload: dict[str, Any]) -> None:
    for status in parse_webhook(load_body(wire(payload)), "whatsapp", PHONE_NUMBER_ID).payments:
        await pay.on_status(status)


async def test_a_captured_payment_is_confirmed_with_meta_then_applied(
    pay: WhatsAppPay, channel: WhatsAppChannel, fake: FakeGraph, shop: StubShop
) -> None:
    reference = await billed(pay, channel, fake)
    fake.payments[reference] = {
        "reference_id": reference,
        "status": "captured",
        "amount": {"value": 76750, "offset": 100},
        "currency": "INR",
    }
    await deliver(pay, captured(reference))
    [event] = shop.payment_events
    assert (event.kind, event.order_number, event.amount) == (
        PaymentEventKind.PAID,
        "K7M-4QX",
        Money(76750, "INR"),
    )
    assert event.method == "whatsapp_pay" and event.provider_payment_id == "order_Pq7XkZ2mLw9aBc"


async def test_a_captured_webhook_meta_does_not_confirm_is_ignored(
    pay: WhatsAppPay, channel: WhatsAppChannel, fake: FakeGraph, shop: StubShop
) -> None:
    reference = await billed(pay, channel, fake)
    fake.payments[reference] = {"reference_id": reference, "status": "pending", "currency": "INR"}
    await deliver(pay, captured(reference))
    assert shop.payment_events == []


async def test_a_failed_attempt_is_reported_as_failed(
    pay: WhatsAppPay, channel: WhatsAppChannel, fake: FakeGraph, shop: StubShop
) -> None:
    reference = await billed(pay, channel, fake)
    payload = captured(reference)
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["status"] = "pending"
    status["payment"]["transaction"]["status"] = "failed"
    await deliver(pay, payload)
    [event] = shop.payment_events
    assert event.kind is PaymentEventKind.FAILED


async def test_status_updates_move_the_in_chat_bill(
    pay: WhatsAppPay, channel: WhatsAppChannel, fake: FakeGraph
) -> None:
    reference = await billed(pay, channel, fake)
    for status in ("paid", "shipped", "delivered"):
        update = OrderStatusUpdate(
            order_number="K7M-4QX",
            status=status,
            body=f"Now {status}",
            payment_method="whatsapp_pay",
        )
        await channel.send(WA_ID, update)
    kinds = [s.content.get("type") for s in fake.sent[1:]]
    assert kinds == ["order_status"] * 3
    assert fake.bills[reference] == "completed" and fake.async_errors == []
    again = OrderStatusUpdate(
        order_number="K7M-4QX", status="delivered", body="Delivered", payment_method="whatsapp_pay"
    )
    await channel.send(WA_ID, again)
    assert fake.sent[-1].type == "text"  # a final bill is never moved again (2046)


async def test_a_paid_bill_is_not_cancelled_in_chat(
    pay: WhatsAppPay, channel: WhatsAppChannel, fake: FakeGraph
) -> None:
    reference = await billed(pay, channel, fake)
    fake.payments[reference] = {
        "reference_id": reference,
        "status": "captured",
        "amount": {"value": 76750, "offset": 100},
        "currency": "INR",
    }
    await deliver(pay, captured(reference))
    update = OrderStatusUpdate(
        order_number="K7M-4QX",
        status="cancelled",
        body="Cancelled, refund on its way",
        payment_method="whatsapp_pay",
    )
    await channel.send(WA_ID, update)
    assert fake.sent[-1].type == "text" and fake.async_errors == []


async def test_a_throttled_bill_move_is_tried_again_as_the_same_move(
    pay: WhatsAppPay, channel: WhatsAppChannel, fake: FakeGraph
) -> None:
    reference = await billed(pay, channel, fake)
    update = OrderStatusUpdate(
        order_number="K7M-4QX", status="shipped", body="On its way", payment_method="whatsapp_pay"
    )
    fake.storm(130429, 100)
    with pytest.raises(RetryableSendError):
        await channel.send(WA_ID, update)
    fake.faults.clear()
    await channel.send(WA_ID, update)  # the outbox's retry
    assert fake.sent[-1].content["type"] == "order_status"
    assert fake.bills[reference] == "shipped"
