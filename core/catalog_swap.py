"""Replacing a running shop's catalog whole: what changed, for the plugins that mirror it.

A live catalog source (Shopify, WooCommerce, a plugin's own) swaps the catalog it read for the one
the shop sells; the swap is one assignment (a customer's turn under way keeps the catalog it
started with), then the inventory learns new products and changed stock figures, and the plugins
that mirror the catalog elsewhere (Meta's catalog) are told which SKUs changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatshop.catalog import Catalog, Product

__all__ = ["changed_items"]


def changed_items(old: Catalog, new: Catalog) -> list[str]:
    """The SKUs added, gone, or sold differently (price, stock, title, picture, description)."""
    before = {item.id: _shape(item) for item in old.items()}
    after = {item.id: _shape(item) for item in new.items()}
    return sorted(sku for sku in before.keys() | after.keys() if before.get(sku) != after.get(sku))


def _shape(item: Product) -> tuple[object, ...]:
    return (item.price, item.stock, item.title, item.image_url, item.description)
