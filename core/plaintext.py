"""Any outbound message as plain text: the last rung of the ladder, for text-only channels."""

from __future__ import annotations

from chatshop.messages import (
    AddressRequest,
    Buttons,
    CatalogMessage,
    ChoiceList,
    Document,
    Image,
    Marketing,
    OrderStatusUpdate,
    Outbound,
    PaymentRequest,
    ProductCard,
    ProductList,
    Text,
)

__all__ = ["plain_text"]


def _numbered(titles: list[str]) -> str:
    return "\n".join(f"{i}. {title}" for i, title in enumerate(titles, 1))


def plain_text(message: Outbound) -> str:
    """A readable rendering of ``message``; links stay visible, choices are numbered."""
    if isinstance(message, Text):
        return message.body
    if isinstance(message, Buttons | ChoiceList):
        parts = [message.header, message.body, _numbered([c.title for c in message.choices]), message.footer]
        return "\n".join(p for p in parts if p)
    if isinstance(message, ProductCard):
        parts = [message.body, message.url, _numbered([c.title for c in message.choices]) if message.choices else None]
        return "\n".join(p for p in parts if p)
    if isinstance(message, PaymentRequest):
        link = message.url if message.url and message.url not in message.body else None
        return "\n".join(p for p in (message.body, link) if p)
    if isinstance(message, OrderStatusUpdate | Marketing):
        return message.body
    if isinstance(message, Image):
        return "\n".join(p for p in (message.caption, message.url) if p)
    if isinstance(message, ProductList):
        return "\n".join([message.header, message.body, *(f"• {pid}" for _, ids in message.sections for pid in ids)])
    if isinstance(message, CatalogMessage):
        return message.body
    if isinstance(message, AddressRequest):
        return message.body
    if isinstance(message, Document):
        return "\n".join(p for p in (message.caption, message.url) if p)
    raise TypeError(f"no plain-text form for {type(message).__name__}")
