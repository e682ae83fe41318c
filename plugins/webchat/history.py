"""Each web chat customer's conversation, kept so that a refresh or a reconnect redraws it.

The history lives in the store's key-value table (one JSON list per customer, newest
``history_limit`` entries), so it survives restarts and is shared by workers on one database. Writes
for one customer are serialized in this process; two workers appending for the same customer at the
same instant could lose an entry's echo (never the message itself: the shop's inbox and outbox are
the record), which is why a shop with several workers should keep a customer on one worker.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from chatshop.kv import KeyValueSpace
from chatshop.messages import Outbound, outbound_from_json, outbound_to_json

__all__ = ["Entry", "History"]

Who = Literal["shop", "customer"]
LOCK_STRIPES = 64


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the chat: something the shop sent, or something the customer typed or tapped."""

    seq: int
    who: Who
    message: Outbound | None = None  # what the shop sent
    text: str | None = None  # what the customer typed, or the title of what they tapped
    message_id: str | None = None  # the customer's message id, to ignore a message sent twice

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"seq": self.seq, "who": self.who}
        if self.message is not None:
            data["message"] = outbound_to_json(self.message)
        if self.text is not None:
            data["text"] = self.text
        if self.message_id is not None:
            data["message_id"] = self.message_id
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        message = data.get("message")
        return cls(
            seq=int(data["seq"]),
            who="shop" if data.get("who") == "shop" else "customer",
            message=outbound_from_json(message) if message else None,
            text=data.get("text"),
            message_id=data.get("message_id"),
        )


class History:
    def __init__(self, space: KeyValueSpace, *, limit: int, keep_days: int) -> None:
        self.space = space  # the channel's: history:CUSTOMER_ID, erased with the customer
        self.limit = limit
        self.keep = timedelta(days=keep_days)
        # Striped locks: one customer's writes never interleave, and memory stays flat however
        # many customers come by.
        self._locks = [asyncio.Lock() for _ in range(LOCK_STRIPES)]

    @staticmethod
    def _key(customer_id: str) -> str:
        return f"history:{customer_id}"

    async def entries(self, customer_id: str, after: int = 0) -> list[Entry]:
        return [e for e in await self._load(customer_id) if e.seq > after]

    async def add_shop(self, customer_id: str, message: Outbound) -> Entry:
        entry = await self._append(customer_id, "shop", message=message)
        assert entry is not None  # only a customer's message id can repeat
        return entry

    async def add_customer(self, customer_id: str, text: str, message_id: str) -> Entry | None:
        """Record what the customer said; None if this message id is already there."""
        return await self._append(customer_id, "customer", text=text, message_id=message_id)

    async def _load(self, customer_id: str) -> list[Entry]:
        raw = await self.space.get(self._key(customer_id))
        if not raw:
            return []
        return [Entry.from_json(item) for item in json.loads(raw)]

    async def _append(
        self,
        customer_id: str,
        who: Who,
        *,
        message: Outbound | None = None,
        text: str | None = None,
        message_id: str | None = None,
    ) -> Entry | None:
        async with self._locks[zlib.crc32(customer_id.encode()) % LOCK_STRIPES]:
            entries = await self._load(customer_id)
            if message_id is not None and any(e.message_id == message_id for e in entries):
                return None
            entry = Entry(entries[-1].seq + 1 if entries else 1, who, message, text, message_id)
            entries = [*entries, entry][-self.limit :]
            payload = json.dumps([e.to_json() for e in entries], ensure_ascii=False, separators=(",", ":"))
            await self.space.set(self._key(customer_id), payload, ttl=self.keep)
            return entry
