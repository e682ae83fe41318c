"""Small builders for the contract tests: messages, replies and orders."""

from __future__ import annotations

import uuid

from chatshop.messages import Inbound, InboundKind, OrderLine, Text
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus, new_order_number


def message(customer: str, text: str, message_id: str | None = None) -> Inbound:
    return Inbound(
        channel="terminal",
        customer_id=customer,
        message_id=message_id or uuid.uuid4().hex,
        kind=InboundKind.TEXT,
        text=text,
    )


def reply(body: str) -> Text:
    return Text(body=body)


def order(
    customer: str = "asha",
    *,
    product: str = "ghee",
    quantity: int = 1,
    placement_key: str | None = None,
    status: OrderStatus = OrderStatus.COD_PENDING,
) -> Order:
    return Order(
        number=new_order_number(),
        customer_key=f"terminal:{customer}",
        status=status,
        lines=(OrderLine(product_id=product, title="Ghee 1 l", quantity=quantity, unit_price=Money(61250, "INR")),),
        adjustments=(("delivery", Money(3000, "INR")),),
        currency="INR",
        payment_method="cod",
        placement_key=placement_key or uuid.uuid4().hex,
        address="Flat 4, Sea View, Bandra West",
        postal_code="400050",
    )
