"""The customer paid, the provider's word is still on its way, and they tap "Try again" (or "Pay
online" under the order): they must not get a second thing to pay. The shop asks the provider,
finds the payment and applies it at once; the later webhook changes nothing more."""

from __future__ import annotations

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from tests.payments.fake_razorpay import FakeRazorpay
from tests.payments.fake_stripe import FakeStripe
from tests.payments.fake_wechatpay import FakeWeChatPay
from tests.payments.test_razorpay_journey import checkout_online


def receipts(h: ShopHarness, customer: str) -> list[str]:
    return [t for t in h.texts_to(customer) if "received" in t]


async def test_stripe_paid_session_then_try_again_makes_no_second_session(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    order, _ = await checkout_online(stripe_shop)
    event = stripe_api.pay(order.payment_ref or "")  # paid at Stripe; the webhook is late
    reply = await stripe_shop.choose("asha", f"paylink:{order.number}")
    await stripe_shop.shop.idle()
    assert len(stripe_api.sessions) == 1, reply
    assert "checkout.stripe.com" not in reply
    paid = await stripe_shop.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 27500
    status = await stripe_api.send_webhook(
        stripe_shop.client.session, stripe_shop.url("/webhooks/payments/stripe"), event
    )
    assert status == 200
    await stripe_shop.shop.idle()
    assert len(receipts(stripe_shop, "terminal:asha")) == 1


async def test_stripe_delayed_method_processing_then_try_again_makes_no_second_session(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    """A bank debit completes the session unpaid and settles days later: nothing else to pay."""
    order, _ = await checkout_online(stripe_shop)
    stripe_api.pay(order.payment_ref or "", delayed=True)
    reply = await stripe_shop.choose("asha", f"paylink:{order.number}")
    assert len(stripe_api.sessions) == 1, reply
    assert "checkout.stripe.com" not in reply
    after = await stripe_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PENDING_PAYMENT


async def test_razorpay_paid_link_then_try_again_applies_the_payment(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    order, _ = await checkout_online(razorpay_shop)
    event = razorpay_api.pay(order.payment_ref or "")
    reply = await razorpay_shop.choose("asha", f"paylink:{order.number}")
    await razorpay_shop.shop.idle()
    assert len(razorpay_api.links) == 1 and "rzp.io" not in reply
    paid = await razorpay_shop.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID
    url = razorpay_shop.url("/webhooks/payments/razorpay")
    assert await razorpay_api.send_webhook(razorpay_shop.client.session, url, event) == 200
    await razorpay_shop.shop.idle()
    assert len(receipts(razorpay_shop, "terminal:asha")) == 1


async def test_wechatpay_paid_then_try_again_applies_the_payment(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = wechatpay_shop
    await h.say("mei", "longjing")
    await h.say("mei", "1")
    await h.say("mei", "1")
    reply = await h.say("mei", "Room 301, 88 Nanjing Road, Shanghai 200001")
    while "Confirm" not in reply:
        reply = await h.say("mei", "1")
    await h.say("mei", "1")
    (order,) = await h.shop.store.list_orders()
    wechatpay_api.pay(order.number)  # paid; the notification is late
    reply = await h.choose("mei", f"paylink:{order.number}")
    await h.shop.idle()
    paid = await h.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID, reply
    assert len(receipts(h, "terminal:mei")) == 1
