"""A WeChat customer (real signed, encrypted pushes) pays with WeChat Pay JSAPI, is refunded on cancel."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.wechat import FakeWeChat
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.payments.conftest import WeChatPayMerchant
from tests.wechat.customer import Customer, words_of
from tests.wechat.wire import APP_ID, OPENID, ORIGINAL_ID

WEBHOOK = "/webhooks/payments/wechatpay"


@pytest.fixture
def wechatpay_api(merchant_key: rsa.RSAPrivateKey, platform_key: rsa.RSAPrivateKey) -> FakeWeChatPay:
    """The merchant account is bound to the Official Account the channel serves (same AppID)."""
    return FakeWeChatPay(merchant_public_key=merchant_key.public_key(), platform_key=platform_key, appid=APP_ID)


WECHAT = """
[channels.wechat]
app_id = "{app_id}"
app_secret_env = "WECHAT_SECRET"
token_env = "WECHAT_TOKEN"
encoding_aes_key_env = "WECHAT_AES_KEY"
original_id = "{original_id}"
api_base_url = "{api}"
"""


@pytest.fixture
async def shop(
    secrets_env: None,
    fake_url: str,
    wechatpay_api: FakeWeChatPay,
    aiohttp_server: Any,
    tmp_path: Path,
    wechatpay_merchant: WeChatPayMerchant,
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(wechatpay_api.app())
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), tmp_path / "shop")
    toml += WECHAT.format(app_id=APP_ID, original_id=ORIGINAL_ID, api=fake_url)
    async with running_shop(toml, tmp_path / "shop", terminal=False) as h:
        yield h


def _item(messages: list[dict[str, Any]], prefix: str) -> dict[str, str]:
    for body in reversed(messages):
        if body["msgtype"] == "msgmenu":
            for item in body["msgmenu"]["list"]:
                if str(item["id"]).startswith(prefix):
                    return {"id": str(item["id"]), "content": str(item["content"])}
    raise AssertionError(f"no {prefix!r} in {messages}")


async def test_pay_in_wechat_then_cancel_and_get_the_money_back(
    shop: ShopHarness, fake: FakeWeChat, wechatpay_api: FakeWeChatPay
) -> None:
    fake.clock = time.time
    li = Customer(shop.client, fake, shop.shop, OPENID)
    await li.say("longjing")
    card = li.new_messages()
    await li.tap(_item(card, "add:longjing"))
    await li.tap(_item(li.new_messages(), "checkout"))
    li.new_messages()
    await li.say("Room 301, 88 Nanjing Road, Shanghai 200001")
    await li.tap(_item(li.new_messages(), "confirm"))
    asked = li.new_messages()
    (order,) = await shop.shop.store.list_orders()
    assert order.status is OrderStatus.PENDING_PAYMENT
    known = wechatpay_api.transactions[order.number]
    assert known["trade_type"] == "JSAPI" and known["request"]["payer"] == {"openid": OPENID}
    words = "\n".join(words_of(m) for m in asked)
    assert f"/pay/wechatpay/{order.number}?sig=" in words and "58.00" in words
    assert not fake.rejected, fake.rejected

    notice = wechatpay_api.notification(wechatpay_api.pay(order.number))
    for _ in range(2):  # WeChat Pay sends it again when our answer is slow: one receipt
        assert (await wechatpay_api.notify(shop.client.session, shop.url(WEBHOOK), notice))[0] == 204
    closed = wechatpay_api.transaction(order.number)
    closed["trade_state"] = "CLOSED"  # out of order: a close after the payment changes nothing
    late = wechatpay_api.notification(closed, event_type="TRANSACTION.CLOSED")
    assert (await wechatpay_api.notify(shop.client.session, shop.url(WEBHOOK), late))[0] in (200, 204)
    await shop.shop.idle()
    paid = await shop.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 5800
    receipts = [m for m in li.new_messages() if "received" in words_of(m)]
    assert len(receipts) == 1

    fake.customer_wrote(OPENID)
    await li.say("orders")
    await li.tap(_item(li.new_messages(), f"o:{order.number}"))
    await li.tap(_item(li.new_messages(), f"cancel:{order.number}"))
    await li.tap(_item(li.new_messages(), f"cancelyes:{order.number}"))
    refunded = await shop.shop.store.get_order(order.number)
    assert refunded is not None and refunded.status is OrderStatus.REFUNDED and refunded.refunded_amount == 5800
    assert [r["amount"]["refund"] for r in wechatpay_api.refunds.values()] == [5800]
    told = "\n".join(words_of(m) for m in li.new_messages())
    assert "58.00" in told and "refund" in told.lower()
    assert not fake.rejected, fake.rejected


async def test_stale_buttons_after_payment_neither_reorder_nor_charge_again(
    shop: ShopHarness, fake: FakeWeChat, wechatpay_api: FakeWeChatPay
) -> None:
    fake.clock = time.time
    li = Customer(shop.client, fake, shop.shop, OPENID)
    await li.say("longjing")
    await li.tap(_item(li.new_messages(), "add:longjing"))
    await li.tap(_item(li.new_messages(), "checkout"))
    li.new_messages()
    await li.say("Room 301, 88 Nanjing Road, Shanghai 200001")
    summary = li.new_messages()
    confirm = _item(summary, "confirm")
    await li.tap(confirm)
    li.new_messages()
    (order,) = await shop.shop.store.list_orders()
    notice = wechatpay_api.notification(wechatpay_api.pay(order.number))
    assert (await wechatpay_api.notify(shop.client.session, shop.url(WEBHOOK), notice))[0] == 204
    await shop.shop.idle()
    li.new_messages()

    await li.tap(confirm)  # the old summary's "Confirm", tapped again an hour later
    await li.tap({"id": f"paylink:{order.number}", "content": "Try again"})  # an old "Try again"
    late = "\n".join(words_of(m) for m in li.new_messages())
    assert len(await shop.shop.store.list_orders()) == 1
    assert len(wechatpay_api.transactions) == 1
    assert "/pay/wechatpay/" not in late  # no second invitation to pay a paid order
    paid = await shop.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID


async def _to_confirmed(li: Customer) -> list[dict[str, Any]]:
    await li.say("longjing")
    await li.tap(_item(li.new_messages(), "add:longjing"))
    await li.tap(_item(li.new_messages(), "checkout"))
    li.new_messages()
    await li.say("Room 301, 88 Nanjing Road, Shanghai 200001")
    await li.tap(_item(li.new_messages(), "confirm"))
    return li.new_messages()


async def test_wechat_pay_down_at_checkout_then_try_again_from_the_menu(
    shop: ShopHarness, fake: FakeWeChat, wechatpay_api: FakeWeChatPay
) -> None:
    fake.clock = time.time
    li = Customer(shop.client, fake, shop.shop, OPENID)
    wechatpay_api.outage = [500, 502, 503]
    told = await _to_confirmed(li)
    words = "\n".join(words_of(m) for m in told)
    assert "SYSTEM_ERROR" not in words and "系统错误" not in words and "500" not in words
    (order,) = await shop.shop.store.list_orders()
    assert order.status is OrderStatus.PENDING_PAYMENT and not wechatpay_api.transactions
    await li.tap(_item(told, f"paylink:{order.number}"))
    again = "\n".join(words_of(m) for m in li.new_messages())
    assert f"/pay/wechatpay/{order.number}?sig=" in again
    assert not fake.rejected, fake.rejected


async def test_a_restart_between_checkout_and_payment_loses_nothing(
    secrets_env: None,
    fake_url: str,
    fake: FakeWeChat,
    wechatpay_api: FakeWeChatPay,
    aiohttp_server: Any,
    tmp_path: Path,
    wechatpay_merchant: WeChatPayMerchant,
) -> None:
    server = await aiohttp_server(wechatpay_api.app())
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), tmp_path / "shop") + WECHAT.format(
        app_id=APP_ID, original_id=ORIGINAL_ID, api=fake_url
    )
    fake.clock = time.time
    async with running_shop(toml, tmp_path / "shop", terminal=False) as first:
        li = Customer(first.client, fake, first.shop, OPENID)
        await _to_confirmed(li)
        (order,) = await first.shop.store.list_orders()
    async with running_shop(toml, tmp_path / "shop", terminal=False) as second:
        notice = wechatpay_api.notification(wechatpay_api.pay(order.number))
        assert (await wechatpay_api.notify(second.client.session, second.url(WEBHOOK), notice))[0] == 204
        await second.shop.idle()
        paid = await second.shop.store.get_order(order.number)
        assert paid is not None and paid.status is OrderStatus.PAID
        li = Customer(second.client, fake, second.shop, OPENID)
        li._seen = len([b for b in fake.sent if b["touser"] == OPENID]) - 1
        li._ids = itertools.count(35013462771290000)  # WeChat's next MsgIds, not the first session's
        assert "received" in "\n".join(words_of(m) for m in li.new_messages())
        await li.say("orders")
        listed = "\n".join(words_of(m) for m in li.new_messages())
        assert order.number in listed
    assert len(wechatpay_api.transactions) == 1
