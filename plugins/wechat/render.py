"""Outbound -> customer-service API bodies (``message/custom/send``), within WeChat's limits.

The core already lowered each message to the channel's capabilities; this renderer still enforces
every hard limit itself. A text longer than one message (a big cart, its order summary) is split
at line breaks into several, so the total at its end is never cut off; a menu item or an article
is cut cleanly at a word boundary. One outbound may become several bodies (a product card and the
msgmenu with its actions, a long summary and its menu).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from chatshop.channels import utf8_bytes
from chatshop.fitting import fit, prefix
from chatshop.graphemes import boundaries
from chatshop.messages import (
    Buttons,
    CatalogMessage,
    Choice,
    ChoiceList,
    Image,
    OrderStatusUpdate,
    Outbound,
    PaymentRequest,
    ProductCard,
    ProductList,
    Text,
)
from chatshop.texts import available_locales

__all__ = [
    "MAX_MENU_ITEMS",
    "MAX_TEXT_BYTES",
    "Rendered",
    "render",
    "split_bytes",
    "truncate_bytes",
]

MAX_TEXT_BYTES = 2048  # errcode 45002 "content size out of limit" above this
#: A long text goes in at most this many messages: WeChat allows 5 per customer message, and the
#: menu that usually follows needs one.
MAX_TEXT_PARTS = 4
#: msgmenu limits are not published (45098 "msgmenu list size is out of limit"): conservative.
MAX_MENU_ITEMS = 10
MAX_MENU_HEAD_BYTES = 1024
MAX_MENU_TAIL_BYTES = 512
MAX_MENU_ITEM_BYTES = 120
MAX_NEWS_TITLE_BYTES = 192
MAX_NEWS_DESCRIPTION_BYTES = 512
ELLIPSIS = "…"


@dataclass(slots=True)
class Rendered:
    """The bodies to send, in order, and the choice ids they offer (for the way back)."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    choice_ids: list[str] = field(default_factory=list)


def truncate_bytes(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes, at a nearby word boundary, with an ellipsis; never
    inside a character a reader sees (a Chinese character, an emoji, a flag, a vowel sign)."""
    if utf8_bytes(text) <= limit:
        return text
    cut = prefix(text, limit - utf8_bytes(ELLIPSIS), utf8_bytes)
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= len(cut) * 4 // 5:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def split_bytes(text: str, limit: int, parts: int = MAX_TEXT_PARTS) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-8 bytes, cut at line breaks (else at a space, else
    between characters a reader sees); beyond ``parts`` pieces the middle goes, so the end (a total)
    still shows."""
    pieces: list[str] = []
    rest = text.strip()
    while utf8_bytes(rest) > limit:
        head = prefix(rest, limit, utf8_bytes)
        cut = head.rfind("\n")
        if cut < len(head) // 2:
            cut = head.rfind(" ")
        if cut < len(head) // 2:
            cut = len(head)
        if cut == 0:  # one character a reader sees longer than a message: cut inside it
            cut = len(rest.encode()[:limit].decode(errors="ignore"))
        pieces.append(head[:cut].rstrip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    if len(pieces) > parts:  # keep the end whole: the last bytes that fit, from a line start
        marker = ELLIPSIS + "\n"
        last = pieces[-1]
        room = limit - utf8_bytes(marker)
        start = len(last) - len(last.encode()[-room:].decode(errors="ignore"))
        tail = last[next((at for at in (0, *boundaries(last)) if at >= start), len(last)) :]
        if tail != last and 0 <= (newline := tail.find("\n")) < len(tail) // 2:
            tail = tail[newline + 1 :]
        pieces = [*pieces[: parts - 1], marker + tail]
    return pieces


def render(openid: str, message: Outbound, locale: str = "en") -> Rendered:
    out = Rendered()
    match message:
        case Text(body=body) | OrderStatusUpdate(body=body):
            out.bodies.extend(_texts(openid, body))
        case Buttons():
            _menu(out, openid, _join(message.header, message.body), message.choices, message.footer)
        case ChoiceList():
            head = _join(message.header, message.body)
            _menu(out, openid, head, message.choices, message.footer, message.button)
        case ProductCard():
            _product(out, openid, message, locale)
        case PaymentRequest():
            body = message.body
            if message.url:  # one tappable link, where the text names it or after the text
                link = f'<a href="{html.escape(message.url)}">{html.escape(message.url)}</a>'
                body = body.replace(message.url, link) if message.url in body else f"{body}\n{link}"
            out.bodies.extend(_texts(openid, body))
            if message.choices:
                _menu(out, openid, message.order.total.format(locale), message.choices, None)
        case Image(url=url, caption=caption):
            out.bodies.append(_news(openid, caption or url, "", url, url))
        case ProductList(body=body) | CatalogMessage(body=body):
            out.bodies.extend(_texts(openid, body))  # no native catalog; the core avoids these
    return out


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _texts(openid: str, body: str) -> list[dict[str, Any]]:
    pieces = split_bytes(body, MAX_TEXT_BYTES) or [ELLIPSIS]  # WeChat refuses an empty text (44003)
    return [{"touser": openid, "msgtype": "text", "text": {"content": piece}} for piece in pieces]


def _menu(
    out: Rendered,
    openid: str,
    head: str,
    choices: tuple[Choice, ...],
    tail: str | None,
    label: str = "",
) -> None:
    items = []
    for choice in choices[:MAX_MENU_ITEMS]:
        # Not numbered here: the core numbers every choice of a turn and maps a typed number.
        content = _item(choice)
        # The core hands over ids that fit (``max_choice_id_bytes``/``choice_id_pattern``) and maps
        # its short stand-ins back when the item is tapped.
        items.append({"id": choice.id, "content": content})
        out.choice_ids.append(choice.id)
    if not items:
        out.bodies.extend(_texts(openid, _join(head, tail)))
        return
    if len(head.encode()) > MAX_MENU_HEAD_BYTES:  # a long summary: whole as text, then the menu
        out.bodies.extend(_texts(openid, head))
        head = label or ELLIPSIS
    menu: dict[str, Any] = {
        "head_content": truncate_bytes(head, MAX_MENU_HEAD_BYTES),
        "list": items,
        "tail_content": truncate_bytes(tail or "", MAX_MENU_TAIL_BYTES),
    }
    out.bodies.append({"touser": openid, "msgtype": "msgmenu", "msgmenu": menu})


def _item(choice: Choice) -> str:
    """One msgmenu line, "title (description)", within WeChat's bytes: the title is what gets
    shortened, so a product's price (its description) always shows."""
    if not choice.description:
        return truncate_bytes(choice.title, MAX_MENU_ITEM_BYTES)
    tail = f" ({truncate_bytes(choice.description, MAX_MENU_ITEM_BYTES // 2)})"
    return truncate_bytes(choice.title, MAX_MENU_ITEM_BYTES - len(tail.encode())) + tail


def _news(openid: str, title: str, description: str, url: str, picurl: str | None) -> dict[str, Any]:
    article = {
        "title": fit(title, MAX_NEWS_TITLE_BYTES, utf8_bytes),
        # fit keeps a long description's first and last lines (the price, the end of a summary)
        "description": fit(description, MAX_NEWS_DESCRIPTION_BYTES, utf8_bytes),
        "url": url,
    }
    if picurl:
        article["picurl"] = picurl
    return {"touser": openid, "msgtype": "news", "news": {"articles": [article]}}


def _product(out: Rendered, openid: str, card: ProductCard, locale: str) -> None:
    price = card.price.format(locale)
    lines = card.body.splitlines()
    if lines and lines[0].strip() == card.title.strip():
        lines = lines[1:]  # the article's title already says it
    description = "\n".join(lines).strip()
    # The dialog wrote the price in the customer's language; any form of it will do, never twice.
    if not any(card.price.format(other) in description for other in (locale, "en", *available_locales())):
        description = _join(price, description)
    if not card.url:  # no page for an article: the card is its text, heading its own menu
        _menu(out, openid, _join(card.title, description, card.image_url), card.choices, None)
        return
    out.bodies.append(_news(openid, card.title, description, card.url, card.image_url))
    if card.choices:
        _menu(out, openid, f"{card.title} · {price}", card.choices, None)
