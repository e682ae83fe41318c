"""The customer paid, the provider's word is still on its way, and they tap "Try again" (or "Pay
online" under the order): they must not get a second thing to pay. The shop asks the provider,
finds the payment and applies it at once; the later webhook changes nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog.testing

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.payments.conftest import WeChatPayMerchant
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
    with structlog.testing.capture_logs() as logs:
        assert await razorpay_api.send_webhook(razorpay_shop.client.session, url, event) == 200
        await razorpay_shop.shop.idle()
    assert len(receipts(razorpay_shop, "terminal:asha")) == 1
    assert not [line for line in logs if line.get("alert")], logs  # the same payment, not a late one


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


async def test_the_jsapi_page_while_wechat_pay_is_down_says_so_instead_of_a_server_error(
    wechatpay_api: FakeWeChatPay,
    merchant_key: Any,
    aiohttp_server: Any,
    tmp_path: Path,
    wechatpay_merchant: WeChatPayMerchant,
) -> None:
    server = await aiohttp_server(wechatpay_api.app())
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), tmp_path / "shop")
    toml = toml.replace("retry_delays_seconds", 'jsapi_channels = ["terminal"]\nretry_delays_seconds')
    async with running_shop(toml, tmp_path / "shop") as h:
        await h.say("li", "longjing")
        await h.say("li", "1")
        await h.say("li", "1")
        reply = await h.say("li", "Room 301, 88 Nanjing Road, Shanghai 200001")
        while "Confirm" not in reply:
            reply = await h.say("li", "1")
        reply = await h.say("li", "1")
        link = next(word for word in reply.split() if "/pay/wechatpay/" in word).removeprefix("https://shop.example.cn")
        (order,) = await h.shop.store.list_orders()
        # the prepay id the page needs is gone (a cleared cache), and WeChat Pay is down right now
        await h.shop.store.kv_set(f"wechatpay:prepay:{order.number}", "", datetime.now(UTC) - timedelta(seconds=1))
        wechatpay_api.outage = [500, 500, 500]
        page = await h.client.get(link)
        text = await page.text()
        assert page.status == 503 and "Internal Server Error" not in text
        assert "微信支付" in text or "WeChat Pay" in text
        page = await h.client.get(link)  # WeChat Pay is back
        assert page.status == 200 and "getBrandWCPayRequest" in await page.text()
