"""Signed provider events of every documented shape, with types and values perturbed: never a 5xx,
but the one 503 by design: news of a refund or dispute before the payment it is about.

A provider retries a 5xx for a day (Razorpay, then disables the webhook), three days (Stripe) or
until it hears success (WeChat Pay), and the event it carries is never applied meanwhile. Each
event here is signed with the right secret or key, so the parser itself meets it; the order it
names exists, so the core's rules (amounts, state moves, refunds) are reached too.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import secrets
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.payments.payment_helpers import place, stored
from tests.perturbed import perturbed, without_missing

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_ids = itertools.count(1)


def _events(draw: st.DrawFn, shapes: list[dict[str, Any]]) -> Any:
    shape = draw(st.sampled_from(shapes))
    return without_missing(draw(perturbed(shape, odds=draw(st.sampled_from([5, 10, 20])), keep=True)))


# --- Razorpay ------------------------------------------------------------------------------------
@pytest.fixture
async def razorpay_events(razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay) -> list[dict[str, Any]]:
    """Razorpay's documented events about an order of the shop (razorpay.com/docs/webhooks)."""
    order = await place(razorpay_shop)
    link = razorpay_api.links[order.payment_ref or ""]
    expired = razorpay_api.event("payment_link.expired", {**link, "status": "expired"})
    paid = razorpay_api.pay(order.payment_ref or "")
    (payment,) = razorpay_api.payments.values()
    refund = {
        "id": "rfnd_1",
        "entity": "refund",
        "amount": 49000,
        "currency": "INR",
        "payment_id": payment["id"],
        "notes": {"order_number": order.number},
        "status": "failed",
    }
    dispute = {"id": "disp_1", "entity": "dispute", "payment_id": payment["id"], "amount": 49000, "currency": "INR"}
    return [
        paid,
        expired,
        razorpay_api.event("payment_link.cancelled", link),
        razorpay_api.event("payment_link.partially_paid", link, payment),
        razorpay_api.refund_event("refund.failed", refund),
        razorpay_api.refund_event("refund.processed", {**refund, "status": "processed", "notes": []}),
        {**paid, "event": "payment.dispute.created", "payload": {"dispute": {"entity": dispute}}},
        {**paid, "event": "order.paid"},
    ]


@SETTINGS
@given(data=st.data())
async def test_no_signed_razorpay_event_gets_a_5xx(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay, razorpay_events: list[dict[str, Any]], data: st.DataObject
) -> None:
    event = data.draw(st.composite(lambda draw: _events(draw, razorpay_events))())
    url = razorpay_shop.url("/webhooks/payments/razorpay")
    status = await razorpay_api.send_webhook(razorpay_shop.client.session, url, event, event_id=f"evt_{next(_ids)}")
    assert status < 500


# --- Stripe --------------------------------------------------------------------------------------
@pytest.fixture
async def stripe_events(stripe_shop: ShopHarness, stripe_api: FakeStripe) -> list[dict[str, Any]]:
    """Stripe's documented events about an order of the shop (docs.stripe.com/api/events/types)."""
    order = await place(stripe_shop, method="stripe")
    session = order.payment_ref or ""
    completed = stripe_api.pay(session)
    intent = completed["data"]["object"]["payment_intent"]
    refund = {
        "id": "re_1",
        "object": "refund",
        "amount": 49000,
        "currency": "inr",
        "payment_intent": intent,
        "metadata": {"order_number": order.number},
        "status": "failed",
        "failure_reason": "expired_or_canceled_card",
    }
    obj = copy.deepcopy(completed["data"]["object"])
    return [
        completed,
        stripe_api.event("checkout.session.async_payment_succeeded", obj),
        stripe_api.event("checkout.session.async_payment_failed", obj),
        stripe_api.event("checkout.session.expired", {**obj, "status": "expired"}),
        stripe_api.event("charge.refunded", {**stripe_api.charge(intent), "amount_refunded": 10000}),
        stripe_api.dispute(intent),
        stripe_api.event("refund.failed", refund),
        stripe_api.event("refund.updated", refund),
        stripe_api.event("payment_intent.succeeded", {"id": intent, "object": "payment_intent"}),
    ]


@SETTINGS
@given(data=st.data())
async def test_no_signed_stripe_event_gets_a_5xx(
    stripe_shop: ShopHarness, stripe_api: FakeStripe, stripe_events: list[dict[str, Any]], data: st.DataObject
) -> None:
    event = data.draw(st.composite(lambda draw: _events(draw, stripe_events))())
    if isinstance(event, dict):
        event.setdefault("id", f"evt_{next(_ids)}")
    status = await stripe_api.send_webhook(
        stripe_shop.client.session, stripe_shop.url("/webhooks/payments/stripe"), event
    )
    if status == 503:  # a refund or dispute told before its payment: Stripe sends it again later
        order = await stored(stripe_shop)
        assert order.status is OrderStatus.PENDING_PAYMENT and order.paid_amount == 0
        assert str(event["type"]).startswith(("charge.refunded", "charge.dispute."))
    else:
        assert status < 500


# --- WeChat Pay ----------------------------------------------------------------------------------
def _sealed(api: FakeWeChatPay, resource: Any, envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope with ``resource`` encrypted under the APIv3 key, as WeChat Pay seals it."""
    nonce = secrets.token_urlsafe(9)[:12]
    plain = json.dumps(resource, ensure_ascii=False).encode("utf-8", "surrogatepass")
    sealed = AESGCM(api.apiv3_key).encrypt(nonce.encode(), plain, b"transaction")
    envelope = copy.deepcopy(envelope)
    if isinstance(envelope.get("resource"), dict):
        envelope["resource"].update(ciphertext=base64.b64encode(sealed).decode(), nonce=nonce)
    return envelope


@pytest.fixture
async def wechatpay_shapes(wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay) -> list[tuple[Any, Any]]:
    """WeChat Pay's documented notifications (pay.weixin.qq.com, 支付通知 and 退款结果通知): (resource, envelope)."""
    order = await place(wechatpay_shop, currency="CNY", unit=2900, method="wechatpay")
    transaction = wechatpay_api.pay(order.number)
    envelope = json.loads(wechatpay_api.notification(transaction))
    refund = {
        "mchid": wechatpay_api.mchid,
        "out_trade_no": order.number,
        "transaction_id": transaction["transaction_id"],
        "out_refund_no": f"{order.number}-R0-5800",
        "refund_id": "50000000382019052709732678859",
        "refund_status": "ABNORMAL",
        "amount": {"total": 5800, "refund": 5800, "payer_total": 5800, "payer_refund": 5800},
    }
    return [
        (transaction, envelope),
        ({**transaction, "trade_state": "PAYERROR"}, envelope),
        (refund, {**envelope, "event_type": "REFUND.ABNORMAL", "summary": "退款异常"}),
        (refund, {**envelope, "event_type": "REFUND.SUCCESS", "summary": "退款成功"}),
    ]


@SETTINGS
@given(data=st.data())
async def test_no_signed_wechatpay_notification_gets_a_5xx(
    wechatpay_shop: ShopHarness,
    wechatpay_api: FakeWeChatPay,
    wechatpay_shapes: list[tuple[Any, Any]],
    data: st.DataObject,
) -> None:
    resource, envelope = data.draw(st.sampled_from(wechatpay_shapes))
    resource = without_missing(data.draw(perturbed(resource, odds=data.draw(st.sampled_from([5, 10, 20])))))
    envelope = without_missing(data.draw(perturbed(envelope, odds=20, keep=True)))
    envelope = {**envelope, "id": f"EV-{next(_ids):022d}"} if isinstance(envelope, dict) else envelope
    body = json.dumps(_sealed(wechatpay_api, resource, envelope) if isinstance(envelope, dict) else envelope)
    url = wechatpay_shop.url("/webhooks/payments/wechatpay")
    status, _ = await wechatpay_api.notify(wechatpay_shop.client.session, url, body.encode())
    assert status < 500
