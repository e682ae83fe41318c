"""WeChat push fields -> the core's :class:`Inbound` (or a template delivery report).

Dedup keys follow WeChat's own advice: ``MsgId`` for messages, ``FromUserName`` + ``CreateTime``
for events (plus the event name and key, which a retry repeats unchanged).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from chatshop.messages import DeliveryReport, DeliveryState, Inbound, InboundKind, Location

from .menu import choice_for_key

__all__ = ["CHANNEL", "MESSAGE_PREFIX", "InboundRejected", "parse_push"]

CHANNEL = "wechat"
MEDIA_TYPES = {"image", "voice", "video", "shortvideo", "link", "file"}
#: The start of a message's id (``msg:<MsgId>``); an event's is ``evt:``.
MESSAGE_PREFIX = "msg:"


class InboundRejected(ValueError):
    """The push lacks a field every WeChat push carries."""


def parse_push(fields: dict[str, str]) -> Inbound | DeliveryReport:
    """Translate one decrypted push; unknown message types become ``UNSUPPORTED``, never errors."""
    sender = fields.get("FromUserName", "")
    created = fields.get("CreateTime", "")
    msg_type = fields.get("MsgType", "")
    if not sender or not created.isdigit() or not msg_type:
        raise InboundRejected("FromUserName, CreateTime and MsgType are required")
    received_at = _moment(created)
    if msg_type == "event":
        return _event(fields, sender, created, received_at)
    msg_id = fields.get("MsgId", "")
    if not msg_id:
        raise InboundRejected("a message without MsgId")
    base = Inbound(
        channel=CHANNEL,
        customer_id=sender,
        message_id=f"{MESSAGE_PREFIX}{msg_id}",
        kind=InboundKind.UNSUPPORTED,
        event=msg_type[:40],
        received_at=received_at,
    )
    if msg_type == "text":
        content = fields.get("Content", "")
        menu_id = fields.get("bizmsgmenuid", "")
        if menu_id:
            return _with(base, kind=InboundKind.CHOICE, choice_id=menu_id, text=content, event=None)
        return _with(base, kind=InboundKind.TEXT, text=content, event=None)
    if msg_type == "location":
        return _with(base, kind=InboundKind.LOCATION, location=_location(fields), event=None)
    if msg_type == "voice" and fields.get("Recognition"):
        return _with(base, kind=InboundKind.TEXT, text=fields["Recognition"], event=None)
    if msg_type in MEDIA_TYPES:
        return _with(base, kind=InboundKind.MEDIA)
    return base


def _with(base: Inbound, **changes: object) -> Inbound:
    return base.model_copy(update=changes)


def _location(fields: dict[str, str]) -> Location:
    try:
        latitude = float(fields.get("Location_X", ""))
        longitude = float(fields.get("Location_Y", ""))
    except ValueError:
        raise InboundRejected("a location without coordinates") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InboundRejected("coordinates out of range")
    label = fields.get("Label") or None
    return Location(latitude=latitude, longitude=longitude, address=label)


def _moment(created: str) -> datetime:
    """``CreateTime`` (Unix seconds) as a time; one no calendar holds is not a WeChat push."""
    try:
        return datetime.fromtimestamp(int(created), UTC)
    except (OverflowError, OSError, ValueError):
        raise InboundRejected("CreateTime out of range") from None


def _event_id(sender: str, created: str, event: str, key: str | None) -> str:
    """Sender, CreateTime and event, as WeChat advises, plus the key: a retry repeats all four, while
    two menu buttons tapped within one second are two taps."""
    base = f"evt:{sender}:{created}:{event}"
    if not key:
        return base
    if len(key) > 64:  # a VIEW event's key is a whole URL
        key = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{base}:{key}"


def _event(fields: dict[str, str], sender: str, created: str, received_at: datetime) -> Inbound | DeliveryReport:
    event = fields.get("Event", "")
    key = fields.get("EventKey") or None
    if event == "TEMPLATESENDJOBFINISH":
        status = fields.get("Status", "")
        return DeliveryReport(
            channel=CHANNEL,
            provider_message_id=f"tpl:{fields.get('MsgID') or fields.get('MsgId', '')}",
            state=DeliveryState.DELIVERED if status == "success" else DeliveryState.FAILED,
            customer_id=sender,
            error_title=None if status == "success" else status[:100],
        )
    base = Inbound(
        channel=CHANNEL,
        customer_id=sender,
        message_id=_event_id(sender, created, event, key),
        kind=InboundKind.EVENT,
        event=event.lower()[:40] or "unknown",
        event_key=key,
        received_at=received_at,
    )
    if event == "CLICK" and key:
        return _with(base, kind=InboundKind.CHOICE, choice_id=choice_for_key(key))
    if event == "subscribe":
        scene = key.removeprefix("qrscene_") if key and key.startswith("qrscene_") else None
        return _with(base, event_key=scene)
    return base
