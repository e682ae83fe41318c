"""A catalog file: a CSV with a header row, or JSON; products with their variants.

JSON has the shape of ``[[catalog.products]]`` in ``shop.toml`` (a list, or ``{"products": [...]}``,
each product with ``options`` and ``variants`` where it has them). A CSV has one row per product,
or one row per variant:

    id,title,category,options,variant_id,option1,option2,price,stock,image_url
    atta,Aashirvaad Atta,Staples,Weight,atta-1kg,1 kg,,62.00,10,
    atta,,,,atta-5kg,5 kg,,245.00,4,
    tee,Cotton T-Shirt,Clothes,Size|Colour,tee-m-red,M,Red,499.00,,https://…

Rows with a ``variant_id`` are variants of the product ``id``: the product's first row gives its
title, category, description, url and ``options`` (names separated by ``|``, at most three), and
each row its variant's SKU, values (``option1``..``option3``), price, stock and image. Every problem
names where it is: ``catalog.csv line 4.price`` (the line a spreadsheet shows, right even when a
quoted field spans lines) or ``catalog.json[3].variants[1].price``, and all are reported at once,
so a shop owner fixes the file in one go; nothing of a file with a problem is used.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from chatshop.catalog import Product
from chatshop.catalog_csv import quick_csv_products
from chatshop.catalog_quick import quick_product
from chatshop.config import ConfigError, ConfigProblem, ProductEntry, not_utf8, problems_from, variant_problems

__all__ = ["VARIANT_COLUMNS", "RawEntry", "read_catalog_file", "validated"]

#: The CSV columns of a variant row, beyond a product's.
VARIANT_COLUMNS = ("options", "variant_id", "option1", "option2", "option3")
_VARIANT_KEYS = ("price", "stock", "image_url")


def read_catalog_file(path: Path, currency: str, key: str = "catalog.file") -> list[Product]:
    """The products of a ``.csv`` or ``.json`` file; :class:`ConfigError` naming every problem."""
    try:
        if path.suffix.lower() == ".csv" and (quick := quick_csv_products(path, currency)) is not None:
            return quick
        entries = _entries(path, key)
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(path=key, message=f"no such file: {path}")]) from None
    except OSError as e:  # a folder, no permission
        raise ConfigError([ConfigProblem(path=key, message=f"cannot read {path}: {e.strerror or e}")]) from None
    except UnicodeDecodeError:  # Excel's plain "CSV" is the Windows code page: say where, in lines
        raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        try:
            raw.decode("utf-8")
            message = f"{path.name}: cannot read: not UTF-8"
        except UnicodeDecodeError as e:
            message = f"{path.name}: {not_utf8(raw, e.start)}"
        raise ConfigError([ConfigProblem(path=key, message=message)]) from None
    except (json.JSONDecodeError, KeyError, TypeError, csv.Error) as e:
        raise ConfigError([ConfigProblem(path=key, message=f"{path.name}: cannot read: {e}")]) from None
    except RecursionError:
        message = f"{path.name}: cannot read: nested deeper than a catalog is"
        raise ConfigError([ConfigProblem(path=key, message=message)]) from None
    return validated(entries, currency)


@dataclass(slots=True)
class RawEntry:
    """One product's raw fields (the shape of ``[[catalog.products]]``), and how to say where a key
    of it is in the file: its line, and for a file with its own column names (a Shopify export),
    the column."""

    where: str
    fields: dict[str, Any] | None  # None: a CSV row with more fields than its header
    variant_lines: list[str] = field(default_factory=list)  # a CSV: the line of each variant's row
    early: list[ConfigProblem] = field(default_factory=list)  # found while reading the rows
    #: Our key → the file's column: "price" → "Variant Price", "variants.id" → "Variant SKU".
    columns: Mapping[str, str] = field(default_factory=dict)
    option_column: str = "option{n}"  # the column of a variant's n-th value
    variant_columns: list[Mapping[str, str]] = field(default_factory=list)  # per variant, over ``columns``

    def place(self, path: str) -> str:
        """``variants[2].values[1]`` as ``catalog.csv line 7.option2``; ``price`` as ``… line 3.price``."""
        found = re.match(r"variants\[(\d+)\](?:\.(\w+)(?:\[(\d+)\])?)?", path)
        if found is not None and self.variant_lines:
            line = self.variant_lines[int(found[1])]
            key, index = found[2], found[3]
            if key == "values":
                variant = (self.fields or {})["variants"][int(found[1])]
                given = len(variant.get("values", ()))
                n = int(index) + 1 if index is not None else min(given + 1, 3)
                return f"{line}.{self.option_column.format(n=n)}"
            if not key:
                return line
            own = self.variant_columns[int(found[1])] if int(found[1]) < len(self.variant_columns) else {}
            column = own.get(key) or self.columns.get(f"variants.{key}", "variant_id" if key == "id" else key)
            return f"{line}.{column}"
        if not self.columns and not self.variant_lines:
            return f"{self.where}.{path}" if path else self.where
        key = path.split(".")[0].split("[")[0]
        return f"{self.where}.{self.columns.get(key, key)}" if key else self.where


def validated(entries: Iterable[RawEntry], currency: str) -> list[Product]:
    """Products from raw entries, or :class:`ConfigError` with every problem (and no product).

    An entry that is plainly right takes the quick way (:mod:`chatshop.catalog_quick`); any other
    the model's, which names each problem where it is in the file.
    """
    adapter = TypeAdapter(ProductEntry)
    problems: list[ConfigProblem] = []
    products: list[Product] = []
    seen: dict[str, tuple[RawEntry, int]] = {}  # a SKU → where it is: its entry, and 0 or 1 + its variant
    for entry in entries:
        if entry.fields is None:
            problems.append(ConfigProblem(path=entry.where, message="more fields than the header row names"))
            continue
        problems.extend(entry.early)
        if entry.early and not entry.fields:  # nothing of a product to check beyond what was said
            continue
        quick = None if entry.early else quick_product(entry.fields, currency)
        found: list[ConfigProblem] = []
        if quick is not None:
            entry.fields = {}  # read: its memory goes back before the next is read (500,000 of them)
            if quick.id not in seen:  # the common case, without the list of SKUs
                seen[quick.id] = entry, 0
                for i, variant in enumerate(quick.variants, 1):
                    if variant.id in seen:
                        break
                    seen[variant.id] = entry, i
                else:
                    products.append(quick)
                    continue
                for variant in quick.variants[: i - 1]:
                    del seen[variant.id]  # taken back: the loop below names the SKU seen twice
                del seen[quick.id]
            skus = [quick.id, *(v.id for v in quick.variants)]
        else:
            try:
                checked = adapter.validate_python(entry.fields, context={"currency": currency})
            except ValidationError as e:
                problems.extend(
                    ConfigProblem(path=entry.place(p.path), message=p.message)
                    for p in problems_from(e, model=ProductEntry)
                )
                continue
            found = [
                ConfigProblem(path=entry.place(p.path.lstrip(".")), message=p.message)
                for p in variant_problems(checked, "")
            ]
            skus = [checked.id, *(v.id for v in checked.variants)]
            if not found and not entry.early:
                quick = Product.from_entry(checked)
        for i, sku in enumerate(skus):
            if sku in seen:
                first, at = seen[sku]
                where = _place_of(first, at).rsplit(".", 1)[0]
                found.append(ConfigProblem(path=_place_of(entry, i), message=f"{sku!r} is already at {where}"))
            else:
                seen[sku] = entry, i
        if found or entry.early or quick is None:
            problems.extend(found)
            continue
        products.append(quick)
    if problems:
        raise ConfigError(problems)
    return products


def _place_of(entry: RawEntry, at: int) -> str:
    """Where the SKU of a product (``at`` 0) or of its variant ``at - 1`` is in the file."""
    return entry.place("id" if at == 0 else f"variants[{at - 1}].id")


def _entries(path: Path, key: str) -> Iterable[RawEntry]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_entries(path)
    if suffix == ".json":
        # Exact decimals, NaN and Infinity too (refused as amounts by the price's own check);
        # utf-8-sig: a byte order mark (Windows tools write one) is not part of the JSON.
        data = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal, parse_constant=Decimal)
        items = data.get("products") if isinstance(data, Mapping) else data
        if not isinstance(items, list):
            raise TypeError('expected a list of products, or {"products": [...]}')
        return _json_entries(items, path.name)
    raise ConfigError([ConfigProblem(path=key, message=f"{path.name}: expected .csv or .json")])


def _json_entries(items: list[Any], name: str) -> Iterator[RawEntry]:
    """Each product of a JSON file, let go of by the list as it is read: what a product is made of
    is freed as soon as it is made (a 500,000-product file's tree is most of its memory)."""
    for index in range(len(items)):
        item, items[index] = items[index], None
        where = f"{name}[{index}]"
        if isinstance(item, dict):
            yield RawEntry(where, item)
        else:
            shown = "null" if item is None else f"{type(item).__name__} {str(item)[:20]!r}"
            message = f"expected a product: an object with id, title and price, got {shown}"
            yield RawEntry(where, {}, early=[ConfigProblem(path=where, message=message)])


def _csv_entries(path: Path) -> list[RawEntry]:
    """Rows as products; the rows of one product's variants (same ``id``) gathered into it."""
    entries: list[RawEntry] = []
    grouped: dict[str, RawEntry] = {}
    for where, row in _csv_rows(path):
        if row is None or "variant_id" not in row:
            entries.append(_product_row(where, row))
            continue
        product_id = str(row.get("id", ""))
        entry = grouped.get(product_id)
        if entry is None:
            fields = {k: v for k, v in row.items() if k not in (*VARIANT_COLUMNS, *_VARIANT_KEYS)}
            if "options" in row:
                fields["options"] = [name.strip() for name in str(row["options"]).split("|")]
            fields["variants"] = []
            entry = grouped[product_id] = RawEntry(where, fields, [])
            entries.append(entry)
        numbered = [str(row.get(f"option{n}", "")) for n in (1, 2, 3)]
        while numbered and not numbered[-1]:
            numbered.pop()
        variant = {"id": row["variant_id"], "values": numbered}
        variant.update({k: row[k] for k in _VARIANT_KEYS if k in row})
        assert entry.fields is not None
        entry.fields["variants"].append(variant)
        entry.variant_lines.append(where)
    return entries


def _product_row(where: str, row: dict[str, Any] | None) -> RawEntry:
    """A row without ``variant_id``: a product as it is (an option value on it is a mistake)."""
    if row is None:
        return RawEntry(where, None)
    stray = [f"option{n}" for n in (1, 2, 3) if row.pop(f"option{n}", None) is not None]
    if "options" in row:
        row["options"] = [name.strip() for name in str(row["options"]).split("|")]
    message = "a value of an option belongs to a variant: give the row its variant_id"
    return RawEntry(where, row, early=[ConfigProblem(path=f"{where}.{column}", message=message) for column in stray])


def _csv_rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | None]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []  # reads the header row
        if len(header) == 1 and header[0].count(";") >= 2:  # Excel in German, French, Spanish...
            message = "the columns are separated by ';', not ','; save it as 'CSV UTF-8 (comma delimited)'"
            raise ConfigError([ConfigProblem(path=f"{path.name} line 1", message=message)])
        last = reader.line_num
        for row in reader:
            # where the row starts (a quoted field may run over several lines)
            where, last = f"{path.name} line {last + 1}", reader.line_num
            if None in row:  # DictReader keeps extra fields under the key None
                yield where, None
                continue
            yield where, {k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip()}
