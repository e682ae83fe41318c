"""The few Razorpay API calls a shop needs: payment links and refunds, over one shared session.

Calls that create something are safe to repeat: a link is unique per ``reference_id`` (our order
number), so a repeated create finds the link it made before; a refund carries an
``X-Refund-Idempotency`` key. Outages (network, 429, 5xx) are retried after short pauses and then
reported as a retryable :class:`~chatshop.payments.PaymentError`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import structlog

from chatshop.payments import PaymentError
from chatshop.retry import retrying

log = structlog.get_logger(__name__)


class RazorpayError(PaymentError):
    """Razorpay answered with an error; ``status`` and ``code`` are Razorpay's."""

    def __init__(self, message: str, *, status: int, code: str | None, retryable: bool) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status
        self.code = code


class RazorpayClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        base_url: str,
        key_id: str,
        key_secret: str,
        timeout: float = 15.0,
        retry_delays: Sequence[float] = (0.5, 2.0),
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        credentials = base64.b64encode(f"{key_id}:{key_secret}".encode()).decode()
        self._auth = {"Authorization": f"Basic {credentials}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry_delays = tuple(retry_delays)

    async def create_payment_link(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create a link, or return the one an earlier attempt made for this ``reference_id``."""
        try:
            return await self._call("POST", "/v1/payment_links", json=body)
        except RazorpayError as e:
            if e.retryable or e.status != 400:
                raise
            existing = await self.find_payment_link(str(body["reference_id"]))
            if existing is None or existing.get("amount") != body.get("amount") or existing.get("status") != "created":
                raise
            log.info("razorpay.link_reused", link=existing.get("id"))
            return existing

    async def find_payment_link(self, reference_id: str) -> dict[str, Any] | None:
        found = await self._call("GET", "/v1/payment_links", params={"reference_id": reference_id})
        links = found.get("payment_links") or []
        return dict(links[0]) if links else None

    async def fetch_payment_link(self, link_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/v1/payment_links/{link_id}")

    async def cancel_payment_link(self, link_id: str) -> dict[str, Any]:
        return await self._call("POST", f"/v1/payment_links/{link_id}/cancel")

    async def refund(self, payment_id: str, body: Mapping[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            f"/v1/payments/{payment_id}/refund",
            json=body,
            headers={"X-Refund-Idempotency": idempotency_key},
        )

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        return await retrying(
            lambda: self._once(method, path, json=json, params=params, headers=headers),
            self._retry_delays,
            provider="razorpay",
            path=path,
        )

    async def _once(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        try:
            async with self._http.request(
                method,
                self._base + path,
                json=json,
                params=params,
                headers={**self._auth, **(headers or {})},
                timeout=self._timeout,
            ) as response:
                status = response.status
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, TimeoutError) as e:
            raise RazorpayError(f"Razorpay unreachable: {type(e).__name__}", status=0, code=None, retryable=True) from e
        if 200 <= status < 300 and isinstance(data, dict):
            return data
        error = data.get("error", {}) if isinstance(data, dict) else {}
        description = str(error.get("description") or f"HTTP {status}")
        raise RazorpayError(
            f"Razorpay {method} {path}: {description}",
            status=status,
            code=error.get("code"),
            retryable=status == 429 or status >= 500 or 200 <= status < 300,
        )
