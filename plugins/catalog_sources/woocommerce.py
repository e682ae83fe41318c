"""A WooCommerce store's products, read through its REST API v3.

``GET {base_url}/wp-json/wc/v3/products?status=publish&per_page=100&page=N`` with HTTP Basic auth
(the consumer key as user, the secret as password: WooCommerce takes that only over HTTPS), page
after page until ``X-WP-TotalPages``; a ``variable`` product's variants from
``/products/{id}/variations`` (paginated the same way). Simple and variable products are sold;
grouped and external ones (bought elsewhere) are not. ``price`` is the price a customer pays now
(the sale price while a sale runs); ``stock_quantity`` counts when ``manage_stock`` is on, else
``stock_status`` ``outofstock`` is none left; HTML descriptions become plain text.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp

from chatshop.catalog_file import RawEntry
from chatshop.plugins.catalog_imports.html_text import html_to_text

from .config import WooCommerceSource
from .source import Sleep, SourceError, request_json

__all__ = ["PER_PAGE", "read_woocommerce"]

#: WooCommerce's largest page (``per_page`` above 100 is refused).
PER_PAGE = 100
#: Variable products whose variations are read at once (a shop's server, not a CDN, answers).
VARIATION_READS = 4
_SOLD = ("simple", "variable")
_COLUMNS = {
    "id": "sku",
    "title": "name",
    "description": "description",
    "category": "categories",
    "image_url": "images",
    "url": "permalink",
    "price": "price",
    "stock": "stock_quantity",
    "variants.id": "sku",
    "variants.price": "price",
    "variants.stock": "stock_quantity",
    "variants.image_url": "image",
}


async def read_woocommerce(
    http: aiohttp.ClientSession,
    source: WooCommerceSource,
    key: str,
    secret: str,
    currency: str | None = None,
    *,
    sleep: Sleep = asyncio.sleep,
) -> list[RawEntry]:
    """Every published simple and variable product, in the shape of ``[[catalog.products]]``;
    a store that says it sells in another ``currency`` is refused."""
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
    auth = {"Authorization": f"Basic {basic}"}  # over HTTPS only (SourceConfig checks base_url)
    api = f"{source.base_url}/wp-json/wc/v3"

    async def pages(path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page, total = 1, 1
        while page <= total:
            query = {**params, "per_page": str(PER_PAGE), "page": str(page)}
            answer, headers = await request_json(
                http, "GET", f"{api}/{path}", what="WooCommerce", sleep=sleep, headers=auth, params=query
            )
            if not isinstance(answer, list):
                raise SourceError(f"WooCommerce answered {path} with something that is not a list")
            found.extend(item for item in answer if isinstance(item, dict))
            try:
                total = int(headers.get("X-WP-TotalPages", "1"))
            except ValueError:
                raise SourceError("WooCommerce's X-WP-TotalPages is not a number") from None
            page += 1
        return found

    if currency is not None:
        await _same_currency(http, api, auth, currency, sleep)
    sold = [p for p in await pages("products", {"status": "publish"}) if p.get("type") in _SOLD]
    gate = asyncio.Semaphore(VARIATION_READS)

    async def variations(product: dict[str, Any]) -> list[dict[str, Any]]:
        if product.get("type") != "variable":
            return []
        async with gate:
            found = await pages(f"products/{int(product['id'])}/variations", {})
        return [v for v in found if v.get("status") != "private"]

    read = await asyncio.gather(*(variations(p) for p in sold))
    return [_entry(product, found) for product, found in zip(sold, read, strict=True)]


async def _same_currency(
    http: aiohttp.ClientSession, api: str, auth: dict[str, str], currency: str, sleep: Sleep
) -> None:
    """``/data/currencies/current`` says the store's currency; a key not allowed to read it (the
    endpoint asks for the shop manager's rights) is not an error: the prices are taken as the shop's."""
    try:
        answer, _ = await request_json(
            http, "GET", f"{api}/data/currencies/current", what="WooCommerce", sleep=sleep, headers=auth
        )
    except SourceError:
        return
    code = answer.get("code") if isinstance(answer, dict) else None
    if isinstance(code, str) and code and code.upper() != currency:
        raise SourceError(f"the WooCommerce store sells in {code.upper()}, the shop in {currency}")


def _entry(product: dict[str, Any], variations: list[dict[str, Any]]) -> RawEntry:
    number = product.get("id")
    where = f"woocommerce product {number}"
    categories = [c.get("name") for c in product.get("categories") or [] if isinstance(c, dict)]
    images = [i.get("src") for i in product.get("images") or [] if isinstance(i, dict)]
    fields: dict[str, Any] = {
        "id": product.get("sku") or f"woo-{number}",
        "title": html_to_text(str(product.get("name") or "")),  # names come with &amp; and the like
        "description": html_to_text(str(product.get("description") or product.get("short_description") or "")),
        "category": html_to_text(str(categories[0])) if categories and categories[0] else "Other",
    }
    _put(fields, "image_url", images[0] if images else None)
    _put(fields, "url", product.get("permalink"))
    entry = RawEntry(where, fields, columns=_COLUMNS, option_column="attributes[{n}]")
    if product.get("type") != "variable":
        _put(fields, "price", product.get("price") or product.get("regular_price"))
        _put(fields, "stock", _stock(product))
        return entry
    names = [str(a.get("name")) for a in product.get("attributes") or [] if isinstance(a, dict) and a.get("variation")]
    fields["options"], fields["variants"] = names, []
    for variation in variations:
        chosen = {str(a.get("name", "")).lower(): str(a.get("option") or "") for a in variation.get("attributes") or []}
        item: dict[str, Any] = {
            "id": variation.get("sku") or f"woo-{variation.get('id')}",
            "values": [chosen.get(name.lower(), "") for name in names],
        }
        _put(item, "price", variation.get("price") or variation.get("regular_price"))
        _put(item, "stock", _stock(variation, parent=product))
        _put(item, "image_url", (variation.get("image") or {}).get("src"))
        fields["variants"].append(item)
        entry.variant_lines.append(f"woocommerce variation {variation.get('id')}")
    return entry


def _stock(item: dict[str, Any], parent: dict[str, Any] | None = None) -> int | None:
    """A managed stock counts (below zero: none left); else out of stock or unlimited."""
    manage = item.get("manage_stock")
    if manage == "parent" and parent is not None:  # a variation counted with its product
        return _stock(parent)
    quantity = item.get("stock_quantity")
    if manage is True and isinstance(quantity, int):
        return max(quantity, 0)
    return 0 if item.get("stock_status") == "outofstock" else None


def _put(fields: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, ""):
        fields[key] = value
