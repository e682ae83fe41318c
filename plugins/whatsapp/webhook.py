"""Meta's webhook JSON, parsed into the core's normalized messages.

One POST may carry many entries, each with many changes, each with many messages and statuses;
every one of them is read. Numbers with decimals (``item_price``) are read as ``Decimal`` so a
native-catalog cart keeps exact prices.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import structlog

from chatshop.messages import (
    Address,
    CartItem,
    DeliveryReport,
    DeliveryState,
    Inbound,
    InboundKind,
    Location,
    Referral,
)
from chatshop.money import Money, MoneyError

__all__ = ["PaymentStatus", "Preference", "StatusUpdate", "WebhookBatch", "load_body", "parse_webhook"]

log = structlog.get_logger(__name__)
T = TypeVar("T")

_MEDIA = frozenset({"image", "audio", "video", "document", "sticker", "voice"})
#: Nothing to answer: a reaction, a system notice, a message the customer deleted ("revoke").
_IGNORED = frozenset({"reaction", "system", "ephemeral", "revoke"})
#: A catalog price with more integer digits than this is no price (and would not survive the inbox).
_MAX_PRICE_DIGITS = 12
_NO_TIME = datetime.min.replace(tzinfo=UTC)
#: The webhook field of what the owner sends from the WhatsApp Business app on the same number
#: ("coexistence"); the shop subscribes to it in the app's webhook settings.
ECHOES = "smb_message_echoes"
#: Who wrote an echo, in the transcript.
ECHO_AUTHOR = "WhatsApp Business app"
_STATES = {
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "read": DeliveryState.READ,
    "played": DeliveryState.READ,
    "failed": DeliveryState.FAILED,
}


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """What became of one of our messages, with the time Meta gives it."""

    report: DeliveryReport
    timestamp: datetime | None
    error_codes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PaymentStatus:
    """A ``type: payment`` status: an in-chat payment moved (captured, pending, failed attempt)."""

    status_id: str
    reference_id: str
    status: str
    amount: Money | None
    customer_id: str | None
    transaction_id: str | None = None
    transaction_status: str | None = None
    timestamp: datetime | None = None


@dataclass(frozen=True, slots=True)
class Preference:
    """A customer stopped or resumed marketing messages in WhatsApp itself (``user_preferences``)."""

    customer_id: str
    opted_in: bool
    timestamp: datetime | None


@dataclass(slots=True)
class WebhookBatch:
    inbound: list[Inbound] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    payments: list[PaymentStatus] = field(default_factory=list)
    preferences: list[Preference] = field(default_factory=list)
    #: Customers whose message came from a click-to-WhatsApp ad (``referral``), with its time.
    entry_points: list[tuple[str, datetime | None]] = field(default_factory=list)
    errors: list[Mapping[str, Any]] = field(default_factory=list)
    ignored: int = 0


def load_body(body: bytes) -> Any:
    """Parse the raw body; decimals stay exact."""
    return json.loads(body, parse_float=Decimal)


def parse_webhook(
    payload: Any, channel: str, phone_number_id: str | None = None, catalog_id: str | None = None
) -> WebhookBatch:
    """Everything in one webhook POST. Changes for another phone number are skipped and counted;
    ``catalog_id`` is the shop's catalog, against which a native cart's is checked."""
    batch = WebhookBatch()
    if not isinstance(payload, dict):
        return batch
    for _, value in _values(payload, "user_preferences"):
        if _other_number(value, phone_number_id):
            batch.ignored += 1
            continue
        for item in _list(value.get("user_preferences")):
            preference = _isolated(_preference, item)
            if preference is None:
                batch.ignored += 1
            else:
                batch.preferences.append(preference)
    for field_name, value in _values(payload, "messages", ECHOES):
        metadata = _mapping(value.get("metadata"))
        number = metadata.get("phone_number_id")
        if phone_number_id and number and str(number) != phone_number_id:
            batch.ignored += 1
            log.warning("whatsapp.update_for_other_number", phone_number_id=str(number))
            continue
        if field_name == ECHOES:
            for echo in _list(value.get("message_echoes")):
                inbound = _isolated(_echo, echo, channel)
                if inbound is None:
                    batch.ignored += 1
                else:
                    batch.inbound.append(inbound)
            continue
        names = _profile_names(value)
        for message in _list(value.get("messages")):
            inbound = _isolated(_inbound, message, channel, names, catalog_id)
            if inbound is None:
                batch.ignored += 1
            else:
                batch.inbound.append(inbound)
                if isinstance(message.get("referral"), dict):
                    batch.entry_points.append((inbound.customer_id, inbound.received_at))
        for status in _list(value.get("statuses")):
            if status.get("type") == "payment":
                payment = _isolated(_payment, status)
                if payment is not None:
                    batch.payments.append(payment)
            else:
                update = _isolated(_status, status, channel)
                if update is not None:
                    batch.statuses.append(update)
        batch.errors.extend(_list(value.get("errors")))
    # Meta does not promise order, even inside one POST: a customer's "milk" then "1" (the first
    # option of the reply to "milk") must be read in the order they were written. Stable: messages
    # of the same second keep the order Meta gave them.
    batch.inbound.sort(key=lambda inbound: inbound.received_at or _NO_TIME)
    return batch


def _isolated(parse: Callable[..., T | None], update: Mapping[str, Any], *args: Any) -> T | None:
    """``parse(update, ...)``, or None (logged) when the update is malformed in a way no rule here
    foresaw: one such update is skipped, and the batch's other messages are still accepted, rather
    than the whole POST answered 500 and every message in it resent by Meta for days.

    Only the update's kind and the error's type are logged: its fields may hold a phone number.
    """
    try:
        return parse(update, *args)
    except Exception as e:
        kind = update.get("type")
        log.warning(
            "whatsapp.update_unreadable",
            kind=kind if isinstance(kind, str) and kind.isidentifier() else None,
            error=type(e).__name__,
        )
        return None


def _other_number(value: Mapping[str, Any], phone_number_id: str | None) -> bool:
    number = _mapping(value.get("metadata")).get("phone_number_id")
    return bool(phone_number_id and number and str(number) != phone_number_id)


def _preference(item: Mapping[str, Any]) -> Preference | None:
    """One ``user_preferences`` item: ``category`` ``marketing_messages``, ``value`` stop or resume."""
    customer = customer_of(item.get("wa_id"), item.get("user_id"))
    value = item.get("value")
    if customer is None or item.get("category") != "marketing_messages" or value not in ("stop", "resume"):
        return None
    return Preference(customer, value == "resume", _timestamp(item.get("timestamp")))


def _values(payload: Mapping[str, Any], *wanted: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The ``value`` of every change of the ``wanted`` fields, with its field's name."""
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes")):
            field_name = change.get("field", "messages")
            if field_name not in wanted:
                continue
            value = change.get("value")
            if isinstance(value, dict):
                yield field_name, value


# JSON objects load as dicts: ``isinstance(x, dict)`` says the same as ``Mapping`` here, several
# times faster (an ABC check), and a webhook asks it dozens of times.
def _list(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return _whole(value) if isinstance(value, str) and value else None


#: Half of a UTF-16 pair (``\ud83d`` from a message cut inside an emoji): JSON allows it, but no
#: database stores it, and a batch refused with a 500 would come back, refused again, for 7 days.
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _whole(text: str) -> str:
    """``text`` with any lone surrogate as U+FFFD, the character that says one was lost."""
    return text if text.isascii() else _SURROGATES.sub("\ufffd", text)


#: Control characters no keyboard types (all but tab and newline): a NUL breaks PostgreSQL's jsonb,
#: an ESC sequence would paint the terminal of whoever lists the orders.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _words(value: Any) -> str | None:
    """What a customer wrote, without control characters."""
    text = _text(value)
    return _text(_CONTROLS.sub("", text)) if text else None


def customer_of(wa_id: Any, user_id: Any) -> str | None:
    """Customers are keyed by phone (``wa_id``), by business-scoped user id where it is absent."""
    return _text(wa_id) or _text(user_id)


def _profile_names(value: Mapping[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in _list(value.get("contacts")):
        name = _text(_mapping(contact.get("profile")).get("name"))
        if not name:
            continue
        for key in ("wa_id", "user_id"):
            ident = _text(contact.get(key))
            if ident:
                names[ident] = name
    return names


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):  # OSError: past what the platform's clock holds
        return None


def _inbound(
    message: Mapping[str, Any], channel: str, names: dict[str, str], catalog_id: str | None = None
) -> Inbound | None:
    customer = customer_of(message.get("from"), message.get("from_user_id"))
    message_id = _text(message.get("id"))
    kind = _text(message.get("type"))
    if customer is None or message_id is None or kind in _IGNORED:
        return None
    if kind == "edit":
        # The customer corrected a message (a typo in a search, an address): the new version is
        # what they mean now, read like any message of its kind under the edit's own id.
        edited = _mapping(_mapping(message.get("edit")).get("message"))
        kind = _text(edited.get("type"))
        if kind in _IGNORED or kind == "edit":
            return None
        message = {**edited, "from": message.get("from"), "timestamp": message.get("timestamp")}
    fields = _fields(kind, message)
    if kind == "order" and not _ours(_mapping(message.get("order")), catalog_id):
        # A cart from another business's catalog (a forwarded cart, a second shop on one number):
        # none of it is ours to sell, so it is refused once, not line by line as "no longer sold".
        log.warning("whatsapp.cart_from_other_catalog", customer=customer)
        fields = {**fields, "items": ()}
    return Inbound(
        channel=channel,
        customer_id=customer,
        message_id=message_id,
        profile_name=names.get(customer) or names.get(str(message.get("from_user_id", ""))),
        received_at=_timestamp(message.get("timestamp")),
        referral=_referral(message.get("referral")),
        **fields,
    )


def _ours(order: Mapping[str, Any], catalog_id: str | None) -> bool:
    """Whether a native cart is from the shop's catalog (unknown either side: assumed so)."""
    theirs = order.get("catalog_id")
    return not catalog_id or theirs is None or str(theirs) == catalog_id


def _referral(value: Any) -> Referral | None:
    """A click-to-WhatsApp ad's (or post's) ``referral``: which ad sold, and the click's ``ctwa_clid``."""
    referral = _mapping(value)
    fields = {
        name: _text(referral.get(name))
        for name in ("source_type", "source_id", "source_url", "headline", "body", "media_type", "ctwa_clid")
    }
    if not any(fields.values()):
        return None
    return Referral(**{name: text[:500] for name, text in fields.items() if text})


def _echo(echo: Mapping[str, Any], channel: str) -> Inbound | None:
    """A message the owner sent from the WhatsApp Business app on the shop's number: the shop's
    own word in the conversation (a person is answering), addressed ``to`` the customer."""
    to = _text(echo.get("to"))
    customer = customer_of(re.sub(r"\D", "", to) if to else None, echo.get("to_user_id"))
    message_id = _text(echo.get("id"))
    kind = _text(echo.get("type"))
    if customer is None or message_id is None or kind in _IGNORED:
        return None
    content = _mapping(echo.get(kind)) if kind else {}
    text = _words(content.get("body")) or _words(content.get("caption"))
    if text is None and kind == "interactive":
        text = _words(_mapping(content.get("body")).get("text"))
    return Inbound(
        channel=channel,
        customer_id=customer,
        message_id=message_id,
        kind=InboundKind.SHOP,
        event="echo",
        text=text or (f"[{kind}]" if kind else None),
        author=ECHO_AUTHOR,
        received_at=_timestamp(echo.get("timestamp")),
    )


def _fields(kind: Any, message: Mapping[str, Any]) -> dict[str, Any]:
    """The kind-specific part of an :class:`Inbound`."""
    if kind == "text":
        text = _words(_mapping(message.get("text")).get("body")) or ""
        referred = _text(_mapping(_mapping(message.get("context")).get("referred_product")).get("product_retailer_id"))
        if referred:
            # "Message business" under a product in WhatsApp's catalog: the question is about
            # that product, so the shop answers with it rather than searching the question.
            return {"kind": InboundKind.CHOICE, "choice_id": f"p:{referred}"[:200], "text": text}
        return {"kind": InboundKind.TEXT, "text": text}
    if kind == "interactive":
        return _interactive(_mapping(message.get("interactive")))
    if kind == "button":
        button = _mapping(message.get("button"))
        payload = _text(button.get("payload")) or _text(button.get("text"))
        if payload is None:
            return {"kind": InboundKind.UNSUPPORTED}
        return {
            "kind": InboundKind.CHOICE,
            "choice_id": payload[:200],
            "text": _text(button.get("text")),
        }
    if kind == "location":
        return _location(_mapping(message.get("location")))
    if kind == "order":
        return _order(_mapping(message.get("order")))
    if kind == "request_welcome":
        # The customer opened a chat with the shop for the first time (welcome messages enabled
        # in WhatsApp Manager): no content, an invitation to greet, which opens the service window.
        return {"kind": InboundKind.EVENT, "event": "welcome"}
    if kind in _MEDIA:
        caption = _words(_mapping(message.get(kind)).get("caption"))
        return {"kind": InboundKind.MEDIA, "text": caption}
    if kind == "contacts":
        return _contacts(_list(message.get("contacts")))
    return {"kind": InboundKind.UNSUPPORTED}


def _contacts(cards: list[Mapping[str, Any]]) -> dict[str, Any]:
    """A shared contact card. One with a postal address is a delivery address (to that person, at
    that phone), read as the address form is; one without is a card the shop cannot use, answered
    like a picture rather than as unreadable."""
    for card in cards:
        name = _words(_mapping(card.get("name")).get("formatted_name"))
        phones = [_words(phone.get("phone")) or _words(phone.get("wa_id")) for phone in _list(card.get("phones"))]
        phone = next((p for p in phones if p), None)
        for address in _list(card.get("addresses")):
            street = _words(address.get("street"))
            if not street:
                continue
            city = ", ".join(p for p in (_words(address.get("city")), _words(address.get("state"))) if p) or None
            postal = _words(address.get("zip"))
            line = Address(name=name, phone=phone, line=street, city=city, postal_code=postal)
            return {"kind": InboundKind.ADDRESS, "address": line}
    return {"kind": InboundKind.MEDIA}


def _interactive(interactive: Mapping[str, Any]) -> dict[str, Any]:
    kind = interactive.get("type")
    if kind in ("button_reply", "list_reply"):
        reply = _mapping(interactive.get(kind))
        choice = _text(reply.get("id"))
        if choice is None:
            return {"kind": InboundKind.UNSUPPORTED}
        return {
            "kind": InboundKind.CHOICE,
            "choice_id": choice[:200],
            "text": _text(reply.get("title")),
        }
    if kind == "nfm_reply":
        reply = _mapping(interactive.get("nfm_reply"))
        if reply.get("name") == "address_message":
            address = _address(reply)
            if address is not None:
                return {"kind": InboundKind.ADDRESS, "address": address}
    return {"kind": InboundKind.UNSUPPORTED}


def _address(reply: Mapping[str, Any]) -> Address | None:
    try:
        response = json.loads(str(reply.get("response_json") or "{}"))
    except (json.JSONDecodeError, RecursionError):
        response = {}  # the form's own summary in ``body`` still has the address
    values = _mapping(_mapping(response).get("values"))

    def part(key: str) -> str | None:
        value = values.get(key)
        return _CONTROLS.sub("", _whole(str(value))).strip() or None if value is not None else None

    street = [part(k) for k in ("house_number", "floor_number", "tower_number", "building_name")]
    street += [part("address"), part("landmark_area")]
    line = ", ".join(p for p in street if p) or _words(reply.get("body"))
    if not line:
        return None
    city = ", ".join(p for p in (part("city"), part("state")) if p) or None
    return Address(
        name=part("name"),
        phone=part("phone_number"),
        line=line,
        city=city,
        postal_code=part("in_pin_code"),
    )


def _location(location: Mapping[str, Any]) -> dict[str, Any]:
    try:
        latitude = float(location["latitude"])
        longitude = float(location["longitude"])
    except (KeyError, TypeError, ValueError):
        return {"kind": InboundKind.UNSUPPORTED}
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or abs(latitude) > 90 or abs(longitude) > 180:
        return {"kind": InboundKind.UNSUPPORTED}  # no place on earth (NaN would not even survive the inbox)
    place = Location(
        latitude=latitude,
        longitude=longitude,
        name=_words(location.get("name")),
        address=_words(location.get("address")),
    )
    return {"kind": InboundKind.LOCATION, "location": place}


def _order(order: Mapping[str, Any]) -> dict[str, Any]:
    items: list[CartItem] = []
    for item in _list(order.get("product_items")):
        product_id = _text(item.get("product_retailer_id"))
        quantity = item.get("quantity")
        if product_id is None or isinstance(quantity, bool) or not isinstance(quantity, int | str):
            continue
        try:
            count = int(quantity)
        except ValueError:
            continue
        if count < 1:
            continue
        items.append(CartItem(product_id=product_id, quantity=count, unit_price=_price(item)))
    # No line the shop can read is still an order (the dialog says so), not an unreadable message.
    return {"kind": InboundKind.CART, "items": tuple(items), "text": _text(order.get("text"))}


def _price(item: Mapping[str, Any]) -> Money | None:
    price, currency = item.get("item_price"), item.get("currency")
    if price is None or not isinstance(currency, str):
        return None
    if isinstance(price, Decimal) and (not price.is_finite() or price.adjusted() >= _MAX_PRICE_DIGITS):
        return None  # not a price any shop asks; only compared with ours, so it is left out
    try:
        return Money.parse(price if isinstance(price, Decimal | int) else str(price), currency)
    except MoneyError:
        return None


def _status(status: Mapping[str, Any], channel: str) -> StatusUpdate | None:
    message_id = _text(status.get("id"))
    state = _STATES.get(str(status.get("status")))
    if message_id is None or state is None:
        return None
    errors = _list(status.get("errors"))
    codes = tuple(int(e["code"]) for e in errors if isinstance(e.get("code"), int))
    first = errors[0] if errors else {}
    report = DeliveryReport(
        channel=channel,
        provider_message_id=message_id,
        state=state,
        customer_id=customer_of(status.get("recipient_id"), status.get("recipient_user_id")),
        error_code=str(first["code"]) if "code" in first else None,
        error_title=_text(first.get("title")),
    )
    return StatusUpdate(report=report, timestamp=_timestamp(status.get("timestamp")), error_codes=codes)


def _payment(status: Mapping[str, Any]) -> PaymentStatus | None:
    payment = _mapping(status.get("payment"))
    status_id, reference = _text(status.get("id")), _text(payment.get("reference_id"))
    if status_id is None or reference is None:
        return None
    transaction = _mapping(payment.get("transaction"))
    return PaymentStatus(
        status_id=status_id,
        reference_id=reference,
        status=str(status.get("status", "")),
        amount=amount_of(payment.get("amount"), payment.get("currency")),
        customer_id=customer_of(status.get("recipient_id"), status.get("recipient_user_id")),
        transaction_id=_text(transaction.get("id")),
        transaction_status=_text(transaction.get("status")),
        timestamp=_timestamp(status.get("timestamp")),
    )


def amount_of(amount: Any, currency: Any) -> Money | None:
    """WhatsApp's ``{"value": 124350, "offset": 100}`` as exact money (₹1243.50)."""
    amount = _mapping(amount)
    value, offset = amount.get("value"), amount.get("offset")
    if not isinstance(currency, str) or not isinstance(value, int) or not isinstance(offset, int):
        return None
    if isinstance(value, bool) or offset <= 0:
        return None
    try:
        return Money.parse(Decimal(value) / Decimal(offset), currency)
    except MoneyError:
        return None
