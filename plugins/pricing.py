"""Built-in pricing: the delivery fee of ``[delivery]``, waived above ``free_above``."""

from __future__ import annotations

from chatshop.hookspecs import hookimpl
from chatshop.pricing import Quote
from chatshop.runtime import Shop


@hookimpl
def price_cart(shop: Shop, quote: Quote) -> None:
    delivery = shop.config.delivery
    if delivery.fee is None or not quote.lines:
        return
    if delivery.free_above is not None and quote.subtotal >= delivery.free_above:
        return
    quote.add("delivery", delivery.fee, label="Delivery")
