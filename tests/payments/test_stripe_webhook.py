"""Stripe webhooks: Stripe-Signature over the raw body with a tolerance; then Checkout events."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from chatshop.money import Money
from chatshop.payments import PaymentEventKind
from chatshop.plugins.payments.stripe import Stripe, signature
from tests.payments.fake_stripe import FakeStripe
from tests.payments.payment_helpers import MountedClient, StandInShop, make_order

URL = "/webhooks/payments/stripe"


@pytest.fixture
async def ours(stripe: Stripe, webhook_client: MountedClient) -> TestClient:
    return await webhook_client(stripe)


@pytest.fixture
def post(stripe_api: FakeStripe, ours: TestClient, http: aiohttp.ClientSession) -> Any:
    async def send(event: dict[str, Any], **kw: Any) -> int:
        return await stripe_api.send_webhook(http, str(ours.make_url(URL)), event, **kw)

    return send


async def session_of(stripe: Stripe) -> str:
    return (await stripe.start(make_order(method="stripe"))).provider_ref or ""


def test_signature_scheme_matches_stripes_documented_example() -> None:
    body = b'{"id":"evt_1"}'
    header = signature.header(body, "whsec_x", 1700000000)
    assert signature.verify(body, header, "whsec_x", tolerance=300, now=1700000100)
    assert not signature.verify(body, header, "whsec_x", tolerance=300, now=1700000301)
    assert not signature.verify(body + b" ", header, "whsec_x", tolerance=300, now=1700000100)
    assert not signature.verify(body, "t=1700000000", "whsec_x", tolerance=300, now=1700000100)
    assert not signature.verify(body, "v1=abc", "whsec_x", tolerance=300, now=1700000100)
    assert not signature.verify(body, "t=soon,v1=abc", "whsec_x", tolerance=300, now=1700000100)


async def test_a_paid_session_reaches_the_core(
    stripe: Stripe, stripe_api: FakeStripe, shop: StandInShop, post: Any
) -> None:
    event = stripe_api.pay(await session_of(stripe))
    assert await post(event) == 200
    (applied,) = shop.events
    assert applied.kind is PaymentEventKind.PAID and applied.event_id == event["id"]
    assert applied.amount == Money(49000, "INR") and applied.order_number == "K7M-4QX"


async def test_several_v1_values_during_a_secret_roll(
    stripe: Stripe, stripe_api: FakeStripe, shop: StandInShop, post: Any
) -> None:
    import json

    event = stripe_api.pay(await session_of(stripe))
    body = json.dumps(event).encode()
    old = stripe_api.signature(body, secret="whsec_old_secret")
    new = stripe_api.signature(body)
    t = old.split(",")[0]
    header = f"{t},v1={old.split('v1=')[1]},v1={new.split('v1=')[1]},v0=legacy"
    assert await post(event, header=header) == 200
    assert len(shop.events) == 1


@pytest.mark.parametrize("how", ["wrong secret", "too old", "no header", "only v0", "garbled"])
async def test_a_wrongly_signed_or_stale_event_changes_nothing(
    how: str, stripe: Stripe, stripe_api: FakeStripe, shop: StandInShop, post: Any
) -> None:
    event = stripe_api.pay(await session_of(stripe))
    kwargs: dict[str, Any] = {
        "wrong secret": {"secret": "whsec_not_ours"},
        "too old": {"timestamp": int(time.time()) - 301},
        "no header": {"header": ""},
        "only v0": {"header": f"t={int(time.time())},v0=abcdef"},
        "garbled": {"header": "nonsense"},
    }[how]
    assert await post(event, **kwargs) == 401
    assert shop.events == []


async def test_a_delayed_payment_pays_only_when_it_succeeds(
    stripe: Stripe, stripe_api: FakeStripe, shop: StandInShop, post: Any
) -> None:
    session = await session_of(stripe)
    assert await post(stripe_api.pay(session, delayed=True)) == 200
    assert shop.events == []
    assert await post(stripe_api.settle(session)) == 200
    assert [e.kind for e in shop.events] == [PaymentEventKind.PAID]

    other = (await stripe.start(make_order("FAI-L22", method="stripe"))).provider_ref or ""
    stripe_api.pay(other, delayed=True)
    assert await post(stripe_api.settle(other, succeeded=False)) == 200
    assert shop.events[-1].kind is PaymentEventKind.FAILED and shop.events[-1].amount is None


async def test_expired_session_and_an_expiry_refused_after_payment(
    stripe: Stripe, stripe_api: FakeStripe, shop: StandInShop, post: Any
) -> None:
    session = await session_of(stripe)
    assert await post(stripe_api.expire(session)) == 200
    assert shop.events[-1].kind is PaymentEventKind.EXPIRED
    assert await post(stripe_api.expire(session)) == 200


async def test_a_replay_carries_the_same_event_id(
    stripe: Stripe, stripe_api: FakeStripe, shop: StandInShop, post: Any
) -> None:
    event = stripe_api.pay(await session_of(stripe))
    assert await post(event) == 200 and await post(event) == 200
    assert len({e.event_id for e in shop.events}) == 1


async def test_other_events_are_acknowledged_without_effect(
    stripe: Stripe, stripe_api: FakeStripe, shop: StandInShop, post: Any
) -> None:
    assert await post(stripe_api.event("charge.refunded", {"id": "ch_1"})) == 200
    foreign = stripe_api.event("checkout.session.completed", {"id": "cs_x", "payment_status": "paid"})
    assert await post(foreign) == 200  # a session made by someone else: no order named
    assert shop.events == []
