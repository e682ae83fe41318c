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
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from chatshop.categories import tidy_category
from chatshop.money import MAX_DIGITS, Money, MoneyError, currency_exponent

if TYPE_CHECKING:
    from chatshop.catalog import Product
    from chatshop.config import ProductEntry

__all__ = ["options_plainly_right", "quick_entry", "quick_product", "shared_money", "variants_plainly_right"]

_ID = re.compile(r"[A-Za-z0-9._\-]{1,100}")
_PRICE = re.compile(r"(\d{1,%d})(?:\.(\d+))?" % (MAX_DIGITS - 1), re.ASCII)  # noqa: UP031 (a regex's braces)
_DIGITS = re.compile(r"\d{1,18}", re.ASCII)
_PRODUCT_KEYS = frozenset(
    {"id", "title", "price", "category", "stock", "description", "image_url", "url", "options", "variants"}
)
_VARIANT_KEYS = frozenset({"id", "values", "price", "stock", "image_url"})


@lru_cache(maxsize=1 << 16)
def shared_money(minor: int, currency: str) -> Money:
    """One ``Money`` per price: a catalog of 500,000 products has a few thousand prices, and an
    immutable amount is shared rather than made (and kept) half a million times."""
    return Money(minor, currency)


def _money(value: Any, currency: str, exponent: int) -> Money | None:
    """``"245.50"`` in minor units; a Decimal or int through :meth:`Money.parse`; None otherwise."""
    if type(value) is str:
        found = _PRICE.fullmatch(value)
        if found is None or (found[2] is not None and len(found[2]) > exponent):
            return None  # "1,234.50", " 12", "-3", "1.005": the careful way reads or refuses them
        fraction = int(found[2].ljust(exponent, "0")) if found[2] else 0
        return shared_money(int(found[1]) * 10**exponent + fraction, currency)
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


class _Variant(NamedTuple):
    id: str
    values: list[str]
    price: Money
    stock: int | None
    image_url: str | None


class _Plain(NamedTuple):
    """A product's fields as the model would hold them after validation."""

    id: str
    title: str
    price: Money | None
    category: str | None  # None: not given ("Other")
    stock: int | None
    description: str | None  # None: not given ("")
    image_url: str | None
    url: str | None
    options: list[str]
    variants: list[_Variant]


def _plain(fields: Mapping[str, Any], currency: str) -> _Plain | None:
    """``fields`` checked the cheap way; None for anything that needs the careful way."""
    if not _PRODUCT_KEYS.issuperset(fields):
        return None  # an unknown key: the careful way names it
    pid, title = fields.get("id"), fields.get("title")
    if type(pid) is not str or not _ID.fullmatch(pid) or type(title) is not str or not title.strip():
        return None
    exponent = currency_exponent(currency)
    price = None
    if "price" in fields and (price := _money(fields["price"], currency, exponent)) is None:
        return None
    right, stock = _stock(fields.get("stock"))
    category, description = fields.get("category"), fields.get("description")
    image_url, url = fields.get("image_url"), fields.get("url")
    texts = (category, description, image_url, url)
    if not right or not all(text is None or type(text) is str for text in texts):
        return None  # (an explicit None category or description is refused by the model: careful way)
    if ("category" in fields and category is None) or ("description" in fields and description is None):
        return None
    options = fields.get("options", [])
    if type(options) is not list or not all(type(name) is str for name in options):
        return None
    raw_variants = fields.get("variants", [])
    if type(raw_variants) is not list:
        return None
    variants = []
    for raw in raw_variants:
        variant = _variant(raw, currency, exponent)
        if variant is None:
            return None
        variants.append(variant)
    plain = _Plain(pid, title.strip(), price, category, stock, description, image_url, url, list(options), variants)
    return plain if _variants_right(plain) else None


def _variant(raw: Any, currency: str, exponent: int) -> _Variant | None:
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
    return _Variant(sku, list(names), price, stock, image)


def _variants_right(plain: _Plain) -> bool:
    from chatshop.config import MAX_OPTION_VALUES, MAX_OPTIONS

    return options_plainly_right(
        plain.price, plain.stock, plain.options, [v.values for v in plain.variants], MAX_OPTIONS, MAX_OPTION_VALUES
    )


def quick_entry(fields: Mapping[str, Any], currency: str) -> ProductEntry | None:
    """The :class:`ProductEntry` of plainly right ``fields``, as validation would make it (options and
    variants that ``variant_problems`` finds nothing wrong with); else None."""
    from chatshop.config import ProductEntry, VariantEntry

    plain = _plain(fields, currency)
    if plain is None:
        return None
    values: dict[str, Any] = {
        "id": plain.id,
        "title": plain.title,
        "price": plain.price,
        "stock": plain.stock,
        "image_url": plain.image_url,
        "url": plain.url,
        "options": plain.options,
        "variants": [VariantEntry.model_construct(**v._asdict()) for v in plain.variants],
    }
    if plain.category is not None:
        values["category"] = plain.category
    if plain.description is not None:
        values["description"] = plain.description
    return ProductEntry.model_construct(**values)


def quick_product(fields: Mapping[str, Any], currency: str) -> Product | None:
    """The :class:`Product` of plainly right ``fields``, exactly as ``Product.from_entry`` of the
    validated entry would be; else None. No pydantic model is made on the way."""
    from chatshop.catalog import Product

    plain = _plain(fields, currency)
    if plain is None:
        return None
    product = Product(
        id=plain.id,
        title=plain.title,
        price=plain.price if plain.price is not None else plain.variants[0].price,
        category=tidy_category(plain.category) if plain.category is not None else "Other",
        stock=plain.stock,
        description=plain.description.strip() if plain.description else "",
        image_url=plain.image_url,
        url=plain.url,
    )
    if not plain.variants:
        return product
    return Product.with_variants(
        product, plain.options, ((v.id, v.values, v.price, v.stock, v.image_url) for v in plain.variants)
    )


def options_plainly_right(
    price: Money | None,
    stock: int | None,
    options: Sequence[str],
    variants: Sequence[Sequence[str]],
    max_options: int,
    max_values: int,
) -> bool:
    """True when :func:`~chatshop.config.variant_problems` would find nothing: a price and no options
    without variants; with them, named options (at most ``max_options``), one value each per variant,
    no two variants alike, at most ``max_values`` values per option. ``variants``: each one's values."""
    if not variants:
        return price is not None and not options
    if price is not None or stock is not None or not 0 < len(options) <= max_options:
        return False
    folded = [name.strip().casefold() for name in options]
    if not all(folded) or len(set(folded)) != len(folded):
        return False
    width = len(options)
    seen: set[tuple[str, ...]] = set()
    distinct: list[set[str]] = [set() for _ in options]
    for values in variants:
        if len(values) != width:
            return False
        key = tuple(value.strip().casefold() for value in values)
        if not all(key) or key in seen:
            return False
        seen.add(key)
        for j, value in enumerate(key):
            distinct[j].add(value)
    return all(len(found) <= max_values for found in distinct)


def variants_plainly_right(entry: ProductEntry, max_options: int, max_values: int) -> bool:
    """:func:`options_plainly_right` of a validated entry."""
    return options_plainly_right(
        entry.price, entry.stock, entry.options, [v.values for v in entry.variants], max_options, max_values
    )
