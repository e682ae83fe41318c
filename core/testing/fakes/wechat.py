"""A fake ``api.weixin.qq.com`` for tests, written from the protocol notes (research/wechat.md §3).

It issues access tokens (``cgi-bin/stable_token`` and ``cgi-bin/token``), accepts customer-service
messages, template messages and menus, and checks what the real API checks: the token (41001,
40014, 42001), field names, limits (45002 text size, 45008 one news article, 45098 msgmenu size,
menu sizes) and the customer-service rules (45015 outside 48 hours after the customer's last
message, 45047 after 5 messages for it). Every accepted call is recorded for assertions.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

WINDOW_SECONDS = 48 * 3600
MESSAGES_PER_TURN = 5
MSGMENU_MAX_ITEMS = 10  # not published by WeChat; the limit our docs assume
CS_FIELDS = {"touser", "msgtype", "customservice"}
CS_TYPES = {
    "text": {"content"},
    "image": {"media_id"},
    "news": {"articles"},
    "msgmenu": {"head_content", "list", "tail_content"},
    "mpnews": {"media_id"},
}


def _err(code: int, message: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": f"{message} rid: fake-{secrets.token_hex(4)}"})


@dataclass
class Window:
    opened_at: float
    left: int = MESSAGES_PER_TURN
    seconds: float = WINDOW_SECONDS


@dataclass
class FakeWeChat:
    app_id: str
    secret: str
    clock: Callable[[], float] = time.time
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expires at
    windows: dict[str, Window] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    menus: list[dict[str, Any]] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    fail_next: list[dict[str, Any]] = field(default_factory=list)  # canned answers to send next
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    # --- what the real WeChat does on its own -------------------------------------------------
    def customer_wrote(self, openid: str) -> None:
        """The customer sent a message: a fresh 48-hour window with 5 replies."""
        self.windows[openid] = Window(opened_at=self.clock())

    def customer_acted(self, openid: str) -> None:
        """A follow, menu click or QR scan: 3 replies within a minute (unless a window is open)."""
        window = self.windows.get(openid)
        if window is None or self.clock() - window.opened_at > window.seconds or window.left <= 0:
            self.windows[openid] = Window(opened_at=self.clock(), left=3, seconds=60)

    def expire_tokens(self) -> None:
        """Every issued token expires now (WeChat answers 42001 to it)."""
        for token in self.tokens:
            self.tokens[token] = self.clock() - 1

    def texts_to(self, openid: str) -> list[str]:
        out = []
        for body in self.sent:
            if body["touser"] != openid:
                continue
            kind = body["msgtype"]
            if kind == "text":
                out.append(body["text"]["content"])
            elif kind == "msgmenu":
                menu = body["msgmenu"]
                items = " | ".join(f"{i['id']}={i['content']}" for i in menu["list"])
                out.append(f"{menu['head_content']} [{items}] {menu['tail_content']}")
            elif kind == "news":
                out.append("NEWS " + body["news"]["articles"][0]["title"])
        return out

    # --- the HTTP API ---------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self._stable_token)
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/message/template/send", self._template_send)
        app.router.add_post("/cgi-bin/menu/create", self._menu_create)
        return app

    def _issue(self) -> tuple[str, int]:
        token = "FAKE_" + secrets.token_urlsafe(48)
        self.tokens[token] = self.clock() + 7200
        return token, 7200

    def _current(self) -> tuple[str, int] | None:
        now = self.clock()
        live = [(t, exp) for t, exp in self.tokens.items() if exp > now]
        if not live:
            return None
        token, expires = max(live, key=lambda pair: pair[1])
        return token, int(expires - now)

    async def _stable_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.token_requests.append(body)
        if body.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        if body.get("appid") != self.app_id:
            return _err(40013, "invalid appid")
        if body.get("secret") != self.secret:
            return _err(40125, "invalid appsecret")
        current = None if body.get("force_refresh") else self._current()
        if body.get("force_refresh"):
            self.tokens.clear()  # force mode invalidates the previous token
        token, expires_in = current or self._issue()
        return web.json_response({"access_token": token, "expires_in": expires_in})

    async def _token(self, request: web.Request) -> web.Response:
        query = request.query
        self.token_requests.append(dict(query))
        if query.get("appid") != self.app_id:
            return _err(40013, "invalid appid")
        if query.get("secret") != self.secret:
            return _err(40125, "invalid appsecret")
        for old in self.tokens:  # re-fetching invalidates the old token after 5 minutes
            self.tokens[old] = min(self.tokens[old], self.clock() + 300)
        token, expires_in = self._issue()
        return web.json_response({"access_token": token, "expires_in": expires_in})

    def _check_token(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token")
        if not token:
            return _err(41001, "access_token missing")
        if token not in self.tokens:
            return _err(40001, "invalid credential, access_token is invalid or not latest")
        if self.tokens[token] <= self.clock():
            return _err(42001, "access_token expired")
        return None

    async def _json(self, request: web.Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def _custom_send(self, request: web.Request) -> web.Response:
        if (refused := self._check_token(request)) is not None:
            return refused
        body = await self._json(request)
        if body is None:
            return _err(47001, "data format error")
        if self.fail_next:
            return web.json_response(self.fail_next.pop(0))
        problem = _check_custom(body)
        if problem is not None:
            self.rejected.append((problem[0], body))
            return _err(*problem)
        window = self.windows.get(body["touser"])
        if window is None or self.clock() - window.opened_at > window.seconds:
            self.rejected.append((45015, body))
            return _err(45015, "response out of time limit or subscription is canceled")
        if window.left <= 0:
            self.rejected.append((45047, body))
            return _err(45047, "out of response count limit")
        window.left -= 1
        self.sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _template_send(self, request: web.Request) -> web.Response:
        if (refused := self._check_token(request)) is not None:
            return refused
        body = await self._json(request)
        if body is None or not {"touser", "template_id", "data"} <= body.keys():
            return _err(47001, "data format error")
        if not all(isinstance(v, dict) and "value" in v for v in body["data"].values()):
            return _err(47001, "data format error")
        msgid = next(self._ids)
        self.templates.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    async def _menu_create(self, request: web.Request) -> web.Response:
        if (refused := self._check_token(request)) is not None:
            return refused
        body = await self._json(request)
        if body is None:
            return _err(47001, "data format error")
        problem = _check_menu(body)
        if problem is not None:
            return _err(*problem)
        self.menus.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})


def _check_custom(body: dict[str, Any]) -> tuple[int, str] | None:
    kind = body.get("msgtype")
    if not isinstance(body.get("touser"), str) or not body["touser"]:
        return 40003, "invalid openid"
    if kind not in CS_TYPES or not isinstance(body.get(kind), dict):
        return 40008, "invalid message type"
    if set(body) - CS_FIELDS - {kind}:
        return 47001, "data format error (unexpected field)"
    inner = body[kind]
    if set(inner) - CS_TYPES[kind]:
        return 47001, f"data format error (unexpected field in {kind})"
    if kind == "text":
        content = inner.get("content")
        if not isinstance(content, str) or not content:
            return 44003, "empty content"
        if len(content.encode()) > 2048:
            return 45002, "content size out of limit"
    if kind == "news":
        articles = inner.get("articles")
        if not isinstance(articles, list) or not articles:
            return 47001, "data format error"
        if len(articles) > 1:
            return 45008, "article size out of limit"
        for article in articles:
            if set(article) - {"title", "description", "url", "picurl"} or not article.get("url"):
                return 47001, "data format error (article)"
    if kind == "msgmenu":
        items = inner.get("list")
        if not isinstance(items, list) or not items:
            return 47001, "data format error (msgmenu list)"
        if len(items) > MSGMENU_MAX_ITEMS:
            return 45098, "msgmenu list size is out of limit"
        for item in items:
            if set(item) != {"id", "content"} or not item["id"] or not item["content"]:
                return 47001, "data format error (msgmenu item)"
    return None


def _check_menu(body: dict[str, Any]) -> tuple[int, str] | None:
    buttons = body.get("button")
    if set(body) != {"button"} or not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return 40016, "invalid button size"
    for top in buttons:
        if len(top.get("name", "").encode()) > 16 or not top.get("name"):
            return 40018, "invalid button name size"
        subs = top.get("sub_button")
        if subs is not None:
            if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
                return 40023, "invalid sub button size"
            for sub in subs:
                if len(sub.get("name", "").encode()) > 60 or not sub.get("name"):
                    return 40025, "invalid sub button name size"
                if (problem := _check_leaf(sub)) is not None:
                    return problem
        elif (problem := _check_leaf(top)) is not None:
            return problem
    return None


def _check_leaf(button: dict[str, Any]) -> tuple[int, str] | None:
    kind = button.get("type")
    if kind == "click":
        key = button.get("key", "")
        if not key or len(key.encode()) > 128:
            return 40019, "invalid button key size"
    elif kind == "view":
        url = button.get("url", "")
        if not url or len(url.encode()) > 1024:
            return 40020, "invalid button url size"
    else:
        return 40017, "invalid button type"
    return None
