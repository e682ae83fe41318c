"""The aiohttp application: webhook routes from channels and payment methods, health, lifecycle.

The shop starts and stops inside ``cleanup_ctx``, so storage, the shared client session and the
background workers live exactly as long as the server, and shutdown drains them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from aiohttp import web

from chatshop.runtime import Shop

__all__ = ["SHOP", "create_app"]

SHOP = web.AppKey("shop", Shop)

#: Webhook bodies larger than this are refused before anyone parses them.
MAX_BODY_BYTES = 1024 * 1024


def _mount(app: web.Application, prefix: str, routes: Sequence[web.RouteDef]) -> None:
    for route in routes:
        web.RouteDef(route.method, prefix + route.path, route.handler, route.kwargs).register(app.router)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    shop = request.app[SHOP]
    if not shop.started:
        return web.json_response({"status": "starting"}, status=503)
    return web.json_response({"status": "ready", "schema": await shop.store.schema_version()})


def create_app(shop: Shop) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SHOP] = shop

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await shop.start()
        yield
        await shop.stop()

    async def disconnect(app: web.Application) -> None:
        for channel in shop.channels.values():
            await channel.disconnect()

    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(disconnect)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    for name, channel in shop.channels.items():
        _mount(app, f"/webhooks/{name}", channel.routes())
    for name, method in shop.payment_methods.items():
        _mount(app, f"/webhooks/payments/{name}", method.routes())
    shop.plugins.register_routes(shop, app.router)
    return app
