"""The customer taps an old "Try again" (pay) after their order ended: they learn what became of it.

Razorpay was down at checkout; the customer came back after the payment window, when the shop had
already cancelled the order and put its stock back. "Your order is already placed" would have them
wait for a delivery that never comes.
"""

from __future__ import annotations

from datetime import timedelta

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from tests.operations.providers import HeldRazorpay
from tests.payments.test_razorpay_journey import checkout_online


async def test_try_again_on_an_order_cancelled_meanwhile_says_so_and_offers_to_order_again(
    razorpay_shop: ShopHarness, razorpay_api: HeldRazorpay
) -> None:
    h = razorpay_shop
    razorpay_api.outage = [503] * 3
    order, reply = await checkout_online(h)
    assert "Try again" in reply and not razorpay_api.links
    assert order.payment_expires_at is not None
    await h.shop.ordering.expire_due(order.payment_expires_at + timedelta(minutes=1))
    await h.shop.idle()
    reply = await h.choose("asha", f"paylink:{order.number}")  # the old button, scrolled back to
    assert "already placed" not in reply
    assert f"Order {order.number} is cancelled" in reply and "Try again" in reply
    assert not razorpay_api.links  # nothing to pay on a cancelled order
    reply = await h.choose("asha", f"reorder:{order.number}")  # the button in that answer
    assert "Where should we deliver?" in reply
    cancelled = await h.shop.store.get_order(order.number)
    assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED


async def test_try_again_on_an_order_paid_meanwhile_says_it_is_paid(
    razorpay_shop: ShopHarness, razorpay_api: HeldRazorpay
) -> None:
    h = razorpay_shop
    order, _ = await checkout_online(h)
    event = razorpay_api.pay(order.payment_ref or "")
    assert await razorpay_api.send_webhook(h.client.session, h.url("/webhooks/payments/razorpay"), event) == 200
    await h.shop.idle()
    reply = await h.choose("asha", f"paylink:{order.number}")
    assert "already placed" not in reply and f"Order {order.number}: paid" in reply
    assert len(razorpay_api.links) == 1
