"""A plugin that mirrors the catalog elsewhere, as the WhatsApp catalog does: it writes down what
``catalog_changed`` told it."""

from __future__ import annotations

from collections.abc import Sequence

from chatshop.api import Shop
from chatshop.hookspecs import hookimpl

#: The SKUs of each ``catalog_changed`` call, in order; a test clears it first.
TOLD: list[list[str]] = []


@hookimpl
def catalog_changed(shop: Shop, product_ids: Sequence[str]) -> None:
    TOLD.append(list(product_ids))
