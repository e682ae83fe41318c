"""A customer who cancels an unpaid online order cannot pay its old link afterwards by mistake."""

from __future__ import annotations

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.payments.test_razorpay_journey import checkout_online
from tests.payments.test_wechatpay_journey import buy_tea


async def _cancel(h: ShopHarness, customer: str, number: str) -> None:
    await h.choose(customer, f"cancel:{number}")
    await h.choose(customer, f"cancelyes:{number}")
    await h.shop.idle()
    order = await h.shop.store.get_order(number)
    assert order is not None and order.status is OrderStatus.CANCELLED


async def test_cancelling_an_unpaid_razorpay_order_cancels_its_link(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    order, _ = await checkout_online(razorpay_shop)
    await _cancel(razorpay_shop, "asha", order.number)
    assert razorpay_api.links[order.payment_ref or ""]["status"] == "cancelled"


async def test_cancelling_an_unpaid_stripe_order_expires_its_session(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    order, _ = await checkout_online(stripe_shop)
    await _cancel(stripe_shop, "asha", order.number)
    assert stripe_api.sessions[order.payment_ref or ""]["status"] == "expired"


async def test_cancelling_an_unpaid_wechatpay_order_closes_its_transaction(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    order, _ = await buy_tea(wechatpay_shop)
    await _cancel(wechatpay_shop, "li", order.number)
    assert wechatpay_api.transactions[order.number]["trade_state"] == "CLOSED"
