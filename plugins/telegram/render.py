"""Outbound messages as Bot API calls: ``sendMessage`` with inline keyboards, ``sendPhoto`` for cards.

The core has already lowered each message to the channel's capabilities and fitted its text (4096
UTF-16 units; a photo's caption 1024) and its choice ids (``callback_data``: 64 bytes). Texts are
sent without ``parse_mode``, so whatever a customer or a catalog wrote shows as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatshop.channels import utf16_units
from chatshop.fitting import fit
from chatshop.messages import (
    Buttons,
    Choice,
    ChoiceList,
    Document,
    Image,
    OrderStatusUpdate,
    Outbound,
    PaymentRequest,
    ProductCard,
    Text,
)
from chatshop.plaintext import plain_text

__all__ = ["CAPTION_LIMIT", "Call", "Labels", "render"]

#: A photo's caption, in UTF-16 units (Bot API: 0-1024 characters after entities parsing).
CAPTION_LIMIT = 1024
#: A message's text, in UTF-16 units (Bot API: 1-4096 characters after entities parsing).
TEXT_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Labels:
    """The titles of link buttons, in the customer's language."""

    open_link: str = "Open"
    pay: str = "Pay"


@dataclass(frozen=True, slots=True)
class Call:
    """One Bot API method call; a ``photo`` call falls back to ``fallback`` if Telegram cannot fetch it."""

    method: str
    params: dict[str, Any]
    fallback: Call | None = field(default=None)


def _join(*parts: str | None) -> str:
    return "\n\n".join(p for p in parts if p)


def _framed(header: str | None, body: str, footer: str | None) -> str:
    """The body between its header and footer, cut so all three fit one message: the core fitted
    the body alone, and the header and footer would push it past Telegram's limit."""
    frame = utf16_units(_join(header, "x", footer)) - 1
    return _join(header, fit(body, TEXT_LIMIT - frame, utf16_units), footer)


def _keyboard(choices: tuple[Choice, ...], links: tuple[tuple[str, str], ...] = ()) -> dict[str, Any] | None:
    """One button a row (titles stay readable on a phone), link buttons first."""
    rows: list[list[dict[str, str]]] = [[{"text": title, "url": url}] for title, url in links]
    for choice in choices:
        title = f"{choice.title} · {choice.description}" if choice.description else choice.title
        rows.append([{"text": title, "callback_data": choice.id}])
    return {"inline_keyboard": rows} if rows else None


def _message(chat: str, text: str, markup: dict[str, Any] | None) -> Call:
    params: dict[str, Any] = {"chat_id": chat, "text": text or "…", "link_preview_options": {"is_disabled": True}}
    if markup:
        params["reply_markup"] = markup
    return Call("sendMessage", params)


def _photo(chat: str, url: str, caption: str, markup: dict[str, Any] | None, text_instead: str) -> Call:
    params: dict[str, Any] = {"chat_id": chat, "photo": url}
    if caption:
        params["caption"] = caption
    if markup:
        params["reply_markup"] = markup
    return Call("sendPhoto", params, fallback=_message(chat, text_instead, markup))


def render(chat: str, message: Outbound, labels: Labels) -> list[Call]:
    """The calls that show ``message`` in the private chat ``chat``."""
    match message:
        case Text(body=body):
            return [_message(chat, body, None)]
        case Buttons(body=body, choices=choices, header=header, footer=footer, image_url=image):
            text = _framed(header, body, footer)
            markup = _keyboard(choices)
            if image and utf16_units(text) <= CAPTION_LIMIT:
                return [_photo(chat, image, text, markup, text)]
            if image:  # too long for a caption: the picture, then the text with its buttons
                return [_photo(chat, image, "", None, ""), _message(chat, text, markup)]
            return [_message(chat, text, markup)]
        case ChoiceList(body=body, header=header, footer=footer):
            return [_message(chat, _framed(header, body, footer), _keyboard(message.choices))]
        case ProductCard(body=body, image_url=image, url=url, choices=choices):
            links = ((labels.open_link, url),) if url else ()
            markup = _keyboard(choices, links)
            if image:
                return [_photo(chat, image, body, markup, body)]
            return [_message(chat, body, markup)]
        case Image(url=url, caption=caption):
            return [_photo(chat, url, caption or "", None, _join(caption, url))]
        case PaymentRequest(body=body, url=url, choices=choices):
            links = ((labels.pay, url),) if url else ()
            return [_message(chat, body, _keyboard(choices, links))]
        case OrderStatusUpdate(body=body):
            return [_message(chat, body, None)]
        case Document(url=url, caption=caption):  # Telegram fetches the file from the URL itself
            params: dict[str, Any] = {"chat_id": chat, "document": url}
            if caption:
                params["caption"] = caption
            return [Call("sendDocument", params, fallback=_message(chat, _join(caption, url), None))]
    return [_message(chat, plain_text(message), None)]
