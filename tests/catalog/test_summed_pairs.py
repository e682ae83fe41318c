"""The index adds up a (term, document) pair's weights by one sort of packed keys: the same postings
and weights as numpy's ``unique`` with its inverse (the plain way), on generated pairs."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from chatshop.search import TITLE_WEIGHT, _summed

pairs = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 30), st.sampled_from([1, TITLE_WEIGHT])), max_size=300)


@given(pairs)
def test_weights_added_up_by_sorting_are_those_of_unique(found: list[tuple[int, int, int]]) -> None:
    terms = np.array([t for t, _, _ in found], np.int32)
    docs = np.array([d for _, d, _ in found], np.int32)
    weights = np.array([w for _, _, w in found], np.int8)
    keys, summed = _summed(terms, docs, weights, 31)
    plain = terms.astype(np.int64) * 31 + docs
    unique, inverse = np.unique(plain, return_inverse=True)
    assert np.array_equal(keys, unique)
    assert np.array_equal(summed, np.bincount(inverse, weights=weights, minlength=len(unique)).astype(np.float32))
    assert np.array_equal(terms, np.array([t for t, _, _ in found], np.int32))  # the caller's arrays untouched
