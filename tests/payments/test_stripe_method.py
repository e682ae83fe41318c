"""Stripe Checkout Sessions against the fake Stripe: sessions, refunds, polling, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chatshop.config import ConfigError, validate_section
from chatshop.messages import PaymentRequest
from chatshop.money import Money
from chatshop.payments import PaymentError, PaymentEventKind
from chatshop.plugins.payments.stripe import Stripe
from chatshop.plugins.payments.stripe.config import StripeConfig
from chatshop.plugins.payments.stripe.form import encode
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.stripe import FakeStripe
from tests.payments.payment_helpers import make_order


@pytest.fixture
def stripe(running_stripe: Stripe) -> Stripe:
    """The method as a running shop holds it (its store, texts and HTTP session), not a stand-in."""
    return running_stripe


def test_form_encoding_nests_with_brackets() -> None:
    params = {"a": 1, "b": {"c": [{"d": "x"}, {"d": True}]}, "skip": None}
    assert encode(params) == [("a", "1"), ("b[c][0][d]", "x"), ("b[c][1][d]", "true")]


async def test_start_creates_a_session_with_inline_prices(stripe: Stripe, stripe_api: FakeStripe) -> None:
    fee = ("Delivery", Money(4000, "INR"))
    order = make_order(adjustments=(fee,), method="stripe")
    start = await stripe.start(order)

    session = stripe_api.sessions[start.provider_ref or ""]
    assert session["amount_total"] == 53000 and session["currency"] == "inr"
    assert session["client_reference_id"] == order.number
    assert session["metadata"] == {"order_number": order.number}
    assert session["success_url"].startswith("https://shop.example.com/webhooks/payments/stripe/return")
    (method, path, key) = stripe_api.requests[0]
    assert (method, path) == ("POST", "/v1/checkout/sessions") and key and order.number in key
    assert start.url == session["url"] and start.expires_at is not None
    assert timedelta(minutes=30) <= start.expires_at - datetime.now(UTC) <= timedelta(minutes=32)
    (message,) = start.messages
    assert isinstance(message, PaymentRequest) and start.url in message.body
    assert message.order.total == Money(53000, "INR")


async def test_a_discount_makes_one_line_for_the_total(stripe: Stripe, stripe_api: FakeStripe) -> None:
    order = make_order(adjustments=(("Discount", Money(-9000, "INR")),), method="stripe")
    start = await stripe.start(order)
    assert stripe_api.sessions[start.provider_ref or ""]["amount_total"] == 40000


async def test_a_lost_answer_is_retried_with_the_same_idempotency_key(stripe: Stripe, stripe_api: FakeStripe) -> None:
    stripe_api.lose_next_answer = True
    stripe_api.outage = [503]
    start = await stripe.start(make_order(method="stripe"))
    assert list(stripe_api.sessions) == [start.provider_ref]
    keys = {key for method, path, key in stripe_api.requests if path == "/v1/checkout/sessions"}
    assert len(keys) == 1 and len(stripe_api.requests) == 3


async def test_a_lasting_outage_is_retryable_and_bad_credentials_are_not(
    stripe: Stripe, stripe_api: FakeStripe
) -> None:
    stripe_api.outage = [500, 502, 503]
    with pytest.raises(PaymentError) as outage:
        await stripe.start(make_order(method="stripe"))
    assert outage.value.retryable
    stripe_api.secret_key = "sk_test_other"
    with pytest.raises(PaymentError) as refused:
        await stripe.start(make_order(method="stripe"))
    assert not refused.value.retryable


async def test_refunds_partial_then_the_rest(stripe: Stripe, stripe_api: FakeStripe) -> None:
    order = make_order(method="stripe")
    order.payment_ref = (await stripe.start(order)).provider_ref
    stripe_api.pay(order.payment_ref or "")
    first = await stripe.refund(order, Money(9000, "INR"))
    again = await stripe.refund(order, Money(9000, "INR"))  # retried: same key, same refund
    assert first.refund_id == again.refund_id and len(stripe_api.refunds) == 1
    order.refunded_amount = 9000
    rest = await stripe.refund(order, Money(40000, "INR"))
    assert rest.amount == Money(40000, "INR") and not rest.pending
    order.refunded_amount = 49000
    with pytest.raises(PaymentError):
        await stripe.refund(order, Money(1, "INR"))


async def test_poll_and_expire(stripe: Stripe, stripe_api: FakeStripe) -> None:
    order = make_order(method="stripe")
    order.payment_ref = (await stripe.start(order)).provider_ref
    assert await stripe.poll(order) is None
    await stripe.expire(order)
    assert stripe_api.sessions[order.payment_ref or ""]["status"] == "expired"
    polled = await stripe.poll(order)
    assert polled is not None and polled.kind is PaymentEventKind.EXPIRED

    paid = make_order("PAI-D22", method="stripe")
    paid.payment_ref = (await stripe.start(paid)).provider_ref
    stripe_api.pay(paid.payment_ref or "")
    event = await stripe.poll(paid)
    assert event is not None and event.kind is PaymentEventKind.PAID
    assert event.amount == Money(49000, "INR") and event.provider_payment_id in stripe_api.intents
    await stripe.expire(paid)  # Stripe refuses: the session is complete; nothing to do
    assert stripe_api.sessions[paid.payment_ref or ""]["status"] == "complete"


async def test_the_return_page_says_to_go_back_to_the_chat(stripe_shop: ShopHarness) -> None:
    response = await stripe_shop.client.get("/webhooks/payments/stripe/return?order=K7M-4QX")
    assert response.status == 200 and "back to the chat" in await response.text()


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"link_expiry_minutes": 10}, "payments.stripe.link_expiry_minutes"),
        ({"link_expiry_minutes": 2000}, "payments.stripe.link_expiry_minutes"),
        ({"success_url": "shop.example.com"}, "payments.stripe.success_url"),
        ({"secret_key": "sk_live_in_the_file"}, "payments.stripe.secret_key"),
    ],
)
def test_config_mistakes_name_their_key(section: dict[str, Any], path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "wh")
    with pytest.raises(ConfigError) as caught:
        validate_section(StripeConfig, section, "payments.stripe", "INR")
    assert path in str(caught.value)


async def test_sending_the_link_again_reuses_the_open_session(stripe: Stripe, stripe_api: FakeStripe) -> None:
    order = make_order(method="stripe")
    first = await stripe.start(order)
    order.payment_ref = first.provider_ref
    again = await stripe.start(order)
    assert again.provider_ref == first.provider_ref and len(stripe_api.sessions) == 1
    stripe_api.expire(first.provider_ref or "")
    fresh = await stripe.start(order)  # the old one can no longer be paid: a new session
    assert fresh.provider_ref != first.provider_ref
