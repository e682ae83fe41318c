"""Cutting a whole catalog into search terms at once: a few C calls per 16,384 products, not per word.

Tokenizing product by product (fold, find the sizes, find the words, look each up) is a dozen
Python steps per product, and 500,000 products took seconds. Here the titles of a batch are joined
into one text (NUL between them, which no word or size can span), folded and cut by one regular
expression into raw tokens ("Atta", "5 kg", NUL); each distinct raw token is read once (a word, a
size such as "5000g", or the end of a product), and numpy turns the numbered tokens into (term,
document) pairs. The tokens are those :func:`chatshop.words.sizes_and_words` finds, so the query
side and the index still cut text the same way. Chinese, which that function splits into
characters, and text holding a NUL take the product-by-product way, batch by batch.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count, islice

import numpy as np
import numpy.typing as npt

from chatshop.words import SIZE_PATTERN, TOKEN_PATTERN, fold, size_token, sizes_and_words

__all__ = ["Tokens", "tokenize"]

_BATCH = 16384
_END = "\x00"  # between two products' texts
_WORD_MARK, _SIZE_MARK = "\x01", "\x02"  # a word, a size as the product-by-product way found them
_BULK = re.compile(rf"\x00|{TOKEN_PATTERN}")
_SIZE = re.compile(SIZE_PATTERN)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

Ints = npt.NDArray[np.int32]
Flags = npt.NDArray[np.int8]


@dataclass(slots=True)
class Tokens:
    """(term, document) pairs of titles, of the rest (category and description), and of sizes."""

    count: int
    title: tuple[Ints, Ints]
    rest: tuple[Ints, Ints]
    sized: tuple[Ints, Ints]
    terms: dict[str, int]  # term → id, in id order
    sizes: dict[str, int]


class _Side:
    """The raw tokens of one kind of text (titles, or descriptions), numbered, and where products end."""

    def __init__(self, raw_id: defaultdict[str, int]) -> None:
        self.ids = array("i")
        self.raw_id = raw_id

    def add(self, texts: list[str]) -> None:
        joined = _END.join(texts)
        if joined.count(_END) != len(texts) - 1 or not texts:
            self._one_by_one(texts)
            return
        folded = joined.lower() if joined.isascii() else _END.join(map(fold, texts))
        if not folded.isascii() and _CJK.search(folded):
            self._one_by_one(texts)
            return
        self.ids.extend(map(self.raw_id.__getitem__, _BULK.findall(folded)))
        self.ids.append(self.raw_id[_END])

    def _one_by_one(self, texts: list[str]) -> None:
        tokens: list[str] = []
        for text in texts:
            sizes, words = sizes_and_words(fold(text.replace(_END, " ")))
            tokens += [_WORD_MARK + word for word in words]
            tokens += [_SIZE_MARK + size for size in sizes]
            tokens.append(_END)
        self.ids.extend(map(self.raw_id.__getitem__, tokens))

    def pairs(self, start: int, kind: Flags, lookup: Ints) -> tuple[Ints, Ints]:
        """(term or size id, document) of the tokens whose ``kind`` is set; ``lookup`` maps raw ids."""
        ids = np.frombuffer(self.ids, np.int32)
        ends = ids == self.raw_id[_END]
        docs = (np.cumsum(ends, dtype=np.int64) - ends + start).astype(np.int32)
        keep = kind[ids].astype(bool)
        return lookup[ids[keep]], docs[keep]


def tokenize(documents: Iterable[tuple[str, str, str]]) -> Tokens:
    """The terms of ``(title, category, description)`` documents, numbered from 0."""
    raw_id: defaultdict[str, int] = defaultdict(count().__next__)
    titles, rest = _Side(raw_id), _Side(raw_id)
    category_id: defaultdict[str, int] = defaultdict(count().__next__)
    categories = array("i")
    total = 0
    iterator = iter(documents)
    while batch := list(islice(iterator, _BATCH)):
        titles.add([title for title, _, _ in batch])
        rest.add([description for _, _, description in batch])
        categories.extend(map(category_id.__getitem__, [category for _, category, _ in batch]))
        total += len(batch)
    # Each distinct raw token, read once: a word, a size, or the end of a product.
    term_ids: defaultdict[str, int] = defaultdict(count().__next__)
    size_ids: defaultdict[str, int] = defaultdict(count().__next__)
    raws = list(raw_id)
    is_word, is_size = np.zeros(len(raws), np.int8), np.zeros(len(raws), np.int8)
    lookup = np.zeros(len(raws), np.int32)
    for i, raw in enumerate(raws):
        if raw == _END:
            continue
        if raw[0] == _WORD_MARK:
            is_word[i], lookup[i] = 1, term_ids[raw[1:]]
        elif raw[0] == _SIZE_MARK:
            is_size[i], lookup[i] = 1, size_ids[raw[1:]]
        elif raw[0].isdigit() and (found := _SIZE.fullmatch(raw)):
            is_size[i], lookup[i] = 1, size_ids[size_token(found[1], found[2])]
        else:
            is_word[i], lookup[i] = 1, term_ids[raw]
    # A category's words, read once per category, for each of its products.
    words_of = [[term_ids[w] for w in sizes_and_words(fold(name))[1]] for name in category_id]
    lengths = np.array([len(words) for words in words_of] or [0], np.int64)
    flat = np.array([w for words in words_of for w in words] or [0], np.int32)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    of_doc = np.frombuffer(categories, np.int32)
    per_doc = lengths[of_doc]
    category_docs = np.repeat(np.arange(total, dtype=np.int32), per_doc)
    within = np.arange(len(category_docs)) - np.repeat(np.cumsum(per_doc) - per_doc, per_doc)
    category_terms = flat[np.repeat(offsets[of_doc], per_doc) + within].astype(np.int32)
    title_terms, title_docs = titles.pairs(0, is_word, lookup)
    rest_terms, rest_docs = rest.pairs(0, is_word, lookup)
    title_sizes, title_size_docs = titles.pairs(0, is_size, lookup)
    rest_sizes, rest_size_docs = rest.pairs(0, is_size, lookup)
    return Tokens(
        count=total,
        title=(title_terms, title_docs),
        rest=(np.concatenate([category_terms, rest_terms]), np.concatenate([category_docs, rest_docs])),
        sized=(np.concatenate([title_sizes, rest_sizes]), np.concatenate([title_size_docs, rest_size_docs])),
        terms=dict(term_ids),
        sizes=dict(size_ids),
    )
