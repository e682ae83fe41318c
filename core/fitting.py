"""Every outbound body cut to what the channel's messenger takes, counted in the messenger's unit.

A channel declares ``max_text_length`` (and ``max_caption_length``) with the ``measure`` its
messenger counts in: characters, UTF-16 units (Telegram), UTF-8 bytes (WeChat). The core cuts
every body to it, at a line or word where it can, never inside an emoji or between a letter and
its accent, and marks the cut with "…". A channel then never has to guess.
"""

from __future__ import annotations

from collections.abc import Callable

from chatshop.channels import Capabilities
from chatshop.graphemes import end_before
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

__all__ = ["ELLIPSIS", "fit", "fit_message", "prefix", "shorten"]

ELLIPSIS = "…"
#: What a shortened line does not end in before its "…": a dangling comma, dash or "(".
TRAILING = " ,.;:-–—/|(&+"


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


def prefix(text: str, room: int, measure: Callable[[str], int] = len) -> str:
    """The longest head of ``text`` within ``room`` as ``measure`` counts, ending where a character
    a reader sees ends (never inside an emoji, a flag or a vowel sign)."""
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
    return text[: end_before(text, low)]


def _head(text: str, room: int, measure: Callable[[str], int]) -> str:
    """The longest head of ``text`` within ``room``, cut at a line break or a space in its second half."""
    head = prefix(text, room, measure)
    if head == text:
        return head
    end = len(head)
    for separator in ("\n", " "):
        at = head.rfind(separator)
        if at >= end // 2:
            return head[:at]
    return head


def shorten(text: str, limit: int, measure: Callable[[str], int] = len, trailing: str = TRAILING) -> str:
    """One line (a button title, a list row) within ``limit`` as the messenger counts (``measure``):
    cut between words where one ends in its second half, else between characters a reader sees,
    and ending in "…". Every channel's short fields are cut here, so none splits an emoji."""
    if measure(text) <= limit:
        return text
    room = limit - measure(ELLIPSIS)
    if room <= 0:
        return prefix(text, limit, measure)
    head = prefix(text, room, measure)
    follows = text[len(head) : len(head) + 1]
    space = head.rfind(" ")
    if follows != " " and space >= len(head) // 2:  # a word cut in half goes entirely
        head = head[:space]
    return head.rstrip(trailing) + ELLIPSIS


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
