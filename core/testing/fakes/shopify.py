"""A fake of the Shopify Admin GraphQL API's product reads, from Shopify's documentation.

``POST /admin/api/{version}/graphql.json`` with a JSON body ``{query, variables}``. It checks what
Shopify checks: the ``X-Shopify-Access-Token`` header (401 ``[API] Invalid API key or access
token``), a JSON body with a query, connection sizes of at most 250, and the calculated query
cost: scalars cost 0, an object 1, a connection 2 plus its size times the cost of one node, a
single query at most 1,000 (``MAX_COST_EXCEEDED``). Each app has a bucket of
``maximum_available`` points refilled at ``restore_rate`` a second; a query whose requested cost
the bucket cannot pay is answered, with HTTP 200, ``errors: [{message: "Throttled", extensions:
{code: "THROTTLED"}}]`` and no data; every answer carries ``extensions.cost`` (``requestedQueryCost``,
``actualQueryCost``, ``throttleStatus``). A query that ran is charged what it actually returned.

It answers the two reads a catalog needs: ``products(first:, after:, query: "status:active")``
with ``pageInfo`` and each product's ``variants(first: N)``, and ``product(id:) { variants(first:,
after:) }``; cursors are opaque and only the ones it gave are taken. The clock is the test's
(:attr:`FakeShopify.clock`), so waiting for points needs no real time.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["FakeShopify", "shopify_product"]

MAX_FIRST = 250
MAX_QUERY_COST = 1000
_VARIANT_OBJECTS = ("inventoryItem", "selectedOptions", "image")
_PRODUCT_OBJECTS = ("category", "featuredImage", "options")


def shopify_product(
    number: int,
    handle: str,
    title: str,
    variants: list[dict[str, Any]],
    *,
    options: list[str] | None = None,
    status: str = "ACTIVE",
    description_html: str = "",
    category: str | None = None,
    product_type: str = "",
    image: str | None = None,
) -> dict[str, Any]:
    """A product as the Admin API holds it; each variant ``{sku, price, qty, values, image}``."""
    names = options or ["Title"]
    return {
        "id": f"gid://shopify/Product/{number}",
        "handle": handle,
        "title": title,
        "status": status,
        "descriptionHtml": description_html,
        "productType": product_type,
        "onlineStoreUrl": f"https://example.myshopify.com/products/{handle}",
        "category": {"fullName": category} if category else None,
        "featuredImage": {"url": image} if image else None,
        "options": [{"name": name} for name in names],
        "variants": [
            {
                "id": f"gid://shopify/ProductVariant/{number * 1000 + i}",
                "sku": v.get("sku", ""),
                "price": v["price"],
                "inventoryQuantity": v.get("qty"),
                "inventoryPolicy": v.get("policy", "DENY"),
                "inventoryItem": {"tracked": v.get("tracked", True)},
                "selectedOptions": [
                    {"name": n, "value": value}
                    for n, value in zip(names, v.get("values", ["Default Title"]), strict=False)
                ],
                "image": {"url": v["image"]} if v.get("image") else None,
            }
            for i, v in enumerate(variants, start=1)
        ],
    }


@dataclass
class FakeShopify:
    token: str
    currency: str = "INR"
    products: list[dict[str, Any]] = field(default_factory=list)
    maximum_available: float = 2000.0
    restore_rate: float = 100.0
    clock: Callable[[], float] = field(default=lambda: 0.0)
    #: Every query it answered or refused: ``(kind, variables, outcome)``.
    calls: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    #: HTTP statuses to answer the next calls with (a 503 while Shopify is down).
    outages: list[int] = field(default_factory=list)
    _available: float | None = None
    _at: float = 0.0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/admin/api/{version}/graphql.json", self._graphql)
        return app

    # --- the bucket --------------------------------------------------------------------------
    def available(self) -> float:
        now = self.clock()
        if self._available is None:
            self._available = self.maximum_available
        else:
            self._available = min(self.maximum_available, self._available + (now - self._at) * self.restore_rate)
        self._at = now
        return self._available

    def _status(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": self.available(),
            "restoreRate": self.restore_rate,
        }

    # --- the endpoint ------------------------------------------------------------------------
    async def _graphql(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Shopify-Access-Token") != self.token:
            return web.json_response(
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}, status=401
            )
        if self.outages:
            return web.json_response({"errors": "Service unavailable"}, status=self.outages.pop(0))
        try:
            body = await request.json()
            query, variables = str(body["query"]), dict(body.get("variables") or {})
        except (ValueError, KeyError, TypeError):
            return web.json_response({"errors": "Bad Request: the body must be JSON with a query"}, status=400)
        if re.search(r"\bproducts\s*\(", query):
            kind, first, nested = "products", variables.get("first"), _literal_first(query, "variants")
        elif re.search(r"\bproduct\s*\(\s*id:", query):
            kind, first, nested = "variants", _literal_first(query, "variants"), None
        else:
            return self._error("only product reads are faked", "UNSUPPORTED")
        sizes = [n for n in (first, nested) if n is not None]
        if not isinstance(first, int) or any(not isinstance(n, int) or not 0 < n <= MAX_FIRST for n in sizes):
            return self._error(f"first must be an integer from 1 to {MAX_FIRST}", "BAD_REQUEST")
        variant_cost = 1 + sum(1 for name in _VARIANT_OBJECTS if re.search(rf"\b{name}\b", query))
        if kind == "products":
            product_cost = 1 + sum(1 for name in _PRODUCT_OBJECTS if re.search(rf"\b{name}\b", query))
            requested = 2 + first * (product_cost + 2 + (nested or 0) * variant_cost) + ("shop" in query)
        else:
            requested = 1 + 2 + first * variant_cost
        if requested > MAX_QUERY_COST:
            message = f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST})."
            return self._error(message, "MAX_COST_EXCEEDED", requested=requested)
        if requested > self.available():
            self.calls.append((kind, variables, "THROTTLED"))
            return web.json_response(
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "https://shopify.dev/api/usage/limits",
                            },
                        }
                    ],
                    "extensions": self._cost(requested, None),
                }
            )
        try:
            if kind == "products":
                data, actual = self._products(first, nested or 0, variables.get("after"), variant_cost, query)
            else:
                data, actual = self._variants(str(variables.get("id")), first, variables.get("after"), variant_cost)
        except LookupError as e:
            return self._error(str(e), "BAD_REQUEST")
        self._available = self.available() - actual
        self.calls.append((kind, variables, "ok"))
        return web.json_response({"data": data, "extensions": self._cost(requested, actual)})

    def _products(
        self, first: int, nested: int, after: Any, variant_cost: int, query: str
    ) -> tuple[dict[str, Any], int]:
        active = [p for p in self.products if p["status"] == "ACTIVE"] if "status:active" in query else self.products
        start = _position(after, "p")
        page = active[start : start + first]
        nodes = []
        actual = 3
        for product in page:
            shown = product["variants"][:nested]
            node = {k: v for k, v in product.items() if k not in ("variants", "status")}
            node["variants"] = {
                "nodes": shown,
                "pageInfo": {"hasNextPage": len(product["variants"]) > nested, "endCursor": _cursor("v", nested)},
            }
            nodes.append(node)
            actual += 4 + 2 + len(shown) * variant_cost
        end = start + len(page)
        data: dict[str, Any] = {
            "products": {
                "nodes": nodes,
                "pageInfo": {"hasNextPage": end < len(active), "endCursor": _cursor("p", end) if page else None},
            }
        }
        if re.search(r"\bshop\s*\{", query):
            data["shop"] = {"currencyCode": self.currency}
        return data, actual

    def _variants(self, product_id: str, first: int, after: Any, variant_cost: int) -> tuple[dict[str, Any], int]:
        product = next((p for p in self.products if p["id"] == product_id), None)
        if product is None:
            return {"product": None}, 1
        start = _position(after, "v")
        shown = product["variants"][start : start + first]
        end = start + len(shown)
        connection = {
            "nodes": shown,
            "pageInfo": {"hasNextPage": end < len(product["variants"]), "endCursor": _cursor("v", end)},
        }
        return {"product": {"variants": connection}}, 3 + len(shown) * variant_cost

    def _cost(self, requested: int, actual: int | None) -> dict[str, Any]:
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": self._status()}}

    def _error(self, message: str, code: str, requested: int = 0) -> web.Response:
        body = {
            "errors": [{"message": message, "extensions": {"code": code}}],
            "extensions": self._cost(requested, None),
        }
        return web.json_response(body)


def _literal_first(query: str, connection: str) -> int | None:
    found = re.search(rf"\b{connection}\s*\(\s*first:\s*(\d+)", query)
    return int(found[1]) if found else None


def _cursor(kind: str, position: int) -> str:
    return base64.b64encode(f"{kind}:{position}".encode()).decode()


def _position(cursor: Any, kind: str) -> int:
    if cursor is None:
        return 0
    try:
        decoded = base64.b64decode(str(cursor), validate=True).decode()
    except ValueError:
        raise LookupError(f"Invalid cursor for current pagination sort: {cursor!r}") from None
    prefix, _, number = decoded.partition(":")
    if prefix != kind or not number.isdigit():
        raise LookupError(f"Invalid cursor for current pagination sort: {cursor!r}")
    return int(number)
