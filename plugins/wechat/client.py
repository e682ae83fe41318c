"""The cgi-bin JSON APIs we call: customer-service messages, template messages, the menu.

Each call carries the shared access token; a token WeChat rejects (40001/40014/42001) is replaced
once and the call repeated once. Other ``errcode`` values become the :class:`SendError` that tells
the outbox what to do (see :mod:`.errors`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aiohttp

from chatshop.channels import RetryableSendError, SendError

from .errors import TOKEN_ERRORS, error_code, send_error
from .token import AccessTokens

__all__ = ["WeChatClient"]


class WeChatClient:
    def __init__(self, *, base_url: str, session: Callable[[], aiohttp.ClientSession], tokens: AccessTokens) -> None:
        self._base = base_url.rstrip("/") + "/cgi-bin/"
        self._session = session
        self.tokens = tokens

    async def send_custom(self, body: dict[str, Any]) -> None:
        """One customer-service message (text, msgmenu, news)."""
        await self.call("message/custom/send", body)

    async def send_template(self, body: dict[str, Any]) -> str:
        """One template message; returns WeChat's ``msgid`` for the later delivery event."""
        answer = await self.call("message/template/send", body)
        return str(answer.get("msgid", ""))

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self.call("menu/create", menu)

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``cgi-bin/<path>``; the answer, or a :class:`SendError`."""
        token = await self.tokens.get()
        answer = await self._post(path, token, body)
        code = error_code(answer)
        if code in TOKEN_ERRORS:
            token = await self.tokens.refresh(token)
            answer = await self._post(path, token, body)
            code = error_code(answer)
        if code:
            raise send_error(code, str(answer.get("errmsg", "")))
        return answer

    async def _post(self, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        # WeChat shows \\uXXXX escapes literally in some APIs (menus): send UTF-8 as it is.
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            async with self._session().post(
                self._base + path, params={"access_token": token}, data=data, headers=headers
            ) as response:
                if response.status == 429 or response.status >= 500:
                    raise RetryableSendError(f"{path}: HTTP {response.status}", retry_after=10)
                answer = await response.json(content_type=None)
        except SendError:
            raise
        except (aiohttp.ClientError, TimeoutError, ValueError) as e:
            raise RetryableSendError(f"{path}: {type(e).__name__}", retry_after=10) from None
        if not isinstance(answer, dict):
            raise RetryableSendError(f"{path}: the answer is not a JSON object", retry_after=10)
        return answer
