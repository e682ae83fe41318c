"""A small Graph API client on the shop's shared HTTP session: send, mark read, look up payments.

Throttles (130429, 131056) and server errors are retried here a few times with exponential backoff
and full jitter; when they persist the error goes back to the outbox, which keeps the message and
tries again later. Nothing is dropped on a throttle.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import structlog
from pydantic_core import from_json, to_json
from yarl import URL

from .errors import PAIR_RATE_LIMIT, GraphError
from .ratelimit import Limiter

__all__ = ["GraphClient", "RetryPolicy"]

log = structlog.get_logger(__name__)

MAX_REMEMBERED_URLS = 16


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait between attempts; tests shrink ``base_delay`` to milliseconds."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 20.0

    def delay(self, attempt: int, error: GraphError | None) -> float:
        """Full-jitter exponential backoff; the pair limit grows by 4^n as Meta suggests."""
        factor = 4 if error is not None and error.code == PAIR_RATE_LIMIT else 2
        ceiling = min(self.max_delay, self.base_delay * factor**attempt)
        return random.uniform(ceiling / 2, ceiling)


class GraphClient:
    def __init__(
        self,
        session: Callable[[], aiohttp.ClientSession],
        *,
        base_url: str,
        version: str,
        phone_number_id: str,
        token: str,
        limiter: Limiter,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._session = session
        self._root = f"{base_url.rstrip('/')}/{version}"
        self.phone_number_id = phone_number_id
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._timeout = aiohttp.ClientTimeout(total=self.retry.timeout)
        self._urls: dict[str, URL] = {}

    def url(self, path: str) -> str:
        return f"{self._root}/{path.lstrip('/')}"

    async def send_message(self, payload: Mapping[str, Any]) -> str:
        """POST one message; the ``wamid`` Meta accepted it under."""
        body = await self.call("POST", f"{self.phone_number_id}/messages", payload, limited=True)
        messages = body.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], Mapping):
            return str(messages[0].get("id", ""))
        raise GraphError("send accepted without a message id", status=200)

    async def mark_read(self, message_id: str, typing: bool = False) -> None:
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id,
        }
        if typing:
            payload["typing_indicator"] = {"type": "text"}
        await self.call("POST", f"{self.phone_number_id}/messages", payload)

    async def payment(self, configuration_name: str, reference_id: str) -> Mapping[str, Any] | None:
        """Meta's own record of an in-chat payment (confirms a webhook before we trust it)."""
        path = f"{self.phone_number_id}/payments/{configuration_name}/{reference_id}"
        body = await self.call("GET", path)
        payments = body.get("payments")
        if isinstance(payments, list) and payments and isinstance(payments[0], Mapping):
            return payments[0]
        return None

    async def refund(self, payment_config: str, reference_id: str, amount: Mapping[str, Any]) -> Mapping[str, Any]:
        """Give back part or all of an in-chat payment: ``{id, status: pending|failed|completed}``.

        Asked once, never retried here: Meta takes no idempotency key, so a second request after
        an answer that was lost could refund twice. The caller finds a lost one in the payment's record.
        """
        payload = {
            "reference_id": reference_id,
            "speed": "normal",
            "payment_config_id": payment_config,
            "amount": amount,
        }
        return await self._once("POST", f"{self.phone_number_id}/payments_refund", payload)

    async def call(
        self,
        method: str,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        limited: bool = False,
    ) -> Mapping[str, Any]:
        """One Graph call, retried on throttles and server errors; raises :class:`GraphError`."""
        last: GraphError | None = None
        for attempt in range(self.retry.attempts):
            if attempt:
                await self._sleep(self.retry.delay(attempt - 1, last))
            if limited:
                await self.limiter.acquire()
            try:
                return await self._once(method, path, payload)
            except GraphError as error:
                if not error.retryable:
                    raise
                last = error
                log.info("whatsapp.graph_retry", code=error.code, status=error.status, attempt=attempt)
        assert last is not None
        raise last

    async def _once(self, method: str, path: str, payload: Mapping[str, Any] | None) -> Mapping[str, Any]:
        # Every reply and read receipt comes through here: the body is encoded once, compactly (UTF-8
        # JSON by pydantic-core, several times faster than ``json``), and the headers, URL and
        # timeout are built once per client rather than per call.
        data = None if payload is None else to_json(payload)
        try:
            async with self._session().request(
                method, self._url(path), data=data, headers=self._headers, timeout=self._timeout
            ) as response:
                raw = await response.read()
                try:
                    body: Any = from_json(raw)
                except ValueError:
                    body = None
                if response.status >= 400 or not isinstance(body, Mapping):
                    raise GraphError.from_response(response.status, body)
                return body
        except (aiohttp.ClientError, TimeoutError) as e:
            raise GraphError(f"Graph API unreachable: {type(e).__name__}", status=599) from None

    def _url(self, path: str) -> URL:
        url = self._urls.get(path)
        if url is None:
            url = URL(self.url(path))
            if len(self._urls) < MAX_REMEMBERED_URLS:  # payment look-ups each have their own path
                self._urls[path] = url
        return url
