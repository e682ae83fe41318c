"""A fake of the WooCommerce REST API v3's product reads, from WooCommerce's documentation.

``GET /wp-json/wc/v3/products`` and ``GET /wp-json/wc/v3/products/{id}/variations`` with HTTP Basic
auth (consumer key as user, consumer secret as password; a wrong or missing pair is 401
``woocommerce_rest_cannot_view``). ``page`` (from 1) and ``per_page`` (1 to 100, else 400
``rest_invalid_param``) page the list, and every answer says ``X-WP-Total`` and
``X-WP-TotalPages``; ``status=publish`` keeps the published products. ``GET
/wp-json/wc/v3/data/currencies/current`` says the store's currency (403 for a key whose user is
not a shop manager). WooCommerce takes Basic auth
only over HTTPS; the fake stands in for an HTTPS site on a loopback address.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["FakeWooCommerce", "woo_product", "woo_variation"]

MAX_PER_PAGE = 100


def woo_product(
    number: int,
    name: str,
    *,
    sku: str = "",
    type: str = "simple",
    status: str = "publish",
    price: str = "",
    regular_price: str = "",
    stock: int | None = None,
    stock_status: str = "instock",
    description: str = "",
    categories: list[str] | None = None,
    images: list[str] | None = None,
    attributes: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A product as ``GET /products`` shows it."""
    return {
        "id": number,
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "permalink": f"https://shop.example/product/{number}/",
        "type": type,
        "status": status,
        "description": description,
        "short_description": "",
        "sku": sku,
        "price": price or regular_price,
        "regular_price": regular_price or price,
        "sale_price": price if regular_price and price and price != regular_price else "",
        "manage_stock": stock is not None,
        "stock_quantity": stock,
        "stock_status": stock_status,
        "categories": [{"id": i + 1, "name": c, "slug": c.lower()} for i, c in enumerate(categories or [])],
        "images": [{"id": i + 1, "src": src, "name": "", "alt": ""} for i, src in enumerate(images or [])],
        "attributes": [
            {"id": i + 1, "name": n, "position": i, "visible": True, "variation": True, "options": values}
            for i, (n, values) in enumerate((attributes or {}).items())
        ],
        "variations": [],
    }


def woo_variation(
    number: int,
    values: dict[str, str],
    *,
    sku: str = "",
    price: str,
    stock: int | None = None,
    stock_status: str = "instock",
    image: str | None = None,
    status: str = "publish",
) -> dict[str, Any]:
    """A variation as ``GET /products/{id}/variations`` shows it."""
    return {
        "id": number,
        "sku": sku,
        "status": status,
        "price": price,
        "regular_price": price,
        "sale_price": "",
        "manage_stock": stock is not None,
        "stock_quantity": stock,
        "stock_status": stock_status,
        "image": {"id": number, "src": image} if image else None,
        "attributes": [{"id": 0, "name": n, "option": v} for n, v in values.items()],
    }


@dataclass
class FakeWooCommerce:
    key: str
    secret: str
    products: list[dict[str, Any]] = field(default_factory=list)
    variations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    #: Every request: ``(path, query)``.
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    #: HTTP statuses to answer the next calls with (a 503 while the site is down).
    outages: list[int] = field(default_factory=list)
    #: The store's currency, and whether the key's user may read it (a shop manager's key).
    currency: str = "INR"
    manager: bool = True

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/wp-json/wc/v3/products", self._products)
        app.router.add_get("/wp-json/wc/v3/products/{id:\\d+}/variations", self._variations)
        app.router.add_get("/wp-json/wc/v3/data/currencies/current", self._currency)
        return app

    async def _currency(self, request: web.Request) -> web.Response:
        self.calls.append((request.path, dict(request.query)))
        if not self._authorised(request):
            return _error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        if not self.manager:
            return _error(403, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
        symbols = {"INR": "₹", "USD": "$", "EUR": "€"}
        return web.json_response(
            {"code": self.currency, "name": self.currency, "symbol": symbols.get(self.currency, "")}
        )

    def add(self, product: dict[str, Any], *variations: dict[str, Any]) -> None:
        self.products.append(product)
        if variations:
            self.variations[product["id"]] = list(variations)
            product["variations"] = [v["id"] for v in variations]

    async def _products(self, request: web.Request) -> web.Response:
        status = request.query.get("status", "any")
        chosen = [p for p in self.products if status == "any" or p["status"] == status]
        return self._page(request, chosen)

    async def _variations(self, request: web.Request) -> web.Response:
        number = int(request.match_info["id"])
        if not any(p["id"] == number for p in self.products):
            return _error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return self._page(request, self.variations.get(number, []))

    def _page(self, request: web.Request, items: list[dict[str, Any]]) -> web.Response:
        self.calls.append((request.path, dict(request.query)))
        if not self._authorised(request):
            return _error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        if self.outages:
            return _error(self.outages.pop(0), "internal_server_error", "There has been a critical error.")
        try:
            per_page = int(request.query.get("per_page", "10"))
            page = int(request.query.get("page", "1"))
        except ValueError:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): per_page, page")
        if not 1 <= per_page <= MAX_PER_PAGE:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        if page < 1:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): page")
        pages = max(math.ceil(len(items) / per_page), 1) if items else 0
        if items and page > pages:
            return _error(
                400,
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            )
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(pages)}
        return web.json_response(chunk, headers=headers)

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == self.key and password == self.secret


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message, "data": {"status": status}}, status=status)
