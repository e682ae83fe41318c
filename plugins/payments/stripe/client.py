"""The few Stripe API calls a shop needs: Checkout Sessions and refunds, form-encoded.

Every POST carries an ``Idempotency-Key``, so retrying after an outage or a lost answer gives back
what the first attempt made instead of a second session or a second refund.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import structlog

from chatshop.payments import PaymentError
from chatshop.plugins.payments.stripe.form import encode
from chatshop.retry import retrying

log = structlog.get_logger(__name__)


class StripeError(PaymentError):
    """Stripe answered with an error; ``status``, ``type`` and ``code`` are Stripe's."""

    def __init__(self, message: str, *, status: int, type: str | None, code: str | None, retryable: bool) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status
        self.type = type
        self.code = code


class StripeClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        base_url: str,
        secret_key: str,
        api_version: str | None = None,
        timeout: float = 15.0,
        retry_delays: Sequence[float] = (0.5, 2.0),
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {secret_key}"}
        if api_version:
            self._headers["Stripe-Version"] = api_version
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry_delays = tuple(retry_delays)

    async def create_checkout_session(self, params: Mapping[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self._call("POST", "/v1/checkout/sessions", params, idempotency_key)

    async def retrieve_checkout_session(self, session_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/v1/checkout/sessions/{session_id}")

    async def retrieve_payment_intent(self, intent_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/v1/payment_intents/{intent_id}")

    async def expire_checkout_session(self, session_id: str) -> dict[str, Any]:
        path = f"/v1/checkout/sessions/{session_id}/expire"
        return await self._call("POST", path, {}, f"chatshop-expire-{session_id}")

    async def create_refund(self, params: Mapping[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self._call("POST", "/v1/refunds", params, idempotency_key)

    async def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        headers = dict(self._headers)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        data = encode(params) if params is not None and method == "POST" else None
        return await retrying(
            lambda: self._once(method, path, data, headers), self._retry_delays, provider="stripe", path=path
        )

    async def _once(
        self,
        method: str,
        path: str,
        data: list[tuple[str, str]] | None,
        headers: Mapping[str, str],
    ) -> dict[str, Any]:
        try:
            async with self._http.request(
                method, self._base + path, data=data, headers=headers, timeout=self._timeout
            ) as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except (aiohttp.ClientError, TimeoutError) as e:
            raise StripeError(
                f"Stripe unreachable: {type(e).__name__}",
                status=0,
                type=None,
                code=None,
                retryable=True,
            ) from e
        if 200 <= status < 300 and isinstance(body, dict):
            return body
        error = body.get("error", {}) if isinstance(body, dict) else {}
        raise StripeError(
            f"Stripe {method} {path}: {error.get('message') or f'HTTP {status}'}",
            status=status,
            type=error.get("type"),
            code=error.get("code"),
            # 409: another request with the same idempotency key is still running.
            retryable=status in (409, 429) or status >= 500 or 200 <= status < 300,
        )
