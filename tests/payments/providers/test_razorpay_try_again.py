"""Razorpay expired the link before our sweep did: "Try again" gives a link the customer can pay.

Razorpay closes a link at its ``expire_by`` and a payment link's ``reference_id`` stays taken for
good, so the shop makes a fresh link (its own reference, the order number in its notes) while the
order is still waiting; the old link's late "expired" never cancels the order that waits on the
new one.
"""

from __future__ import annotations

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.payments.test_razorpay_journey import checkout_online, stock

WEBHOOK = "/webhooks/payments/razorpay"


async def send(h: ShopHarness, api: FakeRazorpay, event: dict[str, object]) -> int:
    status = await api.send_webhook(h.client.session, h.url(WEBHOOK), event)
    await h.shop.idle()
    return status


async def test_try_again_after_razorpay_expired_the_link_gives_a_new_link_that_pays_the_order(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    order, _ = await checkout_online(razorpay_shop)
    first = razorpay_api.links[order.payment_ref or ""]
    expired = razorpay_api.expire(first["id"])  # Razorpay's own expiry; its webhook is still on the way

    reply = await razorpay_shop.choose("asha", f"paylink:{order.number}")
    fresh = [link for link in razorpay_api.links.values() if link["status"] == "created"]
    assert len(fresh) == 1, reply
    (second,) = fresh
    assert second["short_url"] in reply and first["short_url"] not in reply
    assert second["amount"] == first["amount"] == 27500
    assert second["reference_id"] != first["reference_id"]  # Razorpay keeps a reference taken for good

    assert await send(razorpay_shop, razorpay_api, expired) == 200  # the old link's expiry, late
    waiting = await razorpay_shop.shop.store.get_order(order.number)
    assert waiting is not None and waiting.status is OrderStatus.PENDING_PAYMENT
    assert await stock(razorpay_shop) == 39

    again = await razorpay_shop.choose("asha", f"paylink:{order.number}")  # a second tap: the same link
    assert second["short_url"] in again
    assert len(razorpay_api.links) == 2

    assert await send(razorpay_shop, razorpay_api, razorpay_api.pay(second["id"])) == 200
    paid = await razorpay_shop.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 27500
    assert len([t for t in razorpay_shop.texts_to("terminal:asha") if "received" in t]) == 1

    await razorpay_shop.choose("asha", f"cancel:{order.number}")
    await razorpay_shop.choose("asha", f"cancelyes:{order.number}")
    refunded = await razorpay_shop.shop.store.get_order(order.number)
    assert refunded is not None and refunded.status is OrderStatus.REFUNDED
    assert [p["amount_refunded"] for p in razorpay_api.payments.values()] == [27500]


async def test_try_again_after_a_link_was_cancelled_in_the_dashboard_also_works(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    order, _ = await checkout_online(razorpay_shop)
    razorpay_api.links[order.payment_ref or ""]["status"] = "cancelled"
    reply = await razorpay_shop.choose("asha", f"paylink:{order.number}")
    (second,) = [link for link in razorpay_api.links.values() if link["status"] == "created"]
    assert second["short_url"] in reply


async def test_try_again_on_a_link_that_is_still_open_sends_the_same_link(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    order, first_reply = await checkout_online(razorpay_shop)
    reply = await razorpay_shop.choose("asha", f"paylink:{order.number}")
    (link,) = razorpay_api.links.values()
    assert link["short_url"] in reply and link["short_url"] in first_reply


async def test_try_again_after_our_own_window_passed_makes_no_new_link(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    """Past the order's payment window the stock is due back: the sweep, not a new link."""
    order, _ = await checkout_online(razorpay_shop)
    razorpay_api.expire(order.payment_ref or "")
    assert order.payment_expires_at is not None
    await razorpay_shop.shop.ordering.expire_due(order.payment_expires_at.replace(year=2099))
    await razorpay_shop.shop.idle()
    await razorpay_shop.choose("asha", f"paylink:{order.number}")
    assert len(razorpay_api.links) == 1
    after = await razorpay_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.CANCELLED
