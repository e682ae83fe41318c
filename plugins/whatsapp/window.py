"""The 24-hour customer service window.

Free-form messages reach a customer only within 24 hours of their last message; after that only
templates do. The core already records when each customer last wrote (``shop.last_message_at``),
so the window costs no write of its own. Meta tells us a window closed only after the fact (a
``failed`` status with 131047); that refusal is kept in the channel's key-value space, so every
worker sees it.

Customers this process heard from recently are remembered in memory: a window known to have opened
less than 24 hours ago is open, so a reply to a customer who just wrote needs no database read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatshop.kv import KeyValueSpace

#: When a customer last wrote, by customer key (``shop.last_message_at``).
LastMessage = Callable[[str], Awaitable[datetime | None]]

__all__ = ["WINDOW", "ConversationWindow"]

WINDOW = timedelta(hours=24)
#: A customer who came from a click-to-WhatsApp ad (or a Page's button) opens a free entry-point
#: window: for 72 hours every message to them is free.
ENTRY_POINT_WINDOW = timedelta(hours=72)
_KEEP = timedelta(days=30)
#: Customers remembered per process; the rest are read from the store when needed.
_REMEMBERED = 100_000


def _now() -> datetime:
    return datetime.now(UTC)


class ConversationWindow:
    def __init__(
        self,
        space: Callable[[], KeyValueSpace],
        last_message: LastMessage,
        channel: str,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._space = space
        self._last_message = last_message
        self._channel = channel
        self._clock = clock
        self._recent: OrderedDict[str, datetime] = OrderedDict()
        #: Free entry-point windows this process saw open, by customer (an estimate: the first reply
        #: after the ad opens it; another worker counts those messages as service ones).
        self._free_until: dict[str, datetime] = {}

    def _closed_key(self, customer_id: str) -> str:
        return f"window:closed:{customer_id}"  # in the channel's space: whatsapp:window:closed:ID

    def opened(self, customer_id: str, at: datetime | None = None) -> None:
        """The customer wrote at ``at``: the window is open for 24 hours from then."""
        at = at or self._clock()
        last = self._recent.get(customer_id)
        if last is None or at > last:  # a redelivered old message never moves the window back
            self._recent[customer_id] = at
            self._recent.move_to_end(customer_id)
            if len(self._recent) > _REMEMBERED:
                self._recent.popitem(last=False)

    def entry_point(self, customer_id: str, at: datetime | None = None) -> None:
        """The customer wrote from a click-to-WhatsApp ad at ``at``: messages to them are free for 72 hours."""
        until = (at or self._clock()) + ENTRY_POINT_WINDOW
        if len(self._free_until) > _REMEMBERED:
            now = self._clock()
            self._free_until = {c: t for c, t in self._free_until.items() if t > now}
        self._free_until[customer_id] = max(until, self._free_until.get(customer_id, until))

    def free(self, customer_id: str) -> bool:
        """Whether a message to the customer falls in a free entry-point window now."""
        until = self._free_until.get(customer_id)
        return until is not None and self._clock() < until

    async def closed(self, customer_id: str, at: datetime | None = None) -> None:
        """Meta refused a message with 131047: the window is closed as of ``at``."""
        self._recent.pop(customer_id, None)
        when = at or self._clock()
        await self._space().set(self._closed_key(customer_id), when.isoformat(), ttl=_KEEP)

    async def is_open(self, customer_id: str) -> bool:
        """Closed when the last message is over 24 hours old or Meta refused one since it.

        With no record at all we cannot know, and let Meta decide (its refusal then closes it).
        """
        now = self._clock()
        remembered = self._recent.get(customer_id)
        if remembered is not None and now - remembered < WINDOW:
            return True
        written = await self._last_message(f"{self._channel}:{customer_id}")
        last = max((t for t in (remembered, written) if t is not None), default=None)
        raw = await self._space().get(self._closed_key(customer_id))
        refused = datetime.fromisoformat(raw) if raw else None
        if last is None:
            return refused is None
        if refused is not None and refused >= last.replace(microsecond=0):  # Meta's times are whole seconds
            return False
        return now - last < WINDOW
