"""The quick way through a big, clean catalog CSV (variant rows too): 500,000 rows in seconds, not a minute.

Validating each row through the pydantic model costs ~40 µs, so a 500,000-product file would hold
a shop's start for half a minute. Here plain checks take the rows that are plainly right (an id of
letters and digits, a title, a price such as ``245.50``, a stock of digits), with exactly the
result the model gives; the first row that is not takes the careful way for the whole file, which
names every problem with its line. The quick way never accepts what the careful way refuses.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TYPE_CHECKING

from chatshop.categories import tidy_category
from chatshop.money import Money, currency_exponent

if TYPE_CHECKING:
    from chatshop.catalog import Product

__all__ = ["quick_csv_products"]

#: The columns the quick way knows; any other takes the careful way.
COLUMNS = frozenset({"id", "title", "price", "category", "stock", "description", "image_url", "url"})
VARIANT_COLUMNS = frozenset({"options", "variant_id", "option1", "option2", "option3"})
_ID = re.compile(r"[A-Za-z0-9._\-]{1,100}")
_PRICE = re.compile(r"(\d{1,14})(?:\.(\d+))?", re.ASCII)
_DIGITS = re.compile(r"\d{1,18}", re.ASCII)


class _Group:
    """A product of variant rows (its first row's fields), gathering its variants."""

    __slots__ = ("fields", "options", "variants")

    def __init__(self, fields: tuple[str, str, str, str, str | None], options: list[str]) -> None:
        self.fields = fields  # id, title, category, description, url
        self.options = options
        self.variants: list[tuple[str, list[str], Money, int | None, str | None]] = []


def quick_csv_products(path: Path, currency: str) -> list[Product] | None:
    """The products of a plain, valid CSV (variant rows too); None when any row needs the careful way."""
    from chatshop.catalog import Product
    from chatshop.catalog_quick import options_plainly_right, shared_money
    from chatshop.config import MAX_OPTION_VALUES, MAX_OPTIONS

    exponent = currency_exponent(currency)
    scale = 10**exponent
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [name.strip() for name in next(reader, [])]
        known = COLUMNS | VARIANT_COLUMNS
        if not header or len(set(header)) != len(header) or not {"id", "title", "price"} <= set(header) <= known:
            return None
        at = {name: header.index(name) for name in known if name in header}
        width = len(header)
        i_id, i_title, i_price = at["id"], at["title"], at["price"]
        i_category, i_stock, i_description = at.get("category"), at.get("stock"), at.get("description")
        i_image, i_url = at.get("image_url"), at.get("url")
        i_variant, i_options = at.get("variant_id"), at.get("options")
        i_values = [at[f"option{n}"] for n in (1, 2, 3) if f"option{n}" in at]
        if [f"option{n}" for n in (1, 2, 3) if f"option{n}" in at] != [f"option{n}" for n in (1, 2, 3)][
            : len(i_values)
        ]:
            return None  # option2 without option1: the careful way says what is missing
        found: list[Product | _Group] = []
        groups: dict[str, _Group] = {}
        seen: set[str] = set()
        for raw in reader:
            if len(raw) != width:
                if not raw:
                    continue  # a blank line, skipped as the careful way skips it
                if len(raw) > width:
                    return None  # the careful way says which line has too many fields
                raw = raw + [""] * (width - len(raw))
            pid, title, price = raw[i_id].strip(), raw[i_title].strip(), raw[i_price].strip()
            amount = _PRICE.fullmatch(price)
            if amount is None or (amount[2] is not None and len(amount[2]) > exponent):
                return None
            minor = int(amount[1]) * scale + (int(amount[2].ljust(exponent, "0")) if amount[2] else 0)
            stock: int | None = None
            if i_stock is not None and (text := raw[i_stock].strip()):
                if not _DIGITS.fullmatch(text):
                    return None
                stock = int(text)
            image = (raw[i_image].strip() or None) if i_image is not None else None
            sku = raw[i_variant].strip() if i_variant is not None else ""
            if sku:  # a variant of the product ``id``
                group = groups.get(pid)
                if group is None:
                    names = raw[i_options].strip() if i_options is not None else ""
                    if not _ID.fullmatch(pid) or pid in seen or not title or not names:
                        return None
                    seen.add(pid)
                    category = tidy_category(raw[i_category]) if i_category is not None else "Other"
                    description = raw[i_description].strip() if i_description is not None else ""
                    url = (raw[i_url].strip() or None) if i_url is not None else None
                    group = groups[pid] = _Group((pid, title, category, description, url), names.split("|"))
                    found.append(group)
                if not _ID.fullmatch(sku) or sku in seen:
                    return None
                seen.add(sku)
                values = [raw[i].strip() for i in i_values]
                while values and not values[-1]:
                    values.pop()
                group.variants.append((sku, values, shared_money(minor, currency), stock, image))
                continue
            if any(raw[i].strip() for i in i_values) or (i_options is not None and raw[i_options].strip()):
                return None  # option values on a row without variant_id: the careful way explains
            if not _ID.fullmatch(pid) or pid in seen or not title:
                return None
            seen.add(pid)
            found.append(
                Product(
                    id=pid,
                    title=title,
                    price=shared_money(minor, currency),
                    category=tidy_category(raw[i_category]) if i_category is not None else "Other",
                    stock=stock,
                    description=raw[i_description].strip() if i_description is not None else "",
                    image_url=image,
                    url=(raw[i_url].strip() or None) if i_url is not None else None,
                )
            )
    products: list[Product] = []
    for item in found:
        if isinstance(item, Product):
            products.append(item)
            continue
        options = [name.strip() for name in item.options]
        if not options_plainly_right(
            None, None, options, [v[1] for v in item.variants], MAX_OPTIONS, MAX_OPTION_VALUES
        ):
            return None
        pid, title, category, description, url = item.fields
        base = Product(
            id=pid, title=title, price=item.variants[0][2], category=category, description=description, url=url
        )
        products.append(Product.with_variants(base, options, item.variants))
    return products
