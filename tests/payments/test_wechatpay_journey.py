"""End to end: a customer outside WeChat pays with a Native code; WeChat Pay notifies the shop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chatshop.orders import Order, OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.wechatpay import FakeWeChatPay, new_key
from tests.payments.conftest import WeChatPayMerchant

WEBHOOK = "/webhooks/payments/wechatpay"


@pytest.fixture
async def harness(
    wechatpay_api: FakeWeChatPay,
    aiohttp_server: Any,
    tmp_path: Path,
    wechatpay_merchant: WeChatPayMerchant,
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(wechatpay_api.app())
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), tmp_path / "shop")
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


async def buy_tea(h: ShopHarness) -> tuple[Order, str]:
    await h.say("li", "hi")
    await h.say("li", "longjing")
    await h.say("li", "1")  # Add to cart
    await h.say("li", "1")  # Checkout
    reply = await h.say("li", "Room 301, 88 Nanjing Road, Shanghai 200001")
    assert "Total: CN¥58.00" in reply
    reply = await h.say("li", "1")  # Confirm (WeChat Pay is the only method)
    (order,) = await h.shop.store.list_orders()
    return order, reply


async def test_pay_with_a_native_code_and_get_the_receipt(harness: ShopHarness, wechatpay_api: FakeWeChatPay) -> None:
    order, reply = await buy_tea(harness)
    known = wechatpay_api.transactions[order.number]
    assert known["trade_type"] == "NATIVE" and known["request"]["amount"]["total"] == 5800
    assert known["answer"]["code_url"] in reply
    url, http = harness.url(WEBHOOK), harness.client.session

    body = wechatpay_api.notification(wechatpay_api.pay(order.number))
    assert (await wechatpay_api.notify(http, url, body, key=new_key()))[0] == 401
    assert (await wechatpay_api.notify(http, url, body))[0] == 204
    assert (await wechatpay_api.notify(http, url, body))[0] == 204  # WeChat Pay repeats itself
    await harness.shop.idle()
    paid = await harness.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 5800
    receipts = [t for t in harness.texts_to("terminal:li") if "Payment of CN¥58.00 received" in t]
    assert len(receipts) == 1

    await harness.choose("li", f"cancel:{order.number}")
    await harness.choose("li", f"cancelyes:{order.number}")
    await harness.shop.idle()
    refunded = await harness.shop.store.get_order(order.number)
    assert refunded is not None and refunded.status is OrderStatus.REFUNDED
    assert wechatpay_api.transactions[order.number]["refunded"] == 5800


async def test_a_wrong_amount_never_pays(harness: ShopHarness, wechatpay_api: FakeWeChatPay) -> None:
    order, _ = await buy_tea(harness)
    body = wechatpay_api.notification(wechatpay_api.pay(order.number, paid_total=1))
    assert (await wechatpay_api.notify(harness.client.session, harness.url(WEBHOOK), body))[0] == 204
    await harness.shop.idle()
    unpaid = await harness.shop.store.get_order(order.number)
    assert unpaid is not None and unpaid.status is OrderStatus.PENDING_PAYMENT


async def test_a_wrong_amount_is_given_back_when_the_window_closes_and_the_stock_released(
    harness: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    """It used to keep the order pending for good: each sweep polled, found the same wrong payment,
    refused it again and never let the order expire, so its stock stayed reserved."""
    order, _ = await buy_tea(harness)
    body = wechatpay_api.notification(wechatpay_api.pay(order.number, paid_total=1))
    assert (await wechatpay_api.notify(harness.client.session, harness.url(WEBHOOK), body))[0] == 204
    assert order.payment_expires_at is not None
    for _ in range(2):  # a second sweep changes nothing more
        await harness.shop.ordering.expire_due(order.payment_expires_at + timedelta(seconds=1))
        await harness.shop.idle()
    cancelled = await harness.shop.store.get_order(order.number)
    assert cancelled is not None and cancelled.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
    assert cancelled.paid_amount == 1 and cancelled.refunded_amount == 1
    assert wechatpay_api.transactions[order.number]["refunded"] == 1  # the one fen paid goes back
    assert (await harness.shop.store.inventory(["longjing"]))["longjing"].stock == 5


async def test_unpaid_at_expiry_is_closed_cancelled_and_released(
    harness: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    order, _ = await buy_tea(harness)
    assert order.payment_expires_at is not None
    await harness.shop.ordering.expire_due(order.payment_expires_at + timedelta(seconds=1))
    await harness.shop.idle()
    cancelled = await harness.shop.store.get_order(order.number)
    assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED
    assert wechatpay_api.transactions[order.number]["trade_state"] == "CLOSED"
    stock = (await harness.shop.store.inventory(["longjing"]))["longjing"].stock
    assert stock == 5


@pytest.fixture
async def jsapi_harness(
    wechatpay_api: FakeWeChatPay,
    aiohttp_server: Any,
    tmp_path: Path,
    wechatpay_merchant: WeChatPayMerchant,
) -> AsyncIterator[ShopHarness]:
    """The same shop, treating terminal customers as WeChat users (their id is the OpenID)."""
    server = await aiohttp_server(wechatpay_api.app())
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), tmp_path / "shop").replace(
        "retry_delays_seconds", 'jsapi_channels = ["terminal"]\nretry_delays_seconds'
    )
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


async def test_in_wechat_the_customer_pays_on_our_jsapi_page(
    jsapi_harness: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = jsapi_harness
    order, reply = await buy_tea(h)
    known = wechatpay_api.transactions[order.number]
    assert known["trade_type"] == "JSAPI" and known["request"]["payer"] == {"openid": "li"}
    link = next(word for word in reply.split() if "/pay/wechatpay/" in word)
    assert link.startswith(f"https://shop.example.cn/pay/wechatpay/{order.number}?sig=")

    page = await h.client.get(link.removeprefix("https://shop.example.cn"))
    html = await page.text()
    assert page.status == 200 and "getBrandWCPayRequest" in html
    assert f"prepay_id={known['answer']['prepay_id']}" in html
    assert (await h.client.get(f"/pay/wechatpay/{order.number}?sig=forged")).status == 404

    body = wechatpay_api.notification(wechatpay_api.pay(order.number))
    assert (await wechatpay_api.notify(h.client.session, h.url(WEBHOOK), body))[0] == 204
    await h.shop.idle()
    paid = await h.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID
