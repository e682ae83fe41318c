"""The products a shop sells, their categories, and search that forgives case and accents.

Titles, descriptions and prices come from ``shop.toml`` (inline, or a CSV/JSON file it names) or a
``load_catalog`` plugin. Stock and price changes made while the shop runs live in storage (the
inventory), not here.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from chatshop.config import ConfigError, ConfigProblem, ProductEntry, problems_from
from chatshop.money import Money

__all__ = ["Catalog", "Product", "fold", "load_catalog_file"]


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
            category=entry.category.strip() or "Other",
            stock=entry.stock,
            description=entry.description.strip(),
            image_url=entry.image_url,
            url=entry.url,
        )


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Café" and "cafe" and "CAFÉ" meet."""
    if text.isascii():
        return text.lower()  # the same for ASCII, and most of what customers type and menus say
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Catalog:
    """Products in the shop's order, by id and by category."""

    def __init__(self, products: Iterable[Product]) -> None:
        self._products: dict[str, Product] = {}
        for product in products:
            if product.id in self._products:
                raise ValueError(f"product id {product.id!r} appears twice")
            self._products[product.id] = product
        self._categories: dict[str, list[Product]] = {}
        for product in self._products.values():
            self._categories.setdefault(product.category, []).append(product)
        self._folded = {p.id: fold(f"{p.title} {p.category} {p.description} {p.id}") for p in self}
        self._folded_titles = {p.id: fold(p.title) for p in self}
        # Every word of the catalog and the products it is in, for a search with a typo in it.
        self._words: dict[str, set[str]] = {}
        self._sounds: dict[str, set[str]] = {}  # the same words as they sound (see ``sound``)
        for product_id, text in self._folded.items():
            for word in _WORD.findall(text):
                self._words.setdefault(word, set()).add(product_id)
                self._sounds.setdefault(sound(word), set()).add(product_id)

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
        return list(self._categories.get(category, ()))

    def search(self, query: str, filler: Collection[str] = ()) -> list[Product]:
        """Products whose text contains every word of ``query``, title matches first.

        When nothing contains them all, a word may be misspelt by a letter or two ("aata",
        "basmathi", "paneers"), Chinese is matched character by character (it has no spaces), and
        then products matching most of the words ("I want basmati rice please") are shown, so a
        customer is rarely told "nothing". ``filler`` words ("please", "bitte", "चाहिए") are not
        looked for; of the rest, the last word of letters is the thing asked for ("red shoes"): a
        product matching only the words before it is not shown (no onions for "red shoes").
        """
        words = fold(query).split()
        if not words:
            return []
        hits = [p for p in self if all(w in self._folded[p.id] for w in words)]
        if not hits:
            hits = self._forgiving(words, {fold(w) for w in filler})
        titles = self._folded_titles
        return sorted(hits, key=lambda p: 0 if all(w in titles[p.id] for w in words) else 1)

    def _forgiving(self, words: list[str], filler: Collection[str] = ()) -> list[Product]:
        parts = [c for w in words for c in (_CJK.findall(w) or [w])]
        parts = [w for w in parts if len(w) > 2 or _CJK.match(w)] or parts  # "a", "of", "5" say little
        parts = [w for w in parts if w not in filler] or parts
        matches = [self._near(w) for w in parts]
        counts: dict[str, int] = {}
        for found in matches:
            for product_id in found:
                counts[product_id] = counts.get(product_id, 0) + 1
        best = max(counts.values(), default=0)
        meaningful = sum(1 for found in matches if found)  # "please", 我要: no product has them
        if best == 0 or best * 2 < meaningful:
            return []
        # The thing asked for: the last word of letters ("red shoes", "milk 1l"); Chinese is matched
        # by character, so it has none.
        nouns = [found for part, found in zip(parts, matches, strict=True) if _is_word(part)]
        main = nouns[-1] if nouns else None
        return [p for p in self if counts.get(p.id) == best and (main is None or p.id in main)]

    def _near(self, word: str) -> set[str]:
        """Products with ``word`` in them, a word at most a typo or two away from it, or one that
        sounds the same (पनीर, panir and paneer; doodh and dudh)."""
        found = {pid for pid, text in self._folded.items() if word in text}
        if _CJK.match(word):
            return found
        heard = sound(word)
        found |= self._sounds.get(heard, set())
        if len(heard) >= 5:
            allowed = 1 if len(heard) < 8 else 2
            for candidate, products in self._sounds.items():
                if abs(len(candidate) - len(heard)) <= allowed and _distance(heard, candidate, allowed) <= allowed:
                    found |= products
        if len(word) < 4 or not word.isascii():
            return found
        allowed = 1 if len(word) < 7 else 2
        for candidate, products in self._words.items():
            if abs(len(candidate) - len(word)) <= allowed and _distance(word, candidate, allowed) <= allowed:
                found |= products
        return found


_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


_VOWELS = dict(zip("अआइईउऊऋएऐओऔ", ["a", "a", "i", "i", "u", "u", "ri", "e", "ai", "o", "au"], strict=True))
_SIGNS = dict(zip("ािीुूृेैोौॅॉ्", ["a", "i", "i", "u", "u", "ri", "e", "ai", "o", "au", "e", "o", ""], strict=True))
_MARKS = {"ं": "n", "ँ": "n", "ः": "h"}  # ् above is the virama: no vowel after the consonant
_LATIN = "k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l v sh sh s h"
_CONSONANTS = dict(zip("कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह", _LATIN.split(" "), strict=True))
#: Spellings of one sound in Hinglish, longest first: paneer/panir, doodh/dudh, chawal/chaval.
_SPELLINGS = (("ee", "i"), ("oo", "u"), ("aa", "a"), ("ph", "f"), ("w", "v"), ("q", "k"), ("z", "j"))


def _is_word(part: str) -> bool:
    """Letters only (vowel signs of Indian scripts count), and not Chinese: a word that can name a product."""
    return not _CJK.match(part) and all(c.isalpha() or unicodedata.category(c).startswith("M") for c in part)


def _romanize(word: str) -> str:
    """Devanagari in Latin letters, as Hindi speakers write it (दाल → dal, पनीर → panir); the
    last consonant's inherent "a" is not spoken (schwa deletion), so it is left out."""
    out: list[str] = []
    pending = False  # a consonant waits for its vowel sign, else takes the inherent "a"
    for char in word:
        if char in _SIGNS:
            out.append(_SIGNS[char])
            pending = False
            continue
        if char == "़":  # nukta: ज़ is near enough to ज
            continue
        if pending:
            out.append("a")
        pending = char in _CONSONANTS
        out.append(_CONSONANTS.get(char) or _VOWELS.get(char) or _MARKS.get(char) or char)
    return "".join(out)


def sound(word: str) -> str:
    """How a word sounds, roughly: Devanagari romanized, one spelling per sound, no double letters."""
    word = _romanize(word) if any("\u0900" <= c <= "\u097f" for c in word) else word
    for spelling, same in _SPELLINGS:
        word = word.replace(spelling, same)
    return re.sub(r"(.)\1+", r"\1", word)


def _distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, change, swap two letters) from ``a`` to ``b``; stops past ``limit``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def load_catalog_file(path: Path, currency: str, key: str = "catalog.file") -> list[Product]:
    """Read products from a ``.csv`` (header row) or ``.json`` (a list, or ``{"products": [...]}``).

    Every problem names where it is: ``catalog.csv line 4.price`` (the line a spreadsheet shows,
    right even when a quoted field spans lines) or ``catalog.json[3].price``, and all are reported
    at once, so a shop owner fixes the file in one go.
    """
    try:
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
