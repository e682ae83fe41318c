"""Categories with subcategories: "Staples > Atta & Flour" is Atta & Flour inside Staples.

A shop of 500,000 products cannot list one category of 50,000; a path lets a customer step down
(Staples, then Atta & Flour) to a page of a few dozen. A category is named by its whole path, as
the shop wrote it (spaces around ``>`` tidied); every path's parents exist as categories too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["SEPARATOR", "CategoryTree", "tidy_category"]

SEPARATOR = " > "
_SEPARATOR = re.compile(r"\s+>\s*|\s*>\s+")


@lru_cache(maxsize=4096)  # a catalog names its few hundred categories again and again
def tidy_category(raw: str, default: str = "Other") -> str:
    """``"Staples >Atta & Flour "`` as ``"Staples > Atta & Flour"``; empty parts dropped.

    A ``>`` with a space on neither side is part of a name, not a separator: ``"Tea <b>"`` is one
    category (and shows as text, like every name)."""
    parts = [part.strip() for part in _SEPARATOR.split(raw)]
    return SEPARATOR.join(part for part in parts if part) or default


def parent_of(category: str) -> str | None:
    head, separator, _ = category.rpartition(SEPARATOR)
    return head if separator else None


def name_of(category: str) -> str:
    """The last part of a path: what a menu row shows ("Atta & Flour")."""
    return category.rpartition(SEPARATOR)[2]


class CategoryTree:
    """Every category (and each one's parents) in the order the catalog first names them."""

    def __init__(self, categories: Iterable[tuple[str, int]]) -> None:
        """``categories``: each distinct category of the catalog and how many products it has."""
        self._children: dict[str | None, list[str]] = {None: []}
        self._own: dict[str, int] = {}
        self._under: dict[str, int] = {}
        for category, count in categories:
            self._own[category] = self._own.get(category, 0) + count
            chain: list[str] = []
            node: str | None = category
            while node is not None:
                chain.append(node)
                node = parent_of(node)
            for node in reversed(chain):  # parents before children
                if node not in self._under:
                    self._under[node] = 0
                    self._children[node] = []
                    self._children[parent_of(node)].append(node)
                self._under[node] += count
        self.paths: list[str] = list(self._under)  # parents first: a node's index is stable per catalog
        self._index = {path: i for i, path in enumerate(self.paths)}

    def children(self, category: str | None = None) -> list[str]:
        """The subcategories of ``category``; the top level for None."""
        return list(self._children.get(category, ()))

    def count_under(self, category: str) -> int:
        """Products in ``category`` and all its subcategories."""
        return self._under.get(category, 0)

    def own_count(self, category: str) -> int:
        return self._own.get(category, 0)

    def index(self, category: str) -> int:
        return self._index[category]

    def __contains__(self, category: object) -> bool:
        return category in self._index
