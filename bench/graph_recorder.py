"""A minimal fake WhatsApp Cloud API that answers like Graph and records every reply it is sent.

Unlike ``chatshop.testing.fakes.whatsapp`` it validates nothing beyond the bearer token: it sits on
the benchmark's hot path and must cost as little as possible. It can be switched "down" (HTTP 503
with Graph's transient error) to show that replies wait and are not lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["GraphRecorder", "Reply"]


@dataclass(frozen=True, slots=True)
class Reply:
    to: str
    type: str
    body: dict[str, Any]
    at: float  # time.monotonic() on arrival


@dataclass
class GraphRecorder:
    token: str = "bench-access-token"
    down: bool = False
    replies: dict[str, list[Reply]] = field(default_factory=lambda: defaultdict(list))
    read: dict[str, float] = field(default_factory=dict)  # inbound message id -> when marked read
    refused_while_down: int = 0
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _changed: asyncio.Event | None = None
    _waiters: dict[str, list[tuple[int, asyncio.Future[None]]]] = field(default_factory=lambda: defaultdict(list))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{version}/{phone}/messages", self._messages)
        return app

    @property
    def total(self) -> int:
        return sum(len(r) for r in self.replies.values())

    def changed(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    async def wait_until(self, condition: Any, within: float) -> bool:
        """Wait until ``condition()`` holds (re-checked on every request), at most ``within`` s."""
        deadline = time.monotonic() + within
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            event = self.changed()
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(left, 0.5))
        return True

    async def replies_reach(self, to: str, count: int, within: float) -> bool:
        """Wait until ``to`` has been sent ``count`` replies in all; False after ``within`` s."""
        if len(self.replies[to]) >= count:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (count, future)
        self._waiters[to].append(entry)
        try:
            await asyncio.wait_for(future, within)
            return True
        except TimeoutError:
            return False
        finally:
            waiting = self._waiters.get(to)
            if waiting is not None and entry in waiting:
                waiting.remove(entry)
            if not waiting:
                self._waiters.pop(to, None)

    def _wake(self, to: str) -> None:
        have = len(self.replies[to])
        for count, future in self._waiters.get(to, ()):
            if have >= count and not future.done():
                future.set_result(None)

    async def _messages(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": {"code": 190, "message": "Invalid OAuth access token"}}, status=401)
        if self.down:
            self.refused_while_down += 1
            error = {"code": 2, "message": "Service temporarily unavailable", "is_transient": True}
            return web.json_response({"error": error}, status=503)
        body = json.loads(await request.read())
        now = time.monotonic()
        if body.get("status") == "read":
            self.read.setdefault(body.get("message_id", ""), now)
            self.changed().set()
            return web.json_response({"success": True})
        to = str(body.get("to", ""))
        kind = str(body.get("type", ""))
        self.replies[to].append(Reply(to, kind, body, now))
        self.changed().set()
        if to in self._waiters:
            self._wake(to)
        wamid = f"wamid.bench{next(self._ids)}"
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": wamid}]}
        )
