"""Close an online payment at the provider when its unpaid order is cancelled.

Otherwise the customer who cancels can still pay the old link by mistake; the core would then
refund it, but the provider's fee on that round trip is lost. When the payment window ran out the
link is closed already (the sweeper does it, or the provider told us), so nothing is called then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from chatshop.orders import Order, OrderStatus

if TYPE_CHECKING:
    from chatshop.api import Shop

log = structlog.get_logger(__name__)

#: The core's note when the payment window passed; the link has ended at the provider by then.
EXPIRED_NOTE = "payment expired"


async def close_when_cancelled(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus, method: str) -> None:
    if order.payment_method != method or old != OrderStatus.PENDING_PAYMENT or new != OrderStatus.CANCELLED:
        return
    if order.history and order.history[-1].get("note") == EXPIRED_NOTE:
        return
    payment_method = shop.payment_methods.get(method)
    if payment_method is None:
        return
    try:
        await payment_method.expire(order)
    except Exception:  # the provider is down: a late payment is still refunded by the core
        log.warning("payment.close_failed", order=order.number, method=method, alert=True)
