"""What the browser draws: an outbound message as JSON, with money already formatted.

The page's script only places text and links; it never formats prices or decides anything. Links
and pictures keep only ``http(s)`` and same-site addresses, so a catalog entry cannot smuggle a
``javascript:`` link into the chat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from chatshop.messages import (
    OrderStatusUpdate,
    OrderSummary,
    Outbound,
    PaymentRequest,
    ProductCard,
    outbound_to_json,
)
from chatshop.money import Money

from .history import Entry

if TYPE_CHECKING:
    from chatshop.api import Shop


class Texts(Protocol):
    """Customer-facing texts by locale and key (raises KeyError for a key nobody registered)."""

    def get(self, locale: str, key: str, **values: object) -> str: ...


class _ShopTexts:
    def __init__(self, shop: Shop) -> None:
        self._shop = shop

    def get(self, locale: str, key: str, **values: object) -> str:
        return self._shop.text(locale, key, **values)


def shop_texts(shop: Shop) -> Texts:
    """The shop's texts (its ``[texts.LOCALE]`` first) as the views look them up."""
    return _ShopTexts(shop)

__all__ = ["Texts", "adjustment_label", "entry_view", "message_view", "safe_url", "shop_texts", "status_label"]

_INLINE_PICTURES = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")


def safe_url(url: str | None) -> str | None:
    """``url`` if a browser may follow it without running anything, else None."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith(("//", "/\\")):  # browsers read /\x as //x: another site
        return url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    if parts.scheme == "data" and url.startswith(_INLINE_PICTURES):
        return url  # small inline pictures; never SVG, which may carry script
    return None


def adjustment_label(texts: Texts | None, locale: str, code: str) -> str:
    """An order's extra line (``delivery``, ``cod_fee``) in the customer's words."""
    if texts is not None:
        try:
            return texts.get(locale, f"adjustment_{code}")
        except KeyError:
            pass
    return code.replace("_", " ").capitalize()


def status_label(texts: Texts | None, locale: str, status: str) -> str:
    """An order status in the customer's words ("storniert"), for the badge over an order's news."""
    if texts is not None:
        try:
            return texts.get(locale, f"state_{status}")
        except KeyError:
            pass
    return status.replace("_", " ")


def _summary(order: OrderSummary, locale: str, texts: Texts | None) -> dict[str, Any]:
    return {
        "number": order.number,
        "lines": [
            {"title": ln.title, "quantity": ln.quantity, "amount": (ln.unit_price * ln.quantity).format(locale)}
            for ln in order.lines
        ],
        "subtotal": order.subtotal.format(locale),
        "adjustments": [
            {"label": adjustment_label(texts, locale, code), "amount": amount.format(locale)}
            for code, amount in order.adjustments
        ],
        "total": order.total.format(locale),
    }


def _without_repeats(body: str, shown: tuple[str, ...]) -> str:
    """The card shows title and price above the text; lines that only repeat them are dropped."""
    lines = [line for line in body.splitlines() if line.strip() not in shown]
    return "\n".join(lines).strip()


def message_view(message: Outbound, locale: str, texts: Texts | None = None) -> dict[str, Any]:
    data = outbound_to_json(message)
    for key in ("image_url", "url"):
        if key in data:
            data[key] = safe_url(data[key])
    if isinstance(message, ProductCard):
        data["price"] = message.price.format(locale)
        data["body"] = _without_repeats(message.body, (message.title, data["price"]))
    elif isinstance(message, OrderStatusUpdate):
        data["status_label"] = status_label(texts, locale, str(message.status))
    elif isinstance(message, PaymentRequest):
        data["order"] = _summary(message.order, locale, texts)
        data.pop("data", None)  # method-specific hints are for messengers, not for the page
    for key, value in list(data.items()):
        if isinstance(value, Money):
            data[key] = value.format(locale)
    return data


def entry_view(entry: Entry, locale: str, texts: Texts | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {"seq": entry.seq, "who": entry.who}
    if entry.message is not None:
        view["message"] = message_view(entry.message, locale, texts)
    else:
        view["text"] = entry.text or ""
        if entry.message_id:
            view["id"] = entry.message_id.partition(":")[2]  # the page's own id for it: its draft is done
    return view
