"""Which ad or post brought a customer, kept with their conversation and copied onto their order.

A customer who taps a click-to-chat ad arrives with a referral (``Inbound.referral``). The shop
keeps it for a week beside the conversation (erased with the customer, purged when it lapses) and
an order placed meanwhile carries it, so the shop sees which ad sold. WhatsApp makes every message
of the 72 hours after such an entry free (its "free entry point" window): the referral says until when.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatshop.messages import Inbound
    from chatshop.store.base import Store

__all__ = ["FREE_ENTRY_WINDOW", "KEPT_FOR", "recall", "remember"]

#: How long after the click an order still counts as the ad's.
KEPT_FOR = timedelta(days=7)
#: WhatsApp's free entry point window: messages are not charged for this long after the entry.
FREE_ENTRY_WINDOW = timedelta(hours=72)


def _key(customer_key: str) -> str:
    # "<channel>:...:<customer id>", as the store's erasure of a customer finds their values.
    channel, _, customer_id = customer_key.partition(":")
    return f"{channel}:referral:{customer_id}"


async def remember(store: Store, inbound: Inbound) -> None:
    """Keep the message's referral (the newest wins: the ad that brought them back this time)."""
    if inbound.referral is None:
        return
    at = inbound.received_at or datetime.now(UTC)
    data: dict[str, Any] = {
        **inbound.referral.model_dump(exclude_none=True),
        "at": at.isoformat(),
        "free_until": (at + FREE_ENTRY_WINDOW).isoformat(),
    }
    await store.kv_set(_key(inbound.customer_key), json.dumps(data), expires_at=at + KEPT_FOR)


async def recall(store: Store, customer_key: str, now: datetime) -> dict[str, str] | None:
    """The referral kept for the customer, if one is recent enough."""
    raw = await store.kv_get(_key(customer_key), now)
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None
