"""The products a shop sells, their categories, and search that forgives case and accents.

Titles, descriptions and prices come from ``shop.toml`` (inline, or a CSV/JSON file it names) or a
``load_catalog`` plugin. Stock and price changes made while the shop runs live in storage (the
inventory), not here.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from chatshop.catalog_csv import quick_csv_products
from chatshop.categories import CategoryTree, tidy_category
from chatshop.config import ConfigError, ConfigProblem, ProductEntry, problems_from
from chatshop.money import Money
from chatshop.search import SearchIndex, synonym_table
from chatshop.words import fold, romanize, sound

_romanize = romanize  # the names the dialog and older plugins import

__all__ = ["Catalog", "Product", "SearchResults", "fold", "load_catalog_file", "sound"]


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    title: str
    price: Money
    category: str = "Other"
    stock: int | None = None  # the starting stock; None is unlimited
    description: str = ""
    image_url: str | None = None
    url: str | None = None

    @classmethod
    def from_entry(cls, entry: ProductEntry) -> Product:
        return cls(
            id=entry.id,
            title=entry.title.strip(),
            price=entry.price,
            category=tidy_category(entry.category),
            stock=entry.stock,
            description=entry.description.strip(),
            image_url=entry.image_url,
            url=entry.url,
        )


class Catalog:
    """Products in the shop's order, by id and by category, and a search index over them."""

    def __init__(self, products: Iterable[Product]) -> None:
        self._products: dict[str, Product] = {}
        for product in products:
            if product.id in self._products:
                raise ValueError(f"product id {product.id!r} appears twice")
            self._products[product.id] = product
        self._categories: dict[str, list[Product]] = {}
        for product in self._products.values():
            self._categories.setdefault(product.category, []).append(product)
        #: Categories with their subcategories ("Staples > Atta & Flour" is inside "Staples").
        self.tree = CategoryTree((name, len(products)) for name, products in self._categories.items())
        self._ordered = list(self._products.values())
        self._index = SearchIndex((p.title, p.category, p.description) for p in self._ordered)

    def __iter__(self) -> Iterator[Product]:
        return iter(self._products.values())

    def __len__(self) -> int:
        return len(self._products)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._products

    def get(self, product_id: str) -> Product | None:
        return self._products.get(product_id)

    @property
    def categories(self) -> list[str]:
        return list(self._categories)

    def in_category(self, category: str) -> list[Product]:
        """The products of ``category`` itself (not of its subcategories)."""
        return list(self._categories.get(category, ()))

    def search(
        self,
        query: str,
        filler: Collection[str] = (),
        *,
        synonyms: Mapping[str, Sequence[str]] | None = None,
        limit: int = 1000,
    ) -> SearchResults:
        """Products for ``query``, the best match first (see :meth:`SearchIndex.search`).

        Every word naming something in the catalog must be there (spelt as it sounds, with a typo
        or two, in the plural, or as one of ``synonyms``: the shop's ``search_synonyms``), unless no
        product has them all; ``filler`` words ("please", "bhejo") are not looked for. At most
        ``limit`` products are returned; ``total`` says how many matched.
        """
        table = _synonym_table(tuple((w, tuple(m)) for w, m in (synonyms or {}).items()))
        hits = self._index.search(query, _folded(frozenset(filler)), table, limit)
        found = [self._ordered[doc] for doc in hits.documents]
        exact = self._products.get(query.strip())
        if exact is not None and (not found or found[0] is not exact):  # a SKU as the shop writes it comes first
            rest = [p for p in found if p is not exact]
            return SearchResults([exact, *rest], total=hits.total + (len(rest) == len(found)))
        return SearchResults(found, total=hits.total)


@lru_cache(maxsize=64)
def _synonym_table(synonyms: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[str]]:
    return synonym_table(dict(synonyms))  # the same few tables (one per language) again and again


@lru_cache(maxsize=64)
def _folded(filler: frozenset[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in filler)


class SearchResults(list[Product]):
    """Products found, best first, and how many matched in all (the list may hold fewer)."""

    def __init__(self, products: Iterable[Product] = (), *, total: int | None = None) -> None:
        super().__init__(products)
        self.total = len(self) if total is None else total


def load_catalog_file(path: Path, currency: str, key: str = "catalog.file") -> list[Product]:
    """Read products from a ``.csv`` (header row) or ``.json`` (a list, or ``{"products": [...]}``).

    Every problem names where it is: ``catalog.csv line 4.price`` (the line a spreadsheet shows,
    right even when a quoted field spans lines) or ``catalog.json[3].price``, and all are reported
    at once, so a shop owner fixes the file in one go.
    """
    try:
        if path.suffix.lower() == ".csv" and (quick := quick_csv_products(path, currency)) is not None:
            return quick
        rows = _rows(path, key)
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(path=key, message=f"no such file: {path}")]) from None
    except OSError as e:  # a folder, no permission
        raise ConfigError([ConfigProblem(path=key, message=f"cannot read {path}: {e.strerror or e}")]) from None
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError, csv.Error) as e:
        raise ConfigError([ConfigProblem(path=key, message=f"{path.name}: cannot read: {e}")]) from None
    adapter = TypeAdapter(ProductEntry)
    problems: list[ConfigProblem] = []
    products: list[Product] = []
    seen: dict[str, str] = {}
    for where, row in rows:
        if row is None:
            problems.append(ConfigProblem(path=where, message="more fields than the header row names"))
            continue
        try:
            entry = adapter.validate_python(row, context={"currency": currency})
        except ValidationError as e:
            problems.extend(problems_from(e, prefix=where))
            continue
        if entry.id in seen:
            problems.append(ConfigProblem(path=f"{where}.id", message=f"{entry.id!r} is already at {seen[entry.id]}"))
            continue
        seen[entry.id] = where
        products.append(Product.from_entry(entry))
    if problems:
        raise ConfigError(problems)
    return products


def _rows(path: Path, key: str) -> list[tuple[str, Any]]:
    """Each product's raw fields with where it is in the file; None for a CSV row too long for its header."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return list(_csv_rows(path))
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        items = data["products"] if isinstance(data, Mapping) else data
        if not isinstance(items, list):
            raise TypeError('expected a list of products, or {"products": [...]}')
        return [(f"{path.name}[{index}]", item) for index, item in enumerate(items)]
    raise ConfigError([ConfigProblem(path=key, message=f"{path.name}: expected .csv or .json")])


def _csv_rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | None]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        _ = reader.fieldnames  # reads the header row
        last = reader.line_num
        for row in reader:
            # where the row starts (a quoted field may run over several lines)
            where, last = f"{path.name} line {last + 1}", reader.line_num
            if None in row:  # DictReader keeps extra fields under the key None
                yield where, None
                continue
            yield where, {k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip()}
