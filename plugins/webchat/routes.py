"""The chat's HTTP side: the page at ``/chat``, its WebSocket, the preview and the static files.

The customer is whoever the signed cookie names: a random id made on their first visit, never a
phone number or a name, and never in a URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import structlog
from aiohttp import WSCloseCode, WSMsgType, web

from chatshop.addresses import client_address, networks
from chatshop.api import Shop

from .channel import Connection, WebChatChannel
from .history import Entry
from .page_texts import page_texts
from .pages import Templates
from .preview import preview_channels, preview_entries

__all__ = ["COOKIE", "add_routes"]

log = structlog.get_logger(__name__)

HERE = Path(__file__).parent
COOKIE = "chatshop_chat"
#: How often a socket's watcher wakes to notice the server stopping.
WATCH_SECONDS = 0.5

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


def _secure(shop: Shop) -> bool:
    return (shop.config.server.public_url or "").startswith("https://")


def _same_origin(request: web.Request, public_url: str | None) -> bool:
    """Browsers send Origin on WebSocket upgrades: refuse pages of other sites (CSWSH). The shop's
    own site is the Host it was asked for, or ``[server] public_url``: a reverse proxy (nginx's
    ``proxy_pass`` by default) may send its upstream's address as Host."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser; the cookie still has to be right
    site = urlsplit(origin).netloc.lower()
    shops = {request.host.lower(), urlsplit(public_url or "").netloc.lower()} - {""}
    return site in shops  # an Origin of "null" (a sandboxed page, a file) has no site


class ChatRoutes:
    def __init__(self, shop: Shop, channel: WebChatChannel) -> None:
        self.shop = shop
        self.channel = channel
        self.templates = Templates(HERE / "templates")
        #: Behind these, X-Forwarded-For names the client, whose address the chat's limits count.
        self.trusted_proxies = networks(shop.config.server.trusted_proxies)

    def customer(self, request: web.Request) -> str | None:
        return self.channel.signer.unsign(request.cookies.get(COOKIE))

    async def page(self, request: web.Request) -> web.Response:
        settings = self.channel.settings
        title = settings.title or self.shop.config.shop.name
        known = self.customer(request)
        locale = (
            await self.shop.customer_locale(self.channel.customer_key(known)) if known else self.shop.config.shop.locale
        )
        response = self.templates.response(
            "chat.html",
            title=title,
            locale=locale,
            texts=page_texts(locale),
            preview=settings.preview,
            previews=preview_channels(self.shop),
            headers={
                "Content-Security-Policy": CSP,
                "Cache-Control": "no-store",
                "Referrer-Policy": "same-origin",
                "X-Content-Type-Options": "nosniff",
            },
        )
        if known is None:
            customer_id = secrets.token_urlsafe(18)
            response.set_cookie(
                COOKIE,
                self.channel.signer.sign(customer_id),
                max_age=settings.cookie_days * 86400,
                path="/chat",
                httponly=True,
                samesite="Lax",
                secure=_secure(self.shop),
            )
            log.info("webchat.new_customer", customer=self.channel.customer_key(customer_id))
        return response

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        customer_id = self.customer(request)
        if customer_id is None:
            raise web.HTTPForbidden(text="no chat session: open /chat first")
        if not _same_origin(request, self.shop.config.server.public_url):
            raise web.HTTPForbidden(text="cross-site WebSocket refused")
        address = client_address(request, self.trusted_proxies)
        if not self.channel.may_open(address):
            raise web.HTTPTooManyRequests(text="too many open chats from this address")
        ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=16 * 1024)
        connection = Connection(customer_id, ws, address=address, transport=request.transport)
        self.channel.open(connection)  # counted before the handshake's await, so a burst cannot slip past
        watcher: asyncio.Task[None] | None = None
        try:
            await ws.prepare(request)
            watcher = asyncio.create_task(self._watch(request, connection))
            async for message in ws:
                if message.type == WSMsgType.ERROR:
                    break
                if not self.channel.take_frame(connection):
                    log.warning("webchat.flood", customer=self.channel.customer_key(customer_id))
                    await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"too many frames")
                    break
                if message.type == WSMsgType.TEXT:
                    await self.channel.handle_frame(connection, message.data)
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            self.channel.close(connection)
            if ws.prepared:
                await ws.close()
        return ws

    async def _watch(self, request: web.Request, connection: Connection) -> None:
        """Now and then look for messages another worker stored (shutdown closes via disconnect)."""
        poll = self.channel.settings.poll_seconds
        waited = 0.0
        while not connection.ws.closed:
            await asyncio.sleep(WATCH_SECONDS)
            waited += WATCH_SECONDS
            if waited >= poll:
                waited = 0.0
                await self.channel.catch_up(connection)

    async def preview(self, request: web.Request) -> web.Response:
        """The customer's conversation lowered to WhatsApp's or WeChat's limits, as JSON."""
        customer_id = self.customer(request)
        if customer_id is None:
            raise web.HTTPForbidden(text="no chat session")
        target = request.query.get("as", "")
        offered = preview_channels(self.shop)
        if target not in offered:
            raise web.HTTPBadRequest(text=f"preview as one of: {', '.join(offered)}")
        entries: list[Entry] = await self.channel.history.entries(customer_id)
        locale = await self.shop.customer_locale(self.channel.customer_key(customer_id))
        return web.json_response(
            {"channel": target, "entries": preview_entries(self.shop, entries, target, locale)},
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )


def add_routes(shop: Shop, router: web.UrlDispatcher, channel: WebChatChannel) -> None:
    routes = ChatRoutes(shop, channel)
    router.add_get("/chat", routes.page, name="webchat")
    router.add_get("/chat/ws", routes.socket)
    router.add_get("/chat/preview", routes.preview)
    router.add_static("/chat/static", HERE / "static", name="webchat-static")
