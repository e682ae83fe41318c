"""A transcript as the team inbox shows it: each message as what it was (a text, a tapped button,
a product card, an order, a payment request) and who wrote it (the customer, the shop's assistant,
a staff member, the owner's messenger app), and what staff did, as notes between them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from chatshop.messages import (
    Buttons,
    CatalogMessage,
    ChoiceList,
    Image,
    Inbound,
    InboundKind,
    OrderStatusUpdate,
    Outbound,
    PaymentRequest,
    ProductCard,
    ProductList,
    Text,
)
from chatshop.store.people import TranscriptEntry

__all__ = ["ASSISTANT", "Line", "lines_of"]

#: Who wrote what the bot sent.
ASSISTANT = "Shop assistant"

Side = Literal["customer", "shop", "note"]


@dataclass(slots=True)
class Line:
    key: str
    at: datetime
    side: Side
    author: str
    kind: str  # what it was: text, tap, cart, location, address, media, product, menu, payment, order, ...
    text: str = ""
    details: list[str] = field(default_factory=list)
    status: str | None = None  # delivery of what the shop sent
    price: str | None = None
    image_url: str | None = None
    link: str | None = None


def _web(url: str | None) -> str | None:
    """Only http(s) addresses become links and pictures on the staff's page (no ``javascript:``)."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def lines_of(entries: Sequence[TranscriptEntry], locale: str) -> list[Line]:
    lines = []
    for entry in entries:
        if entry.inbound is not None:
            lines.append(_inbound(entry, entry.inbound, locale))
        elif entry.outbound is not None:
            line = _outbound(entry.outbound, locale)
            line.key, line.at, line.status = entry.key, entry.at, entry.status
            line.author = entry.author or ASSISTANT
            line.link, line.image_url = _web(line.link), _web(line.image_url)
            lines.append(line)
    return lines


def _inbound(entry: TranscriptEntry, inbound: Inbound, locale: str) -> Line:
    line = Line(entry.key, entry.at, "customer", "Customer", inbound.kind.value, inbound.text or "")
    match inbound.kind:
        case InboundKind.SHOP:
            return _shop(line, inbound)
        case InboundKind.CHOICE:
            line.kind, line.text = "tap", inbound.text or inbound.choice_id or ""
        case InboundKind.CART:
            line.kind, line.text = "cart", "An order from the messenger's catalog"
            line.details = [
                f"{item.quantity} × {item.product_id}"
                + (f" at {item.unit_price.format(locale)}" if item.unit_price else "")
                for item in inbound.items
            ]
        case InboundKind.LOCATION if inbound.location is not None:
            place = inbound.location
            line.kind, line.text = "location", place.name or place.address or "A shared location"
            line.link = f"https://www.openstreetmap.org/?mlat={place.latitude:.6f}&mlon={place.longitude:.6f}"
        case InboundKind.ADDRESS if inbound.address is not None:
            line.kind, line.text = "address", inbound.address.one_line()
        case InboundKind.MEDIA:
            line.kind, line.text = "media", inbound.text or "A photo, voice message or file (not kept)"
        case InboundKind.EVENT:
            line.side, line.kind, line.text = "note", "event", f"The customer's messenger: {inbound.event or 'event'}"
        case InboundKind.UNSUPPORTED:
            line.kind, line.text = "unsupported", "A message the shop cannot read"
    return line


def _shop(line: Line, inbound: Inbound) -> Line:
    who = inbound.author or "Staff"
    line.side, line.author = "note", who
    match inbound.event:
        case "echo":
            line.side, line.kind = "shop", "text"
        case "take":
            line.kind, line.text = "take", f"{who} took the conversation; the assistant is silent"
        case "release":
            line.kind, line.text = "release", f"{who} gave the conversation back to the assistant"
        case "idle":
            line.author, line.kind = ASSISTANT, "idle"
            line.text = "Back to the assistant: no reply from staff in time"
        case "choose":
            choice = inbound.event_key or ""
            prefix, _, arg = choice.partition(":")
            what = {"add": "put in the cart", "paylink": "asked for the payment of order"}.get(prefix, "chose")
            line.kind, line.text = "action", f"{who} {what} {arg.rpartition(':')[0] if prefix == 'add' else arg}"
        case _:
            line.kind, line.text = "note", f"{who}: {inbound.event}"
    return line


def _outbound(message: Outbound, locale: str) -> Line:
    line = Line("", datetime.min, "shop", ASSISTANT, message.kind)
    match message:
        case Text():
            line.kind, line.text = "text", message.body
        case Buttons() | ChoiceList():
            line.kind, line.text = "menu", message.body
            line.details = [choice.title for choice in message.choices]
        case ProductCard():
            line.kind, line.text = "product", message.title
            line.details = [message.body] if message.body else []
            line.price, line.image_url, line.link = message.price.format(locale), message.image_url, message.url
        case ProductList():
            line.kind, line.text = "products", message.header
            line.details = [f"{title}: {', '.join(ids)}" for title, ids in message.sections]
        case CatalogMessage():
            line.kind, line.text = "catalog", message.body
        case Image():
            line.kind, line.text, line.image_url = "image", message.caption or "", message.url
        case PaymentRequest():
            line.kind, line.text = "payment", message.body
            line.details = [f"Order {message.order.number} · {message.order.total.format(locale)} · {message.method}"]
            line.link = message.url
        case OrderStatusUpdate():
            line.kind, line.text = "order", message.body
            line.details = [f"Order {message.order_number}: {message.status.replace('_', ' ')}"]
    return line
