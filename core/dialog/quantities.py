"""A quantity as customers type it when asked "how many?": 3, 3个, 两盒, 十二, 3 pcs, x4.

Asked for a number, a Chinese customer writes it with a measure word (3个 "three pieces", 2盒
"two boxes") or in Chinese numerals (两, 三, 十二); others write "3 pcs" or "x3". Only the answer
to a quantity question is read this way: elsewhere 三 is a word like any other.
"""

from __future__ import annotations

import re

from chatshop.dialog.engine import number

__all__ = ["quantity"]

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
