"""End to end: a customer pays a Razorpay link from the terminal chat; expiry; refund; forgeries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chatshop.orders import Order, OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY

WEBHOOK = "/webhooks/payments/razorpay"


@pytest.fixture
async def harness(
    fake: FakeRazorpay, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(fake.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", fake.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", fake.webhook_secret)
    toml = INDIA + RAZORPAY.format(key_id=fake.key_id, api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


async def checkout_online(h: ShopHarness, customer: str = "asha") -> tuple[Order, str]:
    """Browse, add atta, give an address, pick "Pay online", confirm: the order, the last reply."""
    await h.say(customer, "hi")
    await h.say(customer, "atta")
    await h.say(customer, "1")  # Add to cart
    await h.say(customer, "1")  # Checkout
    reply = await h.say(customer, "Flat 4, Sea View, Bandra West, Mumbai 400050")
    assert "Cash on delivery" in reply and "Pay online" in reply
    online = next(line for line in reply.splitlines() if "Pay online" in line)
    reply = await h.say(customer, online.split(".")[0])
    assert "Payment: Pay online" in reply and "Total: ₹275.00" in reply
    reply = await h.say(customer, "1")  # Confirm
    orders = await h.shop.store.list_orders(customer_key=f"terminal:{customer}")
    return orders[0], reply


async def stock(h: ShopHarness) -> int | None:
    return (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock


async def test_pay_by_link_and_get_the_receipt(harness: ShopHarness, fake: FakeRazorpay) -> None:
    order, reply = await checkout_online(harness)
    assert order.status is OrderStatus.PENDING_PAYMENT and order.payment_method == "razorpay"
    link = fake.links[order.payment_ref or ""]
    assert link["amount"] == 27500 and link["reference_id"] == order.number
    assert link["short_url"] in reply and "₹275.00" in reply and "valid until" in reply
    assert await stock(harness) == 39

    status = await fake.send_webhook(harness.client.session, harness.url(WEBHOOK), fake.pay(link["id"]))
    await harness.shop.idle()
    assert status == 200
    paid = await harness.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 27500
    receipt = harness.texts_to("terminal:asha")[-1]
    assert "Payment of ₹275.00 received" in receipt and order.number in receipt


async def test_forged_and_short_payments_change_nothing(harness: ShopHarness, fake: FakeRazorpay) -> None:
    order, _ = await checkout_online(harness)
    session, url = harness.client.session, harness.url(WEBHOOK)
    link_id = order.payment_ref or ""
    short = fake.pay(link_id, amount=100)  # ₹1 paid for a ₹275 order
    assert await fake.send_webhook(session, url, short) == 200
    forged = fake.event("payment_link.paid", {**fake.links[link_id], "amount_paid": 27500})
    assert await fake.send_webhook(session, url, forged, secret="guessed-secret") == 401
    assert await fake.send_webhook(session, url, forged, signature="") == 401
    await harness.shop.idle()
    unchanged = await harness.shop.store.get_order(order.number)
    assert unchanged is not None and unchanged.status is OrderStatus.PENDING_PAYMENT
    assert unchanged.paid_amount == 0
    assert not any("received" in text for text in harness.texts_to("terminal:asha"))


async def test_an_expiry_after_payment_changes_nothing(harness: ShopHarness, fake: FakeRazorpay) -> None:
    order, _ = await checkout_online(harness)
    session, url = harness.client.session, harness.url(WEBHOOK)
    link_id = order.payment_ref or ""
    assert await fake.send_webhook(session, url, fake.pay(link_id)) == 200
    late = fake.event("payment_link.expired", {**fake.links[link_id], "status": "expired"})
    assert await fake.send_webhook(session, url, late) == 200
    await harness.shop.idle()
    paid = await harness.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID and paid.paid_amount == 27500
    assert await stock(harness) == 39


async def test_a_replayed_event_changes_nothing(harness: ShopHarness, fake: FakeRazorpay) -> None:
    order, _ = await checkout_online(harness)
    session, url = harness.client.session, harness.url(WEBHOOK)
    paid = fake.pay(order.payment_ref or "")
    assert await fake.send_webhook(session, url, paid, event_id="evt_1") == 200
    await harness.shop.idle()
    told = len(harness.texts_to("terminal:asha"))
    assert await fake.send_webhook(session, url, paid, event_id="evt_1") == 200
    await harness.shop.idle()
    assert len(harness.texts_to("terminal:asha")) == told


async def test_an_event_for_an_unknown_order_is_acknowledged(harness: ShopHarness, fake: FakeRazorpay) -> None:
    order, _ = await checkout_online(harness)
    link = {**fake.links[order.payment_ref or ""], "reference_id": "NOT-OURS"}
    event = fake.event("payment_link.paid", {**link, "status": "paid", "amount_paid": 27500})
    assert await fake.send_webhook(harness.client.session, harness.url(WEBHOOK), event) == 200


async def test_an_expired_link_cancels_and_releases_stock(harness: ShopHarness, fake: FakeRazorpay) -> None:
    order, _ = await checkout_online(harness)
    assert await stock(harness) == 39
    assert order.payment_expires_at is not None
    swept = await harness.shop.ordering.expire_due(order.payment_expires_at + timedelta(seconds=1))
    await harness.shop.idle()
    assert swept == 1
    cancelled = await harness.shop.store.get_order(order.number)
    assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED
    assert fake.links[order.payment_ref or ""]["status"] == "cancelled"  # closed at Razorpay too
    assert await stock(harness) == 40
    told = harness.texts_to("terminal:asha")[-1]
    assert "expired" in told and "Try again" in told


async def test_the_expired_webhook_cancels_too(harness: ShopHarness, fake: FakeRazorpay) -> None:
    order, _ = await checkout_online(harness)
    event = fake.expire(order.payment_ref or "")
    assert await fake.send_webhook(harness.client.session, harness.url(WEBHOOK), event) == 200
    await harness.shop.idle()
    cancelled = await harness.shop.store.get_order(order.number)
    assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED
    assert await stock(harness) == 40


async def test_cancelling_a_paid_order_refunds_it(harness: ShopHarness, fake: FakeRazorpay) -> None:
    order, _ = await checkout_online(harness)
    event = fake.pay(order.payment_ref or "")
    await fake.send_webhook(harness.client.session, harness.url(WEBHOOK), event)
    await harness.shop.idle()

    await harness.choose("asha", f"cancel:{order.number}")
    reply = await harness.choose("asha", f"cancelyes:{order.number}")
    await harness.shop.idle()
    refunded = await harness.shop.store.get_order(order.number)
    assert refunded is not None and refunded.status is OrderStatus.REFUNDED
    assert refunded.refunded_amount == 27500
    (payment,) = fake.payments.values()
    assert payment["amount_refunded"] == 27500
    assert any("We refunded ₹275.00" in text for text in harness.texts_to("terminal:asha"))
    assert order.number in reply
    assert await stock(harness) == 40


async def test_an_outage_keeps_the_order_and_the_customer_can_try_again(
    harness: ShopHarness, fake: FakeRazorpay
) -> None:
    fake.outage = [503, 503, 503]
    order, reply = await checkout_online(harness)
    assert order.status is OrderStatus.PENDING_PAYMENT and not fake.links
    assert "couldn't create a payment link" in reply and "Try again" in reply
    reply = await harness.choose("asha", f"paylink:{order.number}")
    (link,) = fake.links.values()
    assert link["short_url"] in reply
