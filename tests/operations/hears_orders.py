"""A plugin that records what the order hooks heard, and fails where a test asks, as a plugin whose
service is away a moment fails. ``[plugins] modules``."""

from __future__ import annotations

from chatshop.api import Shop
from chatshop.hookspecs import hookimpl
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus

#: Where to fail next, once each: ``"placed"`` or a status an order moves to.
FAIL_AT: set[str] = set()
#: What the hooks heard, in order: ``(number, old status or None, new status)``.
HEARD: list[tuple[str, str | None, str]] = []
#: What ``order_refunded`` heard, in order: ``(number, amount in minor units)``.
REFUNDS: list[tuple[str, int]] = []


def _maybe_fail(moment: str) -> None:
    if moment in FAIL_AT:
        FAIL_AT.discard(moment)
        raise RuntimeError(f"the plugin's service is away ({moment})")


@hookimpl(tryfirst=True)
def order_placed(shop: Shop, order: Order) -> None:
    _maybe_fail("placed")
    HEARD.append((order.number, None, order.status.value))


@hookimpl(tryfirst=True)
def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    _maybe_fail(new.value)
    HEARD.append((order.number, old.value, new.value))


@hookimpl
def order_refunded(shop: Shop, order: Order, amount: Money) -> None:
    REFUNDS.append((order.number, amount.minor))
