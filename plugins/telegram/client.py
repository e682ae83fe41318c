"""Calling the Bot API: ``POST {api_base_url}/bot{token}/{method}`` with JSON, errors as send errors.

Telegram answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description",
"parameters": {"retry_after"}}``. Flood control (429) and server trouble are retried later by the
outbox (``retry_after`` is a floor); a revoked token (401) halts sending until an operator acts; a
customer who blocked the bot (403) or a request Telegram refuses (400) fails that message alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp

from chatshop.channels import PermanentSendError, RetryableSendError, SendError, SendingHalted

__all__ = ["BotAPI", "BotAPIError"]


class BotAPIError(PermanentSendError):
    """Telegram refused the request (400, 403); ``description`` says why."""

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"Telegram {method}: {code} {description}", code=str(code))
        self.description = description


class BotAPI:
    def __init__(
        self, *, base_url: str, token: str, session: Callable[[], aiohttp.ClientSession], timeout: float
    ) -> None:
        self._base = f"{base_url.rstrip('/')}/bot{token}"
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """The ``result`` of ``method``, or a :class:`SendError` saying what to do about it."""
        try:
            async with self._session().post(f"{self._base}/{method}", json=params, timeout=self._timeout) as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except (aiohttp.ClientError, TimeoutError) as e:
            raise RetryableSendError(f"Telegram unreachable: {type(e).__name__}", code="network") from None
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        raise self._error(method, status, body if isinstance(body, dict) else {})

    @staticmethod
    def _error(method: str, status: int, body: dict[str, Any]) -> SendError:
        raw_code = body.get("error_code")
        code = raw_code if isinstance(raw_code, int) else status
        description = str(body.get("description") or f"HTTP {status}")[:300]
        raw_parameters = body.get("parameters")
        parameters: dict[str, Any] = raw_parameters if isinstance(raw_parameters, dict) else {}
        if code == 429:
            retry_after = parameters.get("retry_after")
            wait = float(retry_after) if isinstance(retry_after, int | float) and retry_after > 0 else None
            return RetryableSendError(f"Telegram flood control: {description}", code="429", retry_after=wait)
        if code == 401 or (code == 404 and status == 404):  # the token is wrong or was revoked
            return SendingHalted(f"Telegram refused the bot token ({code}): set a new one", code=str(code))
        if code >= 500 or status >= 500:
            return RetryableSendError(f"Telegram {method}: {code} {description}", code=str(code))
        return BotAPIError(method, code, description)
