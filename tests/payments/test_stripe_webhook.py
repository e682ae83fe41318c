"""Stripe webhooks, at a real running shop: Stripe-Signature over the raw body with a tolerance; then
Checkout events applied to the order."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chatshop.orders import OrderStatus
from chatshop.plugins.payments.stripe import signature
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.stripe import FakeStripe
from tests.payments.payment_helpers import moves, place, stored, untouched

URL = "/webhooks/payments/stripe"


@pytest.fixture
def post(stripe_api: FakeStripe, stripe_shop: ShopHarness) -> Any:
    """POST an event to the shop as Stripe does; returns the status once the shop has acted on it."""

    async def send(event: dict[str, Any], **kw: Any) -> int:
        status = await stripe_api.send_webhook(stripe_shop.client.session, stripe_shop.url(URL), event, **kw)
        await stripe_shop.shop.idle()
        return status

    return send


async def session_of(h: ShopHarness, number: str = "K7M-4QX") -> str:
    """The Checkout Session of an order placed in the shop."""
    return (await place(h, number, method="stripe")).payment_ref or ""


def test_signature_scheme_matches_stripes_documented_example() -> None:
    body = b'{"id":"evt_1"}'
    header = signature.header(body, "whsec_x", 1700000000)
    assert signature.verify(body, header, "whsec_x", tolerance=300, now=1700000100)
    assert not signature.verify(body, header, "whsec_x", tolerance=300, now=1700000301)
    assert not signature.verify(body + b" ", header, "whsec_x", tolerance=300, now=1700000100)
    assert not signature.verify(body, "t=1700000000", "whsec_x", tolerance=300, now=1700000100)
    assert not signature.verify(body, "v1=abc", "whsec_x", tolerance=300, now=1700000100)
    assert not signature.verify(body, "t=soon,v1=abc", "whsec_x", tolerance=300, now=1700000100)


async def test_a_paid_session_pays_the_order(stripe_shop: ShopHarness, stripe_api: FakeStripe, post: Any) -> None:
    h = stripe_shop
    event = stripe_api.pay(await session_of(h))
    assert await post(event) == 200
    order = await stored(h)
    assert order.status is OrderStatus.PAID and order.paid_amount == 49000
    intent = event["data"]["object"]["payment_intent"]
    assert moves(order)[-1] == ("paid", f"stripe {intent}")
    assert await h.shop.store.event_seen("stripe", event["id"])
    (receipt,) = h.texts_to("terminal:alice")
    assert "Payment of ₹490.00 received for order K7M-4QX" in receipt


async def test_several_v1_values_during_a_secret_roll(
    stripe_shop: ShopHarness, stripe_api: FakeStripe, post: Any
) -> None:
    h = stripe_shop
    event = stripe_api.pay(await session_of(h))
    body = json.dumps(event).encode()
    old = stripe_api.signature(body, secret="whsec_old_secret")
    new = stripe_api.signature(body)
    t = old.split(",")[0]
    header = f"{t},v1={old.split('v1=')[1]},v1={new.split('v1=')[1]},v0=legacy"
    assert await post(event, header=header) == 200
    assert (await stored(h)).status is OrderStatus.PAID


@pytest.mark.parametrize("how", ["wrong secret", "too old", "no header", "only v0", "garbled"])
async def test_a_wrongly_signed_or_stale_event_changes_nothing(
    how: str, stripe_shop: ShopHarness, stripe_api: FakeStripe, post: Any
) -> None:
    h = stripe_shop
    event = stripe_api.pay(await session_of(h))
    kwargs: dict[str, Any] = {
        "wrong secret": {"secret": "whsec_not_ours"},
        "too old": {"timestamp": int(time.time()) - 301},
        "no header": {"header": ""},
        "only v0": {"header": f"t={int(time.time())},v0=abcdef"},
        "garbled": {"header": "nonsense"},
    }[how]
    assert await post(event, **kwargs) == 401
    assert await untouched(h)
    assert not await h.shop.store.event_seen("stripe", event["id"])  # it never reached the core


async def test_a_delayed_payment_pays_only_when_it_succeeds(
    stripe_shop: ShopHarness, stripe_api: FakeStripe, post: Any
) -> None:
    h = stripe_shop
    session = await session_of(h)
    assert await post(stripe_api.pay(session, delayed=True)) == 200
    assert await untouched(h)
    assert await post(stripe_api.settle(session)) == 200
    order = await stored(h)
    assert order.status is OrderStatus.PAID and order.paid_amount == 49000

    other = await session_of(h, "FAI-L22")
    stripe_api.pay(other, delayed=True)
    failed = stripe_api.settle(other, succeeded=False)
    assert await post(failed) == 200
    unpaid = await stored(h, "FAI-L22")
    assert unpaid.status is OrderStatus.PENDING_PAYMENT and unpaid.paid_amount == 0
    assert await h.shop.store.event_seen("stripe", failed["id"])
    assert "The payment for order FAI-L22 did not go through" in h.texts_to("terminal:alice")[-1]


async def test_expired_session_and_an_expiry_after_it(
    stripe_shop: ShopHarness, stripe_api: FakeStripe, post: Any
) -> None:
    h = stripe_shop
    session = await session_of(h)
    assert await post(stripe_api.expire(session)) == 200
    assert (await stored(h)).status is OrderStatus.CANCELLED
    assert await post(stripe_api.expire(session)) == 200
    assert [new for new, _ in moves(await stored(h))] == ["pending_payment", "cancelled"]
    (told,) = h.texts_to("terminal:alice")
    assert "The payment for order K7M-4QX expired" in told


async def test_a_replay_is_applied_once(stripe_shop: ShopHarness, stripe_api: FakeStripe, post: Any) -> None:
    h = stripe_shop
    event = stripe_api.pay(await session_of(h))
    assert await post(event) == 200 and await post(event) == 200
    assert [new for new, _ in moves(await stored(h))] == ["pending_payment", "paid"]
    assert len(h.texts_to("terminal:alice")) == 1  # one receipt


async def test_other_events_are_acknowledged_without_effect(
    stripe_shop: ShopHarness, stripe_api: FakeStripe, post: Any
) -> None:
    h = stripe_shop
    await session_of(h)
    refunded = stripe_api.event("charge.refunded", {"id": "ch_1"})
    assert await post(refunded) == 200
    foreign = stripe_api.event("checkout.session.completed", {"id": "cs_x", "payment_status": "paid"})
    assert await post(foreign) == 200  # a session made by someone else: no order named
    assert await untouched(h)
    assert not await h.shop.store.event_seen("stripe", refunded["id"])
