"""Razorpay end to end, the awkward cases: a second tap on "Pay", lost answers, partial payments."""

from __future__ import annotations

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.payments.test_razorpay_journey import checkout_online

WEBHOOK = "/webhooks/payments/razorpay"


async def test_tapping_pay_again_sends_the_same_link(razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay) -> None:
    order, _ = await checkout_online(razorpay_shop)
    (link,) = razorpay_api.links.values()
    again = await razorpay_shop.choose("asha", f"paylink:{order.number}")
    assert len(razorpay_api.links) == 1
    assert link["short_url"] in again
    assert "couldn't" not in again


async def test_a_partial_payment_is_not_a_payment(razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay) -> None:
    order, _ = await checkout_online(razorpay_shop)
    event = razorpay_api.pay(order.payment_ref or "", amount=10000)
    event["event"] = "payment_link.partially_paid"
    status = await razorpay_api.send_webhook(razorpay_shop.client.session, razorpay_shop.url(WEBHOOK), event)
    await razorpay_shop.shop.idle()
    assert status == 200
    after = await razorpay_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PENDING_PAYMENT


async def test_signed_but_unreadable_bodies_are_not_a_server_error(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    http, url = razorpay_shop.client.session, razorpay_shop.url(WEBHOOK)
    bodies = [
        {"event": "payment_link.paid", "payload": []},
        {"event": "payment_link.paid", "payload": {"payment_link": {"entity": {"reference_id": ["x"]}}}},
        {
            "event": "payment_link.paid",
            "payload": {"payment_link": {"entity": {"reference_id": "NOPE", "amount_paid": 1, "currency": "ZZZ"}}},
        },
        {"event": ["payment_link.paid"]},
    ]
    for body in bodies:
        status = await razorpay_api.send_webhook(http, url, body)  # type: ignore[arg-type]
        assert status < 500, body


async def test_paid_arriving_after_expired_is_refunded(razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay) -> None:
    order, _ = await checkout_online(razorpay_shop)
    http, url = razorpay_shop.client.session, razorpay_shop.url(WEBHOOK)
    link_id = order.payment_ref or ""
    paid = razorpay_api.pay(link_id)  # the customer paid at the last second...
    expired = razorpay_api.event("payment_link.expired", {**razorpay_api.links[link_id], "status": "expired"})
    assert await razorpay_api.send_webhook(http, url, expired) == 200  # ...but the expiry arrives first
    assert await razorpay_api.send_webhook(http, url, paid) == 200
    await razorpay_shop.shop.idle()
    after = await razorpay_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.REFUNDED and after.refunded_amount == 27500
    (payment,) = razorpay_api.payments.values()
    assert payment["amount_refunded"] == 27500
    told = "\n".join(razorpay_shop.texts_to("terminal:asha"))
    assert "refunded" in told.lower() and "₹275.00" in told
