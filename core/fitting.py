"""Every outbound body cut to what the channel's messenger takes, counted in the messenger's unit.

A channel declares ``max_text_length`` (and ``max_caption_length``) with the ``measure`` its
messenger counts in: characters, UTF-16 units (Telegram), UTF-8 bytes (WeChat). The core cuts
every body to it, at a line or word where it can, never inside an emoji or between a letter and
its accent, and marks the cut with "…". A channel then never has to guess.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from chatshop.channels import Capabilities
from chatshop.messages import (
    AddressRequest,
    Buttons,
    CatalogMessage,
    ChoiceList,
    Document,
    Image,
    OrderStatusUpdate,
    Outbound,
    PaymentRequest,
    ProductCard,
    ProductList,
    Text,
)

__all__ = ["fit", "fit_message"]

ELLIPSIS = "…"
_ZWJ = "\u200d"


def _joins_previous(char: str) -> bool:
    """Whether ``char`` belongs to the character before it: an accent, a variation selector, a skin tone."""
    code = ord(char)
    return (
        unicodedata.combining(char) != 0
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (the emoji presentation of ❤)
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or char == _ZWJ
        or unicodedata.category(char) in ("Mn", "Me", "Mc")
    )


def _safe_end(text: str, end: int) -> int:
    """Move a cut at ``end`` back so it splits no grapheme: not before an accent or a skin tone, not
    after a zero-width joiner, not inside a flag (a pair of regional indicators)."""
    while 0 < end < len(text) and (_joins_previous(text[end]) or text[end - 1] == _ZWJ):
        end -= 1
    if 0 < end < len(text) and _regional(text[end]) and _regional(text[end - 1]):
        run = 0
        while end - run > 0 and _regional(text[end - run - 1]):
            run += 1
        if run % 2:  # the cut falls between the two halves of a flag
            end -= 1
    return end


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def fit(text: str, limit: int, measure: Callable[[str], int] = len) -> str:
    """``text`` if it fits ``limit`` as ``measure`` counts, else cut to fit with "…" where it was cut.

    A text of several lines keeps its head and its last lines (an order's total, the question at
    the end) and loses lines from the middle; a single line keeps its head, cut at a space.
    """
    if measure(text) <= limit:
        return text
    lines = text.split("\n")
    gap = "\n" + ELLIPSIS + "\n"
    room = limit - measure(gap)
    if len(lines) > 2 and room > 0:
        tail: list[str] = []
        used = 0
        for line in reversed(lines[1:]):
            cost = measure(line) + measure("\n")
            if used + cost > room // 2:
                break
            tail.insert(0, line)
            used += cost
        if tail:
            head = _head("\n".join(lines[: len(lines) - len(tail)]), room - used + measure("\n"), measure)
            return head.rstrip() + gap + "\n".join(tail)
    return _head(text, limit - measure(ELLIPSIS), measure).rstrip() + ELLIPSIS


def _head(text: str, room: int, measure: Callable[[str], int]) -> str:
    """The longest head of ``text`` within ``room``, cut at a line break or a space in its second half."""
    if room <= 0:
        return ""
    if measure(text) <= room:
        return text
    low, high = 0, len(text)  # the longest prefix that fits: measures only grow with length
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    end = _safe_end(text, low)
    head = text[:end]
    for separator in ("\n", " "):
        at = head.rfind(separator)
        if at >= end // 2:
            return head[:at]
    return head


#: Kinds whose only text to fit is ``body``, and kinds with a caption. Tuples, not ``A | B``: a union
#: written in the function would be built anew at every call (every outbound message comes here).
_BODY_ONLY = (Text, Buttons, ChoiceList, PaymentRequest, OrderStatusUpdate, CatalogMessage, AddressRequest)
_CAPTIONED = (Image, Document)


def fit_message(message: Outbound, caps: Capabilities) -> Outbound:
    """``message`` with every body and caption fitted to ``caps``."""
    text_limit = caps.max_text_length
    caption_limit = min(caps.max_caption_length or text_limit, text_limit)

    def cut(value: str, limit: int = text_limit) -> str:
        return fit(value, limit, caps.measure)

    if isinstance(message, _BODY_ONLY):
        body = cut(message.body)
        return message if body == message.body else message.model_copy(update={"body": body})
    if isinstance(message, ProductList):
        return message.model_copy(update={"body": cut(message.body), "header": cut(message.header)})
    if isinstance(message, ProductCard):
        limit = caption_limit if message.image_url and caps.images else text_limit
        body = cut(message.body, limit)
        return message if body == message.body else message.model_copy(update={"body": body})
    if isinstance(message, _CAPTIONED) and message.caption:
        caption = cut(message.caption, caption_limit)
        return message if caption == message.caption else message.model_copy(update={"caption": caption})
    return message
