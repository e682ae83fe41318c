"""The products a shop sells, their categories, and search that forgives case and accents.

Titles, descriptions and prices come from ``shop.toml`` (inline, or a CSV/JSON file it names) or a
``load_catalog`` plugin. Stock and price changes made while the shop runs live in storage (the
inventory), not here.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from sys import intern

from chatshop.categories import CategoryTree, tidy_category
from chatshop.config import ProductEntry
from chatshop.money import Money
from chatshop.search import SearchIndex, synonym_table
from chatshop.words import fold, romanize, sizes_and_words, sound

_romanize = romanize  # the names the dialog and older plugins import

__all__ = ["Catalog", "Product", "SearchResults", "fold", "load_catalog_file", "sound"]


@dataclass(frozen=True, slots=True)
class Product:
    """A product of the catalog, or one variant of one (``parent`` set): what is bought.

    A product with ``variants`` (atta in 1 kg and 5 kg) is browsed and searched, and its variants
    are what carts, orders and stock count, each by its own SKU. A variant is a ``Product`` too,
    titled with its values ("Aashirvaad Atta (5 kg)"), so every part of the shop that sells a
    product sells a variant the same way.
    """

    id: str
    title: str
    price: Money  # a product with variants: its lowest variant price ("from ₹62")
    category: str = "Other"
    stock: int | None = None  # the starting stock; None is unlimited
    description: str = ""
    image_url: str | None = None
    url: str | None = None
    options: tuple[str, ...] = ()  # the names of what the customer picks ("Weight", "Colour")
    variants: tuple[Product, ...] = ()
    parent: str | None = None  # a variant: the product it is a variant of
    values: tuple[str, ...] = ()  # a variant: one value per option of its product ("5 kg",)

    @property
    def buyable_as_is(self) -> bool:
        """A product without variants, or a variant: it goes in a cart as it is."""
        return not self.variants

    def option_values(self) -> tuple[tuple[str, str], ...]:
        """A variant's ``(option, value)`` pairs: (("Weight", "5 kg"),)."""
        return tuple(zip(self.options, self.values, strict=False))

    @classmethod
    def with_variants(
        cls,
        product: Product,
        options: Iterable[str],
        variants: Iterable[tuple[str, Iterable[str], Money, int | None, str | None]],
    ) -> Product:
        """``product`` with its variants, each ``(sku, values, price, stock, image_url)``."""
        names = tuple(intern(name.strip()) for name in options)
        # (positional, and the parent's fields read once: a catalog makes hundreds of thousands)
        pid, title, category, description, image, url = (
            product.id,
            product.title,
            product.category,
            product.description,
            product.image_url,
            product.url,
        )
        items = []
        lowest: Money | None = None
        for sku, values, price, stock, image_url in variants:
            stripped = tuple([intern(v.strip()) for v in values])  # "1 kg" once, not once per variant
            items.append(
                Product(
                    sku,
                    f"{title} ({', '.join(stripped)})",
                    price,
                    category,
                    stock,
                    description,
                    image_url or image,
                    url,
                    names,
                    (),
                    pid,
                    stripped,
                )
            )
            if lowest is None or price.minor < lowest.minor:
                lowest = price
        if lowest is None:
            return product
        # (built anew, not with dataclasses.replace)
        return Product(pid, title, lowest, category, None, description, image, url, names, tuple(items))

    @classmethod
    def from_entry(cls, entry: ProductEntry) -> Product:
        product = cls(
            id=entry.id,
            title=entry.title.strip(),
            price=entry.price if entry.price is not None else _no_price(entry),
            category=tidy_category(entry.category),
            stock=entry.stock,
            description=entry.description.strip(),
            image_url=entry.image_url,
            url=entry.url,
        )
        return cls.with_variants(
            product, entry.options, ((v.id, v.values, v.price, v.stock, v.image_url) for v in entry.variants)
        )


def _no_price(entry: ProductEntry) -> Money:
    if not entry.variants:  # variant_problems reports it with its key path first
        raise ValueError(f"product {entry.id!r} has no price")
    return entry.variants[0].price


#: From this many products on, the search index is built in a thread while the shop starts.
BACKGROUND_INDEX_FROM = 20_000


class Catalog:
    """Products in the shop's order, by id and by category, and a search index over them."""

    def __init__(self, products: Iterable[Product]) -> None:
        self._products: dict[str, Product] = {}
        self._items: dict[str, Product] = {}  # what is bought: products without variants, and variants
        known, items = self._products, self._items
        for product in products:  # (each id looked up once per dict: half a million products)
            pid = product.id
            if product.variants:
                for item in product.variants:
                    sku = item.id
                    if sku in items or sku in known:
                        raise ValueError(f"product id {sku!r} appears twice")
                    items[sku] = item
            elif pid not in items and pid not in known:
                items[pid] = known[pid] = product
                continue
            if pid in items or pid in known:
                raise ValueError(f"product id {pid!r} appears twice")
            known[pid] = product
        self._categories: dict[str, list[Product]] = {}
        for product in self._products.values():
            self._categories.setdefault(product.category, []).append(product)
        #: Categories with their subcategories ("Staples > Atta & Flour" is inside "Staples").
        self.tree = CategoryTree((name, len(products)) for name, products in self._categories.items())
        self._ordered = list(self._products.values())
        self._option_values: dict[str, frozenset[str]] | None = None
        self._index: SearchIndex | None = None
        self._indexing: Future[SearchIndex] | None = None
        if len(self._ordered) < BACKGROUND_INDEX_FROM:
            self._index = self._build_index()
        else:  # a big catalog's shop starts (browsing, carts, orders) while its index is built
            self._indexing = Future()
            threading.Thread(target=self._index_in_background, name="catalog-index", daemon=True).start()

    def _build_index(self) -> SearchIndex:
        return SearchIndex((p.title, p.category, _searched_text(p)) for p in self._ordered)

    def _index_in_background(self) -> None:
        assert self._indexing is not None
        try:
            self._indexing.set_result(self._build_index())
        except BaseException as error:  # raised again to the first search
            self._indexing.set_exception(error)

    def search_index(self) -> SearchIndex:
        """The search index; a big catalog's is built in a thread as the shop starts, and the first
        search (in the first seconds after start-up) waits for it."""
        if self._index is None:
            assert self._indexing is not None
            self._index = self._indexing.result()
        return self._index

    async def ready(self) -> None:
        """Wait, without holding the event loop, until the search index is built."""
        if self._index is None and self._indexing is not None and not self._indexing.done():
            await asyncio.wrap_future(self._indexing)

    def __iter__(self) -> Iterator[Product]:
        return iter(self._products.values())

    def __len__(self) -> int:
        return len(self._products)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._items or product_id in self._products

    def get(self, product_id: str) -> Product | None:
        """A product or a variant, by its id (SKU)."""
        return self._items.get(product_id) or self._products.get(product_id)

    def items(self) -> Iterator[Product]:
        """What is bought and stocked: every product without variants, and every variant."""
        return iter(self._items.values())

    def product_of(self, item: Product) -> Product:
        """The product a variant belongs to (a product without variants is its own)."""
        return self._products.get(item.parent, item) if item.parent else item

    def option_values(self, option: str) -> frozenset[str]:
        """The values products have for an option of this name ("Size": s, m, xl), as the typed
        answer to a variant's question reads them: each size as one token, each word by its sound."""
        if self._option_values is None:  # once, on first use: most shops never need it
            found: dict[str, set[str]] = {}
            for product in self._ordered:
                for variant in product.variants:
                    for name, value in zip(variant.options, variant.values, strict=False):
                        sizes, words = sizes_and_words(fold(value))
                        found.setdefault(name.casefold(), set()).update(sizes, map(sound, words))
            self._option_values = {name: frozenset(values) for name, values in found.items()}
        return self._option_values.get(option.casefold(), frozenset())

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
        hits = self.search_index().search(query, _folded(frozenset(filler)), table, limit)
        found = [self._ordered[doc] for doc in hits.documents]
        exact = self._typed_id(query.strip())
        if exact is not None and (not found or found[0] is not exact):  # a SKU typed comes first
            rest = [p for p in found if p is not exact]
            return SearchResults([exact, *rest], total=hits.total + (len(rest) == len(found)))
        return SearchResults(found, total=hits.total)


    def _typed_id(self, typed: str) -> Product | None:
        """The product or variant whose id (SKU) the customer typed, as the shop writes it or all
        in capitals or in small letters ("sku-0042" for SKU-0042): no index of its own, so half a
        million products cost no memory more."""
        if not typed or len(typed) > 200:
            return None
        return self.get(typed) or self.get(typed.upper()) or self.get(typed.lower())


def _searched_text(product: Product) -> str:
    """The description, and the options and values of the variants: "atta 5 kg" finds the atta
    sold in 5 kg, and "tee size M" the tee (its option's name is no reason to find nothing)."""
    if not product.variants:
        return product.description
    named = dict.fromkeys(word for variant in product.variants for word in (*variant.options, *variant.values))
    return f"{product.description} {' '.join(named)}"


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
    """Read products from a ``.csv`` or ``.json`` file (see :mod:`chatshop.catalog_file`)."""
    from chatshop.catalog_file import read_catalog_file  # it builds Products: imported when used

    return read_catalog_file(path, currency, key)
