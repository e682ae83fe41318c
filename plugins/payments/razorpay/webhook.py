"""Razorpay webhooks: verify the raw body, then turn a payment-link event into a PaymentEvent.

Razorpay retries any non-2xx answer for 24 hours and then disables the webhook, so everything we
verified is acknowledged with 200, including events we do not use and events the order's state
machine refuses (``payment_link.expired`` arriving after ``payment_link.paid``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import structlog

from chatshop.money import Money
from chatshop.payments import PaymentEvent, PaymentEventKind

log = structlog.get_logger(__name__)

_KINDS = {
    "payment_link.paid": PaymentEventKind.PAID,
    "payment_link.expired": PaymentEventKind.EXPIRED,
    "payment_link.cancelled": PaymentEventKind.CANCELLED,
}


def event_id_of(headers: Any, body: bytes) -> str:
    """``x-razorpay-event-id`` ("unique per event"); a body hash only if a proxy dropped it."""
    event_id = headers.get("x-razorpay-event-id")
    return str(event_id) if event_id else "sha256:" + hashlib.sha256(body).hexdigest()


def parse_event(body: bytes, event_id: str, method: str) -> PaymentEvent | None:
    """The normalized event, or None for events that do not move an order."""
    data = json.loads(body)
    name = str(data.get("event", ""))
    payload = data.get("payload") or {}
    link = (payload.get("payment_link") or {}).get("entity") or {}
    payment = (payload.get("payment") or {}).get("entity") or {}
    if name == "refund.failed":
        return _refund_failed(payload, event_id, method)
    if name == "payment_link.partially_paid":
        # We never set accept_partial; a partial payment is for a person to look at.
        log.warning("razorpay.partially_paid", link=link.get("id"), alert=True)
        return None
    kind = _KINDS.get(name)
    notes = link.get("notes")
    notes = notes if isinstance(notes, dict) else {}  # Razorpay sends [] when there are none
    # A renewed link's reference is "NUMBER.suffix"; every link we make carries the number in notes.
    number = notes.get("order_number") or link.get("reference_id")
    if kind is None or not number:
        log.info("razorpay.event_ignored", razorpay_event=name)
        return None
    amount = None
    if kind is PaymentEventKind.PAID:
        paid = link.get("amount_paid", payment.get("amount"))
        currency = link.get("currency") or payment.get("currency")
        amount = Money.reported(paid, currency)  # None (absurd, unreadable): the core's mismatch
    return PaymentEvent(
        method=method,
        event_id=event_id,
        kind=kind,
        order_number=str(number),
        amount=amount,
        provider_payment_id=payment.get("id"),
        provider_ref=str(link["id"]) if link.get("id") else None,
        raw_status=str(link.get("status") or name),
    )


def _refund_failed(payload: dict[str, Any], event_id: str, method: str) -> PaymentEvent | None:
    """``refund.failed``: the refund's notes carry our order number (every refund we make has it)."""
    refund = (payload.get("refund") or {}).get("entity") or {}
    notes = refund.get("notes")
    number = notes.get("order_number") if isinstance(notes, dict) else None
    amount = Money.reported(refund.get("amount"), refund.get("currency"))
    if not number or amount is None:
        log.warning("razorpay.refund_failed_unmatched", refund=refund.get("id"), alert=True)
        return None
    return PaymentEvent(
        method=method,
        event_id=event_id,
        kind=PaymentEventKind.REFUND_FAILED,
        order_number=str(number),
        amount=amount,
        provider_payment_id=str(refund.get("id") or ""),
        raw_status="refund.failed",
    )
