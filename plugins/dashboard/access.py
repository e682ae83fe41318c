"""Who is logged in, and what their role lets them do; checked on the server for every page and
every action (a forbidden one is 403 and changes nothing).

An owner may do everything. An agent answers customers in the team inbox, reads orders and makes
the order moves ``[admin] agent_moves`` allows (never a refund, nor a cancel that would refund
money); no catalog, price, stock, numbers, audit or staff. Every order action is one of these moves
or part of one: adding or correcting a shipped order's tracking is the shipping move's.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from chatshop.orders import Order, OrderStatus
from chatshop.runtime import Shop
from chatshop.staff import TOKEN_OWNER, Role

from .session import Session

__all__ = ["WHO", "Who", "may_move", "may_track", "who_is"]


@dataclass(frozen=True, slots=True)
class Who:
    name: str
    role: Role

    @property
    def owner(self) -> bool:
        return self.role is Role.OWNER


#: The logged-in staff member of a request, set by the dashboard's guard.
WHO = web.RequestKey("chatshop_who", Who)


async def who_is(shop: Shop, session: Session, token_enabled: bool) -> Who | None:
    """The staff member a session stands for, as their account is now; None when it ended (the
    account was removed, its password changed, or the token login was turned off)."""
    if session.name == TOKEN_OWNER:
        return Who(TOKEN_OWNER, Role.OWNER) if token_enabled else None
    account = await shop.store.get_staff(session.name)
    if account is None or account.session_key != session.key:
        return None
    try:
        return Who(account.name, Role(account.role))
    except ValueError:  # a role this version does not know: nothing allowed
        return None


def may_move(who: Who, shop: Shop, order: Order, new: OrderStatus) -> bool:
    """Whether ``who`` may move ``order`` to ``new`` (the state table is checked elsewhere)."""
    if who.owner:
        return True
    if new is OrderStatus.REFUNDED or new.value not in shop.config.admin.agent_moves:
        return False
    # Cancelling an order that took money, or taking it back undelivered, refunds it: that is the owner's.
    refunds = new in (OrderStatus.CANCELLED, OrderStatus.RETURNED)
    return not (refunds and order.paid_amount > order.refunded_amount)


def may_track(who: Who, shop: Shop, order: Order) -> bool:
    """Whether ``who`` may add or correct ``order``'s carrier and tracking: whoever may ship it."""
    return may_move(who, shop, order, OrderStatus.SHIPPED)
