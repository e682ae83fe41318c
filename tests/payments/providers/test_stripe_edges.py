"""Stripe end to end, the awkward cases: wrong money, twice-told payments, late payments, outages."""

from __future__ import annotations

import json
from datetime import timedelta

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.stripe import FakeStripe
from tests.payments.test_razorpay_journey import checkout_online, stock

WEBHOOK = "/webhooks/payments/stripe"


async def send(h: ShopHarness, api: FakeStripe, event: dict[str, object]) -> int:
    status = await api.send_webhook(h.client.session, h.url(WEBHOOK), event)
    await h.shop.idle()
    return status


async def test_a_payment_in_another_currency_never_pays(stripe_shop: ShopHarness, stripe_api: FakeStripe) -> None:
    order, _ = await checkout_online(stripe_shop)
    event = stripe_api.pay(order.payment_ref or "")
    event["data"]["object"]["currency"] = "usd"  # type: ignore[index]
    assert await send(stripe_shop, stripe_api, event) == 200
    after = await stripe_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PENDING_PAYMENT and after.paid_amount == 0


async def test_a_paid_event_without_an_amount_never_pays(stripe_shop: ShopHarness, stripe_api: FakeStripe) -> None:
    order, _ = await checkout_online(stripe_shop)
    event = stripe_api.pay(order.payment_ref or "")
    del event["data"]["object"]["amount_total"]  # type: ignore[attr-defined]
    assert await send(stripe_shop, stripe_api, event) == 200
    after = await stripe_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PENDING_PAYMENT


async def test_two_paid_events_for_one_session_send_one_receipt(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    order, _ = await checkout_online(stripe_shop)
    event = stripe_api.pay(order.payment_ref or "")
    again = {**event, "id": "evt_other"}
    assert await send(stripe_shop, stripe_api, event) == 200
    assert await send(stripe_shop, stripe_api, again) == 200
    assert await send(stripe_shop, stripe_api, event) == 200  # Stripe's own retry
    receipts = [t for t in stripe_shop.texts_to("terminal:asha") if "received" in t]
    assert len(receipts) == 1
    after = await stripe_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PAID and after.paid_amount == 27500


async def test_paid_after_the_shop_gave_up_is_refunded(stripe_shop: ShopHarness, stripe_api: FakeStripe) -> None:
    order, _ = await checkout_online(stripe_shop)
    assert order.payment_expires_at is not None
    await stripe_shop.shop.ordering.expire_due(order.payment_expires_at + timedelta(minutes=2))
    await stripe_shop.shop.idle()
    session = stripe_api.sessions[order.payment_ref or ""]
    session["status"] = "open"  # the customer's payment raced our expiry call
    event = stripe_api.pay(session["id"])
    assert await send(stripe_shop, stripe_api, event) == 200
    after = await stripe_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.REFUNDED
    (refund,) = stripe_api.refunds
    assert refund["amount"] == 27500
    assert await stock(stripe_shop) == 40


async def test_an_outage_at_session_creation_then_try_again(stripe_shop: ShopHarness, stripe_api: FakeStripe) -> None:
    stripe_api.outage = [500, 503, 502]
    order, reply = await checkout_online(stripe_shop)
    assert order.status is OrderStatus.PENDING_PAYMENT and not stripe_api.sessions
    assert "Try again" in reply
    assert "api_error" not in reply and "500" not in reply
    reply = await stripe_shop.choose("asha", f"paylink:{order.number}")
    (session,) = stripe_api.sessions.values()
    assert session["url"] in reply
    reply = await stripe_shop.choose("asha", f"paylink:{order.number}")  # a stale button, tapped again
    assert len(stripe_api.sessions) == 1


async def test_a_refund_outage_keeps_the_order_paid_and_the_customer_informed(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    order, _ = await checkout_online(stripe_shop)
    assert await send(stripe_shop, stripe_api, stripe_api.pay(order.payment_ref or "")) == 200
    await stripe_shop.choose("asha", f"cancel:{order.number}")
    stripe_api.outage = [503, 503, 503]
    reply = await stripe_shop.choose("asha", f"cancelyes:{order.number}")
    await stripe_shop.shop.idle()
    after = await stripe_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PAID and after.refunded_amount == 0
    assert not stripe_api.refunds
    assert reply and "Traceback" not in reply and "503" not in reply
    # once Stripe is back the cancel goes through, and pays back once
    await stripe_shop.choose("asha", f"cancel:{order.number}")
    await stripe_shop.choose("asha", f"cancelyes:{order.number}")
    await stripe_shop.shop.idle()
    done = await stripe_shop.shop.store.get_order(order.number)
    assert done is not None and done.status is OrderStatus.REFUNDED
    assert [r["amount"] for r in stripe_api.refunds] == [27500]


async def test_signed_but_unreadable_bodies_are_not_a_server_error(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    http, url = stripe_shop.client.session, stripe_shop.url(WEBHOOK)
    for body in (
        b"not json",
        b"[]",
        b'{"type": 5}',
        b'{"type": "checkout.session.completed", "data": []}',
        json.dumps(
            {
                "type": "checkout.session.completed",
                "id": "evt_x",
                "data": {
                    "object": {
                        "payment_status": "paid",
                        "client_reference_id": 12,
                        "amount_total": "275",
                        "currency": 5,
                    }
                },
            }
        ).encode(),
        "\U0001f600".encode(),
    ):
        headers = {"Content-Type": "application/json", "Stripe-Signature": stripe_api.signature(body)}
        async with http.post(url, data=body, headers=headers) as response:
            assert response.status < 500, (body, response.status)


async def test_a_late_payment_refunded_during_an_outage_is_refunded_on_the_providers_retry(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    order, _ = await checkout_online(stripe_shop)
    assert order.payment_expires_at is not None
    await stripe_shop.shop.ordering.expire_due(order.payment_expires_at + timedelta(minutes=2))
    await stripe_shop.shop.idle()
    session = stripe_api.sessions[order.payment_ref or ""]
    session["status"] = "open"
    event = stripe_api.pay(session["id"])
    stripe_api.outage = [503] * 6
    first = await send(stripe_shop, stripe_api, event)
    assert first >= 500  # Stripe will send it again
    stripe_api.outage = []
    assert await send(stripe_shop, stripe_api, event) == 200
    assert [r["amount"] for r in stripe_api.refunds] == [27500]


async def test_a_late_expiry_of_a_replaced_session_leaves_the_new_one_alone(
    stripe_shop: ShopHarness, stripe_api: FakeStripe
) -> None:
    order, _ = await checkout_online(stripe_shop)
    first = order.payment_ref or ""
    expired = stripe_api.expire(first)  # Stripe expired it; its webhook is delayed
    reply = await stripe_shop.choose("asha", f"paylink:{order.number}")  # the customer asks again
    second = next(s for s in stripe_api.sessions if s != first)
    assert stripe_api.sessions[second]["url"] in reply
    assert await send(stripe_shop, stripe_api, expired) == 200  # the old session's expiry lands now
    after = await stripe_shop.shop.store.get_order(order.number)
    assert after is not None and after.status is OrderStatus.PENDING_PAYMENT and after.payment_ref == second
    assert await send(stripe_shop, stripe_api, stripe_api.pay(second)) == 200
    paid = await stripe_shop.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID
