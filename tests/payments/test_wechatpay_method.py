"""WeChat Pay as a real running shop holds it, against the fake WeChat Pay: JSAPI and Native,
polling, closing, refunds, the payment page the shop serves."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.config import ConfigError
from chatshop.messages import PaymentRequest
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentContext, PaymentError, PaymentEventKind
from chatshop.plugins.payments.wechatpay import WeChatPay, crypto
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.wechatpay import FakeWeChatPay, new_key
from tests.conftest import ShopFactory
from tests.payments.conftest import WeChatPayMerchant
from tests.payments.payment_helpers import make_order, moves, place, stored

PAGE = "/pay/wechatpay/K7M-4QX"


async def cny_order(h: ShopHarness, number: str = "K7M-4QX", customer: str = "terminal:alice") -> Order:
    """A CN¥58.00 order placed in the shop's store (its payment not started yet)."""
    order, _ = await h.shop.store.place_order(
        make_order(number, currency="CNY", unit=2900, customer=customer, method="wechatpay")
    )
    return order


async def test_outside_wechat_a_native_code_is_sent(
    wechatpay: WeChatPay, wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    start = await wechatpay.start(await cny_order(wechatpay_shop))
    known = wechatpay_api.transactions["K7M-4QX"]
    assert known["trade_type"] == "NATIVE" and known["request"]["amount"] == {
        "total": 5800,
        "currency": "CNY",
    }
    assert known["request"]["notify_url"] == "https://shop.example.cn/webhooks/payments/wechatpay"
    assert known["request"]["time_expire"].endswith("+08:00")
    assert start.url == known["answer"]["code_url"] and start.url.startswith("weixin://wxpay/")
    assert start.provider_ref == "K7M-4QX"
    (message,) = start.messages
    assert isinstance(message, PaymentRequest) and message.data["qr_code"] == start.url
    assert message.order.total == Money(5800, "CNY")


async def test_in_wechat_jsapi_with_the_customers_openid(
    wechatpay: WeChatPay, wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    start = await wechatpay.start(await cny_order(wechatpay_shop, customer=f"wechat:{openid}"))
    known = wechatpay_api.transactions["K7M-4QX"]
    assert known["trade_type"] == "JSAPI" and known["request"]["payer"] == {"openid": openid}
    assert start.url == wechatpay.page_url("K7M-4QX")
    assert start.url.startswith("https://shop.example.cn/pay/wechatpay/K7M-4QX?sig=")
    assert start.messages[0].data == {"mode": "jsapi"}  # type: ignore[union-attr]


async def test_starting_again_gets_the_same_transaction(
    wechatpay: WeChatPay, wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    order = await cny_order(wechatpay_shop)
    first = await wechatpay.start(order)
    again = await wechatpay.start(order)
    assert first.url == again.url and len(wechatpay_api.transactions) == 1


async def test_outage_retried_then_reported(
    wechatpay: WeChatPay, wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    wechatpay_api.outage = [500, 503]
    assert (await wechatpay.start(await cny_order(wechatpay_shop))).url
    wechatpay_api.outage = [500, 500, 500]
    with pytest.raises(PaymentError) as caught:
        await wechatpay.start(await cny_order(wechatpay_shop, "ABC-DEF"))
    assert caught.value.retryable


async def test_a_request_signed_with_another_key_is_refused(
    wechatpay: WeChatPay, wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    wechatpay_api.merchant_public_key = new_key().public_key()
    with pytest.raises(PaymentError) as caught:
        await wechatpay.start(await cny_order(wechatpay_shop))
    assert not caught.value.retryable and "SIGN_ERROR" in str(caught.value)


async def test_an_answer_not_signed_by_wechat_pay_is_refused(
    wechatpay: WeChatPay, wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    wechatpay_api.impostor_key = new_key()
    with pytest.raises(PaymentError) as caught:
        await wechatpay.start(await cny_order(wechatpay_shop))
    assert "signature" in str(caught.value)


async def test_poll_close_and_refund(
    wechatpay: WeChatPay, wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = wechatpay_shop
    order = await place(h, currency="CNY", unit=2900, method="wechatpay")
    assert order.payment_ref == "K7M-4QX"
    assert await wechatpay.poll(order) is None  # NOTPAY
    assert await wechatpay.poll(await cny_order(h, "NEV-ER1")) is None  # never reached WeChat Pay

    wechatpay_api.pay("K7M-4QX")
    paid = await wechatpay.poll(order)
    assert paid is not None and paid.kind is PaymentEventKind.PAID and paid.amount == Money(5800, "CNY")
    await h.shop.apply_payment_event(paid)
    order = await stored(h)
    assert order.status is OrderStatus.PAID and order.paid_amount == 5800
    await wechatpay.expire(order)  # ORDERPAID: nothing to close, no error

    first = await wechatpay.refund(order, Money(1800, "CNY"))
    again = await wechatpay.refund(order, Money(1800, "CNY"))
    assert first.refund_id == again.refund_id and not first.pending and len(wechatpay_api.refunds) == 1
    order = await h.shop.refund_order("K7M-4QX", Money(1800, "CNY"))  # the shop's refund: the same one
    assert order.refunded_amount == 1800 and len(wechatpay_api.refunds) == 1
    order = await h.shop.refund_order("K7M-4QX", Money(4000, "CNY"))
    assert order.status is OrderStatus.REFUNDED and order.refunded_amount == 5800
    assert moves(order)[-1][1].startswith("refund ")
    with pytest.raises(PaymentError):
        await wechatpay.refund(order, Money(1, "CNY"))  # WeChat Pay refuses more than was paid


async def test_expire_closes_an_unpaid_transaction(
    wechatpay: WeChatPay, wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    order = await place(wechatpay_shop, currency="CNY", unit=2900, method="wechatpay")
    await wechatpay.expire(order)
    assert wechatpay_api.transactions["K7M-4QX"]["trade_state"] == "CLOSED"
    closed = await wechatpay.poll(order)
    assert closed is not None and closed.kind is PaymentEventKind.CANCELLED


def test_offered_for_yuan_only(wechatpay: WeChatPay) -> None:
    assert wechatpay.available(PaymentContext(Money(5800, "CNY"), None, "wechat"))
    assert not wechatpay.available(PaymentContext(Money(5800, "INR"), None, "wechat"))


async def test_the_jsapi_page_signs_the_payment_request(
    wechatpay: WeChatPay,
    wechatpay_shop: ShopHarness,
    wechatpay_api: FakeWeChatPay,
    merchant_key: rsa.RSAPrivateKey,
) -> None:
    """The page the shop serves at /pay/wechatpay/NUMBER, fetched over loopback."""
    h = wechatpay_shop
    await place(h, customer="wechat:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", currency="CNY", unit=2900, method="wechatpay")
    get = h.client.session.get

    async with get(h.url(PAGE)) as response:
        assert response.status == 404
    async with get(h.url(f"{PAGE}?sig=guess")) as response:
        assert response.status == 404
    async with get(h.url(f"{PAGE}?sig={wechatpay.page_token('K7M-4QX')}")) as response:
        page = await response.text()
        assert response.status == 200 and "getBrandWCPayRequest" in page
    fields = dict(re.findall(r'"(appId|timeStamp|nonceStr|package|signType|paySign)": "([^"]*)"', page))
    prepay = wechatpay_api.transactions["K7M-4QX"]["answer"]["prepay_id"]
    assert fields["package"] == f"prepay_id={prepay}" and fields["signType"] == "RSA"
    signed = crypto.message(fields["appId"], fields["timeStamp"], fields["nonceStr"], fields["package"])
    assert crypto.verify(merchant_key.public_key(), signed, fields["paySign"])

    # the cached prepay id has lapsed in the store: asking WeChat Pay again gets the same one
    gone = datetime.now(UTC) - timedelta(seconds=1)
    await h.shop.store.kv_set("wechatpay:prepay:K7M-4QX", "prepay-lost", gone)
    async with get(h.url(f"{PAGE}?sig={wechatpay.page_token('K7M-4QX')}")) as response:
        assert f"prepay_id={prepay}" in await response.text()

    body = wechatpay_api.notification(wechatpay_api.pay("K7M-4QX"))
    assert (await wechatpay_api.notify(h.client.session, h.url("/webhooks/payments/wechatpay"), body))[0] == 204
    assert (await stored(h)).status is OrderStatus.PAID
    async with get(h.url(f"{PAGE}?sig={wechatpay.page_token('K7M-4QX')}")) as response:
        assert "Nothing to pay" in await response.text()


async def test_no_page_without_the_section(wechatpay_shop: ShopHarness, make_shop: ShopFactory) -> None:
    def pages(h: ShopHarness) -> list[str]:
        return [r.canonical for r in h.client.app.router.resources() if r.canonical.startswith("/pay/wechatpay")]

    assert pages(wechatpay_shop)
    async with make_shop() as h:  # a shop in rupees without [payments.wechatpay]
        assert pages(h) == []


async def test_config_problems_name_their_key(
    wechatpay_api: FakeWeChatPay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    wechatpay_merchant: WeChatPayMerchant,
) -> None:
    """The shop refuses to start, naming the key to fix."""
    folder = tmp_path / "shop"
    toml = wechatpay_merchant(wechatpay_api, "https://api.mch.weixin.qq.com", folder)

    async def problems(shop_toml: str = toml) -> list[str]:
        with pytest.raises(ConfigError) as caught:
            async with running_shop(shop_toml, folder):
                pass
        return [problem.path for problem in caught.value.problems]

    monkeypatch.setenv("WECHATPAY_APIV3_KEY", "too-short")
    assert await problems() == ["payments.wechatpay.apiv3_key_env"]

    monkeypatch.setenv("WECHATPAY_APIV3_KEY", wechatpay_api.apiv3_key.decode())
    (folder / "keys" / "apiclient_key.pem").write_text("not a key")
    assert await problems() == ["payments.wechatpay.private_key_file"]
    (folder / "keys" / "pub_key.pem").unlink()
    (folder / "keys" / "apiclient_key.pem").unlink()
    assert await problems() == ["payments.wechatpay.private_key_file", "payments.wechatpay.platform_public_key_file"]

    assert await problems(toml.replace(f'appid = "{wechatpay_api.appid}"', 'appid = "nope"')) == [
        "payments.wechatpay.appid"
    ]


async def test_a_refund_wechat_pay_answers_abnormal_can_be_made_again(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    """WeChat Pay answers a refund it could not pay out (the buyer's account closed) ABNORMAL, and
    the same out_refund_no would only ever give that refund back: the next try is a new refund."""
    h = wechatpay_shop
    await place(h, currency="CNY", unit=2900, method="wechatpay")
    wechatpay_api.pay("K7M-4QX")
    paid = await h.shop.payment_methods["wechatpay"].poll(await stored(h))
    assert paid is not None
    await h.shop.apply_payment_event(paid)
    wechatpay_api.refund_outcomes.append("ABNORMAL")
    with pytest.raises(PaymentError):
        await h.shop.refund_order("K7M-4QX")
    order = await stored(h)
    assert order.refunded_amount == 0 and order.status is OrderStatus.PAID
    order = await h.shop.refund_order("K7M-4QX")  # asked again: a new refund, and it goes through
    assert order.status is OrderStatus.REFUNDED and order.refunded_amount == 5800
    first, second = wechatpay_api.refund_requests
    assert first != second and [r["status"] for r in wechatpay_api.refunds.values()] == ["ABNORMAL", "SUCCESS"]
