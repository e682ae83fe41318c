"""Stock look-ups served from memory while the database says what changes.

Every turn that shows products reads their live stock, price and state; on PostgreSQL that was a
statement in most turns (a fifth of a message's round trips). The inventory changes far less often
than it is read (an order, a restock, a staff edit), so a worker keeps what it read, and the
database tells every worker which products changed as each change commits (a trigger and
``NOTIFY``, see :mod:`chatshop.store.postgres_notices`).

What keeps it right:

- **Only while told.** Nothing is kept unless the worker is listening; when the listening
  connection goes, everything kept is forgotten and look-ups go to the database until it is back.
- **No read outlives a change it missed.** A look-up notes the cache's *generation* before it asks
  the database and keeps its answer only if no change was heard meanwhile: a change that committed
  after the look-up's snapshot is always heard after the look-up was asked (the database notifies
  at commit), so either the answer is not kept or the notice drops it afterwards.
- **Bounded in time and size.** An entry is read again after ``fresh_seconds`` whatever was heard,
  and a full cache starts over. Look-ups of more than ``largest`` products (the whole catalog, for
  the dashboard or a catalog sync) are not kept: a turn shows a handful.

Products the database has no row for are kept too (as ``None``), so asking again costs nothing;
a row added later is a change like any other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from chatshop.store.base import InventoryItem

__all__ = ["StockCache"]


class StockCache:
    def __init__(
        self,
        *,
        limit: int = 100_000,
        largest: int = 1_000,
        fresh_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.largest = min(largest, limit)
        self.fresh_seconds = fresh_seconds
        self._clock = clock
        #: product id -> (when read, its row or None for no row)
        self._kept: dict[str, tuple[float, InventoryItem | None]] = {}
        self._listening = False
        #: Changes heard (and listening started or stopped) so far: a look-up asked before one of
        #: them may have missed it.
        self.generation = 0
        #: Look-ups answered from memory, and those that went to the database (for the tests).
        self.hits = 0
        self.misses = 0

    @property
    def listening(self) -> bool:
        return self._listening

    def look_up(self, product_ids: Iterable[str]) -> tuple[dict[str, InventoryItem], list[str]]:
        """What is known of ``product_ids`` (rows found), and the ids to ask the database for."""
        found: dict[str, InventoryItem] = {}
        missing: list[str] = []
        if not self._listening:
            missing = list(dict.fromkeys(product_ids))
            self.misses += 1
            return found, missing
        oldest = self._clock() - self.fresh_seconds
        for product_id in product_ids:
            entry = self._kept.get(product_id)
            if entry is None or entry[0] < oldest:
                missing.append(product_id)
            elif entry[1] is not None:
                found[product_id] = entry[1]
        if missing:
            missing = list(dict.fromkeys(missing))
            self.misses += 1
        else:
            self.hits += 1
        return found, missing

    def keep(self, asked_at: int, product_ids: Iterable[str], rows: dict[str, InventoryItem]) -> None:
        """Keep the database's answer to a look-up made at generation ``asked_at``, unless a change
        was heard since (it may have missed it) or nobody is listening."""
        if not self._listening or asked_at != self.generation:
            return
        ids = list(product_ids)
        if len(ids) > self.largest:
            return
        if len(self._kept) + len(ids) > self.limit:
            self._kept.clear()
        now = self._clock()
        for product_id in ids:
            self._kept[product_id] = (now, rows.get(product_id))

    def changed(self, product_ids: Iterable[str] | None) -> None:
        """Products changed (None: any may have): forget them, and keep no look-up on its way."""
        self.generation += 1
        if product_ids is None:
            self._kept.clear()
            return
        for product_id in product_ids:
            self._kept.pop(product_id, None)

    def listening_started(self) -> None:
        """Changes are heard from now on; any made before were not, so start empty."""
        self._listening = True
        self.changed(None)

    def listening_stopped(self) -> None:
        """Changes are no longer heard: forget everything and keep nothing until they are again."""
        self._listening = False
        self.changed(None)
