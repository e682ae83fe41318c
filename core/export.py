"""Everything the shop holds about one customer, as one JSON document (their right of access).

GDPR Art. 15 (access) and 20 (portability), and India's DPDP Act 2023 (s. 11), give a customer the
right to a copy of their data. ``chatshop export`` writes it: the conversation, the messages still
kept both ways (the transcript), what is scheduled for them, the small values kept beside their
conversation (web chat history, a messenger's window, the ad they came from), and their orders with
addresses and history. What messengers and payment providers keep on their side is theirs to
export; docs/privacy.md says where.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chatshop.money import Money
from chatshop.orders import Order
from chatshop.store.base import Store

__all__ = ["customer_export", "order_record"]

#: Orders exported at most; more than any customer places.
MAX_ORDERS = 100_000


def order_record(order: Order) -> dict[str, Any]:
    """One order, as the customer's copy has it: everything the shop recorded about it."""
    return {
        "number": order.number,
        "status": order.status.value,
        "placed_at": order.created_at.isoformat() if order.created_at else None,
        "currency": order.currency,
        "lines": [
            {
                "product_id": ln.product_id,
                "title": ln.title,
                "quantity": ln.quantity,
                "unit_price": str(ln.unit_price.decimal),
            }
            for ln in order.lines
        ],
        "fees": [{"code": code, "amount": str(amount.decimal)} for code, amount in order.adjustments],
        "total": str(order.total.decimal),
        "paid": str(order.paid.decimal),
        "refunded": str(Money(order.refunded_amount, order.currency).decimal),
        "payment_method": order.payment_method,
        "payment_reference": order.payment_ref,
        "delivery": {
            "name": order.contact_name,
            "address": order.address,
            "postal_code": order.postal_code,
            "latitude": order.latitude,
            "longitude": order.longitude,
        },
        "checkout_answers": order.extras,
        "came_from": order.referral,
        "history": [
            {"at": str(step.get("at")), "from": step.get("old"), "to": step.get("new"), "note": step.get("note")}
            for step in order.history
        ],
    }


async def customer_export(store: Store, customer_key: str, *, shop: str) -> dict[str, Any]:
    """The whole export of ``customer_key`` (``CHANNEL:ID``) from ``store``."""
    kept = await store.export_customer(customer_key)
    orders = await store.list_orders(customer_key=customer_key, limit=MAX_ORDERS)
    return {
        "shop": shop,
        "customer": customer_key,
        "exported_at": datetime.now(UTC).isoformat(),
        "conversation": kept["conversation"],
        "messages_received": kept["received"],
        "messages_sent": kept["sent"],
        "scheduled": kept["jobs"],
        "kept_values": kept["values"],
        "orders": [order_record(order) for order in reversed(orders)],  # oldest first
        "elsewhere": (
            "The messenger (Meta for WhatsApp, Tencent for WeChat) and the payment provider (Razorpay, "
            "Stripe, WeChat Pay) keep their own records of these messages and payments; ask them for those."
        ),
    }
