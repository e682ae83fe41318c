"""The owner acts on an order (dashboard, command line) while its customer does in the chat."""

from __future__ import annotations

import asyncio

from chatshop.orders import Order, OrderStatus
from chatshop.testing import ShopHarness
from tests.operations.providers import HeldRazorpay
from tests.payments.test_razorpay_journey import checkout_online

WEBHOOK = "/webhooks/payments/razorpay"


async def paid_order(h: ShopHarness, razorpay: HeldRazorpay) -> Order:
    order, _ = await checkout_online(h)
    event = razorpay.pay(order.payment_ref or "")
    assert await razorpay.send_webhook(h.client.session, h.url(WEBHOOK), event) == 200
    await h.shop.idle()
    paid = await h.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID
    return paid


async def test_a_refund_made_while_the_owner_shipped_is_recorded_and_told(
    razorpay_shop: ShopHarness, razorpay_api: HeldRazorpay
) -> None:
    h = razorpay_shop
    order = await paid_order(h, razorpay_api)
    razorpay_api.refund_gate = asyncio.Event()
    cancelling = asyncio.create_task(h.choose("asha", f"cancelyes:{order.number}"))
    await razorpay_api.refund_reached.wait()  # Razorpay is making the refund...
    await h.shop.move_order(order.number, OrderStatus.SHIPPED, note="dashboard")  # ...as the owner ships
    razorpay_api.refund_gate.set()
    reply = await cancelling
    (payment,) = razorpay_api.payments.values()
    assert payment["amount_refunded"] == 27500  # the money went back: the shop's record must say so
    after = await h.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.SHIPPED
    assert after.refunded_amount == 27500
    assert any("rfnd_" in str(entry["note"]) for entry in after.history)
    texts = h.texts_to("terminal:asha")
    assert any("We refunded ₹275.00" in text for text in texts)
    assert "is shipped and can no longer be cancelled" in reply
    # Nothing left to refund: the dashboard's "Refund" cannot pay it back a second time.
    assert await refund_refused(h, order.number)


async def refund_refused(h: ShopHarness, number: str) -> bool:
    try:
        await h.shop.refund_order(number)
    except ValueError:
        return True
    return False


async def test_a_refund_razorpay_reports_failed_is_not_recorded_as_made(
    razorpay_shop: ShopHarness, razorpay_api: HeldRazorpay
) -> None:
    h = razorpay_shop
    order = await paid_order(h, razorpay_api)
    razorpay_api.refund_status = "failed"
    reply = await h.choose("asha", f"cancelyes:{order.number}")
    after = await h.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PAID and after.refunded_amount == 0
    assert "could not cancel" in reply and "Try again" in reply
    assert not any("We refunded" in text for text in h.texts_to("terminal:asha"))
    razorpay_api.refund_status = "processed"
    await h.choose("asha", f"cancelyes:{order.number}")  # "Try again": a new refund, not the failed one
    after = await h.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.REFUNDED and after.refunded_amount == 27500
    (payment,) = razorpay_api.payments.values()
    assert payment["amount_refunded"] == 27500 and len(razorpay_api.refunds) == 2
