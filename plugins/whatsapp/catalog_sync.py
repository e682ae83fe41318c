"""Keep the shop's products in its WhatsApp (Meta Commerce) catalog: ``chatshop whatsapp catalog sync``.

WhatsApp's native cart, single- and multi-product messages and WhatsApp Pay for goods show what is
in the Commerce catalog named by ``[channels.whatsapp] catalog_id``. Each thing that is bought (a
product, or each variant, grouped by ``item_group_id`` = its product's id) is one catalog item whose
``id`` (retailer id) is its SKU. Changes go through the Graph API's ``POST /{catalog_id}/items_batch``
(``item_type=PRODUCT_ITEM``; at most 5,000 requests a call, 3,000 recommended): its answer holds
per-item validation errors and a handle, polled at ``GET /{catalog_id}/check_batch_request_status``
until processing ends. A throttle (80014) or a server error is retried with backoff.

What was accepted is remembered (a fingerprint per item, in the shop's database), so the next sync
sends only what changed since; an item Meta refused is remembered as refused, so the chat shows our
own card for it instead of a product message that would fail.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog

from chatshop.fitting import shorten

from .errors import GraphError

if TYPE_CHECKING:
    from chatshop.api import Shop
    from chatshop.catalog import Product
    from chatshop.dialog.turn import ProductView

    from .client import GraphClient

__all__ = ["BATCH_LIMIT", "CatalogDiff", "SyncReport", "catalog_items", "plan", "push", "refused_items"]

log = structlog.get_logger(__name__)

BATCH_LIMIT = 5000  # Meta: "The requests parameter can contain up to 5000 items"
BATCH_SIZE = 3000  # Meta: "recommended that the request size be kept under 3000 records"
#: In the channel's kv space (``whatsapp:catalog:...``): {retailer id: fingerprint} of what Meta
#: accepted, and [retailer id] Meta refused (shown as our own card).
SYNCED_KEY = "catalog:synced"
REFUSED_KEY = "catalog:refused"
TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 9999
#: Option names Meta's catalog has a field for; a variant's other options stay in its title.
OPTION_FIELDS = {"size": "size", "colour": "color", "color": "color", "farbe": "color", "material": "material"}


def _price(view: ProductView) -> str:
    """Meta's price format: the amount and the ISO code, "62.00 INR"."""
    return f"{view.price.decimal} {view.price.currency}"


def catalog_items(shop: Shop, views: Iterable[ProductView]) -> dict[str, dict[str, Any]]:
    """The catalog item of each thing bought, as ``items_batch`` takes it, by retailer id."""
    items: dict[str, dict[str, Any]] = {}
    link = shop.config.server.public_url
    for view in views:
        item: Product = view.product
        product = shop.catalog.product_of(item)
        data: dict[str, Any] = {
            "id": item.id,
            "title": shorten(item.title, TITLE_LIMIT),  # never inside a syllable or an emoji
            "description": shorten(product.description or product.title, DESCRIPTION_LIMIT),
            "availability": "in stock" if view.buyable else "out of stock",
            "condition": "new",
            "price": _price(view),
            "brand": shop.config.shop.name,
        }
        if item.url or product.url or link:
            data["link"] = item.url or product.url or link
        if item.image_url:
            data["image_link"] = item.image_url
        if view.stock is not None:
            data["inventory"] = max(view.stock, 0)
        if item.parent:
            data["item_group_id"] = item.parent
            for name, value in item.option_values():
                if (key := OPTION_FIELDS.get(name.casefold())) is not None:
                    data[key] = value
        items[item.id] = data
    return items


def _fingerprint(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass
class CatalogDiff:
    """What a sync would change in Meta's catalog: items to create, to update, and ids to delete."""

    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    unchanged: int = 0
    #: Items in Meta's catalog the shop neither sells nor put there (read with ``--against-meta``): left alone.
    foreign: int = 0

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.delete)

    def requests(self) -> list[dict[str, Any]]:
        """``items_batch`` requests: CREATE, UPDATE (the whole item) and DELETE (its id alone)."""
        return [
            *({"method": "CREATE", "data": data} for data in self.create),
            *({"method": "UPDATE", "data": data} for data in self.update),
            *({"method": "DELETE", "data": {"id": retailer_id}} for retailer_id in self.delete),
        ]

    def lines(self) -> list[str]:
        """The diff as a shop owner reads it."""
        out = [f"+ {d['id']}  {d['title']}  {d['price']}  {d['availability']}" for d in self.create]
        out += [f"~ {d['id']}  {d['title']}  {d['price']}  {d['availability']}" for d in self.update]
        out += [f"- {retailer_id}" for retailer_id in self.delete]
        summary = (
            f"{len(self.create)} to create, {len(self.update)} to update, {len(self.delete)} to delete, "
            f"{self.unchanged} unchanged"
        )
        if self.foreign:
            summary += f"; {self.foreign} other item(s) in Meta's catalog left alone"
        return [*out, summary]


async def _remembered(shop: Shop, key: str) -> Any:
    raw = await shop.kv("whatsapp").get(key)
    return json.loads(raw) if raw else None


async def plan(shop: Shop) -> CatalogDiff:
    """Compare the catalog as customers see it now (live prices and stock) with what Meta last accepted."""
    views = await shop.product_views(list(shop.catalog.items()))
    items = catalog_items(shop, views)
    synced: dict[str, str] = await _remembered(shop, SYNCED_KEY) or {}
    diff = CatalogDiff()
    for retailer_id, data in items.items():
        known = synced.get(retailer_id)
        if known is None:
            diff.create.append(data)
        elif known != _fingerprint(data):
            diff.update.append(data)
        else:
            diff.unchanged += 1
    diff.delete = [retailer_id for retailer_id in synced if retailer_id not in items]
    return diff


@dataclass
class SyncReport:
    """What Meta did with a sync: accepted ids, and each refused one with Meta's reasons."""

    accepted: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)
    batches: int = 0

    def lines(self) -> list[str]:
        out = [f"! {retailer_id}: {'; '.join(reasons)}" for retailer_id, reasons in self.refused.items()]
        return [*out, f"{len(self.accepted)} accepted, {len(self.refused)} refused in {self.batches} batch(es)"]


def _chunks(requests: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(requests), size):
        yield requests[start : start + size]


async def push(
    shop: Shop,
    client: GraphClient,
    catalog_id: str,
    diff: CatalogDiff,
    *,
    batch_size: int = BATCH_SIZE,
    poll_seconds: float = 2.0,
    max_polls: int = 150,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> SyncReport:
    """Send ``diff`` to Meta in batches, wait for each to be processed, remember what was accepted.

    Raises :class:`GraphError` when Meta refuses a whole call (a bad token, a catalog that is not
    there); what earlier batches changed is remembered all the same.
    """
    report = SyncReport()
    synced: dict[str, str] = await _remembered(shop, SYNCED_KEY) or {}
    refused_before: set[str] = set(await _remembered(shop, REFUSED_KEY) or [])
    by_id = {data["id"]: data for data in (*diff.create, *diff.update)}
    try:
        for chunk in _chunks(diff.requests(), min(batch_size, BATCH_LIMIT)):
            answer = await client.call(
                "POST", f"{catalog_id}/items_batch", {"item_type": "PRODUCT_ITEM", "requests": list(chunk)}
            )
            report.batches += 1
            refused = _validation_errors(answer)
            for handle in answer.get("handles") or []:
                refused.update(await _wait_for(client, catalog_id, str(handle), poll_seconds, max_polls, sleep))
            for request in chunk:
                retailer_id = str(request["data"]["id"])
                if retailer_id in refused:
                    report.refused[retailer_id] = refused[retailer_id]
                    synced.pop(retailer_id, None)  # sent again next time
                    continue
                report.accepted.append(retailer_id)
                if request["method"] == "DELETE":
                    synced.pop(retailer_id, None)
                else:
                    synced[retailer_id] = _fingerprint(by_id[retailer_id])
    finally:
        await shop.kv("whatsapp").set(SYNCED_KEY, json.dumps(synced, sort_keys=True))
        still_refused = (refused_before - set(report.accepted)) | set(report.refused)
        await shop.kv("whatsapp").set(REFUSED_KEY, json.dumps(sorted(still_refused)))
    log.info("whatsapp.catalog_synced", accepted=len(report.accepted), refused=len(report.refused))
    return report


def _validation_errors(answer: Mapping[str, Any]) -> dict[str, list[str]]:
    """``validation_status``: the items Meta refused at once, with its reasons (warnings are not refusals)."""
    refused: dict[str, list[str]] = {}
    for status in answer.get("validation_status") or []:
        if isinstance(status, Mapping) and status.get("errors"):
            reasons = [str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in status["errors"]]
            refused[str(status.get("retailer_id"))] = reasons
    return refused


async def _wait_for(
    client: GraphClient,
    catalog_id: str,
    handle: str,
    poll_seconds: float,
    max_polls: int,
    sleep: Callable[[float], Awaitable[None]],
) -> dict[str, list[str]]:
    """Poll ``check_batch_request_status`` until the batch is processed; the items it refused."""
    for _ in range(max_polls):
        answer = await client.call("GET", f"{catalog_id}/check_batch_request_status?handle={handle}")
        [status] = answer.get("data") or [{}]
        state = str(status.get("status", ""))
        if state in ("finished", "error"):
            refused: dict[str, list[str]] = {}
            for error in status.get("errors") or []:
                if isinstance(error, Mapping) and error.get("id"):
                    refused.setdefault(str(error["id"]), []).append(str(error.get("message", "refused")))
            for retailer_id in status.get("ids_of_invalid_requests") or []:
                refused.setdefault(str(retailer_id), ["refused while processing"])
            if state == "error" and not refused:
                raise GraphError(f"Meta could not process batch {handle}", status=200)
            return refused
        await sleep(poll_seconds)
    raise GraphError(f"batch {handle} was still being processed after {max_polls} checks", status=200)


async def refused_items(shop: Shop) -> set[str]:
    """The retailer ids Meta refused at the last sync: not in its catalog, so no product message."""
    return set(await _remembered(shop, REFUSED_KEY) or [])
