"""Which buttons an order's page shows: only the moves the order's state table allows.

Payments are never marked by hand here (``paid`` comes from the provider's verified webhook); a
refund is offered only when money was taken and not yet all given back.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatshop.orders import TRANSITIONS, Order, OrderStatus

__all__ = ["Action", "actions_for"]

S = OrderStatus

#: The moves the dashboard offers, in the order the buttons appear, with their labels.
OFFERED: tuple[tuple[OrderStatus, str], ...] = (
    (S.CONFIRMED, "Confirm"),
    (S.SHIPPED, "Ship"),
    (S.DELIVERED, "Mark delivered"),
    (S.CANCELLED, "Cancel"),
    (S.REFUNDED, "Refund"),
)


@dataclass(frozen=True, slots=True)
class Action:
    status: OrderStatus
    label: str

    @property
    def danger(self) -> bool:
        return self.status in (S.CANCELLED, S.REFUNDED)


def actions_for(order: Order) -> list[Action]:
    allowed = TRANSITIONS[order.status]
    actions = []
    for status, label in OFFERED:
        if status not in allowed:
            continue
        if status == S.REFUNDED and order.paid_amount <= order.refunded_amount:
            continue
        actions.append(Action(status, label))
    return actions
