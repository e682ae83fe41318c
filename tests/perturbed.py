"""Hypothesis strategies for hostile variations of a documented payload.

:func:`perturbed` keeps a payload's shape (the keys and nesting a provider documents) while replacing
some values by any JSON value at all (a list where a string was, an object, a number past int64, a
string holding half an emoji), and dropping some keys. A parser that survives these survives what a
provider's next API version or a bug on its side sends; a test signs the result with the right secret,
so the parser itself, not the signature check, is what meets it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["MISSING", "any_json", "any_text", "perturbed", "without_missing"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: A key dropped from its object (see :func:`without_missing`).
MISSING: Any = _Missing()

#: Any text, lone UTF-16 surrogates (half an emoji), NUL and other control characters included.
any_text = st.text(st.characters(codec=None, categories=None), max_size=12)

_NUMBERS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63),
    st.sampled_from([0, -1, 10**40, -(10**40), 2**64, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
)
_SCALARS = st.one_of(st.none(), st.booleans(), _NUMBERS, any_text)

#: Any JSON value, small: scalars, and lists and objects of them.
any_json: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=5,
)


def perturbed(value: Any, *, odds: int = 8, keep: bool = False) -> st.SearchStrategy[Any]:
    """``value`` with about one node in ``odds`` replaced by any JSON value or dropped.

    ``keep`` keeps this node itself (its children may still change): the envelope a test needs to
    reach the parser at all.
    """
    if isinstance(value, dict):
        inner: st.SearchStrategy[Any] = st.fixed_dictionaries(
            {key: perturbed(item, odds=odds) for key, item in value.items()}
        ).map(lambda d: {k: v for k, v in d.items() if v is not MISSING})
    elif isinstance(value, list):
        inner = st.tuples(*(perturbed(item, odds=odds) for item in value)).map(
            lambda items: [item for item in items if item is not MISSING]
        )
    else:
        inner = st.just(value)
    if keep:
        return inner
    return st.integers(min_value=0, max_value=odds - 1).flatmap(
        lambda n: inner if n > 1 else (any_json if n == 1 else st.just(MISSING))
    )


def without_missing(value: Any) -> Any:
    """``value`` with any remaining :data:`MISSING` removed; a dropped root is ``null``."""
    if value is MISSING:
        return None
    if isinstance(value, dict):
        return {k: without_missing(v) for k, v in value.items() if v is not MISSING}
    if isinstance(value, list):
        return [without_missing(v) for v in value if v is not MISSING]
    return value
