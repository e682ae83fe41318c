"""``prepaid_offer``: at confirmation the customer may pay online instead; the order is then an online
order with every rule online orders have (the new total checked against what is paid, the link's
window, refunds through the new method), the COD fee gone and the incentive a visible line."""

from __future__ import annotations

from datetime import datetime, timedelta

from chatshop.money import Money
from chatshop.orders import OrderStatus
from chatshop.plugins.dialog.cod_confirm import REMIND, TIME_OUT
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.cod.conftest import CodShop
from tests.cod.shops import cash_order, toml

WEBHOOK = "/webhooks/payments/razorpay"
OFFER = 'prepaid_offer = true\nprepaid_discount = "10.00"'


async def test_switch_to_prepaid_and_pay_by_razorpay(
    razorpay_api: FakeRazorpay, api: str, storage: str, cod_shop: CodShop, t0: datetime
) -> None:
    async with cod_shop(toml(storage, OFFER, razorpay_api, api)) as h:
        order, reply = await cash_order(h)
        assert order.total == Money(29500, "INR")  # 245 + 30 delivery + 20 COD fee
        assert "Or pay online now and save ₹30.00." in reply  # the COD fee and ₹10 off
        assert "2. Pay online" in reply
        sent = len(h.sent_to("terminal:asha"))
        reply = await h.say("asha", "2")
        assert len(h.sent_to("terminal:asha")) == sent + 1  # the switch and the link: one message
        switched = await h.shop.store.get_order(order.number)
        assert switched is not None and switched.status is OrderStatus.PENDING_PAYMENT
        assert switched.payment_method == "razorpay"
        assert dict(switched.adjustments) == {"delivery": Money(3000, "INR"), "prepaid_discount": Money(-1000, "INR")}
        assert switched.total == Money(26500, "INR")
        assert switched.payment_expires_at is not None and switched.payment_expires_at > t0
        assert "now paid online: ₹265.00 (you save ₹30.00)" in reply
        link = razorpay_api.links[switched.payment_ref or ""]
        assert link["amount"] == 26500 and link["short_url"] in reply
        assert await h.shop.store.get_job(REMIND, order.number) is None
        assert await h.shop.store.get_job(TIME_OUT, order.number) is None

        paid_event = razorpay_api.pay(link["id"])
        assert await razorpay_api.send_webhook(h.client.session, h.url(WEBHOOK), paid_event) == 200
        await h.shop.idle()
        paid = await h.shop.store.get_order(order.number)
        assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 26500
        assert "Payment of ₹265.00 received" in h.texts_to("terminal:asha")[-1]
        again = await h.choose("asha", f"codok:{order.number}")  # the old confirm button
        assert "cannot be changed here" in again


async def test_a_switched_order_left_unpaid_expires_like_any_online_order(
    razorpay_api: FakeRazorpay, api: str, cod_shop: CodShop, t0: datetime
) -> None:
    async with cod_shop(toml("sqlite:///shop.db", OFFER, razorpay_api, api)) as h:
        order, _ = await cash_order(h)
        await h.say("asha", "2")
        h.set_clock(t0 + timedelta(hours=2))
        assert await h.shop.ordering.expire_due(h.shop.now()) == 1
        await h.shop.idle()
        expired = await h.shop.store.get_order(order.number)
        assert expired is not None and expired.status is OrderStatus.CANCELLED
        assert (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 40
        assert "expired" in h.texts_to("terminal:asha")[-1]
