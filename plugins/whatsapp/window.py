"""The 24-hour customer service window, tracked per customer in the shop's shared key-value store.

Free-form messages reach a customer only within 24 hours of their last message; after that only
templates do. Meta tells us a window closed only after the fact (a ``failed`` status with 131047),
so we keep the time of each customer's last message ourselves and the time Meta last refused one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatshop.store.base import Store

__all__ = ["WINDOW", "ConversationWindow"]

WINDOW = timedelta(hours=24)
_KEEP = timedelta(days=30)


def _now() -> datetime:
    return datetime.now(UTC)


class ConversationWindow:
    def __init__(self, store: Callable[[], Store], channel: str, clock: Callable[[], datetime] = _now) -> None:
        self._store = store
        self._prefix = f"{channel}:window"
        self._clock = clock

    async def _get(self, kind: str, customer_id: str) -> datetime | None:
        raw = await self._store().kv_get(f"{self._prefix}:{kind}:{customer_id}", self._clock())
        return datetime.fromisoformat(raw) if raw else None

    async def _set(self, kind: str, customer_id: str, at: datetime) -> None:
        key = f"{self._prefix}:{kind}:{customer_id}"
        await self._store().kv_set(key, at.isoformat(), expires_at=self._clock() + _KEEP)

    async def opened(self, customer_id: str, at: datetime | None = None) -> None:
        """The customer wrote at ``at``: the window is open for 24 hours from then."""
        at = at or self._clock()
        last = await self._get("in", customer_id)
        if last is None or at > last:  # a redelivered old message never moves the window back
            await self._set("in", customer_id, at)

    async def closed(self, customer_id: str, at: datetime | None = None) -> None:
        """Meta refused a message with 131047: the window is closed as of ``at``."""
        await self._set("closed", customer_id, at or self._clock())

    async def is_open(self, customer_id: str) -> bool:
        """Closed when the last message is over 24 hours old or Meta refused one since it.

        With no record at all we cannot know, and let Meta decide (its refusal then closes it).
        """
        last = await self._get("in", customer_id)
        refused = await self._get("closed", customer_id)
        if last is None:
            return refused is None
        if refused is not None and refused >= last:
            return False
        return self._clock() - last < WINDOW
