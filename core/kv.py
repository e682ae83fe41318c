"""A plugin's own small durable values, shared by every worker of the shop: ``shop.kv("myplugin")``.

Keys live in the store's ``kv`` table as ``NAMESPACE:KEY``, so two plugins never collide. Values are
text (JSON if you need structure), each with an optional lifetime; an expired value reads as absent
and is purged. In a channel's space (the namespace is the channel's name), a key that ends with
``:CUSTOMER_ID``, or a value holding the customer id as a JSON string, is erased with the customer
by ``chatshop forget`` (and WeChat's unsubscribe).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

__all__ = ["KeyValueSpace", "KeyValueStore"]

_NAMESPACE = re.compile(r"[a-z][a-z0-9_.\-]{0,63}")


class KeyValueStore(Protocol):
    """The store's kv calls and its record of things seen once (:class:`chatshop.store.base.Store`)."""

    async def kv_get(self, key: str, now: datetime) -> str | None: ...

    async def kv_set(self, key: str, value: str, expires_at: datetime | None = None) -> None: ...

    async def record_event(self, source: str, event_id: str) -> bool: ...


class KeyValueSpace:
    """One plugin's keys: ``get``, ``set`` (with a lifetime) and ``delete``, durable and shared."""

    def __init__(self, store: KeyValueStore, namespace: str, clock: Callable[[], datetime]) -> None:
        if not _NAMESPACE.fullmatch(namespace):
            raise ValueError(f"{namespace!r}: a kv namespace is your plugin's name (lower-case letters, digits, _ . -)")
        self.namespace = namespace
        self._store = store
        self._clock = clock

    def _key(self, key: str) -> str:
        if not key:
            raise ValueError("a kv key must not be empty")
        return f"{self.namespace}:{key}"

    async def get(self, key: str) -> str | None:
        """The value, or None when it was never set, was deleted or has expired."""
        return await self._store.kv_get(self._key(key), self._clock())

    async def set(self, key: str, value: str, *, ttl: timedelta | None = None) -> None:
        """Keep ``value`` (for ``ttl``, else until replaced or deleted); the last write wins."""
        if ttl is not None and ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        await self._store.kv_set(self._key(key), value, self._clock() + ttl if ttl is not None else None)

    async def delete(self, key: str) -> None:
        """Forget the value (it reads as absent at once and is purged later)."""
        await self._store.kv_set(self._key(key), "", self._clock())

    async def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed in this space, False ever after, on every worker
        at once (one atomic write): to do something once for a webhook's event id, a nonce, a
        redelivered request. A claim is kept like a provider's event id and never expires."""
        return await self._store.record_event(f"kv:{self.namespace}", self._key(key))
