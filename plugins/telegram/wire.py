"""Telegram's ``Update`` objects as the shop's :class:`Inbound` messages (Bot API, private chats).

One update is one message: ``update_id`` is the inbox's key, so a redelivered update is dropped.
A tapped inline button (``callback_query``) is a choice whose id is the button's ``callback_data``
as it came; its query id rides along in ``event_key`` so the channel can answer the tap.
Groups and channels are not shops' customers: their updates are acknowledged and ignored.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any, TypeGuard

from chatshop.messages import Inbound, InboundKind, Location

__all__ = ["CALLBACK", "parse_update"]

#: ``Inbound.event`` of a tapped inline button.
CALLBACK = "callback_query"
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}")
_MEDIA = ("photo", "sticker", "voice", "video", "video_note", "audio", "document", "animation")


def _user(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}


def _integer(value: Any) -> TypeGuard[int]:
    """A JSON integer (``true`` reads as Python's ``True``, an ``int`` too, and names nobody)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _time(date: Any) -> datetime | None:
    if not _integer(date):
        return None
    try:
        return datetime.fromtimestamp(date, UTC)
    except (OverflowError, OSError, ValueError):  # past what the platform's clock holds
        return None


def _place(location: dict[str, Any]) -> tuple[float, float] | None:
    """A location's coordinates, when they name a place on earth (NaN would not survive the inbox)."""
    try:
        latitude, longitude = float(location["latitude"]), float(location["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return latitude, longitude


def _base(update_id: int, user: dict[str, Any], date: Any) -> dict[str, Any]:
    name = " ".join(str(p) for p in (user.get("first_name"), user.get("last_name")) if p) or None
    language = user.get("language_code")
    return {
        "channel": "telegram",
        "customer_id": str(user["id"]),
        "message_id": str(update_id),
        "profile_name": name,
        "locale": language if isinstance(language, str) else None,
        "received_at": _time(date),
    }


def parse_update(update: dict[str, Any]) -> Inbound | None:
    """The customer's message in ``update``, or None for what a shop does not answer."""
    update_id = update.get("update_id")
    if not _integer(update_id):
        raise ValueError("an update without update_id")
    query = update.get("callback_query")
    if isinstance(query, dict):
        return _tap(update_id, query)
    message = update.get("message")
    if not isinstance(message, dict):
        return None  # edits, channel posts, member changes, polls: nothing to answer
    chat = message.get("chat")
    user = _user(message.get("from"))
    if not isinstance(chat, dict) or chat.get("type") != "private" or not _integer(user.get("id")):
        return None
    base = _base(update_id, user, message.get("date"))
    text = message.get("text")
    if isinstance(text, str):
        command, _, rest = text.partition(" ")
        name = command.split("@", 1)[0]
        if name == "/start":  # the chat was opened (a deep link's payload in rest)
            return Inbound(kind=InboundKind.EVENT, event="subscribe", event_key=rest.strip() or None, **base)
        if _COMMAND.fullmatch(name):  # a bot command from the menu: /cart is the word "cart"
            text = " ".join(part for part in (name[1:], rest.strip()) if part)
        return Inbound(kind=InboundKind.TEXT, text=text, **base)
    place = message.get("venue") if isinstance(message.get("venue"), dict) else None
    location = (place or {}).get("location") or message.get("location")
    if isinstance(location, dict):
        coordinates = _place(location)
        if coordinates is None:
            return Inbound(kind=InboundKind.UNSUPPORTED, **base)
        found = Location(
            latitude=coordinates[0],
            longitude=coordinates[1],
            name=place.get("title") if place else None,
            address=place.get("address") if place else None,
        )
        return Inbound(kind=InboundKind.LOCATION, location=found, **base)
    if any(kind in message for kind in _MEDIA):
        caption = message.get("caption")
        return Inbound(kind=InboundKind.MEDIA, text=caption if isinstance(caption, str) else None, **base)
    return Inbound(kind=InboundKind.UNSUPPORTED, **base)


def _tap(update_id: int, query: dict[str, Any]) -> Inbound | None:
    user = _user(query.get("from"))
    data = query.get("data")
    if not _integer(user.get("id")) or not isinstance(data, str) or not data:
        return None  # a game button: nothing of ours
    message = query.get("message")
    date = message.get("date") if isinstance(message, dict) else None
    base = _base(update_id, user, date)
    base["received_at"] = None  # the date is the tapped message's, not the tap's
    query_id = query.get("id")  # without one there is no spinner to stop
    answer = query_id if isinstance(query_id, str) and query_id else None
    return Inbound(kind=InboundKind.CHOICE, choice_id=data, event=CALLBACK, event_key=answer, **base)
