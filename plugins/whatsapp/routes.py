"""The webhook endpoint: Meta's GET handshake and signed POSTs of messages and statuses.

A POST is answered 200 only after every message in it is in the inbox; the conversation work
happens later, so Meta's 250 ms median is kept and a crash never loses an acknowledged message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import structlog
from aiohttp import web

from chatshop.digests import same_digest

from .pay import WhatsAppPay
from .signature import HEADER, verify
from .webhook import load_body, parse_webhook

if TYPE_CHECKING:
    from .channel import WhatsAppChannel

__all__ = ["webhook_routes"]

log = structlog.get_logger(__name__)

#: Meta batches up to 1000 updates in one POST, each text up to 4096 characters (ASCII-escaped):
#: more than the shop's general body limit, and a refused batch would come back refused for 7 days.
MAX_BATCH_BYTES = 16 * 1024 * 1024


def webhook_routes(channel: WhatsAppChannel) -> Sequence[web.RouteDef]:
    async def handshake(request: web.Request) -> web.Response:
        mode = request.query.get("hub.mode")
        token = request.query.get("hub.verify_token", "")
        challenge = request.query.get("hub.challenge", "")
        if mode == "subscribe" and same_digest(channel.verify_token, token):
            headers = {"X-Content-Type-Options": "nosniff"}
            return web.Response(text=challenge, content_type="text/plain", headers=headers)
        log.warning("whatsapp.handshake_refused", mode=mode)
        return web.Response(status=403, text="forbidden")

    async def updates(request: web.Request) -> web.Response:
        body = await read_body(request, MAX_BATCH_BYTES)
        given = request.headers.get(HEADER)
        if not any([verify(body, given, secret) for secret in channel.app_secrets]):
            log.warning("whatsapp.signature_refused", length=len(body))
            return web.Response(status=401, text="bad signature")
        try:
            payload = load_body(body)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than any webhook is
            return web.Response(status=400, text="not JSON")
        batch = parse_webhook(payload, channel.name, channel.settings.phone_number_id, channel.settings.catalog_id)
        channel.client.limiter.observe(len(batch.inbound))
        fresh = 0
        for customer_id, at in batch.entry_points:
            channel.window.entry_point(customer_id, at)
        for inbound in batch.inbound:
            if inbound.from_customer:  # an echo of the owner's own message opens no window
                channel.window.opened(inbound.customer_id, inbound.received_at)
            if await channel.shop.receive(inbound):
                fresh += 1
        for status in batch.statuses:
            await channel.on_status(status)
        for preference in batch.preferences:
            await channel.on_preference(preference)
        if batch.payments:
            method = channel.shop.payment_methods.get(WhatsAppPay.name)
            for payment in batch.payments:
                if isinstance(method, WhatsAppPay):
                    await method.on_status(payment)
                else:
                    log.warning("whatsapp.payment_status_without_method", status=payment.status)
        for error in batch.errors:
            log.error("whatsapp.webhook_error", code=error.get("code"), title=error.get("title"))
        log.debug(
            "whatsapp.webhook",
            messages=len(batch.inbound),
            new=fresh,
            statuses=len(batch.statuses),
            payments=len(batch.payments),
        )
        return web.Response(text="OK")

    return [web.get("", handshake), web.post("", updates)]


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, up to ``limit`` bytes (413 beyond): what ``request.read()`` does with the
    app's smaller limit, without cloning the request per webhook to raise it (~30 µs each)."""
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    chunks = []
    size = 0
    while chunk := await request.content.readany():
        size += len(chunk)
        if size > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
        chunks.append(chunk)
    return b"".join(chunks)
