"""Razorpay Payment Links against the fake Razorpay: links, refunds, polling, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chatshop.config import ConfigError, validate_section
from chatshop.messages import PaymentRequest
from chatshop.money import Money
from chatshop.payments import PaymentContext, PaymentError, PaymentEventKind
from chatshop.plugins.payments.razorpay import Razorpay
from chatshop.plugins.payments.razorpay.config import RazorpayConfig
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.payments.payment_helpers import make_order


@pytest.fixture
def razorpay(running_razorpay: Razorpay) -> Razorpay:
    """The method as a running shop holds it (its store, texts and HTTP session), not a stand-in."""
    return running_razorpay


async def test_start_creates_a_link_for_the_order_total(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    order = make_order()
    start = await razorpay.start(order)

    link = fake.links[start.provider_ref or ""]
    assert link["amount"] == 49000 and link["currency"] == "INR"
    assert link["reference_id"] == "K7M-4QX"
    assert link["notify"] == {"sms": False, "email": False}
    assert start.url == link["short_url"]
    assert start.expires_at is not None
    assert timedelta(minutes=29) < start.expires_at - datetime.now(UTC) <= timedelta(minutes=30)
    (message,) = start.messages
    assert isinstance(message, PaymentRequest)
    assert message.url == start.url and message.order.total == Money(49000, "INR")
    assert "₹490.00" in message.body and start.url in message.body


async def test_upi_link_is_asked_for_when_configured(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    razorpay.config.upi_link = True
    start = await razorpay.start(make_order())
    assert fake.links[start.provider_ref or ""]["upi_link"] is True


async def test_an_outage_is_retried(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    fake.outage = [503, 502]
    start = await razorpay.start(make_order())
    assert start.provider_ref in fake.links


async def test_a_lost_answer_reuses_the_link_instead_of_making_a_second(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    fake.lose_next_create_answer = True
    start = await razorpay.start(make_order())
    assert list(fake.links) == [start.provider_ref]


async def test_a_start_repeated_after_a_crash_returns_the_same_link(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    first = await razorpay.start(make_order())
    again = await razorpay.start(make_order())
    assert first.provider_ref == again.provider_ref and len(fake.links) == 1


async def test_a_lasting_outage_is_a_retryable_error(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    fake.outage = [503, 503, 503]
    with pytest.raises(PaymentError) as caught:
        await razorpay.start(make_order())
    assert caught.value.retryable


async def test_wrong_credentials_are_not_retried(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    fake.key_secret = "another"
    with pytest.raises(PaymentError) as caught:
        await razorpay.start(make_order())
    assert not caught.value.retryable
    assert len(fake.requests) == 1


async def test_refund_full_and_partial_once_each(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    order = make_order()
    start = await razorpay.start(order)
    fake.pay(start.provider_ref or "")
    order.payment_ref = start.provider_ref
    order.paid_amount = 49000

    partial = await razorpay.refund(order, Money(9000, "INR"))
    repeated = await razorpay.refund(order, Money(9000, "INR"))  # a retry: same key, same refund
    assert partial.refund_id == repeated.refund_id and partial.amount == Money(9000, "INR")
    order.refunded_amount = 9000
    rest = await razorpay.refund(order, Money(40000, "INR"))
    assert rest.refund_id != partial.refund_id and not rest.pending
    (payment,) = fake.payments.values()
    assert payment["amount_refunded"] == 49000
    with pytest.raises(PaymentError):
        order.refunded_amount = 49000
        await razorpay.refund(order, Money(100, "INR"))


async def test_refund_of_an_unpaid_link_is_an_error(razorpay: Razorpay) -> None:
    order = make_order()
    order.payment_ref = (await razorpay.start(order)).provider_ref
    with pytest.raises(PaymentError):
        await razorpay.refund(order, Money(100, "INR"))


async def test_poll_reports_paid_and_expired_links(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    order = make_order()
    order.payment_ref = (await razorpay.start(order)).provider_ref
    assert await razorpay.poll(order) is None
    fake.pay(order.payment_ref or "")
    event = await razorpay.poll(order)
    assert event is not None and event.kind is PaymentEventKind.PAID
    assert event.amount == Money(49000, "INR") and event.order_number == order.number

    other = make_order("ABC-DEF")
    other.payment_ref = (await razorpay.start(other)).provider_ref
    fake.expire(other.payment_ref or "")
    expired = await razorpay.poll(other)
    assert expired is not None and expired.kind is PaymentEventKind.EXPIRED


async def test_expire_cancels_an_open_link_and_leaves_a_paid_one(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    order = make_order()
    order.payment_ref = (await razorpay.start(order)).provider_ref
    await razorpay.expire(order)
    assert fake.links[order.payment_ref or ""]["status"] == "cancelled"

    paid = make_order("ABC-DEF")
    paid.payment_ref = (await razorpay.start(paid)).provider_ref
    fake.pay(paid.payment_ref or "")
    await razorpay.expire(paid)  # refused by Razorpay; nothing to do, no error
    assert fake.links[paid.payment_ref or ""]["status"] == "paid"


def test_offered_for_rupees_only(razorpay: Razorpay) -> None:
    assert razorpay.available(PaymentContext(Money(49000, "INR"), "560001", "whatsapp"))
    assert not razorpay.available(PaymentContext(Money(4900, "EUR"), None, "terminal"))


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"key_id": "not-a-key"}, "payments.razorpay.key_id"),
        (
            {"key_id": "rzp_test_x", "link_expiry_minutes": 5},
            "payments.razorpay.link_expiry_minutes",
        ),
        ({"key_id": "rzp_test_x", "currencies": ["XYZ"]}, "payments.razorpay.currencies"),
        ({"key_id": "rzp_test_x", "keyid": "typo"}, "payments.razorpay.keyid"),
    ],
)
def test_config_mistakes_name_their_key(section: dict[str, Any], path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", "s")
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", "w")
    with pytest.raises(ConfigError) as caught:
        validate_section(RazorpayConfig, section, "payments.razorpay", "INR")
    assert path in str(caught.value)


def test_a_missing_secret_is_a_start_up_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAZORPAY_KEY_SECRET", raising=False)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", "w")
    with pytest.raises(ConfigError) as caught:
        validate_section(RazorpayConfig, {"key_id": "rzp_test_x"}, "payments.razorpay", "INR")
    assert "payments.razorpay.key_secret_env" in str(caught.value)


async def test_an_expired_link_is_not_sent_again_but_replaced(razorpay: Razorpay, fake: FakeRazorpay) -> None:
    """Its reference stays taken at Razorpay, so the new link has its own; notes name the order."""
    start = await razorpay.start(make_order())
    fake.expire(start.provider_ref or "")
    again = await razorpay.start(make_order())
    assert again.provider_ref != start.provider_ref and again.url != start.url
    link = fake.links[again.provider_ref or ""]
    assert link["status"] == "created" and link["notes"] == {"order_number": "K7M-4QX"}
    assert link["reference_id"].startswith("K7M-4QX.") and len(link["reference_id"]) <= 40
