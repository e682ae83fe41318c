"""A customer's word on marketing messages: opted in, opted out, or never said; with when and how.

Marketing messages (a cart reminder or a back-in-stock note outside the messenger's reply window)
go only to customers who opted in; nothing the shop sends on its own initiative goes to one who
opted out ("STOP", WhatsApp's "stop promotions"). What the customer said is kept per customer in
the shop's shared key-value store, under ``CHANNEL:marketing:ID``, so every worker reads the same,
``chatshop forget`` erases it with the rest of the customer, and idle-conversation clean-ups, which
forget carts and addresses, never forget a "no".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from chatshop.store.base import Store

__all__ = ["Consent", "Via", "read_consent", "record_asked", "record_consent"]

#: Where the customer said it: in the chat (a button, a typed word) or through the messenger's own
#: setting (WhatsApp's ``user_preferences`` webhook, a ``131050`` refusal).
Via = Literal["chat", "messenger"]


@dataclass(frozen=True, slots=True)
class Consent:
    opted_in: bool | None = None  # None: never said
    at: datetime | None = None  # when they said it
    via: str | None = None
    asked_at: datetime | None = None  # when the shop asked (it asks once)

    @property
    def allows_marketing(self) -> bool:
        """A marketing message (a template outside the reply window) may go to this customer."""
        return self.opted_in is True

    @property
    def allows_reminders(self) -> bool:
        """A message the shop starts itself inside the reply window may: anyone who did not say no."""
        return self.opted_in is not False

    def to_json(self) -> str:
        return json.dumps(
            {
                "opted_in": self.opted_in,
                "at": self.at.isoformat() if self.at else None,
                "via": self.via,
                "asked_at": self.asked_at.isoformat() if self.asked_at else None,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | None) -> Consent:
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        opted = data.get("opted_in")
        return cls(
            opted_in=opted if isinstance(opted, bool) else None,
            at=_moment(data.get("at")),
            via=data.get("via") if isinstance(data.get("via"), str) else None,
            asked_at=_moment(data.get("asked_at")),
        )


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _key(customer_key: str) -> str:
    channel, _, customer_id = customer_key.partition(":")
    return f"{channel}:marketing:{customer_id}"


async def read_consent(store: Store, customer_key: str, now: datetime) -> Consent:
    return Consent.from_json(await store.kv_get(_key(customer_key), now))


async def record_consent(
    store: Store, customer_key: str, *, opted_in: bool, via: Via, at: datetime, now: datetime
) -> Consent | None:
    """Remember the customer's yes or no as of ``at``; None when a newer word is already kept
    (a webhook redelivered late must not undo what the customer said since)."""
    current = await read_consent(store, customer_key, now)
    if current.at is not None and at < current.at:
        return None
    consent = replace(current, opted_in=opted_in, at=at, via=via)
    await store.kv_set(_key(customer_key), consent.to_json())
    return consent


async def record_asked(store: Store, customer_key: str, at: datetime, current: Consent | None = None) -> None:
    """Remember that the shop asked, so it does not ask again; ``current``: what the caller just
    read of this customer's consent, so it is not read twice."""
    if current is None:
        current = await read_consent(store, customer_key, at)
    await store.kv_set(_key(customer_key), replace(current, asked_at=at).to_json())
