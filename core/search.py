"""Search that ranks and forgives: an inverted index built once per catalog load.

Why our own index rather than SQLite FTS5, tantivy or rapidfuzz: what makes a chat search right is
the part between the customer's words and the index's terms (sound-alike Hinglish spellings,
romanized Hindi, plurals, synonyms, sizes written three ways, typos, filler such as "bhejo"), and
each of those libraries would need that layer anyway, fed by our own tokenizer (FTS5 cannot take a
Python tokenizer; tantivy's fuzzy terms know edit distance, not "doodh" = "dudh"; rapidfuzz only
compares strings). Once the words are ours, the ranking is small: BM25 scores precomputed for every
posting at load, kept in numpy arrays (one flat array of documents and one of scores, a slice per
term), so a query's intersections, size boosts and top-k run in C over the postings of the terms
it names, never over every product and never a Python loop per product. The vocabulary has a
sound-alike table, a sorted list for prefixes and a deletion table for typos. Measured in
``bench/catalog.py``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chatshop.search_tokens import tokenize
from chatshop.words import distance, fold, is_cjk, is_word, sizes_and_words, sound

__all__ = ["Hits", "SearchIndex", "synonym_table"]

#: A word in the title counts this many times a word in the category, description or id.
TITLE_WEIGHT = 3
_WEIGHT_BITS = 3  # a pair's weight (1, or TITLE_WEIGHT) packed under its key while sorting
_K1 = 1.2
_B = 0.75
#: How much a match is worth by how it was found: the word itself, a spelling that sounds the same
#: (paneer/panir), a plural (tomatoes), a shop's synonym, the start of a word, one or two typos.
EXACT, SOUNDS, PLURAL, SYNONYM, PREFIX, TYPO1, TYPO2 = 1.0, 0.9, 0.9, 0.9, 0.6, 0.6, 0.4
#: A number or a word of one or two letters ("5", "of") may add to a product's rank, never decide it.
OPTIONAL = 0.2
_MAX_PREFIXES = 40


@dataclass(frozen=True, slots=True)
class Hits:
    """The documents found, best first (at most ``limit`` of them), and how many matched in all."""

    documents: list[int]
    total: int


def synonym_table(synonyms: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The shop's synonyms (``search_synonyms``) by how the word sounds, the meanings folded."""
    out: dict[str, list[str]] = {}
    for word, meanings in synonyms.items():
        key = fold(word.strip())
        out.setdefault(key if is_cjk(key) else sound(key), []).extend(fold(m.strip()) for m in meanings if m.strip())
    return out


def _plural_stems(word: str) -> Iterable[str]:
    """What ``word`` may be the plural of: tomatoes, onions, Zwiebeln, Tomaten, Kartoffeln."""
    for ending in ("es", "s", "en", "n", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            yield word[: -len(ending)]


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def _typos_allowed(key: str) -> int:
    return 0 if len(key) < 4 else 1 if len(key) < 7 else 2


Docs = npt.NDArray[np.int32]
Scores = npt.NDArray[np.float32]
#: A size match outranks any difference of word scores (BM25 scores stay far below it).
_SIZE_FIRST = np.float32(1e6)


class SearchIndex:
    """Documents (a title and other text each, numbered from 0) and the terms in them."""

    def __init__(self, documents: Iterable[tuple[str, str, str]]) -> None:
        """Index ``(title, category, description)`` of each document.

        The documents are cut into terms a batch at a time (:mod:`chatshop.search_tokens`), with no
        Python step per word; numpy then sorts them into postings and scores them all at once.
        A catalog of 500,000 products is indexed in a few seconds.
        """
        tokens = tokenize(documents)
        terms = np.concatenate([tokens.title[0], tokens.rest[0]])
        docs = np.concatenate([tokens.title[1], tokens.rest[1]])
        weights = np.concatenate(
            [np.full(len(tokens.title[0]), TITLE_WEIGHT, np.int8), np.ones(len(tokens.rest[0]), np.int8)]
        )
        self.size = tokens.count
        self._vocabulary = sorted(tokens.terms)
        self._term = tokens.terms
        # Postings: one flat array of documents and one of BM25 scores; term i owns
        # [start[i], start[i+1]), its documents ascending.
        size = max(self.size, 1)
        keys, tf = _summed(terms, docs, weights, size)
        del terms, docs, weights
        term_of = (keys // size).astype(np.int32)
        self._docs: Docs = (keys % size).astype(np.int32)
        del keys
        per_term = np.bincount(term_of, minlength=len(self._term)).astype(np.int64)
        self._start = np.zeros(len(self._term) + 1, np.int64)
        np.cumsum(per_term, out=self._start[1:])
        length = np.bincount(self._docs, weights=tf, minlength=size).astype(np.float32)
        norm = _K1 * (1 - _B + _B * length / max(float(length.mean()), 1.0))
        idf = np.log1p((self.size - per_term + 0.5) / (per_term + 0.5)).astype(np.float32)
        self._scores: Scores = (idf[term_of] * tf * np.float32(_K1 + 1) / (tf + norm[self._docs])).astype(np.float32)
        del term_of, tf
        size_keys, _ = _summed(*tokens.sized, None, size)
        size_names = list(tokens.sizes)
        del tokens
        self._sizes: dict[str, Docs] = {}
        if len(size_keys):
            split = np.flatnonzero(np.diff(size_keys // size)) + 1
            for chunk in np.split(size_keys, split):
                self._sizes[size_names[int(chunk[0] // size)]] = (chunk % size).astype(np.int32)
        self._by_sound: dict[str, list[str]] = {}
        self._near_sounds: dict[str, set[str]] = {}  # a sound with one letter left out → the sounds
        for term in self._vocabulary:
            if not term.isalpha():
                continue  # "500", "x2": found as typed, never by sound or with a typo
            # A term is also found by its singular's sound: "biscuit" (or "biscut") finds Biscuits.
            for key in {sound(term), *(sound(stem) for stem in _plural_stems(term))}:
                same = self._by_sound.get(key)
                if same is None:
                    self._by_sound[key] = [term]
                    if _typos_allowed(key):
                        for short in (key, *_deletions(key)):
                            self._near_sounds.setdefault(short, set()).add(key)
                else:
                    same.append(term)

    def _postings(self, term: str) -> tuple[Docs, Scores]:
        """The documents with ``term`` (ascending) and its BM25 score in each (title words weigh more)."""
        i = self._term[term]
        start, end = self._start[i], self._start[i + 1]
        return self._docs[start:end], self._scores[start:end]

    # --- from a customer's word to the catalog's terms ---------------------------------------------
    def expand(self, word: str, synonyms: Mapping[str, Sequence[str]] = {}) -> dict[str, float]:
        """The catalog's terms ``word`` may mean, each with how sure that is; ``synonyms`` are by
        sound (see :func:`synonym_table`), so doodh, dudh and दूध share one.

        The word itself, the same sound spelt otherwise, its singular and the shop's synonyms come
        first; only when none is in the catalog are the starts of words and typos tried, so "aata"
        finds atta (same sound) and not Tata (one letter off).
        """
        found: dict[str, float] = {}
        if word in self._term:
            found[word] = EXACT
        if is_cjk(word) or word.isdigit():
            return found
        for term in self._by_sound.get(sound(word), ()):
            found.setdefault(term, SOUNDS)
        for stem in _plural_stems(word):
            for term in (stem, *self._by_sound.get(sound(stem), ())):
                if term in self._term:
                    found.setdefault(term, PLURAL)
        for meaning in synonyms.get(sound(word), ()):
            for part in meaning.split():
                for term, quality in self.expand(part).items():
                    found.setdefault(term, min(quality, SYNONYM))
        if found or len(word) < 3:
            return found
        start = bisect_left(self._vocabulary, word)
        for term in self._vocabulary[start : start + _MAX_PREFIXES]:
            if not term.startswith(word):
                break
            found.setdefault(term, PREFIX)
        key = sound(word)
        allowed = _typos_allowed(key)
        if allowed:
            candidates: set[str] = set()
            shorter = {key, *_deletions(key)}
            if allowed > 1:
                shorter |= {less for one in list(shorter) for less in _deletions(one)}
            for short in shorter:
                candidates |= self._near_sounds.get(short, set())
            for candidate in candidates:
                edits = distance(key, candidate, allowed)
                if edits <= allowed:
                    for term in self._by_sound[candidate]:
                        found.setdefault(term, TYPO1 if edits <= 1 else TYPO2)
        return found

    def _word(self, expansions: Mapping[str, float]) -> tuple[Docs, Scores]:
        """The documents with any of the word's meanings, and the best score of one in each."""
        parts = [self._postings(term) for term in expansions]
        if len(parts) == 1:
            docs, scores = parts[0]
            quality = next(iter(expansions.values()))
            return docs, scores if quality == EXACT else scores * np.float32(quality)
        docs = np.concatenate([d for d, _ in parts])
        scores = np.concatenate([s * np.float32(q) for (_, s), q in zip(parts, expansions.values(), strict=True)])
        order = np.lexsort((-scores, docs))  # by document, the best score of each first
        docs, scores = docs[order], scores[order]
        first = np.ones(len(docs), bool)
        first[1:] = docs[1:] != docs[:-1]
        return docs[first], scores[first]

    # --- a query ------------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        filler: Collection[str] = (),
        synonyms: Mapping[str, Sequence[str]] = {},
        limit: int = 1000,
    ) -> Hits:
        """The documents for ``query``, best first; ``filler`` folded (:func:`fold`), ``synonyms``
        a :func:`synonym_table`.

        Every word that names something in the catalog must be in a document, unless no document
        has them all; then those with most of them are shown (at least half), so "I want basmati
        rice please" still finds the rice. ``filler`` words ("please", "bhejo") are not looked for;
        of the rest, the last word of letters is the thing asked for ("red shoes"): if nothing in
        the catalog is called that, nothing is found, even though "red" is. Sizes ("2 kg") rank the
        products of that size first without leaving the others out; a number or a word of one or
        two letters narrows the products to those that have it, if any do. A Chinese word with a
        synonym (茶 = tea) finds what either names.
        """
        folded = fold(query)
        docs, rank = self._ranked(folded, filler, synonyms)
        meant = _chinese_meanings(folded, synonyms)
        if meant != folded:
            # 牛奶 is milk, 茶 is tea: a Chinese word the shop gave a meaning is looked for as that
            # meaning too (an English "Green Tea" for 绿茶), and still as written, so the teas
            # named in Chinese (西湖龙井绿茶) are found by their own characters. Each product once.
            also_docs, also_rank = self._ranked(meant, filler, synonyms)
            docs, rank = _best_of(np.concatenate([docs, also_docs]), np.concatenate([rank, also_rank]))
        return Hits(_top(docs, rank, limit), len(docs))

    def _ranked(
        self, folded: str, filler: Collection[str], synonyms: Mapping[str, Sequence[str]]
    ) -> tuple[Docs, Scores]:
        """The documents a folded query finds (each once, in no order) and their rank."""
        nothing = np.empty(0, np.int32), np.empty(0, np.float32)
        sizes, parts = sizes_and_words(folded)
        parts = self._without_filler(parts, filler)
        required = [w for w in parts if (len(w) > 2 or is_cjk(w)) and not w.isdigit()]
        optional = [w for w in parts if w not in required]
        if not required and not sizes:
            required, optional = optional, []
        if not required and not sizes:
            return nothing
        matched: list[tuple[Docs, Scores]] = []
        main: Docs | None = None
        for word in required:
            expansions = self.expand(word, synonyms)
            found = self._word(expansions) if expansions else None
            if is_word(word):
                main = found[0] if found else np.empty(0, np.int32)  # the last word of letters names the thing
            if found:
                matched.append(found)
        if main is not None and not len(main):
            return nothing
        if matched:
            docs, scores = _with_most_words(matched, main)
        elif required:
            return nothing
        else:
            docs = np.unique(np.concatenate([self._sizes.get(s, np.empty(0, np.int32)) for s in sizes]))
            scores = np.zeros(len(docs), np.float32)
        for word in optional:  # "第00号", "tv 32": a number or short word narrows where it can
            expansions = self.expand(word)
            if not expansions or not len(docs):
                continue
            extra_docs, extra_scores = self._word(expansions)
            has, at = _lookup(docs, extra_docs)
            if has.any():
                docs, scores = docs[has], scores[has] + OPTIONAL * extra_scores[at[has]]
        rank = scores.astype(np.float32)
        for size in sizes:
            if size in self._sizes:
                rank = (rank + _SIZE_FIRST * _lookup(docs, self._sizes[size])[0]).astype(np.float32)
        return docs, rank

    @staticmethod
    def _without_filler(parts: list[str], filler: Collection[str]) -> list[str]:
        if not filler:
            return parts
        kept = [w for w in parts if w not in filler]
        # Chinese runs together: 我要洋葱 is 我 要 洋 葱 by now, and 我要 is filler.
        if any(len(w) > 1 and is_cjk(w) for w in filler) and any(is_cjk(w) for w in kept):
            text = "".join(w if is_cjk(w) else f" {w} " for w in kept)
            for phrase in sorted((w for w in filler if is_cjk(w)), key=len, reverse=True):
                text = text.replace(phrase, " ")
            kept = [w for chunk in text.split() for w in ([*chunk] if is_cjk(chunk) else [chunk])]
        return kept or parts


def _summed(
    terms: npt.NDArray[np.int32], docs: npt.NDArray[np.int32], weights: npt.NDArray[np.int8] | None, size: int
) -> tuple[npt.NDArray[np.int64], Scores]:
    """Each (term, document) pair once, sorted by term then document, with its weights added up."""
    keys = terms.astype(np.int64) * size + docs
    if weights is None or not len(keys):
        return np.unique(keys), np.empty(0, np.float32)
    if int(keys.max()) >= 1 << 59 or int(weights.min()) < 0 or int(weights.max()) >= 1 << _WEIGHT_BITS:
        unique, inverse = np.unique(keys, return_inverse=True)
        summed = np.bincount(inverse, weights=weights, minlength=len(unique))
        return unique, summed.astype(np.float32)
    # Each weight in the low bits of its key, and one plain sort (not unique's argsort, twice as slow
    # on the ~12 million pairs of 500,000 products): equal keys end up side by side, then added up.
    keys <<= _WEIGHT_BITS
    keys |= weights
    keys.sort()
    weight = keys & ((1 << _WEIGHT_BITS) - 1)
    keys >>= _WEIGHT_BITS
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[starts], np.add.reduceat(weight, starts).astype(np.float32)


def _lookup(docs: Docs, sorted_docs: Docs) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp]]:
    """Which of ``docs`` are in ``sorted_docs``, and where."""
    if not len(sorted_docs):
        return np.zeros(len(docs), bool), np.zeros(len(docs), np.intp)
    at = np.searchsorted(sorted_docs, docs)
    at[at == len(sorted_docs)] = 0
    return sorted_docs[at] == docs, at


def _with_most_words(matched: list[tuple[Docs, Scores]], main: Docs | None) -> tuple[Docs, Scores]:
    """Documents with every matched word; else those with the most (at least half, and the main word)."""
    by_size = sorted(matched, key=lambda found: len(found[0]))
    docs, scores = by_size[0]
    for other_docs, other_scores in by_size[1:]:
        has, at = _lookup(docs, other_docs)
        docs, scores = docs[has], scores[has] + other_scores[at[has]]
        if not len(docs):
            break
    if len(docs):
        return docs, scores
    every = np.concatenate([d for d, _ in matched])
    total = np.concatenate([s for _, s in matched])
    order = np.argsort(every, kind="stable")
    every, total = every[order], total[order]
    unique, first, counts = np.unique(every, return_index=True, return_counts=True)
    sums = np.add.reduceat(total, first) if len(first) else total
    if main is not None:
        keep = _lookup(unique, main)[0]
        unique, counts, sums = unique[keep], counts[keep], sums[keep]
    best = int(counts.max()) if len(counts) else 0
    if best * 2 < len(matched):
        return np.empty(0, np.int32), np.empty(0, np.float32)
    keep = counts == best
    return unique[keep], sums[keep].astype(np.float32)


def _chinese_meanings(folded: str, synonyms: Mapping[str, Sequence[str]]) -> str:
    """``folded`` with each Chinese word of ``synonyms`` in it put as its meaning (牛奶 → milk)."""
    if folded.isascii():
        return folded
    for word, meanings in synonyms.items():
        if is_cjk(word) and word in folded:
            folded = folded.replace(word, f" {' '.join(meanings)} ")
    return folded


def _best_of(docs: Docs, rank: Scores) -> tuple[Docs, Scores]:
    """Each document once, with the best of its ranks."""
    order = np.lexsort((-rank, docs))
    docs, rank = docs[order], rank[order]
    first = np.ones(len(docs), bool)
    first[1:] = docs[1:] != docs[:-1]
    return docs[first], rank[first]


def _top(docs: Docs, rank: Scores, limit: int) -> list[int]:
    """Up to ``limit`` documents by rank, highest first; equal ranks in catalog order."""
    if len(docs) > limit:
        keep = np.argpartition(-rank, limit - 1)[:limit]
        docs, rank = docs[keep], rank[keep]
    order = np.lexsort((docs, -rank))
    return [int(doc) for doc in docs[order]]
