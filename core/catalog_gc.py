"""Loading a big catalog without the garbage collector scanning it over and over.

Reading 500,000 products makes millions of objects (rows, strings, products), and every so many of
them CPython's collector walks all that survive, again and again: a quarter of the load time, for
nothing, as a catalog holds no reference cycles. While a catalog loads the collector waits; after,
what was loaded is frozen (``gc.freeze``), so later collections, run while customers chat, skip
the catalog instead of walking half a million products each time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside; on leaving, the collector back as it was and what survived frozen."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
