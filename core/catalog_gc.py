"""Loading a big catalog without the garbage collector scanning it over and over.

Reading 500,000 products makes millions of objects (rows, strings, products), and every so many of
them CPython's collector walks all that survive, again and again: a quarter of the load time, for
nothing, as a catalog holds no reference cycles. While a catalog loads the collector waits; after,
a big one is frozen (``gc.freeze``), so later collections, run while customers chat, skip the
catalog instead of walking half a million products each time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused(*, freeze_from: int = 0) -> Iterator[list[int]]:
    """No automatic collection inside; on leaving, the collector back as it was. Append how many
    objects were loaded to the list it yields: from ``freeze_from`` on, what survived is frozen
    (a small catalog's few objects are not worth keeping out of the collector's reach for good,
    nor the garbage that happened to be around)."""
    was_enabled = gc.isenabled()
    gc.disable()
    loaded: list[int] = []
    try:
        yield loaded
    finally:
        if was_enabled:
            if sum(loaded) >= freeze_from:
                gc.freeze()
            gc.enable()
