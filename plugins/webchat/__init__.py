"""The web chat channel: a chat page at ``/chat`` so anyone can shop in a browser (docs/web.md)."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from aiohttp import web

from chatshop.api import Shop
from chatshop.channels import Channel
from chatshop.hookspecs import hookimpl

from .channel import WebChatChannel
from .routes import add_routes

__all__ = ["WebChatChannel", "register_channels", "register_routes", "startup"]

log = structlog.get_logger(__name__)


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(WebChatChannel)


@hookimpl
def register_routes(shop: Shop, router: web.UrlDispatcher) -> None:
    channel = shop.channels.get(WebChatChannel.name)
    if isinstance(channel, WebChatChannel):
        add_routes(shop, router, channel)


@hookimpl
def startup(shop: Shop) -> None:
    if WebChatChannel.name in shop.channels:
        log.info("webchat.open", url=shop.public_url("/chat"))
