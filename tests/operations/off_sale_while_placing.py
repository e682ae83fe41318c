"""A plugin that takes products off sale right after checkout checked the cart, before the order is
placed: as the dashboard or another worker can in that moment. ``[plugins] modules``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chatshop.api import Shop
from chatshop.checkout import Checkout
from chatshop.hookspecs import hookimpl
from chatshop.pricing import Quote

#: ``(the shop's SQLite file, product id)`` to switch off at the next check; a test fills it.
SWITCH_OFF: list[tuple[Path, str]] = []


@hookimpl
def validate_checkout(shop: Shop, checkout: Checkout, quote: Quote) -> list[str] | None:
    while SWITCH_OFF:
        database, product_id = SWITCH_OFF.pop()
        with sqlite3.connect(database) as db:  # another process's write, not this worker's
            db.execute("UPDATE inventory SET active = 0 WHERE product_id = ?", (product_id,))
    return None
