"""A refund the provider accepted fails days later (the customer's bank account is closed): the
provider's ``refund.failed`` webhook puts the amount back as owed on the order and alerts the owner.

Until then the order said "refunded" while the customer had nothing back, and nobody knew.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

from chatshop.orders import Order, OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.stripe import FakeStripe
from tests.operations.providers import HeldRazorpay
from tests.operations.test_owner_races_customer import paid_order
from tests.payments.providers.test_stripe_edges import checkout_online as stripe_checkout
from tests.payments.providers.test_stripe_edges import send as send_stripe


def alerts(captured: io.StringIO, event: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in captured.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == event and line.get("alert")]


async def refunded(h: ShopHarness, number: str) -> Order:
    await h.choose("asha", f"cancelyes:{number}")
    order = await h.shop.store.get_order(number)
    assert order is not None and order.status is OrderStatus.REFUNDED and order.refunded_amount == 27500
    return order


async def test_a_razorpay_refund_that_failed_is_owed_again_and_alerted(
    razorpay_shop: ShopHarness, razorpay_api: HeldRazorpay, logs: Callable[[], io.StringIO]
) -> None:
    h = razorpay_shop
    order = await refunded(h, (await paid_order(h, razorpay_api)).number)
    captured = logs()
    ((_, refund),) = razorpay_api.refunds.values()
    (payment,) = razorpay_api.payments.values()
    failed = {
        "entity": "event",
        "account_id": "acc_BFQ7uQEaa7j2z7",
        "event": "refund.failed",
        "contains": ["refund", "payment"],
        "payload": {"refund": {"entity": {**refund, "status": "failed"}}, "payment": {"entity": payment}},
        "created_at": int(time.time()),
    }
    url = h.url("/webhooks/payments/razorpay")
    for _ in range(2):  # Razorpay delivers it again: applied once
        assert await razorpay_api.send_webhook(h.client.session, url, failed, event_id="evt_refund_failed") == 200
    await h.shop.idle()
    after = await h.shop.store.get_order(order.number)
    assert after is not None and after.refunded_amount == 0
    assert any(f"refund {refund['id']} failed" in str(entry["note"]) for entry in after.history)
    (alert,) = alerts(captured, "payment.refund_failed")
    assert alert["order"] == order.number


async def test_a_stripe_refund_that_failed_is_owed_again_and_alerted(
    stripe_shop: ShopHarness, stripe_api: FakeStripe, logs: Callable[[], io.StringIO]
) -> None:
    h = stripe_shop
    order, _ = await stripe_checkout(h)
    assert await send_stripe(h, stripe_api, stripe_api.pay(order.payment_ref or "")) == 200
    order = await refunded(h, order.number)
    captured = logs()
    (refund,) = stripe_api.refunds
    failed = stripe_api.event(
        "refund.failed", {**refund, "status": "failed", "failure_reason": "expired_or_canceled_card"}
    )
    assert await send_stripe(h, stripe_api, failed) == 200
    assert await send_stripe(h, stripe_api, failed) == 200
    after = await h.shop.store.get_order(order.number)
    assert after is not None and after.refunded_amount == 0
    assert any(f"refund {refund['id']} failed" in str(entry["note"]) for entry in after.history)
    (alert,) = alerts(captured, "payment.refund_failed")
    assert alert["order"] == order.number


async def test_refunding_again_after_a_failed_refund_makes_a_new_refund(
    razorpay_shop: ShopHarness, razorpay_api: HeldRazorpay
) -> None:
    h = razorpay_shop
    order = await refunded(h, (await paid_order(h, razorpay_api)).number)
    ((_, refund),) = razorpay_api.refunds.values()
    (payment,) = razorpay_api.payments.values()
    payment["amount_refunded"] = 0  # the bank sent it back to the merchant
    failed = razorpay_api.event("refund.failed", {})
    failed["payload"] = {"refund": {"entity": {**refund, "status": "failed"}}, "payment": {"entity": payment}}
    url = h.url("/webhooks/payments/razorpay")
    assert await razorpay_api.send_webhook(h.client.session, url, failed) == 200
    await h.shop.idle()
    again = await h.shop.refund_order(order.number)  # the owner's "Refund" on the dashboard
    assert len(razorpay_api.refunds) == 2  # a new refund, not the failed one replayed by its key
    assert payment["amount_refunded"] == 27500
    assert again.refunded_amount == 27500
