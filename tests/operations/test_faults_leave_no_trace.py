"""After the faults of this folder, the log still carries no phone number, address, token or secret.

A customer whose id is their phone number pays by Razorpay through outages, a rejected API key and
a cancel that races the owner's shipping; every line the shop logged meanwhile is read back.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from tests.operations.providers import HeldRazorpay
from tests.privacy.leaks import in_logs

PHONE = "919812345678"
ADDRESS = "Flat 4, Sea View, Bandra West, Mumbai 400050, call 9876501234"
WEBHOOK = "/webhooks/payments/razorpay"


async def pay_online(h: ShopHarness) -> str:
    """Checkout with Razorpay as the customer; the last reply."""
    await h.say(PHONE, "hi")
    await h.say(PHONE, "atta")
    await h.say(PHONE, "1")
    await h.say(PHONE, "1")
    reply = await h.say(PHONE, ADDRESS)
    online = next(line for line in reply.splitlines() if "Pay online" in line)
    await h.say(PHONE, online.split(".")[0])
    return await h.say(PHONE, "1")


async def test_outages_refusals_and_races_log_no_customer_data(
    razorpay_shop: ShopHarness, razorpay_api: HeldRazorpay, logs: Callable[[], io.StringIO]
) -> None:
    h = razorpay_shop
    captured = logs()
    real_secret = razorpay_api.key_secret
    razorpay_api.key_secret = "rotated-on-the-dashboard"  # refused: payment.start_failed
    assert "couldn't create a payment link" in await pay_online(h)
    razorpay_api.key_secret = real_secret
    (order,) = await h.shop.store.list_orders()
    razorpay_api.outage = [503, 503]  # retried, then the link
    reply = await h.choose(PHONE, f"paylink:{order.number}")
    link_id = next(iter(razorpay_api.links))
    assert razorpay_api.links[link_id]["short_url"] in reply
    await razorpay_api.send_webhook(h.client.session, h.url(WEBHOOK), razorpay_api.pay(link_id))
    await h.shop.idle()
    razorpay_api.refund_gate = asyncio.Event()
    cancelling = asyncio.create_task(h.choose(PHONE, f"cancelyes:{order.number}"))
    await razorpay_api.refund_reached.wait()
    await h.shop.move_order(order.number, OrderStatus.SHIPPED, note="dashboard")
    razorpay_api.refund_gate.set()
    await cancelling

    logged = captured.getvalue()
    for event in ("payment.start_failed", "razorpay.retry", "order.refunded_not_cancelled"):
        assert event in logged, event  # the faults really happened, and were logged
    private = [PHONE, "9876501234", "Sea View", "Bandra", real_secret, razorpay_api.webhook_secret]
    assert in_logs(logged, private) == []
