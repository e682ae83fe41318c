"""A signed payment event with an absurd amount is a mismatch: an alert, no change, and an answer
that makes the provider stop (it retried a 500 for days before)."""

from __future__ import annotations

import structlog.testing

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.payments.payment_helpers import place, untouched

ABSURD = 10**40


def _mismatches(logs: list[dict[str, object]]) -> list[dict[str, object]]:
    return [e for e in logs if e["event"] == "payment.amount_mismatch" and e.get("alert")]


async def test_razorpay_paid_with_an_absurd_amount_is_a_mismatch(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    h = razorpay_shop
    order = await place(h)
    event = razorpay_api.pay(order.payment_ref or "")
    event["payload"]["payment_link"]["entity"]["amount_paid"] = ABSURD
    with structlog.testing.capture_logs() as logs:
        status = await razorpay_api.send_webhook(h.client.session, h.url("/webhooks/payments/razorpay"), event)
    assert status == 200
    assert await untouched(h)
    assert _mismatches(logs)


async def test_razorpay_refund_failed_with_an_absurd_amount_owes_nothing(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    h = razorpay_shop
    await place(h)
    refund = {"id": "rfnd_1", "amount": ABSURD, "currency": "INR", "notes": {"order_number": "K7M-4QX"}}
    event = {"event": "refund.failed", "payload": {"refund": {"entity": refund}}}
    status = await razorpay_api.send_webhook(h.client.session, h.url("/webhooks/payments/razorpay"), event)
    assert status == 200
    assert await untouched(h)


async def test_stripe_paid_with_an_absurd_amount_is_a_mismatch(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    h = stripe_shop
    order = await place(h, method="stripe")
    event = stripe_api.pay(order.payment_ref or "")
    event["data"]["object"]["amount_total"] = ABSURD
    with structlog.testing.capture_logs() as logs:
        status = await stripe_api.send_webhook(h.client.session, h.url("/webhooks/payments/stripe"), event)
    assert status == 200
    assert await untouched(h)
    assert _mismatches(logs)


async def test_wechatpay_paid_with_an_absurd_total_is_a_mismatch(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = wechatpay_shop
    await place(h, currency="CNY", unit=2900, method="wechatpay")
    transaction = wechatpay_api.pay("K7M-4QX")
    transaction["amount"]["total"] = ABSURD
    transaction["amount"]["payer_total"] = ABSURD
    body = wechatpay_api.notification(transaction)
    with structlog.testing.capture_logs() as logs:
        status, text = await wechatpay_api.notify(h.client.session, h.url("/webhooks/payments/wechatpay"), body)
    assert status == 204, text
    assert await untouched(h)
    assert _mismatches(logs)
