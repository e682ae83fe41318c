"""Outbound messages as Graph API ``/messages`` bodies, always within the API's limits.

The core already lowers messages to the channel's capabilities; this module still enforces every
hard limit itself, because a message the API refuses is a message the customer never sees.
Shortened names keep their full text in the row description or the body.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import structlog

from chatshop.messages import (
    AddressRequest,
    Buttons,
    CatalogMessage,
    Choice,
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
from chatshop.money import Money, currency_exponent
from chatshop.texts import available_locales

from . import limits as L
from .text import keep_ends, shorten, template_safe

__all__ = ["Rendered", "envelope", "render"]

log = structlog.get_logger(__name__)

#: ``order_details`` expiry must be at least this many seconds ahead.
EXPIRY_NOTICE = 300

Body = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rendered:
    """The ``type`` and its object for one ``/messages`` call (``envelope`` adds the recipient)."""

    type: str
    content: Body

    def shape(self) -> str:
        """What kind of message this is, without any text in it (safe for logs)."""
        inner = self.content.get("type") if self.type == "interactive" else None
        return f"{self.type}/{inner}" if inner else self.type


_BSUID = re.compile(r"^[A-Z]{2}\.")


def envelope(to: str, rendered: Rendered) -> Body:
    """The whole ``/messages`` body. A business-scoped user id (``IN.123…``, customers who hide
    their number behind a username) goes in ``recipient``; a phone number in ``to``."""
    field = "recipient" if _BSUID.match(to) else "to"
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        field: to,
        "type": rendered.type,
        rendered.type: rendered.content,
    }


def render(message: Outbound, catalog_id: str | None = None, *, carousel: bool = True) -> Rendered:
    """The richest WhatsApp form of ``message`` that the API accepts (``carousel``: 2 to 10
    catalog products as a product carousel)."""
    if isinstance(message, Text):
        return text(message.body)
    if isinstance(message, Buttons):
        return buttons(message.body, message.choices, message.header, message.footer, message.image_url)
    if isinstance(message, ChoiceList):
        return choice_list(message)
    if isinstance(message, ProductCard):
        return product_card(message, catalog_id)
    if isinstance(message, ProductList):
        if catalog_id and carousel and (cards := product_carousel(message, catalog_id)) is not None:
            return cards
        return product_list(message, catalog_id)
    if isinstance(message, CatalogMessage):
        return catalog_message(message, catalog_id)
    if isinstance(message, Image):
        return image(message.url, message.caption)
    if isinstance(message, Document):
        return document(message)
    if isinstance(message, AddressRequest):
        return address_message(message)
    if isinstance(message, PaymentRequest):
        return payment_request(message)
    if isinstance(message, OrderStatusUpdate):
        if message.url:
            return cta_url(message.body, message.url_label or message.url, message.url)
        return text(message.body)
    raise TypeError(f"cannot render {type(message).__name__}")


def text(body: str) -> Rendered:
    body = shorten(body, L.TEXT_BODY) or "…"
    return Rendered("text", {"body": body, "preview_url": "http://" in body or "https://" in body})


def fetchable(url: str | None) -> str | None:
    """The picture's address if Meta can fetch it: "Use only with HTTP/HTTPS URLs" (inline ``data:``
    pictures and same-site paths, fine in the web chat, would have Meta refuse the whole message)."""
    return url if url and url.startswith(("https://", "http://")) else None


def image(url: str, caption: str | None) -> Rendered:
    if fetchable(url) is None:
        return text(caption or "")
    content: Body = {"link": url}
    if caption:
        content["caption"] = shorten(caption, L.CAPTION)
    return Rendered("image", content)


def document(message: Document) -> Rendered:
    """A document message Meta fetches from ``link`` ([M: Document messages]); the file name, with
    its extension, picks the icon the customer sees. A link Meta cannot fetch goes as text."""
    if fetchable(message.url) is None:
        return text("\n".join(p for p in (message.caption, message.url) if p))
    content: Body = {"link": message.url, "filename": shorten(message.filename, L.DOCUMENT_FILENAME)}
    if message.caption:
        content["caption"] = shorten(message.caption, L.CAPTION)
    return Rendered("document", content)


#: The fields of India's address form ([M: Address Messages]); in_pin_code holds at most 6 digits.
ADDRESS_FIELDS = (
    "name",
    "phone_number",
    "in_pin_code",
    "house_number",
    "floor_number",
    "tower_number",
    "building_name",
    "address",
    "landmark_area",
    "city",
    "state",
)


def address_message(request: AddressRequest) -> Rendered:
    """WhatsApp's address form: saved addresses to pick from, fields filled in, errors to fix."""
    parameters: Body = {"country": request.country}
    values = {k: v for k, v in request.values.items() if k in ADDRESS_FIELDS and v}
    if values:
        parameters["values"] = values
    if request.saved:
        parameters["saved_addresses"] = [
            {
                "id": saved.id,
                "value": {
                    **({"name": saved.name} if saved.name else {}),
                    "in_pin_code": saved.postal_code[:6],
                    "address": saved.line,
                },
            }
            for saved in request.saved
        ]
    errors = {k: v for k, v in request.errors.items() if k in ADDRESS_FIELDS}
    if errors:
        parameters["validation_errors"] = errors
    content: Body = {
        "type": "address_message",
        "body": _body(request.body),
        "action": {"name": "address_message", "parameters": parameters},
    }
    return Rendered("interactive", content)


def _body(value: str) -> Body:
    # A long summary loses lines from its middle, never its total or its question at the end.
    return {"text": keep_ends(value, L.INTERACTIVE_BODY) or "…"}


def _decorate(content: Body, header: str | None, footer: str | None) -> Body:
    if header:
        content["header"] = {"type": "text", "text": shorten(header, L.HEADER_TEXT)}
    if footer:
        content["footer"] = {"text": shorten(footer, L.FOOTER_TEXT)}
    return content


def _unique_titles(titles: Iterable[str], limit: int) -> list[str]:
    """Button titles must differ within a message; shortening can make two equal, so number them."""
    out: list[str] = []
    for title in titles:
        candidate = shorten(title, limit) or "…"
        n = 2
        while candidate in out:
            suffix = f" {n}"
            candidate = shorten(title, limit - len(suffix)) + suffix
            n += 1
        out.append(candidate)
    return out


def buttons(
    body: str,
    choices: tuple[Choice, ...],
    header: str | None = None,
    footer: str | None = None,
    image_url: str | None = None,
) -> Rendered:
    if not choices:
        return text("\n\n".join(p for p in (header, body, footer) if p))
    if len(choices) > L.MAX_BUTTONS:
        log.warning("whatsapp.buttons_dropped", given=len(choices), kept=L.MAX_BUTTONS)
        choices = choices[: L.MAX_BUTTONS]
    titles = _unique_titles((c.title for c in choices), L.BUTTON_TITLE)
    full = [c.title for c in choices if len(c.title.strip()) > L.BUTTON_TITLE]
    if full:  # the buttons were shortened: keep their full text readable in the body
        body = body + "\n\n" + "\n".join(f"• {t}" for t in full)
    content: Body = {
        "type": "button",
        "body": _body(body),
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": c.id.strip()[: L.BUTTON_ID], "title": t}}
                for c, t in zip(choices, titles, strict=True)
            ]
        },
    }
    image_url = fetchable(image_url)
    _decorate(content, None if image_url else header, footer)
    if image_url:
        content["header"] = {"type": "image", "image": {"link": image_url}}
    return Rendered("interactive", content)


def _row(choice: Choice) -> Body:
    title = choice.title.strip()
    description = (choice.description or "").strip()
    if len(title) > L.ROW_TITLE:
        # Price or detail first, so it survives when the description itself has to be cut.
        description = f"{description} · {title}" if description else title
    row: Body = {"id": choice.id.strip()[: L.ROW_ID], "title": shorten(title, L.ROW_TITLE) or "…"}
    if description:
        row["description"] = shorten(description, L.ROW_DESCRIPTION)
    return row


def choice_list(message: ChoiceList) -> Rendered:
    sections = [s for s in message.sections if s.choices]
    if len(sections) > 1 and any(not (s.title or "").strip() for s in sections):
        # Several sections need a title each: merge untitled ones rather than invent names.
        sections = [type(sections[0])(title=None, choices=message.choices)]
    out: list[Body] = []
    rows_left = L.MAX_ROWS
    for section in sections[: L.MAX_SECTIONS]:
        rows = [_row(c) for c in section.choices[:rows_left]]
        if not rows:
            break
        rows_left -= len(rows)
        entry: Body = {"rows": rows}
        if section.title and section.title.strip():
            entry["title"] = shorten(section.title, L.SECTION_TITLE)
        out.append(entry)
    dropped = len(message.choices) - (L.MAX_ROWS - rows_left)
    if dropped > 0:
        log.warning("whatsapp.list_rows_dropped", dropped=dropped)
    if not out:
        return text(message.body)
    content: Body = {
        "type": "list",
        "body": _body(message.body),
        "action": {"button": shorten(message.button, L.LIST_BUTTON) or "…", "sections": out},
    }
    return Rendered("interactive", _decorate(content, message.header, message.footer))


def cta_url(body: str, label: str, url: str, footer: str | None = None) -> Rendered:
    """A body with one button that opens ``url`` (a parcel's tracking page); the address itself
    stays out of the text. One Meta would not open (not http or https) goes in the text instead."""
    if fetchable(url) is None:
        return text(f"{body}\n{url}")
    button = {"display_text": shorten(label, L.BUTTON_TITLE) or "…", "url": url}
    content: Body = {
        "type": "cta_url",
        "body": _body(body),
        "action": {"name": "cta_url", "parameters": button},
    }
    return Rendered("interactive", _decorate(content, None, footer))


def _card_body(card: ProductCard) -> str:
    parts = [] if card.title in card.body else [f"*{card.title}*"]
    # The dialog writes the price in the customer's language (612,50 ₹); any form of it will do.
    if not any(card.price.format(locale) in card.body for locale in ("en", *available_locales())):
        parts.append(card.price.format())
    parts.append(card.body)
    if card.url and card.url not in card.body and not card.choices:
        parts.append(card.url)
    return "\n".join(p for p in parts if p)


def product_card(card: ProductCard, catalog_id: str | None) -> Rendered:
    if catalog_id and not card.choices:
        content: Body = {
            "type": "product",
            "body": _body(card.body or card.title),
            "action": {"catalog_id": catalog_id, "product_retailer_id": card.product_id},
        }
        return Rendered("interactive", content)
    body = _card_body(card)
    if card.choices:
        return buttons(body, card.choices, image_url=card.image_url)
    picture = fetchable(card.image_url)
    if picture:
        return image(picture, body)
    return text(body)


def _listed(message: ProductList) -> Rendered:
    """A product list without the catalog: its header, body and products' names as text."""
    return text("\n".join([message.header, "", message.body, *(f"• {line}" for line in message.lines)]).strip())


def product_list(message: ProductList, catalog_id: str | None) -> Rendered:
    if not catalog_id:
        return _listed(message)
    sections: list[Body] = []
    left = L.MAX_PRODUCTS
    for title, product_ids in message.sections[: L.MAX_SECTIONS]:
        items = [{"product_retailer_id": pid} for pid in product_ids[:left]]
        if not items:
            continue
        left -= len(items)
        sections.append({"title": shorten(title or message.header, L.SECTION_TITLE), "product_items": items})
    if not sections:
        return _listed(message)
    content: Body = {
        "type": "product_list",
        "header": {"type": "text", "text": shorten(message.header, L.HEADER_TEXT) or "…"},
        "body": _body(message.body),
        "action": {"catalog_id": catalog_id, "sections": sections},
    }
    if message.footer:
        content["footer"] = {"text": shorten(message.footer, L.FOOTER_TEXT)}
    return Rendered("interactive", content)


def product_carousel(message: ProductList, catalog_id: str) -> Rendered | None:
    """2 to 10 products as cards scrolled sideways, each showing the catalog's picture, title and
    price with its View button; None for fewer or more (a product list then). A carousel has no
    header, footer or section titles: the header leads the body."""
    products = list(dict.fromkeys(pid for _, ids in message.sections for pid in ids))
    least, most = L.CAROUSEL_CARDS
    if not least <= len(products) <= most:
        return None
    body = "\n\n".join(part for part in (f"*{message.header}*" if message.header else "", message.body) if part)
    cards = [
        {"card_index": i, "type": "product", "action": {"product_retailer_id": pid, "catalog_id": catalog_id}}
        for i, pid in enumerate(products)
    ]
    return Rendered("interactive", {"type": "carousel", "body": _body(body), "action": {"cards": cards}})


def catalog_message(message: CatalogMessage, catalog_id: str | None) -> Rendered:
    if not catalog_id:
        return text(message.body)
    action: Body = {"name": "catalog_message"}
    if message.thumbnail_product_id:
        action["parameters"] = {"thumbnail_product_retailer_id": message.thumbnail_product_id}
    content: Body = {"type": "catalog_message", "body": _body(message.body), "action": action}
    if message.footer:
        content["footer"] = {"text": shorten(message.footer, L.FOOTER_TEXT)}
    return Rendered("interactive", content)


def payment_request(request: PaymentRequest) -> Rendered:
    if request.method == "whatsapp_pay" and request.data.get("reference_id"):
        return order_details(request)
    body = request.body if not request.url or request.url in request.body else f"{request.body}\n{request.url}"
    if request.choices:
        return buttons(body, request.choices)
    return text(body)


def wa_amount(money: Money) -> Body:
    """WhatsApp money: an integer ``value`` over ``offset`` 100 (₹12.34 is 1234)."""
    exponent = currency_exponent(money.currency)
    if exponent <= 2:
        return {"value": money.minor * 10 ** (2 - exponent), "offset": 100}
    value, rest = divmod(money.minor, 10 ** (exponent - 2))
    if rest:
        raise ValueError(f"{money} cannot be written with offset 100")
    return {"value": value, "offset": 100}


def order_details(request: PaymentRequest) -> Rendered:
    """India in-chat payment: a bill with a *Review and pay* button (research §2.5)."""
    data = request.data
    order = request.order
    currency = order.total.currency
    tax = shipping = discount = Money.zero(currency)
    for label, amount in order.adjustments:
        if amount.minor < 0:
            discount += -amount
        elif any(word in label.lower() for word in ("tax", "gst", "vat")):
            tax += amount
        else:
            shipping += amount
    details: Body = {
        "status": "pending",
        "items": [
            {
                "retailer_id": line.product_id,
                "name": shorten(line.title, L.ITEM_NAME) or line.product_id,
                "amount": wa_amount(line.unit_price),
                "quantity": line.quantity,
            }
            for line in order.lines
        ],
        "subtotal": wa_amount(order.subtotal),
        "tax": {**wa_amount(tax), "description": "Tax"},
    }
    if shipping:
        details["shipping"] = {**wa_amount(shipping), "description": "Delivery and fees"}
    if discount:
        details["discount"] = {**wa_amount(discount), "description": "Discount"}
    if data.get("catalog_id"):
        details["catalog_id"] = data["catalog_id"]
    if data.get("expires_at") and int(data["expires_at"]) >= time.time() + EXPIRY_NOTICE:
        # Meta refuses an expiry under 5 minutes away; a bill delayed that long just has none.
        details["expiration"] = {
            "timestamp": str(int(data["expires_at"])),
            "description": shorten(str(data.get("expiry_note") or "Order expires"), L.ORDER_DESCRIPTION),
        }
    parameters: Body = {
        "reference_id": str(data["reference_id"])[: L.REFERENCE_ID],
        "type": data.get("goods_type", "physical-goods"),
        "payment_settings": [
            {
                "type": "payment_gateway",
                "payment_gateway": {
                    "type": data.get("gateway", "razorpay"),
                    "configuration_name": data.get("configuration_name", ""),
                },
            }
        ],
        "currency": currency,
        "total_amount": wa_amount(order.total),
        "order": details,
    }
    if data.get("beneficiary"):
        parameters["beneficiaries"] = [data["beneficiary"]]
    content: Body = {
        "type": "order_details",
        "body": _body(request.body),
        "action": {"name": "review_and_pay", "parameters": parameters},
    }
    return Rendered("interactive", content)


def order_status(reference_id: str, status: str, body: str, description: str | None = None) -> Rendered:
    """Move the in-chat bill along: processing, shipped, completed, canceled."""
    order: Body = {"status": status}
    if description:
        order["description"] = shorten(description, L.ORDER_DESCRIPTION)
    content: Body = {
        "type": "order_status",
        "body": _body(body),
        "action": {
            "name": "review_order",
            "parameters": {"reference_id": reference_id, "order": order},
        },
    }
    return Rendered("interactive", content)


def template(name: str, language: str, parameters: Iterable[str], payloads: Iterable[str | None] = ()) -> Rendered:
    """An approved template with text parameters for its body and a payload for each of its
    quick-reply buttons (by position; None for a button that takes none, such as a URL)."""
    params = [{"type": "text", "text": template_safe(p, L.TEMPLATE_PARAMETER) or "-"} for p in parameters]
    components: list[Body] = [{"type": "body", "parameters": params}] if params else []
    components += [
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": str(index),
            "parameters": [{"type": "payload", "payload": payload}],
        }
        for index, payload in enumerate(payloads)
        if payload
    ]
    content: Body = {"name": name, "language": {"code": language}}
    if components:
        content["components"] = components
    return Rendered("template", content)
