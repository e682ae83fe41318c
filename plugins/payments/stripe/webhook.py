"""Stripe events about Checkout Sessions, turned into PaymentEvents.

``checkout.session.completed`` means paid only when ``payment_status == "paid"``; delayed methods
complete unpaid and later send ``async_payment_succeeded`` or ``async_payment_failed``.
"""

from __future__ import annotations

import json
from typing import Any

import structlog

from chatshop.payments import PaymentEvent, PaymentEventKind
from chatshop.plugins.payments.stripe.amounts import from_stripe

log = structlog.get_logger(__name__)

_KINDS = {
    "checkout.session.async_payment_succeeded": PaymentEventKind.PAID,
    "checkout.session.async_payment_failed": PaymentEventKind.FAILED,
    "checkout.session.expired": PaymentEventKind.EXPIRED,
}


def parse_event(body: bytes, method: str) -> PaymentEvent | None:
    """The normalized event, or None for events that do not move an order."""
    event = json.loads(body)
    name = str(event.get("type", ""))
    session = (event.get("data") or {}).get("object") or {}
    if name == "refund.failed" or (name == "refund.updated" and session.get("status") in ("failed", "canceled")):
        return _refund_failed(session, str(event["id"]), method)
    if name == "charge.refunded":
        return _charge_refunded(session, str(event["id"]), method)
    if name.startswith("charge.dispute."):
        return _dispute_news(name, session, str(event["id"]), method)
    if name == "checkout.session.completed":
        if session.get("payment_status") != "paid":
            log.info("stripe.completed_unpaid", session=session.get("id"))
            return None
        kind = PaymentEventKind.PAID
    elif name in _KINDS:
        kind = _KINDS[name]
    else:
        log.info("stripe.event_ignored", stripe_event=name)
        return None
    number = session.get("client_reference_id") or (session.get("metadata") or {}).get("order_number")
    if not number:
        log.info("stripe.event_without_order", session=session.get("id"))
        return None
    return event_from_session(session, str(event["id"]), kind, method, str(number))


def event_from_session(
    session: dict[str, Any], event_id: str, kind: PaymentEventKind, method: str, number: str
) -> PaymentEvent:
    amount = None
    if kind is PaymentEventKind.PAID:
        total, currency = session.get("amount_total"), session.get("currency")
        if isinstance(total, int) and isinstance(currency, str):
            # In Stripe's units (ISK 500 is 50000); None if it does not convert exactly: never paid.
            amount = from_stripe(total, currency)
    return PaymentEvent(
        method=method,
        event_id=event_id,
        kind=kind,
        order_number=number,
        amount=amount,
        provider_payment_id=payment_intent_id(session),
        raw_status=f"{session.get('status')}/{session.get('payment_status')}",
    )


def payment_intent_id(session: dict[str, Any]) -> str | None:
    """``payment_intent`` is an id, or the whole object when the session was expanded."""
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return str(intent) if intent else None


def _charge_refunded(charge: dict[str, Any], event_id: str, method: str) -> PaymentEvent | None:
    """``charge.refunded``: the charge's ``amount_refunded`` is the total so far, ours included (the
    core counts only what it did not know: a refund made in the Stripe Dashboard)."""
    total, currency = charge.get("amount_refunded"), charge.get("currency")
    amount = from_stripe(total, currency) if isinstance(total, int) and isinstance(currency, str) else None
    intent = payment_intent_id(charge)
    if amount is None or intent is None:
        log.warning("stripe.refund_unmatched", charge=charge.get("id"), alert=True)
        return None
    return PaymentEvent(
        method=method,
        event_id=event_id,
        kind=PaymentEventKind.REFUNDED,
        order_number=str((charge.get("metadata") or {}).get("order_number") or ""),
        amount=amount,
        provider_payment_id=intent,
        raw_status=f"charge {charge.get('id')} refunded",
    )


#: A dispute's end by its ``status`` in ``charge.dispute.closed``: ``warning_closed`` is an
#: inquiry closed without becoming a chargeback, so the money stays too.
_DISPUTE_ENDS = {
    "won": PaymentEventKind.DISPUTE_WON,
    "warning_closed": PaymentEventKind.DISPUTE_WON,
    "lost": PaymentEventKind.DISPUTE_LOST,
}


def _dispute_news(name: str, dispute: dict[str, Any], event_id: str, method: str) -> PaymentEvent | None:
    """``charge.dispute.*``: a chargeback on one of our payments opened (``created``; also
    ``funds_withdrawn``, which may come first), ended (``closed``, by its ``status``), or its
    withdrawn money given back (``funds_reinstated``, only noted). The dispute's own metadata is
    empty: the order is found by the payment."""
    intent = payment_intent_id(dispute)
    if intent is None or not dispute.get("id"):
        log.warning("stripe.dispute_unmatched", dispute=dispute.get("id"), alert=True)
        return None
    status = str(dispute.get("status") or "")
    why: str | None = str(dispute.get("reason") or "") or None
    if name in ("charge.dispute.created", "charge.dispute.funds_withdrawn"):
        kind = PaymentEventKind.DISPUTED
    elif name == "charge.dispute.closed" and status in _DISPUTE_ENDS:
        kind, why = _DISPUTE_ENDS[status], status
    elif name == "charge.dispute.funds_reinstated":
        kind, why = PaymentEventKind.DISPUTE_UPDATED, "funds reinstated"
    else:
        if name == "charge.dispute.closed":  # a status Stripe added since: a person decides
            log.warning("stripe.dispute_closed_unknown_status", dispute=dispute.get("id"), status=status, alert=True)
        else:
            log.info("stripe.event_ignored", stripe_event=name)
        return None
    value, currency = dispute.get("amount"), dispute.get("currency")
    return PaymentEvent(
        method=method,
        event_id=event_id,
        kind=kind,
        order_number=str((dispute.get("metadata") or {}).get("order_number") or ""),
        amount=from_stripe(value, currency) if isinstance(value, int) and isinstance(currency, str) else None,
        provider_payment_id=intent,
        raw_status=why,
        dispute_id=str(dispute["id"]),
    )


def _refund_failed(refund: dict[str, Any], event_id: str, method: str) -> PaymentEvent | None:
    """``refund.failed``: our refunds carry the order number in their metadata."""
    number = (refund.get("metadata") or {}).get("order_number")
    value, currency = refund.get("amount"), refund.get("currency")
    amount = from_stripe(value, currency) if isinstance(value, int) and isinstance(currency, str) else None
    if not number or amount is None:
        log.warning("stripe.refund_failed_unmatched", refund=refund.get("id"), alert=True)
        return None
    return PaymentEvent(
        method=method,
        event_id=event_id,
        kind=PaymentEventKind.REFUND_FAILED,
        order_number=str(number),
        amount=amount,
        provider_payment_id=str(refund.get("id") or ""),
        raw_status=f"refund {refund.get('status')}/{refund.get('failure_reason')}",
    )
