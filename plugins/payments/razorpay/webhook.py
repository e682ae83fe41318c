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


#: The entities an event is about, in the order its identity names them.
_ENTITIES = ("payment_link", "payment", "refund", "dispute")


def event_id_of(data: dict[str, Any], body: bytes) -> str:
    """The event's identity, from the signed body: its name and the ids of what it is about
    (``payment_link.paid:plink_…/pay_…``, ``refund.failed:pay_…/rfnd_…``).

    Not ``x-razorpay-event-id``: the signature does not cover headers, so a captured body replayed
    with a fresh header would count again (a second ``refund.failed``, the amount owed twice). A body
    naming no entity is known by its hash.
    """
    raw = data.get("payload")
    payload: dict[str, Any] = raw if isinstance(raw, dict) else {}
    ids = [str(entity["id"]) for name in _ENTITIES if (entity := _entity(payload, name)).get("id")]
    if not ids:
        return "sha256:" + hashlib.sha256(body).hexdigest()
    return f"{data.get('event')}:{'/'.join(ids)}"


def _entity(payload: dict[str, Any], name: str) -> dict[str, Any]:
    wrapper = payload.get(name)
    entity = wrapper.get("entity") if isinstance(wrapper, dict) else None
    return entity if isinstance(entity, dict) else {}


def parse_event(body: bytes, method: str) -> PaymentEvent | None:
    """The normalized event, or None for events that do not move an order."""
    data = json.loads(body)
    name = str(data.get("event", ""))
    event_id = event_id_of(data, body)
    payload = data.get("payload") or {}
    link = (payload.get("payment_link") or {}).get("entity") or {}
    payment = (payload.get("payment") or {}).get("entity") or {}
    if name == "refund.failed":
        return _refund_failed(payload, event_id, method)
    if name == "refund.processed":
        return _refund_processed(payload, event_id, method)
    if name in _DISPUTE_KINDS:
        return _dispute_news(name, payload, event_id, method)
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


def _order_number(*entities: dict[str, Any]) -> str:
    """Our order number from the first entity whose notes carry it ("" if none: the core finds the
    order by its payment)."""
    for entity in entities:
        notes = entity.get("notes")
        if isinstance(notes, dict) and notes.get("order_number"):
            return str(notes["order_number"])
    return ""


def _refund_processed(payload: dict[str, Any], event_id: str, method: str) -> PaymentEvent | None:
    """``refund.processed``: the payment's ``amount_refunded`` is the total so far, ours included
    (the core counts only what it did not know: a refund made in the Razorpay Dashboard)."""
    refund, payment = _entity(payload, "refund"), _entity(payload, "payment")
    total = Money.reported(payment.get("amount_refunded"), payment.get("currency"))
    payment_id = refund.get("payment_id") or payment.get("id")
    if total is None or not payment_id:
        log.warning("razorpay.refund_unmatched", refund=refund.get("id"), alert=True)
        return None
    return PaymentEvent(
        method=method,
        event_id=event_id,
        kind=PaymentEventKind.REFUNDED,
        order_number=_order_number(refund, payment),
        amount=total,
        provider_payment_id=str(payment_id),
        raw_status=f"refund {refund.get('id')} processed",
    )


#: ``payment.dispute.*``: opened, ended (``closed``: a fraud case closed once the transaction's
#: details or a refund were given, so no chargeback), or only noted while it is open.
_DISPUTE_KINDS = {
    "payment.dispute.created": PaymentEventKind.DISPUTED,
    "payment.dispute.won": PaymentEventKind.DISPUTE_WON,
    "payment.dispute.closed": PaymentEventKind.DISPUTE_WON,
    "payment.dispute.lost": PaymentEventKind.DISPUTE_LOST,
    "payment.dispute.under_review": PaymentEventKind.DISPUTE_UPDATED,
    "payment.dispute.action_required": PaymentEventKind.DISPUTE_UPDATED,
}


def _dispute_news(name: str, payload: dict[str, Any], event_id: str, method: str) -> PaymentEvent | None:
    """A dispute on one of our payments (its entity and the payment's): a lost one's amount is
    what Razorpay deducted (``amount_deducted``), else the disputed ``amount``."""
    dispute, payment = _entity(payload, "dispute"), _entity(payload, "payment")
    payment_id = dispute.get("payment_id") or payment.get("id")
    if not payment_id or not dispute.get("id"):
        log.warning("razorpay.dispute_unmatched", dispute=dispute.get("id"), alert=True)
        return None
    kind = _DISPUTE_KINDS[name]
    value = dispute.get("amount")
    if kind is PaymentEventKind.DISPUTE_LOST and isinstance(dispute.get("amount_deducted"), int):
        value = dispute["amount_deducted"] or value
    why = dispute.get("reason_code") if kind is PaymentEventKind.DISPUTED else name.removeprefix("payment.dispute.")
    return PaymentEvent(
        method=method,
        event_id=event_id,
        kind=kind,
        order_number=_order_number(payment),
        amount=Money.reported(value, dispute.get("currency")),
        provider_payment_id=str(payment_id),
        raw_status=str(why) if why else None,
        dispute_id=str(dispute["id"]),
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
