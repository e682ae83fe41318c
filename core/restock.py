"""Stock written in shop.toml (or its catalog file) starts the count; changing it there restocks.

The live count is the store's: sales take from it and the dashboard edits it, so a restart with the
file unchanged keeps it. A figure the owner changed in the file since the last start replaces the
count once (a restock, or a product made unlimited or limited), instead of being ignored.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import structlog

from chatshop.store.codec import utcnow

if TYPE_CHECKING:
    from chatshop.catalog import Catalog
    from chatshop.store.base import Store

log = structlog.get_logger(__name__)

#: The stock figures the file had at the last start, by product id (a kv value that never expires).
SEEN_KEY = "catalog:file_stock"


async def seed_inventory(store: Store, catalog: Catalog) -> None:
    """Create counts for new products and apply the stock figures the owner changed in the file.

    A restart with the file's figures unchanged (most) writes nothing: the figures of the last
    start, as stored, are compared as text, and only SKUs they do not name are seeded, so a
    500,000-product shop does not insert half a million rows that are there already."""
    written = {item.id: item.stock for item in catalog.items()}  # variants by their own SKU
    text = json.dumps(written, separators=(",", ":"))  # the catalog's order: the same file, the same text
    raw = await store.kv_get(SEEN_KEY, utcnow())
    if raw == text:
        return  # every count was seeded at the last start, and no figure changed since
    seen = json.loads(raw) if raw else {}
    if len(seen) == 0:
        await store.seed_inventory(catalog.items())
    else:  # the products new since the last start
        await store.seed_inventory(item for item in catalog.items() if item.id not in seen)
    for product_id, stock in written.items():
        if product_id in seen and seen[product_id] != stock:
            await store.update_inventory(product_id, stock=stock)
            log.info("inventory.restocked_from_file", product=product_id, stock=stock)
    await store.kv_set(SEEN_KEY, text)
