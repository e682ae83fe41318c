"""A variant is stocked and reserved by its own SKU, with the same atomic guarantee as a product,
and an order line keeps which product and option values it was."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from chatshop.catalog import Catalog, Product
from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order
from chatshop.store.base import OutOfStock, Store

from .helpers import order

INR = "INR"


def atta() -> Product:
    base = Product(id="atta", title="Aashirvaad Atta", price=Money(0, INR), category="Staples")
    return Product.with_variants(
        base,
        ["Weight"],
        [("atta-1kg", ["1 kg"], Money(6200, INR), 1, None), ("atta-5kg", ["5 kg"], Money(24500, INR), 5, None)],
    )


def variant_order(customer: str, sku: str = "atta-1kg") -> Order:
    line = OrderLine(
        product_id=sku,
        title="Aashirvaad Atta (1 kg)",
        quantity=1,
        unit_price=Money(6200, INR),
        product="atta",
        options=(("Weight", "1 kg"),),
    )
    return replace(order(customer), lines=(line,))


async def test_customers_racing_for_the_last_of_one_variant_leave_the_other_alone(store: Store) -> None:
    catalog = Catalog([atta()])
    await store.seed_inventory(catalog.items())
    stock = await store.inventory()
    assert {sku: item.stock for sku, item in stock.items()} == {"atta-1kg": 1, "atta-5kg": 5}
    results = await asyncio.gather(
        *(store.place_order(variant_order(f"c{i}")) for i in range(12)), return_exceptions=True
    )
    assert sum(isinstance(r, tuple) for r in results) == 1
    assert all(isinstance(r, OutOfStock) for r in results if not isinstance(r, tuple))
    stock = await store.inventory()
    assert stock["atta-1kg"].stock == 0 and stock["atta-5kg"].stock == 5
    [placed] = await store.list_orders()
    [line] = placed.lines
    assert (line.product_id, line.product, line.options) == ("atta-1kg", "atta", (("Weight", "1 kg"),))
