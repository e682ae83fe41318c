"""The quick way through a product that is plainly right: no pydantic, no error paths, same result.

Validating a ``[[catalog.products]]`` entry through :class:`~chatshop.config.ProductEntry` costs
~40 µs (its validators are Python functions), and ``variant_problems`` as much again: 500,000
products from a JSON file, a Shopify export or ``shop.toml`` would hold a shop's start for most of
a minute. Here cheap checks take the entries that are plainly right (string fields that are
strings, an id of letters and digits, a price such as ``245.50``, options and values that add up)
and build exactly the :class:`ProductEntry` the model would. Whatever they do not recognise is
``None``, and the caller takes the careful way for that entry, which names every problem with its
file, row and key path. The quick way never accepts what the careful way refuses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chatshop.money import MAX_DIGITS, Money, MoneyError, currency_exponent

if TYPE_CHECKING:
    from chatshop.config import ProductEntry, VariantEntry

__all__ = ["quick_entry", "variants_plainly_right"]

_ID = re.compile(r"[A-Za-z0-9._\-]{1,100}")
_PRICE = re.compile(r"(\d{1,%d})(?:\.(\d+))?" % (MAX_DIGITS - 1), re.ASCII)  # noqa: UP031 (a regex's braces)
_DIGITS = re.compile(r"\d{1,18}", re.ASCII)
_PRODUCT_KEYS = frozenset(
    {"id", "title", "price", "category", "stock", "description", "image_url", "url", "options", "variants"}
)
_VARIANT_KEYS = frozenset({"id", "values", "price", "stock", "image_url"})
_TEXT_KEYS = ("category", "description")
_OPTIONAL_TEXT = ("image_url", "url")


def _money(value: Any, currency: str, exponent: int) -> Money | None:
    """``"245.50"`` in minor units; a Decimal or int through :meth:`Money.parse`; None otherwise."""
    if type(value) is str:
        found = _PRICE.fullmatch(value)
        if found is None or (found[2] is not None and len(found[2]) > exponent):
            return None  # "1,234.50", " 12", "-3", "1.005": the careful way reads or refuses them
        fraction = int(found[2].ljust(exponent, "0")) if found[2] else 0
        return Money(int(found[1]) * 10**exponent + fraction, currency)
    if type(value) is int or type(value) is Decimal:
        try:
            amount = Money.parse(value, currency)
        except MoneyError:
            return None
        return amount if amount.minor >= 0 else None
    return None


def _stock(value: Any) -> tuple[bool, int | None]:
    """(plainly right, the stock): an int of 0 or more, or digits; absent is None."""
    if value is None:
        return True, None
    if type(value) is int:
        return value >= 0, value
    if type(value) is str and _DIGITS.fullmatch(value):
        return True, int(value)
    return False, None


def quick_entry(fields: Mapping[str, Any], currency: str) -> ProductEntry | None:
    """The :class:`ProductEntry` of plainly right ``fields``, as validation would make it; else None."""
    from chatshop.config import ProductEntry

    if not _PRODUCT_KEYS.issuperset(fields):
        return None  # an unknown key: the careful way names it
    pid, title = fields.get("id"), fields.get("title")
    if type(pid) is not str or not _ID.fullmatch(pid) or type(title) is not str or not title.strip():
        return None
    values: dict[str, Any] = {"id": pid, "title": title.strip()}
    exponent = currency_exponent(currency)
    if "price" in fields:
        if (price := _money(fields["price"], currency, exponent)) is None:
            return None
        values["price"] = price
    right, values["stock"] = _stock(fields.get("stock"))
    if not right:
        return None
    for key in _TEXT_KEYS:
        if key in fields:
            if type(fields[key]) is not str:
                return None
            values[key] = fields[key]
    for key in _OPTIONAL_TEXT:
        value = fields.get(key)
        if value is not None and type(value) is not str:
            return None
        values[key] = value
    options = fields.get("options", [])
    if type(options) is not list or not all(type(name) is str for name in options):
        return None
    values["options"] = list(options)
    raw_variants = fields.get("variants", [])
    if type(raw_variants) is not list:
        return None
    variants = []
    for raw in raw_variants:
        variant = _quick_variant(raw, currency, exponent)
        if variant is None:
            return None
        variants.append(variant)
    values["variants"] = variants
    return ProductEntry.model_construct(**values)


def _quick_variant(raw: Any, currency: str, exponent: int) -> VariantEntry | None:
    from chatshop.config import VariantEntry

    if type(raw) is not dict or not _VARIANT_KEYS.issuperset(raw):
        return None
    sku, names = raw.get("id"), raw.get("values", [])
    if type(sku) is not str or not _ID.fullmatch(sku) or type(names) is not list:
        return None
    if not all(type(value) is str for value in names):
        return None  # a number (a size written 500) is turned to text by the careful way
    if "price" not in raw or (price := _money(raw["price"], currency, exponent)) is None:
        return None
    right, stock = _stock(raw.get("stock"))
    image = raw.get("image_url")
    if not right or (image is not None and type(image) is not str):
        return None
    return VariantEntry.model_construct(id=sku, values=list(names), price=price, stock=stock, image_url=image)


def variants_plainly_right(entry: ProductEntry, max_options: int, max_values: int) -> bool:
    """True when :func:`~chatshop.config.variant_problems` would find nothing: a price and no options
    without variants; with them, named options (at most ``max_options``), one value each per variant,
    no two variants alike, at most ``max_values`` values per option."""
    if not entry.variants:
        return entry.price is not None and not entry.options
    options = entry.options
    if entry.price is not None or entry.stock is not None or not 0 < len(options) <= max_options:
        return False
    folded = [name.strip().casefold() for name in options]
    if not all(folded) or len(set(folded)) != len(folded):
        return False
    width = len(options)
    seen: set[tuple[str, ...]] = set()
    distinct: list[set[str]] = [set() for _ in options]
    for variant in entry.variants:
        if len(variant.values) != width:
            return False
        key = tuple(value.strip().casefold() for value in variant.values)
        if not all(key) or key in seen:
            return False
        seen.add(key)
        for j, value in enumerate(key):
            distinct[j].add(value)
    return all(len(values) <= max_values for values in distinct)
