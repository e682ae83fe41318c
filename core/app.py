"""The aiohttp application: webhook routes from channels and payment methods, health, lifecycle.

The shop starts and stops inside ``cleanup_ctx``, so storage, the shared client session and the
background workers live exactly as long as the server, and shutdown drains them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import structlog
from aiohttp import web

from chatshop.config import read_secret
from chatshop.metrics import metrics_handler
from chatshop.payments import PaymentEventDeferred
from chatshop.runtime import Shop

log = structlog.get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

__all__ = ["SHOP", "create_app"]

SHOP = web.AppKey("shop", Shop)

#: Webhook bodies larger than this are refused before anyone parses them.
MAX_BODY_BYTES = 1024 * 1024


def _mount(
    app: web.Application,
    prefix: str,
    routes: Sequence[web.RouteDef],
    guard: Callable[[Handler], Handler] | None = None,
) -> None:
    for route in routes:
        handler = route.handler if guard is None else guard(route.handler)
        web.RouteDef(route.method, prefix + route.path, handler, route.kwargs).register(app.router)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    shop = request.app[SHOP]
    if not shop.started:
        return web.json_response({"status": "starting"}, status=503)
    return web.json_response({"status": "ready", "schema": await shop.store.schema_version()})


def _webhook_guard(shop: Shop, name: str) -> Callable[[Handler], Handler]:
    """Wrap one webhook handler: a webhook whose messages could not be recorded (the database is
    away), or a payment event that must wait (:class:`PaymentEventDeferred`), is answered 503, so
    the messenger or provider delivers it again later (never 200 without a commit, and not a 500
    that reads like a bug); and, with metrics on, each answer is counted
    by channel (``name``) and outcome. Wrapping the handlers themselves costs the other routes
    nothing (a middleware would run on every request)."""
    faults = shop.store.faults
    counted = shop.metrics.webhook_outcomes(name) if shop.config.metrics.enabled else None
    tracing = shop.tracing

    def wrap(handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            if tracing.on:
                with tracing.webhook(name) as span:
                    response = await answered(request)
                    if span is not None:
                        span.set_attribute("http.response.status_code", response.status)
                    return response
            return await answered(request)

        async def answered(request: web.Request) -> web.StreamResponse:
            try:
                response = await handler(request)
            except faults:
                log.warning("webhook.database_unavailable", channel=name)
                response = web.Response(status=503, text="try again later", headers={"Retry-After": "5"})
            except PaymentEventDeferred:
                log.info("webhook.deferred", channel=name)
                response = web.Response(status=503, text="try again later", headers={"Retry-After": "30"})
            except web.HTTPException as e:
                if counted is not None:
                    counted(e.status)
                raise
            except Exception:
                if counted is not None:
                    counted(500)
                raise
            if counted is not None:
                counted(response.status)
            return response

        return guarded

    return wrap


def create_app(shop: Shop) -> web.Application:
    settings = shop.config.metrics
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SHOP] = shop
    token = read_secret(settings.token_env) if settings.enabled and settings.token_env else None

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await shop.start()
        runner = None
        if settings.enabled and settings.port is not None:  # /metrics on a port of its own
            own = web.Application()
            own.router.add_get("/metrics", metrics_handler(shop.metrics, token))  # type: ignore[arg-type]
            runner = web.AppRunner(own, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, settings.host, settings.port).start()
        yield
        if runner is not None:
            await runner.cleanup()
        await shop.stop()

    async def disconnect(app: web.Application) -> None:
        for channel in shop.channels.values():
            await channel.disconnect()

    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(disconnect)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if settings.enabled and settings.port is None:
        app.router.add_get("/metrics", metrics_handler(shop.metrics, token))  # type: ignore[arg-type]
    for name, channel in shop.channels.items():
        _mount(app, f"/webhooks/{name}", channel.routes(), _webhook_guard(shop, name))
    for name, method in shop.payment_methods.items():
        _mount(app, f"/webhooks/payments/{name}", method.routes(), _webhook_guard(shop, f"payments:{name}"))
    shop.plugins.register_routes(shop, app.router)
    return app
