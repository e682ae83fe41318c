"""A Shopify store's products, read through the Admin GraphQL API.

``POST {base_url}/admin/api/{version}/graphql.json`` with the ``X-Shopify-Access-Token`` header.
Active products come a page at a time (``products(first:, after:)``, ``pageInfo.endCursor``), each
with its options, variants (SKU, price, inventory, option values, picture) and a product's variants
beyond the first page fetched with their own cursor. Shopify limits by calculated query cost: every
answer carries ``extensions.cost.throttleStatus`` (``currentlyAvailable`` points, refilled at
``restoreRate`` a second), so the reader waits before a query the bucket cannot pay for, and when
Shopify answers ``THROTTLED`` anyway it waits for the points it lacks and asks again.

A product whose only option is ``Title: Default Title`` has no variants (Shopify gives every
product one); its id is that variant's SKU. A variant without a SKU is named after the product's
handle and its place. Prices are kept as written (``"62.00"``), HTML descriptions become plain text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from chatshop.catalog_file import RawEntry
from chatshop.plugins.catalog_imports.html_text import html_to_text

from .config import ShopifySource
from .source import Sleep, SourceError, request_json

__all__ = ["PRODUCTS_PER_PAGE", "VARIANTS_PER_PRODUCT", "read_shopify"]

#: Products a page, and variants asked with each: a page then costs about 860 points (Shopify
#: refuses a single query over 1,000), paid back to what the shop's products really hold.
PRODUCTS_PER_PAGE = 10
VARIANTS_PER_PRODUCT = 20
#: THROTTLED answers waited out for one page before the refresh gives up.
MAX_THROTTLED = 20

_VARIANT = """
fragment CatalogVariant on ProductVariant {
  id sku price inventoryQuantity inventoryPolicy
  inventoryItem { tracked }
  selectedOptions { name value }
  image { url }
}"""

PRODUCTS_QUERY = (
    """
query CatalogProducts($first: Int!, $after: String) {
  shop { currencyCode }
  products(first: $first, after: $after, query: "status:active") {
    pageInfo { hasNextPage endCursor }
    nodes {
      id handle title descriptionHtml productType onlineStoreUrl
      category { fullName }
      featuredImage { url }
      options { name }
      variants(first: VARIANTS_PER_PRODUCT) {
        pageInfo { hasNextPage endCursor }
        nodes { ...CatalogVariant }
      }
    }
  }
}""".replace("VARIANTS_PER_PRODUCT", str(VARIANTS_PER_PRODUCT))
    + _VARIANT
)

VARIANTS_QUERY = (
    """
query CatalogVariants($id: ID!, $after: String) {
  product(id: $id) {
    variants(first: 200, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...CatalogVariant }
    }
  }
}"""
    + _VARIANT
)

_COLUMNS = {
    "id": "handle",
    "title": "title",
    "description": "descriptionHtml",
    "category": "category",
    "image_url": "featuredImage",
    "url": "onlineStoreUrl",
    "price": "price",
    "stock": "inventoryQuantity",
    "variants.id": "sku",
    "variants.price": "price",
    "variants.stock": "inventoryQuantity",
    "variants.image_url": "image",
}


@dataclass
class _Bucket:
    """What Shopify said the last time about the points left, to wait before running dry."""

    available: float | None = None
    restore_rate: float = 50.0
    last_cost: float = 0.0
    waited: list[float] = field(default_factory=list)

    def note(self, extensions: Any) -> tuple[float, float] | None:
        """Remember ``extensions.cost``; ``(requested, available)`` of its answer."""
        cost = extensions.get("cost") if isinstance(extensions, dict) else None
        if not isinstance(cost, dict):
            return None
        status = cost.get("throttleStatus") or {}
        try:
            self.available = float(status["currentlyAvailable"])
            self.restore_rate = max(float(status.get("restoreRate") or 50.0), 1.0)
            requested = float(cost.get("requestedQueryCost") or 0)
        except (KeyError, TypeError, ValueError):
            return None
        self.last_cost = max(self.last_cost, requested)
        return requested, self.available

    def wait_for(self, points: float) -> float:
        """Seconds until the bucket holds ``points`` (counted as refilled by then)."""
        if self.available is None or self.available >= points:
            return 0.0
        wait = (points - self.available) / self.restore_rate
        self.available = points
        self.waited.append(wait)
        return wait


class _Client:
    def __init__(self, http: aiohttp.ClientSession, source: ShopifySource, token: str, sleep: Sleep) -> None:
        self.http = http
        self.url = f"{source.base_url}/admin/api/{source.api_version}/graphql.json"
        self.headers = {"X-Shopify-Access-Token": token, "Content-Type": "application/json"}
        self.sleep = sleep
        self.bucket = _Bucket()

    async def query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        for _ in range(MAX_THROTTLED):
            if wait := self.bucket.wait_for(self.bucket.last_cost):
                await self.sleep(wait)
            answer, _ = await request_json(
                self.http,
                "POST",
                self.url,
                what="Shopify",
                sleep=self.sleep,
                headers=self.headers,
                body={"query": query, "variables": variables},
            )
            if not isinstance(answer, dict):
                raise SourceError("Shopify answered something that is not a GraphQL response")
            noted = self.bucket.note(answer.get("extensions"))
            errors = answer.get("errors")
            if errors:
                codes = {_code(e) for e in errors} if isinstance(errors, list) else set()
                if "THROTTLED" in codes:  # another app shares the bucket: wait for what this query lacks
                    requested, _ = noted or (self.bucket.last_cost or 100.0, 0.0)
                    await self.sleep(max(self.bucket.wait_for(requested), 0.05))
                    continue
                raise SourceError(f"Shopify refused the query: {_messages(errors)}")
            data = answer.get("data")
            if not isinstance(data, dict):
                raise SourceError("Shopify answered without data")
            return data
        raise SourceError(f"Shopify kept throttling after {MAX_THROTTLED} waits")


def _code(error: Any) -> str:
    if isinstance(error, dict) and isinstance(error.get("extensions"), dict):
        return str(error["extensions"].get("code", ""))
    return ""


def _messages(errors: Any) -> str:
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e))[:200] if isinstance(e, dict) else str(e)[:200] for e in errors[:3])
    return str(errors)[:200]


async def read_shopify(
    http: aiohttp.ClientSession,
    source: ShopifySource,
    token: str,
    currency: str,
    *,
    sleep: Sleep = asyncio.sleep,
) -> list[RawEntry]:
    """Every active product of the store, in the shape of ``[[catalog.products]]``."""
    client = _Client(http, source, token, sleep)
    entries: list[RawEntry] = []
    after: str | None = None
    while True:
        data = await client.query(PRODUCTS_QUERY, {"first": PRODUCTS_PER_PAGE, "after": after})
        store_currency = (data.get("shop") or {}).get("currencyCode")
        if store_currency and store_currency != currency:
            raise SourceError(f"the Shopify store sells in {store_currency}, the shop in {currency}")
        products = data.get("products") or {}
        for node in products.get("nodes") or []:
            variants = list((node.get("variants") or {}).get("nodes") or [])
            page = (node.get("variants") or {}).get("pageInfo") or {}
            while page.get("hasNextPage"):
                more = await client.query(VARIANTS_QUERY, {"id": node["id"], "after": page.get("endCursor")})
                connection = ((more.get("product") or {}).get("variants")) or {}
                variants.extend(connection.get("nodes") or [])
                page = connection.get("pageInfo") or {}
            entries.append(_entry(node, variants))
        info = products.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return entries
        after = info.get("endCursor")
        if not after:
            raise SourceError("Shopify said there is a next page but gave no cursor")


def _entry(node: dict[str, Any], variants: list[dict[str, Any]]) -> RawEntry:
    handle = str(node.get("handle") or node.get("id") or "")
    where = f"shopify product {handle}"
    fields: dict[str, Any] = {
        "id": handle,
        "title": node.get("title") or "",
        "description": html_to_text(node.get("descriptionHtml") or ""),
        "category": ((node.get("category") or {}).get("fullName")) or node.get("productType") or "Other",
    }
    _put(fields, "image_url", (node.get("featuredImage") or {}).get("url"))
    _put(fields, "url", node.get("onlineStoreUrl"))
    entry = RawEntry(where, fields, columns=_COLUMNS, option_column="selectedOptions[{n}]")
    names = [str(o.get("name", "")) for o in node.get("options") or [] if isinstance(o, dict)]
    if len(variants) == 1 and names in ([], ["Title"]) and _values(variants[0], ["Title"]) in ([""], ["Default Title"]):
        only = variants[0]
        if only.get("sku"):
            fields["id"] = only["sku"]
        _put(fields, "price", only.get("price"))
        _put(fields, "stock", _stock(only))
        return entry
    fields["options"], fields["variants"] = names, []
    for n, variant in enumerate(variants, start=1):
        item: dict[str, Any] = {"id": variant.get("sku") or f"{handle}-{n}", "values": _values(variant, names)}
        _put(item, "price", variant.get("price"))
        _put(item, "stock", _stock(variant))
        _put(item, "image_url", (variant.get("image") or {}).get("url"))
        fields["variants"].append(item)
        entry.variant_lines.append(f"{where} variant {n}")
    return entry


def _values(variant: dict[str, Any], names: list[str]) -> list[str]:
    """The variant's value of each option, in the order of the product's ``options``."""
    chosen = {str(o.get("name")): str(o.get("value") or "") for o in variant.get("selectedOptions") or []}
    return [chosen.get(name, "") for name in names]


def _stock(variant: dict[str, Any]) -> int | None:
    """Untracked, or sold on when out of stock (``CONTINUE``): unlimited; oversold: none left."""
    tracked = (variant.get("inventoryItem") or {}).get("tracked", True)
    quantity = variant.get("inventoryQuantity")
    if not tracked or variant.get("inventoryPolicy") == "CONTINUE" or not isinstance(quantity, int):
        return None
    return max(quantity, 0)


def _put(fields: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, ""):
        fields[key] = value
