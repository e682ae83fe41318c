"""What the payment tests share: orders placed in a real running shop, and what it did with them.

Every method under test is the one a real shop built from its TOML (its SQLite store, texts and
HTTP session); webhooks reach it over loopback at the routes the shop serves.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.testing import ShopHarness


def make_order(
    number: str = "K7M-4QX",
    *,
    currency: str = "INR",
    unit: int = 24500,
    quantity: int = 2,
    customer: str = "terminal:alice",
    adjustments: tuple[tuple[str, Money], ...] = (),
    status: OrderStatus = OrderStatus.PENDING_PAYMENT,
    method: str = "razorpay",
    **fields: Any,
) -> Order:
    line = OrderLine(
        product_id="tea",
        title="Darjeeling tea",
        quantity=quantity,
        unit_price=Money(unit, currency),
    )
    return Order(
        number=number,
        customer_key=customer,
        status=status,
        lines=(line,),
        adjustments=adjustments,
        currency=currency,
        payment_method=method,
        placement_key=f"place-{number}",
        created_at=datetime.now(UTC),
        **fields,
    )


async def place(h: ShopHarness, number: str = "K7M-4QX", **kw: Any) -> Order:
    """Place an order in the shop's store and start its payment as checkout does (the provider's
    reference and link recorded on the order); returns the order as stored."""
    order, created = await h.shop.store.place_order(make_order(number, **kw))
    assert created and order.number == number
    await h.shop.ordering.start_payment(order)
    return await stored(h, number)


async def stored(h: ShopHarness, number: str = "K7M-4QX") -> Order:
    order = await h.shop.store.get_order(number)
    assert order is not None, number
    return order


async def untouched(h: ShopHarness, number: str = "K7M-4QX") -> bool:
    """The order still waits for its money, none recorded, and the customer was told nothing."""
    await h.shop.idle()
    order = await stored(h, number)
    return order.status is OrderStatus.PENDING_PAYMENT and order.paid_amount == 0 and not h.sent_to(order.customer_key)


def moves(order: Order) -> list[tuple[str, str]]:
    """The order's history as (new status, note), oldest first, its placement included."""
    return [(str(entry["new"]), str(entry["note"])) for entry in order.history]
