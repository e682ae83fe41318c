"""What every live catalog source shares: its error, and HTTP calls retried when the other side is
busy or away (429, 5xx, a dropped connection), never when it refuses us (401, 403, 404)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp

__all__ = ["ATTEMPTS", "BACKOFF_SECONDS", "Sleep", "SourceError", "request_json"]

#: Tries of one call before the refresh gives up (and the job tries again later).
ATTEMPTS = 4
#: The first wait before trying a call again; doubled each time.
BACKOFF_SECONDS = 0.5

Sleep = Callable[[float], Awaitable[None]]


class SourceError(Exception):
    """A live source could not be read; the message is safe to log (it never holds a credential)."""


async def request_json(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    what: str,
    sleep: Sleep = asyncio.sleep,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    body: Any = None,
) -> tuple[Any, Mapping[str, str]]:
    """The JSON answer and headers of one call; :class:`SourceError` when it cannot be had."""
    for attempt in range(ATTEMPTS):
        if attempt:
            await sleep(min(BACKOFF_SECONDS * 2**attempt, 30.0))
        try:
            async with http.request(
                method, url, headers=headers, params=params, json=body, allow_redirects=False
            ) as response:
                if response.status == 429 or response.status >= 500:
                    retry_after = response.headers.get("Retry-After", "")
                    if retry_after.isdigit():
                        await sleep(min(float(retry_after), 60.0))
                    continue
                if response.status >= 300:
                    detail = await _detail(response)
                    raise SourceError(f"{what} answered HTTP {response.status}{detail}")
                try:
                    return await response.json(content_type=None), response.headers
                except ValueError:
                    raise SourceError(f"{what} answered something that is not JSON") from None
        except (aiohttp.ClientError, TimeoutError) as e:
            if attempt == ATTEMPTS - 1:
                raise SourceError(f"{what} could not be reached: {type(e).__name__}") from None
    raise SourceError(f"{what} was busy or failing after {ATTEMPTS} tries")


async def _detail(response: aiohttp.ClientResponse) -> str:
    """The error code the API gives (WooCommerce's ``code``, Shopify's ``errors``), kept short."""
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return ""
    if isinstance(data, Mapping):
        code = data.get("code") or data.get("errors")
        if isinstance(code, str):
            return f": {code[:200]}"
    return ""
