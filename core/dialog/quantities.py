"""A quantity as customers type it when asked "how many?": 3, 3个, 两盒, 十二, 3 pcs, x4.

Asked for a number, a Chinese customer writes it with a measure word (3个 "three pieces", 2盒
"two boxes") or in Chinese numerals (两, 三, 十二); others write "3 pcs" or "x3". Only the answer
to a quantity question is read this way: elsewhere 三 is a word like any other.
"""

from __future__ import annotations

import re

from chatshop.cart import MAX_QUANTITY
from chatshop.dialog.engine import number
from chatshop.words import fold, sizes_and_words

__all__ = ["counted", "quantity", "search_count"]

#: Measure words a count is written with (not weights: 2斤 is a kilogram, not two of the product).
_MEASURE = "个件盒包袋瓶罐份只支条本箱套双听杯块片张把台桶提组"
#: "3 pcs", "3x", "x3", "3 个", "3件", "三盒": the count and what may stand around it.
_SHAPE = re.compile(rf"^(?:x\s*)?(?P<count>[^\sx{_MEASURE}]+?)\s*(?:x|pcs?|pieces?|[{_MEASURE}])?$", re.IGNORECASE)
_DIGITS = dict(zip("零〇一二两俩三四五六七八九", (0, 0, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))


def quantity(text: str) -> int | None:
    """The count in ``text``, or None when it holds anything but a count."""
    found = _SHAPE.match(text.strip().rstrip("。.!！"))
    if found is None:
        return None
    count = found["count"]
    return number(count) if number(count) is not None else _chinese(count)


def _chinese(numeral: str) -> int | None:
    """一 to 九十九 (十二, 二十, 二十三, 两): the counts a shop's quantity question allows."""
    tens, ten, units = numeral.partition("十")
    if not ten:
        return _DIGITS.get(numeral) if len(numeral) == 1 else None
    if len(tens) > 1 or len(units) > 1 or (tens and tens not in _DIGITS) or (units and units not in _DIGITS):
        return None
    value = (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)
    return value if value else None


_NUMERALS = "".join(_DIGITS) + "十"
#: What a count in a search may be written with: "2 packets of", "3x", and the measure words ("4 pcs" is
#: a size: the pack of 6 eggs is "eggs 6 pcs"). A Latin one is a word of its own, never the start of
#: the thing's name: "2 noodles" is not two "odles", "2 xl tees" not two "l tees".
_LATIN_COUNT_WORD = r"(?:x|packets?|packs?|nos?)(?![^\W\d_])"
_COUNT_WORD = rf"(?:{_LATIN_COUNT_WORD}|[{_MEASURE}])"
#: "3 onions", "3x onion", "2 packets of rice", "3个洋葱", "两包米": a count before the thing.
_LEADING = re.compile(
    rf"^\s*(?:(?P<digits>\d{{1,2}})\s*(?:{_COUNT_WORD}\.?)?|(?P<chinese>[{_NUMERALS}]{{1,3}})[{_MEASURE}])"
    rf"(?:\s+of)?\s*(?P<rest>[^\d\s].*)$",
    re.IGNORECASE,
)
#: "onion x3", "rice 4 packets": a count after it, always with its mark (a bare number there narrows: "tv 32").
_TRAILING = re.compile(
    rf"^(?P<rest>.*?\S)(?:\s+x\s*(?P<after_x>\d{{1,2}})|\s*(?P<before_word>\d{{1,2}})\s*{_LATIN_COUNT_WORD})\.?\s*$",
    re.IGNORECASE,
)


def counted(text: str) -> tuple[int, str] | None:
    """A search that says how many: the count (2 or more, at most a cart line's) and the search
    without it; None when it says no count. A number that is a size ("5 kg rice") is no count."""
    found = _LEADING.match(text) or _TRAILING.match(text)
    if found is None:
        return None
    groups = found.groupdict()
    written = groups.get("digits") or groups.get("after_x") or groups.get("before_word")
    count = int(written) if written else _chinese(groups.get("chinese") or "")
    rest = found["rest"].strip()
    if count is None or not 2 <= count <= MAX_QUANTITY or not rest:
        return None
    if len(sizes_and_words(fold(text))[0]) > len(sizes_and_words(fold(rest))[0]):
        return None  # "5kg rice": the number was the size
    return count, rest


def search_count(text: str) -> int | None:
    """How many a search asks for ("3 onions": 3), or None."""
    found = counted(text)
    return found[0] if found else None
