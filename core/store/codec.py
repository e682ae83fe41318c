"""How domain objects become rows and back; shared by every SQL store so they agree exactly."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import structlog
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError, from_json, to_json

from chatshop.messages import (
    Inbound,
    InboundKind,
    OrderLine,
    Outbound,
    outbound_to_json_text,
)
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus, Shipment
from chatshop.reply_context import read_message

log = structlog.get_logger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def dumps(value: Any) -> str:
    """``value`` as compact JSON text, non-ASCII kept as it is (``json.dumps`` with ``(",", ":")``
    and ``ensure_ascii=False`` gives the same text but for the spelling of some floats: ``1e-07``
    here is ``1e-7``). pydantic-core's encoder, because a conversation's state is written at every
    turn and ``json.dumps`` takes about four times as long. A value JSON cannot hold raises
    ``TypeError``, as ``json.dumps`` does."""
    try:
        return to_json(value).decode()
    except PydanticSerializationError as error:
        raise TypeError(str(error)) from None


def loads(text: str | bytes) -> Any:
    """JSON text read back (what ``json.loads`` reads, in about half the time: a conversation's
    state is read at every turn)."""
    return from_json(text)


def inbound_to_text(inbound: Inbound) -> str:
    return inbound.model_dump_json(exclude_none=True)


def inbound_from_text(text: str) -> Inbound:
    """The stored message; one the model no longer accepts (a NaN that JSON stored as null, a field
    a newer version dropped) comes back as ``unsupported``, so it is answered, never stuck."""
    try:
        return Inbound.model_validate_json(text)
    except ValidationError:
        data = json.loads(text)
        log.error("inbox.unreadable", channel=data.get("channel"), message_id=data.get("message_id"))
        return Inbound(
            channel=str(data["channel"]),
            customer_id=str(data["customer_id"]),
            message_id=str(data["message_id"]),
            kind=InboundKind.UNSUPPORTED,
        )


def outbound_to_text(message: Outbound) -> str:
    return outbound_to_json_text(message)


def outbound_from_text(text: str) -> Outbound:
    """An outbox row's message, whether or not the row also carries its send context."""
    return read_message(text)


def order_details(order: Order) -> str:
    """The parts of an order no query filters on, as one JSON document."""
    return dumps(
        {
            "lines": [
                {
                    "product_id": ln.product_id,
                    "title": ln.title,
                    "quantity": ln.quantity,
                    "unit_minor": ln.unit_price.minor,
                    **({"product": ln.product, "options": [list(pair) for pair in ln.options]} if ln.product else {}),
                }
                for ln in order.lines
            ],
            "adjustments": [[code, amount.minor] for code, amount in order.adjustments],
            "address": order.address,
            "postal_code": order.postal_code,
            "contact_name": order.contact_name,
            "latitude": order.latitude,
            "longitude": order.longitude,
            **({"extras": order.extras} if order.extras else {}),
            **({"referral": order.referral} if order.referral else {}),
            **({"shipment": order.shipment.to_json()} if order.shipment else {}),
        }
    )


def order_from_parts(
    *,
    number: str,
    customer_key: str,
    status: str,
    currency: str,
    payment_method: str,
    placement_key: str,
    details: str | dict[str, Any],
    created_at: datetime,
    paid_minor: int,
    refunded_minor: int,
    payment_ref: str | None,
    payment_url: str | None,
    payment_expires_at: datetime | None,
    history: list[dict[str, Any]],
) -> Order:
    data = loads(details) if isinstance(details, str) else details
    return Order(
        number=number,
        customer_key=customer_key,
        status=OrderStatus(status),
        lines=tuple(
            OrderLine(
                product_id=ln["product_id"],
                title=ln["title"],
                quantity=int(ln["quantity"]),
                unit_price=Money(int(ln["unit_minor"]), currency),
                product=ln.get("product"),
                options=tuple((str(name), str(value)) for name, value in ln.get("options", ())),
            )
            for ln in data["lines"]
        ),
        adjustments=tuple((code, Money(int(minor), currency)) for code, minor in data["adjustments"]),
        currency=currency,
        payment_method=payment_method,
        placement_key=placement_key,
        address=data.get("address"),
        postal_code=data.get("postal_code"),
        contact_name=data.get("contact_name"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        extras=dict(data.get("extras") or {}),
        referral=data.get("referral") if isinstance(data.get("referral"), dict) else None,
        shipment=Shipment.from_json(data.get("shipment")),
        created_at=created_at,
        paid_amount=paid_minor,
        refunded_amount=refunded_minor,
        payment_ref=payment_ref,
        payment_url=payment_url,
        payment_expires_at=payment_expires_at,
        history=history,
    )


#: Dialog steps that belong to a checkout in progress: an idle conversation forgets the checkout,
#: so it cannot stay in one of them.
_CHECKOUT_STEPS = frozenset({"address", "postal_code", "payment", "confirm"})


def forget_idle(state: dict[str, Any]) -> dict[str, Any] | None:
    """What a conversation idle beyond ``[storage] retention_days`` keeps; None: nothing worth keeping.

    A checkout abandoned half way holds a delivery address, a location and a contact name; the
    profile name and the last search are the customer's own words. None of it is needed once the
    customer has stopped shopping (a placed order keeps its own copy of the delivery details), so it
    goes. The cart stays, so a customer who comes back finds what they picked; a conversation with
    an empty cart is deleted whole (the customer is greeted as new when they write again).
    """
    cart = state.get("cart") or {}
    if not cart.get("lines"):
        return None
    if not any(state.get(field) for field in ("checkout", "name", "query")):
        return state
    kept = {**state, "checkout": None, "name": None, "query": None}
    if kept.get("step") in _CHECKOUT_STEPS or kept.get("step") == "search":
        kept.update(step="idle", menu=[], labels=[])
    return kept
