"""The access token: fetched from ``cgi-bin/stable_token``, cached, shared, refreshed once.

The token lives in the shop's storage (``kv``) so several workers use one token instead of each
fetching its own; in memory it is only a cache of that. ``stable_token`` in normal mode returns the
platform's current token and never invalidates it, so two workers that refresh at the same moment
do not knock each other out; within a process one caller refreshes while the others wait.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

import aiohttp
import structlog

from chatshop.channels import RetryableSendError, SendError

from .errors import error_code, send_error

__all__ = ["AccessTokens", "MemoryKV", "TokenKV"]

log = structlog.get_logger(__name__)

#: Stop using a token this many seconds before WeChat says it expires.
REFRESH_MARGIN_SECONDS = 120
#: WeChat allows a forced refresh 20 times a day, at least 30 s apart.
FORCE_INTERVAL_SECONDS = 30


class TokenKV(Protocol):
    """Where the token is shared between workers: the channel's ``shop.kv("wechat")``."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, *, ttl: timedelta | None = None) -> None: ...


class MemoryKV:
    """A process-local :class:`TokenKV` for one-off commands such as ``chatshop wechat menu``."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    async def get(self, key: str) -> str | None:
        return self._values.get(key)

    async def set(self, key: str, value: str, *, ttl: timedelta | None = None) -> None:
        self._values[key] = value  # the token's own good_until decides whether it is still good


class AccessTokens:
    """Hands out a valid access token and replaces one WeChat rejected."""

    def __init__(
        self,
        *,
        app_id: str,
        secret: str,
        base_url: str,
        session: Callable[[], aiohttp.ClientSession],
        kv: TokenKV,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app_id = app_id
        self._secret = secret
        self._url = base_url.rstrip("/") + "/cgi-bin/stable_token"
        self._session = session
        self._kv = kv
        self._clock = clock
        self._key = f"access_token:{app_id}"  # wechat:access_token:APPID in the shop's kv
        self._token: str | None = None
        self._good_until = 0.0
        self._forced_at = float("-inf")
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """A token that is valid for at least ``REFRESH_MARGIN_SECONDS`` more."""
        if self._token and self._clock() < self._good_until:
            return self._token
        async with self._lock:
            if self._token and self._clock() < self._good_until:
                return self._token
            if await self._load_shared():
                assert self._token
                return self._token
            return await self._fetch(force=False)

    async def refresh(self, rejected: str) -> str:
        """A new token after WeChat refused ``rejected`` (40001/40014/42001); one caller fetches."""
        async with self._lock:
            if self._token and self._token != rejected and self._clock() < self._good_until:
                return self._token  # another caller already replaced it
            if await self._load_shared() and self._token != rejected:
                assert self._token
                return self._token
            token = await self._fetch(force=False)
            if token == rejected:  # the platform still hands out the token it just refused
                if self._clock() - self._forced_at < FORCE_INTERVAL_SECONDS:
                    raise RetryableSendError("access token refused again", retry_after=30)
                self._forced_at = self._clock()
                token = await self._fetch(force=True)
            return token

    async def _load_shared(self) -> bool:
        raw = await self._kv.get(self._key)
        if not raw:
            return False
        try:
            data = json.loads(raw)
            token, good_until = str(data["token"]), float(data["good_until"])
        except (ValueError, KeyError, TypeError):
            return False
        if self._clock() >= good_until:
            return False
        self._token, self._good_until = token, good_until
        return True

    async def _fetch(self, *, force: bool) -> str:
        payload = {
            "grant_type": "client_credential",
            "appid": self._app_id,
            "secret": self._secret,
            "force_refresh": force,
        }
        body = await self._post(payload)
        code = error_code(body)
        token = body.get("access_token")
        if code or not isinstance(token, str) or not token:
            log.error("wechat.token_failed", errcode=code, force=force)
            if code:
                raise send_error(code, str(body.get("errmsg", "")))  # bad secret/IP: SendingHalted
            raise RetryableSendError("no access_token in the answer", retry_after=30)
        expires_in = body.get("expires_in", 7200)
        lifetime = expires_in if isinstance(expires_in, int) and expires_in > 0 else 7200
        now = self._clock()
        self._token = token
        self._good_until = now + max(lifetime - REFRESH_MARGIN_SECONDS, lifetime // 2)
        shared = json.dumps({"token": token, "good_until": self._good_until})
        await self._kv.set(self._key, shared, ttl=timedelta(seconds=max(self._good_until - now, 1)))
        log.info("wechat.token_fetched", expires_in=lifetime, force=force)
        return token

    async def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            async with self._session().post(self._url, json=payload) as response:
                if response.status >= 500 or response.status == 429:
                    raise RetryableSendError(f"stable_token HTTP {response.status}", retry_after=30)
                data = await response.json(content_type=None)
        except SendError:
            raise
        except (aiohttp.ClientError, TimeoutError, ValueError) as e:
            raise RetryableSendError(f"stable_token unreachable: {type(e).__name__}", retry_after=30) from None
        if not isinstance(data, dict):
            raise RetryableSendError("stable_token answered something other than an object", retry_after=30)
        return data
