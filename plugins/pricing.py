"""Built-in pricing: the delivery fee of ``[delivery]``, waived above ``free_above``."""

from __future__ import annotations

from chatshop.api import Shop
from chatshop.hookspecs import hookimpl
from chatshop.pricing import Quote


@hookimpl
def price_cart(shop: Shop, quote: Quote) -> None:
    delivery = shop.config.delivery
    if delivery.fee is None or not quote.lines:
        return
    if delivery.free_above is not None and quote.subtotal >= delivery.free_above:
        return
    quote.add("delivery", delivery.fee, label="Delivery")
