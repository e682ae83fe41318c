"""Which buttons an order's page shows: only the moves the order's state table allows.

Payments are never marked by hand here (``paid`` comes from the provider's verified webhook); a
refund is offered whenever money was taken and not all given back, which includes an order already
"refunded" whose refund failed later (the provider's ``refund.failed``: the amount is owed again).
"""

from __future__ import annotations

from dataclasses import dataclass

from chatshop.orders import TRANSITIONS, Order, OrderStatus

__all__ = ["Action", "actions_for", "owed", "records_refund"]

S = OrderStatus

#: The moves the dashboard offers, in the order the buttons appear, with their labels.
OFFERED: tuple[tuple[OrderStatus, str], ...] = (
    (S.CONFIRMED, "Confirm"),
    (S.SHIPPED, "Ship"),
    (S.DELIVERED, "Mark delivered"),
    (S.RETURNED, "Returned to us"),
    (S.CANCELLED, "Cancel"),
    (S.REFUNDED, "Refund"),
)


@dataclass(frozen=True, slots=True)
class Action:
    status: OrderStatus
    label: str

    @property
    def danger(self) -> bool:
        return self.status in (S.CANCELLED, S.RETURNED, S.REFUNDED)


def actions_for(order: Order, *, offline: bool = False) -> list[Action]:
    """The order's buttons; an ``offline`` method's money (cash) has no Refund button: no provider
    can send it back, so the shop records the transfer it made itself instead (``record_refund``)."""
    allowed = TRANSITIONS[order.status]
    actions = []
    for status, label in OFFERED:
        if status == S.REFUNDED:
            if offline:
                continue
            # none while the customer disputes the payment: the core refuses such a refund
            if owed(order) and not order.disputed and (status in allowed or order.status == S.REFUNDED):
                actions.append(Action(status, label))
        elif status in allowed:
            actions.append(Action(status, label))
    return actions


def owed(order: Order) -> bool:
    """Money taken for the order and not (or no longer: a refund failed) given back."""
    return order.paid_amount > order.refunded_amount


def records_refund(order: Order, *, offline: bool) -> bool:
    """Whether the order page offers to record a refund the shop made itself (UPI, bank transfer):
    cash taken for the order (delivered, paid at the door) and not all given back."""
    return offline and owed(order) and S.REFUNDED in TRANSITIONS[order.status] | {order.status}
