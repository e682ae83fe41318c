"""The sync's diff against what Meta's catalog holds now, read through the Graph API.

The usual diff compares the shop with what Meta accepted at the last sync (remembered in the shop's
database). That misses what changed in Meta's catalog since: a price edited in Commerce Manager,
an item deleted there, a sync from another copy of the shop's database. ``chatshop whatsapp
catalog sync --against-meta`` reads ``GET /{catalog_id}/products`` instead (``fields`` named,
``limit`` a page, the ``paging.cursors.after`` cursor while ``paging.next`` is there) and compares
item by item: its title, price (Meta shows it formatted, "₹1,234.00": its digits are compared
with ours), availability, inventory and group. An item in Meta's catalog that the shop does not
sell is deleted only if this shop put it there (an earlier sync); others are left alone, counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .catalog_sync import SYNCED_KEY, CatalogDiff, _remembered, catalog_items

if TYPE_CHECKING:
    from chatshop.api import Shop

    from .client import GraphClient

__all__ = ["FIELDS", "meta_items", "plan_against_meta"]

FIELDS = ("retailer_id", "name", "price", "currency", "availability", "inventory", "retailer_product_group_id")
PAGE = 500
#: Pages read before giving up (a catalog of a million items at 500 a page is 2,000).
MAX_PAGES = 5000


async def meta_items(client: GraphClient, catalog_id: str, *, page: int = PAGE) -> dict[str, Mapping[str, Any]]:
    """Every item of Meta's catalog, by retailer id."""
    items: dict[str, Mapping[str, Any]] = {}
    after: str | None = None
    for _ in range(MAX_PAGES):
        path = f"{catalog_id}/products?fields={','.join(FIELDS)}&limit={page}"
        if after:
            path += f"&after={quote(after, safe='')}"
        answer = await client.call("GET", path)
        for item in answer.get("data") or []:
            if isinstance(item, Mapping) and item.get("retailer_id"):
                items[str(item["retailer_id"])] = item
        paging = answer.get("paging") or {}
        after = ((paging.get("cursors") or {}).get("after")) if paging.get("next") else None
        if not after:
            return items
    raise RuntimeError(f"Meta's catalog {catalog_id} has more than {MAX_PAGES} pages")


def _digits(price: Any) -> str:
    """``"62.00 INR"`` and ``"₹62.00"`` both as "6200"; ``"₹1,234.00"`` as "123400"."""
    return re.sub(r"\D", "", str(price or "")).lstrip("0") or "0"


def _differs(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> bool:
    if theirs.get("name") != ours["title"] or theirs.get("availability") != ours["availability"]:
        return True
    if _digits(theirs.get("price")) != _digits(ours["price"]):
        return True
    if "inventory" in ours and theirs.get("inventory") is not None and theirs.get("inventory") != ours["inventory"]:
        return True
    return (theirs.get("retailer_product_group_id") or None) != (ours.get("item_group_id") or None)


async def plan_against_meta(shop: Shop, client: GraphClient, catalog_id: str) -> CatalogDiff:
    """Compare the catalog as customers see it now with the items Meta's catalog holds now."""
    views = await shop.product_views(list(shop.catalog.items()))
    ours = catalog_items(shop, views)
    theirs = await meta_items(client, catalog_id)
    synced: dict[str, str] = await _remembered(shop, SYNCED_KEY) or {}
    diff = CatalogDiff()
    for retailer_id, data in ours.items():
        held = theirs.get(retailer_id)
        if held is None:
            diff.create.append(data)
        elif _differs(data, held):
            diff.update.append(data)
        else:
            diff.unchanged += 1
    for retailer_id in theirs:
        if retailer_id in ours:
            continue
        if retailer_id in synced:
            diff.delete.append(retailer_id)
        else:
            diff.foreign += 1
    return diff
