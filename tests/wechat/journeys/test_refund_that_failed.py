"""A refund WeChat Pay accepted (PROCESSING) and later could not pay out (REFUND.ABNORMAL: the
customer's card account was closed) must not stay a silent "refunded": the order's history says so,
an alert is logged, once however often WeChat Pay repeats the notification."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.privacy.conftest import logs
from tests.wechat.journeys.conftest import WeChatCustomer

from .shops import WEBHOOK, item, to_confirmed

__all__ = ["logs"]


async def test_a_refund_that_did_not_reach_the_customer_is_owed_again_and_alerted(
    tea_shop: ShopHarness,
    wechatpay_api: FakeWeChatPay,
    logs: Callable[[], io.StringIO],
    wechat_customer: WeChatCustomer,
) -> None:
    li = wechat_customer()
    await to_confirmed(li)
    (order,) = await tea_shop.shop.store.list_orders()
    session, url = tea_shop.client.session, tea_shop.url(WEBHOOK)
    paid = wechatpay_api.notification(wechatpay_api.pay(order.number))
    assert (await wechatpay_api.notify(session, url, paid))[0] == 204
    await tea_shop.shop.idle()
    await li.say("orders")
    await li.tap(item(li.new_messages(), f"o:{order.number}"))
    await li.tap(item(li.new_messages(), f"cancel:{order.number}"))
    await li.tap(item(li.new_messages(), f"cancelyes:{order.number}"))
    (refund,) = wechatpay_api.refunds.values()
    captured = logs()

    # three days later WeChat Pay reports the refund abnormal, and repeats it
    resource = {
        "mchid": wechatpay_api.mchid,
        "out_trade_no": order.number,
        "transaction_id": refund["transaction_id"],
        "out_refund_no": refund["out_refund_no"],
        "refund_id": refund["refund_id"],
        "refund_status": "ABNORMAL",
        "user_received_account": "招商银行信用卡0403",
        "amount": {"total": 5800, "refund": 5800, "payer_total": 5800, "payer_refund": 5800},
    }
    notice = wechatpay_api.notification(resource, event_type="REFUND.ABNORMAL")
    for _ in range(2):
        assert (await wechatpay_api.notify(session, url, notice))[0] == 204
    await tea_shop.shop.idle()

    after = await tea_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.REFUNDED
    notes = [str(step.get("note", "")) for step in after.history]
    failed = [n for n in notes if f"refund {refund['refund_id']} failed" in n]
    assert len(failed) == 1, notes  # told twice, noted once
    assert after.refunded_amount == 0, "the amount that never reached the customer is owed again"
    alerts = [json.loads(line) for line in captured.getvalue().splitlines() if '"alert": true' in line]
    assert [a["event"] for a in alerts] == ["payment.refund_failed"], alerts
    assert "招商银行" not in captured.getvalue()  # the customer's bank account is not logged
