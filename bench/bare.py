"""The ceiling: a bare aiohttp app doing the least a WhatsApp webhook can do.

It checks the signature, parses the body and posts one text reply to the (fake) Graph API per
message, and nothing else: no inbox, no dialog, no outbox. chatshop's throughput is reported as a
share of this. Run by ``bench/run.py`` as ``python -m bench.bare PORT GRAPH_URL``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from chatshop.plugins.whatsapp.signature import HEADER, verify

from .webhooks import PHONE_NUMBER_ID
from .workers import ACCESS_TOKEN, APP_SECRET

SESSION = web.AppKey("session", aiohttp.ClientSession)
TASKS = web.AppKey("tasks", set)


def create_app(graph_url: str) -> web.Application:
    app = web.Application()
    endpoint = f"{graph_url}/v23.0/{PHONE_NUMBER_ID}/messages"
    headers = {"Authorization": f"Bearer {ACCESS_TOKEN}"}

    async def session(app: web.Application) -> AsyncIterator[None]:
        app[SESSION] = aiohttp.ClientSession(headers=headers)
        app[TASKS] = set()
        yield
        await asyncio.gather(*app[TASKS], return_exceptions=True)
        await app[SESSION].close()

    async def reply(http: aiohttp.ClientSession, to: str) -> None:
        body = {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": "Thanks!"}}
        async with http.post(endpoint, json=body) as resp:
            await resp.read()

    async def webhook(request: web.Request) -> web.Response:
        raw = await request.read()
        if not verify(raw, request.headers.get(HEADER), APP_SECRET):
            return web.Response(status=401)
        payload: dict[str, Any] = json.loads(raw)
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                for message in change.get("value", {}).get("messages", []):
                    task = asyncio.create_task(reply(request.app[SESSION], message["from"]))
                    request.app[TASKS].add(task)
                    task.add_done_callback(request.app[TASKS].discard)
        return web.Response(text="OK")

    async def ready(request: web.Request) -> web.Response:
        return web.json_response({"status": "ready"})

    app.cleanup_ctx.append(session)
    app.router.add_post("/webhooks/whatsapp", webhook)
    app.router.add_get("/readyz", ready)
    return app


if __name__ == "__main__":
    web.run_app(create_app(sys.argv[2]), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
