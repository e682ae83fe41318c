"""Cash on delivery: offered up to a limit and where the shop delivers, with an optional fee.

The order is placed as ``cod_pending`` and counts as paid when it is delivered: the courier
collects the cash (Vendure's "authorize now, settle later").
"""

from __future__ import annotations

from collections.abc import Callable

from chatshop.config import Amount
from chatshop.hookspecs import hookimpl
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentConfig, PaymentContext, PaymentMethod, PaymentStart
from chatshop.pricing import Quote
from chatshop.runtime import Shop


class CashOnDeliveryConfig(PaymentConfig):
    max_order_total: Amount | None = None
    fee: Amount | None = None
    areas: list[str] | None = None  # postal codes where COD is offered; default: all delivery areas


class CashOnDelivery(PaymentMethod):
    name = "cod"
    Config = CashOnDeliveryConfig
    online = False
    label_key = "payment_cod"
    config: CashOnDeliveryConfig

    def available(self, context: PaymentContext) -> bool:
        limit = self.config.max_order_total
        if limit is not None and context.total > limit:
            return False
        areas = self.config.areas
        if areas is None:
            return True
        return context.postal_code in {a.strip().upper().replace(" ", "") for a in areas}

    async def start(self, order: Order) -> PaymentStart:
        return PaymentStart()  # nothing to do until the courier collects the cash


@hookimpl
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    register(CashOnDelivery)


@hookimpl
def price_cart(shop: Shop, quote: Quote) -> None:
    method = shop.payment_methods.get("cod")
    if quote.payment_method != "cod" or not isinstance(method, CashOnDelivery):
        return
    fee = method.config.fee
    if fee is not None and fee.minor > 0:
        quote.add("cod_fee", fee, label="Cash-on-delivery fee")


@hookimpl
async def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    """Delivered means the cash was collected: record the COD order as paid."""
    if new == OrderStatus.DELIVERED and order.payment_method == "cod" and order.paid_amount == 0:
        await shop.store.record_amounts(order.number, paid_amount=order.total.minor, note="cash collected")
