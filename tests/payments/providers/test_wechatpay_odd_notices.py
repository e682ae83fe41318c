"""WeChat Pay notifications that are signed and sealed correctly but say something odd."""

from __future__ import annotations

from typing import Any

import pytest

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.payments.test_wechatpay_journey import buy_tea

WEBHOOK = "/webhooks/payments/wechatpay"


@pytest.mark.parametrize(
    "amount",
    [
        {"total": 5800, "currency": "XYZ"},  # not a currency
        [5800, "CNY"],  # not an object
        {"total": 5800, "currency": 156},  # a number
    ],
)
async def test_a_sealed_notice_with_an_unreadable_amount_is_refused_cleanly(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay, amount: Any
) -> None:
    h = wechatpay_shop
    order, _ = await buy_tea(h)
    transaction = wechatpay_api.pay(order.number)
    transaction["amount"] = amount
    status, _ = await wechatpay_api.notify(h.client.session, h.url(WEBHOOK), wechatpay_api.notification(transaction))
    await h.shop.idle()
    assert status < 500
    after = await h.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PENDING_PAYMENT


async def test_a_notice_in_another_currency_never_pays(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = wechatpay_shop
    order, _ = await buy_tea(h)
    transaction = wechatpay_api.pay(order.number)
    transaction["amount"] = {**transaction["amount"], "currency": "USD"}
    status, _ = await wechatpay_api.notify(h.client.session, h.url(WEBHOOK), wechatpay_api.notification(transaction))
    await h.shop.idle()
    assert status == 204
    after = await h.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize("transaction_id", [4200000000000000000000000002, True, ["4200"], ""])
async def test_a_repeated_notice_whose_transaction_id_is_no_text_is_answered_cleanly(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay, transaction_id: Any
) -> None:
    """The order is paid; WeChat Pay's notification comes again (a new id) with a transaction_id
    that is not the documented string. It changes nothing and is answered, never with a 500 that
    WeChat Pay would send again for a day."""
    h = wechatpay_shop
    order, _ = await buy_tea(h)
    transaction = wechatpay_api.pay(order.number)
    session, url = h.client.session, h.url(WEBHOOK)
    assert (await wechatpay_api.notify(session, url, wechatpay_api.notification(transaction)))[0] == 204
    status, _ = await wechatpay_api.notify(
        session, url, wechatpay_api.notification({**transaction, "transaction_id": transaction_id})
    )
    await h.shop.idle()
    assert status == 204
    after = await h.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PAID and after.paid_amount == order.total.minor
