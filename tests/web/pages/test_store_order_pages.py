"""Orders listed a page at a time (the dashboard's older pages), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus, new_order_number
from chatshop.store.base import Store
from tests.store.conftest import postgres_url, store

__all__ = ["postgres_url", "store"]


async def test_offset_continues_where_the_page_ended(store: Store) -> None:
    line = OrderLine(product_id="atta-5kg", title="Atta", quantity=1, unit_price=Money(24500, "INR"))
    placed = []
    for _ in range(7):
        number = new_order_number()
        await store.place_order(
            Order(number, "webchat:a", OrderStatus.COD_PENDING, (line,), (), "INR", "cod", f"k-{number}")
        )
        placed.append(number)
    newest_first = placed[::-1]
    pages = [await store.list_orders(limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [[o.number for o in page] for page in pages] == [newest_first[:3], newest_first[3:6], newest_first[6:], []]
