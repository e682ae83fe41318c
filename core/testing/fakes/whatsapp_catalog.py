"""A fake of Meta's Catalog Batch API, from its documents (not from our client).

``POST /{catalog_id}/items_batch`` takes ``item_type=PRODUCT_ITEM`` and up to 5,000 ``requests``
(``{method: CREATE|UPDATE|DELETE, data: {id, ...}}``); it answers ``{handles, validation_status}``
with each item's errors (a missing field, a price not written "62.00 INR", an unknown availability),
and ``handles`` empty when nothing was taken. ``GET /{catalog_id}/check_batch_request_status?handle=``
says ``in_progress`` for a while, then applies the batch and says ``finished`` with the errors met
while processing (``errors``, ``errors_total_count``, ``ids_of_invalid_requests``). Too many calls
answer 80014. Single- and multi-product messages naming a catalog kept here are checked against it:
a product it does not hold is refused (131009), and a product list with none of its products too,
and a product carousel with any card naming a product it does not hold. ``GET /{catalog_id}/products``
reads the items back a page at a time (``fields`` named, each one a ProductItem field; ``limit``;
``paging.cursors.after`` and ``paging.next`` while more are left), prices formatted as Meta shows
them ("₹1,234.00").
"""

from __future__ import annotations

import base64
import itertools
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["FakeCatalogs"]

AVAILABILITY = {"in stock", "out of stock", "preorder", "available for order", "discontinued"}
CONDITION = {"new", "refurbished", "used"}
_PRICE = re.compile(r"^\d+(\.\d+)? [A-Z]{3}$")
_URL = re.compile(r"^https?://\S+$")


def _error(status: int, code: int, message: str) -> web.Response:
    body = {"error": {"message": f"(#{code}) {message}", "type": "OAuthException", "code": code, "fbtrace_id": "Az1"}}
    return web.json_response(body, status=status)


def item_errors(method: Any, data: Any) -> list[str]:
    """Why Meta would refuse one request at once (empty: it is taken)."""
    if method not in ("CREATE", "UPDATE", "DELETE"):
        return [f"method must be CREATE, UPDATE or DELETE, not {method!r}"]
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        return ["data.id (the retailer id) is required"]
    if method == "DELETE":
        return []
    errors = [
        f"{key} is required"
        for key in ("title", "description", "availability", "condition", "price", "image_link")
        if not data.get(key)
    ]
    if data.get("price") and not _PRICE.match(str(data["price"])):
        errors.append(f"price {data['price']!r} must be an amount and an ISO 4217 code, such as '9.99 USD'")
    if data.get("availability") and data["availability"] not in AVAILABILITY:
        errors.append(f"availability {data['availability']!r} is not one of {sorted(AVAILABILITY)}")
    if data.get("condition") and data["condition"] not in CONDITION:
        errors.append(f"condition {data['condition']!r} is not one of {sorted(CONDITION)}")
    for key in ("image_link", "link"):
        if data.get(key) and not _URL.match(str(data[key])):
            errors.append(f"{key} must be an http(s) URL")
    if len(str(data.get("title", ""))) > 200:
        errors.append("title is longer than 200 characters")
    return errors


PRODUCT_ITEM_FIELDS = {
    "id",
    "retailer_id",
    "name",
    "description",
    "price",
    "currency",
    "availability",
    "inventory",
    "condition",
    "brand",
    "url",
    "image_url",
    "retailer_product_group_id",
    "sale_price",
}
_SYMBOLS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£"}


def _product_item(number: int, data: dict[str, Any]) -> dict[str, Any]:
    """An item as ``GET /{catalog_id}/products`` shows it: Meta's field names, the price formatted."""
    amount, _, currency = str(data.get("price", "")).partition(" ")
    shown = amount
    if amount:
        whole, _, cents = amount.partition(".")
        shown = f"{_SYMBOLS.get(currency, currency + ' ')}{int(whole):,}" + (f".{cents}" if cents else "")
    item = {
        "id": str(7_000_000_000 + number),
        "retailer_id": data.get("id"),
        "name": data.get("title"),
        "description": data.get("description"),
        "price": shown or None,
        "currency": currency or None,
        "availability": data.get("availability"),
        "inventory": data.get("inventory"),
        "condition": data.get("condition"),
        "brand": data.get("brand"),
        "url": data.get("link"),
        "image_url": data.get("image_link"),
        "retailer_product_group_id": data.get("item_group_id"),
    }
    return {k: v for k, v in item.items() if v is not None}


@dataclass
class FakeCatalogs:
    token: str
    version: str
    items: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # catalog id -> retailer id -> data
    faults: deque[int] = field(default_factory=deque)  # codes to answer the next items_batch calls with
    polls: int = 1  # status checks that say in_progress before a batch is processed
    calls: list[dict[str, Any]] = field(default_factory=list)  # accepted items_batch bodies
    checks: int = 0
    reads: int = 0  # GET /{catalog_id}/products pages served
    _pending: dict[str, tuple[str, list[dict[str, Any]], int]] = field(default_factory=dict)
    _done: dict[str, dict[str, Any]] = field(default_factory=dict)
    _handles: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_catalog(self, catalog_id: str, *retailer_ids: str) -> None:
        self.items.setdefault(catalog_id, {}).update({rid: {"id": rid} for rid in retailer_ids})

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/{version}/{catalog}/items_batch", self._items_batch)
        app.router.add_get("/{version}/{catalog}/check_batch_request_status", self._status)
        app.router.add_get("/{version}/{catalog}/products", self._products)

    def _refused(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, 190, "Invalid OAuth access token")
        if request.match_info["version"] != self.version or request.match_info["catalog"] not in self.items:
            return _error(400, 100, "Unsupported post request. Object does not exist")
        return None

    async def _items_batch(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        if self.faults:
            code = self.faults.popleft()
            if code == 80014:
                return _error(400, 80014, "There have been too many calls for the batch uploads to this catalog")
            return _error(code if code >= 500 else 400, code if code < 500 else 1, "error")
        body = await request.json()
        if body.get("item_type") != "PRODUCT_ITEM":
            return _error(400, 100, "item_type must be PRODUCT_ITEM")
        requests = body.get("requests")
        if not isinstance(requests, list) or not 1 <= len(requests) <= 5000:
            return _error(400, 100, "requests must hold 1 to 5000 items")
        statuses, taken = [], []
        for entry in requests:
            entry = entry if isinstance(entry, dict) else {}
            errors = item_errors(entry.get("method"), entry.get("data"))
            retailer_id = str((entry.get("data") or {}).get("id", ""))
            if errors:
                statuses.append(
                    {"retailer_id": retailer_id, "errors": [{"message": m} for m in errors], "warnings": []}
                )
            else:
                taken.append(entry)
        self.calls.append(body)
        handles = []
        if taken:
            handle = f"AZ{next(self._handles):06d}"
            self._pending[handle] = (request.match_info["catalog"], taken, self.polls)
            handles.append(handle)
        return web.json_response({"handles": handles, "validation_status": statuses})

    async def _status(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        self.checks += 1
        handle = request.query.get("handle", "")
        if handle in self._done:
            return web.json_response({"data": [self._done[handle]]})
        if handle not in self._pending:
            return _error(400, 100, "handle is not a batch of this catalog")
        catalog, taken, polls = self._pending[handle]
        if polls > 0:
            self._pending[handle] = (catalog, taken, polls - 1)
            return web.json_response({"data": [{"handle": handle, "status": "in_progress"}]})
        del self._pending[handle]
        items, errors = self.items[catalog], []
        for line, entry in enumerate(taken):
            data, method = entry["data"], entry["method"]
            if method == "CREATE" and data["id"] in items:
                errors.append({"line": line, "id": data["id"], "message": "an item with this id already exists"})
            elif method == "DELETE" and data["id"] not in items:
                errors.append({"line": line, "id": data["id"], "message": "no item with this id"})
            elif method == "DELETE":
                del items[data["id"]]
            else:
                items[data["id"]] = {**items.get(data["id"], {}), **data}
        status = {
            "handle": handle,
            "status": "finished",
            "errors": errors,
            "errors_total_count": len(errors),
            "ids_of_invalid_requests": [e["id"] for e in errors],
            "warnings": [],
            "warnings_total_count": 0,
        }
        self._done[handle] = status
        return web.json_response({"data": [status]})

    async def _products(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        self.reads += 1
        fields = [f for f in request.query.get("fields", "id").split(",") if f]
        unknown = [f for f in fields if f not in PRODUCT_ITEM_FIELDS]
        if unknown:
            return _error(400, 100, f"Tried accessing nonexisting field ({unknown[0]}) on node type (ProductItem)")
        limit_text = request.query.get("limit", "25")
        if not limit_text.isdigit() or int(limit_text) < 1:
            return _error(400, 100, "limit must be a positive integer")
        limit = int(limit_text)
        try:
            start = int(base64.b64decode(request.query.get("after", "") or "MA==").decode())
        except ValueError:
            return _error(400, 100, "Invalid cursor")
        held = list(self.items[request.match_info["catalog"]].values())
        page = held[start : start + limit]
        data = [
            {k: v for k, v in _product_item(n + start, item).items() if k in fields or k == "id"}
            for n, item in enumerate(page)
        ]
        end = start + len(page)
        after = base64.b64encode(str(end).encode()).decode()
        paging: dict[str, Any] = {"cursors": {"before": base64.b64encode(str(start).encode()).decode(), "after": after}}
        if end < len(held):
            paging["next"] = str(request.url.update_query({"after": after}))
        return web.json_response({"data": data, "paging": paging})

    def check_products(self, content: dict[str, Any]) -> str | None:
        """Why a product message naming a catalog kept here is refused (None: it is sent)."""
        action = content.get("action") or {}
        if content.get("type") == "carousel":  # each card a single-product message: each must be there
            for card in action.get("cards") or []:
                if why := self.check_products({"type": "product", "action": card.get("action") or {}}):
                    return why
            return None
        items = self.items.get(str(action.get("catalog_id")))
        if items is None:
            return None
        if content.get("type") == "product":
            rid = action.get("product_retailer_id")
            return None if rid in items else f"product {rid!r} is not in the catalog"
        wanted = [i.get("product_retailer_id") for s in action.get("sections", []) for i in s.get("product_items", [])]
        return None if any(rid in items for rid in wanted) else "none of the products is in the catalog"
