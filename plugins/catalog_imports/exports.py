"""Product CSV exports of Shopify and WooCommerce, turned into the shape of ``[[catalog.products]]``.

Shopify (Products → Export): one row per variant, the rows of a product sharing its ``Handle``;
the first row has ``Title``, ``Body (HTML)``, ``Type`` or ``Product Category`` and ``OptionN
Name``; each row its ``OptionN Value``, ``Variant SKU``, ``Variant Price``, ``Variant Inventory
Qty`` and ``Variant Image``. A product whose only option is ``Title: Default Title`` has no
variants. Rows of a handle with no price and no option value (extra pictures) are skipped, as are
products whose ``Status`` is ``draft`` or ``archived``.

WooCommerce (Products → Export): ``Type`` ``simple``, ``variable`` (the parent: ``Attribute N
name``) or ``variation`` (``Parent`` is ``id:123`` or the parent's SKU; ``Attribute N value(s)``
its values), with ``SKU``, ``Name``, ``Description`` (or ``Short description``), ``Regular price``,
``Sale price`` (wins when set), ``Stock``, ``In stock?``, ``Categories`` ("Food > Atta, Offers":
the first) and ``Images`` (the first). Products not published (``Published`` 0 or -1) are skipped.

Prices stay exact (they are read as written, never as floats), descriptions become plain text,
columns not named here are ignored, and a broken row is reported with its line and column.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chatshop.catalog_file import RawEntry
from chatshop.config import ConfigProblem
from chatshop.plugins.catalog_imports.html_text import html_to_text

__all__ = ["SHOPIFY_COLUMNS", "is_shopify", "is_woocommerce", "shopify_entries", "woocommerce_entries"]

SHOPIFY_COLUMNS = {
    "id": "Handle",
    "title": "Title",
    "description": "Body (HTML)",
    "category": "Type",
    "options": "Option1 Name",
    "price": "Variant Price",
    "stock": "Variant Inventory Qty",
    "image_url": "Image Src",
    "variants.id": "Variant SKU",
    "variants.price": "Variant Price",
    "variants.stock": "Variant Inventory Qty",
    "variants.image_url": "Variant Image",
}
WOO_COLUMNS = {
    "id": "SKU",
    "title": "Name",
    "description": "Description",
    "category": "Categories",
    "options": "Attribute 1 name",
    "price": "Regular price",
    "stock": "Stock",
    "image_url": "Images",
    "variants.id": "SKU",
    "variants.price": "Regular price",
    "variants.stock": "Stock",
    "variants.image_url": "Images",
}


def _rows(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Each row by column name, stripped (a short row's missing fields empty), and the line it starts on."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        named = [(i, name.strip()) for i, name in enumerate(next(reader, [])) if name.strip()]
        last = reader.line_num
        for raw in reader:
            if not raw:
                continue  # a blank line
            where, last = f"{path.name} line {last + 1}", reader.line_num
            width = len(raw)
            yield where, {name: raw[i].strip() if i < width else "" for i, name in named}


def _header(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return {name.strip() for name in next(csv.reader(f), [])}


def is_shopify(path: Path) -> bool:
    return {"Handle", "Variant Price"} <= _header(path)


def is_woocommerce(path: Path) -> bool:
    return {"Type", "Name", "Regular price"} <= _header(path)


def _stock(text: str) -> int | str | None:
    """Shopify counts an oversold product below zero; for the chat it is sold out."""
    if not text:
        return None
    return 0 if re.fullmatch(r"-\d+", text) else text


def shopify_entries(path: Path) -> list[RawEntry]:
    entries: list[RawEntry] = []
    by_handle: dict[str, RawEntry] = {}
    for where, row in _rows(path):
        handle = row.get("Handle", "")
        values = [row.get(f"Option{n} Value", "") for n in (1, 2, 3)]
        while values and not values[-1]:
            values.pop()
        entry = by_handle.get(handle)
        if entry is None:
            if row.get("Status", "").lower() in ("draft", "archived"):
                by_handle[handle] = RawEntry(where, None)  # a placeholder: its rows are skipped
                continue
            names = [row.get(f"Option{n} Name", "") for n in (1, 2, 3)]
            names = [name for name in names if name]
            fields: dict[str, Any] = {
                "id": handle,
                "title": row.get("Title", ""),
                "description": html_to_text(row.get("Body (HTML)", "")),
                "category": row.get("Product Category") or row.get("Type") or "Other",
            }
            if row.get("Image Src"):
                fields["image_url"] = row["Image Src"]
            entry = RawEntry(where, fields, columns=SHOPIFY_COLUMNS, option_column="Option{n} Value")
            by_handle[handle] = entry
            entries.append(entry)
            if names in ([], ["Title"]) and values in ([], ["Default Title"]):
                if row.get("Variant SKU"):
                    fields["id"] = row["Variant SKU"]
                _put(fields, "price", row.get("Variant Price"))
                _put(fields, "stock", _stock(row.get("Variant Inventory Qty", "")))
                continue
            fields["options"], fields["variants"] = names, []
        elif entry.fields is None or "variants" not in entry.fields:
            continue  # a skipped product's rows, or extra pictures of a product without variants
        if not values and not row.get("Variant Price"):
            continue  # a row with only another picture
        variant: dict[str, Any] = {"id": row.get("Variant SKU") or f"{handle}-{len(entry.variant_lines) + 1}"}
        variant["values"] = values
        _put(variant, "price", row.get("Variant Price"))
        _put(variant, "stock", _stock(row.get("Variant Inventory Qty", "")))
        _put(variant, "image_url", row.get("Variant Image"))
        assert entry.fields is not None
        entry.fields["variants"].append(variant)
        entry.variant_lines.append(where)
    return [entry for entry in entries if entry.fields is not None]


def woocommerce_entries(path: Path) -> list[RawEntry]:
    entries: list[RawEntry] = []
    parents: dict[str, RawEntry] = {}  # by "id:123" and by SKU
    # A variation's parent may come later in the file: each is kept until the end, as the little
    # it needs (not its row of forty columns: an export may hold hundreds of thousands).
    variations: list[tuple[str, str, dict[str, str], dict[str, Any], bool]] = []
    for where, row in _rows(path):
        kind = row.get("Type", "").lower()
        if row.get("Published", "1") in ("0", "-1"):
            continue
        if "variation" in kind.split(","):
            found = {row.get(f"Attribute {n} name", ""): row.get(f"Attribute {n} value(s)", "") for n in (1, 2, 3)}
            variant: dict[str, Any] = {"id": row.get("SKU") or f"woo-{row.get('ID', '')}"}
            _put(variant, "price", row.get("Sale price") or row.get("Regular price"))
            _put(variant, "stock", _woo_stock(row))
            _put(variant, "image_url", row.get("Images", "").split(",")[0].strip())
            variations.append((where, row.get("Parent", ""), found, variant, bool(row.get("Sale price"))))
            continue
        fields: dict[str, Any] = {
            "id": row.get("SKU") or f"woo-{row.get('ID', '')}",
            "title": row.get("Name", ""),
            "description": html_to_text(row.get("Description") or row.get("Short description", "")),
            "category": (row.get("Categories", "").split(",")[0].strip() or "Other"),
        }
        _put(fields, "image_url", row.get("Images", "").split(",")[0].strip())
        columns = {**WOO_COLUMNS, "price": "Sale price"} if row.get("Sale price") else WOO_COLUMNS
        entry = RawEntry(where, fields, columns=columns, option_column="Attribute {n} value(s)")
        if "variable" in kind.split(","):
            fields["options"] = [row[f"Attribute {n} name"] for n in (1, 2, 3) if row.get(f"Attribute {n} name")]
            fields["variants"] = []
        else:
            _put(fields, "price", row.get("Sale price") or row.get("Regular price"))
            _put(fields, "stock", _woo_stock(row))
        entries.append(entry)
        if row.get("ID"):
            parents[f"id:{row['ID']}"] = entry
        if row.get("SKU"):
            parents[row["SKU"]] = entry
    for where, parent_key, found, variant, on_sale in variations:
        parent = parents.get(parent_key)
        if parent is None or parent.fields is None or "variants" not in parent.fields:
            message = f"no variable product {parent_key!r} in the file for this variation"
            entries.append(RawEntry(where, {}, early=[_problem(f"{where}.Parent", message)]))
            continue
        variant = {"id": variant["id"], "values": [found.get(name, "") for name in parent.fields["options"]]} | {
            key: value for key, value in variant.items() if key != "id"
        }
        parent.fields["variants"].append(variant)
        parent.variant_lines.append(where)
        parent.variant_columns.append({"price": "Sale price"} if on_sale else {})
    return entries


def _woo_stock(row: dict[str, str]) -> int | str | None:
    if row.get("In stock?", "1") == "0":
        return 0
    return _stock(row.get("Stock", ""))


def _put(fields: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, ""):
        fields[key] = value


def _problem(path: str, message: str) -> ConfigProblem:
    return ConfigProblem(path=path, message=message)
