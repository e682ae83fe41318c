"""The normalized messages that cross between channels and the core.

Channel plugins translate a messenger's wire format into an :class:`Inbound` and render an
:class:`Outbound` back into it; the core never sees a messenger's raw format. Outbound messages are
stored in the outbox as JSON, so every model here round-trips through ``model_dump(mode="json")``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from chatshop.money import Money

__all__ = [
    "Address",
    "AddressRequest",
    "Buttons",
    "CartItem",
    "CatalogMessage",
    "Choice",
    "ChoiceList",
    "DeliveryReport",
    "DeliveryState",
    "Document",
    "Image",
    "Inbound",
    "InboundKind",
    "Location",
    "OrderLine",
    "OrderStatusUpdate",
    "OrderSummary",
    "Outbound",
    "PaymentRequest",
    "ProductCard",
    "ProductList",
    "SavedAddress",
    "Section",
    "Text",
    "outbound_from_json",
    "outbound_to_json",
]

#: What no store keeps and no keyboard types: half of a UTF-16 pair (``\ud83d`` from a message cut
#: inside an emoji), which SQLite's and PostgreSQL's UTF-8 refuse; control characters but tab and
#: new line (a NUL breaks PostgreSQL's jsonb, an ESC sequence would paint the terminal of whoever
#: lists the orders).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def safe_text(text: str) -> str:
    """``text`` as every store keeps it: a lone surrogate becomes U+FFFD (the character that says
    one was lost), control characters but tab and new line are dropped."""
    if _UNSAFE.search(text) is None:
        return text
    return _SURROGATES.sub("\ufffd", re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text))


#: Text a customer (or a messenger on their behalf) sent: made safe once, as the message is built,
#: whichever channel built it.
SafeText = Annotated[str, AfterValidator(safe_text)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, extra="forbid")


class InboundKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"  # a tapped button, list row, menu item or numbered answer
    CART = "cart"  # a cart the customer built in the messenger's native catalog
    LOCATION = "location"  # a shared location, taken as the delivery location
    ADDRESS = "address"  # a structured address form
    MEDIA = "media"  # image, audio, video, document, sticker: answered politely
    EVENT = "event"  # subscribe, unsubscribe, scan, view: lifecycle, no text
    UNSUPPORTED = "unsupported"
    #: The shop's side of the conversation, queued in the customer's inbox to keep its place in
    #: their order: a message the owner wrote in the messenger's own app (``event="echo"``, its
    #: ``text``), or something staff did (``take``, ``release``, ``idle``, ``choose``). Never the
    #: customer's words: it opens no reply window and gets no read receipt.
    SHOP = "shop"


class CartItem(_Model):
    """One line of a native-catalog cart; the price is what the messenger showed, checked by us."""

    product_id: SafeText
    quantity: int = Field(ge=1)
    unit_price: Money | None = None


class Location(_Model):
    latitude: float  # coordinates are not money; a float is the honest type here
    longitude: float
    name: SafeText | None = None
    address: SafeText | None = None


class Address(_Model):
    """A delivery address as a structured form returns it."""

    name: SafeText | None = None
    phone: SafeText | None = None
    line: SafeText
    city: SafeText | None = None
    postal_code: SafeText | None = None

    def one_line(self) -> str:
        parts = [self.line, self.city, self.postal_code]
        return ", ".join(p for p in parts if p)


class Referral(_Model):
    """Where a customer came from: an ad or a post that opened the chat (WhatsApp's click-to-chat
    ads carry ``ctwa_clid``, the click's id in the advertiser's reports)."""

    source_type: SafeText | None = None  # "ad" or "post"
    source_id: SafeText | None = None
    source_url: SafeText | None = None
    headline: SafeText | None = None
    body: SafeText | None = None
    media_type: SafeText | None = None
    ctwa_clid: SafeText | None = None


class Inbound(_Model):
    """One message from a customer, as every channel reports it.

    ``message_id`` is the messenger's own id (or a key the channel derives, such as WeChat's
    FromUserName + CreateTime for events); the inbox deduplicates on ``(channel, message_id)``.

    Every text in it is :func:`safe_text`, however a channel built it (``model_copy`` included), so
    what a customer sends always fits the inbox, the chat history and the orders.
    """

    channel: SafeText
    customer_id: SafeText
    message_id: SafeText
    kind: InboundKind
    text: SafeText | None = None
    choice_id: SafeText | None = None
    items: tuple[CartItem, ...] = ()
    location: Location | None = None
    address: Address | None = None
    event: SafeText | None = None  # subscribe, unsubscribe, scan, click, view
    event_key: SafeText | None = None
    profile_name: SafeText | None = None
    locale: SafeText | None = None  # the messenger's language hint, if any
    received_at: datetime | None = None
    referral: Referral | None = None  # the ad or post the customer came from, when the messenger says
    #: Who wrote a ``SHOP`` message: a staff member's name, or the messenger's own app.
    author: SafeText | None = None
    #: With tracing on, the W3C ``traceparent`` of the webhook that brought it (:mod:`chatshop.tracing`):
    #: the inbox keeps it, so the turn and the replies link to that webhook on any worker.
    trace: SafeText | None = None

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with ``update`` applied, validated like a new message (pydantic's own skips it)."""
        if not update:
            return super().model_copy(deep=deep)
        return self.model_validate({**dict(self), **update})

    def reference(self) -> Inbound:
        """This message by identity alone (channel, customer, id, kind, language hint, and the trace
        it belongs to), without what the customer wrote: what a reply carries in its outbox row as
        the message it answers, so the outbox keeps no second copy of texts, addresses or locations.

        Validated like any message: with a few fields set, pydantic-core does it in about half the
        time of ``model_construct``, which fills each of the other fields' defaults in Python."""
        return type(self)(
            channel=self.channel,
            customer_id=self.customer_id,
            message_id=self.message_id,
            kind=self.kind,
            locale=self.locale,
            trace=self.trace,
        )

    @property
    def customer_key(self) -> str:
        """The customer's identity across the core: the channel plus its own id."""
        return f"{self.channel}:{self.customer_id}"

    @property
    def from_customer(self) -> bool:
        """The customer sent it (everything but the shop's own ``SHOP`` messages)."""
        return self.kind is not InboundKind.SHOP


class Choice(_Model):
    """One option the customer can pick. ``id`` comes back as :attr:`Inbound.choice_id`."""

    id: str = Field(min_length=1, max_length=200)
    title: str
    description: str | None = None


class Section(_Model):
    title: str | None = None
    choices: tuple[Choice, ...]


class Text(_Model):
    kind: Literal["text"] = "text"
    body: str


class Buttons(_Model):
    """A few quick-reply choices under a body text (WhatsApp reply buttons)."""

    kind: Literal["buttons"] = "buttons"
    body: str
    choices: tuple[Choice, ...]
    header: str | None = None
    footer: str | None = None
    image_url: str | None = None


class ChoiceList(_Model):
    """A longer menu in sections behind one button (WhatsApp list, WeChat msgmenu)."""

    kind: Literal["list"] = "list"
    body: str
    button: str
    sections: tuple[Section, ...]
    header: str | None = None
    footer: str | None = None

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(c for s in self.sections for c in s.choices)


class ProductCard(_Model):
    """One product with its picture, price and actions."""

    kind: Literal["product"] = "product"
    product_id: str
    title: str
    body: str
    price: Money
    image_url: str | None = None
    url: str | None = None
    choices: tuple[Choice, ...] = ()


class ProductList(_Model):
    """Products from the messenger's native catalog (WhatsApp ``product_list``)."""

    kind: Literal["product_list"] = "product_list"
    header: str
    body: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (section title, product ids)
    footer: str | None = None
    #: The products' names with their prices, shown where the messenger's catalog cannot show them
    #: (a product missing from it): never a list the customer cannot read.
    lines: tuple[str, ...] = ()


class CatalogMessage(_Model):
    """An invitation to open the messenger's native catalog."""

    kind: Literal["catalog"] = "catalog"
    body: str
    thumbnail_product_id: str | None = None
    footer: str | None = None


class Image(_Model):
    kind: Literal["image"] = "image"
    url: str
    caption: str | None = None


class Document(_Model):
    """A file for the customer to keep (an invoice PDF): a document message where the messenger has
    one (WhatsApp), else a link in the text."""

    kind: Literal["document"] = "document"
    url: str
    filename: str
    caption: str | None = None


class SavedAddress(_Model):
    """One address the customer let the shop remember, offered in a messenger's address form."""

    id: str
    line: str
    postal_code: str
    name: str | None = None


class AddressRequest(_Model):
    """Ask for the delivery address with the messenger's own form (WhatsApp's ``address_message``,
    India only): the customer's saved addresses to pick from, fields filled in, and errors to fix
    (a PIN code the shop does not deliver to). A channel without one shows ``body`` as text."""

    kind: Literal["address_request"] = "address_request"
    body: str
    country: str = "IN"
    saved: tuple[SavedAddress, ...] = ()
    values: dict[str, str] = Field(default_factory=dict)  # the form's fields: in_pin_code, address, city
    errors: dict[str, str] = Field(default_factory=dict)  # field -> what is wrong with it


class OrderLine(_Model):
    product_id: str  # what was bought: a product's SKU, or a variant's
    title: str
    quantity: int
    unit_price: Money
    product: str | None = None  # a variant: the product it is a variant of
    options: tuple[tuple[str, str], ...] = ()  # a variant: its option values (("Weight", "5 kg"),)


class OrderSummary(_Model):
    """What a payment request or status update says about the order."""

    number: str
    lines: tuple[OrderLine, ...]
    subtotal: Money
    adjustments: tuple[tuple[str, Money], ...] = ()  # (label, amount): delivery, COD fee, discount
    total: Money


class PaymentRequest(_Model):
    """Ask the customer to pay: a link, a QR code URL, or the messenger's in-chat payment."""

    kind: Literal["payment_request"] = "payment_request"
    method: str
    body: str
    order: OrderSummary
    url: str | None = None
    expires_at: datetime | None = None
    choices: tuple[Choice, ...] = ()
    data: dict[str, Any] = Field(default_factory=dict)  # method-specific hints for the channel


class OrderStatusUpdate(_Model):
    """Tell the customer their order moved (shipped, delivered, cancelled, paid)."""

    kind: Literal["order_status"] = "order_status"
    order_number: str
    status: str
    body: str
    payment_method: str | None = None
    notification: bool = True  # may go out outside the messenger's reply window (as a template)
    #: A page the customer may open (a shipment's tracking): a button where the messenger has URL
    #: buttons (``Capabilities.url_buttons``), else the address is written under the body.
    url: str | None = None
    url_label: str | None = None


class Marketing(_Model):
    """A marketing message the shop sends on its own initiative where free-form text cannot go (outside
    WhatsApp's 24-hour window): the approved template the shop set for ``topic`` (``cart_reminder``,
    ``back_in_stock``), ``parameters`` for its body, ``subject`` for its buttons (a product's id).
    The core sends it only to a customer who opted in, and only on a channel that has the template
    (``Channel.sends_marketing``). ``body`` says the same in words, for logs and text renderings."""

    kind: Literal["marketing"] = "marketing"
    topic: str
    body: str
    parameters: tuple[str, ...] = ()
    subject: str | None = None


Outbound = Annotated[
    Text
    | Buttons
    | ChoiceList
    | ProductCard
    | ProductList
    | CatalogMessage
    | Image
    | Document
    | AddressRequest
    | PaymentRequest
    | OrderStatusUpdate
    | Marketing,
    Field(discriminator="kind"),
]


def lead_with(text: str, messages: list[Outbound]) -> list[Outbound]:
    """``text`` and the ``messages`` after it as one message where the first has a body of its own
    to open with (a payment link, a question): one reply instead of two, and each message a
    customer receives is one the shop may pay for. A status update keeps its own words."""
    if messages:
        first = messages[0]
        if isinstance(first, Text | Buttons | ChoiceList | PaymentRequest):
            return [first.model_copy(update={"body": f"{text}\n\n{first.body}"}), *messages[1:]]
    return [Text(body=text), *messages]


class _OutboundBox(BaseModel):
    message: Outbound


def outbound_from_json(data: dict[str, Any]) -> Outbound:
    """Rebuild an outbound message stored in the outbox."""
    return _OutboundBox.model_validate({"message": data}).message


def outbound_to_json(message: Outbound) -> dict[str, Any]:
    return message.model_dump(mode="json")


def outbound_to_json_text(message: Outbound) -> str:
    """The message as compact JSON text, as :func:`outbound_from_json_text` reads it back."""
    return message.model_dump_json()


def outbound_from_json_text(text: str) -> Outbound:
    """Rebuild an outbound message from its JSON text in one pass (the outbox reads every reply)."""
    return _OutboundBox.model_validate_json(f'{{"message":{text}}}').message


class DeliveryState(StrEnum):
    """What the messenger says became of a message we sent."""

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class DeliveryReport(_Model):
    """A messenger's word on a message we sent; its texts are made safe like an inbound's."""

    channel: SafeText
    provider_message_id: SafeText
    state: DeliveryState
    customer_id: SafeText | None = None
    error_code: SafeText | None = None
    error_title: SafeText | None = None
