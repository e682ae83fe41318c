"""The built-in ``load_catalog`` for Shopify's and WooCommerce's product CSV exports.

``[catalog] file = "products_export.csv"`` is read as Shopify's or WooCommerce's export when its
header row is theirs (or with ``shopify:`` / ``woocommerce:`` before the file name).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from chatshop.catalog import Catalog
from chatshop.catalog_file import RawEntry, validated
from chatshop.config import ConfigError, ConfigProblem
from chatshop.hookspecs import hookimpl
from chatshop.plugins.catalog_imports.exports import (
    is_shopify,
    is_woocommerce,
    shopify_entries,
    woocommerce_entries,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from chatshop.api import Shop

READERS: dict[str, tuple[Callable[[Path], bool], Callable[[Path], list[RawEntry]]]] = {
    "shopify": (is_shopify, shopify_entries),
    "woocommerce": (is_woocommerce, woocommerce_entries),
}


@hookimpl
def load_catalog(shop: Shop, source: str) -> Catalog | None:
    kind, _, rest = source.partition(":")
    named = kind in READERS and rest
    path = shop.config.resolve(rest if named else source)
    if not named and path.suffix.lower() != ".csv":
        return None
    try:
        if not named:
            kind = next((name for name, (recognise, _) in READERS.items() if recognise(path)), "")
            if not kind:
                return None
        entries = READERS[kind][1](path)
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(path="catalog.file", message=f"no such file: {path}")]) from None
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ConfigError([ConfigProblem(path="catalog.file", message=f"{path.name}: cannot read: {e}")]) from None
    return Catalog(validated(entries, shop.config.shop.currency))
