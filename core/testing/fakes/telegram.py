"""A fake Telegram Bot API, from the documented wire format (core.telegram.org/bots/api).

``POST /bot{token}/{method}`` with a JSON body; answers ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code", "description"[, "parameters": {"retry_after"}]}`` with the same HTTP
status. It checks what Telegram checks: the token (401), ``chat_id``, a text of 1-4096 and a caption
of at most 1024 characters as Telegram counts them (UTF-16 units), inline keyboards whose buttons
have a text and exactly one of ``callback_data`` (1-64 bytes) or ``url``, reply keyboards, that a
callback query is answered once and only with an id it issued, and ``setWebhook``'s secret token.
It also plays the customer: :meth:`FakeBotAPI.text_update` and :meth:`FakeBotAPI.tap_update` build
the updates Telegram would POST to the bot's webhook.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["FakeBotAPI", "SentMessage"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_BYTES = 64
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Refused(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class SentMessage:
    """A message the bot sent: its method (``sendMessage``, ``sendPhoto``) and parameters."""

    message_id: int
    method: str
    params: dict[str, Any]

    @property
    def chat_id(self) -> str:
        return str(self.params["chat_id"])

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]


@dataclass
class FakeBotAPI:
    token: str = "123456:TEST-token-of-the-bot"
    sent: list[SentMessage] = field(default_factory=list)
    answered: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    #: Users who blocked the bot: sends to them are refused with 403.
    blocked: set[str] = field(default_factory=set)
    #: Canned failures for the next sends: (error_code, description, retry_after).
    faults: deque[tuple[int, str, int | None]] = field(default_factory=deque)
    #: Photo URLs Telegram cannot fetch.
    broken_photos: set[str] = field(default_factory=set)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(700_000_000))
    _queries: dict[str, bool] = field(default_factory=dict)  # issued callback query id -> answered

    # --- test controls ------------------------------------------------------------------------
    def flood(self, retry_after: int = 3, times: int = 1) -> None:
        """Answer the next ``times`` sends with 429 and ``parameters.retry_after``."""
        self.faults.extend([(429, f"Too Many Requests: retry after {retry_after}", retry_after)] * times)

    def revoke_token(self) -> None:
        """The bot's token was revoked at @BotFather: every call is 401."""
        self.token = "revoked"

    def fail_next(self, code: int, description: str) -> None:
        self.faults.append((code, description, None))

    def to(self, chat_id: str) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == str(chat_id)]

    # --- the customer's side: updates Telegram would POST to the webhook -------------------------
    def user(self, user_id: int, language_code: str | None = "en", first_name: str = "Asha") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def text_update(self, user: dict[str, Any], text: str, *, update_id: int | None = None) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        message = {"message_id": next(self._message_ids), "from": user, "chat": chat, "date": 1767254400, "text": text}
        return {"update_id": update_id if update_id is not None else next(self._update_ids), "message": message}

    def location_update(self, user: dict[str, Any], latitude: float, longitude: float) -> dict[str, Any]:
        update = self.text_update(user, "")
        del update["message"]["text"]
        update["message"]["location"] = {"latitude": latitude, "longitude": longitude}
        return update

    def tap_update(
        self, user: dict[str, Any], message: SentMessage, callback_data: str, *, update_id: int | None = None
    ) -> dict[str, Any]:
        """The ``callback_query`` of a tap on the inline button whose ``callback_data`` is given."""
        if callback_data not in [b.get("callback_data") for b in message.buttons]:
            raise ValueError(f"message {message.message_id} has no button {callback_data!r}")
        query_id = f"{user['id']}{next(self._message_ids):012d}"
        self._queries[query_id] = False
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        tapped = {"message_id": message.message_id, "chat": chat, "date": 1767254400, "text": message.text[:50]}
        query = {"id": query_id, "from": user, "message": tapped, "chat_instance": "-81234", "data": callback_data}
        return {"update_id": update_id if update_id is not None else next(self._update_ids), "callback_query": query}

    def unanswered_queries(self) -> list[str]:
        return [query for query, answered in self._queries.items() if not answered]

    # --- the HTTP API ----------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._call)
        return app

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._fail(401, "Unauthorized")
        try:
            params = await request.json()
        except ValueError:
            return self._fail(400, "Bad Request: invalid JSON")
        method = request.match_info["method"].lower()  # methods are case-insensitive
        handler = {
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "answercallbackquery": self._answer,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._webhook_info,
        }.get(method)
        if handler is None:
            return self._fail(404, "Not Found: method not found")
        try:
            if not isinstance(params, dict):
                raise _Refused(400, "Bad Request: parameters must be an object")
            return web.json_response({"ok": True, "result": handler(params)})
        except _Refused as e:
            return self._fail(e.code, e.description, e.retry_after)

    def _fail(self, code: int, description: str, retry_after: int | None = None) -> web.Response:
        self.refused.append((code, description))
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=code)

    def _common(self, params: dict[str, Any]) -> str:
        chat = params.get("chat_id")
        if not isinstance(chat, int | str) or str(chat) == "":
            raise _Refused(400, "Bad Request: chat_id is empty")
        if self.faults:
            code, description, retry_after = self.faults.popleft()
            raise _Refused(code, description, retry_after)
        if str(chat) in self.blocked:
            raise _Refused(403, "Forbidden: bot was blocked by the user")
        if "parse_mode" in params and params["parse_mode"] not in ("HTML", "Markdown", "MarkdownV2"):
            raise _Refused(400, "Bad Request: unsupported parse_mode")
        _markup(params.get("reply_markup"))
        return str(chat)

    def _record(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        message = SentMessage(next(self._message_ids), method, params)
        self.sent.append(message)
        chat = {"id": int(params["chat_id"]) if str(params["chat_id"]).lstrip("-").isdigit() else 0, "type": "private"}
        result: dict[str, Any] = {"message_id": message.message_id, "date": 1767254400, "chat": chat}
        if method == "sendMessage":
            result["text"] = params["text"]
        return result

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        self._common(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _Refused(400, "Bad Request: message text is empty")
        if _units(text) > TEXT_LIMIT:
            raise _Refused(400, "Bad Request: message is too long")
        return self._record("sendMessage", params)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        self._common(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo:
            raise _Refused(400, "Bad Request: there is no photo in the request")
        if photo in self.broken_photos:
            raise _Refused(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = params.get("caption", "")
        if not isinstance(caption, str) or _units(caption) > CAPTION_LIMIT:
            raise _Refused(400, "Bad Request: message caption is too long")
        return self._record("sendPhoto", params)

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        self._common(params)
        document = params.get("document")
        if not isinstance(document, str) or not document:
            raise _Refused(400, "Bad Request: there is no document in the request")
        if document in self.broken_photos:
            raise _Refused(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = params.get("caption", "")
        if not isinstance(caption, str) or _units(caption) > CAPTION_LIMIT:
            raise _Refused(400, "Bad Request: message caption is too long")
        return self._record("sendDocument", params)

    def _answer(self, params: dict[str, Any]) -> bool:
        query = params.get("callback_query_id")
        if not isinstance(query, str) or self._queries.get(query, True):
            raise _Refused(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        text = params.get("text", "")
        if not isinstance(text, str) or len(text) > 200:
            raise _Refused(400, "Bad Request: text is too long")
        self._queries[query] = True
        self.answered.append(params)
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url")
        if not isinstance(url, str) or (url and not url.startswith("https://")):
            raise _Refused(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and (not isinstance(secret, str) or not _SECRET.fullmatch(secret)):
            raise _Refused(400, "Bad Request: secret token contains unallowed characters")
        self.webhooks.append(params)
        return True

    def _webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        current = self.webhooks[-1] if self.webhooks else {}
        return {"url": current.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}


def _markup(markup: Any) -> None:
    """Telegram's checks of ``reply_markup``: an inline keyboard or a reply keyboard, well formed."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise _Refused(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _Refused(400, "Bad Request: field \"inline_keyboard\" must be an Array of Array")
        for button in (b for row in rows for b in row):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"]:
                raise _Refused(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            kinds = [key for key in ("callback_data", "url") if key in button]
            if len(kinds) != 1:
                raise _Refused(400, "Bad Request: inline keyboard button must have exactly one optional field")
            data = button.get("callback_data")
            if data is not None and (not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_BYTES):
                raise _Refused(400, "Bad Request: BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
                raise _Refused(400, "Bad Request: inline keyboard button URL is invalid")
        return
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) and row for row in rows):
            raise _Refused(400, "Bad Request: field \"keyboard\" must be an Array of Array")
        return
    if markup.get("remove_keyboard") is not True:
        raise _Refused(400, "Bad Request: can't parse reply keyboard markup JSON object")
