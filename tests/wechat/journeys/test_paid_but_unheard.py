"""A WeChat customer pays on the JSAPI page but WeChat Pay's notification does not come (it is
retried for a day with no promise of delivery: research/wechat.md §4.3). The shop asks WeChat Pay."""

from __future__ import annotations

import asyncio
import html
import json
import re
from urllib.parse import urljoin

from chatshop.orders import OrderStatus
from chatshop.plugins.payments.wechatpay import WeChatPay
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.wechat.journeys.conftest import WeChatCustomer

from .shops import WEBHOOK, item, read, to_confirmed


async def test_cancelling_an_order_paid_without_a_notification_gives_the_money_back(
    tea_shop: ShopHarness,
    wechatpay_api: FakeWeChatPay,
    wechat_customer: WeChatCustomer,
) -> None:
    li = wechat_customer()
    await to_confirmed(li)
    (order,) = await tea_shop.shop.store.list_orders()
    wechatpay_api.pay(order.number)  # paid on the page; the notification is lost
    await li.say("orders")
    await li.tap(item(li.new_messages(), f"o:{order.number}"))
    await li.tap(item(li.new_messages(), f"cancel:{order.number}"))
    await li.tap(item(li.new_messages(), f"cancelyes:{order.number}"))
    await tea_shop.shop.idle()
    after = await tea_shop.shop.store.get_order(order.number)
    assert after is not None and after.paid_amount == 5800 and after.refunded_amount == 5800
    assert after.status is OrderStatus.REFUNDED
    assert [r["amount"]["refund"] for r in wechatpay_api.refunds.values()] == [5800]
    assert "refund" in read(li.new_messages()).lower()
    # the notification turns up after all, a day late: nothing more happens
    notice = wechatpay_api.notification(wechatpay_api.transaction(order.number))
    assert (await wechatpay_api.notify(tea_shop.client.session, tea_shop.url(WEBHOOK), notice))[0] == 204
    await tea_shop.shop.idle()
    assert len(wechatpay_api.refunds) == 1 and not li.new_messages()


async def test_back_from_the_payment_page_the_shop_asks_wechat_pay_and_sends_the_receipt_once(
    tea_shop: ShopHarness,
    wechatpay_api: FakeWeChatPay,
    wechat_customer: WeChatCustomer,
) -> None:
    li = wechat_customer()
    told = read(await to_confirmed(li))
    (order,) = await tea_shop.shop.store.list_orders()
    link = re.search(r'href="https://shop\.example\.cn(/pay/wechatpay/[^"]+)"', told)
    assert link is not None, told
    page_url = html.unescape(link.group(1))
    page = await tea_shop.client.get(page_url)
    assert page.status == 200
    script = await page.text()
    wechatpay_api.pay(order.number)  # getBrandWCPayRequest:ok; the notification is lost
    # what the page's script does on "ok": ask the shop to check
    check = re.search(r'var check = "([^"]+)";', script)
    assert check is not None, script
    check_url = urljoin(page_url, json.loads(f'"{check.group(1)}"'))
    answer = await tea_shop.client.post(check_url)
    assert answer.status == 200 and (await answer.json()) == {"paid": True}
    await tea_shop.shop.idle()
    paid = await tea_shop.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 5800
    receipts = [m for m in li.new_messages() if "received" in read([m])]
    assert len(receipts) == 1
    # the page is reloaded, the check repeated, and the notification comes late: one receipt
    again = await tea_shop.client.post(check_url)
    assert (await again.json()) == {"paid": True}
    notice = wechatpay_api.notification(wechatpay_api.transaction(order.number))
    assert (await wechatpay_api.notify(tea_shop.client.session, tea_shop.url(WEBHOOK), notice))[0] == 204
    await tea_shop.shop.idle()
    assert not li.new_messages()
    assert [m for m, _ in wechatpay_api.requests if m == "GET"]  # it asked WeChat Pay


async def test_the_check_needs_the_pages_signature_and_says_unpaid_until_paid(
    tea_shop: ShopHarness,
    wechatpay_api: FakeWeChatPay,
    wechat_customer: WeChatCustomer,
) -> None:
    li = wechat_customer()
    await to_confirmed(li)
    (order,) = await tea_shop.shop.store.list_orders()
    method = tea_shop.shop.payment_methods["wechatpay"]
    assert isinstance(method, WeChatPay)
    good = f"/pay/wechatpay/{order.number}/check?sig={method.page_token(order.number)}"
    for forged in (f"/pay/wechatpay/{order.number}/check?sig=0", f"/pay/wechatpay/{order.number}/check"):
        assert (await tea_shop.client.post(forged)).status == 404
    answer = await tea_shop.client.post(good)
    assert answer.status == 200 and (await answer.json()) == {"paid": False}
    await tea_shop.shop.idle()
    unpaid = await tea_shop.shop.store.get_order(order.number)
    assert unpaid is not None and unpaid.status is OrderStatus.PENDING_PAYMENT


async def test_the_notification_its_retry_and_the_pages_check_at_once_send_one_receipt(
    tea_shop: ShopHarness,
    wechatpay_api: FakeWeChatPay,
    wechat_customer: WeChatCustomer,
) -> None:
    li = wechat_customer()
    await to_confirmed(li)
    (order,) = await tea_shop.shop.store.list_orders()
    method = tea_shop.shop.payment_methods["wechatpay"]
    assert isinstance(method, WeChatPay)
    check = f"/pay/wechatpay/{order.number}/check?sig={method.page_token(order.number)}"
    notice = wechatpay_api.notification(wechatpay_api.pay(order.number))
    session, url = tea_shop.client.session, tea_shop.url(WEBHOOK)
    answers = await asyncio.gather(
        wechatpay_api.notify(session, url, notice),
        tea_shop.client.post(check),
        wechatpay_api.notify(session, url, notice),
        tea_shop.client.post(check),
    )
    assert answers[0][0] == answers[2][0] == 204
    await tea_shop.shop.idle()
    paid = await tea_shop.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 5800
    assert len([m for m in li.new_messages() if "received" in read([m])]) == 1
