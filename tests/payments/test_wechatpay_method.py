"""WeChat Pay against the fake WeChat Pay: JSAPI and Native, polling, closing, refunds, the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.config import ConfigError, validate_section
from chatshop.messages import PaymentRequest
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentContext, PaymentError, PaymentEventKind
from chatshop.plugins.payments import wechatpay as plugin
from chatshop.plugins.payments.wechatpay import WeChatPay, crypto
from chatshop.plugins.payments.wechatpay.config import WeChatPayConfig
from tests.payments.fake_wechatpay import FakeWeChatPay, new_key
from tests.payments.payment_helpers import StandInShop, make_order, wechatpay_section


def cny_order(number: str = "K7M-4QX", customer: str = "terminal:alice", **kw: Any) -> Order:
    return make_order(number, currency="CNY", unit=2900, customer=customer, method="wechatpay", **kw)


async def test_outside_wechat_a_native_code_is_sent(wechatpay: WeChatPay, wechatpay_api: FakeWeChatPay) -> None:
    start = await wechatpay.start(cny_order())
    known = wechatpay_api.transactions["K7M-4QX"]
    assert known["trade_type"] == "NATIVE" and known["request"]["amount"] == {
        "total": 5800,
        "currency": "CNY",
    }
    assert known["request"]["notify_url"] == "https://shop.example.com/webhooks/payments/wechatpay"
    assert known["request"]["time_expire"].endswith("+08:00")
    assert start.url == known["answer"]["code_url"] and start.url.startswith("weixin://wxpay/")
    assert start.provider_ref == "K7M-4QX"
    (message,) = start.messages
    assert isinstance(message, PaymentRequest) and message.data["qr_code"] == start.url
    assert message.order.total == Money(5800, "CNY")


async def test_in_wechat_jsapi_with_the_customers_openid(wechatpay: WeChatPay, wechatpay_api: FakeWeChatPay) -> None:
    openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    start = await wechatpay.start(cny_order(customer=f"wechat:{openid}"))
    known = wechatpay_api.transactions["K7M-4QX"]
    assert known["trade_type"] == "JSAPI" and known["request"]["payer"] == {"openid": openid}
    assert start.url == wechatpay.page_url("K7M-4QX")
    assert start.url.startswith("https://shop.example.com/pay/wechatpay/K7M-4QX?sig=")
    assert start.messages[0].data == {"mode": "jsapi"}  # type: ignore[union-attr]


async def test_starting_again_gets_the_same_transaction(wechatpay: WeChatPay, wechatpay_api: FakeWeChatPay) -> None:
    order = cny_order()
    first = await wechatpay.start(order)
    again = await wechatpay.start(order)
    assert first.url == again.url and len(wechatpay_api.transactions) == 1


async def test_outage_retried_then_reported(wechatpay: WeChatPay, wechatpay_api: FakeWeChatPay) -> None:
    wechatpay_api.outage = [500, 503]
    assert (await wechatpay.start(cny_order())).url
    wechatpay_api.outage = [500, 500, 500]
    with pytest.raises(PaymentError) as caught:
        await wechatpay.start(cny_order("ABC-DEF"))
    assert caught.value.retryable


async def test_a_request_signed_with_another_key_is_refused(wechatpay: WeChatPay, wechatpay_api: FakeWeChatPay) -> None:
    wechatpay_api.merchant_public_key = new_key().public_key()
    with pytest.raises(PaymentError) as caught:
        await wechatpay.start(cny_order())
    assert not caught.value.retryable and "SIGN_ERROR" in str(caught.value)


async def test_an_answer_not_signed_by_wechat_pay_is_refused(
    wechatpay: WeChatPay, wechatpay_api: FakeWeChatPay
) -> None:
    wechatpay_api.impostor_key = new_key()
    with pytest.raises(PaymentError) as caught:
        await wechatpay.start(cny_order())
    assert "signature" in str(caught.value)


async def test_poll_close_and_refund(wechatpay: WeChatPay, wechatpay_api: FakeWeChatPay) -> None:
    order = cny_order()
    order.payment_ref = (await wechatpay.start(order)).provider_ref
    assert await wechatpay.poll(order) is None  # NOTPAY
    assert await wechatpay.poll(cny_order("NEV-ER1")) is None  # never reached WeChat Pay

    wechatpay_api.pay("K7M-4QX")
    paid = await wechatpay.poll(order)
    assert paid is not None and paid.kind is PaymentEventKind.PAID and paid.amount == Money(5800, "CNY")
    await wechatpay.expire(order)  # ORDERPAID: nothing to close, no error
    order.paid_amount = 5800

    first = await wechatpay.refund(order, Money(1800, "CNY"))
    again = await wechatpay.refund(order, Money(1800, "CNY"))
    assert first.refund_id == again.refund_id and not first.pending
    order.refunded_amount = 1800
    await wechatpay.refund(order, Money(4000, "CNY"))
    order.refunded_amount = 5800
    with pytest.raises(PaymentError):
        await wechatpay.refund(order, Money(1, "CNY"))


async def test_expire_closes_an_unpaid_transaction(wechatpay: WeChatPay, wechatpay_api: FakeWeChatPay) -> None:
    order = cny_order()
    order.payment_ref = (await wechatpay.start(order)).provider_ref
    await wechatpay.expire(order)
    assert wechatpay_api.transactions["K7M-4QX"]["trade_state"] == "CLOSED"
    closed = await wechatpay.poll(order)
    assert closed is not None and closed.kind is PaymentEventKind.CANCELLED


def test_offered_for_yuan_only(wechatpay: WeChatPay) -> None:
    assert wechatpay.available(PaymentContext(Money(5800, "CNY"), None, "wechat"))
    assert not wechatpay.available(PaymentContext(Money(5800, "INR"), None, "wechat"))


async def test_the_jsapi_page_signs_the_payment_request(
    wechatpay: WeChatPay,
    wechatpay_api: FakeWeChatPay,
    merchant_key: rsa.RSAPrivateKey,
    aiohttp_client: Any,
) -> None:
    shop: StandInShop = wechatpay.shop  # type: ignore[assignment]
    shop.config.payments["wechatpay"] = {}
    order = cny_order(customer="wechat:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    shop.orders[order.number] = order
    await wechatpay.start(order)
    app = web.Application()
    plugin.register_routes(shop=shop, router=app.router)
    client = await aiohttp_client(app)

    assert (await client.get("/pay/wechatpay/K7M-4QX")).status == 404
    assert (await client.get("/pay/wechatpay/K7M-4QX?sig=guess")).status == 404
    response = await client.get(f"/pay/wechatpay/K7M-4QX?sig={wechatpay.page_token('K7M-4QX')}")
    page = await response.text()
    assert response.status == 200 and "getBrandWCPayRequest" in page
    fields = dict(re.findall(r'"(appId|timeStamp|nonceStr|package|signType|paySign)": "([^"]*)"', page))
    prepay = wechatpay_api.transactions["K7M-4QX"]["answer"]["prepay_id"]
    assert fields["package"] == f"prepay_id={prepay}" and fields["signType"] == "RSA"
    signed = crypto.message(fields["appId"], fields["timeStamp"], fields["nonceStr"], fields["package"])
    assert crypto.verify(merchant_key.public_key(), signed, fields["paySign"])

    shop.kv.clear()  # the cached prepay id is gone: asking again gets the same one
    response = await client.get(f"/pay/wechatpay/K7M-4QX?sig={wechatpay.page_token('K7M-4QX')}")
    assert f"prepay_id={prepay}" in await response.text()

    order.status = OrderStatus.PAID
    response = await client.get(f"/pay/wechatpay/K7M-4QX?sig={wechatpay.page_token('K7M-4QX')}")
    assert "Nothing to pay" in await response.text()


def test_no_page_without_the_section(shop: StandInShop) -> None:
    app = web.Application()
    plugin.register_routes(shop=shop, router=app.router)
    assert len(app.router.routes()) == 0


async def test_config_problems_name_their_key(
    wechatpay_api: FakeWeChatPay,
    merchant_key: rsa.RSAPrivateKey,
    tmp_path: Path,
    shop: StandInShop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = wechatpay_section(wechatpay_api, "https://api.mch.weixin.qq.com", tmp_path, merchant_key)
    monkeypatch.setenv("WECHATPAY_APIV3_KEY", "too-short")
    config = validate_section(WeChatPayConfig, section, "payments.wechatpay", "CNY")
    with pytest.raises(ConfigError, match=r"payments\.wechatpay\.apiv3_key_env"):
        WeChatPay(shop, config)  # type: ignore[arg-type]

    monkeypatch.setenv("WECHATPAY_APIV3_KEY", wechatpay_api.apiv3_key.decode())
    (tmp_path / "apiclient_key.pem").write_text("not a key")
    with pytest.raises(ConfigError, match=r"payments\.wechatpay\.private_key_file"):
        WeChatPay(shop, config)  # type: ignore[arg-type]
    (tmp_path / "pub_key.pem").unlink()
    (tmp_path / "apiclient_key.pem").unlink()
    with pytest.raises(ConfigError) as both:
        WeChatPay(shop, config)  # type: ignore[arg-type]
    paths = [problem.path for problem in both.value.problems]
    assert paths == ["payments.wechatpay.private_key_file", "payments.wechatpay.platform_public_key_file"]

    with pytest.raises(ConfigError, match=r"payments\.wechatpay\.appid"):
        validate_section(WeChatPayConfig, {**section, "appid": "nope"}, "payments.wechatpay", "CNY")
